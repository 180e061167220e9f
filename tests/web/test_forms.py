"""The pages' write forms beyond decisions and answers: signing out, opening cases with
their action items and links, and releasing records across the border. Each is allowed
exactly to whom the API allows it, and refused (403, or 404 for what they cannot see)
otherwise."""

from __future__ import annotations

from fastapi.testclient import TestClient

from precursorwatch.web.auth import COOKIE
from tests.exchange_fixtures import World
from tests.web.conftest import csrf_of, sign_in


def test_sign_out_revokes_the_session_token_but_not_the_api_token(
        site: TestClient, world: World) -> None:
    sign_in(site, world, "dea_analyst")
    session_token = site.cookies[COOKIE]
    # The cookie holds a token of its own, not the API token used to sign in.
    assert session_token != world.tokens["dea_analyst"]
    page = site.get("/web/alerts").text
    # Replaying the cookie by itself works while the session lives...
    site.cookies.clear()
    site.cookies.set(COOKIE, session_token, path="/web")
    assert site.get("/web/alerts", follow_redirects=False).status_code == 200
    out = site.post("/web/logout", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/web/login"
    # ...and after signing out it is dead on the server: back to the sign-in page.
    site.cookies.clear()
    site.cookies.set(COOKIE, session_token, path="/web")
    replay = site.get("/web/alerts", follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/web/login")
    assert site.get("/me", headers={"Authorization": f"Bearer {session_token}"}
                    ).status_code == 401
    assert site.get("/me", headers=world.auth("dea_analyst")).status_code == 200


def test_sign_out_needs_the_csrf_token(site: TestClient, world: World) -> None:
    sign_in(site, world, "dea_analyst")
    assert site.post("/web/logout", data={"csrf": "0" * 64}).status_code == 403
    assert site.get("/web/alerts", follow_redirects=False).status_code == 200


def _open_case(site: TestClient, title: str, marking: str = "TLP:AMBER") -> int:
    page = site.get("/web/cases").text
    done = site.post("/web/cases", data={"csrf": csrf_of(page), "title": title,
                                         "summary": "three exporters, one bank",
                                         "marking": marking}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return int(done.headers["location"].rsplit("-", 1)[1])


def test_analyst_opens_a_case_with_action_items_and_links(site: TestClient,
                                                          world: World) -> None:
    sign_in(site, world, "ncb_analyst")
    assert 'action="/web/cases"' in site.get("/web/cases").text
    case = _open_case(site, "Mundra ring")
    page = site.get("/web/cases").text
    for path, data in ((f"/web/cases/{case}/actions",
                        {"description": "ask the bank", "owner_agency": "CBN",
                         "due_on": "2999-01-01"}),
                       (f"/web/cases/{case}/links", {"kind": "shipment", "ref": "IN-7"})):
        done = site.post(path, data={"csrf": csrf_of(page), **data})
        assert done.status_code == 200, done.text
    api = site.get(f"/cases/{case}", headers=world.auth("ncb_super")).json()
    assert api["title"] == "Mundra ring" and api["marking"] == "TLP:AMBER"
    assert [(a["description"], a["owner_agency"]) for a in api["actions"]] == [
        ("ask the bank", "CBN")]
    assert [(link["kind"], link["ref"]) for link in api["links"]] == [("shipment", "IN-7")]
    # CBN owns the action item: its analyst marks it done from the page.
    sign_in(site, world, "cbn_analyst")
    page = site.get("/web/cases").text
    action = api["actions"][0]["id"]
    assert f"/web/cases/{case}/actions/{action}/done" in page
    done = site.post(f"/web/cases/{case}/actions/{action}/done",
                     data={"csrf": csrf_of(page)})
    assert done.status_code == 200
    assert site.get(f"/cases/{case}", headers=world.auth("ncb_super")).json()[
        "actions"][0]["status"] == "done"
    # The case is NCB's: CBN may not add to it.
    refused = site.post(f"/web/cases/{case}/links",
                        data={"csrf": csrf_of(page), "kind": "shipment", "ref": "X"})
    assert refused.status_code == 403


def test_viewers_open_no_cases_and_bad_forms_are_explained(site: TestClient,
                                                           world: World) -> None:
    sign_in(site, world, "ncb_viewer")
    page = site.get("/web/cases").text
    assert 'action="/web/cases"' not in page
    refused = site.post("/web/cases", data={"csrf": csrf_of(page), "title": "t",
                                            "summary": "s"})
    assert refused.status_code == 403
    sign_in(site, world, "ncb_analyst")
    page = site.get("/web/cases").text
    empty = site.post("/web/cases", data={"csrf": csrf_of(page), "title": " ",
                                          "summary": "s"})
    assert empty.status_code == 422 and "title" in empty.text
    odd = site.post("/web/cases", data={"csrf": csrf_of(page), "title": "t",
                                        "summary": "s", "marking": "TLP:PINK"})
    assert odd.status_code == 422
    case = _open_case(site, "Dates")
    late = site.post(f"/web/cases/{case}/actions", data={
        "csrf": csrf_of(page), "description": "x", "owner_agency": "NCB",
        "due_on": "next week"})
    assert late.status_code == 422 and "YYYY-MM-DD" in late.text


def test_supervisor_releases_a_case_and_only_then_the_other_nation_sees_it(
        site: TestClient, world: World) -> None:
    sign_in(site, world, "ncb_analyst")
    case = _open_case(site, "Joint operation Ganga")
    strict = _open_case(site, "NCB eyes only", marking="TLP:AMBER+STRICT")
    page = site.get("/web/cases").text
    assert f'action="/web/release/case/{case}"' not in page  # an analyst does not release
    assert site.post(f"/web/release/case/{case}", data={
        "csrf": csrf_of(page), "nation": "US", "reason": "joint op"}).status_code == 403
    sign_in(site, world, "dea_analyst")
    assert "Joint operation Ganga" not in site.get("/web/cases").text
    sign_in(site, world, "ncb_super")
    page = site.get("/web/cases").text
    assert f'action="/web/release/case/{case}"' in page
    assert f'action="/web/release/case/{strict}"' not in page
    no_reason = site.post(f"/web/release/case/{case}",
                          data={"csrf": csrf_of(page), "nation": "US", "reason": ""})
    assert no_reason.status_code == 422
    done = site.post(f"/web/release/case/{case}", data={
        "csrf": csrf_of(page), "nation": "US", "reason": "joint operation with DEA"})
    assert done.status_code == 200
    again = site.post(f"/web/release/case/{case}", data={
        "csrf": csrf_of(page), "nation": "US", "reason": "twice"})
    assert again.status_code == 409
    sign_in(site, world, "dea_analyst")
    cases = site.get("/web/cases").text
    assert "Joint operation Ganga" in cases and "NCB eyes only" not in cases


def test_supervisor_sends_a_notification_and_releases_an_incident_from_the_pages(
        site: TestClient, world: World) -> None:
    made = site.post("/notifications", headers=world.auth("dea_analyst"), json={
        "importing_nation": "IN", "exporter": "Acme Chemicals", "importer": "Bharat Pharma",
        "substance": "acetic anhydride", "quantity_kg": 500.0, "marking": "TLP:AMBER"})
    note = made.json()["id"]
    incident = site.post("/incidents", headers=world.auth("dea_analyst"), json={
        "kind": "seizure", "occurred_on": "2026-03-01", "place": "Port of Houston",
        "substances": [{"substance": "acetic anhydride"}], "summary": "800 kg seized",
        "marking": "TLP:GREEN"}).json()["id"]
    sign_in(site, world, "ncb_analyst")
    assert site.get(f"/web/notifications/{note}").status_code == 404
    assert "Port of Houston" not in site.get("/web/incidents").text
    sign_in(site, world, "dea_super")
    page = site.get(f"/web/notifications/{note}").text
    sent = site.post(f"/web/release/notification/{note}", data={
        "csrf": csrf_of(page), "nation": "IN", "reason": "pre-export notice"})
    assert sent.status_code == 200 and '<dd id="status">Waiting for an answer</dd>' in sent.text
    page = site.get("/web/incidents").text
    assert f'action="/web/release/incident/{incident}"' in page
    done = site.post(f"/web/release/incident/{incident}", data={
        "csrf": csrf_of(page), "nation": "IN", "reason": "seizure shared"})
    assert done.status_code == 200
    sign_in(site, world, "ncb_analyst")
    assert site.get(f"/web/notifications/{note}").status_code == 200
    assert "Port of Houston" in site.get("/web/incidents").text
