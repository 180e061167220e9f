"""The analytics store: validated shipment rows as Parquet files, with DuckDB over them.

Layout of a store folder::

    catalog.duckdb        the list of committed batches (one per successful ingest)
    batches/<id>.parquet  the validated rows each batch added, never changed once written
    batches/.<id>.part    the file an ingest in progress is writing (swept if it died)
    tmp/                  DuckDB's spill space

Why this shape: an ingest writes its rows to a new Parquet file first and only then records
the batch in the catalog, in one DuckDB transaction. Readers see only catalogued batches, so
an ingest that fails or is killed (even with ``kill -9``) leaves the store as it was; its
half-written files are swept away by the next ingest. Parquet keeps a year of national trade
small and fast to scan, and DuckDB reads it with a bounded memory limit.

Versions: every row carries ``_batch`` and ``_seq`` (its order within the batch, across the
files given), ``_file`` and ``_row`` (where it came from) and ``_extra`` (the file's extra
columns, as JSON text). The ``shipments`` view shows the latest
version of each (source, shipment_id); ``shipment_versions`` shows them all. A row already
stored unchanged is not stored again, so ingesting the same file twice changes nothing.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from precursorwatch.exceptions import InputError, RowErrors, UsageError
from precursorwatch.records.readers import DEFAULT_BATCH_ROWS, read_contract
from precursorwatch.records.schema import CONTRACT_FIELDS, VALIDATED_SCHEMA
from precursorwatch.records.validate import Validated

__all__ = ["AnalyticsStore", "IngestReport", "StoreStats"]

#: DuckDB's memory cap while ingesting or querying: the whole process stays near 2 GiB.
MEMORY_LIMIT = "1GB"
#: DuckDB's cap while comparing a new batch with the stored versions.
COMPARE_MEMORY_LIMIT = "600MB"


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did."""

    batch: int | None
    files: tuple[str, ...]
    rows_read: int
    rows_added: int
    rows_unchanged: int
    rows_quarantined: int
    errors: tuple[InputError, ...] = ()


@dataclass(frozen=True)
class StoreStats:
    """What a store holds."""

    path: str
    batches: int
    shipments: int
    versions: int
    first_declared: datetime | None
    last_declared: datetime | None
    by_source: tuple[tuple[str, int], ...] = field(default=())
    size_bytes: int = 0


