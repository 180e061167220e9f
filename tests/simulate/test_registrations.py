"""Registration and account numbers: real check characters, against published examples."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from precursorwatch.ids import dea, gstin
from precursorwatch.simulate import registrations

VECTORS = Path(__file__).parent.parent / "data" / "simulate_identifier_vectors.csv"
CHECKS = {
    "gstin": gstin.is_valid,
    "dea": dea.is_valid,
    "iban": registrations.iban_is_valid,
    "aba": registrations.aba_is_valid,
}


def _vectors() -> list[tuple[str, str, bool]]:
    with open(VECTORS, encoding="utf-8") as handle:
        return [(row["kind"], row["value"], row["valid"] == "true")
                for row in csv.DictReader(handle)]


@pytest.mark.parametrize(("kind", "value", "valid"), _vectors())
def test_published_vectors(kind: str, value: str, valid: bool) -> None:
    assert CHECKS[kind](value) is valid


@given(st.integers(min_value=0, max_value=2**32), st.sampled_from(["24", "27", "36", "07"]),
       st.sampled_from("CFP"))
def test_generated_gstin_embeds_the_pan_and_validates(seed: int, state: str,
                                                      holder: str) -> None:
    r = random.Random(seed)
    pan_number = registrations.pan(r, holder, "Shree Ganesh")
    assert len(pan_number) == 10 and pan_number[3] == holder and pan_number[4] == "S"
    number = registrations.gstin(state, pan_number)
    assert len(number) == 15 and number.startswith(state + pan_number)
    assert gstin.pan(number) == pan_number
    assert gstin.is_valid(number)
    wrong = "0" if number[-1] != "0" else "1"
    assert not gstin.is_valid(number[:-1] + wrong)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_dea_numbers_validate(seed: int) -> None:
    number = registrations.dea(random.Random(seed), "R", "Lakeside Generics")
    assert number[:2] == "RL" and dea.is_valid(number)
    wrong = str((int(number[-1]) + 1) % 10)
    assert not dea.is_valid(number[:-1] + wrong)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_ibans_clabes_and_eins_have_their_shapes(seed: int) -> None:
    r = random.Random(seed)
    assert registrations.iban_is_valid(registrations.iban("AE", "260" + "1" * 16))
    assert registrations.iban_is_valid(registrations.iban("BE",
                                                          registrations.belgian_bban("734", r)))
    clabe = registrations.clabe("012", r)
    weights = (3, 7, 1) * 6
    assert len(clabe) == 18
    assert sum(int(c) * w % 10 for c, w in zip(clabe, weights, strict=True)) % 10 == 0
    ein = registrations.ein(r)
    assert len(ein) == 10 and ein[2] == "-" and ein.replace("-", "").isdigit()
