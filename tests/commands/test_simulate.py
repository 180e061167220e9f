"""``precursorwatch simulate``, run as a user runs it: a real process writing real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from followthemoney import model

from precursorwatch.records import read_table
from precursorwatch.records.readers import read_contract
from precursorwatch.simulate import LABEL_COLUMNS, TYPOLOGIES
from precursorwatch.simulate.parties import PARTY_RECORD_COLUMNS, TRAPS
from tests.conftest import RunCli

FILES = ("history", "new", "labels", "parties", "rings")


def test_help_documents_the_options_and_an_example(run_cli: RunCli) -> None:
    result = run_cli("simulate", "trade", "--help")
    assert result.returncode == 0, result.stderr
    for text in ("--rows", "--seed", "--out", "--format", "100,000", "csv|jsonl|parquet",
                 "precursorwatch simulate --rows 20000"):
        assert text in result.stdout


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet"])
def test_writes_contract_files_labels_and_incidents(run_cli: RunCli, tmp_path: Path,
                                                    file_format: str) -> None:
    out = tmp_path / "sim"
    result = run_cli("simulate", "--rows", "2000", "--seed", "5", "--out", str(out),
                     "--format", file_format)
    assert result.returncode == 0, result.stderr
    for name in FILES:
        assert (out / f"{name}.{file_format}").is_file()
    # The contract readers accept every row of history and new.
    total = 0
    for name in ("history", "new"):
        for batch in read_contract(out / f"{name}.{file_format}"):
            assert not batch.errors, [str(e) for e in batch.errors[:5]]
            total += batch.rows.num_rows
    assert total == 2000
    labels = read_table(out / f"labels.{file_format}")
    assert labels.column_names == list(LABEL_COLUMNS) and labels.num_rows == 2000
    lines = (out / "incidents.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        model.get_proxy(json.loads(line))
    # What was written, and how many rows of each typology, is said on stderr.
    assert f"Wrote {out / 'history'}.{file_format}" in result.stderr
    for typology in TYPOLOGIES:
        assert typology in result.stderr


def test_same_seed_writes_the_same_bytes(run_cli: RunCli, tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run_cli("simulate", "-n", "1500", "-s", "9", "-o", str(tmp_path / name), "-q")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    for name in (*(f"{f}.csv" for f in FILES), "incidents.ftm.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_too_few_rows_and_unknown_formats_are_usage_errors(run_cli: RunCli,
                                                           tmp_path: Path) -> None:
    result = run_cli("simulate", "--rows", "10", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    result = run_cli("simulate", "--format", "xlsx", "--out", str(tmp_path / "y"))
    assert result.returncode == 2
    assert not (tmp_path / "y").exists()


def test_group_help_lists_trade_and_parties(run_cli: RunCli) -> None:
    result = run_cli("simulate", "--help")
    assert result.returncode == 0, result.stderr
    for text in ("trade", "parties", "precursorwatch simulate trade"):
        assert text in result.stdout


@pytest.mark.parametrize("file_format", ["csv", "jsonl", "parquet"])
def test_parties_writes_records_with_truth(run_cli: RunCli, tmp_path: Path,
                                           file_format: str) -> None:
    out = tmp_path / f"parties.{file_format}"
    result = run_cli("simulate", "parties", "--rows", "600", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    table = read_table(out)
    assert table.column_names == list(PARTY_RECORD_COLUMNS) and table.num_rows == 600
    assert f"Wrote {out}: 600 records of" in result.stderr
    for trap in TRAPS:
        assert trap in result.stderr


def test_parties_same_seed_same_bytes_and_bad_extension(run_cli: RunCli,
                                                        tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run_cli("simulate", "parties", "-n", "300", "-s", "9", "-o",
                         str(tmp_path / f"{name}.csv"), "-q")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    result = run_cli("simulate", "parties", "-o", str(tmp_path / "c.xlsx"))
    assert result.returncode == 2
    assert "unknown file type" in result.stderr and not (tmp_path / "c.xlsx").exists()
