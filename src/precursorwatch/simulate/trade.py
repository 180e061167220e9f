"""A year of legitimate trade: repeat-customer trade lines, then their consignments.

Real trade repeats itself: one exporter ships the same goods to the same customer every few
weeks, in similar quantities, at similar prices, by the same route and the same payment terms,
more in its season than out of it. So trade is made in two steps:

1. *lines* (a few thousand to tens of thousands): who ships what to whom, on which lane, in
   what usual quantity and at what price, how often (a heavy-tailed weight: a few customers
   order every week, most a few times a year), from which day (some customers are new);
2. *rows*: each consignment draws its line, then its date from the goods' and the exporting
   country's seasons, and varies quantity and price around the line's usual values.

Step 2 is vectorised with numpy and Arrow (``take`` from pools of names, addresses and
descriptions), which is what makes a million rows take seconds.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.simulate import documents
from precursorwatch.simulate.firms import Firm
from precursorwatch.simulate.population import Population
from precursorwatch.simulate.products import Catalogue, Description, Product

__all__ = [
    "CURRENCIES",
    "LANE_SHARES",
    "PAYMENTS",
    "TRANSPORTS",
    "FirmPools",
    "Lines",
    "build_lines",
    "lane_of",
    "trade_rows",
    "transport_for",
]

TRANSPORTS: tuple[str, ...] = ("sea", "air", "road", "rail", "post", "courier")
PAYMENTS: tuple[str, ...] = ("wire", "letter_of_credit", "cash", "third_party", "crypto",
                             "other")
CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP", "INR")
_NEIGHBOURS = {("US", "MX"), ("US", "CA")}
# Transshipment hubs that ordinary sea freight declares, by exporting country: Colombo,
# Singapore, Jebel Ali, Algeciras and Tanger Med for India; Algeciras, Rotterdam, Antwerp
# and the Panama Canal for the US.
_SEA_HUBS = {"IN": ("LK", "SG", "AE", "ES", "MA", "LK;SG"), "US": ("ES", "NL", "BE", "PA")}
_AIR_HUBS = ("AE", "DE", "NL", "QA")
_FALLBACK_MARKETS = ("GB", "DE", "ZA", "BR")
#: Share of trade lines on each lane, after the pharmaceutical and chemical trade of the two
#: countries: India ships more to the US and to the world than the US ships to India.
LANE_SHARES: dict[str, float] = {"IN>US": 0.35, "IN>XX": 0.33, "US>IN": 0.12, "US>XX": 0.20}
_Z = npt.NDArray[np.int64]
_F = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Lines:
    """Repeat-customer trade lines as parallel arrays, one entry per line.

    Strings are stored once in the ``*_pool`` tuples; the arrays hold indices into them (or
    into the population's firms, the catalogue's products, :data:`TRANSPORTS`...).
    """

    product: _Z
    exporter: _Z
    importer: _Z
    consignee: _Z  # -1: the importer receives the goods itself
    export_country: _Z  # index into country_pool
    import_country: _Z
    transit: _Z  # index into transit_pool; 0 is ""
    transport: _Z
    payment: _Z
    currency: _Z
    unit: _Z  # index into documents of UNITS (see _UNITS)
    quantity: _F
    pack: _F
    price: _F  # US dollars per unit
    concentration: _F  # NaN: not a mixture
    weight: _F
    start: _Z
    profile: _Z  # index into profiles
    descriptions: _Z  # (lines, 3) indices into description_pool
    declares_cas: npt.NDArray[np.bool_]
    end_use: _Z  # index into end_use_pool; 0 is ""
    pen: npt.NDArray[np.bool_]
    country_pool: tuple[str, ...]
    transit_pool: tuple[str, ...]
    description_pool: tuple[Description, ...]
    end_use_pool: tuple[str, ...]
    profiles: _F  # (profiles, 12) month weights

    def __len__(self) -> int:
        return len(self.product)


_UNITS: tuple[str, ...] = ("kg", "g", "t", "L", "mL", "units")


class _Interner:
    """Indices of strings in a growing pool, the first entry fixed."""

    def __init__(self, first: str = "") -> None:
        self.items: list[str] = [first]
        self.index: dict[str, int] = {first: 0}

    def __call__(self, value: str) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.items)
            self.items.append(value)
        return found


def transport_for(product: Product, lane: tuple[str, str], value: float,
                  r: random.Random) -> str:
    """How goods of a value travel on a lane: bulk by sea (by road or rail to the US's
    neighbours), medicines and pharmaceutical ingredients often by air, small parcels by
    courier."""
    u = r.random()
    if lane in _NEIGHBOURS and product.kind not in ("dosage",):
        return "road" if u < 0.55 else "rail" if u < 0.8 else "sea" if u < 0.9 else "air"
    if product.unit == "g" or value < 4000:
        return "courier" if u < 0.4 else "air"
    if product.kind == "dosage":
        return "air" if u < 0.5 else "sea"
    if product.kind in ("api", "precursor") and product.sector == "pharma":
        return "air" if u < 0.45 else "sea"
    return "sea" if u < 0.93 else "air"


def build_lines(population: Population, catalogue: Catalogue, count: int,
                r: random.Random) -> Lines:
    """``count`` legitimate trade lines over the population's firms."""
    traded = [p for p in catalogue.products if p.lanes and p.weight > 0]
    # Per lane, the products that travel it, weighted by popularity and by how much of the
    # product's trade goes that way.
    by_lane: dict[str, tuple[list[Product], list[float]]] = {}
    for lane in LANE_SHARES:
        goods = [p for p in traded if lane in p.lanes]
        weights = [p.weight * p.lanes[lane] / sum(p.lanes.values()) for p in goods]
        by_lane[lane] = (goods, list(itertools.accumulate(weights)))
    lanes_, shares = list(LANE_SHARES), list(LANE_SHARES.values())
    countries, transits, end_uses = _Interner("IN"), _Interner(""), _Interner("")
    countries("US")
    pool: list[Description] = []
    described: dict[str, tuple[int, ...]] = {}
    for p in traded:
        found = catalogue.descriptions(p, r, 12)
        described[p.key] = tuple(range(len(pool), len(pool) + len(found)))
        pool.extend(found)
    profile_index: dict[tuple[tuple[float, ...], str], int] = {}
    profiles: list[list[float]] = []
    columns: dict[str, list[float]] = {name: [] for name in (
        "product", "exporter", "importer", "consignee", "export_country", "import_country",
        "transit", "transport", "payment", "currency", "unit", "quantity", "pack", "price",
        "concentration", "weight", "start", "profile", "declares_cas", "end_use", "pen")}
    slots: list[tuple[int, int, int]] = []
    seen: set[tuple[int, int, str]] = set()
    for _ in range(count):
        lane = r.choices(lanes_, weights=shares)[0]
        goods, cumulative = by_lane[lane]
        product = r.choices(goods, cum_weights=cumulative)[0]
        origin, destination = lane.split(">")
        if destination == "XX":
            destination = r.choice(product.markets or _FALLBACK_MARKETS)
        exporter = population.exporter(origin, product.sector, r)
        importer = population.importer(destination, product.sector, r)
        # One line per exporter, importer and product: a second draw of the same trio would
        # be the same customer relationship, so look for another customer (a few tries).
        for _ in range(5):
            if (exporter, importer, product.key) not in seen:
                break
            importer = population.importer(destination, product.sector, r)
        seen.add((exporter, importer, product.key))
        consignee = -1
        hub = destination if destination in population.forwarders else None
        if hub and r.random() < (0.08 if destination not in ("IN", "US") else 0.03):
            consignee = population.forwarder(hub, r)
        low, high = product.quantity
        quantity = math.exp(r.uniform(math.log(low), math.log(high)))
        unit, pack = product.unit, product.pack
        if product.bulk_unit == "t" and quantity >= 20000 and r.random() < 0.5:
            unit, quantity, pack = "t", quantity / 1000, 0.5
        price = product.price * r.lognormvariate(0, 0.15) * (quantity / high) ** -0.05
        if unit == "t":
            price *= 1000
        value = quantity * price
        transport = transport_for(product, (origin, destination), value, r)
        transit = ""
        if transport == "sea" and r.random() < 0.25:
            transit = r.choice(_SEA_HUBS[origin])
        elif transport == "air" and r.random() < 0.12:
            transit = r.choice(_AIR_HUBS)
        u = r.random()
        payment = "letter_of_credit" if u < (0.4 if origin == "IN" else 0.25) else (
            "other" if u > 0.97 else "wire")
        currency = "USD"
        if destination in documents.EUROZONE and r.random() < 0.75:
            currency = "EUR"
        elif destination == "GB" and r.random() < 0.6:
            currency = "GBP"
        elif (origin, destination) == ("US", "IN") and r.random() < 0.15:
            currency = "INR"
        concentration = math.nan
        if product.concentration:
            concentration = round(r.uniform(*product.concentration), 1)
        key = (product.season, origin)
        if key not in profile_index:
            profile_index[key] = len(profiles)
            months = [a * b for a, b in zip(product.season, catalogue.origin_seasons[origin],
                                            strict=True)]
            profiles.append(months)
        options = described[product.key]
        habit = r.sample(options, k=min(len(options), r.choice((1, 2, 2, 3))))
        slots.append((habit[0], habit[1 % len(habit)], habit[2 % len(habit)]))
        append = columns
        append["product"].append(catalogue.index(product.key))
        append["exporter"].append(exporter)
        append["importer"].append(importer)
        append["consignee"].append(consignee)
        append["export_country"].append(countries(origin))
        append["import_country"].append(countries(destination))
        append["transit"].append(transits(transit))
        append["transport"].append(TRANSPORTS.index(transport))
        append["payment"].append(PAYMENTS.index(payment))
        append["currency"].append(CURRENCIES.index(currency))
        append["unit"].append(_UNITS.index(unit))
        append["quantity"].append(quantity)
        append["pack"].append(pack)
        append["price"].append(price)
        append["concentration"].append(concentration)
        append["weight"].append(r.paretovariate(1.1))
        append["start"].append(0 if r.random() < 0.85 else r.randrange(20, 330))
        append["profile"].append(profile_index[key])
        append["declares_cas"].append(r.random() < (0.65 if product.controlled else 0.35))
        append["end_use"].append(end_uses(r.choice(product.end_uses))
                                 if product.end_uses else 0)
        append["pen"].append(product.pen and product.controlled)

    def ints(name: str) -> _Z:
        return np.asarray(columns[name], dtype=np.int64)

    def floats(name: str) -> _F:
        return np.asarray(columns[name], dtype=np.float64)

    return Lines(
        product=ints("product"), exporter=ints("exporter"), importer=ints("importer"),
        consignee=ints("consignee"), export_country=ints("export_country"),
        import_country=ints("import_country"), transit=ints("transit"),
        transport=ints("transport"), payment=ints("payment"), currency=ints("currency"),
        unit=ints("unit"), quantity=floats("quantity"), pack=floats("pack"),
        price=floats("price"), concentration=floats("concentration"),
        weight=floats("weight"), start=ints("start"), profile=ints("profile"),
        descriptions=np.asarray(slots, dtype=np.int64).reshape(-1, 3),
        declares_cas=np.asarray(columns["declares_cas"], dtype=bool),
        end_use=ints("end_use"), pen=np.asarray(columns["pen"], dtype=bool),
        country_pool=tuple(countries.items), transit_pool=tuple(transits.items),
        description_pool=tuple(pool), end_use_pool=tuple(end_uses.items),
        profiles=np.asarray(profiles, dtype=np.float64).reshape(-1, 12),
    )


