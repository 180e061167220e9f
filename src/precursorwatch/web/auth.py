"""Who is signed in to the pages: the API token in a cookie, and the forms' CSRF token.

The cookie holds the same bearer token the API takes, so a page sees exactly what the API
would show that user. It is HttpOnly (no script reads it) and SameSite=Strict (no other
site's page sends it). Every form also carries a CSRF token derived from the session token
with HMAC, so a forged form from elsewhere fails even where SameSite is not honoured.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from precursorwatch.api.deps import StoreDep
from precursorwatch.exceptions import AccessDenied, AuthenticationError
from precursorwatch.exchange.policy import Caller
from precursorwatch.store.identity import caller_for_token

__all__ = ["COOKIE", "FormDep", "PageCallerDep", "check_csrf", "csrf_token"]

COOKIE = "pw_session"


def csrf_token(session_token: str) -> str:
    """The CSRF token for forms of this session: knowable only with the session token."""
    return hmac.new(session_token.encode("utf-8"), b"precursorwatch-csrf",
                    hashlib.sha256).hexdigest()


def check_csrf(request: Request, form: dict[str, str]) -> None:
    token = request.cookies.get(COOKIE, "")
    sent = form.get("csrf", "")
    if not token or not hmac.compare_digest(sent, csrf_token(token)):
        raise AccessDenied("the form's security token is missing or stale; reload the page "
                           "and try again")


def _page_caller(request: Request, store: StoreDep) -> Caller:
    token = request.cookies.get(COOKIE)
    if not token:
        raise AuthenticationError("sign in first")
    with store.read() as session:
        caller = caller_for_token(session, token)
    if caller is None:
        raise AuthenticationError("your sign-in has ended (token unknown or revoked)")
    request.state.caller = caller
    return caller


PageCallerDep = Annotated[Caller, Depends(_page_caller)]

#: Form bodies are small; refuse anything larger than this many bytes.
_MAX_FORM = 64 * 1024


async def _form(request: Request) -> dict[str, str]:
    """A URL-encoded form body as field -> last value (no multipart: the pages never
    upload files)."""
    body = await request.body()
    if len(body) > _MAX_FORM:
        raise AccessDenied("the form is too large")
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[-1] for key, values in parsed.items()}


FormDep = Annotated[dict[str, str], Depends(_form)]
