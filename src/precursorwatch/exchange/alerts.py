"""Reviewers' decisions on screening alerts, turned back into labelled history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

__all__ = ["OUTCOME_OF", "history_rows"]

#: A stopped consignment was diverted; a cleared one legitimate. A referred one is still
#: under investigation, so it has no outcome yet and stays out of the history.
OUTCOME_OF: dict[str, Literal["diverted", "legitimate"] | None] = {
    "stopped": "diverted", "cleared": "legitimate", "referred": None}


def history_rows(decided: Iterable[tuple[str, Mapping[str, object]]],
                 fields: Iterable[str]) -> list[dict[str, str | None]]:
    """Contract rows with ``outcome`` filled from each (decision, row) pair, in the
    contract's columns; rows without a final decision are left out."""
    columns = list(fields)
    rows = []
    for decision, row in decided:
        outcome = OUTCOME_OF.get(decision)
        if outcome is None:
            continue
        values: dict[str, str | None] = {
            name: None if row.get(name) in (None, "") else str(row.get(name))
            for name in columns}
        values["outcome"] = outcome
        rows.append(values)
    return rows
