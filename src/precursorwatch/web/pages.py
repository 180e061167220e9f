"""The reviewers' pages under ``/web``: sign-in, the alert queue, a consignment, the
notifications inbox, incidents, cases and the working group's overview.

Every page reads through the same store functions as the API routes (``store.alerts``,
``store.records``, ``store.cases``), which apply ``exchange.policy``; no page has a query
of its own that could show more. Errors come from the API's exception handlers, rendered
as HTML here (``html_errors``) and audited the same way.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, cast, get_args

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from precursorwatch.api.deps import StoreDep
from precursorwatch.exceptions import InputError
from precursorwatch.exchange.notifications import Answer
from precursorwatch.exchange.policy import Caller, Marking, Role, can_write
from precursorwatch.registry import Substance, load_registry
from precursorwatch.store import alerts, audit, cases, entities, records
from precursorwatch.store.identity import (
    caller_for_token,
    check_password,
    issue_token,
    revoke_token,
)
from precursorwatch.store.models import Agency, Notification
from precursorwatch.web.auth import (
    COOKIE,
    FormDep,
    PageCallerDep,
    check_csrf,
    csrf_token,
)
from precursorwatch.web.releases import release_form

__all__ = ["install", "log_page", "render", "router"]

_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(_HERE / "templates"))
templates.env.filters["fromjson"] = json.loads
router = APIRouter(prefix="/web", include_in_schema=False)

RecordId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
PAGE_SIZE = 50
#: Plain words for the stored codes.
DECISIONS = {"cleared": "Cleared", "referred": "Referred", "stopped": "Stopped"}
STATUS_WORDS = {
    "draft": "Draft (not sent)", "pending": "Waiting for an answer",
    "info_requested": "More information requested", "no_objection": "No objection",
    "objected": "Objected", "expired": "Expired without an answer",
    "no_objection_by_silence": "No objection (no answer in time)",
}


def render(request: Request, name: str, caller: Caller | None, code: int = 200,
           **context: Any) -> Response:
    token = request.cookies.get(COOKIE, "")
    return templates.TemplateResponse(
        request, name, {"caller": caller, "csrf": csrf_token(token) if token else "",
                        "status_words": STATUS_WORDS, "decisions": DECISIONS,
                        "is_writer": caller is not None
                        and bool(caller.roles & {Role.ANALYST, Role.SUPERVISOR}),
                        **context}, status_code=code)


def _html_error(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401:
        return RedirectResponse("/web/login?next=" + request.url.path, status_code=303)
    caller = getattr(request.state, "caller", None)
    words = {403: "You may not do this", 404: "Not found", 409: "Someone got there first",
             422: "Please check the form"}.get(status, title)
    return render(request, "error.html", caller, code=status, title=words, detail=detail)


def log_page(store: StoreDep, caller: Caller, action: str, kind: str,
             record_id: int | None = None, detail: str = "") -> None:
    with store.write() as session:
        audit.append(session, caller=caller, action=f"web {action}", outcome="ok",
                     record_kind=kind, record_id=record_id, detail=detail)


# -- signing in --------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, next: str = "/web/alerts") -> Response:  # noqa: A002
    return render(request, "login.html", None, next=_safe_next(next), error=None)


def _safe_next(target: str) -> str:
    # Only our own pages: an open redirect would hand the session to another site.
    return target if target.startswith("/web/") and "//" not in target else "/web/alerts"


@router.post("/login")
def login(request: Request, store: StoreDep, form: FormDep) -> Response:
    token = form.get("token", "").strip()
    username = form.get("username", "").strip()
    password = form.get("password", "")
    # The cookie always holds a token of its own, issued here, so that signing out can
    # revoke it without revoking the API token a user signed in with.
    with store.write() as session:
        if token:
            known = caller_for_token(session, token)
            username = known.username if known is not None else ""
        elif not (username and check_password(session, username, password)):
            username = ""
        token = issue_token(session, username, label="web sign-in") if username else ""
        caller = caller_for_token(session, token) if token else None
    if caller is None:
        return render(request, "login.html", None, code=401, next=_safe_next(
            form.get("next", "")), error="That token, or that user name and password, is "
            "not known. Check them and try again.")
    response = RedirectResponse(_safe_next(form.get("next", "")), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/web",
                        secure=request.url.scheme == "https")
    log_page(store, caller, "sign-in", "session")
    return response


@router.post("/logout")
def logout(request: Request, caller: PageCallerDep, store: StoreDep,
           form: FormDep) -> Response:
    """Revoke the session's token on the server, so a copied cookie dies with it."""
    check_csrf(request, form)
    with store.write() as session:
        revoke_token(session, request.cookies.get(COOKIE, ""))
        audit.append(session, caller=caller, action="web sign-out", outcome="ok",
                     record_kind="session")
    response = RedirectResponse("/web/login", status_code=303)
    response.delete_cookie(COOKIE, path="/web")
    return response


