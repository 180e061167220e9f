"""``/cases``: joint operations with what they gather and their action items, and the
working group's ``/overview``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, cast

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from precursorwatch.api.deps import CallerDep, StoreDep
from precursorwatch.api.schemas import (
    ActionIn,
    ActionOut,
    CaseIn,
    CaseOut,
    LinkIn,
    LinkOut,
    Overview,
    Problem,
    ReleaseIn,
    ReleaseOut,
)
from precursorwatch.exchange.policy import Caller
from precursorwatch.store import audit, cases, records
from precursorwatch.store.models import Case

__all__ = ["router"]

router = APIRouter(tags=["cases"])

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="case id")]
ActionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="action item id")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
    409: {"model": Problem}, 422: {"model": Problem}}


def _out(session: Session, caller: Caller, loaded: records.Loaded) -> CaseOut:
    row = cast(Case, loaded.row)
    return CaseOut(
        id=row.id, owner_agency=loaded.access.owner_agency,
        owner_nation=loaded.access.owner_nation, marking=loaded.access.marking,
        released_to=sorted(loaded.access.released_to), title=row.title, summary=row.summary,
        status=row.status,
        links=[LinkOut(kind=link.kind, ref=link.ref, added_at=link.added_at)
               for link in cases.visible_links(session, caller, row.id)],
        actions=[ActionOut(id=a.id, description=a.description, owner_agency=agency,
                           due_on=date.fromisoformat(a.due_on),
                           status="done" if a.status == "done" else "open",
                           done_at=a.done_at)
                 for a, agency in cases.actions_of(session, row.id)],
        releases=[ReleaseOut(nation=r.nation, released_by=r.released_by,
                             released_at=r.released_at, reason=r.reason)
                  for r in records.releases_of(session, records.CASE, row.id)])



def _log(session: Session, caller: Caller, action: str, record_id: int | None,
         detail: str = "") -> None:
    audit.append(session, caller=caller, action=action, outcome="ok",
                 record_kind=records.CASE, record_id=record_id, detail=detail)


@router.post("/cases", status_code=201, response_model=CaseOut, responses=_ERRORS,
             summary="Open a case (analyst or supervisor)")
def create(body: CaseIn, caller: CallerDep, store: StoreDep) -> CaseOut:
    with store.write() as session:
        loaded = cases.create_case(session, caller, title=body.title, summary=body.summary,
                                   marking=body.marking)
        out = _out(session, caller, loaded)
        _log(session, caller, "create", out.id, f"marking {out.marking.value}")
    return out


@router.get("/cases", response_model=list[CaseOut], responses=_ERRORS,
            summary="The cases the caller may see")
def list_(caller: CallerDep, store: StoreDep,
          limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 100,
          offset: Annotated[int, Query(ge=0, le=10**9, description="skip this many")] = 0,
          ) -> list[CaseOut]:
    with store.write() as session:
        found = cases.list_cases(session, caller, limit=limit, offset=offset)
        out = [_out(session, caller, item) for item in found]
        _log(session, caller, "list", None, "ids " + ",".join(str(o.id) for o in out))
    return out


@router.get("/cases/{record_id}", response_model=CaseOut, responses=_ERRORS,
            summary="One case with its links and action items")
def get(record_id: RecordId, caller: CallerDep, store: StoreDep) -> CaseOut:
    with store.write() as session:
        out = _out(session, caller, records.get_case(session, caller, record_id))
        _log(session, caller, "read", record_id)
    return out


@router.post("/cases/{record_id}/links", response_model=CaseOut, responses=_ERRORS,
             summary="Gather a notification, incident, shipment or entity into the case")
def link(record_id: RecordId, body: LinkIn, caller: CallerDep, store: StoreDep) -> CaseOut:
    with store.write() as session:
        loaded = cases.add_link(session, caller, record_id, body.kind, body.ref)
        out = _out(session, caller, loaded)
        _log(session, caller, "link", record_id, f"{body.kind} {body.ref}")
    return out


@router.post("/cases/{record_id}/actions", response_model=CaseOut, responses=_ERRORS,
             summary="Add an action item with its owner agency and due date")
def add_action(record_id: RecordId, body: ActionIn, caller: CallerDep,
               store: StoreDep) -> CaseOut:
    with store.write() as session:
        loaded = cases.add_action(session, caller, record_id, body.description,
                                  body.owner_agency, body.due_on)
        out = _out(session, caller, loaded)
        _log(session, caller, "action", record_id, f"{body.owner_agency} by {body.due_on}")
    return out


@router.post("/cases/{record_id}/actions/{action_id}/done", response_model=CaseOut,
             responses=_ERRORS, summary="Mark an action item done")
def done(record_id: RecordId, action_id: ActionId, caller: CallerDep,
         store: StoreDep) -> CaseOut:
    with store.write() as session:
        loaded = cases.close_action(session, caller, record_id, action_id)
        out = _out(session, caller, loaded)
        _log(session, caller, "action done", record_id, str(action_id))
    return out


@router.post("/cases/{record_id}/release", response_model=CaseOut, responses=_ERRORS,
             summary="Release to another nation (a supervisor of the owner's nation)")
def release(record_id: RecordId, body: ReleaseIn, caller: CallerDep,
            store: StoreDep) -> CaseOut:
    with store.write() as session:
        loaded = records.release_record(session, caller, records.CASE, record_id,
                                        body.nation, body.reason)
        out = _out(session, caller, loaded)
        _log(session, caller, "release", record_id, f"to {body.nation}: {body.reason}")
    return out


@router.get("/overview", response_model=Overview, responses=_ERRORS,
            summary="The working group's overview: counts, turnaround, open actions")
def overview(caller: CallerDep, store: StoreDep) -> Overview:
    with store.write() as session:
        out = Overview.model_validate(cases.overview(session, caller, datetime.now(UTC).date()))
        _log(session, caller, "overview", None)
    return out
