"""How two records are compared, field by field, as levels of agreement.

A comparison turns one field of a pair of records into a small integer: its level, from the
strongest agreement (0, usually "exactly equal") down to "else" (the last level), or
:data:`NULL_LEVEL` when either side has no value, which is neither evidence for nor against.
The match model learns how often matches and non-matches reach each level (see
:mod:`.fellegi_sunter`); here the levels are only written down, as Ibis expressions over the
pair's two columns, so that DuckDB (or Spark) computes them where the records are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import ibis
import ibis.expr.types as ir

__all__ = [
    "NULL_LEVEL",
    "Comparison",
    "Level",
    "Pair",
    "date_comparison",
    "exact_comparison",
    "identifier_comparison",
    "level_expression",
    "measures_wanted",
    "name_comparison",
    "python_measure",
    "text_comparison",
]

#: The level of a pair where either record lacks the field.
NULL_LEVEL = -1

#: One record of a pair: its columns by name.
Side = Mapping[str, ir.Value]
Measure = Callable[[ir.Value, ir.Value], ir.Value]


class Pair:
    """The two records of a pair as a level's test sees them, with measures computed once.

    A comparison with levels at similarity 0.92 and 0.8 asks for the same Jaro-Winkler
    twice; written twice, the engine computes it twice for every pair. :meth:`measure`
    hands out a named column instead, once :func:`measures_wanted` has collected them.
    """

    def __init__(self, left: Side, right: Side,
                 measures: Mapping[str, ir.Value] | None = None) -> None:
        self.left, self.right = left, right
        self._measures = measures
        #: The measures asked for, by column name, while collecting.
        self.wanted: dict[str, ir.Value] = {}
        #: Which measure of which record column each of :attr:`wanted` is.
        self.specs: dict[str, tuple[str, str]] = {}

    def measure(self, name: str, function: Measure, column: str) -> ir.Value:
        """``function`` of the two records' ``column``, as a column named for both."""
        key = f"_m_{name}_{column}"
        if self._measures is not None and key in self._measures:
            return self._measures[key]
        value = function(self.left[column], self.right[column])
        self.wanted[key] = value
        self.specs[key] = (name, column)
        return value


def python_measure(name: str, left: Sequence[str], right: Sequence[str]) -> list[float]:
    """The measure ``name`` of each pair of texts, computed by rapidfuzz, whose values are
    DuckDB's exactly: for an engine without the measure built in. ``name`` is "jw", or
    "dl" and a bound (``"dl1"``: the edit distance, or the bound plus one when it is
    more, see :func:`bounded_edits`)."""
    from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
    if name == "jw":
        return [float(JaroWinkler.similarity(a, b)) for a, b in zip(left, right, strict=True)]
    most = int(name.removeprefix("dl"))
    return [float(DamerauLevenshtein.distance(a, b, score_cutoff=most))
            for a, b in zip(left, right, strict=True)]


Predicate = Callable[[Pair], ir.BooleanValue]


@ibis.udf.scalar.builtin  # type: ignore[untyped-decorator]
def jaro_winkler_similarity(left: str, right: str) -> float:  # type: ignore[empty-body]
    """DuckDB's Jaro-Winkler similarity (1 for equal text, 0 for nothing in common)."""


@ibis.udf.scalar.builtin  # type: ignore[untyped-decorator]
def damerau_levenshtein(left: str, right: str) -> int:  # type: ignore[empty-body]
    """DuckDB's edit distance counting a swap of neighbours as one edit."""


def bounded_edits(most: int) -> Measure:
    """The Damerau-Levenshtein distance of two texts, or ``most + 1`` when it is more:
    all a level "within ``most`` edits" needs to know.

    DuckDB's Damerau-Levenshtein is some seven times slower than its Levenshtein, and
    most pairs compared (all but a few of the random pairs that train the model) are
    far apart. Levenshtein counts a swap of neighbours as two edits and is otherwise the
    same, so it is at most twice the Damerau-Levenshtein distance: a pair more than
    ``2 * most`` Levenshtein edits apart is more than ``most`` edits apart, and the
    slow measure runs only for the pairs closer than that (DuckDB evaluates a CASE's
    branches only for the rows that reach them)."""
    def measure(left: ir.Value, right: ir.Value) -> ir.Value:
        text_l, text_r = cast("ir.StringValue", left), cast("ir.StringValue", right)
        return ibis.cases(
            (text_l.levenshtein(text_r) > 2 * most, most + 1),
            else_=ibis.least(damerau_levenshtein(text_l, text_r), most + 1))
    return measure


@dataclass(frozen=True)
class Level:
    """One level of agreement: what a reviewer reads, and when a pair reaches it."""

    label: str
    test: Predicate
    #: Whether term frequencies adjust this level: an exact match on a rare value ("Xavier")
    #: says more than one on a common value ("Smith").
    term_frequency: bool = False


