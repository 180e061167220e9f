import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from precursorwatch.ids import dea, gstin

# The sample GSTIN that GST guides publish; its check character V agrees with the algorithm.
GSTIN = "27AAPFU0939F1ZV"


def test_gstin_normalises_validates_and_names_its_pan() -> None:
    assert gstin.is_valid(GSTIN)
    assert gstin.format(" 27aapfu0939f1zv ") == GSTIN
    assert gstin.pan(GSTIN) == "AAPFU0939F"
    assert not gstin.is_valid(GSTIN[:-1] + "W")
    assert gstin.normalize("27AAPFU0939F1XV") is None  # 14th character must be Z
    with pytest.raises(ValueError):
        gstin.format("not a gstin")


def test_dea_number_check_digit() -> None:
    body = "123456"
    number = f"AB{body}{dea.check_digit(body)}"
    assert dea.is_valid(number) and dea.format(number.lower()) == number
    assert not dea.is_valid(f"AB{body}{(dea.check_digit(body) + 1) % 10}")
    assert dea.normalize("A1234567") is None


def test_dea_number_textbook_example() -> None:
    # 1 + 3 + 5 + 2 * (2 + 4 + 6) = 33: check digit 3.
    assert dea.is_valid("AB1234563")
    assert not dea.is_valid("AB1234564")


_UPPER = st.sampled_from(string.ascii_uppercase)
_BASE36 = st.sampled_from(string.digits + string.ascii_uppercase)


@st.composite
def _gstins(draw: st.DrawFn) -> str:
    state = draw(st.integers(min_value=1, max_value=38))
    letters = "".join(draw(st.lists(_UPPER, min_size=5, max_size=5)))
    serial = draw(st.integers(min_value=0, max_value=9999))
    first14 = f"{state:02d}{letters}{serial:04d}{draw(_UPPER)}{draw(_BASE36)}Z"
    return first14 + gstin.check_char(first14)


@st.composite
def _dea_numbers(draw: st.DrawFn) -> str:
    letters = "".join(draw(st.lists(_UPPER, min_size=2, max_size=2)))
    body = f"{draw(st.integers(min_value=0, max_value=999_999)):06d}"
    return f"{letters}{body}{dea.check_digit(body)}"


@given(_gstins())
def test_gstin_normalize_of_format_is_identity(number: str) -> None:
    assert gstin.is_valid(number)
    assert gstin.normalize(gstin.format(number)) == number
    wrong = "0" if number[-1] != "0" else "1"
    assert not gstin.is_valid(number[:-1] + wrong)


@given(_dea_numbers())
def test_dea_normalize_of_format_is_identity(number: str) -> None:
    assert dea.is_valid(number)
    assert dea.normalize(dea.format(number)) == number
    assert not dea.is_valid(number[:-1] + str((int(number[-1]) + 1) % 10))
