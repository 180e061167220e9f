"""Fixtures for the simulator's tests.

- ``sim``: one simulation of 4,000 rows (seed 11), made once per session; use it to test
  what the output contains.
- ``rows``: history and new of ``sim`` as one list of dicts, each row joined with its labels
  (``label``, ``typology``, ``ring_id``, ``substance``, ``*_party``, ``split``).
- ``scene``: the planting scene of a small simulation, for tests of single typologies.
"""

from __future__ import annotations

import random
from typing import Any

import pyarrow as pa
import pytest

from precursorwatch.simulate import Simulation, simulate
from precursorwatch.simulate.firms import FirmFactory
from precursorwatch.simulate.geography import load_world
from precursorwatch.simulate.names import load_names
from precursorwatch.simulate.planted import Scene
from precursorwatch.simulate.population import build_population, index_population
from precursorwatch.simulate.products import load_catalogue
from precursorwatch.simulate.rings import build_rings
from precursorwatch.simulate.trade import build_lines

ROWS = 4000
SEED = 11


@pytest.fixture(scope="session")
def sim() -> Simulation:
    return simulate(ROWS, SEED)


@pytest.fixture(scope="session")
def rows(sim: Simulation) -> list[dict[str, Any]]:
    contract = pa.concat_tables([sim.history, sim.new]).to_pylist()
    labels = sim.labels.to_pylist()
    return [{**row, **{k: v for k, v in label.items() if k not in ("shipment_id", "source")}}
            for row, label in zip(contract, labels, strict=True)]


def make_scene(seed: int = 5, rows: int = 5000) -> Scene:
    """A planting scene as :func:`simulate` builds it, without planting anything yet."""
    r = random.Random(seed)
    catalogue = load_catalogue()
    factory = FirmFactory(load_world(), load_names(), r)
    population = index_population(build_population(factory, catalogue, rows))
    rings = build_rings(factory, 5, r)
    lines = build_lines(population, catalogue, rows // 20, r)
    return Scene(r, catalogue, population, lines, rings, factory)


@pytest.fixture
def scene() -> Scene:
    return make_scene()
