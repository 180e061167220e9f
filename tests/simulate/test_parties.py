"""The party-record generator: the same records for the same seed, every trap planted at its
documented rate, and the truth consistent with what the records say."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import phonenumbers
import pyarrow as pa
import pytest

from precursorwatch.exceptions import UsageError
from precursorwatch.ids import gstin
from precursorwatch.simulate.parties import (
    MOVE_RATE,
    OLD_ADDRESS_RATE,
    PARTY_RECORD_COLUMNS,
    RECYCLED_ID_RATE,
    RECYCLED_PHONE_RATE,
    SUCCESSOR_SHARE,
    party_records,
)

ROWS = 6000
SEED = 5
Groups = dict[str, dict[str, list[dict[str, Any]]]]


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return party_records(ROWS, SEED)


@pytest.fixture(scope="module")
def records(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def _groups(records: list[dict[str, Any]], trap: str) -> Groups:
    """trap group -> part -> records."""
    found: Groups = defaultdict(lambda: defaultdict(list))
    for record in records:
        for tag in filter(None, record["hazards"].split(";")):
            name, _, rest = tag.partition("=")
            if name == trap:
                group, _, part = rest.partition("/")
                found[group][part].append(record)
    return found


def _entities(records: list[dict[str, Any]], **where: str) -> set[str]:
    return {r["entity_id"] for r in records if all(r[k] == v for k, v in where.items())}


def _e164(record: dict[str, Any]) -> str:
    number = phonenumbers.parse(record["phone"], record["country"])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_same_seed_same_records_and_other_seed_others(table: pa.Table) -> None:
    assert party_records(800, 2).equals(party_records(800, 2))
    assert not party_records(800, 2).equals(party_records(800, 3))
    assert table.column_names == list(PARTY_RECORD_COLUMNS)
    assert table.num_rows == ROWS
    assert len(set(table.column("record_id").to_pylist())) == ROWS


def test_too_few_rows_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        party_records(0, 1)


def test_companies_and_persons_of_both_nations_file_several_times(
        records: list[dict[str, Any]]) -> None:
    entities = _entities(records)
    assert 2.5 < len(records) / len(entities) < 3.5
    companies = _entities(records, kind="company")
    assert 0.62 < len(companies) / len(entities) < 0.78
    assert 0.47 < len(_entities(records, country="IN")) / len(entities) < 0.63


def test_entities_move_at_the_documented_rate(records: list[dict[str, Any]]) -> None:
    per_entity: dict[str, int] = defaultdict(int)
    for r in records:
        per_entity[r["entity_id"]] += 1
    several = sum(1 for n in per_entity.values() if n >= 2)
    moves = _groups(records, "move")
    assert abs(len(moves) / several - MOVE_RATE) < 0.04
    changed = 0
    for parts in moves.values():
        assert set(parts) <= {"0", "1"}
        assert len({r["entity_id"] for p in parts.values() for r in p}) == 1
        before = {r["postcode"] for r in parts.get("0", []) if r["postcode"]}
        after = {r["postcode"] for r in parts.get("1", []) if r["postcode"]}
        changed += bool(before and after and not before & after)
    assert changed > len(moves) / 3


def test_recycled_phones_are_shared_by_two_unrelated_entities(
        records: list[dict[str, Any]]) -> None:
    groups = _groups(records, "recycled_phone")
    assert abs(len(groups) / len(_entities(records)) - RECYCLED_PHONE_RATE) < 0.02
    complete = 0
    for parts in groups.values():
        for part, members in parts.items():
            assert {r["entity_id"] for r in members} == {part}
        if len(parts) == 2:
            complete += 1
            phones = {_e164(r) for members in parts.values() for r in members}
            assert len(phones) == 1
            # The later holder filed only after the earlier one stopped.
            first, second = sorted(parts.values(), key=lambda m: min(r["filed"] for r in m))
            assert max(r["filed"] for r in first) < min(r["filed"] for r in second)
    assert complete > len(groups) / 2


def test_recycled_ids_are_shared_by_two_unrelated_companies(
        records: list[dict[str, Any]]) -> None:
    groups = _groups(records, "recycled_id")
    rate = len(groups) / len(_entities(records, kind="company"))
    assert abs(rate - RECYCLED_ID_RATE) < 0.012
    for parts in groups.values():
        keys = set()
        for part, members in parts.items():
            assert {r["entity_id"] for r in members} == {part}
            for r in members:
                code = re.sub(r"[^0-9A-Z]", "", r["registration_number"])
                keys.add(gstin.pan(code) if gstin.is_valid(code) else code)
        assert len(keys) == 1


def test_old_addresses_get_renamed_successors_and_unrelated_tenants(
        records: list[dict[str, Any]]) -> None:
    groups = _groups(records, "old_address")
    companies = _entities(records, kind="company")
    # Firms that move are not burned as well, so a little below the nominal rate.
    assert OLD_ADDRESS_RATE * 0.7 < len(groups) / len(companies) < OLD_ADDRESS_RATE * 1.3
    successors = tenants = 0
    for parts in groups.values():
        if "old" not in parts or len(parts) != 2:
            continue
        (old,) = {r["entity_id"] for r in parts["old"]}
        if "successor" in parts:
            successors += 1
            assert {r["entity_id"] for r in parts["successor"]} == {old}
            new = parts["successor"]
        else:
            tenants += 1
            assert old not in {r["entity_id"] for r in parts["tenant"]}
            new = parts["tenant"]
        # Same premises: the postcode (written with or without its space) is the old one.
        assert len({r["postcode"].replace(" ", "") for r in [*new, *parts["old"]]
                    if r["postcode"]}) <= 1
        assert not {r["registration_number"] for r in new} & {
            r["registration_number"] for r in parts["old"]} - {None}
    assert abs(successors / (successors + tenants) - SUCCESSOR_SHARE) < 0.2


def test_gstin_on_one_filing_holds_the_iec_of_another(records: list[dict[str, Any]]) -> None:
    numbers: dict[str, set[str]] = defaultdict(set)
    for r in records:
        if r["country"] == "IN" and r["kind"] == "company" and r["registration_number"] \
                and "recycled_id" not in r["hazards"] and "old_address" not in r["hazards"]:
            numbers[r["entity_id"]].add(r["registration_number"])
    both = 0
    for found in numbers.values():
        gstins = {n for n in found if len(n) == 15}
        iecs = found - gstins
        assert all(gstin.is_valid(n) for n in gstins)
        # A renamed successor has new numbers; otherwise one PAN per firm.
        if gstins and iecs and len(found) == 2:
            both += 1
            assert {gstin.pan(n) for n in gstins} == iecs
    assert both > 50


def test_names_are_written_many_ways(records: list[dict[str, Any]]) -> None:
    names = [r["name"] for r in records]
    text = "\n".join(names)
    for form in ("Pvt. Ltd.", "Private Limited", "P. Ltd.", "LLP", "Inc.", "LLC", "Corp",
                 "M/s.", "Shri ", "Mr. ", "Dr. "):
        assert form in text, form
    indian = [r["name"] for r in records if r["country"] == "IN"]
    hindi = [n for n in indian if re.search(r"[\u0900-\u097f]", n)]
    assert 0.05 < len(hindi) / len(indian) < 0.2
    assert any(r["kind"] == "person" and re.search(r"[\u0900-\u097f]", r["name"])
               for r in records)


def test_devanagari_tags_mark_every_record_of_an_entity_written_in_hindi(
        records: list[dict[str, Any]]) -> None:
    groups = _groups(records, "devanagari")
    assert groups
    for parts in groups.values():
        assert all(re.search(r"[\u0900-\u097f]", r["name"]) for r in parts["deva"])
        assert not any(re.search(r"[\u0900-\u097f]", r["name"]) for r in parts.get("latin", []))


def test_phones_are_written_in_national_and_international_formats(
        records: list[dict[str, Any]]) -> None:
    phones = [r for r in records if r["phone"]]
    assert 0.75 < len(phones) / len(records) < 0.85
    starts = {p["phone"][:1] for p in phones} | {p["phone"][:2] for p in phones}
    assert {"+", "0", "(", "00"} <= starts
    for r in phones[:500]:
        assert phonenumbers.is_valid_number(phonenumbers.parse(r["phone"], r["country"]))
