"""Firms and people: identifiers with valid check characters, reachable contacts, and
successors that keep what owners keep."""

from __future__ import annotations

import random

import pytest
from followthemoney.types import registry as ftm_types

from precursorwatch.ids import dea, gstin
from precursorwatch.simulate import registrations
from precursorwatch.simulate.firms import Firm, FirmFactory, Role
from precursorwatch.simulate.geography import load_world
from precursorwatch.simulate.names import load_names


@pytest.fixture(scope="module")
def factory() -> FirmFactory:
    return FirmFactory(load_world(), load_names(), random.Random(9))


def _firms(factory: FirmFactory, country: str, role: Role = "manufacturer",
           count: int = 40) -> list[Firm]:
    return [factory.firm(country, role, "pharma") for _ in range(count)]


def test_indian_firms_carry_iec_and_a_valid_gstin_built_on_it(factory: FirmFactory) -> None:
    for firm in _firms(factory, "IN"):
        iec, number = firm.identifier("IEC"), firm.identifier("GSTIN")
        assert len(iec) == 10 and iec[:5].isalpha() and iec[5:9].isdigit()
        assert gstin.is_valid(number)
        assert gstin.pan(number) == iec
        assert number[:2] == firm.place.gst_state


def test_us_pharmaceutical_firms_carry_an_ein_and_a_valid_dea_number(
        factory: FirmFactory) -> None:
    for firm in _firms(factory, "US"):
        assert len(firm.identifier("EIN")) == 10
        assert dea.is_valid(firm.identifier("DEA"))
    fronts = [factory.firm("US", "front", "chemical") for _ in range(20)]
    assert not any(f.identifier("DEA") for f in fronts)


def test_contacts_and_accounts_are_valid(factory: FirmFactory) -> None:
    firms = [*_firms(factory, "IN", count=15), *_firms(factory, "US", count=15),
             *_firms(factory, "AE", "distributor", 15), *_firms(factory, "MX", "distributor", 15)]
    for firm in firms:
        assert all(ftm_types.phone.clean(p) == p for p in firm.phones)
        assert all(ftm_types.email.clean(e) == e for e in firm.emails)
        for account in firm.accounts:
            if account.iban:
                assert registrations.iban_is_valid(account.iban)
            if account.country == "US":
                assert registrations.aba_is_valid(account.branch)
            if account.country == "IN":
                assert len(account.branch) == 11 and account.branch[4] == "0"
        for person in firm.directors:
            assert all(ftm_types.phone.clean(p) == p for p in person.phones)
            assert all(ftm_types.email.clean(e) == e for e in person.emails)
        assert firm.names[0] == firm.name.written()


def test_successor_keeps_premises_directors_and_phone_but_not_name_or_ids(
        factory: FirmFactory) -> None:
    old = factory.firm("MX", "front", "chemical", founded=2024)
    new = factory.successor(old, founded=2025)
    assert new.id != old.id and new.names[0] != old.names[0]
    assert new.premises == old.premises and new.place == old.place
    assert new.addresses[0] == old.addresses[0]
    assert new.directors == old.directors
    assert new.phones[0] == old.phones[0]
    assert not set(new.ids) & set(old.ids)
