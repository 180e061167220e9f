"""The catalogue of simulated goods: controlled substances from the registry, and ordinary
chemicals and medicines from ``products.yaml``, with how each is described and traded.

Controlled goods take their identity from the registry (canonical name, CAS numbers, HS code,
whether a pre-export notification applies, the US threshold), so the simulator can never
disagree with the law the screening reads; the YAML adds only what trade does with them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from precursorwatch.registry import Registry, Threshold, load_registry

# libyaml's loader when installed: the data files load ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "LANES",
    "Catalogue",
    "Description",
    "Product",
    "ProductName",
    "build_catalogue",
    "load_catalogue",
]

#: The four directions of trade; XX is a third country.
LANES: tuple[str, ...] = ("IN>US", "US>IN", "IN>XX", "US>XX")


@dataclass(frozen=True)
class ProductName:
    """One way the goods are named on a declaration, and the CAS number of that form."""

    text: str
    cas: str = ""


@dataclass(frozen=True)
class Description:
    """A product description as declared, with the CAS number that goes with it."""

    text: str
    cas: str


@dataclass(frozen=True)
class Product:
    """Goods in the catalogue and how they are traded.

    ``substance`` is the registry's canonical name of the controlled substance the goods are
    or contain, empty for uncontrolled goods. ``quantity`` is the range of a customer's usual
    consignment in ``unit``; ``price`` is US dollars per unit.
    """

    key: str
    substance: str
    kind: str
    sector: str
    names: tuple[ProductName, ...]
    hs: str
    unit: str
    quantity: tuple[float, float]
    pack: float
    price: float
    season: tuple[float, ...]
    lanes: Mapping[str, float]
    markets: tuple[str, ...]
    end_uses: tuple[str, ...]
    weight: float
    bulk_unit: str = ""
    concentration: tuple[float, float] | None = None
    lookalike: bool = False
    cover: bool = False
    designer: bool = False
    pen: bool = False
    threshold: Threshold | None = None

    @property
    def controlled(self) -> bool:
        """Whether the goods are or contain a substance the registry controls."""
        return bool(self.substance)


@dataclass(frozen=True)
class Catalogue:
    """Every product, with the shared vocabulary of descriptions and seasons."""

    products: tuple[Product, ...]
    grades: Mapping[str, tuple[str, ...]]
    packing: Mapping[str, tuple[str, ...]]
    origin_seasons: Mapping[str, tuple[float, ...]]
    _by_key: Mapping[str, int] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Product:
        return self.products[self._by_key[key]]

    def index(self, key: str) -> int:
        """The position of a product in ``products``."""
        return self._by_key[key]

    def where(self, **flags: bool) -> tuple[Product, ...]:
        """Products whose boolean attributes (``controlled``, ``designer``...) match."""
        return tuple(p for p in self.products
                     if all(getattr(p, k) == v for k, v in flags.items()))

    def descriptions(self, product: Product, r: random.Random,
                     count: int) -> tuple[Description, ...]:
        """``count`` descriptions of a product as exporters write them: a name, a grade and
        a packing, in the forms its customers see again and again."""
        grades = self.grades["pharma" if product.sector == "pharma" else "chemical"]
        unit = product.unit
        if unit == "kg" and product.quantity[1] <= 200 and "kg_small" in self.packing:
            unit = "kg_small"
        packs = self.packing.get(unit, ("",))
        found: list[Description] = []
        for _ in range(count * 3):
            if len(found) >= count:
                break
            name = r.choice(product.names)
            if product.kind == "dosage":
                text = name.text
            else:
                grade = r.choice(grades) if name.text[-1] != "%" else ""
                text = " ".join(x for x in (name.text, grade, r.choice(packs)) if x)
            description = Description(text, name.cas)
            if description not in found:
                found.append(description)
        return tuple(found)


def _product(raw: Mapping[str, Any], seasons: Mapping[str, tuple[float, ...]],
             registry: Registry) -> Product:
    substance_name = str(raw.get("substance") or "")
    substance = registry.by_name(substance_name) if substance_name else None
    if substance_name and substance is None:
        raise ValueError(f"products.yaml: {raw['key']}: no registry substance {substance_name!r}")
    hs = str(raw.get("hs") or (substance.hs_code if substance else "") or "")
    concentration = raw.get("concentration")
    return Product(
        key=str(raw["key"]),
        substance=substance.name if substance else "",
        kind=str(raw["kind"]),
        sector=str(raw["sector"]),
        names=tuple(ProductName(str(n["text"]), str(n.get("cas") or "")) for n in raw["names"]),
        hs=hs,
        unit=str(raw["unit"]),
        quantity=(float(raw["quantity"][0]), float(raw["quantity"][1])),
        pack=float(raw["pack"]),
        price=float(raw["price"]),
        season=seasons[str(raw.get("season", "flat"))],
        lanes={str(k): float(v) for k, v in (raw.get("lanes") or {}).items()},
        markets=tuple(str(m) for m in raw.get("markets") or ()),
        end_uses=tuple(str(e) for e in raw.get("end_uses") or ()),
        weight=float(raw.get("weight", 0)),
        bulk_unit=str(raw.get("bulk_unit") or ""),
        concentration=(float(concentration[0]), float(concentration[1]))
        if concentration else None,
        lookalike=bool(raw.get("lookalike", False)),
        cover=bool(raw.get("cover", False)),
        designer=bool(raw.get("designer", False)),
        pen=bool(substance.pen) if substance else False,
        threshold=substance.us_threshold if substance else None,
    )


def build_catalogue(data: Mapping[str, Any], registry: Registry) -> Catalogue:
    """A catalogue from the parsed YAML and the registry it refers to."""
    seasons = {str(k): tuple(float(x) for x in v) for k, v in data["seasons"].items()}
    products = tuple(_product(raw, seasons, registry) for raw in data["products"])
    return Catalogue(
        products=products,
        grades={str(k): tuple(str(x) for x in v) for k, v in data["grades"].items()},
        packing={str(k): tuple(str(x) for x in v) for k, v in data["packing"].items()},
        origin_seasons={str(k): tuple(float(x) for x in v)
                        for k, v in data["origin_seasons"].items()},
        _by_key={p.key: i for i, p in enumerate(products)},
    )


@cache
def load_catalogue() -> Catalogue:
    """The shipped catalogue over the shipped registry (read once)."""
    text = resources.files("precursorwatch.simulate").joinpath("data/products.yaml").read_text(
        encoding="utf-8")
    return build_catalogue(yaml.load(text, Loader=_LOADER), load_registry())
