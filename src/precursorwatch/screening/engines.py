"""The engines that run screening expressions: DuckDB on one machine, Spark on a cluster.

Screening features are Ibis expressions built by pure functions; this module is the one place
that knows how to open an engine, put a table into it, bring a result back as Arrow and close
it, so that the same expression runs on both. Operations whose results differ between the
two engines on the pinned versions are listed in ``tests/screening/test_engines.py`` and
``docs/spark.md``.

Nothing here reads the environment: the caller passes the Spark master, extra settings and
limits (from ``Settings`` or command-line options).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

import duckdb
import ibis  # type: ignore[import-untyped, unused-ignore]
import pyarrow as pa
from ibis.backends.sql.datatypes import DuckDBType  # type: ignore[import-untyped, unused-ignore]

from precursorwatch.exceptions import PrecursorwatchError, UsageError

if TYPE_CHECKING:
    from ibis.backends.duckdb import (  # type: ignore[import-untyped, unused-ignore]
        Backend as DuckDBBackend,
    )
    from ibis.backends.pyspark import (  # type: ignore[import-untyped, unused-ignore]
        Backend as SparkBackend,
    )
    from pyspark.sql import SparkSession

__all__ = ["ENGINES", "SPARK_DEFAULTS", "Engine", "connect", "materialise", "register",
           "session_of", "stop", "to_arrow"]

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

#: Settings of a Spark session that precursorwatch starts, before the caller's ``spark_conf``.
#: They suit a closed network and a small machine. Settings made in code win over a
#: cluster's ``spark-defaults.conf``, so on a cluster raise them with ``--spark-conf``.
SPARK_DEFAULTS: Mapping[str, str] = {
    # No web UI: nobody on a closed network browses to it, and it costs a port and startup.
    "spark.ui.enabled": "false",
    # Screening tables are thousands to millions of rows: 200 shuffle partitions (Spark's
    # default) would mostly schedule empty tasks. Adaptive execution coalesces further.
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    # Ibis also sets this; setting it at start keeps casts and date parts in UTC from the
    # first query on, whatever the machine's time zone.
    "spark.sql.session.timeZone": "UTC",
    # Timestamps without a zone stay without a zone (as in DuckDB and our Parquet files),
    # so an Arrow table put into Spark keeps its meaning.
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    # Arrow between the JVM and Python: columnar transfers instead of pickled rows.
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.pyspark.fallback.enabled": "false",
}

#: Extra settings for ``local[...]`` masters only: bind to loopback, so that a session on a
#: laptop or a closed-network server opens no port to the network and does not depend on the
#: host name resolving.
_LOCAL_DEFAULTS: Mapping[str, str] = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
}

#: Driver memory of a local session when the caller gives no ``memory_limit``: in local mode
#: the driver also runs the tasks.
DEFAULT_SPARK_MEMORY = "2g"

_INSTALL_SPARK = "the Spark engine needs pyspark: pip install 'precursorwatch[spark]'"


def connect(
    engine: Engine = "duckdb",
    *,
    spark_master: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
    spill: str | os.PathLike[str] | None = None,
) -> ibis.BaseBackend:
    """An Ibis backend on ``engine``: an in-memory DuckDB, or a Spark session.

    ``memory_limit`` (DuckDB syntax such as ``"4GB"``, Spark syntax such as ``"4g"``) caps
    DuckDB, or sets a local Spark driver's memory; ``threads`` caps DuckDB's threads, or a
    local Spark's cores (``local[threads]``); ``spill`` is the folder where DuckDB writes
    what does not fit under its limit. For Spark, ``spark_master`` (default
    ``local[threads or *]``) and ``spark_conf`` (any Spark setting, applied last) pick the
    cluster. A Spark session already running in this process is reused: settings that only
    take effect at start (master, memory) then stay as they were.
    """
    if engine == "duckdb":
        config: dict[str, Any] = {}
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        if threads is not None:
            config["threads"] = threads
        duckdb: DuckDBBackend = ibis.duckdb.connect(**config)
        # No progress bar: DuckDB would draw its own on the terminal, over ours. Results are
        # ordered explicitly, so DuckDB need not keep insertion order, which lets it spill.
        duckdb.con.execute("SET enable_progress_bar = false")
        duckdb.con.execute("SET preserve_insertion_order = false")
        if spill is not None:
            duckdb.con.execute("SET temp_directory = ?", [os.fspath(spill)])
        return duckdb
    if engine == "spark":
        session = _spark_session(spark_master, spark_conf or {}, memory_limit, threads)
        spark: SparkBackend = ibis.pyspark.connect(session)
        return spark
    raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")


def _spark_session(master: str | None, conf: Mapping[str, str], memory_limit: str | None,
                   threads: int | None) -> SparkSession:
    try:
        from pyspark.errors import PySparkRuntimeError
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise UsageError(_INSTALL_SPARK) from err
    master = master or f"local[{threads or '*'}]"
    settings = dict(SPARK_DEFAULTS)
    if master.startswith("local"):
        settings.update(_LOCAL_DEFAULTS)
        settings["spark.driver.memory"] = memory_limit or DEFAULT_SPARK_MEMORY
        # Python workers run this interpreter, which has precursorwatch and its libraries
        # (the default, the first python3 on the PATH, may not). PySpark reads the
        # variable, not the setting, when it starts its context.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings.update(conf)
    builder = SparkSession.builder.master(master).appName("precursorwatch")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except PySparkRuntimeError as err:
        # The JVM did not start: almost always Java missing, too old, or JAVA_HOME wrong.
        raise UsageError(f"Spark could not start its Java process (Spark 4 needs Java 17 or "
                         f"21 on the PATH or in JAVA_HOME): {err}") from err


def register(backend: ibis.BaseBackend, name: str,
             table: pa.Table | str | os.PathLike[str]) -> ibis.Table:
    """Put ``table`` into ``backend`` under ``name`` and return it as an Ibis table.

    ``table`` is an Arrow table, or the path or URL of a Parquet file or folder of Parquet
    files. DuckDB reads an Arrow table in place, without copying; Spark reads Parquet
    paths on its executors (``hdfs://``, ``s3a://`` and shared folders work), so big data
    never passes through this process. A name already registered is replaced.
    """
    session = session_of(backend)
    if isinstance(table, pa.Table):
        if session is not None:
            session.createDataFrame(table).createOrReplaceTempView(name)
        else:
            cast("DuckDBBackend", backend).con.register(name, table)
        return backend.table(name)
    location = os.fspath(table)
    if session is not None:
        session.read.parquet(location).createOrReplaceTempView(name)
        return backend.table(name)
    if Path(location).is_dir():
        location = f"{location.rstrip('/')}/**/*.parquet"
    return backend.read_parquet(location, table_name=name)


def materialise(backend: ibis.BaseBackend, name: str, expr: ibis.Table) -> ibis.Table:
    """Compute ``expr`` once into a temporary table ``name`` of ``backend`` (replacing one
    of that name), for results that several later queries read."""
    session = session_of(backend)
    if session is not None:
        frame = session.sql(backend.compile(expr))
        frame.cache().createOrReplaceTempView(name)
        return backend.table(name)
    # Ibis's own create_table emits SQL that DuckDB 2 refuses; this is the same statement.
    # Each column is cast to the type the expression declares: DuckDB's own result type
    # can be wider (it sums integers as 128-bit), and the stored table's types are what
    # later expressions over it see.
    columns = ", ".join(f'CAST("{c}" AS {DuckDBType.to_string(t)}) AS "{c}"'
                        for c, t in expr.schema().items())
    duckdb_backend = cast("DuckDBBackend", backend)
    duckdb_backend.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT {columns} '
                               f'FROM ({backend.compile(expr)})')
    return backend.table(name)


def to_arrow(expr: ibis.Expr) -> pa.Table:
    """The result of ``expr`` (a table, column or scalar expression) as an Arrow table.

    On Spark the rows are collected on the driver as Arrow batches, without going through
    pandas, so column types match DuckDB's (integers with nulls stay integers).
    """
    table_expr = expr.as_table()
    backend = table_expr._find_backend()
    session = session_of(backend)
    if session is None:
        try:
            return table_expr.to_pyarrow()
        except duckdb.OutOfMemoryException as err:
            raise PrecursorwatchError(
                f"DuckDB ran out of memory under its limit and could not spill enough to "
                f"disk: screen less at once, or use --engine spark ({err})") from err
    # Ibis's own to_pyarrow goes through pandas; toArrow keeps Arrow types end to end.
    backend._run_pre_execute_hooks(table_expr)  # registers memtables and UDFs
    result = session.sql(backend.compile(table_expr)).toArrow()
    return result.cast(table_expr.schema().to_pyarrow())


def stop(backend: ibis.BaseBackend) -> None:
    """Close ``backend``; for Spark this stops the session (and its Java process's work)."""
    backend.disconnect()


def session_of(backend: ibis.BaseBackend) -> SparkSession | None:
    """The Spark session behind ``backend``, or None for DuckDB: for what only a session
    does, such as registering a function."""
    if backend.name != "pyspark":
        return None
    session: SparkSession = cast("SparkBackend", backend)._session
    return session
