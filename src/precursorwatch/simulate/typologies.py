"""Diversion typologies: each a small function that plants one labelled event.

The typologies are the ones precursor control authorities report (INCB precursors reports,
DEA and NCB alerts): front companies, orders far beyond a buyer's history or a country's
legitimate need, orders split under thresholds, transshipment detours, misdeclared goods,
designer precursors, irregular payment, forwarders as consignees, and repeat offenders under
new names. Each function's docstring is the sentence that describes what it plants.

:func:`plant_diversion` runs them until each has planted its share of the diverted rows,
putting every typology in both history and new.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from precursorwatch.simulate import documents
from precursorwatch.simulate.planted import VAGUE_END_USES, Event, Planted, Scene
from precursorwatch.simulate.products import Description, Product
from precursorwatch.simulate.rings import Ring

__all__ = ["RING_SHARE", "SHARES", "TYPOLOGIES", "Typology", "plant_diversion"]

Typology = Callable[[Scene, Event], list[Planted]]

# Countries where the legitimate need for a precursor is small (INCB estimates), so tonnes of
# it cannot be for local medicine.
_SMALL_NEED = ("GT", "HN", "TG", "GH", "NP", "PA")
_NEEDED_ELSEWHERE = ("pseudoephedrine", "ephedrine", "norephedrine", "ergometrine",
                     "acetic_anhydride", "tramadol", "codeine")
# Hubs whose presence on a route makes no geographic sense for the declared lane.
_DETOUR_HUBS = ("AE", "HK", "PA", "MX", "GT", "SG", "TG", "BJ", "MY", "TR", "CY", "SV")
# What misdeclared precursors pretend to be, and the HS codes that go with vague words.
_VAGUE_DESCRIPTIONS = (
    ("Organic chemical intermediate", "294200"), ("Pharmaceutical intermediate", "294200"),
    ("Industrial solvent blend", "381400"), ("Aroma chemical", "330290"),
    ("Laboratory reagent", "382200"), ("Chemical products n.e.s.", "382499"),
    ("Dye intermediate", "320417"),
)
_PAYMENTS = ("cash", "third_party", "crypto")
_CONTROLLED_DEFAULT = ("pseudoephedrine", "ephedrine", "acetic_anhydride",
                       "potassium_permanganate", "phenylacetic_acid", "piperonal", "npp",
                       "tramadol_tablets", "methylamine")


def _ring_products(event: Event, fallback: tuple[str, ...]) -> tuple[str, ...]:
    return event.ring.scheme.products if event.ring else fallback


def _destination(event: Event, r: random.Random, fallback: tuple[str, ...]) -> str:
    return r.choice(event.ring.scheme.destinations if event.ring else fallback)


def _origin(event: Event) -> str:
    return event.ring.scheme.origin if event.ring else "IN"


def front_company(scene: Scene, event: Event) -> list[Planted]:
    """A newly registered importer with no trade history, a virtual office and a free e-mail
    address orders controlled goods, several times within weeks."""
    r = scene.r
    product = scene.product(_ring_products(event, _CONTROLLED_DEFAULT))
    origin = _origin(event)
    importer = scene.front(event, _destination(event, r, ("US", "MX", "CA", "NG", "GT")),
                           product.sector)
    exporter = scene.exporter(event, product, origin)
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=scene.usual_quantity(product), pen=0.5, importer_id=0.3,
                  payment=r.choice(("wire", "wire", "third_party", "cash")),
                  end_use=r.choice(VAGUE_END_USES) if r.random() < 0.6 else "")
        for day in scene.days(event.day, r.randint(2, 5), r.randrange(20, 90))
    ]


def above_history(scene: Scene, event: Event) -> list[Planted]:
    """An established customer suddenly orders ten to forty times its usual quantity of a
    controlled substance."""
    r = scene.r
    busy = scene.busy_lines()
    if not busy:
        return front_company(scene, event)
    line = r.choice(busy)
    product, exporter, importer, origin, destination = scene.line_parties(line)
    usual = float(scene.lines.quantity[line])
    unit = ("kg", "g", "t", "L", "mL", "units")[int(scene.lines.unit[line])]
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=round(usual * r.uniform(10, 40), 1), unit=unit, pen=0.8,
                  export_country=origin, import_country=destination)
        for day in scene.days(event.day, r.randint(1, 2), 20)
    ]


def above_need(scene: Scene, event: Event) -> list[Planted]:
    """Tonnes of a medicine precursor go to a country whose whole legitimate annual need is a
    fraction of one consignment."""
    r = scene.r
    product = scene.catalogue[r.choice(_NEEDED_ELSEWHERE)]
    ring = event.ring
    small = [c for c in ring.scheme.destinations if c in _SMALL_NEED] if ring else []
    destination = r.choice(small or list(_SMALL_NEED))
    if ring is not None and not any(f.country == destination for f in ring.fronts):
        event = scene.detach(event)
    importer = scene.front(event, destination, product.sector)
    exporter = scene.exporter(event, product, "IN")
    high = product.quantity[1]
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=round(high * r.uniform(3, 10) / product.pack) * product.pack,
                  export_country="IN", pen=0.9, importer_id=0.5)
        for day in scene.days(event.day, r.randint(1, 2), 45)
    ]


def _limit(product: Product) -> float:
    """The US threshold of a product in the product's own unit (0: none)."""
    threshold = product.threshold
    if threshold is None or "import" not in (threshold.scope or ""):
        return 0.0
    factor = {("kg", "g"): 0.001, ("g", "kg"): 1000.0}.get((product.unit, threshold.unit), 1.0)
    return threshold.amount * factor


