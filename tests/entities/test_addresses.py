import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from precursorwatch.entities.addresses import (
    AddressParts,
    is_po_box,
    normalise_address,
    pin_code,
    po_box,
    postcode,
    state_code,
    zip_code,
)


def _parts(text: str, country: str | None = None) -> AddressParts:
    parts = normalise_address(text, country)
    assert parts is not None, text
    return parts


@pytest.mark.parametrize(("text", "pin"), [
    ("Andheri East, Mumbai - 400 093, Maharashtra", "400093"),
    ("Survey No 45/2, Vapi, Gujarat, Pin-396195", "396195"),
    ("MUMBAI-400001", "400001"),
    ("56 APO, 999001", "999001"),  # 9: the Army Postal Service
    ("Tel 022 2345 6789, Mumbai", None),  # a phone number is not a PIN
    ("Plot 012345, Thane", None),  # PINs do not start with 0
    ("Invoice 4000931", None),
    ("", None),
    (None, None),
])
def test_pin_codes(text: str | None, pin: str | None) -> None:
    assert pin_code(text) == pin


@pytest.mark.parametrize(("text", "zip_"), [
    ("1600 Pennsylvania Ave NW, Washington, DC 20500-0003", "20500-0003"),
    ("12345 Main St, Springfield, IL 62701", "62701"),  # the last number, not the house
    ("PO Box 1234, Houston, TX 77001-1234, USA", "77001-1234"),
    ("Suite 00000", None),
    ("Phone 202-555-0143", None),
])
def test_zip_codes(text: str, zip_: str | None) -> None:
    assert zip_code(text) == zip_


def test_postcode_reads_the_country_s_kind() -> None:
    assert postcode("Mumbai 400093", "in") == "400093"
    assert postcode("Houston TX 77001", "US") == "77001"
    assert postcode("Shijiazhuang 050000", "CN") is None


@pytest.mark.parametrize(("text", "country", "code"), [
    ("Maharashtra", "IN", "IN-MH"),
    ("MH", "IN", "IN-MH"),
    ("Mahārāshtra", "IN", "IN-MH"),
    ("Maharastra", "IN", "IN-MH"),  # romanised from महाराष्ट्र
    ("Orissa", "IN", "IN-OD"),
    ("Pondicherry", "IN", "IN-PY"),
    ("Tamilnadu", "IN", "IN-TN"),
    ("J&K", "IN", "IN-JK"),
    ("Daman and Diu", "IN", "IN-DH"),
    ("New Delhi", "IN", "IN-DL"),
    ("GA", "IN", "IN-GA"),  # Goa
    ("GA", "US", "US-GA"),  # Georgia
    ("N.Y.", "US", "US-NY"),
    ("District of Columbia", "US", "US-DC"),
    ("Narnia", "IN", None),
    ("", "IN", None),
])
def test_state_codes(text: str, country: str, code: str | None) -> None:
    assert state_code(text, country) == code


@pytest.mark.parametrize("text", [
    "P.O. Box 1234", "PO BOX 1234", "Post Box No. 1234", "GPO Box 1234", "G.P.O. Box No: 1234",
    "Post Bag No. 1234", "P.B. No. 1234", "Post Office Box 1234", "POB 1234", "PMB 1234",
])
def test_po_boxes_and_their_numbers(text: str) -> None:
    assert is_po_box(f"{text}, Chennai 600001")
    assert po_box(f"{text}, Chennai 600001") == "1234"


@pytest.mark.parametrize("text", [
    "Box Factory Road, Surat", "Opp. Post Office, MG Road", "Near Head Post Office, Pune", "",
])
def test_premises_are_not_po_boxes(text: str) -> None:
    assert not is_po_box(text)
    assert po_box(text) is None


def test_a_po_box_without_number_is_still_one() -> None:
    assert is_po_box("GPO Box, Mumbai")
    assert po_box("GPO Box, Mumbai") is None


def test_two_renderings_of_one_indian_address_share_a_key() -> None:
    a = _parts("Plot No. 12, MIDC, Andheri East, Mumbai - 400 093, Maharashtra, India")
    b = _parts("PLOT 12 M.I.D.C. ANDHERI (E) MUMBAI 400093 MH", "IN")
    assert a.country == b.country == "IN"
    assert a.postcode == b.postcode == "400093"
    assert a.state == b.state == "IN-MH"
    assert a.key == b.key
    assert a.key != _parts("Plot No. 12, MIDC, Andheri East, Mumbai 400 069, Maharashtra").key


def test_devanagari_address_is_romanised() -> None:
    parts = _parts("प्लॉट नं. 12, अंधेरी पूर्व, मुंबई 400093, महाराष्ट्र", "IN")
    assert parts.latin.isascii()
    assert parts.postcode == "400093"
    assert parts.state == "IN-MH"
    assert "mumbai" in parts.key.split()


def test_a_us_city_named_like_a_state_does_not_hide_the_state() -> None:
    for text in ("1600 Pennsylvania Avenue NW, Washington, DC 20500-0003, USA",
                 "1600 Pennsylvania Ave. N.W., Washington D.C. 20500"):
        parts = _parts(text, "US")
        assert parts.state == "US-DC"
        assert parts.postcode is not None and parts.postcode.startswith("20500")
    assert _parts("1600 Pennsylvania Avenue NW, Washington, DC 20500-0003, USA").key == \
        _parts("1600 Pennsylvania Ave. N.W., Washington D.C. 20500").key


def test_po_box_address_parts() -> None:
    parts = _parts("P.O. Box 1234, Houston, TX 77001")
    assert (parts.country, parts.postcode, parts.state) == ("US", "77001", "US-TX")
    assert parts.is_po_box and parts.po_box == "1234"


@pytest.mark.parametrize(("text", "country"), [
    ("12 Station Road, Cuttack 753001, India", "IN"),
    ("12 Station Road, Cuttack 753001", "IN"),
    ("500 Main St, Springfield, IL 62701, USA", "US"),
    ("Room 5, Building 3, Shijiazhuang, Hebei", None),
])
def test_country_is_inferred_from_name_or_postcode(text: str, country: str | None) -> None:
    assert _parts(text).country == country


def test_missing_addresses_give_none() -> None:
    for text in (None, "", "  ", "..."):
        assert normalise_address(text, "IN") is None


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60), st.sampled_from([None, "IN", "US", "CN"]))
def test_never_raises(text: str, country: str | None) -> None:
    parts = normalise_address(text, country)
    if parts is not None:
        assert parts.key == " ".join(sorted(parts.key.split()))
