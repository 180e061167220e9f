"""The life of a pre-export notification over HTTP: drafted, sent, answered, expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from precursorwatch.store.models import Nation, Notification, Release
from precursorwatch.store.session import Store
from tests.api.test_access_matrix import make, notification
from tests.exchange_fixtures import World


def _set(world: World, *statements: object) -> None:
    store = Store(world.url, pool_size=1)
    with store.write() as session:
        for statement in statements:
            session.execute(statement)  # type: ignore[call-overload]
    store.dispose()


def test_sending_opens_the_exporting_nations_window(client: TestClient, world: World) -> None:
    us = make(client, world, "TLP:AMBER", release_to="IN")
    body = client.get(f"/notifications/{us}", headers=world.auth("ncb_analyst")).json()
    sent = datetime.fromisoformat(body["sent_at"])
    assert datetime.fromisoformat(body["due_at"]) - sent == timedelta(days=15)
    assert [e["to_status"] for e in body["history"]] == ["draft", "pending"]

    draft = client.post("/notifications", json=notification("TLP:GREEN", importing="US"),
                        headers=world.auth("ncb_analyst")).json()
    assert draft["exporting_nation"] == "IN" and draft["status"] == "draft"
    sent_in = client.post(f"/notifications/{draft['id']}/release",
                          json={"nation": "US", "reason": "PEN"},
                          headers=world.auth("ncb_super")).json()
    start = datetime.fromisoformat(sent_in["sent_at"])
    due = datetime.fromisoformat(sent_in["due_at"])
    # 21 working days are 4 weeks and a day or more of calendar time, never 21 days.
    assert timedelta(days=29) <= due - start <= timedelta(days=31)


def test_objection_needs_a_reason_and_the_exporter_sees_the_answer(
        client: TestClient, world: World) -> None:
    sent = make(client, world, "TLP:AMBER", release_to="IN")
    missing = client.post(f"/notifications/{sent}/answer", json={"answer": "objection"},
                          headers=world.auth("ncb_analyst"))
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"field": "reason", "reason":
                                         "an objection or a request for information needs "
                                         "a reason"}]
    objected = client.post(f"/notifications/{sent}/answer",
                           json={"answer": "objection", "reason": "importer not registered"},
                           headers=world.auth("ncb_analyst"))
    assert objected.status_code == 200
    seen = client.get(f"/notifications/{sent}", headers=world.auth("dea_viewer")).json()
    assert seen["status"] == "objected"
    assert seen["history"][-1]["reason"] == "importer not registered"


def test_request_for_information_reopens_the_window(client: TestClient, world: World) -> None:
    sent = make(client, world, "TLP:AMBER", release_to="IN")
    asked = client.post(f"/notifications/{sent}/answer",
                        json={"answer": "request_info", "reason": "end-user certificate?"},
                        headers=world.auth("ncb_analyst")).json()
    assert asked["status"] == "info_requested"
    early = client.post(f"/notifications/{sent}/answer", json={"answer": "no_objection"},
                        headers=world.auth("ncb_analyst"))
    assert early.status_code == 409
    by_importer = client.post(f"/notifications/{sent}/information",
                              json={"information": "attached"}, headers=world.auth("ncb_super"))
    assert by_importer.status_code == 403
    replied = client.post(f"/notifications/{sent}/information",
                          json={"information": "certificate EUC-991 attached"},
                          headers=world.auth("dea_analyst")).json()
    assert replied["status"] == "pending"
    assert replied["due_at"] > asked["due_at"]
    done = client.post(f"/notifications/{sent}/answer", json={"answer": "no_objection"},
                       headers=world.auth("ncb_analyst")).json()
    assert [e["to_status"] for e in done["history"]] == [
        "draft", "pending", "info_requested", "pending", "no_objection"]


def test_silence_expires_unless_the_nation_says_otherwise(
        client: TestClient, world: World) -> None:
    quiet = make(client, world, "TLP:AMBER", release_to="IN")
    past = datetime.now(UTC) - timedelta(minutes=1)
    _set(world, update(Notification).where(Notification.id == quiet).values(due_at=past))
    body = client.get(f"/notifications/{quiet}", headers=world.auth("dea_analyst")).json()
    assert body["status"] == "expired"
    assert body["history"][-1]["reason"] == "response window closed"
    late = client.post(f"/notifications/{quiet}/answer", json={"answer": "no_objection"},
                       headers=world.auth("ncb_analyst"))
    assert late.status_code == 409

    _set(world, update(Nation).where(Nation.code == "US").values(silence_is_no_objection=True))
    consent = make(client, world, "TLP:AMBER", release_to="IN")
    _set(world, update(Notification).where(Notification.id == consent).values(due_at=past))
    listed = client.get("/notifications?status=no_objection_by_silence",
                        headers=world.auth("ncb_viewer")).json()
    assert [item["id"] for item in listed] == [consent]


def test_screening_output_travels_with_the_notification(
        client: TestClient, world: World) -> None:
    body = notification() | {"shipment_id": "SHP-2026-0042", "planned_export_date": "2026-12-20",
                             "screening": {"score": 0.87, "reasons": ["first export to this "
                                                                      "importer"],
                                           "model": "screen-2026.11"}}
    created = client.post("/notifications", json=body, headers=world.auth("dea_analyst"))
    assert created.status_code == 201
    got = client.get(f"/notifications/{created.json()['id']}",
                     headers=world.auth("dea_viewer")).json()
    assert got["screening"] == body["screening"]
    assert got["planned_export_date"] == "2026-12-20"


def test_bad_input_names_the_field_and_writes_nothing(client: TestClient, world: World) -> None:
    cases = [
        (notification() | {"quantity_kg": 0}, "quantity_kg"),
        (notification() | {"cas_number": "not-a-cas"}, "cas_number"),
        (notification() | {"importing_nation": "India"}, "importing_nation"),
        (notification() | {"marking": "TLP:WHITE"}, "marking"),
        (notification() | {"screening": {"score": 3}}, "screening.score"),
        (notification() | {"unexpected": 1}, "unexpected"),
        (notification() | {"importing_nation": "ZZ"}, "importing_nation"),
        (notification() | {"importing_nation": "US"}, "importing_nation"),
    ]
    for body, field in cases:
        got = client.post("/notifications", json=body, headers=world.auth("dea_analyst"))
        assert got.status_code == 422, body
        assert got.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in got.json()["errors"]], got.json()
    draft = make(client, world, "TLP:AMBER")
    bad = client.post(f"/notifications/{draft}/release", json={"nation": "ZZ", "reason": "test"},
                      headers=world.auth("dea_super"))
    assert bad.status_code == 422
    store = Store(world.url, pool_size=1)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 1
        assert session.scalar(select(func.count()).select_from(Release)) == 0
        assert session.get(Notification, draft).status == "draft"  # type: ignore[union-attr]
    store.dispose()


def test_openapi_document_is_served(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"/notifications", "/notifications/{record_id}/answer", "/incidents"} <= set(
        document["paths"])
