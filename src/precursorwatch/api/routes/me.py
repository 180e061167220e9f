"""``/health`` and ``/me``: is the service up, and who am I."""

from __future__ import annotations

from fastapi import APIRouter

from precursorwatch.api.deps import CallerDep
from precursorwatch.api.schemas import Me, Problem

__all__ = ["router"]

router = APIRouter(tags=["identity"])


@router.get("/health", summary="Whether the service is up (no token needed)")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/me", response_model=Me, summary="The caller's user, agency, nation and roles",
            responses={401: {"model": Problem}})
def me(caller: CallerDep) -> Me:
    return Me(username=caller.username, agency=caller.agency, nation=caller.nation,
              roles=sorted(caller.roles))
