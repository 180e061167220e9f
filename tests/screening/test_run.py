"""Screening a simulated year: the contract's output, and diversion found with few alerts."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.screening.metrics import quality
from precursorwatch.screening.pipeline import split_of
from precursorwatch.screening.run import SavedModel, score_rows, truth_vector
from precursorwatch.screening.scores import OUTPUT_SCHEMA
from tests.screening.conftest import Simulated


def _scored(sim_features: pa.Table, sim_model: SavedModel) -> pa.Table:
    return score_rows(split_of(sim_features, "new"), sim_model).table


def test_one_output_row_per_input_row_in_input_order(
        simulated: Simulated, sim_features: pa.Table, sim_model: SavedModel) -> None:
    table = _scored(sim_features, sim_model)
    assert table.schema == OUTPUT_SCHEMA
    assert table.column("shipment_id").to_pylist() == (
        simulated.new.column("shipment_id").to_pylist())
    assert table.column("source").to_pylist() == simulated.new.column("source").to_pylist()
    scores = table.column("score")
    assert pc.min(scores).as_py() >= 0 and pc.max(scores).as_py() <= 1
    flagged = table.column("flagged").to_pylist()
    assert flagged == [s >= sim_model.threshold for s in scores.to_pylist()]


def test_every_alert_says_why(sim_features: pa.Table, sim_model: SavedModel) -> None:
    table = _scored(sim_features, sim_model)
    alerts = table.filter(table.column("flagged")).to_pylist()
    assert alerts
    for alert in alerts:
        reasons = alert["reasons"].split(";")
        assert all(r.strip() for r in reasons) and reasons[0][0].isalnum(), reasons
        assert len(reasons) <= 6


def test_planted_diversion_is_found_with_few_alerts(
        simulated: Simulated, sim_features: pa.Table, sim_model: SavedModel) -> None:
    table = _scored(sim_features, sim_model).join(simulated.labels, ["shipment_id", "source"])
    found = quality(truth_vector(table.column("label")), table.column("score").to_numpy(),
                    sim_model.threshold, table.column("typology").to_pylist())
    assert found.pr_auc >= 0.85
    assert found.alerts_per_1000_legitimate <= 10
    assert found.recall_at_threshold >= 0.8


def test_regulated_and_substances_come_from_the_registry(
        sim_features: pa.Table, sim_model: SavedModel) -> None:
    table = _scored(sim_features, sim_model)
    rows = table.to_pylist()
    controlled = [r for r in rows if r["substances"]]
    assert controlled and all(not r["regulated"] for r in rows if not r["substances"])
    assert any(r["regulated"] for r in controlled)
