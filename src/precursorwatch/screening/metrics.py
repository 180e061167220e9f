"""How good a screening run is, in the terms reviewers and supervisors use.

* PR-AUC (average precision): the whole ranking, on data where diversion is rare;
* recall at 1% false-positive rate: how much diversion is caught when one legitimate
  consignment in a hundred is stopped;
* precision at 100: how many of the first hundred alerts are real;
* alerts per 1,000 legitimate rows at the operating threshold: the burden on legitimate
  trade, which the partnership promised not to hamper;
* recall per typology at the threshold: which schemes slip through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Quality", "quality"]


@dataclass(frozen=True)
class Quality:
    """The figures of one scored period."""

    rows: int
    diverted: int
    pr_auc: float
    recall_at_1pct_fpr: float
    precision_at_100: float
    alerts_per_1000_legitimate: float
    recall_at_threshold: float
    precision_at_threshold: float
    recall_by_group: dict[str, float]


def quality(truth: npt.NDArray[np.bool_], score: npt.NDArray[np.float64], threshold: float,
            groups: Sequence[str] | None = None) -> Quality:
    """Figures for ``score`` against ``truth`` (True: diverted); ``groups`` names each
    row's typology (or any grouping) for recall per group, diverted rows only."""
    # scikit-learn takes seconds to import; screening without metrics should not pay it.
    from sklearn.metrics import average_precision_score, roc_curve

    truth = np.asarray(truth, dtype=bool)
    score = np.asarray(score, dtype=np.float64)
    legitimate = ~truth
    flagged = score >= threshold
    positives = int(truth.sum())
    both = 0 < positives < truth.size
    fpr, tpr, _ = roc_curve(truth, score) if both else (np.zeros(1), np.zeros(1), None)
    top = np.argsort(-score, kind="stable")[:100]
    by_group: dict[str, float] = {}
    if groups is not None:
        names = np.asarray(groups, dtype=object)
        for name in sorted({str(g) for g in names[truth]}):
            chosen = truth & (names == name)
            by_group[name] = float(flagged[chosen].mean())
    return Quality(
        rows=int(truth.size),
        diverted=positives,
        pr_auc=float(average_precision_score(truth, score)) if both else float("nan"),
        recall_at_1pct_fpr=float(tpr[fpr <= 0.01].max()) if both else float("nan"),
        precision_at_100=float(truth[top].mean()) if truth.size else float("nan"),
        alerts_per_1000_legitimate=(1000.0 * float((flagged & legitimate).sum())
                                    / max(1, int(legitimate.sum()))),
        recall_at_threshold=float(flagged[truth].mean()) if positives else float("nan"),
        precision_at_threshold=(float(truth[flagged].mean()) if flagged.any()
                                else float("nan")),
        recall_by_group=by_group,
    )