@dataclass(frozen=True)
class Comparison:
    """The levels of one field (or of a few fields read together), strongest first."""

    name: str
    column: str
    levels: tuple[Level, ...]
    #: Further record columns the levels read (rules blocking on any of them, or on
    #: ``column``, do not train this comparison).
    also: tuple[str, ...] = field(default=())

    @property
    def labels(self) -> tuple[str, ...]:
        """Every level's label, the last being "else"."""
        return (*(lv.label for lv in self.levels), "else")

    @property
    def columns(self) -> tuple[str, ...]:
        """Every record column the comparison reads."""
        return (self.column, *self.also)


def level_expression(comparison: Comparison, pair: Pair) -> ir.IntegerValue:
    """The comparison's level of a pair, from its two records."""
    column = comparison.column
    cases = [(pair.left[column].isnull() | pair.right[column].isnull(), NULL_LEVEL)]
    cases += [(level.test(pair), k) for k, level in enumerate(comparison.levels)]
    return ibis.cases(*cases, else_=len(comparison.levels)).cast("int8")


def measures_wanted(comparisons: Sequence[Comparison], left: Side, right: Side) -> Pair:
    """The measures the comparisons' levels ask for, each once (:attr:`Pair.wanted`)."""
    pair = Pair(left, right)
    for comparison in comparisons:
        level_expression(comparison, pair)
    return pair


def _equal(column: str) -> Predicate:
    def test(pair: Pair) -> ir.BooleanValue:
        return pair.left[column] == pair.right[column]
    return test


def _similar(column: str, threshold: float) -> Predicate:
    def test(pair: Pair) -> ir.BooleanValue:
        return pair.measure("jw", jaro_winkler_similarity, column) >= threshold
    return test


def _edits(column: str, most: int) -> Predicate:
    def test(pair: Pair) -> ir.BooleanValue:
        return pair.measure(f"dl{most}", bounded_edits(most), column) <= most
    return test


def exact_comparison(column: str, *, term_frequency: bool = False) -> Comparison:
    """Equal or not: states, countries, street numbers, phones."""
    return Comparison(column, column, (Level("exact", _equal(column), term_frequency),))


def text_comparison(column: str, thresholds: Sequence[float] = (0.92, 0.8),
                    *, term_frequency: bool = True) -> Comparison:
    """Names, streets, towns: exact, then Jaro-Winkler similarity at ``thresholds``.

    Jaro-Winkler weighs the first letters most, as typing and transcription errors fall
    later in a word; the levels are those Splink's FEBRL examples use for names.
    """
    levels = [Level("exact", _equal(column), term_frequency)]
    levels += [Level(f"similarity >= {t:g}", _similar(column, t)) for t in thresholds]
    return Comparison(column, column, tuple(levels))


def identifier_comparison(column: str, *, edits: int = 1,
                          term_frequency: bool = False) -> Comparison:
    """Numbers and codes (ids, postcodes): exact, then within ``edits`` typing errors (a
    swapped or wrong digit), else different."""
    return Comparison(column, column, (
        Level("exact", _equal(column), term_frequency),
        Level(f"within {edits} edit{'s' if edits > 1 else ''}", _edits(column, edits))))


def date_comparison(column: str) -> Comparison:
    """Dates as digits (YYYYMMDD): exact, one edit (a mistyped digit or a swapped pair),
    same year and month, else."""
    def same_month(pair: Pair) -> ir.BooleanValue:
        return pair.left[column].substr(0, 6) == pair.right[column].substr(0, 6)

    return Comparison(column, column, (
        Level("exact", _equal(column)), Level("within 1 edit", _edits(column, 1)),
        Level("same year and month", same_month)))


def _shared_sound(sound: str) -> Predicate:
    def test(pair: Pair) -> ir.BooleanValue:
        left = pair.left[sound].split(" ")
        right = pair.right[sound].split(" ")
        return left.intersect(right).length() > 0
    return test


def name_comparison(column: str, sound: str, thresholds: Sequence[float] = (0.92, 0.8)
                    ) -> Comparison:
    """Names of firms or persons reduced to their words (see :mod:`.names`): the same
    words, then the same sounds (a spelling or transliteration variant: "bayotek" and
    "biotech"), then Jaro-Winkler similarity of the words at ``thresholds``, then a word
    in common (by sound).

    The last level splits what Jaro-Winkler leaves as "else": "S. King" and "Steven King",
    or a renamed firm that kept a word of its old name, share a word; a new firm at a
    burned firm's address ("Empire Trading" where "Lone Star Generics" was) shares none,
    and only then is the name strong evidence against a link."""
    levels = [Level("same words", _equal(column), term_frequency=True),
              Level("same sounds", _equal(sound))]
    levels += [Level(f"similarity >= {t:g}", _similar(column, t)) for t in thresholds]
    levels.append(Level("a word in common", _shared_sound(sound)))
    return Comparison(column, column, tuple(levels), also=(sound,))
