"""The operational store's tables (SQLAlchemy 2 typed models).

Every schema change here is also an Alembic migration under ``migrations/versions``; a test
checks that the two agree. API schemas live apart, in ``api/schemas.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ActionItem",
    "Agency",
    "Alert",
    "ApiToken",
    "AuditRow",
    "Base",
    "Case",
    "CaseLink",
    "Entity",
    "EntityLink",
    "EntityShipment",
    "Incident",
    "Nation",
    "Notification",
    "NotificationEvent",
    "Release",
    "UTCDateTime",
    "User",
    "UserRole",
]

#: Every constraint gets a predictable name, so migrations can drop it on any database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in UTC, stored without zone and read back aware, the same on SQLite and
    PostgreSQL (so audit hashes over timestamps recompute identically on both)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


_UTC = UTCDateTime()


class Nation(Base):
    """A nation and the response window its exporters' notifications get."""

    __tablename__ = "nations"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    response_days: Mapped[int] = mapped_column(Integer)
    day_kind: Mapped[str] = mapped_column(String(10))
    silence_is_no_objection: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)


class Agency(Base):
    """An agency of one nation, with the marking its records get when none is given."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nation: Mapped[str] = mapped_column(ForeignKey("nations.code"))
    default_marking: Mapped[str] = mapped_column(String(20))


class User(Base):
    """A person (or system) acting for one agency."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: argon2id hash, when the user has a password at all (tokens need none).
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(_UTC)


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class ApiToken(Base):
    """A bearer token, stored only as the SHA-256 of the token (which has 256 random bits)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(_UTC)
    revoked_at: Mapped[datetime | None] = mapped_column(_UTC)


class Notification(Base):
    """A pre-export notification from the exporting nation to the importing nation."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    marking: Mapped[str] = mapped_column(String(20))
    exporting_nation: Mapped[str] = mapped_column(ForeignKey("nations.code"))
    importing_nation: Mapped[str] = mapped_column(ForeignKey("nations.code"))
    exporter: Mapped[str] = mapped_column(String(300))
    importer: Mapped[str] = mapped_column(String(300))
    substance: Mapped[str] = mapped_column(String(200))
    cas_number: Mapped[str | None] = mapped_column(String(20))
    quantity_kg: Mapped[float] = mapped_column(Float)
    shipment_id: Mapped[str | None] = mapped_column(String(100))
    planned_export_date: Mapped[str | None] = mapped_column(String(10))
    #: Screening output attached by the exporter (JSON text: score, reasons...).
    screening: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime | None] = mapped_column(_UTC)
    due_at: Mapped[datetime | None] = mapped_column(_UTC)
    #: Bumped by every change; an answer names the version it answers (409 if stale).
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(_UTC)


class NotificationEvent(Base):
    """One step of a notification's status history."""

    __tablename__ = "notification_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    at: Mapped[datetime] = mapped_column(_UTC)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)


class Incident(Base):
    """A seizure, stopped shipment, suspicious order or theft."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    marking: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[str] = mapped_column(String(10))
    place: Mapped[str] = mapped_column(String(300))
    #: JSON text: [{"substance", "cas_number", "quantity_kg"}].
    substances: Mapped[str] = mapped_column(Text)
    route: Mapped[str | None] = mapped_column(Text)
    modus_operandi: Mapped[str | None] = mapped_column(Text)
    #: JSON text: [{"name", "role", "country"}].
    parties: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(_UTC)


class Release(Base):
    """A supervisor's release of one record to another nation: who, when and why."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("record_kind", "record_id", "nation",
                                       name="uq_releases_record"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(Integer)
    nation: Mapped[str] = mapped_column(ForeignKey("nations.code"))
    released_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(_UTC)
    reason: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    """One entry of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(_UTC)
    actor: Mapped[str | None] = mapped_column(String(100))
    agency: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    record_kind: Mapped[str | None] = mapped_column(String(30))
    record_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Case(Base):
    """A joint operation: gathers notifications, incidents, shipments and entities, with
    action items."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    marking: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(_UTC)


