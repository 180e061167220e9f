"""Releasing a record to the other nation from the pages: the form, shown only to those
the policy lets release, and its handler, which goes through the same store functions as
the API's ``/release`` routes (and so the same refusals and audit entries)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from precursorwatch.api.deps import StoreDep
from precursorwatch.exceptions import InputError
from precursorwatch.exchange.policy import Caller, RecordAccess, Role, release_refusal
from precursorwatch.store import audit, entities, records
from precursorwatch.store.models import Nation
from precursorwatch.web.auth import FormDep, PageCallerDep, check_csrf

__all__ = ["release_form", "router"]

router = APIRouter(prefix="/web", include_in_schema=False)
Kind = Literal["notification", "incident", "case", "entity"]
#: Where each kind's page is, to go back to after releasing.
PAGES = {"notification": "/web/notifications/{id}", "incident": "/web/incidents#incident-{id}",
         "case": "/web/cases#case-{id}", "entity": "/web/entities/{id}"}


def release_form(session: Session, caller: Caller, access: RecordAccess, kind: Kind,
                 record_id: int) -> dict[str, Any] | None:
    """What the release form needs, or None when the user may release the record to no
    nation (not a supervisor of the owner's nation, an agency-only marking, or already
    released everywhere)."""
    if Role.SUPERVISOR not in caller.roles:
        return None  # spares the query on pages listing many records
    nations = [code for code in session.scalars(select(Nation.code).order_by(Nation.code))
               if code not in access.released_to
               and release_refusal(caller, access, code) is None]
    if not nations:
        return None
    return {"kind": kind, "id": record_id, "nations": nations}


@router.post("/release/{kind}/{record_id}")
def release(request: Request, kind: Kind,
            record_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)], caller: PageCallerDep,
            store: StoreDep, form: FormDep) -> Response:
    check_csrf(request, form)
    nation = form.get("nation", "").strip().upper()
    reason = form.get("reason", "").strip()
    if len(reason) < 3:
        raise InputError("say why the record is released (a few words at least)",
                         field="reason")
    with store.write() as session:
        if kind == "entity":
            entities.release_entity(session, caller, record_id, nation, reason[:2000])
        else:
            records.release_record(session, caller, kind, record_id, nation, reason[:2000])
        audit.append(session, caller=caller, action="release", outcome="ok",
                     record_kind=kind, record_id=record_id, detail=f"to {nation}: {reason}")
    return RedirectResponse(PAGES[kind].format(id=record_id), status_code=303)
