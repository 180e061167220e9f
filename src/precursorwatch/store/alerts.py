"""Screening alerts on the server and reviewers' decisions on them.

Alerts are records like any other: owned by the uploading agency, marked, and read under
the sharing policy. A decision is taken once: of two reviewers deciding at once, one wins
and the other gets :class:`Conflict`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import Select, false, func, select, update
from sqlalchemy.orm import Session

from precursorwatch.exceptions import AccessDenied, Conflict, NotFound
from precursorwatch.exchange.policy import (
    Caller,
    Marking,
    RecordAccess,
    Role,
    can_read,
    can_write,
)
from precursorwatch.ids import cas as cas_numbers
from precursorwatch.store.models import Agency, Alert

__all__ = [
    "Decision",
    "QueueFilter",
    "decide",
    "get_alert",
    "indexed_fields",
    "list_alerts",
    "party_alerts",
    "party_query",
    "queue",
    "queue_query",
    "readable_for_shipments",
    "shipment_alerts",
    "upload",
]

Decision = Literal["cleared", "referred", "stopped"]
#: The queue's sort orders: column and direction.
Sort = Literal["score", "-score", "id", "-id"]
_AGENCY_ONLY = (Marking.RED.value, Marking.AMBER_STRICT.value)
#: A substance filter typed as a CAS number, with its separators (a bare run of digits
#: is more likely an HS code or part of an id, and stays a word search).
_CAS_TYPED = re.compile(r"\d{2,7}\W\d{2}\W\d")


@dataclass(frozen=True)
class QueueFilter:
    """What a reviewer narrows the alert queue to; None or "" means any.

    ``status`` is ``open`` (undecided), a decision, or None for all. ``substance`` is a
    CAS number (matched exactly, in any spelling :mod:`precursorwatch.ids.cas` reads) or
    else words found anywhere in the screened row; ``lane`` is ``EXPORT-IMPORT`` country
    codes (``IN-US``); ``nation`` matches either end of the lane.
    """

    status: Literal["open", "cleared", "referred", "stopped"] | None = None
    min_score: float | None = None
    substance: str = ""
    lane: str = ""
    nation: str = ""
    sort: Sort = "-score"


def _access(session: Session, row: Alert) -> RecordAccess:
    agency = session.get(Agency, row.owner_agency_id)
    assert agency is not None
    # Alerts are screening output about one nation's trade; they are not released.
    return RecordAccess(agency.code, agency.nation, Marking(row.marking))


def _readable(session: Session, caller: Caller, rows: Sequence[Alert]) -> list[Alert]:
    """The rows the caller may read, by :func:`can_read` on each, as :func:`_access` sees
    it. The owners are read in one query: the session keeps loaded agencies only while
    something refers to them, so ``_access`` row by row asked the database again for each
    row: a queue page ran 56 statements, now 7; a consignment page 58, now 20."""
    owners = {row.owner_agency_id for row in rows}
    agencies = {agency.id: agency for agency in session.scalars(
        select(Agency).where(Agency.id.in_(owners)))} if owners else {}
    return [row for row in rows if can_read(caller, RecordAccess(
        agencies[row.owner_agency_id].code, agencies[row.owner_agency_id].nation,
        Marking(row.marking)))]


#: Longest party name kept whole in ``exporter_key`` / ``importer_key``; longer names are
#: cut there (a btree entry must stay small) and matched against the row as well.
PARTY_KEY_LENGTH = 200


def _text(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    return value if isinstance(value, str) else None


def _country(row: dict[str, Any], name: str) -> str | None:
    value = (_text(row, name) or "").strip().upper()
    return value if len(value) == 2 and value.isascii() and value.isalpha() else None


def _party_key(name: str) -> str:
    return name[:PARTY_KEY_LENGTH]


def indexed_fields(row: dict[str, Any]) -> dict[str, str | None]:
    """The alert's indexed columns, taken from its screened row: what the queue filters on
    (CAS number, the two countries) and what the consignment page's party history looks up
    (the exporter's and importer's names as written, the same exact match the history
    always made). Values of the wrong type or shape give None, which no filter matches."""
    cas = _text(row, "cas_number")
    exporter = _text(row, "exporter_name")
    importer = _text(row, "importer_name")
    return {"cas_number": cas_numbers.normalize(cas) if cas else None,
            "export_country": _country(row, "export_country"),
            "import_country": _country(row, "import_country"),
            "exporter_key": _party_key(exporter) if exporter else None,
            "importer_key": _party_key(importer) if importer else None}


def upload(session: Session, caller: Caller, alerts: Sequence[dict[str, Any]],
           marking: Marking | None) -> list[Alert]:
    """Store a batch of alerts from `screen --publish`, all or nothing."""
    if not can_write(caller, RecordAccess(caller.agency, caller.nation, Marking.RED)):
        raise AccessDenied("only analysts and supervisors upload alerts")
    agency = session.scalar(select(Agency).where(Agency.code == caller.agency))
    assert agency is not None
    chosen = marking or Marking(agency.default_marking)
    now = datetime.now(UTC)
    rows = [Alert(owner_agency_id=agency.id, marking=chosen.value,
                  shipment_id=item["shipment_id"], source=item.get("source"),
                  score=item["score"], reasons=json.dumps(item.get("reasons", [])),
                  row=json.dumps(item.get("row", {}), sort_keys=True),
                  created_by=caller.user_id, created_at=now,
                  **indexed_fields(item.get("row", {}))) for item in alerts]
    session.add_all(rows)
    session.flush()
    return rows


def get_alert(session: Session, caller: Caller, alert_id: int) -> Alert:
    row = session.get(Alert, alert_id)
    if row is None or not can_read(caller, _access(session, row)):
        raise NotFound(f"no alert {alert_id}")
    return row


def list_alerts(session: Session, caller: Caller, *, decided: bool | None, limit: int,
                offset: int) -> list[Alert]:
    own = select(Agency.id).where(Agency.nation == caller.nation)
    query = select(Alert).where(Alert.owner_agency_id.in_(own))
    if decided is True:
        query = query.where(Alert.decision.is_not(None))
    elif decided is False:
        query = query.where(Alert.decision.is_(None))
    rows = session.scalars(query.order_by(Alert.id).limit(limit).offset(offset)).all()
    return _readable(session, caller, rows)


def _visible(caller: Caller) -> Any:
    """A SQL condition for the alerts the caller may read: no looser than :func:`can_read`,
    which is still applied to every row returned."""
    nation_agencies = select(Agency.id).where(Agency.nation == caller.nation)
    own = select(Agency.id).where(Agency.code == caller.agency).scalar_subquery()
    condition = Alert.owner_agency_id.in_(nation_agencies) & (
        Alert.marking.not_in(_AGENCY_ONLY) | (Alert.owner_agency_id == own))
    if not caller.roles:
        return false()
    if not caller.roles & {Role.ANALYST, Role.SUPERVISOR}:
        condition = condition & (Alert.marking != Marking.RED.value)
    return condition


def _field(name: str, value: str) -> str:
    # Rows are stored with json.dumps(sort_keys=True) and default separators.
    return json.dumps({name: value})[1:-1]


def queue_query(caller: Caller, wanted: QueueFilter) -> Select[Alert]:
    """The queue's query, unordered: the alerts SQL may show the caller that ``wanted``
    matches. Separate so that tests can ask each database for its plan."""
    query = select(Alert).where(_visible(caller))
    if wanted.status == "open":
        query = query.where(Alert.decision.is_(None))
    elif wanted.status is not None:
        query = query.where(Alert.decision == wanted.status)
    if wanted.min_score is not None:
        query = query.where(Alert.score >= wanted.min_score)
    if wanted.substance:
        cas = (cas_numbers.normalize(wanted.substance)
               if _CAS_TYPED.fullmatch(wanted.substance.strip()) else None)
        # Words (a name, part of one) still search the whole row's text, a scan: the
        # columns serve the CAS number, which is what a reviewer filters by day to day.
        query = query.where(Alert.cas_number == cas if cas else
                            Alert.row.contains(wanted.substance, autoescape=True))
    if wanted.lane:
        export, _, import_ = wanted.lane.upper().partition("-")
        query = query.where(Alert.export_country == export, Alert.import_country == import_)
    if wanted.nation:
        code = wanted.nation.upper()
        query = query.where((Alert.export_country == code) | (Alert.import_country == code))
    return query


def queue(session: Session, caller: Caller, wanted: QueueFilter, *, limit: int,
          offset: int) -> tuple[list[Alert], int]:
    """One page of the alerts the caller may see, filtered and sorted, and how many match
    in all (a count over visible alerts only)."""
    query = queue_query(caller, wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    # Equal scores in the same direction by id (the newest first when the highest score
    # is): then one index (ix_alerts_decision_score, ix_alerts_score) gives the order.
    descending = wanted.sort.startswith("-")
    columns = [Alert.score, Alert.id] if wanted.sort.lstrip("-") == "score" else [Alert.id]
    order = [column.desc() if descending else column.asc() for column in columns]
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset)).all()
    return _readable(session, caller, rows), total


def decide(session: Session, caller: Caller, alert_id: int, decision: Decision,
           note: str | None) -> Alert:
    row = get_alert(session, caller, alert_id)
    access = _access(session, row)
    if caller.nation != access.owner_nation or not can_write(
            caller, RecordAccess(caller.agency, caller.nation, Marking.RED)):
        raise AccessDenied("only analysts and supervisors of the alert's nation decide")
    changed = session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.decision.is_(None))
        .values(decision=decision, decision_note=note, decided_by=caller.user_id,
                decided_at=datetime.now(UTC)))
    if cast(Any, changed).rowcount != 1:
        raise Conflict(f"alert {alert_id} was decided already")
    session.refresh(row)
    return row


def readable_for_shipments(session: Session, caller: Caller,
                           shipment_ids: Sequence[str]) -> dict[str, int]:
    """For each of these shipments, the first alert about it that the caller may read (by
    id), in one query: an entity's page links its shipments to their alerts."""
    if not shipment_ids:
        return {}
    rows = session.execute(
        select(Alert.id, Alert.shipment_id, Alert.marking, Agency.code, Agency.nation)
        .join(Agency, Agency.id == Alert.owner_agency_id)
        .where(Alert.shipment_id.in_(set(shipment_ids)), _visible(caller))
        .order_by(Alert.id)).all()
    found: dict[str, int] = {}
    for alert_id, shipment, marking, agency, nation in rows:
        # As _access: alerts are not released, so their owner's nation is all they reach.
        if shipment not in found and can_read(caller, RecordAccess(agency, nation,
                                                                   Marking(marking))):
            found[shipment] = alert_id
    return found


