import pytest
from hypothesis import given
from hypothesis import strategies as st

from precursorwatch.entities.phones import phone_region, phones_in, to_e164


@pytest.mark.parametrize("text", ["+91 98200 12345", "098200 12345", "98200-12345",
                                  "0091 98200 12345", "+91 (0) 98200 12345"])
def test_indian_mobile_written_every_way_is_one_number(text: str) -> None:
    assert to_e164(text, "IN") == "+919820012345"


def test_us_number_with_default_region() -> None:
    assert to_e164("(202) 555-0143", "US") == "+12025550143"
    assert to_e164("202.555.0143", "us") == "+12025550143"
    assert to_e164("+1 202 555 0143") == "+12025550143"


def test_international_form_ignores_the_default_region() -> None:
    assert to_e164("+91 98200 12345", "US") == "+919820012345"


def test_extensions_are_dropped() -> None:
    assert to_e164("+1 202 555 0143 ext. 22") == "+12025550143"


@pytest.mark.parametrize(("text", "region"), [
    (None, "IN"), ("", "IN"), ("n/a", "IN"), ("1234", "IN"),
    ("98200 12345", None),  # national form with no country to read it by
    ("+91 98200 1234", "IN"),  # a digit short of a mobile number
    ("(123) 456-7890", "US"),  # no US area code starts with 1
    ("(202) 555-014", "US"),
])
def test_missing_or_invalid_numbers_give_none(text: str | None, region: str | None) -> None:
    assert to_e164(text, region) is None


def test_every_number_in_a_free_text_field() -> None:
    assert phones_in("Tel: 022-2345 6789 / 98200 12345, Fax 022 2345 6789", "IN") == (
        "+912223456789", "+919820012345")
    assert phones_in("Ph. nil", "IN") == ()
    assert phones_in(None) == ()


def test_region_of_a_number() -> None:
    assert phone_region("+919820012345") == "IN"
    assert phone_region("+12025550143") == "US"
    assert phone_region("not a number") is None


@given(st.integers(min_value=6_000_000_000, max_value=9_999_999_999))
def test_indian_mobile_numbers_round_trip(number: int) -> None:
    e164 = to_e164(f"0{number}", "IN")
    if e164 is not None:
        assert e164 == f"+91{number}"
        assert to_e164(e164) == e164
