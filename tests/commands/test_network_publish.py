"""`network publish` sends what `resolve` and `network build` wrote to a real exchange
server: the entities with their names, their shipments from the typed graph and their
ties from the entity graph."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import igraph as ig

from tests.api.live import live_server
from tests.conftest import RunCli
from tests.exchange_fixtures import seed_world


def _files(folder: Path) -> tuple[Path, Path, Path]:
    ftm = folder / "entities.ftm.jsonl"
    ftm.write_text("".join(json.dumps(line) + "\n" for line in [
        {"id": "pw-entity-a", "schema": "Company",
         "properties": {"name": ["Vaibhav Solvents Private Limited"],
                        "alias": ["VAIBHAV SOLVENTS PVT. LTD."],
                        "registrationNumber": ["05EZBCV9160R1Z5"], "country": ["in"]}},
        {"id": "pw-entity-b", "schema": "Company",
         "properties": {"name": ["Lancaster Chemical Inc."], "country": ["us"]}},
    ]), encoding="utf-8")
    typed = ig.Graph()
    typed.add_vertices(["pw-entity-a", "pw-entity-b", "shipment:IN-CBIC:SB-1",
                        "address:haridwar"])
    typed.vs["kind"] = ["entity", "entity", "shipment", "address"]
    typed.add_edges([(0, 2), (2, 1), (0, 3)])
    typed.es["kind"] = ["exporter", "importer", "address"]
    graph = ig.Graph()
    graph.add_vertices(["pw-entity-a", "pw-entity-b"])
    graph.add_edges([(0, 1)])
    graph.es["weight"], graph.es["kinds"], graph.es["shared"] = [4.5], ["trade"], [3.0]
    typed_file, graph_file = folder / "typed.graphml", folder / "entities.graphml"
    typed.write_graphml(str(typed_file))
    graph.write_graphml(str(graph_file))
    return ftm, graph_file, typed_file


def test_publish_sends_entities_shipments_and_ties(run_cli: RunCli, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'exchange.db'}"
    world = seed_world(db)
    ftm, graph, typed = _files(tmp_path)
    with live_server(db) as base:
        done = run_cli("network", "publish", "--url", base, "--entities", str(ftm),
                       "--graph", str(graph), "--typed", str(typed), "--marking",
                       "TLP:GREEN", "--token", world.tokens["ncb_analyst"])
        assert done.returncode == 0, done.stderr
        assert "Published 2 entities and 1 ties" in done.stderr
        listed = httpx.get(f"{base}/entities", headers=world.auth("cbn_analyst")).json()
        by_name = {item["name"]: item for item in listed}
        assert set(by_name) == {"Vaibhav Solvents Private Limited", "Lancaster Chemical Inc."}
        one = httpx.get(f"{base}/entities/{by_name['Vaibhav Solvents Private Limited']['id']}",
                        headers=world.auth("cbn_analyst")).json()
        assert one["marking"] == "TLP:GREEN" and one["owner_agency"] == "NCB"
        assert one["properties"]["alias"] == ["VAIBHAV SOLVENTS PVT. LTD."]
        assert one["shipments"] == [{"shipment_id": "SB-1", "source": "IN-CBIC",
                                     "role": "exporter"}]
        assert [(t["name"], t["weight"], t["kinds"], t["shared"]) for t in one["ties"]] == [
            ("Lancaster Chemical Inc.", 4.5, "trade", 3)]
        # Not released: the other nation sees none of it.
        assert httpx.get(f"{base}/entities", headers=world.auth("dea_super")).json() == []
        # Without a token the command says how to give one (usage error).
        refused = run_cli("network", "publish", "--url", base, "--entities", str(ftm))
        assert refused.returncode == 2 and "--token" in refused.stderr
