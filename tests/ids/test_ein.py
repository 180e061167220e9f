import pytest
from hypothesis import given
from hypothesis import strategies as st

from precursorwatch.ids import ein


def test_accepts_numbers_with_issued_prefixes() -> None:
    # 04 is a Brookhaven campus prefix, 91 Philadelphia (IRS, valid EIN prefixes).
    assert ein.is_valid("04-2103594")
    assert ein.is_valid("911144442")
    assert ein.format("042103594") == "04-2103594"
    assert ein.normalize(" 04 - 2103594 ") == "042103594"


def test_rejects_prefixes_no_campus_issues() -> None:
    for prefix in ("00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70",
                   "78", "79", "89", "96", "97"):
        assert not ein.is_valid(f"{prefix}-1144442"), prefix
    assert ein.normalize("07-1144442") == "071144442"  # readable, so it can be reported
    with pytest.raises(ValueError):
        ein.format("07-1144442")


def test_rejects_social_security_layout_and_wrong_lengths() -> None:
    assert ein.normalize("911-14-4442") is None
    assert ein.normalize("91-114444") is None
    assert ein.normalize("91-11444420") is None
    assert ein.normalize("91-114444X") is None


@given(st.from_regex(r"\A[0-9]{9}\Z").filter(ein.is_valid))
def test_normalize_of_format_is_identity_for_valid_numbers(number: str) -> None:
    formatted = ein.format(number)
    assert formatted[2] == "-"
    assert ein.normalize(formatted) == number
    assert ein.format(formatted) == formatted
