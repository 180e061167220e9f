"""The ``substances`` commands, run as a user runs them: a real process, real files."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from precursorwatch.registry import REGISTRY_COLUMNS
from tests.conftest import ROOT, RunCli

SAMPLE = ROOT / "examples" / "declarations.csv"


@pytest.mark.parametrize("args", [[], ["substances"], ["substances", "list"],
                                  ["substances", "search"], ["substances", "show"],
                                  ["substances", "identify"], ["substances", "check"]])
def test_every_command_has_help(run_cli: RunCli, args: list[str]) -> None:
    result = run_cli(*args, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: precursorwatch" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_list_writes_the_registry_with_required_columns(run_cli: RunCli, tmp_path: Path,
                                                        suffix: str) -> None:
    out = tmp_path / f"registry{suffix}"
    result = run_cli("substances", "list", "--out", str(out))
    assert result.returncode == 0, result.stderr
    from precursorwatch.records import read_table

    table = read_table(out)
    assert table.column_names == list(REGISTRY_COLUMNS)
    rows = {row["cas"]: row for row in table.to_pylist()}
    assert rows["90-82-4"]["name"] == "pseudoephedrine"
    assert rows["90-82-4"]["un_table"] == "I" and rows["90-82-4"]["us_list"] == "I"
    assert "21 CFR 1310" in rows["90-82-4"]["sources"]
    assert all(row["sources"] for row in rows.values())


def test_identify_file_adds_substances_and_evidence(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "identified.parquet"
    result = run_cli("substances", "identify", str(SAMPLE), "--out", str(out))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    rows = {row["shipment_id"]: row for row in table.to_pylist()}
    assert table.num_rows == 12
    assert rows["SB-2026-000101"]["substances"] == "pseudoephedrine"
    assert rows["SB-2026-000106"]["substances"] == ""  # ephedra herb extract
    assert rows["SB-2026-000108"]["substances"] == "ephedrine"  # CAS under a vague name
    assert "conflict" not in rows["SB-2026-000101"]["evidence"]
    assert "does not name ephedrine" in rows["SB-2026-000108"]["evidence"]
    assert rows["SB-2026-000109"]["substances"] == "phenylacetic acid"  # Devanagari


def test_identify_text_prints_evidence(run_cli: RunCli) -> None:
    result = run_cli("substances", "identify", "--text", "Ephedrin HCl", "--cas", "50-98-7")
    assert result.returncode == 0, result.stderr
    assert "ephedrine" in result.stdout
    assert "fails its check digit" in result.stdout


def test_check_file_writes_the_verdicts(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "checked.csv"
    result = run_cli("substances", "check", str(SAMPLE), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = {r["shipment_id"]: r for r in pa_csv.read_csv(out).to_pylist()}
    assert rows["SB-2026-000101"]["regulated"] is True
    assert rows["SB-2026-000101"]["pen_expected"] is True
    assert rows["SB-2026-000111"]["regulated"] is False
    assert "RCS Order" in rows["SB-2026-000105"]["rules"]


def test_unknown_output_extension_is_a_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("substances", "list", "--out", str(tmp_path / "registry.xlsx"))
    assert result.returncode == 2
    assert ".csv, .jsonl, .ndjson, .parquet" in result.stderr
    assert not (tmp_path / "registry.xlsx").exists()


def test_missing_column_rejects_the_input(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("shipment_id,description\nA1,acetone\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run_cli("substances", "identify", str(bad), "--out", str(out))
    assert result.returncode == 3
    assert "bad.csv: product_description: required column is missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_bad_quantities_are_listed_row_by_row(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "rows.csv"
    bad.write_text("product_description,quantity,unit,export_country,import_country\n"
                   "acetone,ten,kg,US,IN\nacetone,5,kg,US,IN\ntoluene,-3,kg,US,IN\n",
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run_cli("substances", "check", str(bad), "--out", str(out))
    assert result.returncode == 3
    assert "rows.csv:1: quantity: 'ten' is not a number" in result.stderr
    assert "rows.csv:3: quantity: '-3' is negative" in result.stderr
    assert not out.exists()


def test_show_unknown_substance_suggests_search(run_cli: RunCli) -> None:
    result = run_cli("substances", "show", "50-00-0")
    assert result.returncode == 2
    assert "substances search" in result.stderr
