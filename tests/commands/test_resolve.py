"""``precursorwatch resolve records``, run as a user runs it, on FEBRL files."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from precursorwatch.records import write_table
from precursorwatch.records.ftm import read_entities
from tests.febrl import Febrl


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``precursorwatch resolve ARGS`` in ``cwd``."""
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
    for option in ("--id", "--out", "--links", "--settings", "--threshold", "--engine",
                   "--memory-limit", "--model", "--previous", "--judgements"):
        assert option in done.stdout


def _truth(sim: Path) -> dict[tuple[str, ...], str]:
    """Which party each written (name, address, number, country) and FtM entity is, from
    the simulator's labels and incident parties."""
    labels = {r["shipment_id"]: r for r in _csv(sim / "labels.csv")}
    truth: dict[tuple[str, ...], str] = {}
    for name in ("history.csv", "new.csv"):
        for row in _csv(sim / name):
            label = labels[row["shipment_id"]]
            for role, address, number, country in (
                    ("exporter", "exporter_address", "exporter_id", "export_country"),
                    ("importer", "importer_address", "importer_id", "import_country"),
                    ("consignee", None, None, "import_country")):
                if row[f"{role}_name"]:
                    key = (row[f"{role}_name"], row[address] if address else "",
                           row[number] if number else "", row[country])
                    truth[key] = label[f"{role}_party"]
    for row in _csv(sim / "parties.csv"):
        truth[(row["entity_id"],)] = row["party_id"]
    return truth


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_resolves_the_stored_parties_and_exports_ftm(tmp_path: Path) -> None:
    for args in (("simulate", "--rows", "3000", "--seed", "11", "--out", "sim", "-q"),
                 ("ingest", "sim/history.csv", "sim/new.csv", "--store", "store", "-q")):
        done = subprocess.run([sys.executable, "-m", "precursorwatch", *args], cwd=tmp_path,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    done = _run("--store", "store", "--ftm", "sim/incidents.ftm.jsonl", "--out",
                "entities.jsonl", "--members", "members.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entities = read_entities(tmp_path / "entities.jsonl")
    members = _csv(tmp_path / "members.csv")
    assert {m["entity_id"] for m in members} == {e.id for e in entities}
    assert all(e.first("name") for e in entities)
    truth = _truth(tmp_path / "sim")
    party = {}
    for m in members:
        key = ((m["record_id"],) if m["source"] != "shipments" else
               (m["party_name"], m["address"], m["registration_number"], m["country"]))
        party[m["record_id"]] = truth[key]
    same_entity = {(a["record_id"], b["record_id"]) for a in members for b in members
                   if a["record_id"] < b["record_id"] and a["entity_id"] == b["entity_id"]}
    same_party = {(a, b) for a in party for b in party if a < b and party[a] == party[b]}
    precision = len(same_entity & same_party) / len(same_entity)
    recall = len(same_entity & same_party) / len(same_party)
    assert precision >= 0.9 and recall >= 0.8, (precision, recall)
    # The incident exports' parties join the entities of their trade.
    joined = {m["entity_id"] for m in members if m["source"] != "shipments"} & {
        m["entity_id"] for m in members if m["source"] == "shipments"}
    assert joined


def test_resolves_only_what_is_new_with_a_saved_model(tmp_path: Path, febrl3: Febrl) -> None:
    write_table(febrl3.tables[0].slice(0, 4000), tmp_path / "part.csv")
    write_table(febrl3.tables[0], tmp_path / "all.csv")
    first = _run("records", "part.csv", "--id", "rec_id", "--out", "first.csv",
                 "--save-model", "model.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = _run("records", "all.csv", "--id", "rec_id", "--out", "again.csv", "--model",
                 "model.json", "--previous", "first.csv", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    compared = re.search(r"among ([\d,]+) pairs compared", again.stderr)
    assert compared and int(compared.group(1).replace(",", "")) < 4000
    before = {r["id"]: r["cluster_id"] for r in _csv(tmp_path / "first.csv")}
    after = {r["id"]: r["cluster_id"] for r in _csv(tmp_path / "again.csv")}
    assert len(after) == 5000
    assert sum(after[i] == c for i, c in before.items()) > 0.99 * len(before)
    alone = _run("records", "all.csv", "--id", "rec_id", "--out", "x.csv", "--previous",
                 "first.csv", cwd=tmp_path)
    assert alone.returncode == 2 and "--previous needs --model" in alone.stderr
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    bad = _run("records", "all.csv", "--id", "rec_id", "--out", "x.csv", "--model",
               "bad.json", cwd=tmp_path)
    assert bad.returncode == 3 and "bad.json" in bad.stderr
    assert not (tmp_path / "x.csv").exists()


def test_judgements_come_from_a_file_and_their_errors_name_it(folder: Path) -> None:
    (folder / "judged.csv").write_text("id_l,id_r,same\nrec-1070-org,nobody,no\n",
                                       encoding="utf-8")
    done = _run("records", "a.csv", "b.parquet", "--id", "rec_id", "--out", "j.csv",
                "--judgements", "judged.csv", cwd=folder)
    assert done.returncode == 3
    assert "judged.csv:1: id_r: no record has the id 'nobody'" in done.stderr
    assert not (folder / "j.csv").exists()
