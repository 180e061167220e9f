"""Fixtures for screening.

- ``screen(history_rows, new_rows, watch=None)``: features and scores of hand-written
  contract rows (see ``tests/records/contract_rows.py`` for the row builder), on DuckDB with
  the shipped registry and designer check, rules only unless the history has labels. Use it
  to test one red flag or one feature on a story small enough to read.
- ``simulated``: history, new and labels of one simulation (20,000 rows, seed 3), read
  through the contract readers; ``sim_features`` their features; ``sim_model`` a model
  trained on the history. Use them for behaviour over realistic trade.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from precursorwatch.records import write_table
from precursorwatch.records.readers import read_contract_files
from precursorwatch.records.validate import validate_batch
from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening import engines
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.flags import FLAGS, fire, sentence
from precursorwatch.screening.pipeline import feature_table, split_of
from precursorwatch.screening.run import SavedModel, score_rows, train_model
from precursorwatch.screening.scores import Scored
from precursorwatch.screening.watchlist import WatchList
from precursorwatch.simulate import simulate

SIM_ROWS = 20_000
SIM_SEED = 3


def contract_table(rows: Sequence[dict[str, str]]) -> pa.Table:
    """Validated contract rows from dicts of text, as the readers would give them."""
    checked = validate_batch(pa.RecordBatch.from_pylist(list(rows)),
                             np.arange(1, len(rows) + 1, dtype=np.int64), "test")
    assert not checked.errors, checked.errors
    return pa.Table.from_batches([checked.rows])


@dataclass(frozen=True)
class Screened:
    """Features and scores of the new rows of a hand-written story."""

    features: pa.Table
    scored: Scored
    saved: SavedModel

    def fired(self, row: int) -> dict[str, str]:
        """The flags that fired on new row ``row``, with their sentences."""
        frame, fired = fire(self.features)
        return {f.name: sentence(f, frame, row) for k, f in enumerate(FLAGS)
                if fired[row, k]}

    def column(self, name: str) -> list[object]:
        return self.features.column(name).to_pylist()


Screen = Callable[..., Screened]


@pytest.fixture(scope="session")
def screen() -> Screen:
    identifier, registry, designer = default_identifier(), load_registry(), \
        default_designer_check()

    def run(history: Sequence[dict[str, str]], new: Sequence[dict[str, str]],
            watch: WatchList | None = None) -> Screened:
        backend = engines.connect()
        try:
            features = feature_table(backend, contract_table(history) if history else None,
                                     contract_table(new), identifier, registry,
                                     designer=designer, watch=watch)
        finally:
            engines.stop(backend)
        saved = train_model(split_of(features, "history"), trained_at=datetime.now(UTC))
        new_features = split_of(features, "new")
        return Screened(new_features, score_rows(new_features, saved), saved)

    return run


@dataclass(frozen=True)
class Simulated:
    history: pa.Table
    new: pa.Table
    labels: pa.Table


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    made = simulate(SIM_ROWS, SIM_SEED)
    folder: Path = tmp_path_factory.mktemp("simulated")
    for name, table in (("history", made.history), ("new", made.new)):
        write_table(table, folder / f"{name}.parquet")
    return Simulated(read_contract_files([folder / "history.parquet"]),
                     read_contract_files([folder / "new.parquet"]), made.labels)


@pytest.fixture(scope="session")
def sim_features(simulated: Simulated) -> pa.Table:
    backend = engines.connect()
    try:
        return feature_table(backend, simulated.history, simulated.new, default_identifier(),
                             load_registry(), designer=default_designer_check())
    finally:
        engines.stop(backend)


@pytest.fixture(scope="session")
def sim_model(sim_features: pa.Table) -> SavedModel:
    return train_model(split_of(sim_features, "history"),
                       trained_at=datetime(2026, 11, 1, tzinfo=UTC))
