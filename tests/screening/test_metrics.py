"""Quality figures on vectors whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from precursorwatch.screening.metrics import quality


def test_perfect_ranking() -> None:
    truth = np.array([True] * 10 + [False] * 990)
    score = np.where(truth, 0.9, 0.1)
    found = quality(truth, score, 0.5, ["a"] * 5 + ["b"] * 5 + [""] * 990)
    assert found.pr_auc == pytest.approx(1.0)
    assert found.recall_at_1pct_fpr == 1.0
    assert found.precision_at_100 == pytest.approx(0.1)
    assert found.alerts_per_1000_legitimate == 0.0
    assert found.recall_by_group == {"a": 1.0, "b": 1.0}


def test_alert_burden_counts_legitimate_rows_only() -> None:
    truth = np.array([True] * 10 + [False] * 1000)
    score = np.zeros(1010)
    score[:5] = 0.9  # half the diversion caught
    score[10:15] = 0.9  # five legitimate rows stopped
    found = quality(truth, score, 0.5)
    assert found.alerts_per_1000_legitimate == pytest.approx(5.0)
    assert found.recall_at_threshold == pytest.approx(0.5)
    assert found.precision_at_threshold == pytest.approx(0.5)


def test_recall_at_one_percent_false_positives() -> None:
    truth = np.array([True] * 10 + [False] * 1000)
    score = np.concatenate([np.linspace(0.5, 0.95, 10), np.linspace(0.0, 0.9, 1000)])
    found = quality(truth, score, 0.5)
    # 1% of legitimate rows is 10 rows: those above 0.891; diverted above that: 0.9, 0.95
    assert found.recall_at_1pct_fpr == pytest.approx(0.2)