def party_query(caller: Caller, field: str, name: str, *, exclude: int,
                limit: int) -> Select[Alert]:
    """:func:`party_alerts`'s query, for tests to ask each database for its plan."""
    key = {"exporter_name": Alert.exporter_key, "importer_name": Alert.importer_key}[field]
    query = select(Alert).where(_visible(caller), Alert.id != exclude,
                                key == _party_key(name))
    if len(name) > PARTY_KEY_LENGTH:
        # The key holds the name's start only; the row says whether all of it matches.
        query = query.where(Alert.row.contains(_field(field, name), autoescape=True))
    return query.order_by(Alert.id.desc()).limit(limit)


def party_alerts(session: Session, caller: Caller, field: str, name: str, *, exclude: int,
                 limit: int) -> list[Alert]:
    """The newest alerts the caller may read whose row names ``name`` as ``field``
    (``exporter_name``, ``importer_name``), leaving out alert ``exclude``.

    Unlike :func:`queue` it does not count them: the newest few are found by walking the
    party's index (``ix_alerts_exporter_key``, ``ix_alerts_importer_key``: key, then id)
    down from its newest entry, which keeps a consignment page fast however many alerts
    the party has.
    """
    rows = session.scalars(party_query(caller, field, name, exclude=exclude,
                                       limit=limit)).all()
    return _readable(session, caller, rows)


def shipment_alerts(session: Session, caller: Caller, shipments: Any, *, exclude: int,
                    limit: int) -> list[Alert]:
    """The newest alerts the caller may read about any of ``shipments`` (a list of
    shipment ids, or a query selecting them), leaving out alert ``exclude``: a resolved
    party's history through the shipment index, under every spelling of its name."""
    rows = session.scalars(select(Alert).where(
        _visible(caller), Alert.id != exclude, Alert.shipment_id.in_(shipments))
        .order_by(Alert.id.desc()).limit(limit)).all()
    return _readable(session, caller, rows)
