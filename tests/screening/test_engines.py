"""The engines: the same screening features on DuckDB and on Spark.

Spark tests are marked ``spark`` and run in the default ``make test``: one local Spark
session (two cores, 1 GB) serves the whole module, and the simulation is small, so that the
module stays around a minute. They are skipped, with the reason, only when pyspark cannot be
imported or no Java is installed.

Operations whose results differ between the two engines on the pinned versions (Ibis 12.0.0,
DuckDB, PySpark 4.3.0): none found in :func:`~precursorwatch.screening.features.shipment_features`
so far; add any found here, with the rewrite that made the engines agree.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from precursorwatch.exceptions import UsageError
from precursorwatch.records.validate import validate_batch
from precursorwatch.registry import Identifier, Registry
from precursorwatch.screening import engines
from precursorwatch.screening.features import FEATURES, SEQ
from precursorwatch.screening.pipeline import feature_table
from precursorwatch.screening.products import DesignerFinding
from precursorwatch.screening.watchlist import WatchList
from precursorwatch.simulate import simulate

ROWS = 3000
SEED = 7
#: Text columns that reasons are written from: they must match character for character.
REASON_COLUMNS = ("substances", "rules", "misdeclared_text", "designer_text", "watch_hit")
#: Sums of logarithms may be added up in another order on another engine.
REL_TOL = 1e-9


def _spark_missing() -> str | None:
    """Why Spark cannot run here, or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'precursorwatch[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (
            java_home and (Path(java_home) / "bin" / "java").is_file()):
        return "no Java on the PATH or in JAVA_HOME (Spark 4 needs Java 17 or 21)"
    return None


_SPARK_MISSING = _spark_missing()
needs_spark = pytest.mark.skipif(_SPARK_MISSING is not None, reason=_SPARK_MISSING or "")


@pytest.fixture(scope="module")
def spark_backend() -> Iterator[ibis.BaseBackend]:
    backend = engines.connect("spark", threads=2, memory_limit="1g")
    yield backend
    engines.stop(backend)


@pytest.fixture
def duckdb_backend() -> Iterator[ibis.BaseBackend]:
    backend = engines.connect("duckdb", threads=2)
    yield backend
    engines.stop(backend)


@pytest.fixture(params=["duckdb",
                        pytest.param("spark", marks=[pytest.mark.spark, needs_spark])])
def backend(request: pytest.FixtureRequest) -> ibis.BaseBackend:
    """Each engine in turn; the Spark one is the module's session."""
    found: ibis.BaseBackend = request.getfixturevalue(f"{request.param}_backend")
    return found


def _validated(table: pa.Table) -> pa.Table:
    """The contract rows of ``table`` as the readers hand them on: typed and checked."""
    batch = table.combine_chunks().to_batches()[0]
    checked = validate_batch(batch, np.arange(1, batch.num_rows + 1, dtype=np.int64))
    assert checked.errors == ()
    return pa.Table.from_batches([checked.rows])


def _designer(descriptions: Sequence[str], cas_numbers: Sequence[str | None]
              ) -> list[DesignerFinding | None]:
    """A stand-in designer check that calls morpholine (listed nowhere) a designer precursor,
    so that ``designer_text`` carries text through both engines."""
    return [DesignerFinding("morpholine", "Morpholine stands in for a designer precursor.")
            if "morpholine" in text.lower() else None for text in descriptions]


@pytest.fixture(scope="module")
def features_on_duckdb_and_spark(
    spark_backend: ibis.BaseBackend, identifier: Identifier, registry: Registry,
) -> tuple[pa.Table, pa.Table]:
    sim = simulate(ROWS, SEED)
    history, new = _validated(sim.history), _validated(sim.new)
    watch = WatchList.from_entities(sim.incidents)
    duckdb_backend = engines.connect("duckdb")
    try:
        on_duckdb = feature_table(duckdb_backend, history, new, identifier, registry,
                                  designer=_designer, watch=watch)
    finally:
        engines.stop(duckdb_backend)
    on_spark = feature_table(spark_backend, history, new, identifier, registry,
                             designer=_designer, watch=watch)
    return on_duckdb, on_spark


