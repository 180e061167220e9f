"""Pre-export notifications: states, answers and deadlines, as pure functions.

The exporting nation's authority drafts a notification; a supervisor's release to the
importing nation sends it and starts the response window. The importing authority answers
with no objection, an objection (with a reason) or a request for information; the exporter
answers a request for information, which opens a new window. An unanswered notification
expires when the window closes: silence is never consent unless the exporting nation's
setting says so, in which case it becomes "no objection (by silence)".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from typing import Literal

import yaml

from precursorwatch.exceptions import Conflict, InputError

__all__ = [
    "Answer",
    "NationRules",
    "Status",
    "after_answer",
    "deadline",
    "default_nation_rules",
    "expiry_status",
]


class Status(StrEnum):
    """Where a notification stands."""

    DRAFT = "draft"
    PENDING = "pending"
    INFO_REQUESTED = "info_requested"
    NO_OBJECTION = "no_objection"
    OBJECTED = "objected"
    EXPIRED = "expired"
    NO_OBJECTION_BY_SILENCE = "no_objection_by_silence"


class Answer(StrEnum):
    """What the importing nation's authority says."""

    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    REQUEST_INFO = "request_info"


#: States in which an answer is awaited and the window runs.
OPEN = frozenset({Status.PENDING})
FINAL = frozenset({Status.NO_OBJECTION, Status.OBJECTED, Status.EXPIRED,
                   Status.NO_OBJECTION_BY_SILENCE})


@dataclass(frozen=True)
class NationRules:
    """A nation's response window for the notifications its exporters send."""

    code: str
    name: str
    response_days: int
    day_kind: Literal["calendar", "working"]
    silence_is_no_objection: bool
    source: str


def default_nation_rules() -> dict[str, NationRules]:
    """The shipped defaults (``exchange/data/nations.yaml``), each citing its source."""
    text = resources.files("precursorwatch.exchange").joinpath("data/nations.yaml").read_text(
        encoding="utf-8")
    rows = yaml.safe_load(text)
    return {row["code"]: NationRules(
        code=row["code"], name=row["name"], response_days=int(row["response_days"]),
        day_kind=row["day_kind"], silence_is_no_objection=bool(row["silence_is_no_objection"]),
        source=row["source"]) for row in rows}


def _add_working_days(start: date, days: int) -> date:
    # Monday to Friday; public holidays are not modelled, so the window may close a day or
    # two early around them (documented in docs/exchange.md).
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def deadline(sent_at: datetime, days: int, day_kind: Literal["calendar", "working"]) -> datetime:
    """When a window opened at ``sent_at`` closes: ``days`` calendar or working days later,
    at the same time of day."""
    if days < 1:
        raise InputError("must be at least 1", field="response_days")
    if day_kind == "calendar":
        return sent_at + timedelta(days=days)
    end = _add_working_days(sent_at.date(), days)
    return datetime.combine(end, sent_at.timetz())


def after_answer(status: Status, answer: Answer, reason: str | None) -> Status:
    """The state an answer leads to, or :class:`Conflict` when none is awaited."""
    if status not in OPEN:
        raise Conflict(f"the notification is {status.value}; no answer is awaited")
    if answer is not Answer.NO_OBJECTION and not (reason and reason.strip()):
        raise InputError("an objection or a request for information needs a reason",
                         field="reason")
    return {
        Answer.NO_OBJECTION: Status.NO_OBJECTION,
        Answer.OBJECTION: Status.OBJECTED,
        Answer.REQUEST_INFO: Status.INFO_REQUESTED,
    }[answer]


def expiry_status(status: Status, due: datetime | None, now: datetime,
                  silence_is_no_objection: bool) -> Status | None:
    """The state an open notification passes to when its window has closed, else None."""
    if status not in OPEN or due is None or now < due:
        return None
    return Status.NO_OBJECTION_BY_SILENCE if silence_is_no_objection else Status.EXPIRED
