"""Countries, places, phone numbering and banks of the simulated world, from ``places.yaml``,
and the many ways one address is written.

Addresses and phone numbers are what investigators link parties by, so they are realistic in
the ways that matter: real postal codes of real industrial areas, numbers that pass
libphonenumber's validation, and one address written several ways (abbreviated, upper-cased,
with or without its district or country), as different clerks write it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

# libyaml's loader when installed: the data files load ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "Bank",
    "Country",
    "Place",
    "World",
    "address_variants",
    "fill",
    "load_world",
    "phone_number",
]


@dataclass(frozen=True)
class Place:
    """A city or industrial area where firms are registered."""

    country: str
    city: str
    region: str
    region_code: str
    postal: str
    phone: str
    kind: str
    area: str = ""
    district: str = ""
    gst_state: str = ""


@dataclass(frozen=True)
class Bank:
    """A bank, and how its account numbers are written (``scheme``, see places.yaml)."""

    country: str
    name: str
    bic: str
    scheme: str
    code: str
    digits: int


@dataclass(frozen=True)
class Country:
    """One country: its naming style, address templates, phone numbering and banks."""

    code: str
    name: str
    style: str
    mobile: tuple[str, ...]
    premises: Mapping[str, tuple[str, ...]]
    streets: tuple[str, ...]
    buildings: tuple[str, ...]
    places: tuple[Place, ...]
    banks: tuple[Bank, ...]

    def places_of(self, kind: str) -> tuple[Place, ...]:
        """Places of one kind (``manufacturer`` or ``office``), or all when there are none."""
        return tuple(p for p in self.places if p.kind == kind) or self.places


@dataclass(frozen=True)
class World:
    """Every country the simulation knows, by ISO alpha-2 code."""

    countries: Mapping[str, Country]

    def __getitem__(self, code: str) -> Country:
        return self.countries[code]


def _country(code: str, raw: Mapping[str, Any], banks: list[Mapping[str, Any]]) -> Country:
    places = tuple(
        Place(country=code, city=str(p["city"]), region=str(p["region"]),
              region_code=str(p["region_code"]), postal=str(p.get("postal") or ""),
              phone=str(p["phone"]), kind=str(p["kind"]), area=str(p.get("area") or ""),
              district=str(p.get("district") or ""), gst_state=str(p.get("gst_state") or ""))
        for p in raw["places"]
    )
    return Country(
        code=code,
        name=str(raw["name"]),
        style=str(raw["style"]),
        mobile=tuple(raw.get("mobile") or ()),
        premises={k: tuple(v) for k, v in raw["premises"].items()},
        streets=tuple(raw.get("streets") or ()),
        buildings=tuple(raw.get("buildings") or ()),
        places=places,
        banks=tuple(Bank(country=code, name=str(b["name"]), bic=str(b["bic"]),
                         scheme=str(b["scheme"]), code=str(b["code"]), digits=int(b["digits"]))
                    for b in banks),
    )


@cache
def load_world() -> World:
    """The countries of ``data/places.yaml`` (read once)."""
    text = resources.files("precursorwatch.simulate").joinpath("data/places.yaml").read_text(
        encoding="utf-8")
    data = yaml.load(text, Loader=_LOADER)
    banks = data.get("banks") or {}
    return World({code: _country(code, raw, list(banks.get(code, [])))
                  for code, raw in data["countries"].items()})


def phone_number(pattern: str, r: random.Random) -> str:
    """A number from a pattern: ``#`` any digit, ``N`` a digit from 2 to 9."""
    return "".join(
        str(r.randrange(10)) if c == "#" else str(r.randrange(2, 10)) if c == "N" else c
        for c in pattern
    )


def fill(template: str, r: random.Random, country: Country) -> str:
    """Fill an address template's ``{n}``, ``{m}``, ``{street}`` and ``{building}``."""
    return template.format(
        n=r.randrange(1, 400),
        m=r.randrange(2, 30),
        street=r.choice(country.streets) if country.streets else "",
        building=r.choice(country.buildings) if country.buildings else "",
    )


# How clerks shorten address words; applied whole-word, case-sensitively.
_SHORT = {
    "Street": "St", "Road": "Rd", "Avenue": "Ave", "Drive": "Dr", "Boulevard": "Blvd",
    "Parkway": "Pkwy", "Suite": "Ste", "Building": "Bldg", "Industrial": "Indl.",
    "Estate": "Est.", "Plot No.": "Plot", "Survey No.": "S. No.", "Office No.": "Off. No.",
    "Shop No.": "Shop", "Shed No.": "Shed", "Phase": "Ph.", "Sector": "Sec.",
    "Avenida": "Av.", "Calle": "C.", "Boulevard du": "Bd du", "Zona Libre de Colón": "ZLC",
    "Jebel Ali Free Zone": "JAFZA", "Dubai Airport Freezone": "DAFZA",
}
_SHORT_RE = re.compile("|".join(re.escape(k) for k in sorted(_SHORT, key=len, reverse=True)))


def _shorten(text: str) -> str:
    return _SHORT_RE.sub(lambda m: _SHORT[m.group(0)], text)


def _plain(text: str) -> str:
    """Upper case without punctuation, as old customs systems print it."""
    return re.sub(r"\s+", " ", re.sub(r"[.,]", " ", text)).strip().upper()


def address_variants(country: Country, place: Place, line: str,
                     r: random.Random) -> tuple[str, ...]:
    """One address written two to four ways; the first is the registered form.

    ``line`` is the premises (plot, street and number, office) within ``place``.
    """
    if country.code == "IN":
        pin = place.postal
        canonical = f"{line}, {place.area}, {place.city}, {place.region} {pin}"
        others = [
            f"{_shorten(line)}, {place.area}, {place.city} - {pin}",
            _plain(canonical),
            f"{line}, {place.area}, {place.city}, Dist. {place.district}, "
            f"{place.region_code} {pin[:3]} {pin[3:]}",
            f"{_shorten(line)}, {_shorten(place.area)}, {place.city}, {place.region}, India {pin}",
        ]
    elif country.code == "US":
        canonical = f"{line}, {place.city}, {place.region_code} {place.postal}"
        others = [
            f"{_shorten(line)}, {place.city}, {place.region_code} {place.postal}",
            _plain(f"{_shorten(line)}, {place.city}, {place.region_code} {place.postal}"),
            f"{_shorten(line)}, {place.city}, {place.region_code} "
            f"{place.postal}-{r.randrange(1000, 9999)}",
            f"{line}, {place.city}, {place.region} {place.postal}, USA",
        ]
    else:
        postal = f" {place.postal}" if place.postal else ""
        canonical = f"{line}, {place.city}{postal}, {country.name}"
        others = [
            f"{_shorten(line)}, {place.city}{postal}",
            _plain(canonical),
            f"{line}, {place.city}, {place.region}{postal}",
        ]
    r.shuffle(others)
    variants = [canonical]
    for text in others[: r.randint(1, 3)]:
        if text not in variants:
            variants.append(text)
    return tuple(variants)