def _differences(name: str, expected: pa.ChunkedArray, actual: pa.ChunkedArray,
                 seqs: list[int]) -> list[str]:
    """Each row where ``actual`` is not ``expected`` (floats within :data:`REL_TOL`)."""
    floats = pa.types.is_floating(expected.type)
    found = []
    for seq, want, got in zip(seqs, expected.to_pylist(), actual.to_pylist(), strict=True):
        if want is None or got is None:
            same = want is got
        elif floats:
            same = math.isclose(want, got, rel_tol=REL_TOL) or (
                math.isnan(want) and math.isnan(got))
        else:
            same = want == got
        if not same:
            found.append(f"{name} at {SEQ}={seq}: DuckDB {want!r}, Spark {got!r}")
    return found


@pytest.mark.spark
@needs_spark
def test_spark_gives_the_features_duckdb_gives(
    features_on_duckdb_and_spark: tuple[pa.Table, pa.Table],
) -> None:
    on_duckdb, on_spark = features_on_duckdb_and_spark
    seqs = on_duckdb.column(SEQ).to_pylist()
    assert seqs == sorted(seqs)
    assert on_spark.column(SEQ).to_pylist() == seqs
    differences = []
    for name in (*FEATURES, *REASON_COLUMNS):
        expected, actual = on_duckdb.column(name), on_spark.column(name)
        assert actual.type == expected.type, name
        differences += _differences(name, expected, actual, seqs)
    assert differences == [], "\n".join(differences[:20])
    # The comparison means something only if the text the reasons quote is there at all.
    for name in ("substances", "designer_text", "watch_hit"):
        assert any(on_duckdb.column(name).to_pylist()), f"{name} is empty in every row"


def _in_sample_order(table: ibis.Table) -> ibis.Table:
    return table.order_by(table.small.isnull().desc(), table.small)


def _sample() -> pa.Table:
    return pa.table({
        "n": pa.array([1, None, 3, None], pa.int64()),
        "small": pa.array([None, 2, 3, 4], pa.int32()),
        "name": pa.array(["a", None, "c", "d"], pa.string()),
        "x": pa.array([0.5, 1.5, None, 3.5], pa.float64()),
    })


@pytest.mark.parametrize("layout", ["file", "folder"])
def test_register_reads_a_parquet_path(backend: ibis.BaseBackend, tmp_path: Path,
                                       layout: str) -> None:
    sample = _sample()
    if layout == "file":
        location = tmp_path / "sample.parquet"
        pq.write_table(sample, location)
    else:
        location = tmp_path / "sample"
        location.mkdir()
        pq.write_table(sample.slice(0, 2), location / "part-0.parquet")
        pq.write_table(sample.slice(2), location / "part-1.parquet")
    table = engines.register(backend, "pw_sample", location)
    result = engines.to_arrow(_in_sample_order(table))
    assert result.to_pylist() == sample.to_pylist()
    assert result.schema == sample.schema


@pytest.mark.spark
@needs_spark
def test_to_arrow_on_spark_keeps_integers_with_nulls_as_integers(
    spark_backend: ibis.BaseBackend,
) -> None:
    table = engines.register(spark_backend, "pw_sample", _sample())
    result = engines.to_arrow(_in_sample_order(table.mutate(m=table.n + 1)))
    assert result.schema.field("n").type == pa.int64()
    assert result.schema.field("m").type == pa.int64()
    assert result.column("m").to_pylist() == [2, None, 4, None]
    column = engines.to_arrow(table.n.sum())
    assert column.column(0).type == pa.int64()
    assert column.column(0).to_pylist() == [4]


def test_connect_rejects_an_unknown_engine() -> None:
    with pytest.raises(UsageError, match="unknown engine 'oracle'; use one of duckdb, spark"):
        engines.connect("oracle")  # type: ignore[arg-type]