@dataclass(frozen=True)
class FirmPools:
    """Every firm's ways of writing its name, address and identifiers, flattened for
    vectorised picks: variant ``k`` of firm ``f`` is at ``offsets[f] + k``."""

    ids: pa.Array  # firm id (F000001) by firm index
    names: pa.Array
    name_offsets: _Z
    name_counts: _Z
    addresses: pa.Array
    address_offsets: _Z
    address_counts: _Z
    identifiers: pa.Array  # three slots per firm: first id, second id, ""

    @classmethod
    def of(cls, firms: Sequence[Firm]) -> FirmPools:
        """Pools over firms, in their order."""
        def flat(parts: list[tuple[str, ...]]) -> tuple[pa.Array, _Z, _Z]:
            counts = np.asarray([len(p) for p in parts], dtype=np.int64)
            offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
            return pa.array([x for p in parts for x in p], pa.string()), offsets, counts

        names, name_offsets, name_counts = flat([f.names for f in firms])
        addresses, address_offsets, address_counts = flat([f.addresses for f in firms])
        # Three slots per firm, the third always empty, so "no identifier" is a slot too.
        identifiers = pa.array([x for f in firms for x in (*(*f.ids, "", "")[:2], "")],
                               pa.string())
        return cls(pa.array([f.id for f in firms], pa.string()), names, name_offsets,
                   name_counts, addresses, address_offsets, address_counts, identifiers)

    def pick(self, which: str, firm: _Z, u: _F) -> _Z:
        """Indices of one variant per row (``which`` is names or addresses), the registered
        form most often: variant ``floor(count * u**2)``."""
        offsets = self.name_offsets if which == "names" else self.address_offsets
        counts = self.name_counts if which == "names" else self.address_counts
        k = np.minimum((counts[firm] * u * u).astype(np.int64), counts[firm] - 1)
        return offsets[firm] + k