@router.get("")
def home() -> Response:
    return RedirectResponse("/web/alerts", status_code=303)


# -- the alert queue and a consignment ---------------------------------------------------

Status = Literal["open", "cleared", "referred", "stopped"]


@router.get("/alerts")
def queue(request: Request, caller: PageCallerDep, store: StoreDep,
          status: Annotated[str, Query(max_length=10)] = "open",
          # A string: an empty box in the form sends "min_score=".
          min_score: Annotated[str, Query(max_length=20)] = "",
          substance: Annotated[str, Query(max_length=100)] = "",
          lane: Annotated[str, Query(max_length=5, pattern=r"^([A-Za-z]{2}-[A-Za-z]{2})?$")]
          = "",
          nation: Annotated[str, Query(max_length=2, pattern=r"^([A-Za-z]{2})?$")] = "",
          sort: Annotated[alerts.Sort, Query()] = "-score",
          page: Annotated[int, Query(ge=1, le=10**6)] = 1) -> Response:
    wanted = alerts.QueueFilter(
        status=cast(Status, status) if status in get_args(Status) else None,
        min_score=_score(min_score), substance=substance.strip(), lane=lane, nation=nation,
        sort=sort)
    with store.read() as session:
        rows, total = alerts.queue(session, caller, wanted, limit=PAGE_SIZE,
                                   offset=(page - 1) * PAGE_SIZE)
        items = [_alert_view(row) for row in rows]
    return render(request, "queue.html", caller, items=items, total=total, wanted=wanted,
                  status=status, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                  sorts={"-score": "Highest score first", "score": "Lowest score first",
                         "-id": "Newest first", "id": "Oldest first"})


