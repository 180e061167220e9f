"""Databases and a seeded world for the exchange tests (see tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from precursorwatch.exchange.notifications import default_nation_rules
from precursorwatch.exchange.policy import Marking, Role
from precursorwatch.store import identity
from precursorwatch.store.models import Base
from precursorwatch.store.session import Store, migrate

PG_ENV = "PRECURSORWATCH_TEST_PG"
ROOT = Path(__file__).parent.parent


def postgres_base_url() -> str | None:
    """The PostgreSQL URL the tests may use: $PRECURSORWATCH_TEST_PG, else whatever
    scripts/test_postgres.sh makes ready (starting the local server); None when this
    machine has no PostgreSQL at all."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    script = ROOT / "scripts" / "test_postgres.sh"
    try:
        done = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    url = done.stdout.strip()
    if url:
        os.environ[PG_ENV] = url
    return url or None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated, dropped at the end (so
    other sessions sharing the server are not disturbed)."""
    base = postgres_base_url()
    if base is None:
        pytest.skip("no PostgreSQL on this machine (set PRECURSORWATCH_TEST_PG, see "
                    "DEVELOPERS.md)")
    name = f"pw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    store = Store(url, pool_size=2)
    migrate(store.engine)
    store.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty exchange store: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'exchange.db'}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


#: The users of the seeded world: username -> (agency, roles).
USERS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "dea_viewer": ("DEA", (Role.VIEWER,)),
    "dea_analyst": ("DEA", (Role.ANALYST,)),
    "dea_super": ("DEA", (Role.SUPERVISOR,)),
    "cbp_analyst": ("CBP", (Role.ANALYST,)),
    "cbp_super": ("CBP", (Role.SUPERVISOR,)),
    "ncb_viewer": ("NCB", (Role.VIEWER,)),
    "ncb_analyst": ("NCB", (Role.ANALYST,)),
    "ncb_analyst2": ("NCB", (Role.ANALYST,)),
    "ncb_super": ("NCB", (Role.SUPERVISOR,)),
    "cbn_analyst": ("CBN", (Role.ANALYST,)),
    "dea_admin": ("DEA", (Role.ADMIN,)),
}


@dataclass
class World:
    """Two nations, two agencies each, users with roles, and their bearer tokens."""

    url: str
    tokens: dict[str, str]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def seed_world(url: str) -> World:
    store = Store(url, pool_size=1)
    migrate(store.engine)
    rules = default_nation_rules()
    tokens = {}
    with store.write() as session:
        identity.add_nation(session, rules["US"])
        identity.add_nation(session, rules["IN"])
        identity.add_agency(session, "DEA", "Drug Enforcement Administration", "US")
        identity.add_agency(session, "CBP", "Customs and Border Protection", "US")
        identity.add_agency(session, "NCB", "Narcotics Control Bureau", "IN",
                            Marking.AMBER_STRICT)
        identity.add_agency(session, "CBN", "Central Bureau of Narcotics", "IN")
        for username, (agency, roles) in USERS.items():
            identity.add_user(session, username, agency, roles)
            tokens[username] = identity.issue_token(session, username)
    store.dispose()
    return World(url=url, tokens=tokens)
