"""``precursorwatch ingest`` run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, RunCli

SAMPLE = ROOT / "examples" / "declarations.csv"
BAD = ROOT / "tests" / "fixtures" / "bad_shipments.csv"


def test_ingest_then_stats(run_cli: RunCli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = run_cli("ingest", str(SAMPLE), "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert "Read 12 rows from 1 file(s): 12 stored" in result.stderr
    stats = run_cli("ingest", "--stats", "--store", str(store))
    assert stats.returncode == 0
    assert "shipments (current versions)" in stats.stdout and "12" in stats.stdout


def test_bad_file_is_rejected_with_every_problem_listed(run_cli: RunCli, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = run_cli("ingest", str(BAD), "--store", str(store))
    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(BAD))]
    assert len(lines) == 15
    assert f"{BAD}:3: quantity: 'ten' is not a number" in lines
    assert "Traceback" not in result.stderr
    assert run_cli("ingest", "--stats", "--store", str(store)).stdout.count(" 0 ") >= 1


def test_quarantine_writes_the_side_file(run_cli: RunCli, tmp_path: Path) -> None:
    store, side = tmp_path / "store", tmp_path / "rejected.jsonl"
    result = run_cli("ingest", str(BAD), "--store", str(store), "--quarantine", str(side))
    assert result.returncode == 0, result.stderr
    assert "2 stored" in result.stderr and "4 quarantined" in result.stderr
    assert len(side.read_text(encoding="utf-8").splitlines()) == 4


def test_store_location_comes_from_the_environment(tmp_path: Path) -> None:
    store = tmp_path / "env-store"
    env = dict(os.environ, PRECURSORWATCH_STORE=str(store))
    result = subprocess.run([sys.executable, "-m", "precursorwatch", "ingest", str(SAMPLE)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (store / "catalog.duckdb").exists()


def test_ingest_needs_files_or_stats(run_cli: RunCli) -> None:
    result = run_cli("ingest")
    assert result.returncode == 2
    assert "give FILES to ingest, or --stats" in result.stderr
