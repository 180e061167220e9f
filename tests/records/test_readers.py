"""Contract files in all three formats: streaming, row numbers, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precursorwatch.exceptions import InputError, RowErrors, UsageError
from precursorwatch.records import write_table
from precursorwatch.records.readers import read_contract, read_contract_files
from tests.records.contract_rows import GOOD, row, rows


def write_csv(path: Path, records: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


def read_all(path: Path, batch_rows: int = 1000) -> tuple[list[dict[str, object]], list[str],
                                                          list[int]]:
    valid: list[dict[str, object]] = []
    errors: list[str] = []
    numbers: list[int] = []
    for batch in read_contract(path, batch_rows=batch_rows):
        valid.extend(batch.rows.to_pylist())
        errors.extend(str(e) for e in batch.errors)
        numbers.extend(int(n) for n in batch.row_numbers)
    return valid, errors, numbers


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_round_trip_through_each_format(tmp_path: Path, suffix: str) -> None:
    source = rows(5)
    path = tmp_path / f"in{suffix}"
    write_table(pa.Table.from_pylist(source), path)
    valid, errors, numbers = read_all(path, batch_rows=2)
    assert errors == []
    assert numbers == [1, 2, 3, 4, 5]
    assert [v["shipment_id"] for v in valid] == [r["shipment_id"] for r in source]
    assert {v["hs_code"] for v in valid} == {"293942"}


def test_formats_agree_on_the_validated_rows(tmp_path: Path) -> None:
    source = pa.Table.from_pylist([*rows(3), row(shipment_id="X", quantity="2.5", unit="L")])
    results = []
    for suffix in (".csv", ".jsonl", ".parquet"):
        write_table(source, tmp_path / f"in{suffix}")
        results.append(read_all(tmp_path / f"in{suffix}")[0])
    assert results[0] == results[1] == results[2]


def test_row_numbers_continue_across_batches_and_skip_the_header(tmp_path: Path) -> None:
    records = rows(7)
    records[5]["quantity"] = "bad"
    _, errors, numbers = read_all(write_csv(tmp_path / "f.csv", records), batch_rows=3)
    assert numbers == [1, 2, 3, 4, 5, 7]
    assert errors == [f"{tmp_path / 'f.csv'}:6: quantity: 'bad' is not a number"]


def test_missing_required_column_rejects_the_file(tmp_path: Path) -> None:
    records = [{k: v for k, v in row().items() if k != "unit"}]
    with pytest.raises(InputError, match="required column missing: unit"):
        read_all(write_csv(tmp_path / "f.csv", records))


def test_stray_quote_is_reported_with_its_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", rows(3))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",IN-CBIC,", ',"IN-CBIC,', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    valid, errors, _ = read_all(path)
    assert len(valid) + len(errors) >= 2
    assert any(":2:" in e and "malformed CSV row" in e for e in errors), errors


def test_encoding_error_names_row_and_field(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "f.csv", rows(2))
    raw = path.read_bytes().replace(b"Lakeside Generics LLC", b"Lakeside G\xe9n\xe9rics", 1)
    path.write_bytes(raw)
    valid, errors, _ = read_all(path)
    assert len(valid) == 1
    assert errors == [f"{path}:1: importer_name: is not valid UTF-8 text (check the file's "
                      f"encoding)"]


def test_ten_megabyte_field_is_refused_not_a_crash(tmp_path: Path) -> None:
    records = rows(2)
    records[1]["product_description"] = "A" * 10_000_000
    valid, errors, _ = read_all(write_csv(tmp_path / "f.csv", records))
    assert len(valid) == 1
    assert len(errors) == 1 and ":2: product_description: value is 10,000,000 characters" in \
        errors[0]


def test_json_lines_accept_numbers_and_report_broken_lines(tmp_path: Path) -> None:
    good = dict(row(), quantity=12.5, transit_countries=["AE", "SG"])
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps([1, 2]) + "\n",
                    encoding="utf-8")
    valid, errors, numbers = read_all(path)
    assert valid[0]["quantity"] == 12.5 and valid[0]["transit_countries"] == "AE;SG"
    assert numbers == [1]
    assert errors == [f"{path}:2: not a JSON object on one line: '{{not json'",
                      f"{path}:3: not a JSON object on one line: '[1, 2]'"]


def test_json_line_missing_a_required_key_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    partial = {k: v for k, v in row().items() if k != "unit"}
    path.write_text(json.dumps(row()) + "\n" + json.dumps(partial) + "\n", encoding="utf-8")
    _, errors, numbers = read_all(path)
    assert numbers == [1]
    assert errors == [f"{path}:2: unit: required value is missing"]


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        read_contract(tmp_path / "f.xlsx")
    with pytest.raises(InputError, match="no such file"):
        read_contract(tmp_path / "nope.csv")


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_all(tmp_path / "f.csv")


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({
    "quantity": st.one_of(_text, st.sampled_from(["1", "0.5", "-2", "1e3", ""])),
    "unit": st.one_of(_text, st.sampled_from(["kg", "L", "units"])),
    "declared_at": st.one_of(_text, st.dates().map(str)),
    "import_country": st.one_of(_text, st.sampled_from(["US", "IN", "us"])),
    "cas_number": st.one_of(_text, st.sampled_from(["299-42-3", "299-42-4", ""])),
    "product_description": _text,
}), min_size=1, max_size=20), st.sampled_from([".csv", ".jsonl", ".parquet"]))
def test_readers_never_crash_and_never_drop_a_row(tmp_path_factory: pytest.TempPathFactory,
                                                  changes: list[dict[str, str]],
                                                  suffix: str) -> None:
    records = [row(shipment_id=f"S{i}", **c) for i, c in enumerate(changes)]
    path = tmp_path_factory.mktemp("h") / f"in{suffix}"
    write_table(pa.Table.from_pylist(records), path)
    valid, errors, numbers = read_all(path, batch_rows=7)
    reported = {int(e.split(":")[1]) for e in errors if e.split(":")[1].isdigit()}
    assert set(numbers).isdisjoint(reported)
    assert set(numbers) | reported == set(range(1, len(records) + 1))
    assert len(valid) == len(numbers)


def test_csv_header_only_yields_nothing(tmp_path: Path) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(list(GOOD))
    (tmp_path / "f.csv").write_text(buffer.getvalue(), encoding="utf-8")
    assert read_all(tmp_path / "f.csv") == ([], [], [])


def test_row_numbers_stay_right_across_blocks_with_malformed_rows(tmp_path: Path) -> None:
    records = [row(shipment_id=f"S{i}", product_description="x" * 300) for i in range(1, 80_001)]
    records[59_999]["declared_at"] = "2026-02-30"  # row 60,000
    path = write_csv(tmp_path / "f.csv", records)
    lines = path.read_text(encoding="utf-8").splitlines()
    for number in (20_000, 40_000):  # data rows 20,000 and 40,000 lose their last field
        lines[number] = lines[number].rsplit(",", 1)[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    valid, errors, numbers = read_all(path, batch_rows=50_000)
    assert [e.split(": ")[0].rsplit(":", 1)[1] for e in errors] == ["20000", "40000", "60000"]
    assert len(valid) == 79_997
    assert numbers[19_999] == 20_001 and numbers[-1] == 80_000


def _large_parquet(path: Path) -> Path:
    """10,000 rows in one row group, each text column stored as a dictionary (pyarrow's
    default), with a bad value in one row and missing values in others."""
    records: list[dict[str, str | None]] = [
        dict(row(shipment_id=f"S{i}", unit=("kg", "L")[i % 2],
                 import_country=("US", "DE", "AE")[i % 3])) for i in range(10_000)]
    records[7776]["cas_number"] = "345-78-9"
    records[8999]["unit"] = None
    records[9998]["currency"] = None
    pq.write_table(pa.Table.from_pylist(records), path, row_group_size=10_000)
    return path


def test_parquet_dictionaries_report_each_bad_row_with_its_number(tmp_path: Path) -> None:
    path = _large_parquet(tmp_path / "f.parquet")
    assert pq.ParquetFile(path).metadata.row_group(0).column(17).has_dictionary_page
    valid, errors, numbers = read_all(path, batch_rows=4096)  # the dictionary spans batches
    assert errors == [f"{path}:7777: cas_number: check digit is 9, expected 8",
                      f"{path}:9000: unit: required value is missing"]
    assert len(valid) == 9998 and 7777 not in numbers and 9000 not in numbers
    assert valid[0]["unit"] == "kg" and valid[1]["import_country"] == "DE"
    assert valid[-2]["currency"] is None and valid[-1]["currency"] == "USD"


def test_kept_columns_are_fewer_but_every_column_is_checked(tmp_path: Path) -> None:
    path = _large_parquet(tmp_path / "f.parquet")
    with pytest.raises(RowErrors) as raised:
        read_contract_files([path], columns=("shipment_id", "quantity"))
    assert [str(e) for e in raised.value.errors] == [
        f"{path}:7777: cas_number: check digit is 9, expected 8",
        f"{path}:9000: unit: required value is missing"]
    good = tmp_path / "good.parquet"
    pq.write_table(pq.read_table(path).slice(0, 7000), good)
    table = read_contract_files([good], columns=("shipment_id", "quantity"))
    assert table.schema.names == ["shipment_id", "quantity"]
    assert table.num_rows == 7000 and table.column("quantity").type == pa.float64()
