"""The synthetic trade generator behind the demo, the tests and the benchmarks.

:func:`simulate` writes a year of US-India precursor trade in the shipment contract's format,
with labelled diversion planted in it, the incidents analysts caught, and the truth about
every party and ring. It is pure: the same ``rows`` and ``seed`` give the same tables on
any machine, and nothing is read or written but the package's own data files.

The pieces, in the order they run:

* ``firms``, ``population``, ``geography``, ``names``, ``registrations``: who trades,
  where, under which names, numbers, phones and accounts;
* ``products``: what is traded (controlled goods from the registry, ordinary goods from
  ``data/products.yaml``);
* ``trade``: legitimate repeat-customer trade, vectorised;
* ``rings``, ``planted``, ``typologies``, ``negatives``: rings, diversion and hard negatives;
* ``tables``, ``incidents``: output tables and FollowTheMoney incident reports.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from followthemoney import EntityProxy

from precursorwatch.exceptions import UsageError
from precursorwatch.simulate.firms import FirmFactory
from precursorwatch.simulate.geography import load_world
from precursorwatch.simulate.incidents import PARTY_COLUMNS, incident_entities
from precursorwatch.simulate.names import load_names
from precursorwatch.simulate.negatives import HARD_NEGATIVES, plant_negatives
from precursorwatch.simulate.planted import Scene
from precursorwatch.simulate.population import build_population, index_population
from precursorwatch.simulate.products import load_catalogue
from precursorwatch.simulate.rings import build_rings
from precursorwatch.simulate.tables import (
    LABEL_COLUMNS,
    RING_COLUMNS,
    assemble,
    planted_table,
    ring_table,
    shipments_of,
)
from precursorwatch.simulate.trade import FirmPools, build_lines, trade_rows
from precursorwatch.simulate.typologies import TYPOLOGIES, plant_diversion

__all__ = [
    "DIVERTED_SHARE",
    "HARD_NEGATIVES",
    "HARD_NEGATIVE_SHARE",
    "LABEL_COLUMNS",
    "MIN_ROWS",
    "PARTY_COLUMNS",
    "RING_COLUMNS",
    "TYPOLOGIES",
    "Simulation",
    "simulate",
]

#: Smallest simulation: below it the planted rows would crowd out ordinary trade.
MIN_ROWS = 1000
#: Share of rows planted as diversion (every typology plants at least a few rows, so small
#: simulations have a little more).
DIVERTED_SHARE = 0.02
#: Share of rows planted as hard negatives.
HARD_NEGATIVE_SHARE = 0.015
_STEPS = 6


@dataclass(frozen=True)
class Simulation:
    """A simulated year of trade.

    * ``history``, ``new``: contract rows (January-October, November-December); ``outcome``
      is set on the history rows analysts reviewed and empty everywhere else;
    * ``labels``: the truth for every row of both (:data:`LABEL_COLUMNS`);
    * ``incidents``: FollowTheMoney entities of the incidents caught in history;
    * ``parties``: the truth about every party entity of the incidents (:data:`PARTY_COLUMNS`);
    * ``rings``: every member of every planted ring (:data:`RING_COLUMNS`).
    """

    history: pa.Table
    new: pa.Table
    labels: pa.Table
    incidents: tuple[EntityProxy, ...]
    parties: pa.Table
    rings: pa.Table

    def typology_counts(self) -> dict[str, int]:
        """Rows per typology (``hard_negative`` included, plain trade left out)."""
        counts = Counter(v for v in self.labels.column("typology").to_pylist() if v)
        return dict(sorted(counts.items()))


def _streams(seed: int) -> tuple[random.Random, random.Random, random.Random,
                                 np.random.Generator, np.random.Generator]:
    """Independent random streams per stage, so that changing one stage's draws does not
    reshuffle the others."""
    children = np.random.SeedSequence(seed).spawn(5)
    firms, lines, planting = (random.Random(int(c.generate_state(1, np.uint64)[0]))
                              for c in children[:3])
    return firms, lines, planting, np.random.default_rng(children[3]), \
        np.random.default_rng(children[4])


def simulate(rows: int, seed: int, *,
             progress: Callable[[int, int], None] | None = None) -> Simulation:
    """A year of simulated trade of ``rows`` consignments, the same for the same seed.

    ``progress(done, total)`` is called after each of its stages.
    """
    if rows < MIN_ROWS:
        raise UsageError(f"simulate at least {MIN_ROWS:,} rows (asked for {rows:,})")
    report = progress or (lambda done, total: None)
    r_firms, r_lines, r_planting, rng_rows, rng_order = _streams(seed)
    catalogue = load_catalogue()
    factory = FirmFactory(load_world(), load_names(), r_firms)
    population = index_population(build_population(factory, catalogue, rows))
    rings = build_rings(factory, min(30, max(3, rows // 40_000)), r_firms)
    report(1, _STEPS)
    lines = build_lines(population, catalogue, max(80, rows // 20), r_lines)
    report(2, _STEPS)
    scene = Scene(r_planting, catalogue, population, lines, rings, factory)
    planted = plant_diversion(scene, round(rows * DIVERTED_SHARE))
    planted += plant_negatives(scene, round(rows * HARD_NEGATIVE_SHARE))
    if len(planted) >= rows // 2:
        raise UsageError(f"{rows:,} rows are too few for the planted typologies")
    report(3, _STEPS)
    ordinary = trade_rows(lines, FirmPools.of(population.firms), catalogue,
                          rows - len(planted), rng_rows)
    report(4, _STEPS)
    combined = pa.concat_tables([ordinary, planted_table(planted, ordinary.schema)])
    history, new, labels, planted_rows = assemble(combined, rng_order)
    report(5, _STEPS)
    entities, parties = incident_entities(scene, shipments_of(planted_rows))
    report(6, _STEPS)
    return Simulation(history, new, labels, tuple(entities), parties, ring_table(rings))
