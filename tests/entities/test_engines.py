"""Resolution gives the same entities on Spark as on DuckDB."""

from __future__ import annotations

import pyarrow as pa
import pytest

from precursorwatch.entities.records import resolve_table
from precursorwatch.screening import engines
from tests.febrl import Febrl
from tests.screening.test_engines import needs_spark

pytestmark = [pytest.mark.spark, needs_spark]


def _rows(found: pa.Table) -> list[tuple[str, str, float]]:
    return sorted((r["id_l"], r["id_r"], round(r["match_weight"], 6))
                  for r in found.to_pylist())


def test_the_same_links_on_both_engines(febrl4: Febrl) -> None:
    left, right = (t.slice(0, 600) for t in febrl4.tables)
    on_duckdb = resolve_table(left, right, id_column="rec_id", u_sample=20_000)
    spark = engines.connect("spark", threads=2, memory_limit="1g")
    try:
        on_spark = resolve_table(left, right, id_column="rec_id", backend=spark,
                                 u_sample=20_000)
    finally:
        engines.stop(spark)
    assert on_spark.compared == on_duckdb.compared > 0
    assert len(on_duckdb.pairs) > 40
    assert _rows(on_spark.pairs) == _rows(on_duckdb.pairs)
    # Weights are sums of logarithms, added in another order on another engine.
    def entities(found: pa.Table) -> list[tuple[object, ...]]:
        return [(r["id"], r["side"], r["cluster_id"], None if r["match_weight"] is None
                 else round(r["match_weight"], 6)) for r in found.to_pylist()]

    assert entities(on_spark.clusters) == entities(on_duckdb.clusters)
