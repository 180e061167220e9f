"""Row checks against the contract: each bad value gets its file, row, field and reason."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from precursorwatch.records.validate import MAX_TEXT_LENGTH, validate_batch
from tests.records.contract_rows import row, rows


def check(*records: dict[str, str]):  # type: ignore[no-untyped-def]
    batch = pa.RecordBatch.from_pylist(list(records))
    return validate_batch(batch, np.arange(1, len(records) + 1, dtype=np.int64), "f.csv")


def messages(*records: dict[str, str]) -> list[str]:
    return [str(e) for e in check(*records).errors]


def test_a_good_row_is_typed_and_normalised() -> None:
    result = check(row(hs_code="2939 42 00", export_country="in", transit_countries="ae; sg"))
    assert result.errors == ()
    [typed] = result.rows.to_pylist()
    assert typed["hs_code"] == "29394200"
    assert typed["export_country"] == "IN" and typed["transit_countries"] == "AE;SG"
    assert typed["quantity"] == 500.0 and typed["declared_at"] == datetime(2026, 3, 2)
    assert typed["importer_id"] is None  # empty optional text becomes null


@pytest.mark.parametrize(("changes", "expected"), [
    ({"quantity": "ten"}, "f.csv:1: quantity: 'ten' is not a number"),
    ({"quantity": "-3"}, "f.csv:1: quantity: -3 must be greater than 0"),
    ({"quantity": "0"}, "f.csv:1: quantity: 0 must be greater than 0"),
    ({"unit": "kgs"}, "f.csv:1: unit: 'kgs' is not one of L, g, kg, mL, t, units"),
    ({"import_country": "XX"}, "f.csv:1: import_country: 'XX' is not an ISO 3166-1 alpha-2 "
                               "country code"),
    ({"declared_at": "2026-02-30"}, "f.csv:1: declared_at: '2026-02-30' is not an ISO 8601 "
                                    "date or date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"),
    ({"declared_at": "03/02/2026"}, "f.csv:1: declared_at: '03/02/2026' is not an ISO 8601 "
                                    "date or date-time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"),
    ({"cas_number": "345-78-9"}, "f.csv:1: cas_number: check digit is 9, expected 8"),
    ({"cas_number": "ephedrine"}, "f.csv:1: cas_number: 'ephedrine' is not a CAS number "
                                  "(NNNNNNN-NN-N)"),
    ({"hs_code": "2939"}, "f.csv:1: hs_code: '2939' must be 6 to 10 digits (dots and spaces "
                          "are allowed)"),
    ({"source": ""}, "f.csv:1: source: required value is missing"),
    ({"concentration_pct": "101"}, "f.csv:1: concentration_pct: 101 must be at most 100"),
    ({"declared_value": "-1"}, "f.csv:1: declared_value: -1 must be at least 0"),
    ({"transit_countries": "AE;Dubai"}, "f.csv:1: transit_countries: 'AE;DUBAI' must be ISO "
                                        "alpha-2 country codes joined by ';'"),
])
def test_each_bad_value_is_named(changes: dict[str, str], expected: str) -> None:
    assert messages(row(**changes)) == [expected]


def test_every_problem_of_every_row_is_reported_in_order() -> None:
    result = check(row(), row(quantity="x", unit="lbs"), row(), row(source=""))
    assert [str(e) for e in result.errors] == [
        "f.csv:2: quantity: 'x' is not a number",
        "f.csv:2: unit: 'lbs' is not one of L, g, kg, mL, t, units",
        "f.csv:4: source: required value is missing",
    ]
    assert result.rows.num_rows == 2
    assert list(result.row_numbers) == [1, 3]
    assert result.rejected.column("row").to_pylist() == [2, 4]


def test_date_times_with_offsets_become_utc() -> None:
    result = check(row(declared_at="2026-03-02T10:00:00+05:30"),
                   row(declared_at="2026-03-02T10:00:00Z"),
                   row(declared_at="2026-03-02T10:00:00.250"))
    assert result.errors == ()
    assert result.rows.column("declared_at").to_pylist() == [
        datetime(2026, 3, 2, 4, 30), datetime(2026, 3, 2, 10, 0),
        datetime(2026, 3, 2, 10, 0, 0, 250_000)]


_DATE_SHAPED = st.from_regex(
    r"\A\d{4}-[01]\d-[0-3]\d([T ][0-2]\d(:[0-6]\d(:[0-6]\d(\.\d{1,6})?)?)?)?\Z")


@settings(max_examples=300, deadline=None)
@given(st.one_of(_DATE_SHAPED, st.dates().map(str), _DATE_SHAPED.map(lambda d: d + "Z")))
def test_a_date_is_read_alike_whatever_shares_its_batch(value: str) -> None:
    """Alone, a value takes Arrow's fast ISO 8601 cast; next to a zone offset, the formats.
    Both must give the same result, since checking per distinct value changes the company a
    value keeps."""
    alone = check(row(declared_at=value))
    mixed = check(row(declared_at=value), row(declared_at="2026-03-02T10:00:00+01:00"))
    assert [str(e) for e in alone.errors] == [str(e) for e in mixed.errors]
    assert alone.rows.column("declared_at").to_pylist() == \
        mixed.rows.column("declared_at").to_pylist()[:alone.rows.num_rows]


def test_overlong_text_is_refused_by_length() -> None:
    huge = "x" * (MAX_TEXT_LENGTH + 1)
    assert messages(row(product_description=huge)) == [
        f"f.csv:1: product_description: value is {MAX_TEXT_LENGTH + 1:,} characters long; "
        f"the limit is {MAX_TEXT_LENGTH:,}"]


def test_undecodable_bytes_are_an_encoding_error_of_that_row() -> None:
    good = {k: v.encode() for k, v in row().items()}
    bad = dict(good, exporter_name=b"Sh\xe9 Chem")
    batch = pa.RecordBatch.from_pylist([good, bad],
                                       schema=pa.schema([(k, pa.binary()) for k in good]))
    result = validate_batch(batch, np.array([1, 2], dtype=np.int64), "f.csv")
    assert [str(e) for e in result.errors] == [
        "f.csv:2: exporter_name: is not valid UTF-8 text (check the file's encoding)"]


def test_extra_columns_are_kept_as_text() -> None:
    result = check(dict(row(), broker_ref="BR-9"))
    assert result.rows.column("broker_ref").to_pylist() == ["BR-9"]


def test_typed_parquet_columns_are_checked_too() -> None:
    table = pa.Table.from_pylist(rows(2)).set_column(
        16, "quantity", pa.array([5.0, -1.0])).set_column(
        2, "declared_at", pa.array([datetime(2026, 3, 2), datetime(2026, 3, 3)]))
    result = validate_batch(table.to_batches()[0], np.array([1, 2], dtype=np.int64), "f.parquet")
    assert [str(e) for e in result.errors] == ["f.parquet:2: quantity: -1 must be greater than 0"]


def test_cas_numbers_are_stored_in_canonical_form() -> None:
    assert check(row(cas_number="345788")).rows.column("cas_number").to_pylist() == ["345-78-8"]


def test_infinite_typed_quantity_is_refused() -> None:
    table = pa.Table.from_pylist(rows(1)).set_column(16, "quantity", pa.array([float("inf")]))
    result = validate_batch(table.to_batches()[0], np.array([1], dtype=np.int64), "f.parquet")
    assert [str(e) for e in result.errors] == [
        "f.parquet:1: quantity: is not a finite number"]


def test_fractional_seconds_after_a_space_with_offsets_elsewhere() -> None:
    result = check(row(declared_at="2026-03-02 10:00:00.5"),
                   row(declared_at="2026-03-02T10:00:00+05:30"))
    assert result.errors == ()


def test_nested_extra_columns_are_kept_as_json() -> None:
    batch = pa.RecordBatch.from_pylist([dict(row(), meta={"a": 1})])
    result = validate_batch(batch, np.array([1], dtype=np.int64), "f.parquet")
    assert result.errors == ()
    assert result.rows.column("meta").to_pylist() == ['{"a": 1}']


def _dictionary_batch(records: list[dict[str, str | None]]) -> pa.RecordBatch:
    """The rows with every text column dictionary-encoded, as Parquet files are read."""
    plain = pa.RecordBatch.from_pylist(records)
    return pa.RecordBatch.from_arrays([pc.dictionary_encode(c) for c in plain.columns],
                                      names=plain.schema.names)


def _outcome(batch: pa.RecordBatch) -> tuple[list[str], list[dict[str, object]], list[int],
                                             list[dict[str, object]]]:
    result = validate_batch(batch, np.arange(1, batch.num_rows + 1, dtype=np.int64), "f.csv")
    return ([str(e) for e in result.errors], result.rows.to_pylist(),
            [int(n) for n in result.row_numbers], result.rejected.to_pylist())


_values = st.one_of(st.text(max_size=6), st.none(), st.sampled_from(
    ["", " kg ", "kg", "lbs", "US", "us", "XX", "AE;SG", "AE;Dubai", "2939.42", "2939",
     "345-78-8", "345-78-9", "2026-03-02", "2026-02-30", "USD", "usd", "sea", "ship"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={
    name: _values for name in ("source", "declared_at", "export_country", "transit_countries",
                               "hs_code", "cas_number", "unit", "currency", "transport_mode",
                               "outcome", "exporter_id")}), min_size=1, max_size=12))
def test_dictionary_columns_give_the_same_errors_and_rows(
        changes: list[dict[str, str | None]]) -> None:
    records: list[dict[str, str | None]] = [dict(row(shipment_id=f"S{i}"), **c)
                                            for i, c in enumerate(changes)]
    assert _outcome(_dictionary_batch(records)) == _outcome(pa.RecordBatch.from_pylist(records))


def test_a_bad_value_in_one_row_of_a_large_batch_is_reported_once() -> None:
    # 5,000 rows: the coded columns are checked per distinct value (encoded first).
    records = [row(shipment_id=f"S{i}", unit=("kg", "L", "t")[i % 3]) for i in range(5000)]
    records[3210]["unit"] = "lbs"
    records[4999]["import_country"] = "XX"
    records[17]["hs_code"] = ""
    batch = pa.RecordBatch.from_pylist(records)
    result = validate_batch(batch, np.arange(1, 5001, dtype=np.int64), "f.csv")
    assert [str(e) for e in result.errors] == [
        "f.csv:18: hs_code: required value is missing",
        "f.csv:3211: unit: 'lbs' is not one of L, g, kg, mL, t, units",
        "f.csv:5000: import_country: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ]
    assert result.rows.num_rows == 4997
    assert result.rows.column("unit").to_pylist()[:4] == ["kg", "L", "t", "kg"]
    assert result.rejected.column("row").to_pylist() == [18, 3211, 5000]
    assert result.rejected.column("unit").to_pylist() == ["t", "lbs", "L"]


def test_nulls_in_a_dictionary_column_are_missing_values() -> None:
    records: list[dict[str, str | None]] = [dict(row(), shipment_id=f"S{i}") for i in range(4)]
    records[1]["unit"] = None
    records[2]["currency"] = None
    result = validate_batch(_dictionary_batch(records), np.arange(1, 5, dtype=np.int64), "f")
    assert [str(e) for e in result.errors] == ["f:2: unit: required value is missing"]
    assert result.rows.column("currency").to_pylist() == ["USD", None, "USD"]


def test_a_dictionary_larger_than_its_batch_is_read_as_text() -> None:
    # A Parquet row group's dictionary comes with each of its batches.
    units = pa.DictionaryArray.from_arrays(pa.array([5, 0], pa.int32()),
                                           pa.array(["kg", "g", "t", "L", "mL", "lbs"]))
    table = pa.Table.from_pylist(rows(2)).set_column(17, "unit", units)
    result = validate_batch(table.to_batches()[0], np.array([7, 8], dtype=np.int64), "f")
    assert [str(e) for e in result.errors] == [
        "f:7: unit: 'lbs' is not one of L, g, kg, mL, t, units"]
    assert result.rows.column("unit").to_pylist() == ["kg"]


def test_only_the_asked_columns_are_built_but_every_column_is_checked() -> None:
    records = rows(3)
    records[2]["end_use"] = "x" * (MAX_TEXT_LENGTH + 1)
    batch = pa.RecordBatch.from_pylist(records)
    result = validate_batch(batch, np.arange(1, 4, dtype=np.int64), "f",
                            columns=("shipment_id", "unit"))
    assert result.rows.schema.names == ["shipment_id", "unit"]
    assert result.rows.column("shipment_id").to_pylist() == ["S1", "S2"]
    assert len(result.errors) == 1 and result.errors[0].field == "end_use"


def test_typed_dates_beyond_year_9999_are_refused_as_before() -> None:
    late = pa.array(np.array(["2026-03-02", "10000-01-01"], dtype="datetime64[D]"))
    table = pa.Table.from_pylist(rows(2)).set_column(2, "declared_at", late)
    result = validate_batch(table.to_batches()[0], np.array([1, 2], dtype=np.int64), "f")
    assert [str(e) for e in result.errors] == [
        "f:2: declared_at: '10000-01-01' is not an ISO 8601 date or date-time "
        "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"]
    assert result.rows.column("declared_at").to_pylist() == [datetime(2026, 3, 2)]
