"""Legitimate trade: repeat customers, seasons, lanes and consistent prices."""

from __future__ import annotations

from collections import Counter, defaultdict
from statistics import median
from typing import Any

from precursorwatch.simulate import documents
from precursorwatch.simulate.trade import build_lines
from tests.simulate.conftest import make_scene


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if not r["typology"]]


def test_customers_order_again_and_again(rows: list[dict[str, Any]]) -> None:
    pairs = Counter((r["exporter_party"], r["importer_party"], r["substance"],
                     r["product_description"].split()[0]) for r in _plain(rows))
    repeat_rows = sum(n for n in pairs.values() if n >= 3)
    assert repeat_rows > 0.6 * sum(pairs.values())
    assert max(pairs.values()) >= 20


def test_the_lanes_are_india_us_and_both_to_third_countries(rows: list[dict[str, Any]]) -> None:
    lanes = Counter(
        (r["export_country"], r["import_country"] if r["import_country"] in ("IN", "US")
         else "XX") for r in _plain(rows))
    for lane in (("IN", "US"), ("US", "IN"), ("IN", "XX"), ("US", "XX")):
        assert lanes[lane] > 0.04 * sum(lanes.values()), lane
    assert set(lanes) <= {("IN", "US"), ("US", "IN"), ("IN", "XX"), ("US", "XX")}


def test_cold_remedies_peak_before_winter(rows: list[dict[str, Any]]) -> None:
    cold = [r for r in _plain(rows)
            if r["substance"] in ("pseudoephedrine", "ephedrine", "codeine")]
    months = Counter(r["declared_at"].month for r in cold)
    assert months[8] + months[9] > 1.4 * (months[2] + months[3])


def test_a_line_keeps_its_price_and_size(rows: list[dict[str, Any]]) -> None:
    by_line: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in _plain(rows):
        if r["currency"] == "USD":
            key = (r["exporter_party"], r["importer_party"], r["unit"], r["hs_code"][:4],
                   r["product_description"].split()[0])
            by_line[key].append(r)
    checked = 0
    for line in by_line.values():
        if len(line) < 8:
            continue
        unit_prices = [r["declared_value"] / r["quantity"] for r in line]
        quantities = [r["quantity"] for r in line]
        assert max(unit_prices) < 2 * median(unit_prices)
        assert max(quantities) < 6 * median(quantities)
        checked += 1
    assert checked >= 5


def test_lines_have_new_customers_and_heavy_tailed_frequency() -> None:
    scene = make_scene()
    lines = build_lines(scene.population, scene.catalogue, 2000, scene.r)
    assert 0.05 < (lines.start > 0).mean() < 0.3
    weights = sorted(lines.weight, reverse=True)
    assert sum(weights[:200]) > 0.3 * sum(weights)
    assert (lines.consignee >= 0).any()
    assert lines.start.max() < documents.DAYS
