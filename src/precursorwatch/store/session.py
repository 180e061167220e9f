"""Engines, transactions and migrations for the operational store.

SQLite (a file, the default) and PostgreSQL (by URL) behave the same to the callers:

- SQLite runs in WAL mode with a busy timeout, and every transaction starts with
  ``BEGIN IMMEDIATE``: each request writes (at least its audit entry), and a deferred
  transaction that later wants to write can fail with "database is locked" however long
  the timeout, whereas an immediate one simply waits its turn.
- PostgreSQL uses its default READ COMMITTED; writers that must be serialised (the audit
  chain's head) take an advisory lock, and state changes are conditional updates.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from precursorwatch.exceptions import UsageError
from precursorwatch.exchange.policy import Caller
from precursorwatch.store.identity import TokenCache
from precursorwatch.store.writer import GroupWriter

__all__ = ["Store", "downgrade", "is_sqlite", "make_engine", "migrate", "transaction"]
T = TypeVar("T")
#: Threads that run reads submitted with :meth:`Store.submit_read` (tokens not in the
#: cache; a notification's read goes to the group writer instead, see store/writer.py).
#: Python runs one thread at a time; more threads than this only fight over the
#: interpreter lock and, past the pool's size, open a fresh connection per request.
_READ_THREADS = 4
#: How long a SQLite writer waits for the lock before giving up (milliseconds).
_SQLITE_BUSY_MS = 60_000


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 10, immediate: bool = True) -> Engine:
    """An engine for a ``sqlite:///FILE`` or ``postgresql+psycopg://...`` URL."""
    try:
        parsed = make_url(url)
    except Exception as error:  # SQLAlchemy raises ArgumentError; any failure is bad input
        raise UsageError(f"not a database URL: {url!r}") from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise UsageError("the store must be a SQLite file or a PostgreSQL URL")
        engine = create_engine(parsed, pool_size=pool_size, max_overflow=pool_size,
                               connect_args={"timeout": _SQLITE_BUSY_MS / 1000,
                                             "check_same_thread": False})
        _sqlite_events(engine, immediate=immediate)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_size=pool_size, max_overflow=pool_size,
                             pool_pre_ping=True)
    raise UsageError(f"unsupported database {backend!r}: use sqlite:///FILE or postgresql://")


def _sqlite_events(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN instead of the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives the process being killed
        # (kill -9), as it is in the OS's hands; only a power cut or kernel crash may lose
        # the last ones. FULL would fsync every commit, and every request commits (its
        # audit entry); set PRECURSORWATCH_DB to PostgreSQL where that matters.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


class _WriteLock:
    """SQLite's writers, in this process and in others (``serve --workers``), queue here.

    Threads wait on a thread lock, processes on an exclusive ``flock`` of a file beside
    the database, which the kernel hands over as soon as it is released. Processes that
    do not take it (an older server, the sqlite3 shell) still wait on busy_timeout.
    """

    def __init__(self, path: str) -> None:
        self._thread = threading.Lock()
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        self._thread.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread.release()
            raise

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread.release()

    def close(self) -> None:
        os.close(self._fd)


class Store:
    """The operational store: write transactions, and read-only ones that on SQLite do not
    queue behind writers (WAL lets readers run beside the one writer)."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        sqlite = is_sqlite(self.engine)
        self.reader = (make_engine(url, pool_size=pool_size, immediate=False)
                       if sqlite else self.engine)
        # SQLite has one writer at a time. Writers queue on a lock instead of on SQLite's
        # busy handler, which polls with sleeps of up to 100 ms and so turns contention
        # into long tails.
        self._write_lock: _WriteLock | None = (
            _WriteLock(f"{self.engine.url.database}-writer.lock") if sqlite else None)
        #: Requests' writes and audit entries, committed many to a transaction.
        self.writer = GroupWriter(self.engine, self._write_lock, self.reader)
        self._tokens = TokenCache()
        self._readers = ThreadPoolExecutor(max_workers=min(pool_size, _READ_THREADS),
                                           thread_name_prefix="store-read")

    def submit_read(self, work: Callable[[Session], T]) -> Future[T]:
        """Run ``work`` in a read-only transaction on one of the store's few read threads."""
        def run() -> T:
            with self.read() as session:
                return work(session)

        return self._readers.submit(run)

    def cached_caller(self, token: str) -> Caller | None:
        """The caller of a token checked in the last moments, without touching the
        database; None when :meth:`caller` must be asked."""
        return self._tokens.get(token)

    def caller(self, token: str) -> Caller | None:
        """The caller a live token belongs to, or None."""
        found = self._tokens.get(token)
        if found is not None:
            return found
        with self.read() as session:
            return self._tokens.lookup(session, token)

    def caller_in(self, session: Session, token: str) -> Caller | None:
        """:meth:`caller` inside a read transaction the caller already has."""
        return self._tokens.get(token) or self._tokens.lookup(session, token)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A unit of work that may write; committed before the block's caller answers."""
        with self._write_lock or nullcontext(), transaction(self.engine) as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads."""
        with transaction(self.reader) as session:
            yield session

    def dispose(self) -> None:
        self._readers.shutdown()
        self.writer.close()
        if self._write_lock is not None:
            self._write_lock.close()
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()


def _config(engine: Engine) -> Config:
    config = Config()
    location = resources.files("precursorwatch.store") / "migrations"
    config.set_main_option("script_location", str(Path(str(location))))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (all of them by default)."""
    command.upgrade(_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Undo the migrations down to ``revision`` (all of them by default)."""
    command.downgrade(_config(engine), revision)
