"""Appending to and reading the audit trail kept in the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from precursorwatch.exchange.audit import GENESIS, AuditEntry, entry_hash
from precursorwatch.exchange.policy import Caller
from precursorwatch.store.models import AuditRow

__all__ = ["append", "entries"]

#: pg_advisory_xact_lock key that serialises appends to the chain on PostgreSQL.
_AUDIT_LOCK = 7_001_007


def append(session: Session, *, caller: Caller | None, action: str, outcome: str,
           record_kind: str | None = None, record_id: int | None = None,
           detail: str = "") -> AuditEntry:
    """Append one entry in the caller's transaction, so it commits or rolls back with the
    work it records. Call it last in the unit of work: on PostgreSQL it holds the chain's
    lock until commit (SQLite's write lock already serialises)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK})
    head = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)).first()
    seq = head[0] + 1 if head else 1
    prev = head[1] if head else GENESIS
    at = datetime.now(UTC)
    actor = caller.username if caller else None
    agency = caller.agency if caller else None
    digest = entry_hash(prev, seq=seq, at=at, actor=actor, agency=agency, action=action,
                        record_kind=record_kind, record_id=record_id, outcome=outcome,
                        detail=detail)
    session.add(AuditRow(seq=seq, at=at, actor=actor, agency=agency, action=action,
                         record_kind=record_kind, record_id=record_id, outcome=outcome,
                         detail=detail, prev_hash=prev, hash=digest))
    session.flush()
    return AuditEntry(seq=seq, at=at, actor=actor, agency=agency, action=action,
                      record_kind=record_kind, record_id=record_id, outcome=outcome,
                      detail=detail, prev_hash=prev, hash=digest)


def entries(session: Session, batch: int = 10_000) -> Iterator[AuditEntry]:
    """Every entry in order of ``seq``, streamed."""
    result = session.execute(select(AuditRow).order_by(AuditRow.seq).execution_options(
        yield_per=batch))
    for row in result.scalars():
        yield AuditEntry(seq=row.seq, at=row.at, actor=row.actor, agency=row.agency,
                         action=row.action, record_kind=row.record_kind,
                         record_id=row.record_id, outcome=row.outcome, detail=row.detail,
                         prev_hash=row.prev_hash, hash=row.hash)
