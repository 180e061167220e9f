import pytest

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
