"""The scorer: red flags and a learned model, combined into one calibrated risk.

Two paths give a probability each, and the score is the higher of the two:

* the **rule path** adds the weights of the red flags that fire (:mod:`.flags`) and maps the
  sum to [0, 1] with a logistic curve whose midpoint is :data:`DEFAULT_RULE_OFFSET`. It
  needs no labels and catches schemes the history has never seen. Its scale stays the
  reviewed one even when labels exist: fitted to labels that lack a scheme, it would learn
  to discount that scheme's flags, which is what the rule path is there to prevent
  (measured: recall of an unlabelled typology fell from 0.9 to 0.5);
* the **learned path** is gradient boosting (LightGBM) over the features and the flags,
  trained on analysts' past decisions (``outcome``), calibrated on out-of-fold predictions.
  It learns which combinations matter and which legitimate patterns (a notified bulk
  restock) only look suspicious.

Taking the higher of two calibrated probabilities keeps both promises: what the flags say
is never silenced by a model that has not seen the scheme, and what the model learned
raises the rows the flags miss. The estimator follows scikit-learn's conventions:
parameters in ``__init__``, learned state in ``_``-suffixed attributes set by ``fit``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from precursorwatch.exceptions import ModelError

__all__ = ["DEFAULT_RULE_OFFSET", "ScreeningModel", "TrainingLabels"]

Floats = npt.NDArray[np.float64]

#: Rule score (sum of flag weights) at which the untrained rule path says 0.5: one decisive
#: flag (an extraordinary quantity, orders split under a threshold), or two strong ones,
#: or a strong one and several weaker ones (see the weights in :mod:`.flags`).
DEFAULT_RULE_OFFSET = 5.0
#: Fewer labelled diverted rows than this and the learned path is not trained: a model of
#: a handful of cases would only memorise them.
MIN_POSITIVES = 20


@dataclass(frozen=True)
class TrainingLabels:
    """Labels for training: 1 diverted, 0 legitimate, -1 never reviewed; and the group
    (importer) of each row, so that out-of-fold predictions never see the same firm."""

    label: npt.NDArray[np.int8]
    group: npt.NDArray[np.int64]


def _logit(p: Floats) -> Floats:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _sigmoid(x: Floats) -> Floats:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


class ScreeningModel:
    """Rule path plus learned path (see the module docstring).

    ``unlabelled_weight``: rows nobody reviewed count as legitimate with this weight, since
    almost all trade is; a small weight keeps the undetected diversion among them from
    teaching the model much. ``random_state`` makes training repeatable.
    """

    def __init__(self, *, n_estimators: int = 200, learning_rate: float = 0.07,
                 num_leaves: int = 31, min_child_samples: int = 20,
                 unlabelled_weight: float = 0.2, folds: int = 3, random_state: int = 0,
                 rule_offset: float = DEFAULT_RULE_OFFSET) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.unlabelled_weight = unlabelled_weight
        self.folds = folds
        self.random_state = random_state
        self.rule_offset = rule_offset

    # -- training -------------------------------------------------------------------------

    def _params(self) -> dict[str, Any]:
        return {
            "objective": "binary", "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves, "min_child_samples": self.min_child_samples,
            "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
            "lambda_l2": 1.0, "seed": self.random_state, "deterministic": True,
            # One thread: on a shared machine OpenMP's spinning threads wait for each other
            # (measured: 8x slower with two threads on two busy cores, little gain idle).
            "num_threads": 1, "verbose": -1,
        }

    def _train(self, x: Floats, y: npt.NDArray[np.int8], weight: Floats) -> lgb.Booster:
        data = lgb.Dataset(x, label=y, weight=weight, free_raw_data=True)
        return lgb.train(self._params(), data, num_boost_round=self.n_estimators)

    def fit(self, x: Floats, rule: Floats, labels: TrainingLabels,
            feature_names: list[str]) -> ScreeningModel:
        """Learn from ``x`` (rows x features), the rule scores and the labels.

        With no labelled diverted rows the learned path stays off and the rule path keeps
        its default curve: the model still screens, on the flags alone.
        """
        if x.shape[0] != rule.shape[0] or x.shape[0] != labels.label.shape[0]:
            raise ModelError("features, rule scores and labels differ in length")
        y = (labels.label == 1).astype(np.int8)
        reviewed = labels.label >= 0
        positives = int(y.sum())
        self.feature_names_ = list(feature_names)
        self.positives_ = positives
        self.reviewed_ = int(reviewed.sum())
        self.rule_slope_, self.rule_intercept_ = 1.0, -self.rule_offset
        self.booster_: lgb.Booster | None = None
        self.model_slope_, self.model_intercept_ = 1.0, 0.0
        if positives < MIN_POSITIVES:
            self.oof_probability_ = self.rule_probability(rule)
            return self
        weight = np.where(reviewed, 1.0, self.unlabelled_weight)
        oof = self._out_of_fold(x, y, weight, labels.group)
        self.model_slope_, self.model_intercept_ = _platt(oof, y, weight)
        self.booster_ = self._train(x, y, weight)
        #: Each training row's score from models that never saw its importer: the honest
        #: figures of :func:`.run.train_model` come from these. Not saved with the model.
        self.oof_probability_ = np.maximum(self.rule_probability(rule),
                                           self.learned_probability(oof))
        return self

    def _out_of_fold(self, x: Floats, y: npt.NDArray[np.int8], weight: Floats,
                     group: npt.NDArray[np.int64]) -> Floats:
        """Raw scores of every row from a model that never saw its importer."""
        raw = np.zeros(x.shape[0])
        folds = min(self.folds, len(np.unique(group)))
        from sklearn.model_selection import GroupKFold  # slow to import: only when training

        for train, test in GroupKFold(n_splits=folds).split(x, y, group):
            if y[train].sum() == 0:
                continue
            booster = self._train(x[train], y[train], weight[train])
            raw[test] = booster.predict(x[test], raw_score=True)
        return raw

    # -- scoring --------------------------------------------------------------------------

    def _check(self) -> None:
        if not hasattr(self, "rule_slope_"):
            raise ModelError("the screening model is not trained: call fit() or load one")

    def rule_probability(self, rule: Floats) -> Floats:
        """The rule path's probability for rule scores (sums of flag weights)."""
        self._check()
        return _sigmoid(self.rule_slope_ * rule + self.rule_intercept_)

    def learned_raw(self, x: Floats) -> Floats | None:
        """The learned path's raw scores (log-odds before calibration), None if untrained."""
        self._check()
        if self.booster_ is None:
            return None
        return np.asarray(self.booster_.predict(x, raw_score=True), dtype=np.float64)

    def learned_probability(self, raw: Floats) -> Floats:
        return _sigmoid(self.model_slope_ * raw + self.model_intercept_)

    def predict_proba(self, x: Floats, rule: Floats) -> Floats:
        """The diversion risk of each row in [0, 1]: the higher of the two paths."""
        risk = self.rule_probability(rule)
        raw = self.learned_raw(x)
        if raw is not None:
            risk = np.maximum(risk, self.learned_probability(raw))
        return risk

    def contributions(self, x: Floats) -> Floats | None:
        """Per-row, per-feature contributions (SHAP values, log-odds) of the learned path,
        scaled like its calibrated log-odds; None if untrained."""
        self._check()
        if self.booster_ is None:
            return None
        values = np.asarray(self.booster_.predict(x, pred_contrib=True), dtype=np.float64)
        return values[:, :-1] * self.model_slope_

    # -- saving ---------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything a later run needs, as JSON-ready values (no pickles: a model file is
        data that a reviewer can read and no code runs when it is loaded)."""
        self._check()
        return {
            "params": {k: getattr(self, k) for k in (
                "n_estimators", "learning_rate", "num_leaves", "min_child_samples",
                "unlabelled_weight", "folds", "random_state", "rule_offset")},
            "feature_names": self.feature_names_,
            "positives": self.positives_,
            "reviewed": self.reviewed_,
            "rule": [self.rule_slope_, self.rule_intercept_],
            "learned": [self.model_slope_, self.model_intercept_],
            "booster": None if self.booster_ is None else self.booster_.model_to_string(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ScreeningModel:
        """The model :meth:`state` described."""
        try:
            model = cls(**state["params"])
            model.feature_names_ = list(state["feature_names"])
            model.positives_ = int(state["positives"])
            model.reviewed_ = int(state["reviewed"])
            model.rule_slope_, model.rule_intercept_ = map(float, state["rule"])
            model.model_slope_, model.model_intercept_ = map(float, state["learned"])
            text = state["booster"]
            model.booster_ = None if text is None else lgb.Booster(model_str=text)
        except (KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as err:
            raise ModelError(f"the model file is damaged or of another kind: {err}") from err
        return model


def _platt(score: Floats, y: npt.NDArray[np.int8], weight: Floats) -> tuple[float, float]:
    """Slope and intercept mapping ``score`` to calibrated log-odds (Platt scaling)."""
    if y.min() == y.max():
        return 1.0, 0.0
    from sklearn.linear_model import LogisticRegression  # slow to import: only when training

    fit = LogisticRegression(C=1e4).fit(score.reshape(-1, 1), y, sample_weight=weight)
    slope, intercept = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    if not math.isfinite(slope) or slope <= 0:
        # A path whose score does not rise with risk on these labels says nothing: keep it
        # quiet rather than inverted.
        return 1.0, -50.0
    return slope, intercept
