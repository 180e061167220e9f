"""Opening a case, adding its action items and links, and closing items, from the pages:
each form goes through the same ``store.cases`` functions as the API, so the same people
may do the same things, and each is audited as the API's routes are."""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from precursorwatch.api.deps import StoreDep
from precursorwatch.exceptions import InputError
from precursorwatch.exchange.policy import Marking
from precursorwatch.store import audit, cases, records
from precursorwatch.web.auth import FormDep, PageCallerDep, check_csrf

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)
RecordId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def _text(form: dict[str, str], name: str, words: str, limit: int) -> str:
    value = form.get(name, "").replace("\x00", "").strip()
    if not value:
        raise InputError(f"write the {words}", field=name)
    return value[:limit]


@router.post("/cases")
def create(request: Request, caller: PageCallerDep, store: StoreDep,
           form: FormDep) -> Response:
    check_csrf(request, form)
    title = _text(form, "title", "case's title", 300)
    summary = _text(form, "summary", "case's summary", 10_000)
    chosen = form.get("marking", "")
    try:
        marking = Marking(chosen) if chosen else None
    except ValueError:
        raise InputError("choose a TLP marking from the list", field="marking") from None
    with store.write() as session:
        loaded = cases.create_case(session, caller, title=title, summary=summary,
                                   marking=marking)
        audit.append(session, caller=caller, action="create", outcome="ok",
                     record_kind=records.CASE, record_id=loaded.row.id,
                     detail=f"marking {loaded.access.marking.value}")
    return RedirectResponse(f"/web/cases#case-{loaded.row.id}", status_code=303)


@router.post("/cases/{case_id}/actions")
def add_action(request: Request, case_id: RecordId, caller: PageCallerDep, store: StoreDep,
               form: FormDep) -> Response:
    check_csrf(request, form)
    description = _text(form, "description", "action item", 10_000)
    owner = _text(form, "owner_agency", "agency that owns the item", 40)
    try:
        due = date.fromisoformat(form.get("due_on", ""))
    except ValueError:
        raise InputError("give the due date as a date (YYYY-MM-DD)", field="due_on") from None
    with store.write() as session:
        cases.add_action(session, caller, case_id, description, owner, due)
        audit.append(session, caller=caller, action="action", outcome="ok",
                     record_kind=records.CASE, record_id=case_id, detail=f"{owner} by {due}")
    return RedirectResponse(f"/web/cases#case-{case_id}", status_code=303)


@router.post("/cases/{case_id}/actions/{action_id}/done")
def close_action(request: Request, case_id: RecordId, action_id: RecordId,
                 caller: PageCallerDep, store: StoreDep, form: FormDep) -> Response:
    check_csrf(request, form)
    with store.write() as session:
        cases.close_action(session, caller, case_id, action_id)
        audit.append(session, caller=caller, action="action done", outcome="ok",
                     record_kind=records.CASE, record_id=case_id, detail=str(action_id))
    return RedirectResponse(f"/web/cases#case-{case_id}", status_code=303)


@router.post("/cases/{case_id}/links")
def add_link(request: Request, case_id: RecordId, caller: PageCallerDep, store: StoreDep,
             form: FormDep) -> Response:
    check_csrf(request, form)
    kind = form.get("kind", "")
    if kind not in ("notification", "incident", "shipment", "entity"):
        raise InputError("choose what to add: a notification, incident, shipment or entity",
                         field="kind")
    ref = _text(form, "ref", "id of what to add", 200)
    with store.write() as session:
        cases.add_link(session, caller, case_id, cast(cases.LinkKind, kind), ref)
        audit.append(session, caller=caller, action="link", outcome="ok",
                     record_kind=records.CASE, record_id=case_id, detail=f"{kind} {ref}")
    return RedirectResponse(f"/web/cases#case-{case_id}", status_code=303)
