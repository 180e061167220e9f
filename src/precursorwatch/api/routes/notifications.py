"""``/notifications``: pre-export notifications between the two nations' authorities."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, cast

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from precursorwatch.api.deps import JSON, CallerDep, StoreDep, look_up, write
from precursorwatch.api.schemas import (
    AnswerIn,
    EventOut,
    InformationIn,
    NotificationIn,
    NotificationOut,
    Problem,
    ReleaseIn,
    ReleaseOut,
    ScreeningAttachment,
)
from precursorwatch.exceptions import PrecursorwatchError
from precursorwatch.exchange.notifications import Status
from precursorwatch.exchange.policy import Caller
from precursorwatch.store import audit, records
from precursorwatch.store.models import Notification

__all__ = ["router"]

router = APIRouter(prefix="/notifications", tags=["notifications"])

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="notification id")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
    409: {"model": Problem}, 422: {"model": Problem}}


def _out(session: Session, loaded: records.Loaded) -> NotificationOut:
    row = cast(Notification, loaded.row)
    return _out_of(records.NotificationView(
        row, loaded.access, records.history(session, row.id),
        records.releases_of(session, records.NOTIFICATION, row.id)))


def _out_of(view: records.NotificationView) -> NotificationOut:
    row = view.row
    return NotificationOut(
        id=row.id, owner_agency=view.access.owner_agency,
        owner_nation=view.access.owner_nation, marking=view.access.marking,
        released_to=sorted(view.access.released_to),
        exporting_nation=row.exporting_nation, importing_nation=row.importing_nation,
        exporter=row.exporter, importer=row.importer, substance=row.substance,
        cas_number=row.cas_number, quantity_kg=row.quantity_kg, shipment_id=row.shipment_id,
        planned_export_date=date.fromisoformat(row.planned_export_date)
        if row.planned_export_date else None,
        screening=ScreeningAttachment.model_validate(json.loads(row.screening))
        if row.screening else None,
        status=Status(row.status), sent_at=row.sent_at, due_at=row.due_at, version=row.version,
        history=[EventOut(at=e.at, from_status=Status(e.from_status) if e.from_status else None,
                          to_status=Status(e.to_status), reason=e.reason)
                 for e in view.history],
        releases=[ReleaseOut(nation=r.nation, released_by=r.released_by,
                             released_at=r.released_at, reason=r.reason)
                  for r in view.releases])


def _log(session: Session, caller: Caller, action: str, record_id: int | None,
         detail: str = "") -> None:
    audit.append(session, caller=caller, action=action, outcome="ok",
                 record_kind=records.NOTIFICATION, record_id=record_id, detail=detail)


@router.post("", status_code=201, response_model=NotificationOut, responses=_ERRORS,
             summary="Draft a pre-export notification (analyst or supervisor)")
async def create(body: NotificationIn, caller: CallerDep, store: StoreDep) -> JSON:
    draft = records.Draft(
        caller, importing_nation=body.importing_nation, exporter=body.exporter,
        importer=body.importer, substance=body.substance, cas_number=body.cas_number,
        quantity_kg=body.quantity_kg, shipment_id=body.shipment_id,
        planned_export_date=body.planned_export_date, marking=body.marking,
        screening=body.screening.model_dump() if body.screening else None)
    # With the batch's other drafts, in two inserts (see records.create_notifications).
    body_json: bytes = await asyncio.wrap_future(store.writer.submit_bulk(_draft_all, draft))
    return JSON(body_json, status_code=201)


def _draft_all(session: Session, drafts: Sequence[records.Draft]
               ) -> list[bytes | PrecursorwatchError]:
    """The group writer's bulk work for drafts: each written draft's answer, serialised,
    and its audit entry; each refused one's error."""
    answers: list[bytes | PrecursorwatchError] = []
    for draft, made in zip(drafts, records.create_notifications(session, drafts),
                           strict=True):
        if isinstance(made, PrecursorwatchError):
            answers.append(made)
            continue
        out = _out_of(made)
        audit.append_later(session, caller=draft.caller, action="create", outcome="ok",
                           record_kind=records.NOTIFICATION, record_id=out.id,
                           detail=f"marking {out.marking.value}")
        answers.append(out.model_dump_json().encode())
    return answers