def _threshold_products(scene: Scene) -> list[Product]:
    """Goods with a US threshold big enough to be worth ordering just under (2 kg or litres,
    5 grams of ergot alkaloids)."""
    return [p for p in scene.catalogue.products
            if (p.unit in ("kg", "L") and _limit(p) >= 2) or (p.unit == "g" and _limit(p) >= 5)]


def split_orders(scene: Scene, event: Event) -> list[Planted]:
    """Several orders of a US List I chemical within one month, each just under the US
    regulated-transaction threshold, together far above it."""
    r = scene.r
    candidates = _threshold_products(scene)
    ring_keys = set(event.ring.scheme.products) if event.ring else set()
    preferred = [p for p in candidates if p.key in ring_keys] or candidates
    product = r.choice(preferred)
    threshold = product.threshold
    assert threshold is not None
    limit = _limit(product)
    ring = event.ring
    if ring is not None and not any(f.country == "US" for f in ring.fronts):
        event = scene.detach(event)
    importer = scene.front(event, "US", product.sector)
    exporter = scene.exporter(event, product, "IN")
    month_start = int(documents.month_starts()[documents.month_of(event.day) - 1])
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=round(limit * r.uniform(0.7, 0.97), 3), export_country="IN",
                  import_country="US", pen=0.2, importer_id=0.4,
                  transport=r.choice(("courier", "air", "air")),
                  payment=r.choice(("wire", "wire", "cash", "third_party")))
        for day in scene.days(month_start + r.randrange(0, 5), r.randint(3, 7), 24)
    ]


def transshipment(scene: Scene, event: Event) -> list[Planted]:
    """Controlled goods declared for a plausible destination travel through two or three
    hubs that no ordinary route to it passes."""
    r = scene.r
    product = scene.product(_ring_products(event, _CONTROLLED_DEFAULT))
    origin = _origin(event)
    destination = _destination(event, r, ("US", "CA", "GB", "NL", "AU", "MX"))
    importer = scene.front(event, destination, product.sector)
    exporter = scene.exporter(event, product, origin)
    hubs = [h for h in _DETOUR_HUBS if h not in (origin, importer.country)]
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=scene.usual_quantity(product),
                  transit=";".join(r.sample(hubs, k=r.randint(2, 3))),
                  transport=r.choice(("sea", "sea", "air")), pen=0.4)
        for day in scene.days(event.day, r.randint(1, 3), 60)
    ]


def _misspelt(text: str, r: random.Random) -> str | None:
    words = text.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 8 or not word.isalpha():
        return None
    k = r.randrange(2, len(word) - 2)
    words[i] = word[:k] + word[k + 1:]
    return " ".join(words)


