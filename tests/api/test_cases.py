"""Cases gather records and actions under the sharing rules; the overview counts only what
the caller may see."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_access_matrix import incident, make
from tests.exchange_fixtures import World


def _case(client: TestClient, world: World, user: str, marking: str | None = None) -> int:
    body = {"title": "Operation Crystal Road", "summary": "Ephedrine via Dubai"}
    if marking:
        body["marking"] = marking
    created = client.post("/cases", json=body, headers=world.auth(user))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def test_a_joint_case_with_links_actions_and_a_release(client: TestClient, world: World) -> None:
    case = _case(client, world, "ncb_analyst", "TLP:AMBER")
    seized = client.post("/incidents", json=incident("TLP:AMBER"),
                         headers=world.auth("ncb_analyst")).json()["id"]
    for kind, ref in (("incident", str(seized)), ("shipment", "SHP-2026-0042"),
                      ("entity", "ftm-company-77")):
        got = client.post(f"/cases/{case}/links", json={"kind": kind, "ref": ref},
                          headers=world.auth("ncb_analyst"))
        assert got.status_code == 200, got.text
    hidden_note = make(client, world, "TLP:AMBER")  # a US draft NCB cannot see
    got = client.post(f"/cases/{case}/links", json={"kind": "notification",
                                                     "ref": str(hidden_note)},
                      headers=world.auth("ncb_analyst"))
    assert got.status_code == 404
    by_viewer = client.post(f"/cases/{case}/links", json={"kind": "entity", "ref": "x"},
                            headers=world.auth("ncb_viewer"))
    assert by_viewer.status_code == 403
    action = client.post(f"/cases/{case}/actions",
                         json={"description": "Trace the Dubai consignee",
                               "owner_agency": "DEA", "due_on": "2026-01-15"},
                         headers=world.auth("ncb_super"))
    assert action.status_code == 200
    action_id = action.json()["actions"][0]["id"]

    assert client.get(f"/cases/{case}", headers=world.auth("dea_analyst")).status_code == 404
    released = client.post(f"/cases/{case}/release", json={"nation": "US", "reason": "joint op"},
                           headers=world.auth("ncb_super"))
    assert released.status_code == 200
    seen = client.get(f"/cases/{case}", headers=world.auth("dea_analyst")).json()
    # The incident itself was not released, so the US does not even see its link.
    assert [(link["kind"], link["ref"]) for link in seen["links"]] == [
        ("shipment", "SHP-2026-0042"), ("entity", "ftm-company-77")]

    overview = client.get("/overview", headers=world.auth("dea_analyst")).json()
    assert overview["open_actions_by_agency"] == {"DEA": 1}
    assert overview["overdue_actions_by_agency"] == {"DEA": 1}
    assert overview["incidents_by_kind"] == {}
    closed = client.post(f"/cases/{case}/actions/{action_id}/done",
                         headers=world.auth("dea_analyst"))
    assert closed.status_code == 200  # the action's owner agency closes it
    assert closed.json()["actions"][0]["status"] == "done"
    again = client.post(f"/cases/{case}/actions/{action_id}/done",
                        headers=world.auth("ncb_analyst"))
    assert again.status_code == 409
    by_other = client.post(f"/cases/{case}/actions/{action_id}/done",
                           headers=world.auth("cbp_analyst"))
    assert by_other.status_code == 403


def test_overview_counts_turnaround_per_importing_nation(client: TestClient,
                                                         world: World) -> None:
    answered = make(client, world, "TLP:GREEN", release_to="IN")
    make(client, world, "TLP:GREEN", release_to="IN")
    make(client, world, "TLP:RED")
    client.post(f"/notifications/{answered}/answer", json={"answer": "no_objection"},
                headers=world.auth("ncb_analyst"))
    mine = client.get("/overview", headers=world.auth("dea_super")).json()
    assert mine["notifications_by_status"] == {"no_objection": 1, "pending": 1, "draft": 1}
    assert set(mine["median_turnaround_days_by_importing_nation"]) == {"IN"}
    assert 0 <= mine["median_turnaround_days_by_importing_nation"]["IN"] < 0.01
    theirs = client.get("/overview", headers=world.auth("ncb_viewer")).json()
    assert theirs["notifications_by_status"] == {"no_objection": 1, "pending": 1}
