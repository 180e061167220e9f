"""The entry point: deterministic per seed, pure, and refusing sizes it cannot fill."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from precursorwatch.exceptions import UsageError
from precursorwatch.simulate import MIN_ROWS, Simulation, simulate
from tests.simulate.conftest import ROWS, SEED


def _fingerprint(sim: Simulation) -> tuple[pa.Table, ...]:
    return (sim.history, sim.new, sim.labels, sim.parties, sim.rings)


def test_same_seed_gives_identical_output(sim: Simulation) -> None:
    again = simulate(ROWS, SEED)
    for mine, theirs in zip(_fingerprint(sim), _fingerprint(again), strict=True):
        assert mine.equals(theirs)
    assert [json.dumps(e.to_dict(), sort_keys=True) for e in sim.incidents] == \
        [json.dumps(e.to_dict(), sort_keys=True) for e in again.incidents]


def test_another_seed_gives_other_trade(sim: Simulation) -> None:
    other = simulate(ROWS, SEED + 1)
    assert not other.history.equals(sim.history)
    names = set(sim.history.column("exporter_name").to_pylist())
    other_names = set(other.history.column("exporter_name").to_pylist())
    assert len(names & other_names) < 0.5 * len(names)


def test_rows_are_exactly_as_many_as_asked(sim: Simulation) -> None:
    assert sim.history.num_rows + sim.new.num_rows == ROWS == sim.labels.num_rows
    assert 0.75 < sim.history.num_rows / ROWS < 0.9


def test_progress_is_reported_to_the_end() -> None:
    seen: list[tuple[int, int]] = []
    simulate(MIN_ROWS, 1, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_too_few_rows_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="at least 1,000"):
        simulate(MIN_ROWS - 1, 1)


def test_typology_counts_match_the_labels(sim: Simulation) -> None:
    counts = sim.typology_counts()
    typologies = sim.labels.column("typology")
    for name, count in counts.items():
        assert pc.sum(pc.equal(typologies, name)).as_py() == count


@pytest.mark.slow
def test_a_large_simulation_keeps_its_shares() -> None:
    big = simulate(200_000, 3)
    labels = big.labels.column("label").to_pylist()
    assert 0.015 < labels.count("diverted") / len(labels) < 0.025
    counts = big.typology_counts()
    assert all(counts[t] >= 0.03 * labels.count("diverted") for t in counts
               if t != "hard_negative")
