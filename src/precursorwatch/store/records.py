"""Notifications, incidents and releases in the store, under the sharing policy.

Every function takes the caller and applies :mod:`precursorwatch.exchange.policy`: a record
the caller may not see raises :class:`NotFound` (indistinguishable from a missing one), an
action they may not take on a record they see raises :class:`AccessDenied`. State changes
are conditional updates, so of two concurrent answers exactly one wins and the other gets
:class:`Conflict`, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any, Literal, cast

from sqlalchemy import bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from precursorwatch.exceptions import (
    AccessDenied,
    Conflict,
    InputError,
    NotFound,
    PrecursorwatchError,
)
from precursorwatch.exchange.notifications import (
    Answer,
    Status,
    after_answer,
    deadline,
    expiry_status,
)
from precursorwatch.exchange.policy import (
    Caller,
    Marking,
    RecordAccess,
    can_answer,
    can_read,
    can_write,
    release_refusal,
)
from precursorwatch.store.models import (
    Agency,
    Base,
    Case,
    Incident,
    Nation,
    Notification,
    NotificationEvent,
    Release,
)

__all__ = [
    "INCIDENT",
    "NOTIFICATION",
    "Draft",
    "Loaded",
    "MustWrite",
    "NotificationFacts",
    "NotificationView",
    "answer_notification",
    "check_release",
    "create_incident",
    "create_notification",
    "create_notifications",
    "expire_due",
    "fetch_notifications",
    "get_case",
    "get_incident",
    "get_notification",
    "history",
    "list_incidents",
    "list_notifications",
    "marking_for",
    "notifications_for_shipment",
    "provide_information",
    "release_record",
    "releases_of",
    "require_writer",
    "view_notification",
    "view_of",
    "visible",
]

Kind = Literal["notification", "incident", "case"]
NOTIFICATION: Kind = "notification"
INCIDENT: Kind = "incident"
CASE: Kind = "case"
Row = Notification | Incident | Case
_AGENCY_ONLY = (Marking.RED.value, Marking.AMBER_STRICT.value)


@dataclass(frozen=True)
class Loaded:
    """A record with what the policy knows of it."""

    row: Row
    access: RecordAccess


def _agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    assert agency is not None  # a foreign key guarantees it
    return agency


def _released_to(session: Session, kind: Kind, record_id: int) -> frozenset[str]:
    return frozenset(session.scalars(select(Release.nation).where(
        Release.record_kind == kind, Release.record_id == record_id)).all())


def access_of(session: Session, kind: Kind, row: Row) -> RecordAccess:
    """What the policy needs to know about a stored record."""
    agency = _agency(session, row.owner_agency_id)
    return RecordAccess(owner_agency=agency.code, owner_nation=agency.nation,
                        marking=Marking(row.marking),
                        released_to=_released_to(session, kind, row.id))


def marking_for(session: Session, caller: Caller, marking: Marking | None) -> tuple[Agency,
                                                                                     Marking]:
    agency = session.scalar(select(Agency).where(Agency.code == caller.agency))
    assert agency is not None
    # No marking given: the owner agency's default, which is never TLP:CLEAR.
    return agency, marking if marking is not None else Marking(agency.default_marking)


def require_writer(caller: Caller) -> None:
    if not can_write(caller, RecordAccess(caller.agency, caller.nation, Marking.RED)):
        raise AccessDenied("only analysts and supervisors create records")


def visible(caller: Caller, kind: Kind, model: type[Row]) -> Any:
    """A SQL condition matching the records the caller may read (then checked again with
    :func:`can_read`, the one rule, so this only has to be no stricter than it)."""
    own_agency = select(Agency.id).where(Agency.code == caller.agency).scalar_subquery()
    nation_agencies = select(Agency.id).where(Agency.nation == caller.nation)
    released = exists().where(Release.record_kind == kind, Release.record_id == model.id,
                              Release.nation == caller.nation)
    return or_(model.owner_agency_id == own_agency,
               (model.marking.not_in(_AGENCY_ONLY)
                & or_(model.owner_agency_id.in_(nation_agencies), released)))


# -- notifications -----------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A notification to draft, as the caller asked for it."""

    caller: Caller
    importing_nation: str
    exporter: str
    importer: str
    substance: str
    cas_number: str | None
    quantity_kg: float
    shipment_id: str | None
    planned_export_date: date | None
    marking: Marking | None
    screening: dict[str, Any] | None


def create_notification(session: Session, draft: Draft) -> NotificationView:
    """A draft notification from the caller's agency; sent when a supervisor releases it to
    the importing nation."""
    made = create_notifications(session, [draft])[0]
    if isinstance(made, Exception):
        raise made
    return made


