"""The group writer: many requests' work in one transaction, each unit on its own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from precursorwatch.exceptions import Conflict
from precursorwatch.exchange.audit import verify_chain
from precursorwatch.store import audit
from precursorwatch.store.models import AuditRow
from precursorwatch.store.session import Store
from tests.exchange_fixtures import seed_world


def _count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditRow)) or 0)


def test_a_failed_unit_rolls_back_alone_and_the_chain_stays_whole(db_url: str) -> None:
    seed_world(db_url)
    store = Store(db_url, pool_size=2)
    try:
        gate = threading.Event()

        def slow(session: Session) -> str:
            # Holds the writer so that the jobs below land in one batch.
            gate.wait(10)
            audit.append(session, caller=None, action="slow", outcome="ok")
            return "slow"

        def failing(session: Session) -> None:
            audit.append(session, caller=None, action="failing", outcome="ok")
            raise Conflict("changed by someone else")

        first = store.writer.submit(slow)
        entry = store.writer.log(caller=None, action="read", outcome="ok")
        failed = store.writer.submit(failing)
        cancelled = store.writer.submit(lambda session: audit.append(
            session, caller=None, action="cancelled", outcome="ok"))
        assert cancelled.cancel()
        last = store.writer.submit(lambda session: audit.append(
            session, caller=None, action="last", outcome="ok").seq)
        gate.set()
        assert first.result(10) == "slow"
        entry.result(10)
        with pytest.raises(Conflict):
            failed.result(10)
        assert last.result(10) > 0
        with store.read() as session:
            chain = list(audit.entries(session))
        verify_chain(chain)
        assert [e.action for e in chain] == ["slow", "read", "last"]
        # The writer goes on after a cancelled request.
        store.writer.log(caller=None, action="after", outcome="ok").result(10)
        assert _count(store) == 4
    finally:
        store.dispose()
