"""The group writer: many requests' work in one transaction, each unit on its own; reads
looked up many at once; bulk items written together, each failing on its own."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy import func, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from precursorwatch.exceptions import Conflict, NotFound
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


def test_a_batchs_lookups_share_one_fetch_and_only_answered_reads_are_logged(
        db_url: str) -> None:
    seed_world(db_url)
    store = Store(db_url, pool_size=2)
    asked: list[list[int]] = []
    try:
        gate = threading.Event()
        held = store.writer.submit(lambda session: gate.wait(10))

        def fetch(session: Session, keys: Sequence[int]) -> dict[int, int]:
            asked.append(list(keys))
            # A real query in the read transaction: each key's square, 3 missing.
            return {k: int(session.scalar(select(literal(k) * k)) or 0) for k in keys
                    if k != 3}

        def finish(found: int | None) -> int:
            if found is None:
                raise NotFound("no such thing")
            return found

        futures = {k: store.writer.lookup(fetch, k, finish, caller=None, action="read",
                                          record_kind="thing", record_id=k)
                   for k in (1, 2, 3, 4)}
        cancelled = store.writer.lookup(fetch, 5, finish, caller=None, action="read",
                                        record_kind="thing", record_id=5)
        assert cancelled.cancel()
        gate.set()
        held.result(10)
        assert [futures[k].result(10) for k in (1, 2, 4)] == [1, 4, 16]
        with pytest.raises(NotFound):
            futures[3].result(10)
        # One fetch for the four reads of the batch; the cancelled one was not read.
        assert asked == [[1, 2, 3, 4]]
        with store.read() as session:
            chain = list(audit.entries(session))
        verify_chain(chain)
        assert [e.record_id for e in chain] == [1, 2, 4]
    finally:
        store.dispose()


def test_bulk_items_run_together_and_a_failing_bulk_falls_back_to_each_item(
        db_url: str) -> None:
    seed_world(db_url)
    store = Store(db_url, pool_size=2)
    calls: list[list[str]] = []
    try:
        gate = threading.Event()
        held = store.writer.submit(lambda session: gate.wait(10))

        def bulk(session: Session, items: Sequence[str]) -> list[str | Exception]:
            calls.append(list(items))
            out: list[str | Exception] = []
            for item in items:
                if item == "refused":
                    out.append(Conflict("refused"))
                    continue
                audit.append_later(session, caller=None, action=item, outcome="ok")
                if item == "broken":
                    # A store error in the middle of the bulk: its savepoint is rolled
                    # back with the entries already kept back.
                    session.execute(text("SELECT * FROM no_such_table"))
                out.append(item.upper())
            return out

        futures = {item: store.writer.submit_bulk(bulk, item)
                   for item in ("a", "refused", "broken", "b")}
        gate.set()
        held.result(10)
        assert futures["a"].result(10) == "A"
        assert futures["b"].result(10) == "B"
        with pytest.raises(Conflict):
            futures["refused"].result(10)
        with pytest.raises(DBAPIError):
            futures["broken"].result(10)
        assert calls == [["a", "refused", "broken", "b"], ["a"], ["refused"], ["broken"],
                         ["b"]]
        with store.read() as session:
            chain = list(audit.entries(session))
        verify_chain(chain)
        assert [e.action for e in chain] == ["a", "b"]
    finally:
        store.dispose()
