"""Planted rings: members tied together as real rings are."""

from __future__ import annotations

import random

from precursorwatch.simulate.firms import FirmFactory
from precursorwatch.simulate.geography import load_world
from precursorwatch.simulate.names import load_names
from precursorwatch.simulate.products import load_catalogue
from precursorwatch.simulate.rings import SCHEMES, build_rings


def test_schemes_name_catalogue_products() -> None:
    catalogue = load_catalogue()
    for scheme in SCHEMES:
        for key in (*scheme.products, *scheme.designer):
            product = catalogue[key]
            assert product.controlled == (key in scheme.products), key


def test_rings_are_tied_by_directors_phones_and_premises() -> None:
    factory = FirmFactory(load_world(), load_names(), random.Random(3))
    rings = build_rings(factory, 10, random.Random(4))
    assert {ring.scheme.drug for ring in rings} == {s.drug for s in SCHEMES}
    assert rings[0].burned is not None and rings[0].successor is not None
    shared_phone = 0
    for ring in rings:
        controllers = {p.id for p in ring.controllers}
        for firm in (*ring.brokers, *ring.fronts, *ring.payers):
            assert {p.id for p in firm.directors} <= controllers
        phones = [f.phones[0] for f in ring.fronts]
        shared_phone += len(phones) != len(set(phones))
        assert all(f.founded >= 2024 for f in ring.fronts)
        assert len(set(ring.members)) == len(ring.members)
        if ring.successor is not None and ring.burned is not None:
            assert ring.successor.addresses[0] == ring.burned.addresses[0]
            assert ring.successor.directors == ring.burned.directors
            assert ring.successor.id in ring.members
    assert shared_phone >= 3
    members = [m for ring in rings for m in ring.members]
    assert len(members) == len(set(members))