def create_notifications(session: Session, drafts: Sequence[Draft]
                         ) -> list[NotificationView | PrecursorwatchError]:
    """Many drafts at once, each from its caller's agency: in the drafts' order, each one's
    view, or the error that refuses it (nothing of a refused draft is written).

    Written with two multi-row inserts whatever the number of drafts (a new draft has one
    history step and no releases, so nothing is read back but the ids), after one look at
    the nations and agencies: drafting is the server's most frequent write, and the group
    writer hands it every draft of a batch together.
    """
    conn = session.connection()
    nations = set(conn.execute(_ALL_NATIONS).scalars())
    agencies = {a.code: a for a in conn.execute(
        _AGENCIES_BY_CODE, {"codes": sorted({d.caller.agency for d in drafts})})}
    now = datetime.now(UTC)
    made: list[NotificationView | PrecursorwatchError] = []
    values: list[dict[str, Any]] = []
    for draft in drafts:
        caller = draft.caller
        try:
            require_writer(caller)
            if draft.importing_nation not in nations:
                raise InputError(f"no nation {draft.importing_nation}",
                                 field="importing_nation")
            if draft.importing_nation == caller.nation:
                raise InputError("the importing nation must differ from the exporting "
                                 "nation", field="importing_nation")
        except PrecursorwatchError as error:
            made.append(error)
            continue
        agency = agencies[caller.agency]
        # No marking given: the owner agency's default, which is never TLP:CLEAR.
        chosen = (draft.marking if draft.marking is not None
                  else Marking(agency.default_marking))
        values.append({
            "owner_agency_id": agency.id, "marking": chosen.value,
            "exporting_nation": caller.nation, "importing_nation": draft.importing_nation,
            "exporter": draft.exporter, "importer": draft.importer,
            "substance": draft.substance, "cas_number": draft.cas_number,
            "quantity_kg": draft.quantity_kg, "shipment_id": draft.shipment_id,
            "planned_export_date": draft.planned_export_date.isoformat()
            if draft.planned_export_date else None,
            "screening": json.dumps(draft.screening, sort_keys=True)
            if draft.screening is not None else None,
            "status": Status.DRAFT.value, "sent_at": None, "due_at": None, "version": 1,
            "created_by": caller.user_id, "created_at": now})
        made.append(NotificationView(None, RecordAccess(
            owner_agency=caller.agency, owner_nation=caller.nation, marking=chosen), [], []))
    if not values:
        return made
    # One row goes as a plain insert: the many-rows form costs more for a single row.
    ids = (conn.execute(_INSERT_NOTIFICATIONS, values).scalars().all() if len(values) > 1
           else [conn.execute(_INSERT_NOTIFICATIONS, values[0]).scalar_one()])
    events = [{"notification_id": record_id, "at": now, "actor_id": row["created_by"],
               "from_status": None, "to_status": Status.DRAFT.value, "reason": "created"}
              for record_id, row in zip(ids, values, strict=True)]
    conn.execute(_INSERT_EVENTS, events if len(events) > 1 else events[0])
    written = iter(zip(ids, values, events, strict=True))
    for place, view in enumerate(made):
        if isinstance(view, NotificationView):
            record_id, row, event = next(written)
            made[place] = NotificationView(SimpleNamespace(id=record_id, **row), view.access,
                                           [SimpleNamespace(**event)], [])
    return made


class MustWrite(Exception):  # noqa: N818 - a signal to the caller, not an error
    """A read-only lookup found that the record must change before anyone reads it (a
    notification whose response window has closed): do the lookup again in a write
    transaction."""


@dataclass(frozen=True)
class NotificationView:
    """A notification read for display: its columns (``row``, a result row with the
    table's column names), what the policy knows of it, its status history and releases."""

    row: Any
    access: RecordAccess
    history: Sequence[Any]
    releases: Sequence[Any]


# The tables themselves, for plain SQL on the hottest paths.
_NOTIFICATIONS = Base.metadata.tables[Notification.__tablename__]
_NATIONS = Base.metadata.tables[Nation.__tablename__]
_AGENCIES = Base.metadata.tables[Agency.__tablename__]
_RELEASES = Base.metadata.tables[Release.__tablename__]
_EVENTS = Base.metadata.tables[NotificationEvent.__tablename__]
# Their statements, built once: building a statement costs more than SQLite running it.
_ALL_NATIONS = select(_NATIONS.c.code)
_AGENCIES_BY_CODE = select(_AGENCIES.c.id, _AGENCIES.c.code, _AGENCIES.c.default_marking
                           ).where(_AGENCIES.c.code.in_(bindparam("codes", expanding=True)))
