"""Notification states and deadlines, and the shipped per-nation rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from precursorwatch.exceptions import Conflict, InputError
from precursorwatch.exchange.notifications import (
    Answer,
    Status,
    after_answer,
    deadline,
    default_nation_rules,
    expiry_status,
)


def test_shipped_rules_cite_their_source() -> None:
    rules = default_nation_rules()
    assert (rules["US"].response_days, rules["US"].day_kind) == (15, "calendar")
    assert "1313.21" in rules["US"].source
    assert (rules["IN"].response_days, rules["IN"].day_kind) == (21, "working")
    assert "Regulation of Controlled Substances" in rules["IN"].source
    assert not any(r.silence_is_no_objection for r in rules.values())


def test_working_days_skip_weekends() -> None:
    friday = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    assert deadline(friday, 1, "working") == datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    assert deadline(friday, 5, "working") == datetime(2026, 12, 11, 10, 30, tzinfo=UTC)
    assert deadline(friday, 15, "calendar") == datetime(2026, 12, 19, 10, 30, tzinfo=UTC)
    with pytest.raises(InputError):
        deadline(friday, 0, "calendar")


def test_answers_lead_to_states_and_only_pending_is_answerable() -> None:
    assert after_answer(Status.PENDING, Answer.NO_OBJECTION, None) is Status.NO_OBJECTION
    assert after_answer(Status.PENDING, Answer.OBJECTION, "why") is Status.OBJECTED
    assert after_answer(Status.PENDING, Answer.REQUEST_INFO, "what") is Status.INFO_REQUESTED
    with pytest.raises(InputError, match="reason"):
        after_answer(Status.PENDING, Answer.OBJECTION, "  ")
    for status in Status:
        if status is not Status.PENDING:
            with pytest.raises(Conflict):
                after_answer(status, Answer.NO_OBJECTION, None)


def test_silence_is_not_consent_by_default() -> None:
    due = datetime(2026, 12, 1, tzinfo=UTC)
    later = datetime(2026, 12, 2, tzinfo=UTC)
    assert expiry_status(Status.PENDING, due, later, False) is Status.EXPIRED
    assert expiry_status(Status.PENDING, due, later, True) is Status.NO_OBJECTION_BY_SILENCE
    assert expiry_status(Status.PENDING, later, due, False) is None
    assert expiry_status(Status.OBJECTED, due, later, False) is None
