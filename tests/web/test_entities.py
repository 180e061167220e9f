"""Entity pages and the entity store: names, shipments, incidents and the network around a
resolved entity, shown only as far as the sharing rules allow, and released only by a
supervisor of the owner's nation.

The ring (tests/web/conftest.py) has DEA's AMBER entities Acme, Bharat and a shell company,
DEA's RED Secret Front tied to Acme, and NCB's RED Hidden Traders in shipment US-1.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from precursorwatch.exchange.audit import AuditEntry
from precursorwatch.store import audit
from precursorwatch.store.session import Store
from tests.exchange_fixtures import World
from tests.web.conftest import (
    alert,
    csrf_of,
    entity,
    sign_in,
    tie,
    upload,
    upload_entities,
)


def _graph(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html,
                      re.S)
    assert found, "the page has no graph data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _trail(world: World) -> list[AuditEntry]:
    store = Store(world.url, pool_size=1)
    try:
        with store.read() as session:
            return list(audit.entries(session))
    finally:
        store.dispose()


def _names(graph: dict[str, Any]) -> set[str]:
    return {node["title"] for node in graph["nodes"]}


def test_entity_page_shows_its_names_ids_shipments_incidents_and_network(
        site: TestClient, world: World, ring: dict[str, int],
        seeded: dict[str, Any]) -> None:
    sign_in(site, world, "dea_analyst")
    page = site.get(f"/web/entities/{ring['pw-entity-acme']}")
    assert page.status_code == 200, page.text
    html = page.text
    identity = html.split('id="identity"')[1].split("</dl>")[0]
    for name in ("Acme Chemicals Ltd", "Acme Chemicals", "ACME CHEM", "12-3456789"):
        assert name in identity
    assert "3 shipments." in html
    assert f'href="/web/alerts/{seeded["dea_amber"][0]}"' in html  # US-1's alert
    incidents = html.split('id="entity-incidents"')[1].split("</ul>")[0]
    assert f"Incident #{ring['Port of Houston']}<" in incidents
    assert f"Incident #{ring['Nhava Sheva']}<" not in incidents  # NCB's RED one
    graph = _graph(html)
    assert _names(graph) == {"Acme Chemicals Ltd", "Bharat Pharma", "Shell Trading FZE",
                             "Secret Front Ltd"}
    assert len(graph["edges"]) == 3
    assert '<script src="/web/vendor/vis-network.min.js"' in html
    library = site.get("/web/vendor/vis-network.min.js")
    assert library.status_code == 200 and "vis-network" in library.text[:2000]


@pytest.mark.parametrize(("user", "shown", "count"), [
    ("dea_analyst", {"Acme Chemicals Ltd", "Bharat Pharma", "Shell Trading FZE",
                     "Secret Front Ltd"}, 4),
    # Another agency of the nation, and a viewer of the owner agency: no RED.
    ("cbp_analyst", {"Acme Chemicals Ltd", "Bharat Pharma", "Shell Trading FZE"}, 3),
    ("dea_viewer", {"Acme Chemicals Ltd", "Bharat Pharma", "Shell Trading FZE"}, 3),
    # The other nation: only its own agency's RED entity, none of the US ones.
    ("ncb_analyst", {"Hidden Traders"}, 1),
    ("cbn_analyst", set(), 0),
])
def test_entity_list_shows_and_counts_only_visible_entities(
        site: TestClient, world: World, ring: dict[str, int], user: str, shown: set[str],
        count: int) -> None:
    everyone = {"Acme Chemicals Ltd", "Bharat Pharma", "Shell Trading FZE",
                "Secret Front Ltd", "Hidden Traders"}
    sign_in(site, world, user)
    html = site.get("/web/entities").text
    for name in shown:
        assert f">{name}</a>" in html
    for name in everyone - shown:
        assert name not in html
    assert f"{count} entit{'y matches' if count == 1 else 'ies match'}" in html
    api = site.get("/entities", headers=world.auth(user)).json()
    assert {item["name"] for item in api} == shown


def test_network_and_pages_leave_out_what_the_user_may_not_see(
        site: TestClient, world: World, ring: dict[str, int]) -> None:
    acme = ring["pw-entity-acme"]
    sign_in(site, world, "cbp_analyst")
    html = site.get(f"/web/entities/{acme}").text
    assert "Secret Front" not in html
    assert _names(_graph(html)) == {"Acme Chemicals Ltd", "Bharat Pharma",
                                    "Shell Trading FZE"}
    assert site.get(f"/web/entities/{ring['pw-entity-secret']}").status_code == 404
    for user in ("ncb_super", "cbn_analyst"):
        sign_in(site, world, user)
        answer = site.get(f"/web/entities/{acme}")
        assert answer.status_code == 404 and "Acme" not in answer.text
        assert site.get(f"/entities/{acme}", headers=world.auth(user)).status_code == 404
    sign_in(site, world, "dea_super")
    assert site.get(f"/web/entities/{ring['pw-entity-hidden']}").status_code == 404


def test_consignment_page_links_its_entities_and_incidents(
        site: TestClient, world: World, ring: dict[str, int],
        seeded: dict[str, Any]) -> None:
    us1 = seeded["dea_amber"][0]
    sign_in(site, world, "dea_analyst")
    html = site.get(f"/web/alerts/{us1}").text
    parties = html.split('id="linked-entities"')[1].split("</ul>")[0]
    assert f'href="/web/entities/{ring["pw-entity-acme"]}">Acme Chemicals Ltd<' in parties
    assert f'href="/web/entities/{ring["pw-entity-bharat"]}">Bharat Pharma<' in parties
    assert "Hidden Traders" not in html  # NCB's RED entity in the same shipment
    incidents = html.split('id="linked-incidents"')[1].split("</ul>")[0]
    assert f"Incident #{ring['Port of Houston']}<" in incidents
    assert f"Incident #{ring['Nhava Sheva']}<" not in incidents


def test_a_resolved_exporters_history_covers_all_its_spellings(
        site: TestClient, world: World, ring: dict[str, int],
        seeded: dict[str, Any]) -> None:
    # US-9 spells the exporter differently; only its entity ties it to Acme's US-1.
    [us9] = upload(site, world, "dea_analyst", "TLP:AMBER",
                   alert("US-9", 0.7, exporter="A.C.M.E. Chem (Pvt)"))
    sign_in(site, world, "cbp_analyst")
    html = site.get(f"/web/alerts/{seeded['dea_amber'][0]}").text
    history = html.split('id="h-exporter_name"')[1].split("</section>")[0]
    assert f'href="/web/alerts/{us9}"' in history
    assert f'href="/web/alerts/{seeded["dea_amber"][1]}"' in history  # US-2
    assert f'href="/web/alerts/{seeded["dea_amber"][0]}"' not in history  # itself


def test_supervisor_releases_an_entity_from_its_page(
        site: TestClient, world: World, ring: dict[str, int]) -> None:
    acme, secret = ring["pw-entity-acme"], ring["pw-entity-secret"]
    # Not a supervisor, or not of the owner's nation: no form, and the post is refused.
    for user in ("dea_analyst", "ncb_super"):
        sign_in(site, world, user)
        page = site.get("/web/entities").text
        refused = site.post(f"/web/release/entity/{acme}",
                            data={"csrf": csrf_of(page), "nation": "IN", "reason": "share"})
        assert refused.status_code in (403, 404)
    sign_in(site, world, "dea_analyst")
    assert "/web/release/entity/" not in site.get(f"/web/entities/{acme}").text
    sign_in(site, world, "dea_super")
    page = site.get(f"/web/entities/{acme}").text
    assert f'action="/web/release/entity/{acme}"' in page
    # RED never leaves the agency: no form, and a forged post gets 403.
    red = site.get(f"/web/entities/{secret}").text
    assert "/web/release/entity/" not in red
    assert site.post(f"/web/release/entity/{secret}", data={
        "csrf": csrf_of(red), "nation": "IN", "reason": "share"}).status_code == 403
    done = site.post(f"/web/release/entity/{acme}", data={
        "csrf": csrf_of(page), "nation": "IN", "reason": "joint operation Mundra"})
    assert done.status_code == 200 and "Released to: IN." in done.text
    sign_in(site, world, "ncb_analyst")
    html = site.get(f"/web/entities/{acme}").text
    assert "Acme Chemicals Ltd" in html
    # Its ties reach entities that were not released: they stay out of view.
    assert _names(_graph(html)) == {"Acme Chemicals Ltd"}
    assert "Bharat Pharma" not in html and "Secret Front" not in html
    assert "2 entities match" in site.get("/web/entities").text
    releases = [e for e in _trail(world)
                if e.action == "release" and e.record_kind == "entity"]
    assert [(e.actor, e.record_id, e.outcome) for e in releases] == [
        ("dea_super", acme, "ok")]


def test_upload_is_for_writers_and_ties_must_name_known_entities(
        site: TestClient, world: World) -> None:
    body = {"entities": [entity("pw-entity-a", "A Ltd")], "links": []}
    assert site.post("/entities", json=body,
                     headers=world.auth("dea_viewer")).status_code == 403
    bad = site.post("/entities", headers=world.auth("dea_analyst"), json={
        "entities": [entity("pw-entity-a", "A Ltd")],
        "links": [tie("pw-entity-a", "pw-entity-elsewhere")]})
    assert bad.status_code == 422 and "pw-entity-elsewhere" in bad.text
    # Another agency's entity of the same key is not this agency's to tie to.
    upload_entities(site, world, "cbp_analyst", "TLP:AMBER", [entity("pw-entity-b", "B")])
    bad = site.post("/entities", headers=world.auth("dea_analyst"), json={
        "entities": [entity("pw-entity-a", "A Ltd")], "links": [tie("pw-entity-a",
                                                                    "pw-entity-b")]})
    assert bad.status_code == 422
    # Uploading again replaces the agency's entity of the same key, keeping its id.
    first = upload_entities(site, world, "dea_analyst", "TLP:AMBER",
                            [entity("pw-entity-a", "A Ltd")])
    again = upload_entities(site, world, "dea_analyst", "TLP:AMBER",
                            [entity("pw-entity-a", "A Limited", "A Ltd")])
    assert first == again
    got = site.get(f"/entities/{first['pw-entity-a']}", headers=world.auth("cbp_analyst"))
    assert got.json()["name"] == "A Limited" and got.json()["schema"] == "Company"


def test_entity_without_a_marking_gets_the_agency_default(site: TestClient,
                                                          world: World) -> None:
    done = site.post("/entities", headers=world.auth("ncb_analyst"),
                     json={"entities": [entity("pw-entity-n", "N Traders")]})
    assert done.status_code == 201
    assert done.json()[0]["marking"] == "TLP:AMBER+STRICT"
    # AMBER+STRICT stays inside NCB: CBN, same nation, does not see it.
    assert site.get(f"/entities/{done.json()[0]['id']}",
                    headers=world.auth("cbn_analyst")).status_code == 404


def test_entity_reads_and_denials_are_audited(site: TestClient, world: World,
                                              ring: dict[str, int]) -> None:
    acme = ring["pw-entity-acme"]
    sign_in(site, world, "ncb_super")
    assert site.get(f"/web/entities/{acme}").status_code == 404
    assert site.get(f"/entities/{acme}", headers=world.auth("ncb_analyst")).status_code == 404
    sign_in(site, world, "cbp_analyst")
    assert site.get(f"/web/entities/{acme}").status_code == 200
    trail = [(e.actor, e.action, e.record_kind, e.record_id, e.outcome)
             for e in _trail(world)][-4:]
    assert trail[0][:2] == ("ncb_super", f"GET /web/entities/{acme}")
    assert trail[0][4] == "hidden"
    assert trail[1][:2] == ("ncb_analyst", f"GET /entities/{acme}")
    assert trail[1][4] == "hidden"
    # cbp_analyst's sign-in, then the page read with the entity's id.
    assert trail[3] == ("cbp_analyst", "web read", "entity", acme, "ok")
