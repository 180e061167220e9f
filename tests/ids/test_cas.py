from hypothesis import given
from hypothesis import strategies as st

from precursorwatch.ids import cas


def test_accepts_known_numbers() -> None:
    for number in ("299-42-3", "7732-18-5", "108-24-7", "2167189-50-4"):
        assert cas.is_valid(number)


def test_rejects_bad_check_digit() -> None:
    assert not cas.is_valid("299-42-4")
    assert cas.normalize("299-42-4") == "299-42-4"  # still readable, so it can be reported


def test_normalizes_without_hyphens_and_with_unicode_dashes() -> None:
    assert cas.normalize("7732185") == "7732-18-5"
    assert cas.normalize(" 299\u201042\u20133 ") == "299-42-3"
    assert cas.normalize("not a cas") is None


@given(st.integers(min_value=10, max_value=9_999_999), st.integers(min_value=0, max_value=99))
def test_computed_check_digit_always_validates(head: int, middle: int) -> None:
    body = f"{head}{middle:02d}"
    number = f"{head}-{middle:02d}-{cas.check_digit(body)}"
    assert cas.is_valid(number)
    wrong = (cas.check_digit(body) + 1) % 10
    assert not cas.is_valid(f"{head}-{middle:02d}-{wrong}")
    assert cas.format(number) == number
