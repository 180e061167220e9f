"""The population: someone to ship and someone to receive every traded product."""

from __future__ import annotations

import random
from collections import Counter

from precursorwatch.simulate.firms import FirmFactory
from precursorwatch.simulate.geography import load_world
from precursorwatch.simulate.names import load_names
from precursorwatch.simulate.population import build_population, index_population
from precursorwatch.simulate.products import load_catalogue


def test_every_lane_of_every_product_has_exporters_and_importers() -> None:
    catalogue = load_catalogue()
    factory = FirmFactory(load_world(), load_names(), random.Random(1))
    population = index_population(build_population(factory, catalogue, 1000))
    for product in catalogue.products:
        sector = product.sector
        for lane in product.lanes:
            origin, destination = lane.split(">")
            assert (origin, sector) in population.exporters, (product.key, lane)
            for market in product.markets if destination == "XX" else (destination,):
                assert ((market, sector) in population.importers
                        or (market, "any") in population.importers), (product.key, market)


def test_population_grows_with_the_simulation() -> None:
    catalogue = load_catalogue()
    small = build_population(FirmFactory(load_world(), load_names(), random.Random(1)),
                             catalogue, 1000)
    large = build_population(FirmFactory(load_world(), load_names(), random.Random(1)),
                             catalogue, 100_000)
    assert len(large) > 3 * len(small)
    roles = Counter(f.role for f in large)
    assert roles["manufacturer"] and roles["distributor"] and roles["forwarder"]
    assert not roles["front"]
    assert len({f.id for f in large}) == len(large)
