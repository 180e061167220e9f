"""Options shared by the commands that compute on DuckDB or Spark, and the backend they open."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import ibis
import typer

from precursorwatch.exceptions import UsageError
from precursorwatch.screening import engines

__all__ = ["DUCKDB_MEMORY", "Engine", "EngineOption", "Memory", "Quiet", "SparkConf",
           "SparkMaster", "backend_for"]

#: DuckDB's memory cap, unless --memory-limit says otherwise: DuckDB's own
#: default, 80% of the machine's memory, spilling to a temporary folder beyond it. Five
#: million history rows need about 20 GB today (BENCHMARKS.md); a smaller cap fails.
DUCKDB_MEMORY: str | None = None


class Engine(StrEnum):
    """Where the feature tables are computed."""

    duckdb = "duckdb"
    spark = "spark"


EngineOption = Annotated[Engine, typer.Option(
    help="Where the tables are computed: duckdb (this machine, default) or spark (a "
         "cluster; see docs/spark.md).")]
SparkMaster = Annotated[str | None, typer.Option(
    help="Spark master URL with --engine spark (default local[*]; e.g. spark://host:7077, "
         "yarn, k8s://https://host:443).")]
SparkConf = Annotated[list[str] | None, typer.Option(
    help="A Spark setting KEY=VALUE with --engine spark (repeatable), e.g. "
         "spark.executor.memory=8g.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Hide progress and the summary.")]
Memory = Annotated[str | None, typer.Option(
    "--memory-limit", help="DuckDB's memory cap, e.g. 8GB; beyond it DuckDB spills to a "
                           "temporary folder (default: 80% of this machine's memory).")]


@contextmanager
def backend_for(engine: Engine, master: str | None, conf: Sequence[str] | None,
             memory: str | None = DUCKDB_MEMORY) -> Iterator[ibis.BaseBackend]:
    """The engine the options chose, closed (and its spill folder removed) after use."""
    settings: dict[str, str] = {}
    for item in conf or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--spark-conf {item!r}: write KEY=VALUE")
        settings[key.strip()] = value.strip()
    if engine is Engine.duckdb and (master or settings):
        raise UsageError("--spark-master and --spark-conf need --engine spark")
    # The spill folder lets DuckDB go past its cap on disk instead of failing.
    with tempfile.TemporaryDirectory(prefix="precursorwatch-spill-") as spill:
        if engine is Engine.duckdb:
            backend = engines.connect("duckdb", memory_limit=memory, spill=spill)
        else:
            backend = engines.connect("spark", spark_master=master, spark_conf=settings)
        try:
            yield backend
        finally:
            engines.stop(backend)