_INSERT_NOTIFICATIONS = insert(_NOTIFICATIONS).returning(_NOTIFICATIONS.c.id,
                                                         sort_by_parameter_order=True)
_INSERT_EVENTS = insert(_EVENTS)
_NOTIFICATIONS_BY_ID = (
    select(_NOTIFICATIONS, _AGENCIES.c.code.label("owner_code"),
           _AGENCIES.c.nation.label("owner_nation"))
    .join(_AGENCIES, _AGENCIES.c.id == _NOTIFICATIONS.c.owner_agency_id)
    .where(_NOTIFICATIONS.c.id.in_(bindparam("ids", expanding=True))))
_RELEASES_OF = (
    select(_RELEASES.c.record_id, _RELEASES.c.nation, _RELEASES.c.released_by,
           _RELEASES.c.released_at, _RELEASES.c.reason)
    .where(_RELEASES.c.record_kind == bindparam("kind"),
           _RELEASES.c.record_id.in_(bindparam("ids", expanding=True)))
    .order_by(_RELEASES.c.id))
_EVENTS_OF = (
    select(_EVENTS.c.notification_id, _EVENTS.c.at, _EVENTS.c.from_status,
           _EVENTS.c.to_status, _EVENTS.c.reason)
    .where(_EVENTS.c.notification_id.in_(bindparam("ids", expanding=True)))
    .order_by(_EVENTS.c.id))


@dataclass(frozen=True)
class NotificationFacts:
    """What the store holds of one notification, before any caller's rights are checked:
    its columns with the owner's agency code and nation, its releases and its history."""

    row: Any
    releases: Sequence[Any]
    history: Sequence[Any]


def fetch_notifications(session: Session, record_ids: Sequence[int]
                        ) -> dict[int, NotificationFacts]:
    """The facts of many notifications in three queries whatever their number (missing ids
    are left out): the group writer reads every request's notification of a batch at
    once, instead of three queries per request."""
    ids = sorted(set(record_ids))
    conn = session.connection()
    rows = conn.execute(_NOTIFICATIONS_BY_ID, {"ids": ids}).all()
    if not rows:
        return {}
    releases: dict[int, list[Any]] = {row.id: [] for row in rows}
    history: dict[int, list[Any]] = {row.id: [] for row in rows}
    for release in conn.execute(_RELEASES_OF, {"kind": NOTIFICATION, "ids": list(releases)}):
        releases[release.record_id].append(release)
    for event in conn.execute(_EVENTS_OF, {"ids": list(history)}):
        history[event.notification_id].append(event)
    return {row.id: NotificationFacts(row, releases[row.id], history[row.id]) for row in rows}


def view_of(caller: Caller, record_id: int, facts: NotificationFacts | None,
            now: datetime) -> NotificationView:
    """The caller's view of a notification from its facts: the same rule as
    :func:`get_notification` (``can_read`` on the same facts). Raises :class:`NotFound`
    for a missing or hidden one, :class:`MustWrite` for one whose window has closed (it
    must be closed first)."""
    if facts is None:
        raise NotFound(f"no notification {record_id}")
    row = facts.row
    if (row.status == Status.PENDING.value and row.due_at is not None
            and now >= row.due_at):
        raise MustWrite(f"notification {record_id} is due to close")
    access = RecordAccess(owner_agency=row.owner_code, owner_nation=row.owner_nation,
                          marking=Marking(row.marking),
                          released_to=frozenset(r.nation for r in facts.releases))
    if not can_read(caller, access):
        raise NotFound(f"no notification {record_id}")
    return NotificationView(row, access, facts.history, facts.releases)


def view_notification(session: Session, caller: Caller, record_id: int) -> NotificationView:
    """One notification the caller may see, read-only, with plain SQL statements (see
    :func:`fetch_notifications` and :func:`view_of`)."""
    return view_of(caller, record_id, fetch_notifications(session, [record_id]).get(record_id),
                   datetime.now(UTC))


def expire_due(session: Session, now: datetime) -> int:
    """Close every notification whose window has passed: expired, or no objection by
    silence where the exporting nation's setting says so. Returns how many."""
    due = session.execute(
        select(Notification.id, Notification.status, Notification.due_at,
               Notification.version, Nation.silence_is_no_objection)
        .join(Nation, Nation.code == Notification.exporting_nation)
        .where(Notification.status == Status.PENDING.value, Notification.due_at < now)
    ).all()
    closed = 0
    for record_id, status, due_at, version, silence in due:
        new = expiry_status(Status(status), due_at, now, silence)
        if new is None:
            continue
        changed = session.execute(
            update(Notification)
            .where(Notification.id == record_id, Notification.version == version)
            .values(status=new.value, version=version + 1))
        if cast(Any, changed).rowcount == 1:
            session.add(NotificationEvent(notification_id=record_id, at=now, actor_id=None,
                                          from_status=status, to_status=new.value,
                                          reason="response window closed"))
            closed += 1
    return closed


