"""The analytics store: validated shipment rows as Parquet files, with DuckDB over them.

Layout of a store folder::

    catalog.duckdb        the list of committed batches (one per successful ingest)
    batches/<id>.parquet  the validated rows each batch added, never changed once written
    staging/, tmp/        work space of an ingest in progress (safe to delete when idle)

Why this shape: an ingest writes its rows to a new Parquet file first and only then records
the batch in the catalog, in one DuckDB transaction. Readers see only catalogued batches, so
an ingest that fails or is killed (even with ``kill -9``) leaves the store as it was; its
half-written files are swept away by the next ingest. Parquet keeps a year of national trade
small and fast to scan, and DuckDB reads it with a bounded memory limit.

Versions: every row carries ``_batch`` and ``_row``. The ``shipments`` view shows the latest
version of each (source, shipment_id); ``shipment_versions`` shows them all. A row already
stored unchanged is not stored again, so ingesting the same file twice changes nothing.
"""

from __future__ import annotations

import os
import shutil
import uuid
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
            empty = pa.schema([*VALIDATED_SCHEMA, ("_file", pa.string()), ("_row", pa.int64()),
                               ("_batch", pa.int32()), ("_row_hash", pa.uint64())])
            con.register("shipment_versions", empty.empty_table())
        con.sql(
            "SELECT * FROM shipment_versions QUALIFY row_number() OVER "
            "(PARTITION BY source, shipment_id ORDER BY _batch DESC, _row DESC) = 1"
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
        """Remove what a failed or killed ingest left behind: uncatalogued files, staging."""
        kept = {Path(f).name for f in self._files(con)}
        batches = self.path / "batches"
        if batches.exists():
            for path in batches.iterdir():
                if path.name not in kept:
                    path.unlink()
        shutil.rmtree(self.path / "staging", ignore_errors=True)

    def ingest(
        self,
        files: Sequence[str | Path],
        *,
        quarantine: Callable[[Validated], None] | None = None,
        progress: Callable[[int], None] | None = None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> IngestReport:
        """Validate and store the rows of ``files`` as one batch, all or nothing.

        Without ``quarantine`` any bad row rejects everything and nothing is stored
        (:class:`RowErrors` lists every problem of every file). With it, each batch's bad
        rows are handed to ``quarantine`` and the rest is stored. ``progress(rows)`` is
        called after each batch with the rows read so far.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        con = self._connect(read_only=False)
        try:
            self._sweep(con)
            staging = self.path / "staging" / uuid.uuid4().hex
            staging.mkdir(parents=True)
            errors: list[InputError] = []
            rows_read = quarantined = 0
            parts: list[str] = []
            for index, file in enumerate(files):
                part = staging / f"part-{index:04d}.parquet"
                writer: pq.ParquetWriter | None = None
                for checked in read_contract(file, batch_rows=batch_rows):
                    rows_read += checked.rows.num_rows + int(checked.bad.sum())
                    if checked.errors:
                        errors.extend(checked.errors)
                        quarantined += int(checked.bad.sum())
                        if quarantine is not None:
                            quarantine(checked)
                    if checked.rows.num_rows and (quarantine is not None or not errors):
                        staged = _with_origin(checked, str(file))
                        if writer is None:
                            writer = pq.ParquetWriter(part, staged.schema, compression="zstd")
                        writer.write_batch(staged)
                    if progress is not None:
                        progress(rows_read)
                if writer is not None:
                    writer.close()
                    parts.append(str(part))
            if errors and quarantine is None:
                raise RowErrors(errors, file=str(files[0]) if len(files) == 1 else None)
            report = self._commit(con, parts, [str(f) for f in files], rows_read, quarantined)
            shutil.rmtree(staging, ignore_errors=True)
            return IngestReport(report[0], tuple(str(f) for f in files), rows_read, report[1],
                                rows_read - quarantined - report[1], quarantined,
                                tuple(errors))
        finally:
            shutil.rmtree(self.path / "staging", ignore_errors=True)
            con.close()

    def _commit(self, con: duckdb.DuckDBPyConnection, parts: list[str], files: list[str],
                rows_read: int, quarantined: int) -> tuple[int | None, int]:
        """Write the new and changed rows as one Parquet file, then catalogue it."""
        batch = int((con.execute("SELECT coalesce(max(batch), 0) + 1 FROM batches").fetchone()
                     or (1,))[0])
        added = 0
        name: str | None = None
        if parts:
            data = self._data(self._files(con))
            columns = [duckdb.ColumnExpression(c) for c in CONTRACT_FIELDS]
            incoming = data.read_parquet(parts, union_by_name=True).select(
                duckdb.StarExpression(),
                duckdb.ConstantExpression(batch).cast(duckdb.sqltype("INTEGER")).alias("_batch"),
                duckdb.FunctionExpression("hash", *columns).alias("_row_hash"),
            )
            incoming.create_view("incoming", replace=True)
            fresh = data.sql(
                "SELECT i.* FROM incoming i ANTI JOIN shipments c "
                "ON i.source = c.source AND i.shipment_id = c.shipment_id "
                "AND i._row_hash = c._row_hash "
                "QUALIFY row_number() OVER (PARTITION BY i.source, i.shipment_id, i._row_hash "
                "ORDER BY i._file DESC, i._row DESC) = 1")
            batches = self.path / "batches"
            batches.mkdir(exist_ok=True)
            name = f"{batch:06d}.parquet"
            temp = batches / f".{name}.part"
            fresh.write_parquet(str(temp), compression="zstd")
            data.close()
            added = pq.ParquetFile(temp).metadata.num_rows
            if added:
                _durable_rename(temp, batches / name)
            else:
                temp.unlink()
                name = None
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?)",
                    [batch, name, ";".join(files), rows_read, added,
                     datetime.now(UTC).replace(tzinfo=None)])
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        return batch, added


def _with_origin(checked: Validated, file: str) -> pa.RecordBatch:
    """Valid rows with the file and row number they came from (for versions and audit)."""
    size = checked.rows.num_rows
    batch = checked.rows
    batch = batch.append_column("_file", pa.array([file] * size, pa.string()))
    return batch.append_column("_row", pa.array(checked.row_numbers, pa.int64()))


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
