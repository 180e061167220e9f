"""The catalogue: real CAS and HS codes, controlled goods as the registry knows them, and
descriptions that identification reads as what they are."""

from __future__ import annotations

import random

import pytest

from precursorwatch.ids import cas
from precursorwatch.registry import Identifier, Registry
from precursorwatch.simulate.products import LANES, Product, load_catalogue

CATALOGUE = load_catalogue()


def test_every_cas_number_passes_its_check_digit() -> None:
    numbers = [n.cas for p in CATALOGUE.products for n in p.names if n.cas]
    assert len(numbers) > 100
    assert all(cas.is_valid(number) for number in numbers)


def test_every_hs_code_is_a_six_digit_subheading() -> None:
    for product in CATALOGUE.products:
        assert len(product.hs) == 6 and product.hs.isdigit(), product.key


def test_controlled_goods_carry_the_registrys_cas_and_hs(registry: Registry) -> None:
    controlled = CATALOGUE.where(controlled=True)
    assert len(controlled) > 50
    for product in controlled:
        substance = registry.by_name(product.substance)
        assert substance is not None
        for name in product.names:
            if name.cas:
                found = registry.by_cas(name.cas)
                assert found is not None and found[0].name == substance.name, name
        if product.kind != "dosage":
            assert product.hs == substance.hs_code
        else:
            assert product.hs.startswith("3004")


def test_uncontrolled_goods_are_not_in_the_registry(registry: Registry) -> None:
    for product in CATALOGUE.where(controlled=False):
        for name in product.names:
            assert not name.cas or registry.by_cas(name.cas) is None, name


@pytest.mark.parametrize("product", CATALOGUE.products, ids=lambda p: p.key)
def test_descriptions_are_identified_as_what_they_are(product: Product,
                                                      identifier: Identifier) -> None:
    expected = (product.substance,) if product.substance else ()
    for description in CATALOGUE.descriptions(product, random.Random(product.key), 12):
        # Without the CAS number: the words alone must say what the goods are.
        assert identifier.identify(description.text, None, None).names == expected, \
            description.text


def test_designer_precursors_are_real_chemicals_the_registry_does_not_control(
        identifier: Identifier) -> None:
    designers = CATALOGUE.where(designer=True)
    assert len(designers) >= 5
    for product in designers:
        assert not product.controlled and not product.lanes
        name = product.names[0]
        assert identifier.identify(name.text, name.cas, product.hs).names == ()


def test_lanes_markets_and_seasons_are_well_formed() -> None:
    for product in CATALOGUE.products:
        assert set(product.lanes) <= set(LANES)
        assert len(product.season) == 12
        low, high = product.quantity
        assert 0 < low <= high and product.price > 0 and product.pack > 0
        if any(lane.endswith("XX") for lane in product.lanes):
            assert product.markets, product.key
