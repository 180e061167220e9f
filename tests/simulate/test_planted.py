"""The planting scene: planted rows written as ordinary trade is written."""

from __future__ import annotations

from precursorwatch.ids import hs
from precursorwatch.simulate.planted import Scene


def test_rows_take_the_events_truth_and_register_their_firms(scene: Scene) -> None:
    product = scene.catalogue["pseudoephedrine"]
    exporter, importer, origin, destination = scene.legit_parties(product)
    event = scene.event("hard_negative", "legitimate", 40, None, review="legitimate")
    row = scene.row(event, day=40, product=product, exporter=exporter, importer=importer,
                    quantity=100.0, pen=1.0, declare_cas=1.0)
    assert (row.label, row.typology, row.review, row.event) == (
        "legitimate", "hard_negative", "legitimate", event.id)
    assert row.substance == "pseudoephedrine"
    assert row.exporter_name in exporter.names and row.importer_name in importer.names
    assert row.exporter_party == exporter.id and scene.firms[importer.id] is importer
    assert hs.subheading(row.hs_code) == "293942"
    assert row.pen_reference.startswith(f"{origin}-PEN-")
    assert row.cas_number in ("345-78-8", "7460-12-0")
    assert row.declared_value > 0 and row.import_country == destination


def test_lone_fronts_are_new_firms_and_ring_fronts_stay_local(scene: Scene) -> None:
    event = scene.event("front_company", "diverted", 100, None)
    front = scene.front(event, "MX")
    assert front.role == "front" and front.country == "MX" and front.founded >= 2024
    ring = scene.rings[0]
    event = scene.event("front_company", "diverted", 100, ring)
    countries = {f.country for f in ring.fronts}
    for country in countries:
        assert scene.front(event, country).country == country


def test_burned_front_is_not_used_after_its_burn_day(scene: Scene) -> None:
    ring = next(g for g in scene.rings if g.burned is not None)
    late = scene.event("front_company", "diverted", ring.burn_day + 1, ring)
    assert all(scene.front(late, f.country) is not ring.burned for f in ring.fronts
               for _ in range(5))


def test_detached_events_replace_the_recorded_event(scene: Scene) -> None:
    event = scene.event("split_orders", "diverted", 10, scene.rings[0])
    lone = scene.detach(event)
    assert lone.ring is None and scene.events[event.id] is lone