@router.get("", response_model=list[NotificationOut], responses=_ERRORS,
            summary="The notifications the caller may see")
async def list_(caller: CallerDep, store: StoreDep,
                status: Annotated[Status | None, Query(description="only this status")] = None,
                limit: Annotated[int, Query(ge=1, le=500, description="at most this many")
                                 ] = 100,
                offset: Annotated[int, Query(ge=0, le=10**9, description="skip this many")
                                  ] = 0,
                ) -> list[NotificationOut]:
    def work(session: Session) -> list[NotificationOut]:
        records.expire_due(session, datetime.now(UTC))
        found = records.list_notifications(session, caller, status=status, limit=limit,
                                           offset=offset)
        out = [_out(session, item) for item in found]
        _log(session, caller, "list", None, "ids " + ",".join(str(o.id) for o in out))
        return out

    return await write(store, work)


@router.get("/{record_id}", response_model=NotificationOut, responses=_ERRORS,
            summary="One notification with its status history and releases")
async def get(record_id: RecordId, caller: CallerDep, store: StoreDep) -> JSON:
    # The common case only reads, in the next group commit with the other requests' reads
    # of notifications, and its audit entry is committed there before it is answered.
    def finish(facts: records.NotificationFacts | None) -> bytes:
        view = records.view_of(caller, record_id, facts, datetime.now(UTC))
        return _out_of(view).model_dump_json().encode()

    try:
        return JSON(await look_up(store, records.fetch_notifications, record_id, finish,
                                  caller=caller, action="read",
                                  record_kind=records.NOTIFICATION, record_id=record_id))
    except records.MustWrite:
        def work(session: Session) -> NotificationOut:
            found = _out(session, records.get_notification(session, caller, record_id))
            _log(session, caller, "read", record_id)
            return found

        return JSON((await write(store, work)).model_dump_json())


@router.post("/{record_id}/release", response_model=NotificationOut, responses=_ERRORS,
             summary="Release to another nation (a supervisor of the owner's nation); "
                     "releasing a draft to its importing nation sends it")
async def release(record_id: RecordId, body: ReleaseIn, caller: CallerDep,
                  store: StoreDep) -> NotificationOut:
    def work(session: Session) -> NotificationOut:
        loaded = records.release_record(session, caller, records.NOTIFICATION, record_id,
                                        body.nation, body.reason)
        out = _out(session, loaded)
        _log(session, caller, "release", record_id, f"to {body.nation}: {body.reason}")
        return out

    return await write(store, work)


@router.post("/{record_id}/answer", response_model=NotificationOut, responses=_ERRORS,
             summary="Answer as the importing authority: no objection, objection or a "
                     "request for information")
async def answer(record_id: RecordId, body: AnswerIn, caller: CallerDep,
                 store: StoreDep) -> NotificationOut:
    def work(session: Session) -> NotificationOut:
        loaded = records.answer_notification(session, caller, record_id, body.answer,
                                             body.reason, body.version)
        out = _out(session, loaded)
        _log(session, caller, "answer", record_id, body.answer.value)
        return out

    return await write(store, work)


@router.post("/{record_id}/information", response_model=NotificationOut, responses=_ERRORS,
             summary="The exporter's reply to a request for information; reopens the window")
async def information(record_id: RecordId, body: InformationIn, caller: CallerDep,
                      store: StoreDep) -> NotificationOut:
    def work(session: Session) -> NotificationOut:
        loaded = records.provide_information(session, caller, record_id, body.information)
        out = _out(session, loaded)
        _log(session, caller, "information", record_id)
        return out

    return await write(store, work)
