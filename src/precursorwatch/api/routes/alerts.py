"""``/alerts``: screening results uploaded for review, and reviewers' decisions."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from precursorwatch.api.deps import CallerDep, StoreDep
from precursorwatch.api.schemas import AlertOut, AlertsIn, DecisionIn, Problem
from precursorwatch.exchange.policy import Marking
from precursorwatch.store import alerts, audit
from precursorwatch.store.models import Agency, Alert

__all__ = ["router"]

router = APIRouter(prefix="/alerts", tags=["alerts"])

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1, description="alert id")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
    409: {"model": Problem}, 422: {"model": Problem}}


def _out(session: Session, row: Alert) -> AlertOut:
    agency = session.get(Agency, row.owner_agency_id)
    assert agency is not None
    decision = row.decision if row.decision in ("cleared", "referred", "stopped") else None
    return AlertOut(id=row.id, owner_agency=agency.code, marking=Marking(row.marking),
                    shipment_id=row.shipment_id, source=row.source, score=row.score,
                    reasons=json.loads(row.reasons), row=json.loads(row.row),
                    decision=decision,
                    decision_note=row.decision_note, decided_at=row.decided_at)


@router.post("", status_code=201, response_model=list[AlertOut], responses=_ERRORS,
             summary="Upload screening alerts (analyst or supervisor); all or nothing")
def upload(body: AlertsIn, caller: CallerDep, store: StoreDep) -> list[AlertOut]:
    with store.write() as session:
        rows = alerts.upload(session, caller, [a.model_dump() for a in body.alerts],
                             body.marking)
        out = [_out(session, row) for row in rows]
        audit.append(session, caller=caller, action="upload", outcome="ok",
                     record_kind="alert", detail=f"{len(out)} alerts, ids {out[0].id}-"
                     f"{out[-1].id}")
    return out


@router.get("", response_model=list[AlertOut], responses=_ERRORS,
            summary="The alerts of the caller's nation that the caller may see")
def list_(caller: CallerDep, store: StoreDep,
          decided: Annotated[bool | None, Query(description="only decided (true) or "
                                                "undecided (false) alerts")] = None,
          limit: Annotated[int, Query(ge=1, le=5000, description="at most this many")] = 500,
          offset: Annotated[int, Query(ge=0, le=10**9, description="skip this many")] = 0,
          ) -> list[AlertOut]:
    with store.write() as session:
        rows = alerts.list_alerts(session, caller, decided=decided, limit=limit, offset=offset)
        out = [_out(session, row) for row in rows]
        audit.append(session, caller=caller, action="list", outcome="ok", record_kind="alert",
                     detail=f"{len(out)} alerts")
    return out


@router.get("/{alert_id}", response_model=AlertOut, responses=_ERRORS, summary="One alert")
def get(alert_id: AlertId, caller: CallerDep, store: StoreDep) -> AlertOut:
    with store.write() as session:
        out = _out(session, alerts.get_alert(session, caller, alert_id))
        audit.append(session, caller=caller, action="read", outcome="ok", record_kind="alert",
                     record_id=alert_id)
    return out


@router.post("/{alert_id}/decision", response_model=AlertOut, responses=_ERRORS,
             summary="Decide an alert: cleared, referred or stopped, with a note")
def decide(alert_id: AlertId, body: DecisionIn, caller: CallerDep,
           store: StoreDep) -> AlertOut:
    with store.write() as session:
        out = _out(session, alerts.decide(session, caller, alert_id, body.decision, body.note))
        audit.append(session, caller=caller, action="decide", outcome="ok",
                     record_kind="alert", record_id=alert_id, detail=body.decision)
    return out
