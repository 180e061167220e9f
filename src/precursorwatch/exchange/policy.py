"""Who may see, write and release a record: Traffic Light Protocol 2.0 markings, agencies,
nations and roles, decided by pure functions.

Two separate questions are asked of every record:

- **Onward sharing** (the TLP marking) limits who *inside the system* may read it:
  RED and AMBER+STRICT stay inside the owner agency (RED only for analysts and above,
  who are the named recipients), AMBER, GREEN and CLEAR reach every agency of each nation
  the record is visible in.
- **Crossing the border** (releasability) limits which *nations* it is visible in: the
  owner's nation always, another nation only after an explicit release by a supervisor of
  the owner's nation. Nothing, CLEAR included, crosses without one, and RED and
  AMBER+STRICT records cannot be released at all (their marking keeps them inside the
  owner agency).

The API calls :func:`can_read` from one dependency; routes never repeat these rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Caller",
    "Marking",
    "RecordAccess",
    "Role",
    "can_answer",
    "can_read",
    "can_release",
    "can_write",
    "release_refusal",
]


class Marking(StrEnum):
    """Traffic Light Protocol 2.0 labels, most restrictive first."""

    RED = "TLP:RED"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    AMBER = "TLP:AMBER"
    GREEN = "TLP:GREEN"
    CLEAR = "TLP:CLEAR"


class Role(StrEnum):
    """What a user may do; a user has one or more."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


#: Markings whose record never leaves the owner agency, so never crosses the border.
_AGENCY_ONLY = frozenset({Marking.RED, Marking.AMBER_STRICT})
#: Roles that may create records and answer notifications.
_WRITERS = frozenset({Role.ANALYST, Role.SUPERVISOR})


@dataclass(frozen=True)
class Caller:
    """The authenticated user behind a request: their agency, its nation, their roles."""

    user_id: int
    username: str
    agency: str
    nation: str
    roles: frozenset[Role]


@dataclass(frozen=True)
class RecordAccess:
    """What the policy needs to know about a record: owner, marking and the nations it has
    been released to (besides the owner's own)."""

    owner_agency: str
    owner_nation: str
    marking: Marking
    released_to: frozenset[str] = field(default_factory=frozenset)


def can_read(caller: Caller, record: RecordAccess) -> bool:
    """Whether the caller may see the record at all (if not, the API answers 404)."""
    if not caller.roles:
        return False
    if record.marking in _AGENCY_ONLY:
        if caller.agency != record.owner_agency:
            return False
        # RED names its recipients: the owner agency's analysts and supervisors, not viewers.
        return record.marking is not Marking.RED or bool(caller.roles & _WRITERS)
    if caller.nation == record.owner_nation:
        return True
    return caller.nation in record.released_to


def can_write(caller: Caller, record: RecordAccess) -> bool:
    """Whether the caller may change a record they can read: analysts and supervisors of
    the owner agency."""
    return caller.agency == record.owner_agency and bool(caller.roles & _WRITERS)


def can_answer(caller: Caller, record: RecordAccess, importing_nation: str) -> bool:
    """Whether the caller may answer a pre-export notification: an analyst or supervisor of
    the importing nation who can read it (so it has been released to that nation)."""
    return (caller.nation == importing_nation and bool(caller.roles & _WRITERS)
            and can_read(caller, record))


def release_refusal(caller: Caller, record: RecordAccess, nation: str) -> str | None:
    """Why the caller may not release the record to ``nation``, or None when they may.

    Only a supervisor of the owner's nation releases, and only a record they can read,
    to a nation other than the owner's, and never a RED or AMBER+STRICT one.
    """
    if Role.SUPERVISOR not in caller.roles:
        return "only a supervisor may release a record across the border"
    if caller.nation != record.owner_nation:
        return "only the owner's nation may release a record"
    if nation == record.owner_nation:
        return "a record is always visible in its owner's nation; release is for another nation"
    if record.marking in _AGENCY_ONLY:
        return f"{record.marking.value} keeps the record inside the owner agency"
    return None


def can_release(caller: Caller, record: RecordAccess, nation: str) -> bool:
    """Whether the caller may release the record to ``nation`` (see :func:`release_refusal`)."""
    return release_refusal(caller, record, nation) is None
