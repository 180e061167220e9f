"""Screening: a diversion-risk score and its reasons for every consignment.

Features over the trade history are table expressions (Ibis, DuckDB by default, Spark when
asked); red flags are named rules whose docstrings are the sentences reviewers read; a
learned scorer and anomaly scores over the history combine with the flags into one
calibrated score.
"""

from __future__ import annotations

__all__: list[str] = []