def misdeclared(scene: Scene, event: Event) -> list[Planted]:
    """A controlled substance declared under the HS code and description of harmless goods:
    a vague description with the true CAS number, a misspelt name, or (concealed) another
    product altogether."""
    r = scene.r
    product = scene.product(_ring_products(event, _CONTROLLED_DEFAULT))
    origin = _origin(event)
    importer = scene.front(event, _destination(event, r, ("MX", "US", "NG", "GT", "CA")),
                           product.sector)
    exporter = scene.exporter(event, product, origin)
    cover = r.choice(scene.catalogue.where(cover=True))
    rows: list[Planted] = []
    for day in scene.days(event.day, r.randint(1, 2), 40):
        mode = r.random()
        true_name = r.choice([n for n in product.names if n.cas] or list(product.names))
        misspelt = _misspelt(true_name.text, r)
        end_use = r.choice(VAGUE_END_USES)
        if mode < 0.45 or (mode < 0.8 and misspelt is None):
            text, hs = r.choice(_VAGUE_DESCRIPTIONS)
            description, declare = Description(text, true_name.cas), 1.0
        elif mode < 0.8:
            assert misspelt is not None
            description, hs, declare = Description(misspelt, ""), cover.hs, 0.0
        else:
            description, hs, declare = scene.description(cover), cover.hs, 0.0
            end_use = r.choice(cover.end_uses) if cover.end_uses else ""
        rows.append(scene.row(event, day=day, product=product, exporter=exporter,
                              importer=importer, quantity=scene.usual_quantity(product),
                              description=Description(description.text, description.cas),
                              declare_cas=declare, hs=hs, price=cover.price, pen=0.0,
                              end_use=end_use))
    return rows


def designer_precursor(scene: Scene, event: Event) -> list[Planted]:
    """A non-scheduled chemical one reaction from a controlled precursor or drug, declared
    honestly (it is legal to ship) to a buyer with no use for it."""
    r = scene.r
    ring = event.ring
    keys = ring.scheme.designer if ring and ring.scheme.designer else tuple(
        p.key for p in scene.catalogue.where(designer=True))
    product = scene.product(keys)
    origin = _origin(event) if ring and ring.scheme.designer else "IN"
    importer = scene.front(event, _destination(event, r, ("MX", "US", "CA", "NL", "GT")))
    exporter = scene.exporter(event, product, origin)
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=scene.usual_quantity(product), declare_cas=0.8,
                  end_use=r.choice(("pharmaceutical intermediate", "research and development",
                                    "trading", "")))
        for day in scene.days(event.day, r.randint(1, 3), 60)
    ]


def irregular_payment(scene: Scene, event: Event) -> list[Planted]:
    """Controlled goods paid for in cash, by a third party with no part in the trade, or in
    cryptocurrency."""
    r = scene.r
    product = scene.product(_ring_products(event, _CONTROLLED_DEFAULT))
    origin = _origin(event)
    importer = scene.front(event, _destination(event, r, ("US", "MX", "NG", "GH", "CA")),
                           product.sector)
    exporter = scene.exporter(event, product, origin)
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  quantity=scene.usual_quantity(product), pen=0.5,
                  payment=r.choices(_PAYMENTS, weights=(0.35, 0.45, 0.2))[0])
        for day in scene.days(event.day, r.randint(1, 3), 45)
    ]


def forwarder_consignee(scene: Scene, event: Event) -> list[Planted]:
    """Controlled goods consigned to a freight forwarder in a free zone rather than to the
    importer, so that they can be redirected on arrival."""
    r = scene.r
    ring = event.ring
    product = scene.product(_ring_products(event, _CONTROLLED_DEFAULT))
    origin = _origin(event)
    importer = scene.front(event, _destination(event, r, ("MX", "US", "NG", "GT", "CA")),
                           product.sector)
    exporter = scene.exporter(event, product, origin)
    if ring is not None and ring.forwarders:
        forwarder = r.choice(ring.forwarders)
    else:
        hub = r.choice(("AE", "HK", "PA"))
        forwarder = scene.population.firms[scene.population.forwarder(hub, r)]
    transit = forwarder.country if forwarder.country not in (origin, importer.country) else ""
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                  consignee=forwarder, quantity=scene.usual_quantity(product),
                  transit=transit, pen=0.5)
        for day in scene.days(event.day, r.randint(1, 3), 45)
    ]


