"""Hard negatives: legitimate consignments that look like diversion.

A model that flags every large order, every transit through Dubai or every forwarder as a
consignee drowns reviewers in false alerts. These events plant legitimate rows that share a
surface feature with a typology, each with the paperwork that makes it legitimate (a
pre-export notification, a letter of credit, a registered importer, a long history). They are
labelled ``legitimate`` with typology ``hard_negative``; each function's docstring says what
it plants.
"""

from __future__ import annotations

from collections.abc import Callable

from precursorwatch.simulate import documents
from precursorwatch.simulate.firms import Sector
from precursorwatch.simulate.planted import Event, Planted, Scene

__all__ = ["HARD_NEGATIVES", "plant_negatives"]

_TRANSIT = ("LK", "SG", "AE", "ES", "LK;SG", "AE;ES")
_RESEARCH = ("four_piperidone", "npp", "anpp", "boc_four_piperidone")
_SEASONAL = ("pseudoephedrine", "ephedrine", "codeine", "pseudoephedrine_tablets")


def _controlled_traded(scene: Scene) -> list[str]:
    return [p.key for p in scene.catalogue.products if p.controlled and p.lanes]


def bulk_restock(scene: Scene, event: Event) -> list[Planted]:
    """A long-standing customer restocks at two to four times its usual quantity, with a
    pre-export notification and a letter of credit."""
    r = scene.r
    busy = scene.busy_lines()
    if not busy:
        return lookalike(scene, event)
    line = r.choice(busy)
    product, exporter, importer, origin, destination = scene.line_parties(line)
    unit = ("kg", "g", "t", "L", "mL", "units")[int(scene.lines.unit[line])]
    quantity = float(scene.lines.quantity[line]) * r.uniform(2, 4)
    return [scene.row(event, day=event.day, product=product, exporter=exporter,
                      importer=importer, quantity=round(quantity, 1), unit=unit, pen=1.0,
                      export_country=origin, import_country=destination,
                      payment="letter_of_credit")]


def lookalike(scene: Scene, event: Event) -> list[Planted]:
    """Goods named like a controlled substance but not controlled: phenylephrine, ephedra
    extract, acetic acid, acetonitrile, morpholine, petroleum ether."""
    r = scene.r
    product = r.choice(scene.catalogue.where(lookalike=True))
    exporter, importer, origin, destination = scene.legit_parties(product)
    return [scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                      quantity=scene.usual_quantity(product), export_country=origin,
                      import_country=destination)
            for day in scene.days(event.day, r.randint(1, 3), 60)]


def usual_transit(scene: Scene, event: Event) -> list[Planted]:
    """Controlled goods by sea through the ordinary transshipment hubs of their lane
    (Colombo, Singapore, Jebel Ali, Algeciras), notified before export."""
    r = scene.r
    product = scene.catalogue[r.choice(_controlled_traded(scene))]
    exporter, importer, origin, destination = scene.legit_parties(product)
    return [scene.row(event, day=event.day, product=product, exporter=exporter,
                      importer=importer, quantity=scene.usual_quantity(product),
                      export_country=origin,
                      import_country=destination, transit=r.choice(_TRANSIT), transport="sea",
                      pen=1.0)]


def known_forwarder(scene: Scene, event: Event) -> list[Planted]:
    """Controlled goods consigned to an established freight forwarder of the importing
    country, notified before export and paid by letter of credit."""
    r = scene.r
    for _ in range(50):
        product = scene.catalogue[r.choice(_controlled_traded(scene))]
        exporter, importer, origin, destination = scene.legit_parties(product)
        if destination in scene.population.forwarders:
            break
    else:
        return usual_transit(scene, event)
    forwarder = scene.population.firms[scene.population.forwarder(destination, r)]
    return [scene.row(event, day=event.day, product=product, exporter=exporter,
                      importer=importer, consignee=forwarder,
                      quantity=scene.usual_quantity(product),
                      export_country=origin, import_country=destination, pen=1.0,
                      payment="letter_of_credit")]


