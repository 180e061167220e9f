"""Training and scoring runs over feature tables, and the saved model they share.

A saved model is JSON: the scorer's state, its version, when it was trained, the date range
and size of its training data, and its out-of-fold figures on that data. A later run that
loads it knows what it is using, and a reviewer can read the file; loading runs no code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch import __version__
from precursorwatch.exceptions import ModelError
from precursorwatch.screening.flags import fire
from precursorwatch.screening.metrics import quality
from precursorwatch.screening.model import ScreeningModel, TrainingLabels
from precursorwatch.screening.scores import (
    DEFAULT_THRESHOLD,
    Scored,
    input_names,
    model_inputs,
    score_features,
)

__all__ = ["MODEL_FORMAT", "SavedModel", "score_rows", "train_model", "truth_vector"]

#: Version of the saved model's layout; a file of another layout is refused, not guessed.
MODEL_FORMAT = 1


@dataclass(frozen=True)
class SavedModel:
    """A trained scorer with what a later run must know about it."""

    model: ScreeningModel
    trained_at: str
    history_from: str | None
    history_to: str | None
    rows: int
    reviewed: int
    diverted: int
    threshold: float = DEFAULT_THRESHOLD
    metrics: dict[str, float] = field(default_factory=dict)
    version: str = __version__

    def to_json(self) -> str:
        """The model file's text."""
        about = {k: v for k, v in asdict(self).items() if k != "model"}
        return json.dumps({"format": MODEL_FORMAT, **about, "state": self.model.state()},
                          indent=1)

    @classmethod
    def from_json(cls, text: str) -> SavedModel:
        """The model a file written by :meth:`to_json` holds."""
        try:
            data: dict[str, Any] = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ModelError(f"not a precursorwatch model file: {err}") from err
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ModelError(f"not a precursorwatch model file of format {MODEL_FORMAT}")
        model = ScreeningModel.from_state(data.get("state", {}))
        try:
            return cls(model=model, trained_at=str(data["trained_at"]),
                       history_from=data["history_from"], history_to=data["history_to"],
                       rows=int(data["rows"]), reviewed=int(data["reviewed"]),
                       diverted=int(data["diverted"]), threshold=float(data["threshold"]),
                       metrics={k: float(v) for k, v in data["metrics"].items()},
                       version=str(data["version"]))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ModelError(f"the model file is damaged: {err}") from err


def _labels(features: pa.Table) -> TrainingLabels:
    outcome = features.column("outcome").to_numpy(zero_copy_only=False)
    label = np.where(outcome == "diverted", 1, np.where(outcome == "legitimate", 0, -1))
    importer = features.column("imp").fill_null("").to_numpy(zero_copy_only=False)
    _, group = np.unique(importer.astype(str), return_inverse=True)
    return TrainingLabels(label.astype(np.int8), group.astype(np.int64))


def _date(features: pa.Table, how: str) -> str | None:
    if not features.num_rows:
        return None
    value = pc.min(features.column("declared_at")) if how == "min" else pc.max(
        features.column("declared_at"))
    return None if not value.is_valid else value.as_py().date().isoformat()


def train_model(features: pa.Table, *, trained_at: datetime, random_state: int = 0,
                threshold: float = DEFAULT_THRESHOLD) -> SavedModel:
    """Train on the feature rows of history (their ``outcome`` is the label).

    With too few diverted rows the learned path stays off and the model screens on the
    red flags alone (see :class:`~.model.ScreeningModel`). The figures saved with it are
    out-of-fold: every row scored by a model that never saw its importer.
    """
    frame, fired = fire(features)
    x, rule = model_inputs(frame, fired)
    labels = _labels(features)
    model = ScreeningModel(random_state=random_state).fit(x, rule, labels, input_names())
    reviewed = labels.label >= 0
    figures: dict[str, float] = {}
    if reviewed.any() and model.booster_ is not None:
        found = quality(labels.label[reviewed] == 1, model.oof_probability_[reviewed],
                        threshold)
        figures = {"pr_auc_reviewed": found.pr_auc,
                   "recall_at_threshold_reviewed": found.recall_at_threshold,
                   "precision_at_threshold_reviewed": found.precision_at_threshold}
    return SavedModel(
        model=model, trained_at=trained_at.isoformat(timespec="seconds"),
        history_from=_date(features, "min"), history_to=_date(features, "max"),
        rows=features.num_rows, reviewed=int(reviewed.sum()),
        diverted=int((labels.label == 1).sum()), threshold=threshold, metrics=figures)


def score_rows(features: pa.Table, saved: SavedModel, threshold: float | None = None,
               explain: npt.NDArray[np.intp] | None = None) -> Scored:
    """Score feature rows with a saved model, at ``threshold`` or the model's own; the
    learned path's contributions are computed for the rows ``explain`` names too (see
    :func:`.scores.score_features`)."""
    if saved.model.feature_names_ != input_names():
        raise ModelError("the model was trained on other features (a model of another "
                         "precursorwatch version?); train it again with `screen train`")
    return score_features(features, saved.model,
                          saved.threshold if threshold is None else threshold, explain)


def truth_vector(values: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.bool_]:
    """True where a label column says 'diverted'."""
    return np.asarray(pc.equal(values, "diverted").fill_null(False).to_numpy(
        zero_copy_only=False), dtype=bool)
