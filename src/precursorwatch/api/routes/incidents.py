"""``/incidents``: seizures, stopped shipments, suspicious orders and thefts."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, cast

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from precursorwatch.api.deps import CallerDep, StoreDep
from precursorwatch.api.schemas import (
    IncidentIn,
    IncidentOut,
    Party,
    Problem,
    ReleaseIn,
    ReleaseOut,
    SubstanceQuantity,
)
from precursorwatch.exchange.policy import Caller
from precursorwatch.store import audit, records
from precursorwatch.store.models import Incident

__all__ = ["router"]

router = APIRouter(prefix="/incidents", tags=["incidents"])

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="incident id")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
    409: {"model": Problem}, 422: {"model": Problem}}


def _out(session: Session, loaded: records.Loaded) -> IncidentOut:
    row = cast(Incident, loaded.row)
    return IncidentOut(
        id=row.id, owner_agency=loaded.access.owner_agency,
        owner_nation=loaded.access.owner_nation, marking=loaded.access.marking,
        released_to=sorted(loaded.access.released_to), kind=row.kind,
        occurred_on=date.fromisoformat(row.occurred_on), place=row.place,
        substances=[SubstanceQuantity.model_validate(s) for s in json.loads(row.substances)],
        route=row.route, modus_operandi=row.modus_operandi,
        parties=[Party.model_validate(p) for p in json.loads(row.parties)],
        summary=row.summary,
        releases=[ReleaseOut(nation=r.nation, released_by=r.released_by,
                             released_at=r.released_at, reason=r.reason)
                  for r in records.releases_of(session, records.INCIDENT, row.id)])


def _log(session: Session, caller: Caller, action: str, record_id: int | None,
         detail: str = "") -> None:
    audit.append(session, caller=caller, action=action, outcome="ok",
                 record_kind=records.INCIDENT, record_id=record_id, detail=detail)


@router.post("", status_code=201, response_model=IncidentOut, responses=_ERRORS,
             summary="Report an incident (analyst or supervisor)")
def create(body: IncidentIn, caller: CallerDep, store: StoreDep) -> IncidentOut:
    with store.write() as session:
        loaded = records.create_incident(
            session, caller, kind=body.kind, occurred_on=body.occurred_on, place=body.place,
            substances=[s.model_dump() for s in body.substances], route=body.route,
            modus_operandi=body.modus_operandi, parties=[p.model_dump() for p in body.parties],
            summary=body.summary, marking=body.marking)
        out = _out(session, loaded)
        _log(session, caller, "create", out.id, f"marking {out.marking.value}")
    return out


@router.get("", response_model=list[IncidentOut], responses=_ERRORS,
            summary="The incidents the caller may see")
def list_(caller: CallerDep, store: StoreDep,
          limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 100,
          offset: Annotated[int, Query(ge=0, le=10**9, description="skip this many")] = 0,
          ) -> list[IncidentOut]:
    with store.write() as session:
        found = records.list_incidents(session, caller, limit=limit, offset=offset)
        out = [_out(session, item) for item in found]
        _log(session, caller, "list", None, "ids " + ",".join(str(o.id) for o in out))
    return out


@router.get("/{record_id}", response_model=IncidentOut, responses=_ERRORS,
            summary="One incident")
def get(record_id: RecordId, caller: CallerDep, store: StoreDep) -> IncidentOut:
    with store.write() as session:
        out = _out(session, records.get_incident(session, caller, record_id))
        _log(session, caller, "read", record_id)
    return out


@router.post("/{record_id}/release", response_model=IncidentOut, responses=_ERRORS,
             summary="Release to another nation (a supervisor of the owner's nation)")
def release(record_id: RecordId, body: ReleaseIn, caller: CallerDep,
            store: StoreDep) -> IncidentOut:
    with store.write() as session:
        loaded = records.release_record(session, caller, records.INCIDENT, record_id,
                                        body.nation, body.reason)
        out = _out(session, loaded)
        _log(session, caller, "release", record_id, f"to {body.nation}: {body.reason}")
    return out