def new_customer(scene: Scene, event: Event) -> list[Planted]:
    """A first order from an importer never seen before, but a long-established, registered
    firm (in the US, with a DEA registration), with notification and letter of credit."""
    r = scene.r
    product = scene.catalogue[r.choice(_controlled_traded(scene))]
    exporter, _, origin, destination = scene.legit_parties(product)
    sector: Sector = "pharma" if product.sector == "pharma" else "chemical"
    importer = scene.factory.firm(destination, "distributor", sector,
                                  founded=r.randrange(1985, 2015), free_mail=False)
    return [scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                      quantity=scene.usual_quantity(product), export_country=origin,
                      import_country=destination, pen=1.0, importer_id=1.0,
                      payment="letter_of_credit")
            for day in scene.days(event.day, r.randint(1, 2), 30)]


def parent_pays(scene: Scene, event: Event) -> list[Planted]:
    """An importer's parent company pays its subsidiary's order: a third-party payment with
    a declared end use and, for controlled goods, a notification."""
    r = scene.r
    product = scene.catalogue[r.choice(_controlled_traded(scene))]
    exporter, importer, origin, destination = scene.legit_parties(product)
    return [scene.row(event, day=event.day, product=product, exporter=exporter,
                      importer=importer, quantity=scene.usual_quantity(product),
                      export_country=origin,
                      import_country=destination, pen=1.0, payment="third_party",
                      end_use=r.choice(product.end_uses) if product.end_uses else None)]


def research_quantity(scene: Scene, event: Event) -> list[Planted]:
    """Grams of a fentanyl precursor for a registered US research laboratory, as an
    analytical reference standard, notified and sent by courier."""
    r = scene.r
    product = scene.catalogue[r.choice(_RESEARCH)]
    pool = scene.population.importers[("US", "pharma")].firms
    labs = [i for i in pool if scene.population.firms[i].role == "research"] or list(pool)
    importer = scene.population.firms[r.choice(labs)]
    exporter = scene.population.firms[scene.population.exporter("IN", "chemical", r)]
    return [scene.row(event, day=event.day, product=product, exporter=exporter,
                      importer=importer, quantity=float(r.choice((5, 10, 25, 50, 100, 250))),
                      unit="g", export_country="IN", import_country="US", pen=1.0,
                      importer_id=1.0, transport="courier", price=product.price / 1000 * 4,
                      end_use=r.choice(("analytical reference standard",
                                        "university research", "forensic laboratory use")))]


def seasonal_peak(scene: Scene, event: Event) -> list[Planted]:
    """A cold-season peak: a regular buyer of a cold and cough ingredient orders two to three
    times its usual quantity between August and October."""
    r = scene.r
    product = scene.catalogue[r.choice(_SEASONAL)]
    exporter, importer, origin, destination = scene.legit_parties(product)
    day = r.randrange(212, min(303, documents.DAYS - 1))
    return [scene.row(event, day=day, product=product, exporter=exporter, importer=importer,
                      quantity=scene.usual_quantity(product, r.uniform(2, 3)),
                      export_country=origin, import_country=destination, pen=1.0,
                      payment="letter_of_credit")]


HARD_NEGATIVES: dict[str, Callable[[Scene, Event], list[Planted]]] = {
    "bulk_restock": bulk_restock,
    "lookalike": lookalike,
    "usual_transit": usual_transit,
    "known_forwarder": known_forwarder,
    "new_customer": new_customer,
    "parent_pays": parent_pays,
    "research_quantity": research_quantity,
    "seasonal_peak": seasonal_peak,
}


def plant_negatives(scene: Scene, target_rows: int) -> list[Planted]:
    """About ``target_rows`` hard negatives, the kinds taken in turn; the first of each kind
    falls in history and the second in new."""
    r = scene.r
    rows: list[Planted] = []
    kinds = list(HARD_NEGATIVES.values())
    k = 0
    while len(rows) < target_rows or k < 2 * len(kinds):
        rounds = k // len(kinds)
        if rounds == 0:
            day = r.randrange(0, documents.NEW_FROM - 30)
        elif rounds == 1:
            day = r.randrange(documents.NEW_FROM, documents.DAYS - 5)
        else:
            day = r.randrange(0, documents.DAYS - 5)
        event = scene.event("hard_negative", "legitimate", day, None)
        rows.extend(kinds[k % len(kinds)](scene, event))
        k += 1
    return rows
