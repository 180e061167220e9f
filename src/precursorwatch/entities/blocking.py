"""Which pairs of records are compared at all: blocking.

Comparing every record with every other is quadratic: a million records make half a
trillion pairs. A blocking rule compares only records that agree exactly on a few derived
keys (same surname and birth year; same postcode). Several rules are combined, so a pair
missed by one (a typo in the surname) is found by another (same date of birth).

A key shared by very many records is not evidence of anything and explodes the pairs:
legal forms ("PVT LTD"), a forwarder's address, a default date. Each rule's blocks larger
than ``max_block`` records are left out of that rule and reported, so that an analyst sees
which values were too common to block on instead of a run that never ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from precursorwatch.exceptions import UsageError

__all__ = ["NEW", "REPORTED_BLOCKS", "ROW", "SIDE", "BlockReport", "Rule", "block_sizes",
           "candidate_pairs", "rule_pairs"]

#: The record's row number in the (combined) input: pairs refer to records by it.
ROW = "_row"
#: 0 for the first input, 1 for the second when two tables are linked.
SIDE = "_side"
#: 1 for a record that an earlier run did not resolve, when resolving incrementally.
NEW = "_new"
#: Rules one run may have: each is a bit of a pair's ``_rules``, a 32-bit integer.
_MAX_RULES = 31
#: Blocks listed in a report, largest first.
REPORTED_BLOCKS = 5


@dataclass(frozen=True)
class Rule:
    """Records are compared when they agree on every one of ``keys`` (all non-empty)."""

    keys: tuple[str, ...]

    @property
    def name(self) -> str:
        return " & ".join(self.keys)


@dataclass(frozen=True)
class BlockReport:
    """A rule's largest blocks: (key values, records), and which were left out."""

    rule: str
    pairs: int
    largest: tuple[tuple[str, int], ...]
    skipped: tuple[tuple[str, int], ...]


def _keyed(records: ir.Table, rule: Rule) -> ir.Table:
    """Records with every key of ``rule`` present."""
    present = [records[k].notnull() for k in rule.keys]
    return records.filter(*present)


def block_sizes(records: ir.Table, rule: Rule) -> ir.Table:
    """Records per block of ``rule``: its key columns and ``n``."""
    keyed = _keyed(records, rule)
    return keyed.group_by(list(rule.keys)).aggregate(n=keyed.count())


def rule_pairs(sizes: ir.Table, max_block: int) -> ir.Scalar:
    """How many pairs a rule would compare, from its :func:`block_sizes` (the blocks up
    to ``max_block`` records)."""
    sizes = sizes.filter(sizes.n <= max_block)
    return (sizes.n * (sizes.n - 1) / 2).sum().fill_null(0)


def candidate_pairs(records: ir.Table, rules: Sequence[Rule], *, link: bool,
                    max_block: int, only_new: bool = False,
                    sizes: Sequence[ir.Table] | None = None
                    ) -> tuple[ir.Table, list[ir.Table]]:
    """Distinct pairs (``_row_l`` < ``_row_r``) that some rule compares, with ``_rules``,
    the rules that found the pair (bit ``k`` for rule ``k``); and per rule its block sizes
    (for the report).

    ``records`` has :data:`ROW`, :data:`SIDE` and the key columns. When ``link``, only pairs
    across the two sides are made (side 0 on the left); otherwise every pair once. With
    ``only_new``, only pairs with at least one record whose :data:`NEW` is 1: the pairs
    among the others were compared by an earlier run. ``sizes`` are the rules'
    :func:`block_sizes` where the caller has them already.
    """
    found: list[ir.Table] = []
    sizes = list(sizes) if sizes is not None else [block_sizes(records, r) for r in rules]
    for index, rule in enumerate(rules):
        blocks = sizes[index]
        small = blocks.filter(blocks.n <= max_block).drop("n")
        keyed = _keyed(records, rule).select(ROW, SIDE, *rule.keys,
                                             *((NEW,) if only_new else ()))
        keyed = keyed.semi_join(small, list(rule.keys))
        left, right = keyed.view(), keyed.view()
        conditions = [left[k] == right[k] for k in rule.keys]
        conditions.append((left[SIDE] < right[SIDE]) if link else (left[ROW] < right[ROW]))
        if only_new:
            conditions.append((left[NEW] == 1) | (right[NEW] == 1))
        joined = left.join(right, conditions, lname="{name}_l", rname="{name}_r")
        found.append(joined.select(
            _row_l=joined[f"{ROW}_l"] if f"{ROW}_l" in joined.columns else joined[ROW],
            _row_r=joined[f"{ROW}_r"], _rules=ibis.literal(1 << index, "int64")))
    pairs = ibis.union(*found, distinct=False)
    # A rule finds a pair once, so the sum of the rules' bits is their union (a portable
    # bit_or: Ibis compiles none for Spark).
    if len(rules) > _MAX_RULES:
        raise UsageError(f"at most {_MAX_RULES} blocking rules can be used at once, not "
                         f"{len(rules)} (rules that compare too many pairs are split in "
                         f"two by name initials): give fewer in the settings file")
    # Kept as a 32-bit integer, not the 128-bit sum: millions of pairs are stored with it.
    return pairs.group_by(["_row_l", "_row_r"]).aggregate(
        _rules=pairs._rules.sum().cast("int32")), sizes
