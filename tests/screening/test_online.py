"""One consignment at a time gives what a batch gives (see screening/online.py)."""

from __future__ import annotations

import math
from collections import Counter

import pyarrow as pa
import pytest

from precursorwatch.exceptions import InputError
from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening import engines
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.features import FEATURES
from precursorwatch.screening.online import Screener
from precursorwatch.screening.pipeline import feature_table
from precursorwatch.screening.run import SavedModel, score_rows
from tests.screening.conftest import Simulated

# Columns beyond the features that flags, sentences and the output read.
_ALSO = ("shipment_id", "substances", "threshold", "family", "rules", "imp", "exp", "con",
         "product", "span", "imp_first", "split_qty30", "exp_split_qty30", "watch_hit")


@pytest.fixture(scope="module")
def screener(simulated: Simulated, sim_model: SavedModel) -> Screener:
    return Screener.from_history(simulated.history, sim_model, default_identifier(),
                                 load_registry(), designer=default_designer_check())


def _batch(history: pa.Table, new: pa.Table) -> pa.Table:
    backend = engines.connect()
    try:
        return feature_table(backend, history, new, default_identifier(), load_registry(),
                             designer=default_designer_check(), new_only=True)
    finally:
        engines.stop(backend)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        assert isinstance(a, int | float) and isinstance(b, int | float)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (a != a and b != b)
    return a == b


def _diverted(simulated: Simulated) -> list[int]:
    """Positions of the new rows the simulation planted as diversion."""
    labels = simulated.labels.to_pylist()
    planted = {r["shipment_id"] for r in labels if r["label"] == "diverted"}
    return [i for i, s in enumerate(simulated.new.column("shipment_id").to_pylist())
            if s in planted]


def _sample(simulated: Simulated) -> list[int]:
    """New rows of every kind, one per day in day order (rows of one day see each other's
    30-day sums in a batch): planted diversion, rows spread over the period, and rows of
    one importer, so that each sees the ones before it."""
    day = [d.date() for d in simulated.new.column("declared_at").to_pylist()]
    importer = simulated.new.column("importer_name").to_pylist()
    same = [j for j in range(len(day)) if importer[j] == importer[0]]
    picked: dict[object, int] = {}
    for i in [*_diverted(simulated)[:6], *range(0, len(day), len(day) // 10), *same[:6]]:
        picked.setdefault(day[i], i)
    return sorted(picked.values(), key=lambda i: (day[i], i))


def test_rows_one_by_one_score_as_in_a_batch(simulated: Simulated,
                                              sim_model: SavedModel) -> None:
    rows = _sample(simulated)
    assert len(rows) >= 12
    new = pa.concat_tables([simulated.new.slice(i, 1) for i in rows])
    batch = _batch(simulated.history, new)
    features = batch.to_pylist()
    scored = score_rows(batch, sim_model).table.to_pylist()
    screener = Screener.from_history(simulated.history, sim_model, default_identifier(),
                                     load_registry(), designer=default_designer_check())
    counts = []
    for j in range(new.num_rows):
        one = screener.features(new.slice(j, 1)).to_pylist()[0]
        for name in (*FEATURES, *_ALSO):
            assert _same(one[name], features[j][name]), (j, name, one[name],
                                                         features[j][name])
        got = screener.score(new.slice(j, 1)).table.to_pylist()[0]
        assert got["reasons"] == scored[j]["reasons"]
        assert got["score"] == pytest.approx(scored[j]["score"], abs=1e-6)
        assert got["flagged"] == scored[j]["flagged"]
        counts.append((one["imp"], one["imp_n"]))
        screener.add(new.slice(j, 1))
    # Added rows count: the importer sampled several times has more history each time.
    most = Counter(imp for imp, _ in counts).most_common(1)[0][0]
    repeated = [n for imp, n in counts if imp == most]
    assert len(repeated) >= 2 and repeated == sorted(repeated) and repeated[0] < repeated[-1]
    assert any(r["flagged"] for r in scored)


def test_a_mapping_of_text_is_checked(screener: Screener, simulated: Simulated) -> None:
    record = {k: None if v is None else str(v)
              for k, v in simulated.new.slice(0, 1).to_pylist()[0].items()}
    assert screener.score(record).table.num_rows == 1
    with pytest.raises(InputError, match="quantity"):
        screener.score({**record, "quantity": "a lot"})
