"""Who is calling, and the store: the dependencies every route shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from precursorwatch.exceptions import AuthenticationError
from precursorwatch.exchange.policy import Caller
from precursorwatch.store.identity import caller_for_token
from precursorwatch.store.session import Store

__all__ = ["CallerDep", "StoreDep"]

_bearer = HTTPBearer(auto_error=False, description="An API token from `precursorwatch admin "
                     "token issue`")


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(_store)]


def _caller(request: Request, store: StoreDep,
            credentials: Annotated[HTTPAuthorizationCredentials | None,
                                   Depends(_bearer)]) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("send an API token as `Authorization: Bearer TOKEN`")
    with store.read() as session:
        caller = caller_for_token(session, credentials.credentials)
    if caller is None:
        raise AuthenticationError("unknown or revoked token")
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(_caller)]
