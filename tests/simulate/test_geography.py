"""Places, phone numbering and addresses of the simulated world."""

from __future__ import annotations

import random

import pytest
from followthemoney.types import registry as ftm_types

from precursorwatch.records.schema import country_codes
from precursorwatch.simulate.geography import address_variants, load_world, phone_number

WORLD = load_world()
PATTERNS = sorted({(code, pattern) for code, country in WORLD.countries.items()
                   for pattern in (*country.mobile, *(p.phone for p in country.places))})


def test_every_country_is_a_real_alpha2_code_with_places() -> None:
    assert {"IN", "US"} <= set(WORLD.countries)
    for code, country in WORLD.countries.items():
        assert code in country_codes()
        assert country.places, code
        assert country.banks, f"{code} has no bank"


@pytest.mark.parametrize(("country", "pattern"), PATTERNS)
def test_phone_patterns_give_numbers_libphonenumber_accepts(country: str, pattern: str) -> None:
    r = random.Random(pattern)
    for _ in range(200):
        number = phone_number(pattern, r)
        # FollowTheMoney's phone type validates with libphonenumber and drops what fails.
        assert ftm_types.phone.clean(number) == number, country


def test_indian_places_have_pin_codes_and_gst_state_codes() -> None:
    for place in WORLD["IN"].places:
        assert len(place.postal) == 6 and place.postal.isdigit()
        assert len(place.gst_state) == 2 and place.gst_state.isdigit()


def test_us_places_have_zip_codes() -> None:
    for place in WORLD["US"].places:
        assert len(place.postal) == 5 and place.postal.isdigit()
        assert len(place.region_code) == 2


def test_an_address_is_written_several_ways_registered_form_first() -> None:
    r = random.Random(3)
    india = WORLD["IN"]
    place = india.places[0]
    variants = address_variants(india, place, "Plot No. 14", r)
    assert variants[0] == "Plot No. 14, GIDC Estate, Ankleshwar, Gujarat 393002"
    assert len(set(variants)) == len(variants) >= 2
    us = WORLD["US"]
    variants = address_variants(us, us.places[0], "400 Commerce Drive, Suite 12", r)
    assert variants[0] == "400 Commerce Drive, Suite 12, Piscataway, NJ 08854"
    assert all("08854" in v for v in variants)