class AnalyticsStore:
    """One store folder; open it, ingest into it, query it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise UsageError(f"{self.path}: the store must be a folder, not a file")

    @property
    def _catalog(self) -> Path:
        return self.path / "catalog.duckdb"

    def _connect(self, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        """The catalog database: it holds only the ``batches`` table."""
        try:
            con = duckdb.connect(str(self._catalog), read_only=read_only)
        except duckdb.IOException as err:
            raise UsageError(f"{self.path}: the store is in use by another process "
                             f"({err})") from err
        if not read_only:
            con.execute(
                "CREATE TABLE IF NOT EXISTS batches (batch INTEGER PRIMARY KEY, file VARCHAR, "
                "sources VARCHAR, rows_read BIGINT, rows_added BIGINT, "
                "committed_at TIMESTAMP)")
        return con

    def _files(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        try:
            names = [r[0] for r in con.execute(
                "SELECT file FROM batches WHERE file IS NOT NULL ORDER BY batch").fetchall()]
        except duckdb.CatalogException:
            return []
        return [str(self.path / "batches" / name) for name in names]

    def _data(self, files: list[str]) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB with the two views over the given batch files."""
        con = duckdb.connect()
        con.execute("SET memory_limit = ?", [MEMORY_LIMIT])
        con.execute("SET preserve_insertion_order = false")
        if self.path.exists():
            (self.path / "tmp").mkdir(exist_ok=True)
            con.execute("SET temp_directory = ?", [str(self.path / "tmp")])
        if files:
            con.read_parquet(files, union_by_name=True).create_view("shipment_versions")
        else:
            empty = pa.schema([*_STORED_SCHEMA, ("_batch", pa.int32()),
                               ("_row_hash", pa.uint64())])
            con.register("shipment_versions", empty.empty_table())
        con.sql(
            "SELECT * FROM shipment_versions QUALIFY row_number() OVER "
            "(PARTITION BY source, shipment_id ORDER BY _batch DESC, _seq DESC) = 1"
        ).create_view("shipments")
        return con

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection with the ``shipments`` and ``shipment_versions`` views over
        the committed batches; an empty store answers with empty views."""
        files: list[str] = []
        if self._catalog.exists():
            catalog = self._connect(read_only=True)
            try:
                files = self._files(catalog)
            finally:
                catalog.close()
        con = self._data(files)
        try:
            yield con
        finally:
            con.close()

    def current_rows(self) -> pa.Table:
        """The current version of every stored shipment, in the contract's columns and in
        the order they were stored (an empty table for an empty or missing store)."""
        with self.connect() as con:
            table = con.table("shipments").order("_batch, _seq").select(
                *CONTRACT_FIELDS).to_arrow_table()
        return table.cast(VALIDATED_SCHEMA)

    def stats(self) -> StoreStats:
        """Counts, date range and size of what the store holds."""
        with self.connect() as con:
            shipments, first, last = con.execute(
                "SELECT count(*), min(declared_at), max(declared_at) FROM shipments").fetchone() \
                or (0, None, None)
            versions = (con.execute("SELECT count(*) FROM shipment_versions").fetchone()
                        or (0,))[0]
            by_source = tuple((str(s), int(n)) for s, n in con.execute(
                "SELECT source, count(*) FROM shipments GROUP BY source ORDER BY source"
            ).fetchall())
            batches = int((con.execute("SELECT count(DISTINCT _batch) FROM shipment_versions")
                           .fetchone() or (0,))[0])
        size = sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file()) \
            if self.path.exists() else 0
        return StoreStats(str(self.path), batches, int(shipments), int(versions), first, last,
                          by_source, size)

    # -- ingest ---------------------------------------------------------------------------

    def _sweep(self, con: duckdb.DuckDBPyConnection) -> None:
        """Remove what a failed or killed ingest left behind: files the catalog does not list."""
        kept = {Path(f).name for f in self._files(con)}
        batches = self.path / "batches"
        if batches.exists():
            for path in batches.iterdir():
                if path.name not in kept:
                    path.unlink()

    def ingest(
        self,
        files: Sequence[str | Path],
        *,
        quarantine: Callable[[Validated], None] | None = None,
        progress: Callable[[int], None] | None = None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        before_commit: Callable[[], None] | None = None,
    ) -> IngestReport:
        """Validate and store the rows of ``files`` as one batch, all or nothing.

        Without ``quarantine`` any bad row rejects everything and nothing is stored
        (:class:`RowErrors` lists every problem of every file). With it, each batch's bad
        rows are handed to ``quarantine`` and the rest is stored. ``progress(rows)`` is
        called after each batch with the rows read so far. ``before_commit()`` runs once the
        batch file is written and before it is catalogued (the quarantine file is written
        there): if it fails, nothing is stored.

        Validated batches stream from the readers into the batch's Parquet file; rows already
        stored unchanged are then dropped from it.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        con = self._connect(read_only=False)
        try:
            self._sweep(con)
            feed = _Feed(files, quarantine, progress, batch_rows)
            batch = int((con.execute("SELECT coalesce(max(batch), 0) + 1 FROM batches")
                         .fetchone() or (1,))[0])
            name, added = self._write_batch(con, batch, feed)
            if feed.errors and quarantine is None:
                raise RowErrors(feed.errors, file=str(files[0]) if len(files) == 1 else None)
            if before_commit is not None:
                before_commit()
            if name is not None:
                _durable_rename(self.path / "batches" / f".{name}.part",
                                self.path / "batches" / name)
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?)",
                        [batch, name, ";".join(str(f) for f in files), feed.rows_read, added,
                         datetime.now(UTC).replace(tzinfo=None)])
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            return IngestReport(batch, tuple(str(f) for f in files), feed.rows_read, added,
                                feed.rows_read - feed.quarantined - added, feed.quarantined,
                                tuple(feed.errors))
        finally:
            con.close()
            self._sweep_temp()

    def _sweep_temp(self) -> None:
        batches = self.path / "batches"
        if batches.exists():
            for path in batches.glob(".*.part"):
                path.unlink()

    def _write_batch(self, con: duckdb.DuckDBPyConnection, batch: int,
                     feed: _Feed) -> tuple[str | None, int]:
        """Write the feed's rows to ``batches/.<name>.part``: (name, rows), or (None, 0)
        when nothing new arrived.

        The first pass writes every valid row with its hash; when the store already holds
        rows, a second pass over that file keeps only rows that are new or differ from the
        current version of their shipment.
        """
        stored = self._files(con)
        folder = self.path / "batches"
        folder.mkdir(exist_ok=True)
        name = f"{batch:06d}.parquet"
        temp = folder / f".{name}.part"
        data = self._data(stored)
        try:
            columns = [duckdb.ColumnExpression(c) for c in CONTRACT_FIELDS]
            extra = (
                duckdb.ConstantExpression(batch).cast(duckdb.sqltype("INTEGER")).alias("_batch"),
                duckdb.FunctionExpression("hash", *columns).alias("_row_hash"),
            )
            # Batch by batch, so that memory stays bounded by the batch size: DuckDB hashes
            # each one and Arrow appends it to the file as a row group, on a second thread
            # so that writing overlaps reading and validating (both release the GIL).
            writer = _BatchWriter(temp, lambda rows: data.from_arrow(rows).select(
                duckdb.StarExpression(), *extra).to_arrow_table())
            with writer:
                for rows in feed:
                    writer.put(rows)
            if not writer.written:
                return None, 0
            if stored and not (feed.errors and feed.quarantine is None):
                # By now the process holds what reading and validating left behind, so the
                # comparison gets a smaller share to keep the whole ingest near 2 GiB.
                data.execute("SET memory_limit = ?", [COMPARE_MEMORY_LIMIT])
                first = folder / f".{name}.first.part"
                os.replace(temp, first)
                data.read_parquet(str(first)).create_view("incoming")
                # Compare with the current version of the shipments this batch touches only,
                # reading the stored history by its key and hash columns alone.
                # Only the last incoming row of each shipment counts (so that a file that
                # repeats a shipment ingests the same way every time), and it is kept only if
                # it differs from the current stored version of that shipment.
                data.sql(
                    "WITH last AS (SELECT * FROM incoming QUALIFY row_number() OVER "
                    "(PARTITION BY source, shipment_id ORDER BY _seq DESC) = 1), "
                    "touched AS (SELECT v.source, v.shipment_id, v._row_hash, v._batch, "
                    "v._seq FROM shipment_versions v SEMI JOIN last i "
                    "ON v.source = i.source AND v.shipment_id = i.shipment_id), "
                    "latest AS (SELECT source, shipment_id, _row_hash FROM touched QUALIFY "
                    "row_number() OVER (PARTITION BY source, shipment_id "
                    "ORDER BY _batch DESC, _seq DESC) = 1) "
                    "SELECT i.* FROM last i ANTI JOIN latest l ON i.source = l.source "
                    "AND i.shipment_id = l.shipment_id AND i._row_hash = l._row_hash"
                ).write_parquet(str(temp), compression="zstd", row_group_size=262_144)
                first.unlink()
        finally:
            data.close()
        added = pq.ParquetFile(temp).metadata.num_rows
        if not added:
            temp.unlink()
            return None, 0
        return name, added


