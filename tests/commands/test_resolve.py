"""``precursorwatch resolve records``, run as a user runs it, on FEBRL files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from precursorwatch.records import write_table
from tests.febrl import Febrl


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "precursorwatch", "resolve", *args],
                          capture_output=True, text=True, cwd=cwd, check=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, febrl4: Febrl) -> Path:
    path = tmp_path_factory.mktemp("resolve")
    write_table(febrl4.tables[0], path / "a.csv")
    write_table(febrl4.tables[1], path / "b.parquet")
    return path


def test_links_two_files_and_explains_the_links(folder: Path, febrl4: Febrl) -> None:
    done = _run("records", "a.csv", "b.parquet", "--id", "rec_id", "--out", "out.csv",
                "--links", "links.jsonl", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "10,000 records are" in done.stderr and "soc_sec_id" in done.stderr
    out = pa_csv.read_csv(folder / "out.csv")
    assert out.column_names == ["id", "file", "cluster_id", "match_weight"]
    assert out.num_rows == 10_000
    assert set(out.column("file").to_pylist()) == {"a.csv", "b.parquet"}
    cluster = dict(zip(out.column("id").to_pylist(), out.column("cluster_id").to_pylist(),
                       strict=True))
    together = sum(cluster[a] == cluster[b] for a, b in febrl4.true_pairs)
    assert together >= 0.99 * len(febrl4.true_pairs)
    links = pa.json.read_json(folder / "links.jsonl")  # type: ignore[attr-defined]
    assert {"id_l", "id_r", "match_weight", "match_probability", "explanation"} <= set(
        links.column_names)


def test_bad_input_is_refused_with_its_place(folder: Path) -> None:
    done = _run("records", "a.csv", "--id", "nope", "--out", "x.csv", cwd=folder)
    assert done.returncode == 3
    assert "no column 'nope'" in done.stderr
    assert not (folder / "x.csv").exists()
    (folder / "bad.yaml").write_text("columns: [oops\n", encoding="utf-8")
    done = _run("records", "a.csv", "--id", "rec_id", "--out", "x.csv", "--settings",
                "bad.yaml", cwd=folder)
    assert done.returncode == 3 and "bad.yaml" in done.stderr and "not YAML" in done.stderr
    done = _run("records", "a.csv", "a.csv", "a.csv", "--id", "rec_id", "--out", "x.csv",
                cwd=folder)
    assert done.returncode == 2


def test_help_documents_the_options(folder: Path) -> None:
    done = _run("records", "--help", cwd=folder)
    for option in ("--id", "--out", "--links", "--settings", "--threshold",
                   "--memory-limit"):
        assert option in done.stdout
