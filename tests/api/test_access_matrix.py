"""Route by route, who sees and does what: every role, agency and nation, grants and denials.

The expectations are written out by hand from the sharing rules in docs/exchange.md, not
computed by the policy code they check.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from precursorwatch.store.models import AuditRow
from precursorwatch.store.session import Store
from tests.exchange_fixtures import USERS, World

EVERYONE = sorted(USERS)
US = {u for u, (agency, _) in USERS.items() if agency in ("DEA", "CBP")}
DEA = {u for u, (agency, _) in USERS.items() if agency == "DEA"}


def notification(marking: str | None = None, importing: str = "IN") -> dict[str, Any]:
    body: dict[str, Any] = {"importing_nation": importing, "exporter": "Acme Chemicals",
                            "importer": "Bharat Pharma", "substance": "acetic anhydride",
                            "cas_number": "108-24-7", "quantity_kg": 2000.0}
    if marking:
        body["marking"] = marking
    return body


def make(client: TestClient, world: World, marking: str | None, user: str = "dea_analyst",
         release_to: str | None = None) -> int:
    created = client.post("/notifications", json=notification(marking),
                          headers=world.auth(user))
    assert created.status_code == 201, created.text
    record_id: int = created.json()["id"]
    if release_to:
        released = client.post(f"/notifications/{record_id}/release",
                               json={"nation": release_to, "reason": "pre-export notice"},
                               headers=world.auth("dea_super"))
        assert released.status_code == 200, released.text
    return record_id


# Who may read a DEA notification of each kind (everyone else gets 404).
READERS = {
    "red": {"dea_analyst", "dea_super"},
    "strict": {"dea_viewer", "dea_analyst", "dea_super", "dea_admin"},
    "amber": {"dea_viewer", "dea_analyst", "dea_super", "dea_admin", "cbp_analyst",
              "cbp_super"},
    "clear": {"dea_viewer", "dea_analyst", "dea_super", "dea_admin", "cbp_analyst",
              "cbp_super"},
    "green_released": set(EVERYONE),
}


@pytest.fixture
def records(client: TestClient, world: World) -> dict[str, int]:
    return {
        "red": make(client, world, "TLP:RED"),
        "strict": make(client, world, "TLP:AMBER+STRICT"),
        "amber": make(client, world, "TLP:AMBER"),
        "clear": make(client, world, "TLP:CLEAR"),
        "green_released": make(client, world, "TLP:GREEN", release_to="IN"),
    }


def test_read_one_notification_by_role_agency_and_nation(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    for kind, record_id in records.items():
        for user in EVERYONE:
            got = client.get(f"/notifications/{record_id}", headers=world.auth(user))
            expected = 200 if user in READERS[kind] else 404
            assert got.status_code == expected, (kind, user, got.text)


def test_lists_show_exactly_the_readable_notifications(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    for user in EVERYONE:
        got = client.get("/notifications", headers=world.auth(user))
        assert got.status_code == 200
        expected = {records[kind] for kind, readers in READERS.items() if user in readers}
        assert {item["id"] for item in got.json()} == expected, user


def test_clear_does_not_cross_the_border_until_a_supervisor_releases_it(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    clear = records["clear"]
    for user in ("ncb_viewer", "ncb_analyst", "cbn_analyst"):
        assert client.get(f"/notifications/{clear}", headers=world.auth(user)).status_code == 404
    for user in ("dea_analyst", "dea_viewer", "dea_admin"):
        refused = client.post(f"/notifications/{clear}/release",
                              json={"nation": "IN", "reason": "share"}, headers=world.auth(user))
        assert refused.status_code == 403, user
    for user in ("ncb_super", "cbn_analyst"):
        hidden = client.post(f"/notifications/{clear}/release",
                             json={"nation": "IN", "reason": "share"}, headers=world.auth(user))
        assert hidden.status_code == 404, user
    released = client.post(f"/notifications/{clear}/release",
                           json={"nation": "IN", "reason": "joint case 12"},
                           headers=world.auth("dea_super"))
    assert released.status_code == 200
    release = released.json()["releases"][0]
    assert release["nation"] == "IN" and release["reason"] == "joint case 12"
    assert release["released_by"] > 0 and release["released_at"]
    for user in ("ncb_viewer", "ncb_analyst", "cbn_analyst"):
        assert client.get(f"/notifications/{clear}", headers=world.auth(user)).status_code == 200
    again = client.post(f"/notifications/{clear}/release",
                        json={"nation": "IN", "reason": "again"}, headers=world.auth("dea_super"))
    assert again.status_code == 409


def test_another_us_agency_supervisor_may_release_but_not_agency_only_markings(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    for kind in ("red", "strict"):
        refused = client.post(f"/notifications/{records[kind]}/release",
                              json={"nation": "IN", "reason": "share"},
                              headers=world.auth("dea_super"))
        assert refused.status_code == 403, kind
    hidden = client.post(f"/notifications/{records['strict']}/release",
                         json={"nation": "IN", "reason": "share"},
                         headers=world.auth("cbp_super"))
    assert hidden.status_code == 404
    granted = client.post(f"/notifications/{records['amber']}/release",
                          json={"nation": "IN", "reason": "share"},
                          headers=world.auth("cbp_super"))
    assert granted.status_code == 200
    own_nation = client.post(f"/notifications/{records['clear']}/release",
                             json={"nation": "US", "reason": "share"},
                             headers=world.auth("dea_super"))
    assert own_nation.status_code == 403


def test_only_writers_create_and_only_importing_writers_answer(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    for user, expected in (("dea_viewer", 403), ("dea_admin", 403), ("ncb_viewer", 403),
                           ("dea_analyst", 201), ("dea_super", 201), ("cbp_analyst", 201)):
        got = client.post("/notifications", json=notification(), headers=world.auth(user))
        assert got.status_code == expected, user
    sent = records["green_released"]
    for user in ("dea_analyst", "dea_super", "cbp_analyst", "ncb_viewer", "dea_admin"):
        got = client.post(f"/notifications/{sent}/answer", json={"answer": "no_objection"},
                          headers=world.auth(user))
        assert got.status_code == 403, user
    draft = records["amber"]
    got = client.post(f"/notifications/{draft}/answer", json={"answer": "no_objection"},
                      headers=world.auth("ncb_analyst"))
    assert got.status_code == 404
    got = client.post(f"/notifications/{sent}/answer", json={"answer": "no_objection"},
                      headers=world.auth("cbn_analyst"))
    assert got.status_code == 200
    assert got.json()["status"] == "no_objection"


def test_without_a_valid_token_nothing_is_served(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    for headers in ({}, {"Authorization": "Bearer pw_not-a-token"},
                    {"Authorization": "Basic ZGVhOmRlYQ=="}):
        for method, path in (("get", "/notifications"), ("get", "/incidents"),
                             ("get", f"/notifications/{records['green_released']}"),
                             ("get", "/me")):
            got = getattr(client, method)(path, headers=headers)
            assert got.status_code == 401, (path, headers)
            assert got.headers["content-type"] == "application/problem+json"


def incident(marking: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "seizure", "occurred_on": "2026-11-02", "place": "Nhava Sheva port",
        "substances": [{"substance": "ephedrine", "cas_number": "299-42-3",
                        "quantity_kg": 45.0}],
        "route": "Mumbai - Dubai - Mexico", "modus_operandi": "declared as vitamin C",
        "parties": [{"name": "Sunrise Exports", "role": "exporter", "country": "IN"}],
        "summary": "Ephedrine hidden in vitamin C drums."}
    if marking:
        body["marking"] = marking
    return body


def test_incidents_get_their_agency_default_marking_and_follow_the_same_rules(
        client: TestClient, world: World) -> None:
    created = client.post("/incidents", json=incident(), headers=world.auth("ncb_analyst"))
    assert created.status_code == 201
    assert created.json()["marking"] == "TLP:AMBER+STRICT"  # NCB's default, never an open one
    strict = created.json()["id"]
    for user in EVERYONE:
        expected = 200 if user in ("ncb_viewer", "ncb_analyst", "ncb_analyst2", "ncb_super") \
            else 404
        assert client.get(f"/incidents/{strict}", headers=world.auth(user)).status_code == \
            expected, user
    refused = client.post(f"/incidents/{strict}/release", json={"nation": "US", "reason": "x"*5},
                          headers=world.auth("ncb_super"))
    assert refused.status_code == 403
    green = client.post("/incidents", json=incident("TLP:GREEN"),
                        headers=world.auth("ncb_analyst")).json()["id"]
    for user in ("cbn_analyst", "ncb_viewer"):
        assert client.get(f"/incidents/{green}", headers=world.auth(user)).status_code == 200
    for user in ("dea_analyst", "cbp_super"):
        assert client.get(f"/incidents/{green}", headers=world.auth(user)).status_code == 404
    by_analyst = client.post(f"/incidents/{green}/release",
                             json={"nation": "US", "reason": "joint op"},
                             headers=world.auth("cbn_analyst"))
    assert by_analyst.status_code == 403
    by_us = client.post(f"/incidents/{green}/release", json={"nation": "US", "reason": "op"*3},
                        headers=world.auth("dea_super"))
    assert by_us.status_code == 404
    released = client.post(f"/incidents/{green}/release",
                           json={"nation": "US", "reason": "joint op"},
                           headers=world.auth("ncb_super"))
    assert released.status_code == 200
    for user in ("dea_viewer", "cbp_analyst"):
        assert client.get(f"/incidents/{green}", headers=world.auth(user)).status_code == 200
    listed = client.get("/incidents", headers=world.auth("dea_viewer")).json()
    assert [item["id"] for item in listed] == [green]


def test_denials_and_reads_of_marked_records_are_audited(
        client: TestClient, world: World, records: dict[str, int]) -> None:
    red = records["red"]
    assert client.get(f"/notifications/{red}", headers=world.auth("ncb_analyst")
                      ).status_code == 404
    assert client.get(f"/notifications/{red}", headers=world.auth("dea_analyst")
                      ).status_code == 200
    store = Store(world.url, pool_size=1)
    with store.read() as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(2)).all()
    store.dispose()
    read, hidden = rows
    assert (read.actor, read.action, read.record_id, read.outcome) == (
        "dea_analyst", "read", red, "ok")
    assert (hidden.actor, hidden.outcome) == ("ncb_analyst", "hidden")
    assert hidden.action == f"GET /notifications/{red}"


def test_cases_and_the_overview_follow_the_same_rules(client: TestClient, world: World) -> None:
    india = {u for u, (agency, _) in USERS.items() if agency in ("NCB", "CBN")}
    strict = client.post("/cases", json={"title": "Op A", "summary": "s"},
                         headers=world.auth("ncb_analyst")).json()["id"]
    amber = client.post("/cases", json={"title": "Op B", "summary": "s",
                                        "marking": "TLP:AMBER"},
                        headers=world.auth("ncb_analyst")).json()["id"]
    ncb = {"ncb_viewer", "ncb_analyst", "ncb_analyst2", "ncb_super"}
    for user in EVERYONE:
        for case, readers in ((strict, ncb), (amber, india)):
            got = client.get(f"/cases/{case}", headers=world.auth(user))
            assert got.status_code == (200 if user in readers else 404), (case, user)
        listed = {c["id"] for c in client.get("/cases", headers=world.auth(user)).json()}
        assert listed == {c for c, r in ((strict, ncb), (amber, india)) if user in r}, user
        overview = client.get("/overview", headers=world.auth(user)).json()
        assert sum(overview["cases_by_status"].values()) == len(listed), user
    for user, expected in (("cbn_analyst", 403), ("ncb_viewer", 403), ("dea_super", 404)):
        got = client.post(f"/cases/{amber}/release", json={"nation": "US", "reason": "op"*2},
                          headers=world.auth(user))
        assert got.status_code == expected, user
    assert client.post(f"/cases/{amber}/release", json={"nation": "US", "reason": "joint"},
                       headers=world.auth("ncb_super")).status_code == 200
    for user in EVERYONE:
        got = client.get(f"/cases/{amber}", headers=world.auth(user))
        assert got.status_code == 200, user
        link = client.post(f"/cases/{amber}/links", json={"kind": "entity", "ref": user},
                           headers=world.auth(user))
        writers = {"ncb_analyst", "ncb_analyst2", "ncb_super"}
        assert link.status_code == (200 if user in writers else 403), user