class _BatchWriter:
    """Transforms and appends batches to one Parquet file on a thread of its own.

    At most two batches wait in the queue, which bounds the memory; an error on the writing
    thread is raised again in the caller when the writer is closed.
    """

    def __init__(self, path: Path, transform: Callable[[pa.RecordBatch], pa.Table]) -> None:
        self.path = path
        self.transform = transform
        self.written = 0
        self._queue: queue.Queue[pa.RecordBatch | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _BatchWriter:
        self._thread.start()
        return self

    def put(self, rows: pa.RecordBatch) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(rows)

    def _run(self) -> None:
        writer: pq.ParquetWriter | None = None
        try:
            while (rows := self._queue.get()) is not None:
                table = self.transform(rows)
                if writer is None:
                    writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
                writer.write_table(table)
                self.written += table.num_rows
        except BaseException as error:  # handed to the caller in __exit__
            self._error = error
            while self._queue.get() is not None:  # let the producer finish
                pass
        finally:
            if writer is not None:
                writer.close()

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error


_STORED_SCHEMA = pa.schema([*VALIDATED_SCHEMA, ("_extra", pa.string()), ("_file", pa.string()),
                            ("_row", pa.int64()), ("_seq", pa.int64())])


class _Feed:
    """Validated batches of every file, in the stored schema.

    It counts rows, collects errors and hands bad rows to the quarantine as it goes. Once a
    row is rejected without a quarantine, nothing more is fed (the batch will be discarded)
    but every file is still read to the end so that every problem is reported.
    """

    def __init__(self, files: Sequence[str | Path], quarantine: Callable[[Validated], None]
                 | None, progress: Callable[[int], None] | None, batch_rows: int) -> None:
        self.files = files
        self.quarantine = quarantine
        self.progress = progress
        self.batch_rows = batch_rows
        self.rows_read = 0
        self.quarantined = 0
        self.errors: list[InputError] = []
        self.stored = 0  # rows fed so far: their order (_seq) across every file of the ingest

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        for file in self.files:
            for checked in read_contract(file, batch_rows=self.batch_rows):
                self.rows_read += checked.rows.num_rows + int(checked.bad.sum())
                if checked.errors:
                    self.errors.extend(checked.errors)
                    self.quarantined += int(checked.bad.sum())
                    if self.quarantine is not None:
                        self.quarantine(checked)
                if self.progress is not None:
                    self.progress(self.rows_read)
                if checked.rows.num_rows and (self.quarantine is not None or not self.errors):
                    yield _stored(checked, str(file), self.stored)
                    self.stored += checked.rows.num_rows


def _stored(checked: Validated, file: str, first_seq: int) -> pa.RecordBatch:
    """Valid rows in the stored schema: contract fields, extra columns as one JSON text,
    the file and row number they came from (for audit), and their order in the ingest
    (``_seq``: a later row of the same shipment is the newer version, across files too)."""
    rows = checked.rows
    size = rows.num_rows
    names = rows.schema.names
    extras = [n for n in names if n not in CONTRACT_FIELDS]
    if extras:
        packed = [json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False)
                  for r in rows.select(extras).to_pylist()]
        extra = pa.array(packed, pa.string())
    else:
        extra = pa.nulls(size, pa.string())
    columns = [rows.column(names.index(f.name)) for f in VALIDATED_SCHEMA]
    columns += [extra, pa.array([file] * size, pa.string()),
                pa.array(checked.row_numbers, pa.int64()),
                pa.array(range(first_seq, first_seq + size), pa.int64())]
    return pa.RecordBatch.from_arrays(columns, schema=_STORED_SCHEMA)


def _durable_rename(temp: Path, target: Path) -> None:
    """Rename into place and flush, so that a catalogued file is always whole on disk."""
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
