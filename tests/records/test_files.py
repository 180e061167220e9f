from pathlib import Path

import pyarrow as pa
import pytest

from precursorwatch.exceptions import InputError, UsageError
from precursorwatch.records import read_table, write_table

ROWS = {
    "shipment_id": ["A1", "A2"],
    "hs_code": ["0902.10", "29394100"],
    "product_description": ["Green tea, \"first flush\"", "एफेड्रिन, 25 किग्रा"],
    "cas_number": ["", "299-42-3"],
}


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_round_trip_keeps_text_exactly(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rows{suffix}"
    write_table(pa.table(ROWS), path)
    back = read_table(path)
    assert back.column_names == list(ROWS)
    for name, values in ROWS.items():
        got = [v or "" for v in back.column(name).to_pylist()]
        assert got == values, name


def test_numbers_in_json_lines_are_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"hs_code": 29394100, "quantity": 2.5}\n', encoding="utf-8")
    table = read_table(path)
    assert table.column("hs_code").to_pylist() == ["29394100"]
    assert table.column("quantity").to_pylist() == ["2.5"]


def test_unknown_extension_is_a_usage_error_listing_the_allowed(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.csv, \.jsonl, \.ndjson, \.parquet"):
        write_table(pa.table(ROWS), tmp_path / "rows.xlsx")


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: no such file"):
        read_table(tmp_path / "nope.csv")


def test_malformed_csv_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2,3\n")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert str(caught.value).startswith(f"{path}:")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_failed_write_keeps_previous_file_and_leaves_no_partial(tmp_path: Path,
                                                                 suffix: str) -> None:
    target = tmp_path / f"out{suffix}"
    write_table(pa.table({"x": ["1"]}), target)
    before = target.read_bytes()
    with pytest.raises((TypeError, AttributeError)):
        write_table("not a table", target)  # type: ignore[arg-type]
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_written_files_get_the_users_usual_permissions(tmp_path: Path) -> None:
    import os

    target = tmp_path / "out.csv"
    write_table(pa.table({"x": ["1"]}), target)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
