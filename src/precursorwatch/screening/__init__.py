"""Screening: a diversion-risk score and its reasons for every consignment.

Features over the trade history are table expressions (Ibis, DuckDB by default, Spark when
asked); red flags are named rules whose docstrings are the sentences reviewers read; a
learned scorer and the flags combine into one score in [0, 1] with ranked reasons.

The usual path: :func:`feature_table` (history and new rows to features), then
:func:`train_model` on the history's features and :func:`score_rows` on the new ones.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from precursorwatch.screening.flags import FLAGS, Flag
    from precursorwatch.screening.metrics import Quality, quality
    from precursorwatch.screening.model import ScreeningModel
    from precursorwatch.screening.pipeline import feature_table, split_of
    from precursorwatch.screening.run import SavedModel, score_rows, train_model
    from precursorwatch.screening.scores import DEFAULT_THRESHOLD, OUTPUT_SCHEMA, Scored
    from precursorwatch.screening.watchlist import WatchList

__all__ = [
    "DEFAULT_THRESHOLD",
    "FLAGS",
    "OUTPUT_SCHEMA",
    "Flag",
    "Quality",
    "SavedModel",
    "Scored",
    "ScreeningModel",
    "WatchList",
    "feature_table",
    "quality",
    "score_rows",
    "split_of",
    "train_model",
]

# Where each name lives. They are imported when first used: the package's modules pull in
# LightGBM and scikit-learn, which entity resolution (importing the watch list's
# romaniser) and the server's light paths should not pay for.
_WHERE = {
    "DEFAULT_THRESHOLD": "scores", "FLAGS": "flags", "OUTPUT_SCHEMA": "scores",
    "Flag": "flags", "Quality": "metrics", "SavedModel": "run", "Scored": "scores",
    "ScreeningModel": "model", "WatchList": "watchlist", "feature_table": "pipeline",
    "quality": "metrics", "score_rows": "run", "split_of": "pipeline",
    "train_model": "run",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