def _score(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError("the score is a number from 0 to 1", field="min_score") from None
    if not 0 <= value <= 1:
        raise InputError("the score is a number from 0 to 1", field="min_score")
    return value


def _alert_view(row: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(row.row)
    return {"id": row.id, "shipment_id": row.shipment_id, "score": row.score,
            "marking": row.marking, "reasons": json.loads(row.reasons), "row": data,
            "lane": f"{data.get('export_country', '?')} → {data.get('import_country', '?')}",
            "substance": data.get("product_description") or data.get("cas_number") or "",
            "cas": data.get("cas_number") or "", "decision": row.decision,
            "decision_note": row.decision_note, "decided_at": row.decided_at}


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: RecordId, caller: PageCallerDep,
               store: StoreDep) -> Response:
    with store.write() as session:
        row = alerts.get_alert(session, caller, alert_id)
        item = _alert_view(row)
        parties = entities.entities_of_shipment(session, caller, row.shipment_id)
        history: dict[str, list[dict[str, Any]]] = {}
        for side, role in (("exporter_name", "exporter"), ("importer_name", "importer")):
            name = item["row"].get(side)
            if not name:
                continue
            resolved = [e.row.id for e, r in parties if r == role]
            # A resolved party's history comes through the shipment index, under all its
            # names; otherwise by its name as written, a scan of the alerts' rows.
            found = (alerts.shipment_alerts(session, caller, entities.shipment_ids(
                resolved[0]), exclude=row.id, limit=20) if resolved
                else alerts.party_alerts(session, caller, side, str(name), exclude=row.id,
                                         limit=20))
            history[side] = [_alert_view(r) for r in found]
        linked = [{"id": n.row.id, "status": cast(Notification, n.row).status,
                   "importing": cast(Notification, n.row).importing_nation,
                   "marking": n.access.marking.value}
                  for n in records.notifications_for_shipment(session, caller,
                                                              row.shipment_id)]
        linked_entities = [{"id": e.row.id, "name": e.row.name, "role": role,
                            "marking": e.access.marking.value} for e, role in parties]
        # Incidents naming a party of the shipment, as written or as any name of its
        # resolved entity.
        names = [str(item["row"][side]) for side in ("exporter_name", "importer_name",
                                                     "consignee_name") if item["row"].get(side)]
        names += [name for e, _ in parties for name in entities.names_of(e.row)]
        linked_incidents = [{"id": i.row.id, "row": i.row, "marking": i.access.marking.value}
                            for i in entities.incidents_naming(session, caller, names)]
        audit.append(session, caller=caller, action="web read", outcome="ok",
                     record_kind="alert", record_id=alert_id)
    return render(request, "alert.html", caller, item=item, history=history,
                  substances=_recognised(item["row"]), linked=linked,
                  linked_entities=linked_entities, linked_incidents=linked_incidents)


def _recognised(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The controlled substance the row names, by CAS number or by name, with each legal
    list's entry and its citations (the registry's reviewed data)."""
    registry = load_registry()
    found: Substance | None = None
    form: str | None = None
    if row.get("cas_number"):
        hit = registry.by_cas(str(row["cas_number"]))
        if hit is not None:
            found, form = hit
    if found is None and row.get("product_description"):
        found = registry.by_name(str(row["product_description"]))
    if found is None:
        return []
    return [{"name": found.name, "cas": found.cas, "form": form, "hs": found.hs_code,
             "us_threshold": found.us_threshold.describe() if found.us_threshold else None,
             "listings": [{"list": x.list_id, "jurisdiction": x.jurisdiction,
                           "category": x.category,
                           "citations": [(c.id, c.text) for c in x.citations]}
                          for x in found.listings]}]


@router.post("/alerts/{alert_id}/decision")
def decide(request: Request, alert_id: RecordId, caller: PageCallerDep, store: StoreDep,
           form: FormDep) -> Response:
    check_csrf(request, form)
    choice = form.get("decision", "")
    if choice not in DECISIONS:
        raise InputError("choose cleared, refer or stop", field="decision")
    note = form.get("note", "").strip()
    if not note:
        raise InputError("write a note saying why", field="note")
    with store.write() as session:
        alerts.decide(session, caller, alert_id, cast(alerts.Decision, choice), note[:4000])
        audit.append(session, caller=caller, action="decide", outcome="ok",
                     record_kind="alert", record_id=alert_id, detail=choice)
    return RedirectResponse(f"/web/alerts/{alert_id}", status_code=303)


# -- notifications -----------------------------------------------------------------------


def _notification_view(session: Any, loaded: records.Loaded, now: datetime) -> dict[str, Any]:
    row = cast(Notification, loaded.row)
    due = row.due_at
    left = (due - now).total_seconds() if due is not None else None
    return {"id": row.id, "row": row, "marking": loaded.access.marking.value,
            "owner": loaded.access.owner_agency, "due_at": due, "seconds_left": left,
            "overdue": left is not None and left < 0,
            "history": records.history(session, row.id)}


@router.get("/notifications")
def inbox(request: Request, caller: PageCallerDep, store: StoreDep) -> Response:
    now = datetime.now(UTC)
    with store.write() as session:
        records.expire_due(session, now)
        found = records.list_notifications(session, caller, status=None, limit=500, offset=0)
        views = [_notification_view(session, item, now) for item in found]
        audit.append(session, caller=caller, action="web list", outcome="ok",
                     record_kind=records.NOTIFICATION,
                     detail="ids " + ",".join(str(v["id"]) for v in views))
    incoming = [v for v in views if v["row"].importing_nation == caller.nation]
    outgoing = [v for v in views if v["row"].exporting_nation == caller.nation]
    return render(request, "notifications.html", caller, incoming=incoming,
                  outgoing=outgoing)


@router.get("/notifications/{record_id}")
def notification_page(request: Request, record_id: RecordId, caller: PageCallerDep,
                      store: StoreDep) -> Response:
    now = datetime.now(UTC)
    with store.write() as session:
        loaded = records.get_notification(session, caller, record_id)
        view = _notification_view(session, loaded, now)
        releases = release_form(session, caller, loaded.access, "notification", record_id)
        audit.append(session, caller=caller, action="web read", outcome="ok",
                     record_kind=records.NOTIFICATION, record_id=record_id)
    row = view["row"]
    may_answer = (row.status == "pending" and row.importing_nation == caller.nation
                  and bool(caller.roles & {Role.ANALYST, Role.SUPERVISOR}))
    return render(request, "notification.html", caller, view=view, may_answer=may_answer,
                  releases=releases, released_to=sorted(loaded.access.released_to),
                  answers={"no_objection": "No objection", "objection": "Object",
                           "request_info": "Ask for more information"})


@router.post("/notifications/{record_id}/answer")
def answer(request: Request, record_id: RecordId, caller: PageCallerDep, store: StoreDep,
           form: FormDep) -> Response:
    check_csrf(request, form)
    try:
        chosen = Answer(form.get("answer", ""))
    except ValueError:
        raise InputError("choose no objection, object or ask for more information",
                         field="answer") from None
    try:
        version = int(form.get("version", ""))
    except ValueError:
        raise InputError("the form lost its version; reload the page", field="version") \
            from None
    reason = form.get("reason", "").strip() or None
    with store.write() as session:
        records.answer_notification(session, caller, record_id, chosen, reason, version)
        audit.append(session, caller=caller, action="answer", outcome="ok",
                     record_kind=records.NOTIFICATION, record_id=record_id,
                     detail=chosen.value)
    return RedirectResponse(f"/web/notifications/{record_id}", status_code=303)


# -- incidents, cases, overview ----------------------------------------------------------


@router.get("/incidents")
def incidents_page(request: Request, caller: PageCallerDep, store: StoreDep,
                   page: Annotated[int, Query(ge=1, le=10**6)] = 1) -> Response:
    with store.read() as session:
        # One more than a page, to know whether to offer the next one.
        found = records.list_incidents(session, caller, limit=PAGE_SIZE + 1,
                                       offset=(page - 1) * PAGE_SIZE)
        more = len(found) > PAGE_SIZE
        shown = ",".join(str(item.row.id) for item in found[:PAGE_SIZE])
        items = [{"row": item.row, "marking": item.access.marking.value,
                  "owner": item.access.owner_agency,
                  "released_to": sorted(item.access.released_to),
                  "releases": release_form(session, caller, item.access, "incident",
                                           item.row.id)} for item in found[:PAGE_SIZE]]
    log_page(store, caller, "list", records.INCIDENT,
             detail="ids " + shown)
    return render(request, "incidents.html", caller, items=items, page=page, more=more)


@router.get("/cases")
def cases_page(request: Request, caller: PageCallerDep, store: StoreDep) -> Response:
    today = date.today()
    with store.read() as session:
        found = cases.list_cases(session, caller, limit=500, offset=0)
        items = []
        for item in found:
            actions = [{"id": a.id, "description": a.description, "owner": agency,
                        "due_on": a.due_on,
                        "status": a.status,
                        "overdue": a.status == "open" and date.fromisoformat(a.due_on) < today}
                       for a, agency in cases.actions_of(session, item.row.id)]
            items.append({"row": item.row, "marking": item.access.marking.value,
                          "owner": item.access.owner_agency, "actions": actions,
                          "writable": can_write(caller, item.access),
                          "links": cases.visible_links(session, caller, item.row.id),
                          "released_to": sorted(item.access.released_to),
                          "releases": release_form(session, caller, item.access, "case",
                                                   item.row.id)})
        agencies = list(session.scalars(select(Agency.code).order_by(Agency.code)))
    log_page(store, caller, "list", "case", detail=f"{len(items)} cases")
    return render(request, "cases.html", caller, items=items, agencies=agencies,
                  markings=[m.value for m in Marking], today=today.isoformat())


@router.get("/overview")
def overview_page(request: Request, caller: PageCallerDep, store: StoreDep) -> Response:
    with store.read() as session:
        figures = cases.overview(session, caller, date.today())
    log_page(store, caller, "read", "overview")
    charts = [
        ("Notifications by status", {STATUS_WORDS.get(k, k): v for k, v in
                                     figures["notifications_by_status"].items()}),
        ("Incidents by kind", figures["incidents_by_kind"]),
        ("Cases by status", figures["cases_by_status"]),
        ("Open action items by agency", figures["open_actions_by_agency"]),
        ("Overdue action items by agency", figures["overdue_actions_by_agency"]),
    ]
    return render(request, "overview.html", caller, charts=charts,
                  turnaround=figures["median_turnaround_days_by_importing_nation"])


def install(app: FastAPI) -> None:
    """Add the pages, their static files and their HTML errors to the API's app."""
    # Imported here: these modules render through this one.
    from precursorwatch.web import case_forms, entity_pages, releases

    # The consignment page names each substance's legal controls from the registry. Read
    # it now: a registry file that fails its checks then stops the service from starting
    # (rather than failing every consignment page of a running one), and the first
    # reviewer does not wait for it (about 35 ms of CPU with libyaml, BENCHMARKS.md).
    load_registry()
    app.include_router(router)
    for extra in (entity_pages.router, case_forms.router, releases.router):
        app.include_router(extra)
    app.mount("/web/static", StaticFiles(directory=str(_HERE / "static")), name="web-static")
    app.state.html_errors = _html_error
