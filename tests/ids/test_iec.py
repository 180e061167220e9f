import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from precursorwatch.ids import gstin, iec

# Permanent IEC of "all Ministries / Departments of Central Government", PAN-shaped since
# DGFT Public Notice 09/2015-20 (29 June 2017); its ten-digit predecessor was 0100000011.
CENTRAL_GOVERNMENT = "AMDCG0111E"
CENTRAL_GOVERNMENT_LEGACY = "0100000011"

# The holder-type letters (4th character) that a PAN may carry.
_HOLDER_TYPES = "ABCFGHJLPTK"
_LETTER = st.sampled_from(string.ascii_uppercase)


def test_accepts_pan_based_and_legacy_codes() -> None:
    assert iec.is_valid(CENTRAL_GOVERNMENT)
    assert iec.is_valid(CENTRAL_GOVERNMENT_LEGACY)
    assert iec.is_legacy(CENTRAL_GOVERNMENT_LEGACY)
    assert not iec.is_legacy(CENTRAL_GOVERNMENT)


def test_normalises_case_and_separators() -> None:
    assert iec.normalize(" amdcg 0111 e ") == CENTRAL_GOVERNMENT
    assert iec.format("AMDCG-0111-E") == CENTRAL_GOVERNMENT
    assert iec.normalize("01000-00011") == CENTRAL_GOVERNMENT_LEGACY


def test_rejects_codes_that_are_not_pans_or_ten_digits() -> None:
    assert not iec.is_valid("ABMXA3211G")  # X is no PAN holder type
    assert not iec.is_valid("ACUPA0000R")  # PAN serials run from 0001
    assert iec.normalize("ACUPA0000R") == "ACUPA0000R"  # readable, so it can be reported
    assert iec.normalize("AMDCG0111") is None
    assert iec.normalize("010000001") is None  # nine digits: a leading zero lost
    assert iec.normalize("AMDCG01115") is None
    with pytest.raises(ValueError):
        iec.format("ABMXA3211G")


def test_pan_based_iec_meets_the_gstin_of_the_same_firm() -> None:
    # The GST guides' sample GSTIN embeds PAN AAPFU0939F; the firm's IEC is that PAN.
    assert iec.pan("aapfu0939f") == gstin.pan("27AAPFU0939F1ZV") == "AAPFU0939F"
    assert iec.pan(CENTRAL_GOVERNMENT_LEGACY) is None
    assert iec.pan("ABMXA3211G") is None


@st.composite
def _pan_based(draw: st.DrawFn) -> str:
    head = "".join(draw(st.lists(_LETTER, min_size=3, max_size=3)))
    holder = draw(st.sampled_from(_HOLDER_TYPES))
    serial = draw(st.integers(min_value=1, max_value=9999))
    return f"{head}{holder}{draw(_LETTER)}{serial:04d}{draw(_LETTER)}"


_VALID = _pan_based() | st.from_regex(r"\A[0-9]{10}\Z")


@given(_VALID)
def test_normalize_of_format_is_identity_for_valid_codes(code: str) -> None:
    assert iec.is_valid(code)
    assert iec.normalize(iec.format(code)) == code
    assert iec.format(code.lower()) == code
