"""Features: the fast path for screening gives exactly what the full windows give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening import engines
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.facts import HISTORY_COLUMNS
from precursorwatch.screening.features import FEATURES
from precursorwatch.screening.pipeline import feature_table, split_of
from tests.screening.conftest import Simulated


def test_new_rows_by_aggregates_equal_new_rows_by_windows(
        simulated: Simulated, sim_features: pa.Table) -> None:
    backend = engines.connect()
    try:
        fast = feature_table(backend, simulated.history, simulated.new, default_identifier(),
                             load_registry(), designer=default_designer_check(),
                             new_only=True)
    finally:
        engines.stop(backend)
    full = split_of(sim_features, "new")
    assert fast.column("_seq").equals(full.column("_seq"))
    for name in (*FEATURES, "imp_days", "need_rate", "substances", "rules"):
        a = full.column(name).to_numpy(zero_copy_only=False)
        b = fast.column(name).to_numpy(zero_copy_only=False)
        if a.dtype.kind == "f" or b.dtype.kind == "f":
            assert np.allclose(a.astype(float), b.astype(float), rtol=1e-9, equal_nan=True), name
        else:
            assert (a == b).all(), name


def test_history_after_the_first_new_day_still_counts_as_the_past(
        simulated: Simulated) -> None:
    # History that overlaps the new period (a late-arriving declaration) is windowed with
    # the new rows instead of summed up front; both paths must still agree.
    history = pa.concat_tables([simulated.history, simulated.new.slice(0, 500)])
    new = simulated.new.slice(500, 1500)
    backend = engines.connect()
    try:
        full = split_of(feature_table(backend, history, new, default_identifier(),
                                      load_registry()), "new")
        fast = feature_table(backend, history, new, default_identifier(), load_registry(),
                             new_only=True)
    finally:
        engines.stop(backend)
    for name in ("imp_n", "pair_n", "split_n30", "addr_firms", "imp_days", "route_share"):
        a = full.column(name).to_numpy(zero_copy_only=False).astype(float)
        b = fast.column(name).to_numpy(zero_copy_only=False).astype(float)
        assert np.allclose(a, b, equal_nan=True), name


def test_new_rows_need_only_the_history_columns_the_sums_read(simulated: Simulated) -> None:
    # `screen --model` keeps only HISTORY_COLUMNS of a year of history: every feature and
    # output column of the new rows must be what the whole history gives.
    def features(history: pa.Table) -> pa.Table:
        backend = engines.connect()
        try:
            return feature_table(backend, history, simulated.new, default_identifier(),
                                 load_registry(), designer=default_designer_check(),
                                 new_only=True)
        finally:
            engines.stop(backend)

    lean_history = simulated.history.select(list(HISTORY_COLUMNS))
    assert lean_history.num_columns < simulated.history.num_columns
    whole, lean = features(simulated.history), features(lean_history)
    assert lean.column_names == whole.column_names
    for name in whole.column_names:
        assert lean.column(name).equals(whole.column(name)), name
