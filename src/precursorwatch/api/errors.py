"""Our exceptions as RFC 9457 problem responses (``application/problem+json``).

A hidden record (404) and a forbidden action (403) are also written to the audit trail,
in a transaction of their own since the request's work was rolled back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from precursorwatch.exceptions import (
    AccessDenied,
    AuthenticationError,
    Conflict,
    InputError,
    NotFound,
    PrecursorwatchError,
    UsageError,
)
from precursorwatch.store.session import Store

__all__ = ["ERROR_RESPONSES", "HtmlErrors", "install"]

#: How the web pages show an error: (request, status, title, detail) -> an HTML response.
#: Set as ``app.state.html_errors`` by ``web``; used for paths under ``/web``.
HtmlErrors = Callable[[Request, int, str, str], Response]

_STATUS: dict[type[PrecursorwatchError], tuple[int, str]] = {
    AuthenticationError: (401, "Not authenticated"),
    AccessDenied: (403, "Forbidden"),
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    InputError: (422, "Invalid input"),
    UsageError: (422, "Invalid input"),
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token", "model": None},
    422: {"description": "Invalid input; `errors` names each field"},
}


def problem(status: int, title: str, detail: str, instance: str,
            errors: list[dict[str, Any]] | None = None,
            headers: Mapping[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail, "instance": instance, "errors": errors or []}
    return JSONResponse(body, status_code=status, media_type="application/problem+json",
                        headers=dict(headers) if headers else None)


async def _audit_denial(request: Request, status: int, detail: str) -> None:
    # In the next group commit; the answer waits until the entry is committed.
    caller = getattr(request.state, "caller", None)
    store: Store = request.app.state.store
    await asyncio.wrap_future(store.writer.log(
        caller=caller, action=f"{request.method} {request.url.path}",
        outcome="hidden" if status == 404 else "denied", detail=detail))


def _html(request: Request) -> HtmlErrors | None:
    if not request.url.path.startswith("/web"):
        return None
    render: HtmlErrors | None = getattr(request.app.state, "html_errors", None)
    return render


async def _ours(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PrecursorwatchError)
    status, title = next((v for k, v in _STATUS.items() if isinstance(exc, k)),
                         (500, "Internal error"))
    errors = None
    if isinstance(exc, InputError):
        errors = [{"field": exc.field, "reason": exc.reason}]
    if status in (403, 404) and getattr(request.state, "caller", None) is not None:
        await _audit_denial(request, status, str(exc))
    render = _html(request)
    if render is not None:
        return render(request, status, title, str(exc))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return problem(status, title, str(exc), request.url.path, errors, headers)


def _field(loc: tuple[int | str, ...]) -> str:
    # ("body", "screening", "score") -> "screening.score"; the request part is implied.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "")


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e.get("loc", ()))), "reason": str(e.get("msg", ""))}
              for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    render = _html(request)
    if render is not None:
        return render(request, 422, "Invalid input", detail)
    return problem(422, "Invalid input", detail, request.url.path, errors)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    render = _html(request)
    if render is not None:
        return render(request, exc.status_code, str(exc.detail), str(exc.detail))
    return problem(exc.status_code, str(exc.detail), str(exc.detail), request.url.path,
                   headers=exc.headers)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(PrecursorwatchError, _ours)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(StarletteHTTPException, _http)