class CaseLink(Base):
    """One thing a case gathers: a notification or incident by id, a shipment or an entity
    by its identifier in the contract or FtM data."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "kind", "ref", name="uq_case_links_item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(200))
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(_UTC)


class ActionItem(Base):
    """Something an agency has to do for a case, by a date."""

    __tablename__ = "action_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    due_on: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(_UTC)
    done_at: Mapped[datetime | None] = mapped_column(_UTC)


class Alert(Base):
    """A screened consignment sent to the server for review, and the reviewer's decision.

    ``row`` keeps the consignment as screened; the columns after ``created_at`` repeat
    the few of its fields that the queue filters on and the consignment page looks up, so
    that indexes serve those queries instead of a scan of every row's JSON text. They are
    filled on upload by ``store.alerts.indexed_fields`` (migration 0005 backfilled older
    alerts the same way) and never change after.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_lane", "export_country", "import_country"),
        Index("ix_alerts_import_country", "import_country"),
        Index("ix_alerts_cas_number", "cas_number"),
        # With the id, so "the newest alerts of this party" walks one index backwards.
        Index("ix_alerts_exporter_key", "exporter_key", "id"),
        Index("ix_alerts_importer_key", "importer_key", "id"),
        # The queue's default order (score, newest first among equal scores), open alerts
        # or all: a page is the next 50 entries of one index, not a sort of every alert.
        # Owner and marking ride along so that the visibility test and the count read the
        # index alone, whether or not the database has statistics to prefer a scan.
        Index("ix_alerts_decision_score", "decision", "score", "id", "owner_agency_id",
              "marking"),
        Index("ix_alerts_score", "score", "id", "owner_agency_id", "marking"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    marking: Mapped[str] = mapped_column(String(20))
    shipment_id: Mapped[str] = mapped_column(String(100), index=True)
    source: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    #: JSON text: the reasons, most important first.
    reasons: Mapped[str] = mapped_column(Text)
    #: JSON text: the consignment's contract row as screened, to turn back into history.
    row: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(10))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(_UTC)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(_UTC)
    #: The row's CAS number in its canonical form (None when it has none that parses).
    cas_number: Mapped[str | None] = mapped_column(String(20))
    #: The row's two-letter country codes, upper case (None when not two letters).
    export_country: Mapped[str | None] = mapped_column(String(2))
    import_country: Mapped[str | None] = mapped_column(String(2))
    #: The row's exporter and importer names as written, cut to 200 characters (a longer
    #: name is matched against the row as well, so the match stays exact).
    exporter_key: Mapped[str | None] = mapped_column(String(200))
    importer_key: Mapped[str | None] = mapped_column(String(200))


class Entity(Base):
    """A firm or person resolved by ``precursorwatch resolve``, as uploaded by one agency:
    marked and released like every other record. Each agency keeps its own copy of an
    entity (its FtM id is unique per owner agency), so one agency's upload never changes
    what another shared."""

    __tablename__ = "entities"
    __table_args__ = (UniqueConstraint("owner_agency_id", "key", name="uq_entities_owner_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    marking: Mapped[str] = mapped_column(String(20))
    #: The FollowTheMoney id from `resolve` (``pw-entity-...``), stable across runs.
    key: Mapped[str] = mapped_column(String(100), index=True)
    schema: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300), index=True)
    #: JSON text: the FtM properties (alias, address, registrationNumber, country...).
    properties: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(_UTC)


class EntityShipment(Base):
    """A shipment an entity took part in, and as what (exporter, importer, consignee)."""

    __tablename__ = "entity_shipments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    shipment_id: Mapped[str] = mapped_column(String(100), index=True)
    source: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))


class EntityLink(Base):
    """A tie between two entities of the same owner from the network build: its weight,
    what they share (trade, address, phone...) and how many such things."""

    __tablename__ = "entity_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    weight: Mapped[float] = mapped_column(Float)
    kinds: Mapped[str] = mapped_column(String(200))
    shared: Mapped[int] = mapped_column(Integer)
