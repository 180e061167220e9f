"""Each diversion typology is planted, labelled, and shows the signal it is named for."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

import pytest

from precursorwatch.ids import cas, hs
from precursorwatch.registry import Identifier, Registry
from precursorwatch.simulate import Simulation
from precursorwatch.simulate.typologies import SHARES, TYPOLOGIES

Rows = list[dict[str, Any]]


def _of(rows: Rows, typology: str) -> Rows:
    return [r for r in rows if r["typology"] == typology]


@pytest.mark.parametrize("typology", sorted(TYPOLOGIES))
def test_every_typology_is_planted_in_history_and_new(rows: Rows, typology: str) -> None:
    planted = _of(rows, typology)
    assert {r["split"] for r in planted} == {"history", "new"}
    assert all(r["label"] == "diverted" for r in planted)


def test_diverted_rows_are_one_to_three_percent(sim: Simulation) -> None:
    labels = sim.labels.column("label").to_pylist()
    share = labels.count("diverted") / len(labels)
    assert 0.01 <= share <= 0.03
    assert set(SHARES) == set(TYPOLOGIES) and abs(sum(SHARES.values()) - 1) < 1e-9


def test_planted_controlled_goods_are_recognised(rows: Rows, identifier: Identifier) -> None:
    """Identification finds the true substance in every planted controlled row that names
    it, and in every misdeclared row that still carries its CAS number."""
    for row in rows:
        if row["label"] != "diverted" or not row["substance"]:
            continue
        if row["typology"] == "misdeclared" and not row["cas_number"]:
            continue
        found = identifier.identify(row["product_description"], row["cas_number"] or None,
                                    row["hs_code"])
        assert row["substance"] in found.names, row["product_description"]


def test_front_companies_have_no_trade_history(rows: Rows) -> None:
    fronts = {r["importer_party"] for r in _of(rows, "front_company")}
    ordinary = {r["importer_party"] for r in rows if not r["typology"]}
    assert fronts and not fronts & ordinary


def test_above_history_orders_dwarf_the_customers_usual_ones(rows: Rows) -> None:
    usual: dict[tuple[str, str, str, str], list[float]] = defaultdict(list)
    for r in rows:
        if not r["typology"]:
            usual[(r["exporter_party"], r["importer_party"], r["substance"], r["unit"])].append(
                r["quantity"])
    compared = 0
    for r in _of(rows, "above_history"):
        history = usual.get((r["exporter_party"], r["importer_party"], r["substance"], r["unit"]))
        if history and len(history) >= 3:
            assert r["quantity"] >= 4 * median(history)
            compared += 1
    assert compared >= 1


def test_above_need_goes_to_countries_with_little_legitimate_need(rows: Rows) -> None:
    planted = _of(rows, "above_need")
    assert {r["import_country"] for r in planted} <= {"GT", "HN", "TG", "GH", "NP", "PA"}
    assert all(r["export_country"] == "IN" for r in planted)


def test_split_orders_stay_under_the_us_threshold_and_add_up_above_it(
        rows: Rows, registry: Registry) -> None:
    groups: dict[tuple[str, str, str, int], Rows] = defaultdict(list)
    for r in _of(rows, "split_orders"):
        groups[(r["exporter_party"], r["importer_party"], r["substance"],
                r["declared_at"].month)].append(r)
    above = 0
    for (_, _, substance, _), orders in groups.items():
        found = registry.by_name(substance)
        assert found is not None and found.us_threshold is not None
        limit = found.us_threshold.amount
        factor = {("g", "kg"): 0.001, ("kg", "g"): 1000.0}.get(
            (orders[0]["unit"], found.us_threshold.unit), 1.0)
        amounts = [o["quantity"] * factor for o in orders]
        assert all(a < limit for a in amounts)
        assert all(o["import_country"] == "US" for o in orders)
        above += sum(amounts) > limit
    assert above >= 1


def test_transshipment_detours_through_several_hubs(rows: Rows) -> None:
    for r in _of(rows, "transshipment"):
        hubs = r["transit_countries"].split(";")
        assert len(hubs) >= 2
        assert r["import_country"] not in hubs and r["export_country"] not in hubs


def test_misdeclared_goods_carry_another_products_hs_code(rows: Rows,
                                                          registry: Registry) -> None:
    planted = _of(rows, "misdeclared")
    for r in planted:
        substance = registry.by_name(r["substance"])
        assert substance is not None
        assert hs.subheading(r["hs_code"]) != substance.hs_code
    assert any(r["cas_number"] for r in planted)


def test_designer_precursors_are_declared_but_not_controlled(rows: Rows,
                                                             identifier: Identifier) -> None:
    for r in _of(rows, "designer_precursor"):
        assert r["substance"] == ""
        assert not r["cas_number"] or cas.is_valid(r["cas_number"])
        found = identifier.identify(r["product_description"], r["cas_number"] or None,
                                    r["hs_code"])
        assert found.names == ()


def test_irregular_payment_and_forwarders(rows: Rows) -> None:
    assert {r["payment_method"] for r in _of(rows, "irregular_payment")} <= {
        "cash", "third_party", "crypto"}
    for r in _of(rows, "forwarder_consignee"):
        assert r["consignee_name"] and r["consignee_party"] != r["importer_party"]


def test_renamed_offenders_follow_a_caught_predecessor(rows: Rows, sim: Simulation) -> None:
    successors = {m["member_id"]: m["role"].removeprefix("successor of ")
                  for m in sim.rings.to_pylist() if m["role"].startswith("successor of")}
    planted = _of(rows, "renamed_offender")
    assert planted
    for r in planted:
        assert r["importer_party"] in successors
        burned = successors[r["importer_party"]]
        caught = [o for o in rows if o["importer_party"] == burned
                  and o["outcome"] == "diverted"]
        assert caught and min(o["declared_at"] for o in caught) < r["declared_at"]