def _expire_if_due(session: Session, row: Notification, now: datetime) -> None:
    if row.status != Status.PENDING.value or row.due_at is None or now < row.due_at:
        return
    nation = session.get(Nation, row.exporting_nation)
    assert nation is not None
    new = expiry_status(Status(row.status), row.due_at, now, nation.silence_is_no_objection)
    if new is None:
        return
    changed = session.execute(
        update(Notification).where(Notification.id == row.id,
                                   Notification.version == row.version)
        .values(status=new.value, version=row.version + 1))
    if cast(Any, changed).rowcount == 1:
        session.add(NotificationEvent(notification_id=row.id, at=now, actor_id=None,
                                      from_status=row.status, to_status=new.value,
                                      reason="response window closed"))
    session.refresh(row)


def get_notification(session: Session, caller: Caller, record_id: int) -> Loaded:
    """One notification the caller may see; one whose window has closed is closed first,
    so nobody reads (or answers) a stale "pending"."""
    row = session.get(Notification, record_id)
    if row is None:
        raise NotFound(f"no notification {record_id}")
    _expire_if_due(session, row, datetime.now(UTC))
    access = access_of(session, NOTIFICATION, row)
    if not can_read(caller, access):
        raise NotFound(f"no notification {record_id}")
    return Loaded(row, access)


def list_notifications(session: Session, caller: Caller, *, status: Status | None,
                       limit: int, offset: int) -> list[Loaded]:
    query = select(Notification).where(visible(caller, NOTIFICATION, Notification))
    if status is not None:
        query = query.where(Notification.status == status.value)
    rows = session.scalars(query.order_by(Notification.id).limit(limit).offset(offset)).all()
    loaded = [Loaded(row, access_of(session, NOTIFICATION, row)) for row in rows]
    return [item for item in loaded if can_read(caller, item.access)]


def notifications_for_shipment(session: Session, caller: Caller, shipment_id: str,
                               limit: int = 20) -> list[Loaded]:
    """The notifications about one shipment that the caller may see, newest first."""
    query = select(Notification).where(visible(caller, NOTIFICATION, Notification),
                                       Notification.shipment_id == shipment_id)
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit)).all()
    loaded = [Loaded(row, access_of(session, NOTIFICATION, row)) for row in rows]
    return [item for item in loaded if can_read(caller, item.access)]


def history(session: Session, record_id: int) -> Sequence[NotificationEvent]:
    return session.scalars(select(NotificationEvent).where(
        NotificationEvent.notification_id == record_id).order_by(NotificationEvent.id)).all()


def _transition(session: Session, row: Notification, caller: Caller, expected_version: int,
                new: Status, reason: str | None, **values: Any) -> None:
    old = row.status
    changed = session.execute(
        update(Notification)
        .where(Notification.id == row.id, Notification.status == old,
               Notification.version == expected_version)
        .values(status=new.value, version=expected_version + 1, **values))
    if cast(Any, changed).rowcount != 1:
        raise Conflict(f"notification {row.id} was changed by someone else; reload it and "
                       "decide again")
    session.add(NotificationEvent(notification_id=row.id, at=datetime.now(UTC),
                                  actor_id=caller.user_id, from_status=old,
                                  to_status=new.value, reason=reason))
    session.refresh(row)


def answer_notification(session: Session, caller: Caller, record_id: int, answer: Answer,
                        reason: str | None, version: int | None) -> Loaded:
    """The importing authority's answer. ``version``, when given, must be the one the
    reviewer saw; either way only one of two concurrent answers succeeds."""
    loaded = get_notification(session, caller, record_id)
    row = cast(Notification, loaded.row)
    if not can_answer(caller, loaded.access, row.importing_nation):
        raise AccessDenied("only analysts and supervisors of the importing nation answer")
    expected = row.version if version is None else version
    if expected != row.version:
        raise Conflict(f"notification {row.id} is at version {row.version}, not {expected}; "
                       "reload it and decide again")
    new = after_answer(Status(row.status), answer, reason)
    _transition(session, row, caller, expected, new, reason or answer.value)
    return Loaded(row, loaded.access)


