"""The pages over a seeded store.

- ``site``: the real app with its pages (FastAPI's TestClient), over ``world`` on SQLite and
  PostgreSQL; sign a user in with ``sign_in(site, world, username)``.
- ``seeded``: alerts, notifications, incidents and cases of both nations under different
  markings, made through the API as the users would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from precursorwatch.settings import Settings
from precursorwatch.web import create_site
from tests.exchange_fixtures import World, seed_world


@pytest.fixture
def world(db_url: str) -> World:
    return seed_world(db_url)


@pytest.fixture
def site(world: World) -> Iterator[TestClient]:
    with TestClient(create_site(Settings(db=world.url))) as client:
        yield client


def sign_in(client: TestClient, world: World, username: str) -> None:
    client.cookies.clear()
    answer = client.post("/web/login", data={"token": world.tokens[username]},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert "pw_session" in client.cookies


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def alert(shipment: str, score: float, export: str = "IN", import_: str = "US",
          substance: str = "acetic anhydride", cas: str = "108-24-7",
          exporter: str = "Acme Chemicals") -> dict[str, Any]:
    return {"shipment_id": shipment, "score": score,
            "reasons": ["quantity far above this exporter's usual", "new importer"],
            "row": {"shipment_id": shipment, "export_country": export,
                    "import_country": import_, "product_description": substance,
                    "cas_number": cas, "exporter_name": exporter,
                    "importer_name": "Bharat Pharma"}}


def upload(client: TestClient, world: World, user: str, marking: str,
           *alerts: dict[str, Any]) -> list[int]:
    done = client.post("/alerts", json={"alerts": list(alerts), "marking": marking},
                       headers=world.auth(user))
    assert done.status_code == 201, done.text
    return [item["id"] for item in done.json()]


@pytest.fixture
def seeded(site: TestClient, world: World) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    ids["dea_amber"] = upload(site, world, "dea_analyst", "TLP:AMBER",
                              alert("US-1", 0.91), alert("US-2", 0.55, substance="ephedrine",
                                                          cas="299-42-3", export="CN"))
    ids["dea_red"] = upload(site, world, "dea_analyst", "TLP:RED",
                            alert("US-SECRET", 0.99, exporter="Secret Front Ltd"))
    ids["ncb_amber"] = upload(site, world, "ncb_analyst", "TLP:AMBER",
                              alert("IN-1", 0.8, export="IN", import_="MX"))
    ids["ncb_red"] = upload(site, world, "ncb_analyst", "TLP:RED",
                            alert("IN-SECRET", 0.97, exporter="Hidden Traders"))
    return ids


def entity(key: str, name: str, *aliases: str, shipments: tuple[tuple[str, str], ...] = (),
           ids: tuple[str, ...] = (), country: str = "us") -> dict[str, Any]:
    """One line of `resolve --out` (FtM), with (shipment id, role) pairs from the network."""
    properties: dict[str, list[str]] = {"name": [name], "country": [country]}
    if aliases:
        properties["alias"] = list(aliases)
    if ids:
        properties["registrationNumber"] = list(ids)
    return {"id": key, "schema": "Company", "properties": properties,
            "shipments": [{"shipment_id": s, "source": "US-DEA", "role": role}
                          for s, role in shipments]}


def tie(source: str, target: str, kinds: str = "trade", weight: float = 2.0) -> dict[str, Any]:
    return {"source": source, "target": target, "weight": weight, "kinds": kinds,
            "shared": 3}


def upload_entities(client: TestClient, world: World, user: str, marking: str,
                    entities: list[dict[str, Any]],
                    links: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Entities through the API as `resolve` output would go; their server ids by key."""
    done = client.post("/entities", json={"entities": entities, "links": links or [],
                                          "marking": marking}, headers=world.auth(user))
    assert done.status_code == 201, done.text
    return {item["key"]: item["id"] for item in done.json()}


@pytest.fixture
def ring(site: TestClient, world: World, seeded: dict[str, Any]) -> dict[str, int]:
    """A small ring around the seeded alerts' exporter, under different markings:

    - DEA, TLP:AMBER: Acme (exporter of US-1 and US-2), Bharat (importer of US-1) and a
      shell company, tied Acme-Bharat-Shell;
    - DEA, TLP:RED: Secret Front, tied to Acme;
    - NCB, TLP:RED: Hidden Traders, consignee of US-1 (the other nation's secret);
    - incidents naming Acme: DEA's TLP:GREEN seizure and NCB's TLP:RED report.
    """
    ids = upload_entities(site, world, "dea_analyst", "TLP:AMBER", [
        entity("pw-entity-acme", "Acme Chemicals Ltd", "Acme Chemicals", "ACME CHEM",
               shipments=(("US-1", "exporter"), ("US-2", "exporter"), ("US-9", "exporter")),
               ids=("12-3456789",)),
        entity("pw-entity-bharat", "Bharat Pharma", shipments=(("US-1", "importer"),),
               country="in"),
        entity("pw-entity-shell", "Shell Trading FZE", country="ae"),
    ], [tie("pw-entity-acme", "pw-entity-bharat"),
        tie("pw-entity-bharat", "pw-entity-shell", "address")])
    ids |= upload_entities(site, world, "dea_analyst", "TLP:RED", [
        entity("pw-entity-secret", "Secret Front Ltd")],
        [tie("pw-entity-secret", "pw-entity-acme", "phone", 5.0)])
    ids |= upload_entities(site, world, "ncb_analyst", "TLP:RED", [
        entity("pw-entity-hidden", "Hidden Traders", shipments=(("US-1", "consignee"),),
               country="in")])
    for user, marking, place in (("dea_analyst", "TLP:GREEN", "Port of Houston"),
                                 ("ncb_analyst", "TLP:RED", "Nhava Sheva")):
        made = site.post("/incidents", headers=world.auth(user), json={
            "kind": "seizure", "occurred_on": "2026-03-01", "place": place,
            "substances": [{"substance": "acetic anhydride"}], "summary": "drums seized",
            "parties": [{"name": "ACME chem.", "role": "exporter"}], "marking": marking})
        assert made.status_code == 201, made.text
        ids[place] = made.json()["id"]
    return ids
