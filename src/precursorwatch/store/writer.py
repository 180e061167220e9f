"""Group commit: one writer thread per process commits many requests' work in one transaction.

Every request writes at least its audit entry, and every audit entry needs the chain's head,
so appends are serialised whatever we do. Done one transaction per request, the server
spends its time taking the chain's lock, reading the head and committing (on PostgreSQL a
WAL flush per request). Here the requests queue their work; the writer takes all that is
queued, opens one transaction (SQLite ``BEGIN IMMEDIATE`` / PostgreSQL advisory lock, so
other processes are still serialised), reads the head once, runs each unit of work in a
savepoint of its own (one unit's error rolls back only that unit), inserts the plain audit
entries in one statement, and commits once. Only after the commit does any request get its
answer, so nothing acknowledged is lost: a commit that fails fails every request in it.

Reads that must be audited (a marked record's) come here too, as *lookups*: before the
batch's write transaction, and outside the chain's lock, the writer runs each kind of
lookup once for all the keys the batch asks for (one query for fifty reads instead of
fifty), in one read-only transaction; each request's own check (its caller's rights) then
decides its answer, and the reads that succeeded get their audit entries in the batch's
write transaction. A read therefore costs one hand-over between threads and a share of
two transactions, instead of a transaction of its own and a hand-over to a read thread
and another to the writer.

Work that many requests ask for in the same shape (drafting a notification) can come as
*bulk* items: the writer hands all of a batch's items for one bulk function to it at once,
in one savepoint, so that fifty drafts are two multi-row inserts instead of a hundred
statements and fifty savepoints (on PostgreSQL, each statement is a round trip made while
holding the chain's lock). The function refuses the items it must (returning their error
in their place, having written nothing of them); should it raise instead, its savepoint is
rolled back and each item is run alone in a savepoint of its own, so that one item's
failure still fails only that item.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from precursorwatch.exchange.policy import Caller
from precursorwatch.store import audit

__all__ = ["GroupWriter"]

#: Most units of work in one transaction: bounds how long the chain's lock is held (and so
#: how long other processes wait) while still amortising a commit over many requests.
MAX_BATCH = 256


@dataclass(frozen=True)
class _Entry:
    """An audit entry with no other work: inserted with the batch's other entries."""

    caller: Caller | None
    action: str
    outcome: str
    record_kind: str | None
    record_id: int | None
    detail: str


#: A lookup's query: every key a batch asks for at once -> what each found (missing keys
#: left out).
Fetch = Callable[[Session, Sequence[Any]], Mapping[Any, Any]]


@dataclass(frozen=True)
class _Lookup:
    """A read of ``key`` by ``fetch``; ``finish`` turns what was found (None: nothing) into
    the request's answer or raises to refuse it; ``entry`` is logged when it answers."""

    fetch: Fetch
    key: Any
    finish: Callable[[Any], Any]
    entry: _Entry


#: Bulk work: many requests' items at once -> each item's result, or the exception that
#: refuses it (nothing of a refused item written), in the items' order.
Bulk = Callable[[Session, Sequence[Any]], Sequence[Any]]


@dataclass(frozen=True)
class _Item:
    bulk: Bulk
    item: Any


@dataclass(frozen=True)
class _Job:
    work: Callable[[Session], Any] | _Entry | _Lookup | _Item
    future: Future[Any]


