"""Appending to and reading the audit trail kept in the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from precursorwatch.exchange.audit import GENESIS, AuditEntry, entry_hash
from precursorwatch.exchange.policy import Caller
from precursorwatch.store.models import AuditRow, Base

__all__ = ["append", "append_later", "entries", "flush_later", "head_mark", "lock_head",
           "reset_head"]

#: pg_advisory_xact_lock key that serialises appends to the chain on PostgreSQL.
_AUDIT_LOCK = 7_001_007
#: Where a transaction keeps the chain's head once it holds the chain's lock.
_HEAD = "precursorwatch.audit_head"
# The table itself, not the mapped class: a Core insert skips the ORM's unit of work, which
# costs more than the insert on a hot path.
_TABLE = Base.metadata.tables[AuditRow.__tablename__]
# Built once and run on the connection: every batch of the group writer runs them, and
# through the ORM's session they cost several times SQLite's own work.
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_HEAD_ROW = select(_TABLE.c.seq, _TABLE.c.hash).order_by(_TABLE.c.seq.desc()).limit(1)
_INSERT = insert(_TABLE)


@dataclass
class _Head:
    """The chain's head as this transaction sees it, and entries not yet inserted."""

    seq: int
    hash: str
    pending: list[dict[str, Any]] = field(default_factory=list)


def _head(session: Session) -> _Head:
    """The head, read once per transaction after taking the chain's lock: later appends in
    the same transaction follow on in memory instead of asking the database again."""
    head: _Head | None = session.info.get(_HEAD)
    if head is None:
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            conn.execute(_LOCK, {"key": _AUDIT_LOCK})
        row = conn.execute(_HEAD_ROW).first()
        head = _Head(row[0], row[1]) if row else _Head(0, GENESIS)
        session.info[_HEAD] = head
    return head


def _next(session: Session, caller: Caller | None, action: str, outcome: str,
          record_kind: str | None, record_id: int | None, detail: str) -> dict[str, Any]:
    head = _head(session)
    seq = head.seq + 1
    at = datetime.now(UTC)
    actor = caller.username if caller else None
    agency = caller.agency if caller else None
    digest = entry_hash(head.hash, seq=seq, at=at, actor=actor, agency=agency, action=action,
                        record_kind=record_kind, record_id=record_id, outcome=outcome,
                        detail=detail)
    row = {"seq": seq, "at": at, "actor": actor, "agency": agency, "action": action,
           "record_kind": record_kind, "record_id": record_id, "outcome": outcome,
           "detail": detail, "prev_hash": head.hash, "hash": digest}
    head.seq, head.hash = seq, digest
    return row


def append(session: Session, *, caller: Caller | None, action: str, outcome: str,
           record_kind: str | None = None, record_id: int | None = None,
           detail: str = "") -> AuditEntry:
    """Append one entry in the caller's transaction, so it commits or rolls back with the
    work it records. Call it last in the unit of work: on PostgreSQL it holds the chain's
    lock until commit (SQLite's write lock already serialises)."""
    row = _next(session, caller, action, outcome, record_kind, record_id, detail)
    session.connection().execute(_INSERT, row)
    return AuditEntry(**row)


def append_later(session: Session, *, caller: Caller | None, action: str, outcome: str,
                 record_kind: str | None = None, record_id: int | None = None,
                 detail: str = "") -> None:
    """Like :func:`append`, but the row is inserted by :func:`flush_later` together with
    the transaction's other such entries (one statement for many reads' entries)."""
    _head(session).pending.append(
        _next(session, caller, action, outcome, record_kind, record_id, detail))


def flush_later(session: Session) -> None:
    """Insert the entries :func:`append_later` kept back; call before committing."""
    head: _Head | None = session.info.get(_HEAD)
    if head is not None and head.pending:
        conn = session.connection()
        conn.execute(_INSERT, head.pending if len(head.pending) > 1 else head.pending[0])
        head.pending = []


def lock_head(session: Session) -> None:
    """Take the chain's lock and read its head now, before any savepoint, so that every
    unit of a batch follows on from it in memory."""
    _head(session)


def head_mark(session: Session) -> tuple[int, str, int] | None:
    """Where the chain stands in this transaction, to go back to with :func:`reset_head`
    when a savepoint that may have appended is rolled back."""
    head: _Head | None = session.info.get(_HEAD)
    return (head.seq, head.hash, len(head.pending)) if head is not None else None


def reset_head(session: Session, mark: tuple[int, str, int] | None) -> None:
    head: _Head | None = session.info.get(_HEAD)
    if head is None:
        return
    if mark is None:
        # The head was first read inside the savepoint: read it again when next needed.
        del session.info[_HEAD]
        return
    head.seq, head.hash = mark[0], mark[1]
    del head.pending[mark[2]:]


def entries(session: Session, batch: int = 10_000) -> Iterator[AuditEntry]:
    """Every entry in order of ``seq``, streamed."""
    result = session.execute(select(AuditRow).order_by(AuditRow.seq).execution_options(
        yield_per=batch))
    for row in result.scalars():
        yield AuditEntry(seq=row.seq, at=row.at, actor=row.actor, agency=row.agency,
                         action=row.action, record_kind=row.record_kind,
                         record_id=row.record_id, outcome=row.outcome, detail=row.detail,
                         prev_hash=row.prev_hash, hash=row.hash)
