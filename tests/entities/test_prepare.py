"""Values cleaned so that one party's spellings meet (entities/prepare.py)."""

from __future__ import annotations

import pyarrow as pa

from precursorwatch.entities.prepare import prepared_columns
from precursorwatch.entities.settings import Kind


def _clean(values: list[str | None], kind: Kind) -> dict[str, list[object]]:
    return {k: v.to_pylist() for k, v in
            prepared_columns(pa.array(values, pa.string()), "c", kind).items()}


def test_a_gstin_meets_the_iec_inside_it() -> None:
    # Chandra Pharmaceuticals LLP's GSTIN on one filing, its IEC (= its PAN) on another.
    found = _clean(["23CSBFC2160Y2ZZ", "CSBFC2160Y", "csbfc-2160-y", None, " "],
                   Kind.identifier)["c"]
    assert found == ["CSBFC2160Y", "CSBFC2160Y", "CSBFC2160Y", None, None]
    # A number that only looks like a GSTIN (wrong check character) stays as written.
    assert _clean(["23CSBFC2160Y2ZA"], Kind.identifier)["c"] == ["23CSBFC2160Y2ZA"]


def test_abbreviated_addresses_meet() -> None:
    found = _clean(["386 Main Street, Suite 7, Boston, MA 02210",
                    "386 MAIN ST, STE 7, BOSTON MA 02210", "Shed No. 53, Naroda GIDC, "
                    "Ahmedabad, Gujarat 382330", None], Kind.address)["c"]
    assert found[0] == found[1] and "02210" in str(found[0])
    assert "in-gj" in str(found[2]) and found[3] is None


def test_firm_names_get_words_sounds_and_initials() -> None:
    found = _clean(["Riddhi Siddhi Healthcare Pvt. Ltd.", "RIDDHI SIDHI HEALTHCARE P LTD",
                    "PVT LTD"], Kind.company)
    words = str(found["c"][0]).split()
    assert "riddhi" in words and "siddhi" in words and "pvt" not in words
    assert words == sorted(words)
    assert found["c__sound"][0] == found["c__sound"][1]
    assert found["c"][0] != found["c"][1]  # a typo: the words differ, the sounds do not
    assert found["c__initial"][:2] == ["h", "h"]
    assert found["c"][2] is None and found["c__initial"][2] is None


def test_phones_written_the_national_way_are_read_in_the_records_country() -> None:
    phones = pa.array(["098200 12345", "+91 98200 12345", "(732) 555-0143", "732.555.0143",
                       "098200 12345", None])
    countries = pa.array(["IN", "IN", "US", "US", None, "IN"])
    cleaned = prepared_columns(phones, "phone", Kind.phone, countries)["phone"].to_pylist()
    assert cleaned == ["+919820012345", "+919820012345", "+17325550143", "+17325550143",
                       None, None]
    # Without the countries, only numbers with their country code are numbers.
    alone = prepared_columns(phones, "phone", Kind.phone)["phone"].to_pylist()
    assert alone == [None, "+919820012345", None, None, None, None]
