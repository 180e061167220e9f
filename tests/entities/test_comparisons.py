"""The edit-distance measure skips the slow distance for far-apart pairs and still gives
every level the answer the full distance would."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import DamerauLevenshtein

from precursorwatch.entities.comparisons import bounded_edits, python_measure
from precursorwatch.screening import engines

# Few letters, so that random pairs land near each other, swaps included, as well as far.
texts = st.text(alphabet="abc12", max_size=9)


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(st.tuples(texts, texts), min_size=1, max_size=60),
       most=st.integers(min_value=1, max_value=3))
def test_bounded_edits_is_the_distance_up_to_its_bound(pairs: list[tuple[str, str]],
                                                        most: int) -> None:
    left, right = [a for a, _ in pairs], [b for _, b in pairs]
    backend = engines.connect()
    try:
        table = engines.register(backend, "pairs", pa.table({"a": left, "b": right}))
        measured = engines.to_arrow(table.select(
            d=bounded_edits(most)(table.a, table.b))).column("d").to_pylist()
    finally:
        engines.stop(backend)
    expected = [min(DamerauLevenshtein.distance(a, b), most + 1) for a, b in pairs]
    assert measured == expected
    # The same values where an engine has no such function and Python computes them.
    assert python_measure(f"dl{most}", left, right) == [float(d) for d in expected]


def test_a_swap_of_neighbours_is_one_edit_though_levenshtein_counts_two() -> None:
    backend = engines.connect()
    try:
        table = engines.register(backend, "pairs", pa.table(
            {"a": ["20130101", "2000", "1234567"], "b": ["20310101", "2000", "7654321"]}))
        found = engines.to_arrow(table.select(
            d=bounded_edits(1)(table.a, table.b),
            lev=table.a.levenshtein(table.b))).to_pylist()
    finally:
        engines.stop(backend)
    # A mistyped year is within one edit; a reversed number is far off, and its slow
    # distance is never computed (Levenshtein alone says it is more than one).
    assert found == [{"d": 1, "lev": 2}, {"d": 0, "lev": 0}, {"d": 2, "lev": 6}]