def provide_information(session: Session, caller: Caller, record_id: int,
                        information: str) -> Loaded:
    """The exporter's reply to a request for information: the window opens again."""
    loaded = get_notification(session, caller, record_id)
    row = cast(Notification, loaded.row)
    if not can_write(caller, loaded.access):
        raise AccessDenied("only analysts and supervisors of the owner agency reply")
    if row.status != Status.INFO_REQUESTED.value:
        raise Conflict(f"the notification is {row.status}; no information was requested")
    nation = session.get(Nation, row.exporting_nation)
    assert nation is not None
    now = datetime.now(UTC)
    due = deadline(now, nation.response_days, cast(Any, nation.day_kind))
    _transition(session, row, caller, row.version, Status.PENDING, information, due_at=due)
    return Loaded(row, loaded.access)


# -- incidents ---------------------------------------------------------------------------


def create_incident(session: Session, caller: Caller, *, kind: str, occurred_on: date,
                    place: str, substances: list[dict[str, Any]], route: str | None,
                    modus_operandi: str | None, parties: list[dict[str, Any]], summary: str,
                    marking: Marking | None) -> Loaded:
    require_writer(caller)
    agency, chosen = marking_for(session, caller, marking)
    row = Incident(owner_agency_id=agency.id, marking=chosen.value, kind=kind,
                   occurred_on=occurred_on.isoformat(), place=place,
                   substances=json.dumps(substances, sort_keys=True), route=route,
                   modus_operandi=modus_operandi, parties=json.dumps(parties, sort_keys=True),
                   summary=summary, created_by=caller.user_id, created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return Loaded(row, access_of(session, INCIDENT, row))


def get_incident(session: Session, caller: Caller, record_id: int) -> Loaded:
    row = session.get(Incident, record_id)
    if row is None:
        raise NotFound(f"no incident {record_id}")
    access = access_of(session, INCIDENT, row)
    if not can_read(caller, access):
        raise NotFound(f"no incident {record_id}")
    return Loaded(row, access)


def list_incidents(session: Session, caller: Caller, *, limit: int, offset: int) -> list[Loaded]:
    query = select(Incident).where(visible(caller, INCIDENT, Incident))
    rows = session.scalars(query.order_by(Incident.id).limit(limit).offset(offset)).all()
    loaded = [Loaded(row, access_of(session, INCIDENT, row)) for row in rows]
    return [item for item in loaded if can_read(caller, item.access)]


def get_case(session: Session, caller: Caller, record_id: int) -> Loaded:
    row = session.get(Case, record_id)
    if row is None:
        raise NotFound(f"no case {record_id}")
    access = access_of(session, CASE, row)
    if not can_read(caller, access):
        raise NotFound(f"no case {record_id}")
    return Loaded(row, access)


GETTERS = {NOTIFICATION: get_notification, INCIDENT: get_incident, CASE: get_case}


# -- releases ----------------------------------------------------------------------------


def releases_of(session: Session, kind: Kind, record_id: int) -> Sequence[Release]:
    return session.scalars(select(Release).where(
        Release.record_kind == kind, Release.record_id == record_id).order_by(Release.id)).all()


def check_release(session: Session, caller: Caller, access: RecordAccess, nation: str,
                  what: str) -> None:
    """Refuse a release the sharing policy forbids, to a nation the store does not know,
    or made twice; every kind of record is released under the same rules."""
    refusal = release_refusal(caller, access, nation)
    if refusal is not None:
        raise AccessDenied(refusal)
    if session.get(Nation, nation) is None:
        raise InputError(f"no nation {nation}", field="nation")
    if nation in access.released_to:
        raise Conflict(f"the {what} is already released to {nation}")


def release_record(session: Session, caller: Caller, kind: Kind, record_id: int, nation: str,
                   reason: str) -> Loaded:
    """A supervisor's release of a record to another nation, with who, when and why.
    Releasing a draft notification to its importing nation sends it: the response window
    opens."""
    loaded = GETTERS[kind](session, caller, record_id)
    check_release(session, caller, loaded.access, nation, kind)
    now = datetime.now(UTC)
    session.add(Release(record_kind=kind, record_id=record_id, nation=nation,
                        released_by=caller.user_id, released_at=now, reason=reason))
    row = loaded.row
    if isinstance(row, Notification) and nation == row.importing_nation:
        if row.status != Status.DRAFT.value:
            raise Conflict(f"the notification is {row.status}, not a draft")
        exporting = session.get(Nation, row.exporting_nation)
        assert exporting is not None
        due = deadline(now, exporting.response_days, cast(Any, exporting.day_kind))
        _transition(session, row, caller, row.version, Status.PENDING,
                    f"sent to {nation}: {reason}", sent_at=now, due_at=due)
    session.flush()
    return Loaded(row, access_of(session, kind, row))
