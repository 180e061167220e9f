"""The law's verdict on each distinct consignment shape, for the ``regulated`` output column
and the pre-export notification red flag.

The registry's rules read the substances, the two countries, the quantity, the unit and the
concentration; rows that agree on these get the same verdict, so each distinct combination
is judged once (only rows with a controlled substance need judging at all).
"""

from __future__ import annotations

import pyarrow as pa

from precursorwatch.registry.rules import Consignment, judge
from precursorwatch.registry.substances import Registry

__all__ = ["VERDICT_KEYS", "verdict_facts"]

#: The columns a verdict depends on.
VERDICT_KEYS: tuple[str, ...] = ("substances", "export_country", "import_country", "quantity",
                                 "unit", "concentration_pct")


def verdict_facts(keys: pa.Table, registry: Registry) -> pa.Table:
    """``keys`` (columns :data:`VERDICT_KEYS`, distinct) with ``regulated``,
    ``pen_expected`` and ``rules`` (the sentences of the rules that apply, ``;``-joined)."""
    columns = [keys.column(k).to_pylist() for k in VERDICT_KEYS]
    regulated: list[bool] = []
    pen: list[bool] = []
    rules: list[str] = []
    for names, export, destination, quantity, unit, concentration in zip(*columns,
                                                                        strict=True):
        found = [s for s in (registry.by_name(n) for n in (names or "").split(";") if n)
                 if s is not None]
        verdict = judge(found, Consignment(export, destination, quantity, unit or None,
                                           concentration))
        regulated.append(verdict.regulated)
        pen.append(verdict.pen_expected)
        rules.append(";".join(r.sentence for r in verdict.results if r.applies))
    return keys.append_column("regulated", pa.array(regulated, pa.bool_())).append_column(
        "pen_expected", pa.array(pen, pa.bool_())).append_column(
        "rules", pa.array(rules, pa.string()))
