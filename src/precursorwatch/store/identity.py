"""Nations, agencies, users, roles and API tokens: created by ``admin``, looked up per request.

API tokens carry 256 random bits, so a SHA-256 of the token is enough to store (nothing to
brute-force); passwords, which people choose, are hashed with argon2id.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from precursorwatch.exceptions import Conflict, InputError, NotFound
from precursorwatch.exchange.notifications import NationRules
from precursorwatch.exchange.policy import Caller, Marking, Role
from precursorwatch.store.models import Agency, ApiToken, Nation, User, UserRole

__all__ = [
    "TOKEN_CACHE_SECONDS",
    "TOKEN_PREFIX",
    "TokenCache",
    "add_agency",
    "add_nation",
    "add_user",
    "caller_for_token",
    "issue_token",
    "revoke_token",
    "revoke_tokens",
    "token_sha256",
]

#: Tokens start with this, so a leaked one is easy to recognise in logs and scanners.
TOKEN_PREFIX = "pw_"
_HASHER = PasswordHasher()
#: How long a running server trusts a token it has checked before asking the store again:
#: the longest a token revoked by another process (``admin token revoke``) keeps working.
TOKEN_CACHE_SECONDS = 2.0
#: Bumped by every revocation in this process, so this process's caches forget at once.
_revocations = 0


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_nation(session: Session, rules: NationRules) -> Nation:
    """Add a nation with its response window (or update an existing one's)."""
    if len(rules.code) != 2 or not rules.code.isalpha() or not rules.code.isupper():
        raise InputError("a nation is its two-letter ISO 3166 code, such as US or IN",
                         field="code")
    if rules.response_days < 1:
        raise InputError("must be at least 1", field="response_days")
    nation = session.get(Nation, rules.code) or Nation(code=rules.code)
    nation.name = rules.name
    nation.response_days = rules.response_days
    nation.day_kind = rules.day_kind
    nation.silence_is_no_objection = rules.silence_is_no_objection
    nation.source = rules.source
    session.add(nation)
    return nation


def add_agency(session: Session, code: str, name: str, nation: str,
               default_marking: Marking = Marking.AMBER) -> Agency:
    """Add an agency of ``nation``; its records get ``default_marking`` when none is given."""
    if session.get(Nation, nation) is None:
        raise NotFound(f"no nation {nation}: add it first with `admin nation add`")
    if default_marking is Marking.CLEAR:
        # A record created without a marking must never be open by default.
        raise InputError("an agency's default marking cannot be TLP:CLEAR",
                         field="default_marking")
    if session.scalar(select(Agency).where(Agency.code == code)) is not None:
        raise Conflict(f"agency {code} exists already")
    agency = Agency(code=code, name=name, nation=nation, default_marking=default_marking.value)
    session.add(agency)
    session.flush()
    return agency


def add_user(session: Session, username: str, agency_code: str, roles: Iterable[Role],
             password: str | None = None) -> User:
    """Add a user of one agency with one or more roles (and a password, if given)."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise NotFound(f"no agency {agency_code}: add it first with `admin agency add`")
    wanted = sorted(set(roles))
    if not wanted:
        raise InputError("a user needs at least one role", field="roles")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user {username} exists already")
    user = User(username=username, agency_id=agency.id, created_at=datetime.now(UTC),
                password_hash=_HASHER.hash(password) if password else None)
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role=role.value) for role in wanted)
    return user


def issue_token(session: Session, username: str, label: str = "api") -> str:
    """A new bearer token for the user; only its hash is stored, so show it once."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=token_sha256(token), label=label,
                         created_at=datetime.now(UTC)))
    return token


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every live token of the user; the number revoked."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username}")
    tokens = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                    ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = datetime.now(UTC)
    global _revocations
    _revocations += 1
    return len(tokens)


def revoke_token(session: Session, token: str) -> bool:
    """Revoke one token (a web session's on sign-out), leaving the user's others live;
    whether it was live."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_sha256(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = datetime.now(UTC)
    return True


def check_password(session: Session, username: str, password: str) -> bool:
    """Whether the password is the user's (False for a user without one)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.password_hash is None:
        return False
    try:
        return _HASHER.verify(user.password_hash, password)
    except Exception:  # argon2 raises VerifyMismatchError and kin: all mean "no"
        return False


def caller_for_token(session: Session, token: str) -> Caller | None:
    """The caller a live token belongs to, or None."""
    row = session.execute(
        select(User.id, User.username, Agency.code, Agency.nation)
        .join(ApiToken, ApiToken.user_id == User.id)
        .join(Agency, Agency.id == User.agency_id)
        .where(ApiToken.token_sha256 == token_sha256(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    roles = session.scalars(select(UserRole.role).where(UserRole.user_id == row[0])).all()
    return Caller(user_id=row[0], username=row[1], agency=row[2], nation=row[3],
                  roles=frozenset(Role(r) for r in roles))


class TokenCache:
    """Callers of recently checked tokens, keyed by the token's SHA-256, for
    :data:`TOKEN_CACHE_SECONDS`.

    Looking a token up costs a hash and two queries on every request; a server answering
    hundreds of requests a second from a few dozen users asks the same question again and
    again. Unknown tokens are never cached (a client sending random tokens cannot fill
    it), and the cache is bounded and emptied by any revocation made in this process.
    """

    _MAX = 10_000

    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS) -> None:
        self._seconds = seconds
        self._callers: dict[str, tuple[Caller, float]] = {}
        self._seen = _revocations
        self._lock = threading.Lock()

    def get(self, token: str) -> Caller | None:
        """The cached caller, or None when the store must be asked."""
        key = token_sha256(token)
        with self._lock:
            if self._seen != _revocations:
                self._callers.clear()
                self._seen = _revocations
            found = self._callers.get(key)
            if found is None:
                return None
            if found[1] < time.monotonic():
                del self._callers[key]
                return None
            return found[0]

    def lookup(self, session: Session, token: str) -> Caller | None:
        """:func:`caller_for_token`, remembered when the token is live."""
        seen = _revocations
        caller = caller_for_token(session, token)
        if caller is not None:
            self._put(token, caller, seen)
        return caller

    def _put(self, token: str, caller: Caller, seen: int) -> None:
        with self._lock:
            if seen != _revocations:
                return  # revoked while we looked: do not remember what may be stale
            if len(self._callers) >= self._MAX:
                self._callers.clear()
            self._callers[token_sha256(token)] = (caller, time.monotonic() + self._seconds)
