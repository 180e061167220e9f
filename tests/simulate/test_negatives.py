"""Hard negatives: legitimate rows that share a surface feature with diversion."""

from __future__ import annotations

from typing import Any

from precursorwatch.registry import Identifier
from precursorwatch.simulate import Simulation
from precursorwatch.simulate.negatives import HARD_NEGATIVES, plant_negatives
from precursorwatch.simulate.planted import Scene

Rows = list[dict[str, Any]]


def test_hard_negatives_are_legitimate_and_in_both_splits(rows: Rows, sim: Simulation) -> None:
    negatives = [r for r in rows if r["typology"] == "hard_negative"]
    assert all(r["label"] == "legitimate" and not r["ring_id"] for r in negatives)
    assert {r["split"] for r in negatives} == {"history", "new"}
    assert 0.01 <= len(negatives) / sim.labels.num_rows <= 0.03
    assert "diverted" not in {r["outcome"] for r in negatives}


def test_each_kind_plants_its_look_alike_signal(scene: Scene, identifier: Identifier) -> None:
    rows = plant_negatives(scene, 0)
    assert len({r.event for r in rows}) >= 2 * len(HARD_NEGATIVES)
    # Legitimate controlled trade is notified before export when a notification applies.
    notifiable = {p.substance for p in scene.catalogue.products if p.pen}
    assert all(r.pen_reference for r in rows if r.substance in notifiable)
    assert any(r.consignee_name for r in rows)
    assert any(r.payment_method == "third_party" for r in rows)
    assert any(r.transit_countries for r in rows)
    assert any(r.unit == "g" and r.import_country == "US" for r in rows)
    lookalikes = [r for r in rows if not r.substance]
    assert lookalikes
    for r in lookalikes:
        assert identifier.identify(r.product_description, r.cas_number or None,
                                   r.hs_code).names == ()
