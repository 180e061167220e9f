"""Cases (joint operations), what they gather, their action items, and the working group's
overview, under the same sharing policy as every record."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any, Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from precursorwatch.exceptions import AccessDenied, Conflict, InputError, NotFound
from precursorwatch.exchange.policy import Caller, Marking, RecordAccess, can_read, can_write
from precursorwatch.store.models import (
    ActionItem,
    Agency,
    Case,
    CaseLink,
    Incident,
    Notification,
    NotificationEvent,
)
from precursorwatch.store.records import (
    CASE,
    GETTERS,
    INCIDENT,
    NOTIFICATION,
    Loaded,
    access_of,
    get_case,
    marking_for,
    require_writer,
    visible,
)

__all__ = [
    "LinkKind",
    "actions_of",
    "add_action",
    "add_link",
    "close_action",
    "create_case",
    "list_cases",
    "overview",
    "visible_links",
]

LinkKind = Literal["notification", "incident", "shipment", "entity"]


def create_case(session: Session, caller: Caller, *, title: str, summary: str,
                marking: Marking | None) -> Loaded:
    require_writer(caller)
    agency, chosen = marking_for(session, caller, marking)
    row = Case(owner_agency_id=agency.id, marking=chosen.value, title=title, summary=summary,
               status="open", created_by=caller.user_id, created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return Loaded(row, access_of(session, CASE, row))


def list_cases(session: Session, caller: Caller, *, limit: int, offset: int) -> list[Loaded]:
    rows = session.scalars(select(Case).where(visible(caller, CASE, Case)).order_by(Case.id)
                           .limit(limit).offset(offset)).all()
    loaded = [Loaded(row, access_of(session, CASE, row)) for row in rows]
    return [item for item in loaded if can_read(caller, item.access)]


def _writable_case(session: Session, caller: Caller, case_id: int) -> Loaded:
    loaded = get_case(session, caller, case_id)
    if not can_write(caller, loaded.access):
        raise AccessDenied("only analysts and supervisors of the case's agency change it")
    return loaded


def add_link(session: Session, caller: Caller, case_id: int, kind: LinkKind,
             ref: str) -> Loaded:
    """Gather a record into the case. A notification or incident must exist and be
    readable by the caller (else 404, as for any hidden record)."""
    loaded = _writable_case(session, caller, case_id)
    if kind in (NOTIFICATION, INCIDENT):
        if not ref.isdigit():
            raise InputError(f"a {kind} is linked by its numeric id", field="ref")
        GETTERS[cast(Any, kind)](session, caller, int(ref))
    exists = session.scalar(select(CaseLink).where(
        CaseLink.case_id == case_id, CaseLink.kind == kind, CaseLink.ref == ref))
    if exists is not None:
        raise Conflict(f"the case already gathers {kind} {ref}")
    session.add(CaseLink(case_id=case_id, kind=kind, ref=ref, added_by=caller.user_id,
                         added_at=datetime.now(UTC)))
    session.flush()
    return loaded


def visible_links(session: Session, caller: Caller, case_id: int) -> list[CaseLink]:
    """The case's links, leaving out notifications and incidents the caller may not see
    (a link must not reveal that a hidden record exists)."""
    links = session.scalars(select(CaseLink).where(CaseLink.case_id == case_id)
                            .order_by(CaseLink.id)).all()
    shown = []
    for link in links:
        if link.kind in (NOTIFICATION, INCIDENT):
            row: Notification | Incident | None = (
                session.get(Notification, int(link.ref)) if link.kind == NOTIFICATION
                else session.get(Incident, int(link.ref)))
            if row is None or not can_read(caller, access_of(session, cast(Any, link.kind),
                                                             row)):
                continue
        shown.append(link)
    return shown


def add_action(session: Session, caller: Caller, case_id: int, description: str,
               owner_agency: str, due_on: date) -> Loaded:
    loaded = _writable_case(session, caller, case_id)
    agency = session.scalar(select(Agency).where(Agency.code == owner_agency))
    if agency is None:
        raise InputError(f"no agency {owner_agency}", field="owner_agency")
    session.add(ActionItem(case_id=case_id, description=description, owner_agency_id=agency.id,
                           due_on=due_on.isoformat(), status="open",
                           created_at=datetime.now(UTC)))
    session.flush()
    return loaded


def close_action(session: Session, caller: Caller, case_id: int, action_id: int) -> Loaded:
    """Mark an action done: by the case's agency or the agency that owns the action, if
    it can see the case."""
    loaded = get_case(session, caller, case_id)
    action = session.get(ActionItem, action_id)
    if action is None or action.case_id != case_id:
        raise NotFound(f"no action {action_id} in case {case_id}")
    owner = session.get(Agency, action.owner_agency_id)
    assert owner is not None
    owns_action = can_write(caller, RecordAccess(owner.code, owner.nation, Marking.RED))
    if not (can_write(caller, loaded.access) or owns_action):
        raise AccessDenied("only the case's agency or the action's owner closes it")
    if action.status == "done":
        raise Conflict(f"action {action_id} is done already")
    action.status = "done"
    action.done_at = datetime.now(UTC)
    session.flush()
    return loaded


def actions_of(session: Session, case_id: int) -> list[tuple[ActionItem, str]]:
    rows = session.execute(select(ActionItem, Agency.code).join(
        Agency, Agency.id == ActionItem.owner_agency_id).where(ActionItem.case_id == case_id)
        .order_by(ActionItem.id)).all()
    return [(row[0], row[1]) for row in rows]


def overview(session: Session, caller: Caller, today: date) -> dict[str, Any]:
    """The working group's overview over what the caller may see: counts, turnaround
    times of answered notifications, and open and overdue actions per agency."""
    notes = [row for row in session.scalars(select(Notification).where(
        visible(caller, NOTIFICATION, Notification))).all()
        if can_read(caller, access_of(session, NOTIFICATION, row))]
    incidents = [row for row in session.scalars(select(Incident).where(
        visible(caller, INCIDENT, Incident))).all()
        if can_read(caller, access_of(session, INCIDENT, row))]
    cases = [row for row in session.scalars(select(Case).where(
        visible(caller, CASE, Case))).all()
        if can_read(caller, access_of(session, CASE, row))]
    turnaround: dict[str, list[float]] = {}
    for note in notes:
        if note.sent_at is None:
            continue
        answered = session.scalar(select(NotificationEvent.at).where(
            NotificationEvent.notification_id == note.id,
            NotificationEvent.from_status == "pending",
            NotificationEvent.actor_id.is_not(None)).order_by(NotificationEvent.id).limit(1))
        if answered is not None:
            days = (answered - note.sent_at).total_seconds() / 86400
            turnaround.setdefault(note.importing_nation, []).append(days)
    open_actions: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for case in cases:
        for action, agency in actions_of(session, case.id):
            if action.status == "open":
                open_actions[agency] += 1
                if date.fromisoformat(action.due_on) < today:
                    overdue[agency] += 1
    return {
        "notifications_by_status": dict(Counter(n.status for n in notes)),
        "incidents_by_kind": dict(Counter(i.kind for i in incidents)),
        "cases_by_status": dict(Counter(c.status for c in cases)),
        "median_turnaround_days_by_importing_nation": {
            nation: round(statistics.median(values), 3)
            for nation, values in sorted(turnaround.items())},
        "open_actions_by_agency": dict(sorted(open_actions.items())),
        "overdue_actions_by_agency": dict(sorted(overdue.items())),
    }
