"""The scorer: rule path, learned path, calibration, saving and loading."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from precursorwatch.exceptions import ModelError
from precursorwatch.screening.model import DEFAULT_RULE_OFFSET, ScreeningModel, TrainingLabels
from precursorwatch.screening.pipeline import split_of
from precursorwatch.screening.run import SavedModel, score_rows, train_model


def test_scoring_before_training_is_refused() -> None:
    with pytest.raises(ModelError, match="not trained"):
        ScreeningModel().predict_proba(np.zeros((1, 2)), np.zeros(1))


def test_without_labelled_diversion_the_flags_alone_score() -> None:
    x = np.random.default_rng(0).normal(size=(200, 3))
    rule = np.linspace(0, 10, 200)
    labels = TrainingLabels(np.full(200, -1, np.int8), np.arange(200))
    model = ScreeningModel().fit(x, rule, labels, ["a", "b", "c"])
    assert model.booster_ is None
    risk = model.predict_proba(x, rule)
    assert np.allclose(risk, 1 / (1 + np.exp(-(rule - DEFAULT_RULE_OFFSET))))


def test_learned_path_finds_what_no_flag_says() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4000, 3))
    truth = x[:, 1] > 1.8
    label = np.where(truth, 1, np.where(rng.random(4000) < 0.3, 0, -1)).astype(np.int8)
    model = ScreeningModel(n_estimators=60).fit(
        x, np.zeros(4000), TrainingLabels(label, np.arange(4000) % 97), ["a", "b", "c"])
    risk = model.predict_proba(x, np.zeros(4000))
    assert risk[truth].mean() > 0.5 > risk[~truth].mean()


def test_training_is_repeatable(sim_features: pa.Table) -> None:
    history = split_of(sim_features, "history")
    when = datetime(2026, 11, 1, tzinfo=UTC)
    first = train_model(history, trained_at=when, random_state=4)
    again = train_model(history, trained_at=when, random_state=4)
    new = split_of(sim_features, "new")
    assert score_rows(new, first).table.equals(score_rows(new, again).table)


def test_saved_model_scores_the_same_after_loading(sim_features: pa.Table,
                                                    sim_model: SavedModel) -> None:
    loaded = SavedModel.from_json(sim_model.to_json())
    new = split_of(sim_features, "new")
    assert loaded.rows == split_of(sim_features, "history").num_rows
    assert loaded.metrics == sim_model.metrics
    assert score_rows(new, loaded).table.equals(score_rows(new, sim_model).table)


def test_saved_model_records_its_data(sim_model: SavedModel, sim_features: pa.Table) -> None:
    history = split_of(sim_features, "history")
    dates = history.column("declared_at")
    assert sim_model.history_from == pc.min(dates).as_py().date().isoformat()
    assert sim_model.history_to == pc.max(dates).as_py().date().isoformat()
    assert sim_model.diverted == pc.sum(pc.equal(history.column("outcome"),
                                                 "diverted")).as_py()
    assert sim_model.metrics["pr_auc_reviewed"] > 0.8


@pytest.mark.parametrize("text", ["", "{}", "[1, 2]", '{"format": 99}',
                                  '{"format": 1, "state": {"params": {}}}'])
def test_damaged_model_file_is_refused(text: str) -> None:
    with pytest.raises(ModelError):
        SavedModel.from_json(text)