def _take(pool: pa.Array, index: _Z) -> pa.Array:
    return pool.take(pa.array(index, pa.int64()))


def _sample_days(lines: Lines, line: _Z, rng: np.random.Generator) -> _Z:
    """A working day for each row: month from its line's season profile, day within it."""
    starts = documents.month_starts()
    lengths = np.diff(starts)
    month = np.empty(len(line), dtype=np.int64)
    profile = lines.profile[line]
    for p in range(len(lines.profiles)):
        mask = profile == p
        k = int(mask.sum())
        if k:
            weights = lines.profiles[p] * lengths
            month[mask] = rng.choice(12, size=k, p=weights / weights.sum())
    day = starts[month] + (rng.random(len(line)) * lengths[month]).astype(np.int64)
    start = lines.start[line]
    day = start + (day * (documents.DAYS - start) // documents.DAYS)
    return documents.working_day(day.astype(np.int64))


def trade_rows(lines: Lines, firms: FirmPools, catalogue: Catalogue, n: int,
               rng: np.random.Generator) -> pa.Table:
    """``n`` legitimate consignments drawn from the trade lines.

    Returns the contract columns (no ``shipment_id`` or ``outcome`` yet) and the working
    columns the assembly needs: ``_day``, ``_review`` (the analyst's decision should the row
    fall in history), ``_event`` (-1) and the label columns.
    """
    weights = lines.weight / lines.weight.sum()
    line = rng.choice(len(lines), size=n, p=weights)
    day = _sample_days(lines, line, rng)
    product = lines.product[line]
    products = catalogue.products
    controlled = np.asarray([p.controlled for p in products], dtype=bool)[product]
    export_c = lines.export_country[line]
    import_c = lines.import_country[line]
    # Country pool starts IN, US: index 0 is India and 1 the US.
    u = rng.random(n)
    source = np.where(
        export_c == 0,
        np.where(controlled & (u < 0.2), 1, np.where((import_c == 1) & (u > 0.6), 2, 0)),
        np.where(controlled & (u < 0.2), 3, np.where((import_c == 0) & (u > 0.6), 0, 2)),
    )
    u = rng.random(n)
    indian = (source == 0) | (source == 1)
    style = np.where(indian, np.where(u < 0.6, 0, np.where(u < 0.85, 1, 4)),
                     np.where(u < 0.5, 2, np.where(u < 0.7, 3, np.where(u < 0.85, 4, 5))))
    hs_pool = pa.array([f for p in products for f in documents.hs_formats(p.hs)], pa.string())

    quantity = lines.quantity[line] * np.exp(rng.normal(0.0, 0.3, n))
    pack = lines.pack[line]
    quantity = np.maximum(pack, np.round(quantity / pack) * pack)
    unit = lines.unit[line]
    rates = np.asarray([documents.RATES[c] for c in CURRENCIES])
    currency = lines.currency[line]
    value = quantity * lines.price[line] * np.exp(rng.normal(0.0, 0.05, n)) * rates[currency]

    exporter, importer, consignee = lines.exporter[line], lines.importer[line], \
        lines.consignee[line]
    has_consignee = consignee >= 0
    consignee_firm = np.where(has_consignee, consignee, 0)
    slot = rng.integers(0, 3, n)
    description = lines.descriptions[line, slot]
    description_pool = pa.array([d.text for d in lines.description_pool], pa.string())
    cas_pool = pa.array([d.cas for d in lines.description_pool], pa.string())
    declares_cas = lines.declares_cas[line]
    use_transit = (lines.transit[line] > 0) & (rng.random(n) < 0.8)
    end_use_kept = rng.random(n) < 0.85
    pen_needed = lines.pen[line] & (rng.random(n) < 0.95)
    pen_numbers = rng.integers(100000, 999999, n)
    address_kept = rng.random(n) < 0.9

    def ids_of(firm: _Z, kept: npt.NDArray[np.bool_]) -> pa.Array:
        v = rng.random(len(firm))
        slot = np.where(v < 0.55, 0, np.where(v < 0.85, 1, 2))
        return _take(firms.identifiers, firm * 3 + np.where(kept, slot, 2))

    def names_of(firm: _Z) -> pa.Array:
        return _take(firms.names, firms.pick("names", firm, rng.random(len(firm))))

    def addresses_of(firm: _Z) -> pa.Array:
        chosen = _take(firms.addresses, firms.pick("addresses", firm, rng.random(len(firm))))
        return pc.if_else(pa.array(address_kept), chosen, "")

    country_pool = pa.array(lines.country_pool, pa.string())
    empty = pa.array([""], pa.string())
    export_countries = _take(country_pool, export_c)
    pen = pc.if_else(
        pa.array(pen_needed),
        pc.binary_join_element_wise(export_countries, pa.scalar(f"-PEN-{documents.YEAR}-"),
                                    pc.cast(pa.array(pen_numbers), pa.string()), ""),
        "",
    )
    concentration = lines.concentration[line]
    review = np.where(rng.random(n) < np.where(controlled, 0.08, 0.005), "legitimate", "")
    substance = pa.array([p.substance for p in products], pa.string())
    return pa.table({
        "source": _take(pa.array(documents.SOURCES, pa.string()), source),
        "export_country": export_countries,
        "import_country": _take(country_pool, import_c),
        "transit_countries": pc.if_else(
            pa.array(use_transit), _take(pa.array(lines.transit_pool, pa.string()),
                                         lines.transit[line]), ""),
        "exporter_name": names_of(exporter),
        "exporter_address": addresses_of(exporter),
        "exporter_id": ids_of(exporter, np.ones(n, dtype=bool)),
        "importer_name": names_of(importer),
        "importer_address": addresses_of(importer),
        "importer_id": ids_of(importer, rng.random(n) < 0.6),
        "consignee_name": pc.if_else(pa.array(has_consignee), names_of(consignee_firm),
                                     empty[0]),
        "hs_code": _take(hs_pool, product * 6 + style),
        "product_description": _take(description_pool, description),
        "cas_number": pc.if_else(pa.array(declares_cas), _take(cas_pool, description), ""),
        "quantity": pa.array(np.round(quantity, 3)),
        "unit": _take(pa.array(_UNITS, pa.string()), unit),
        "concentration_pct": pa.array(concentration, pa.float64(),
                                      mask=np.isnan(concentration)),
        "declared_value": pa.array(np.round(value, 2)),
        "currency": _take(pa.array(CURRENCIES, pa.string()), currency),
        "transport_mode": _take(pa.array(TRANSPORTS, pa.string()), lines.transport[line]),
        "payment_method": _take(pa.array(PAYMENTS, pa.string()), lines.payment[line]),
        "end_use": pc.if_else(pa.array(end_use_kept),
                              _take(pa.array(lines.end_use_pool, pa.string()),
                                    lines.end_use[line]), ""),
        "pen_reference": pen,
        "_day": pa.array(day.astype(np.int32)),
        "_review": pa.array(review, pa.string()),
        "_event": pa.array(np.full(n, -1, dtype=np.int32)),
        "label": pa.repeat(pa.scalar("legitimate"), n),
        "typology": pa.repeat(pa.scalar(""), n),
        "ring_id": pa.repeat(pa.scalar(""), n),
        "substance": _take(substance, product),
        "exporter_party": _take(firms.ids, exporter),
        "importer_party": _take(firms.ids, importer),
        "consignee_party": pc.if_else(pa.array(has_consignee),
                                      _take(firms.ids, consignee_firm), ""),
    })


def lane_of(lines: Lines, index: int) -> tuple[str, str]:
    """The export and import country of a line."""
    return (lines.country_pool[int(lines.export_country[index])],
            lines.country_pool[int(lines.import_country[index])])

