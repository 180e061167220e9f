"""Who is calling, and the store: the dependencies every route shares; and the three ways a
route reaches the store without holding up the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from precursorwatch.exceptions import AuthenticationError
from precursorwatch.exchange.policy import Caller
from precursorwatch.store.session import Store
from precursorwatch.store.writer import Fetch

__all__ = ["JSON", "CallerDep", "StoreDep", "log", "look_up", "write"]

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="An API token from `precursorwatch admin "
                     "token issue`")


async def _store(request: Request) -> Store:
    # async, so FastAPI does not send this attribute lookup to a worker thread.
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(_store)]


async def _caller(request: Request, store: StoreDep,
                  credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(_bearer)]) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("send an API token as `Authorization: Bearer TOKEN`")
    token = credentials.credentials
    # A recently checked token needs no thread and no query; see TokenCache.
    caller = store.cached_caller(token) or await asyncio.wrap_future(
        store.submit_read(lambda session: store.caller_in(session, token)))
    if caller is None:
        raise AuthenticationError("unknown or revoked token")
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(_caller)]


async def write(store: Store, work: Callable[[Session], T]) -> T:
    """Run ``work`` in the store's next group commit; returns once it is committed (its
    error, if it raised, is raised here and nothing of it was written)."""
    result: T = await asyncio.wrap_future(store.writer.submit(work))
    return result


async def look_up(store: Store, fetch: Fetch, key: Any, finish: Callable[[Any], T], *,
                  caller: Caller, action: str, record_kind: str, record_id: int) -> T:
    """Read ``key`` with ``fetch`` in the store's next group commit, beside the other
    requests' reads of the same kind; returns ``finish(found)`` once the read's audit entry
    is committed (``finish``'s error, if it raised, is raised here and nothing was
    logged: the error handler audits the refusal)."""
    result: T = await asyncio.wrap_future(store.writer.lookup(
        fetch, key, finish, caller=caller, action=action, record_kind=record_kind,
        record_id=record_id))
    return result


class JSON(Response):
    """A response whose body is JSON already serialised (by a Pydantic model's
    ``model_dump_json``, off the event loop): FastAPI then neither validates it against
    the route's response model again nor serialises it a second time. The route still
    names its ``response_model`` for the OpenAPI document."""

    media_type = "application/json"


async def log(store: Store, caller: Caller | None, action: str, *, outcome: str = "ok",
              record_kind: str | None = None, record_id: int | None = None,
              detail: str = "") -> None:
    """Append an audit entry in the next group commit; returns once it is committed, so a
    response sent after it never describes an access the trail might lose."""
    await asyncio.wrap_future(store.writer.log(
        caller=caller, action=action, outcome=outcome, record_kind=record_kind,
        record_id=record_id, detail=detail))
