"""The analytics store: all-or-nothing, idempotent ingest with versions, and its statistics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from precursorwatch.exceptions import RowErrors
from precursorwatch.records import write_table
from precursorwatch.records.analytics import AnalyticsStore
from precursorwatch.records.quarantine import Quarantine
from tests.records.contract_rows import row, rows


def contract_file(path: Path, records: list[dict[str, str]]) -> Path:
    write_table(pa.Table.from_pylist(records), path)
    return path


def current(store: AnalyticsStore) -> dict[str, dict[str, object]]:
    with store.connect() as con:
        table = con.sql("SELECT * FROM shipments").to_arrow_table()
    return {r["shipment_id"]: r for r in table.to_pylist()}


def test_ingest_stores_rows_and_reports_counts(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    report = store.ingest([contract_file(tmp_path / "a.parquet", rows(3))])
    assert (report.rows_read, report.rows_added, report.rows_unchanged) == (3, 3, 0)
    assert set(current(store)) == {"S1", "S2", "S3"}
    stats = store.stats()
    assert stats.shipments == 3 and stats.versions == 3 and stats.by_source == (("IN-CBIC", 3),)


def test_same_rows_twice_are_stored_once(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    path = contract_file(tmp_path / "a.csv", rows(3))
    store.ingest([path])
    again = store.ingest([path])
    assert (again.rows_added, again.rows_unchanged) == (0, 3)
    assert store.stats().versions == 3


def test_changed_row_becomes_current_and_keeps_the_old_version(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    store.ingest([contract_file(tmp_path / "a.csv", rows(2))])
    changed = rows(2)
    changed[1]["quantity"] = "900"
    report = store.ingest([contract_file(tmp_path / "b.csv", changed)])
    assert report.rows_added == 1
    assert current(store)["S2"]["quantity"] == 900.0
    with store.connect() as con:
        versions = con.execute("SELECT quantity FROM shipment_versions WHERE shipment_id = 'S2' "
                               "ORDER BY _batch").fetchall()
    assert versions == [(500.0,), (900.0,)]


def test_same_id_from_another_source_is_another_shipment(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    store.ingest([contract_file(tmp_path / "a.csv", [row(), row(source="US-CBP")])])
    assert store.stats().shipments == 2


def test_a_bad_row_rejects_everything(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    store.ingest([contract_file(tmp_path / "a.csv", rows(2))])
    before = store.stats()
    good = contract_file(tmp_path / "good.csv", rows(5, source="US-CBP"))
    bad = contract_file(tmp_path / "bad.csv", [row(shipment_id="Z1"), row(shipment_id="Z2",
                                                                          unit="kgs")])
    with pytest.raises(RowErrors) as caught:
        store.ingest([good, bad])
    assert [str(e) for e in caught.value.errors] == [
        f"{bad}:2: unit: 'kgs' is not one of L, g, kg, mL, t, units"]
    assert store.stats() == before
    assert [p.name for p in (tmp_path / "store" / "batches").iterdir()] == ["000001.parquet"]


def test_quarantine_imports_the_rest_and_keeps_bad_rows_with_reasons(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    side = Quarantine(tmp_path / "rejected.csv")
    path = contract_file(tmp_path / "a.csv", [row(shipment_id="A"), row(shipment_id="B",
                                                                       quantity="-1")])
    report = store.ingest([path], quarantine=side)
    side.write()
    assert (report.rows_added, report.rows_quarantined) == (1, 1)
    assert set(current(store)) == {"A"}
    rejected = (tmp_path / "rejected.csv").read_text(encoding="utf-8").splitlines()
    assert rejected[0].startswith('"file","row","problems","shipment_id"')
    assert '2,"quantity: -1 must be greater than 0","B"' in rejected[1]


def test_the_store_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(Exception, match="must be a folder"):
        AnalyticsStore(tmp_path / "file")


def _big_csv(path: Path, count: int) -> Path:
    template = row()
    table = pa.table({k: pa.array([v] * count) for k, v in template.items()})
    table = table.set_column(0, "shipment_id", pa.array([f"K{i}" for i in range(count)]))
    write_table(table, path)
    return path


@pytest.mark.parametrize("moment", ["started", "half written"])
def test_killed_ingest_leaves_the_store_as_it_was(tmp_path: Path, moment: str) -> None:
    store_path = tmp_path / "store"
    store = AnalyticsStore(store_path)
    store.ingest([contract_file(tmp_path / "first.csv", rows(4))])
    before = store.stats()
    big = _big_csv(tmp_path / "big.csv", 400_000)
    process = subprocess.Popen(
        [sys.executable, "-m", "precursorwatch", "ingest", str(big), "--store", str(store_path),
         "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    seen = False
    while time.monotonic() < deadline and process.poll() is None:
        parts = list((store_path / "batches").glob(".*.part"))
        if moment == "started":
            seen = bool(parts)
        else:
            seen = any(p.exists() and p.stat().st_size > 2_000_000 for p in parts)
        if seen:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait()
    if not seen:
        pytest.skip(f"the ingest finished before reaching the {moment} step")
    assert process.returncode == -signal.SIGKILL
    assert store.stats().shipments == before.shipments
    assert store.stats().versions == before.versions
    # The next ingest sweeps what the killed one left and works.
    store.ingest([contract_file(tmp_path / "next.csv", rows(2, source="US-CBP"))])
    assert store.stats().shipments == before.shipments + 2
    assert [p.name for p in (store_path / "batches").iterdir() if p.name.startswith(".")] == []


def test_a_file_that_repeats_a_shipment_ingests_the_same_way_every_time(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    path = contract_file(tmp_path / "dup.csv", [row(quantity="100"), row(quantity="200")])
    added = [store.ingest([path]).rows_added for _ in range(3)]
    assert added == [2, 0, 0]
    assert current(store)["S1"]["quantity"] == 200.0


def test_the_later_file_holds_the_newer_version(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    older = contract_file(tmp_path / "a.csv", [row(shipment_id="X", quantity="1"), *rows(3)])
    newer = contract_file(tmp_path / "b.csv", [row(shipment_id="X", quantity="2")])
    store.ingest([older, newer])
    assert current(store)["X"]["quantity"] == 2.0


def test_nothing_is_stored_when_the_quarantine_cannot_be_written(tmp_path: Path) -> None:
    store = AnalyticsStore(tmp_path / "store")
    path = contract_file(tmp_path / "a.csv", [row(shipment_id="A"), row(shipment_id="B",
                                                                       unit="kgs")])
    side = Quarantine(tmp_path / "rejected.csv")
    (tmp_path / "rejected.csv").mkdir()  # the target is now a folder: writing it fails

    with pytest.raises(OSError):
        store.ingest([path], quarantine=side, before_commit=side.write)
    assert store.stats().shipments == 0
