"""Identification against the project's labelled set of realistic product descriptions.

``tests/data/identify_descriptions.csv`` holds declarations written the way exporters write
them (grades, packing, misspellings, Devanagari, salts, misdeclared CAS numbers, HS hints)
and hard look-alikes, each labelled with the parent CAS numbers of the controlled substances
it contains. Precision and recall are counted per (row, substance).
"""

from __future__ import annotations

import csv
from pathlib import Path

from precursorwatch.registry import Identifier, Registry


def _score(identifier: Identifier, path: Path) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    misses: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            expected = {c for c in row["expected_cas"].split(";") if c}
            result = identifier.identify(row["product_description"], row["cas_number"] or None,
                                         row["hs_code"] or None)
            got = {m.substance.cas for m in result.reported}
            tp += len(expected & got)
            fp += len(got - expected)
            fn += len(expected - got)
            if got != expected:
                misses.append(f"{row['id']}: {row['product_description']!r} "
                              f"expected {sorted(expected)} got {sorted(got)}")
    return tp / (tp + fp), tp / (tp + fn), misses


def test_labelled_set_is_large_and_uses_registry_substances(registry: Registry,
                                                            data_dir: Path) -> None:
    with (data_dir / "identify_descriptions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 500
    categories = {row["category"] for row in rows}
    assert {"misspelling", "devanagari", "salt_hydrate", "lookalike", "bad_cas",
            "hs_hint", "cas_only"} <= categories
    for row in rows:
        for number in filter(None, row["expected_cas"].split(";")):
            known = registry.by_cas(number)
            assert known is not None and known[0].cas == number, (row["id"], number)


def test_precision_and_recall_on_labelled_descriptions(identifier: Identifier,
                                                       data_dir: Path) -> None:
    precision, recall, misses = _score(identifier, data_dir / "identify_descriptions.csv")
    assert precision >= 0.99, misses
    assert recall >= 0.98, misses
