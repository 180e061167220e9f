"""Output tables: the contract exactly, labels aligned, outcomes only where analysts were."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from precursorwatch.ids import cas, hs
from precursorwatch.records.schema import (
    CONTRACT_FIELDS,
    PAYMENT_METHODS,
    REQUIRED_FIELDS,
    TRANSPORT_MODES,
    UNITS,
    country_codes,
)
from precursorwatch.simulate import LABEL_COLUMNS, RING_COLUMNS, TYPOLOGIES, Simulation
from precursorwatch.simulate.documents import NEW_FROM, YEAR, to_date

Rows = list[dict[str, Any]]


def test_history_and_new_have_exactly_the_contract_columns(sim: Simulation) -> None:
    assert sim.history.column_names == list(CONTRACT_FIELDS)
    assert sim.new.column_names == list(CONTRACT_FIELDS)
    assert sim.labels.column_names == list(LABEL_COLUMNS)
    assert sim.rings.column_names == list(RING_COLUMNS)


def test_every_value_follows_the_contract(rows: Rows) -> None:
    countries = country_codes()
    for r in rows:
        for field in REQUIRED_FIELDS:
            assert r[field] not in (None, ""), field
        assert isinstance(r["declared_at"], dt.date) and r["declared_at"].year == YEAR
        assert r["export_country"] in countries and r["import_country"] in countries
        assert r["export_country"] != r["import_country"]
        if r["transit_countries"]:
            assert all(c in countries for c in r["transit_countries"].split(";"))
        assert hs.is_valid(r["hs_code"])
        assert not r["cas_number"] or cas.is_valid(r["cas_number"])
        assert r["quantity"] > 0 and r["unit"] in UNITS
        assert r["declared_value"] >= 0 and len(r["currency"]) == 3
        assert r["concentration_pct"] is None or 0 <= r["concentration_pct"] <= 100
        assert r["transport_mode"] in TRANSPORT_MODES
        assert r["payment_method"] in PAYMENT_METHODS
        assert r["outcome"] in ("", "diverted", "legitimate")


def test_labels_align_with_rows_and_split_by_date(rows: Rows, sim: Simulation) -> None:
    ids = sim.history.column("shipment_id").to_pylist() + sim.new.column("shipment_id").to_pylist()
    assert sim.labels.column("shipment_id").to_pylist() == ids
    keys = Counter(zip(sim.labels.column("source").to_pylist(), ids, strict=True))
    assert max(keys.values()) == 1
    cut = to_date(NEW_FROM)
    for r in rows:
        assert (r["split"] == "history") == (r["declared_at"] < cut)
        assert r["label"] in ("diverted", "legitimate")
        if r["label"] == "diverted":
            assert r["typology"] in TYPOLOGIES
        else:
            assert r["typology"] in ("", "hard_negative") and not r["ring_id"]
    dates = [r["declared_at"] for r in rows]
    assert dates == sorted(dates)
    assert {r["declared_at"].month for r in rows if r["split"] == "new"} == {11, 12}


def test_outcomes_only_in_history_and_only_on_part_of_it(rows: Rows) -> None:
    history = [r for r in rows if r["split"] == "history"]
    assert all(r["outcome"] == "" for r in rows if r["split"] == "new")
    reviewed = [r for r in history if r["outcome"]]
    assert 0.005 < len(reviewed) / len(history) < 0.3
    diverted = [r for r in history if r["label"] == "diverted"]
    caught = sum(r["outcome"] == "diverted" for r in diverted)
    assert 0.4 < caught / len(diverted) < 0.95
    assert all(r["label"] == "diverted" for r in history if r["outcome"] == "diverted")


def test_shipment_ids_name_the_document(rows: Rows) -> None:
    for r in rows:
        prefix, year, number = r["shipment_id"].split("-")
        assert year == str(YEAR) and len(number) == 7
        assert prefix in {"IN-CBIC": {"SB", "BE"}, "IN-NCB": {"NOC"},
                          "US-CBP": {"EEI", "ENT"}, "US-DEA": {"DEA486"}}[r["source"]]


def test_parties_in_labels_and_rings(rows: Rows, sim: Simulation) -> None:
    members = {m["member_id"]: m["ring_id"] for m in sim.rings.to_pylist()}
    for r in rows:
        assert r["exporter_party"].startswith("F") and r["importer_party"].startswith("F")
        assert bool(r["consignee_party"]) == bool(r["consignee_name"])
        if r["ring_id"] and r["typology"] == "renamed_offender":
            assert members[r["importer_party"]] == r["ring_id"]
    rings = {m["ring_id"] for m in sim.rings.to_pylist()}
    assert rings == {r["ring_id"] for r in rows if r["ring_id"]}