class GroupWriter:
    """The process's writer over ``engine``; ``lock`` is the store's in-process write lock
    (SQLite), taken around each batch so other writers of this process queue on it."""

    def __init__(self, engine: Engine, lock: AbstractContextManager[None] | None,
                 reader: Engine | None = None) -> None:
        self._engine = engine
        #: Where lookups run: SQLite's reader engine (no write lock), else ``engine``.
        self._reader = reader or engine
        self._lock = lock
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._closed = False

    def submit(self, work: Callable[[Session], Any]) -> Future[Any]:
        """Run ``work(session)`` in the next batch; the future holds its result (or its
        exception) once the batch is committed."""
        return self._put(work)

    def log(self, *, caller: Caller | None, action: str, outcome: str,
            record_kind: str | None = None, record_id: int | None = None,
            detail: str = "") -> Future[Any]:
        """Append one audit entry in the next batch; the future is done when it is
        committed."""
        return self._put(_Entry(caller, action, outcome, record_kind, record_id, detail))

    def lookup(self, fetch: Fetch, key: Any, finish: Callable[[Any], Any], *,
               caller: Caller | None, action: str, record_kind: str | None = None,
               record_id: int | None = None, detail: str = "") -> Future[Any]:
        """Read ``key`` with ``fetch`` in the next batch, together with the batch's other
        keys for the same ``fetch``; the future holds ``finish(found)`` (or its exception)
        once the audit entry of the read is committed. Nothing is logged when ``finish``
        raises: the caller reports (and audits) the refusal."""
        return self._put(_Lookup(fetch, key, finish,
                                 _Entry(caller, action, "ok", record_kind, record_id, detail)))

    def submit_bulk(self, bulk: Bulk, item: Any) -> Future[Any]:
        """Run ``bulk`` over ``item`` and the batch's other items for it; the future holds
        the item's result (or its error) once the batch is committed."""
        return self._put(_Item(bulk, item))

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        with self._start:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _put(self, work: Callable[[Session], Any] | _Entry | _Lookup | _Item
             ) -> Future[Any]:
        future: Future[Any] = Future()
        with self._start:
            if self._closed:
                raise RuntimeError("the store is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-writer",
                                                daemon=True)
                self._thread.start()
            self._queue.put(_Job(work, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._commit(batch)
            if stop:
                return

    def _look_up(self, batch: list[_Job]) -> dict[int, tuple[Any, BaseException | None]]:
        """Run the batch's lookups, each kind once over all its keys, in one read-only
        transaction; returns each lookup job's (answer, refusal) by its place in the batch.
        Lookups of requests cancelled meanwhile are dropped (nothing read, nothing logged).
        """
        wanted: dict[int, _Lookup] = {}
        for place, job in enumerate(batch):
            if isinstance(job.work, _Lookup) and job.future.set_running_or_notify_cancel():
                wanted[place] = job.work
        if not wanted:
            return {}
        by_fetch: dict[Fetch, set[Any]] = {}
        for lookup in wanted.values():
            by_fetch.setdefault(lookup.fetch, set()).add(lookup.key)
        found: dict[Fetch, Mapping[Any, Any] | BaseException] = {}
        try:
            with Session(self._reader, expire_on_commit=False) as session, session.begin():
                for fetch, keys in by_fetch.items():
                    try:
                        found[fetch] = fetch(session, sorted(keys))
                    except Exception as error:  # the store's error, handed to each caller
                        found[fetch] = error
        except Exception as error:  # opening or ending the read transaction
            found = dict.fromkeys(by_fetch, error)
        answers: dict[int, tuple[Any, BaseException | None]] = {}
        for place, lookup in wanted.items():
            got = found[lookup.fetch]
            if isinstance(got, BaseException):
                answers[place] = (None, got)
                continue
            try:
                answers[place] = (lookup.finish(got.get(lookup.key)), None)
            except Exception as error:  # the request's refusal (hidden, must write...)
                answers[place] = (None, error)
        return answers

    def _commit(self, batch: list[_Job]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        # Outside the chain's lock: other processes' writers need not wait for these.
        looked_up = self._look_up(batch)
        bulks_done: set[Bulk] = set()
        try:
            with (self._lock or nullcontext(),
                  Session(self._engine, expire_on_commit=False) as session,
                  session.begin()):
                audit.lock_head(session)
                for place, job in enumerate(batch):
                    if isinstance(job.work, _Lookup):
                        if place not in looked_up:
                            continue  # cancelled before it was read
                        answer, refusal = looked_up[place]
                        if refusal is None:
                            e = job.work.entry
                            audit.append_later(session, caller=e.caller, action=e.action,
                                               outcome=e.outcome, record_kind=e.record_kind,
                                               record_id=e.record_id, detail=e.detail)
                        outcomes.append((job.future, answer, refusal))
                        continue
                    if isinstance(job.work, _Item) and job.work.bulk in bulks_done:
                        continue  # run with the first item of its bulk
                    # False when the request was cancelled while queued: its work is not
                    # done (nothing was acknowledged), but an audit entry is still written.
                    wanted = job.future.set_running_or_notify_cancel()
                    if isinstance(job.work, _Entry):
                        e = job.work
                        audit.append_later(session, caller=e.caller, action=e.action,
                                           outcome=e.outcome, record_kind=e.record_kind,
                                           record_id=e.record_id, detail=e.detail)
                        outcomes.append((job.future, None, None))
                        continue
                    if not wanted:
                        continue
                    if isinstance(job.work, _Item):
                        bulk = job.work.bulk
                        if bulk not in bulks_done:
                            bulks_done.add(bulk)
                            outcomes += _run_bulk(session, bulk, [
                                other for other in batch[place:]
                                if isinstance(other.work, _Item) and other.work.bulk is bulk
                                and (other is job
                                     or other.future.set_running_or_notify_cancel())])
                        continue
                    mark = audit.head_mark(session)
                    savepoint = session.begin_nested()
                    try:
                        result = job.work(session)
                        savepoint.commit()
                    except Exception as error:  # the unit's own error, handed to its caller
                        savepoint.rollback()
                        audit.reset_head(session, mark)
                        outcomes.append((job.future, None, error))
                    else:
                        outcomes.append((job.future, result, None))
                audit.flush_later(session)
        except BaseException as error:
            # Not committed: no request of this batch may be acknowledged.
            for job in batch:
                _settle(job.future, None, error)
            if not isinstance(error, Exception):
                raise
            return
        for future, result, failure in outcomes:
            _settle(future, result, failure)


def _run_bulk(session: Session, bulk: Bulk, jobs: list[_Job]
              ) -> list[tuple[Future[Any], Any, BaseException | None]]:
    """All ``jobs``' items through ``bulk`` in one savepoint; if it raises, each item alone
    in a savepoint of its own."""
    items = [cast(_Item, job.work).item for job in jobs]
    mark = audit.head_mark(session)
    savepoint = session.begin_nested()
    try:
        results = list(bulk(session, items))
        if len(results) != len(items):
            raise RuntimeError(f"{bulk!r} gave {len(results)} results for {len(items)} items")
        savepoint.commit()
    except Exception as error:
        savepoint.rollback()
        audit.reset_head(session, mark)
        if len(items) == 1:
            return [(jobs[0].future, None, error)]
    else:
        return [(job.future, None, result) if isinstance(result, Exception)
                else (job.future, result, None) for job, result in zip(jobs, results,
                                                                       strict=True)]
    outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
    for job in jobs:
        outcomes += _run_bulk(session, bulk, [job])
    return outcomes


def _settle(future: Future[Any], result: Any, failure: BaseException | None) -> None:
    """Hand over a job's outcome, unless its request was cancelled meanwhile: the writer
    must go on for the others whatever one request did."""
    if future.cancelled():
        return
    if failure is None:
        future.set_result(result)
    else:
        future.set_exception(failure)