def renamed_offender(scene: Scene, event: Event) -> list[Planted]:
    """A front company caught earlier trades again under a new name, from the same address,
    with the same directors and phone, and new registration numbers."""
    r = scene.r
    ring = event.ring
    if ring is None or ring.successor is None:
        return front_company(scene, event)
    successor = ring.successor
    product = scene.product(ring.scheme.products)
    exporter = scene.exporter(event, product, ring.scheme.origin)
    return [
        scene.row(event, day=day, product=product, exporter=exporter, importer=successor,
                  quantity=scene.usual_quantity(product), pen=0.4, importer_id=0.7,
                  payment=r.choice(("wire", "third_party", "cash")))
        for day in scene.days(event.day, r.randint(1, 4), 40)
    ]


TYPOLOGIES: dict[str, Typology] = {
    "front_company": front_company,
    "above_history": above_history,
    "above_need": above_need,
    "split_orders": split_orders,
    "transshipment": transshipment,
    "misdeclared": misdeclared,
    "designer_precursor": designer_precursor,
    "irregular_payment": irregular_payment,
    "forwarder_consignee": forwarder_consignee,
    "renamed_offender": renamed_offender,
}
#: Share of the diverted rows each typology plants.
SHARES: dict[str, float] = {
    "front_company": 0.14, "above_history": 0.08, "above_need": 0.07, "split_orders": 0.16,
    "transshipment": 0.11, "misdeclared": 0.13, "designer_precursor": 0.10,
    "irregular_payment": 0.08, "forwarder_consignee": 0.07, "renamed_offender": 0.06,
}
#: Chance that an event of a typology is a ring's work rather than a lone buyer's.
RING_SHARE: dict[str, float] = {
    "front_company": 0.7, "above_history": 0.0, "above_need": 0.4, "split_orders": 0.6,
    "transshipment": 0.8, "misdeclared": 0.8, "designer_precursor": 0.7,
    "irregular_payment": 0.6, "forwarder_consignee": 0.8, "renamed_offender": 1.0,
}
# Every typology plants at least this many rows, so small simulations still have each.
_MINIMUM_ROWS = 3


def _day(typology: str, k: int, ring: Ring | None, r: random.Random) -> int:
    """The first day of a typology's k-th event: the first in history, the second in new,
    the rest anywhere (a renamed offender only after its predecessor was burned)."""
    earliest = ring.burn_day + 10 if typology == "renamed_offender" and ring else 0
    if k == 0 and earliest < documents.NEW_FROM - 40:
        return r.randrange(earliest, documents.NEW_FROM - 40)
    if k == 1 or earliest >= documents.NEW_FROM - 40:
        return r.randrange(max(earliest, documents.NEW_FROM), documents.DAYS - 20)
    return r.randrange(earliest, documents.DAYS - 10)


def _ring_for(typology: str, scene: Scene) -> Ring | None:
    r = scene.r
    if not scene.rings or r.random() >= RING_SHARE[typology]:
        return None
    if typology == "renamed_offender":
        renamed = [g for g in scene.rings if g.successor is not None]
        return r.choice(renamed) if renamed else None
    if typology == "designer_precursor":
        designing = [g for g in scene.rings if g.scheme.designer]
        return r.choice(designing) if designing else None
    return r.choice(scene.rings)


def plant_diversion(scene: Scene, target_rows: int) -> list[Planted]:
    """About ``target_rows`` diverted rows over all typologies, in their shares.

    Each ring with a burned front first has that front caught in history (reviewed as
    diverted), so that its successor has a known predecessor to be linked to.
    """
    r = scene.r
    rows: list[Planted] = []
    for burnt in scene.rings:
        if burnt.burned is not None:
            day = max(0, burnt.burn_day - r.randrange(20, 60))
            event = scene.event("front_company", "diverted", day, burnt, review="diverted",
                                importer=burnt.burned)
            rows.extend(front_company(scene, event))
    for typology, share in SHARES.items():
        want = max(_MINIMUM_ROWS, round(target_rows * share))
        made = sum(1 for row in rows if row.typology == typology)
        k = 0
        while made < want:
            ring = _ring_for(typology, scene)
            event = scene.event(typology, "diverted", _day(typology, k, ring, r), ring)
            planted = TYPOLOGIES[typology](scene, event)
            rows.extend(planted)
            made += len(planted)
            k += 1
    return rows
