"""The pages show exactly what the API's sharing rules allow, and their forms are guarded.

Expectations are written out by hand from docs/exchange.md: RED stays with the owner
agency's analysts and supervisors, AMBER+STRICT inside the agency, AMBER inside the nation,
and nothing crosses the border without a release.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from precursorwatch.store.models import Notification
from precursorwatch.store.session import Store
from tests.exchange_fixtures import World
from tests.web.conftest import alert, csrf_of, sign_in, upload


def _queue(site: TestClient, **params: str) -> str:
    page = site.get("/web/alerts", params={"status": "all", **params})
    assert page.status_code == 200, page.text
    return page.text


def test_pages_need_a_sign_in(site: TestClient) -> None:
    answer = site.get("/web/alerts", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/web/login")


def test_unknown_token_is_refused_in_plain_words(site: TestClient) -> None:
    answer = site.post("/web/login", data={"token": "pw_nonsense"})
    assert answer.status_code == 401
    assert "is not known" in answer.text
    assert "pw_session" not in site.cookies


def test_password_sign_in_sets_a_strict_http_only_cookie(site: TestClient,
                                                          world: World) -> None:
    from precursorwatch.store import identity

    store = Store(world.url, pool_size=1)
    with store.write() as session:
        identity.add_user(session, "priya", "NCB", [identity.Role.ANALYST],
                          password="correct horse battery")
    store.dispose()
    wrong = site.post("/web/login", data={"username": "priya", "password": "nope"})
    assert wrong.status_code == 401
    right = site.post("/web/login", data={"username": "priya",
                                          "password": "correct horse battery"},
                      follow_redirects=False)
    assert right.status_code == 303
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/web" in cookie
    assert "priya · NCB (IN)" in site.get("/web/alerts").text


def test_sign_in_never_redirects_off_the_site(site: TestClient, world: World) -> None:
    answer = site.post("/web/login", data={"token": world.tokens["dea_analyst"],
                                           "next": "https://evil.example/"},
                       follow_redirects=False)
    assert answer.headers["location"] == "/web/alerts"


@pytest.mark.parametrize(("user", "shown", "hidden", "count"), [
    # DEA analysts see their agency's RED alert and every US alert marked AMBER.
    ("dea_analyst", {"US-1", "US-2", "US-SECRET"}, {"IN-1", "IN-SECRET"}, 3),
    # Another US agency: the AMBER ones only.
    ("cbp_analyst", {"US-1", "US-2"}, {"US-SECRET", "IN-1", "IN-SECRET"}, 2),
    # A DEA viewer is not a named recipient of RED.
    ("dea_viewer", {"US-1", "US-2"}, {"US-SECRET", "IN-1", "IN-SECRET"}, 2),
    # The other nation sees none of the US alerts, RED or not.
    ("ncb_analyst", {"IN-1", "IN-SECRET"}, {"US-1", "US-2", "US-SECRET"}, 2),
    ("cbn_analyst", {"IN-1"}, {"IN-SECRET", "US-1", "US-2", "US-SECRET"}, 1),
])
def test_queue_shows_and_counts_only_visible_alerts(site: TestClient, world: World,
                                                   seeded: dict[str, Any], user: str,
                                                   shown: set[str], hidden: set[str],
                                                   count: int) -> None:
    sign_in(site, world, user)
    html = _queue(site)
    for shipment in shown:
        assert f"<td>{shipment}</td>" in html
    for shipment in hidden:
        assert shipment not in html
    assert f"{count} alert{'' if count == 1 else 's'} match" in html


def test_hidden_alert_page_is_not_found_and_audited(site: TestClient, world: World,
                                                    seeded: dict[str, Any]) -> None:
    red = seeded["dea_red"][0]
    sign_in(site, world, "ncb_super")
    answer = site.get(f"/web/alerts/{red}")
    assert answer.status_code == 404
    assert "Secret Front" not in answer.text
    sign_in(site, world, "cbp_super")
    assert site.get(f"/web/alerts/{red}").status_code == 404
    sign_in(site, world, "dea_analyst")
    assert "Secret Front Ltd" in site.get(f"/web/alerts/{red}").text


def test_history_lists_only_visible_alerts_of_the_same_exporter(
        site: TestClient, world: World, seeded: dict[str, Any]) -> None:
    sign_in(site, world, "cbp_analyst")
    page = site.get(f"/web/alerts/{seeded['dea_amber'][0]}").text
    # US-SECRET shares nothing with it; the NCB alerts share the exporter but are Indian.
    assert "IN-1" not in page and "US-SECRET" not in page


def test_queue_filters_by_substance_lane_nation_score_and_status(
        site: TestClient, world: World, seeded: dict[str, Any]) -> None:
    sign_in(site, world, "dea_analyst")
    assert "1 alert matches" in _queue(site, substance="299-42-3")
    assert "<td>US-2</td>" in _queue(site, substance="ephedrine")
    by_lane = _queue(site, lane="CN-US")
    assert "<td>US-2</td>" in by_lane and "<td>US-1</td>" not in by_lane
    assert "3 alerts match" in _queue(site, nation="US")
    assert "0 alerts match" in _queue(site, nation="MX")
    high = _queue(site, min_score="0.9")
    assert "2 alerts match" in high and "<td>US-2</td>" not in high
    lowest_first = _queue(site, sort="score")
    assert lowest_first.index("<td>US-2</td>") < lowest_first.index("<td>US-1</td>")
    assert "0 alerts match" in _queue(site, status="cleared")


@pytest.mark.parametrize(("user", "params", "shown", "hidden", "count"), [
    # Each filter reads its own indexed column; each must still leave out what the
    # caller may not see, in the rows and in the count.
    ("cbp_analyst", {"substance": "108-24-7"}, {"US-1"}, {"US-SECRET", "IN-1", "IN-SECRET"},
     1),
    ("dea_analyst", {"substance": "108 24 7"}, {"US-1", "US-SECRET"}, {"IN-1", "IN-SECRET"},
     2),
    ("dea_viewer", {"lane": "in-us"}, {"US-1"}, {"US-SECRET", "IN-SECRET", "US-2"}, 1),
    ("dea_analyst", {"lane": "IN-US"}, {"US-1", "US-SECRET"}, {"IN-SECRET", "US-2"}, 2),
    ("ncb_analyst", {"nation": "US"}, {"IN-SECRET"}, {"US-1", "US-2", "US-SECRET", "IN-1"},
     1),
    ("cbn_analyst", {"nation": "US"}, set(), {"IN-SECRET", "US-1", "US-2", "US-SECRET"}, 0),
    ("ncb_viewer", {"nation": "MX", "min_score": "0.5"}, {"IN-1"}, {"IN-SECRET"}, 1),
])
def test_filtered_queue_shows_and_counts_only_visible_alerts(
        site: TestClient, world: World, seeded: dict[str, Any], user: str,
        params: dict[str, str], shown: set[str], hidden: set[str], count: int) -> None:
    sign_in(site, world, user)
    html = _queue(site, **params)
    for shipment in shown:
        assert f"<td>{shipment}</td>" in html
    for shipment in hidden:
        assert f"<td>{shipment}</td>" not in html
    assert f"{count} alert{'' if count == 1 else 's'} match" in html


def test_history_matches_long_party_names_whole_and_only_visible_ones(
        site: TestClient, world: World) -> None:
    # Longer than the 200 characters the exporter's indexed key keeps.
    long = "Acme Chemicals and Solvents Trading " * 7

    def mine(shipment: str, exporter: str, score: float) -> dict[str, Any]:
        made = alert(shipment, score, exporter=exporter)
        made["row"]["importer_name"] = f"Importer of {shipment}"
        return made

    first, same, _ = upload(site, world, "dea_analyst", "TLP:AMBER",
                            mine("L-1", long + "One", 0.9), mine("L-2", long + "One", 0.8),
                            mine("L-3", long + "Two", 0.7))
    upload(site, world, "dea_analyst", "TLP:RED", mine("L-RED", long + "One", 0.9))
    upload(site, world, "ncb_analyst", "TLP:AMBER", mine("L-IN", long + "One", 0.9))
    sign_in(site, world, "cbp_analyst")
    page = site.get(f"/web/alerts/{first}").text
    assert f"#{same}</a> shipment L-2" in page
    for other in ("L-3", "L-RED", "L-IN"):
        assert f"shipment {other}," not in page
    sign_in(site, world, "dea_analyst")
    page = site.get(f"/web/alerts/{first}").text
    assert "shipment L-RED," in page and "shipment L-3," not in page


def test_decide_with_a_note_then_the_queue_moves_on(site: TestClient, world: World,
                                                    seeded: dict[str, Any]) -> None:
    first = seeded["dea_amber"][0]
    sign_in(site, world, "cbp_analyst")
    page = site.get(f"/web/alerts/{first}").text
    done = site.post(f"/web/alerts/{first}/decision",
                     data={"csrf": csrf_of(page), "decision": "referred",
                           "note": "ask DEA for the buyer's licence"})
    assert done.status_code == 200
    assert "Referred" in done.text and "ask DEA for the buyer&#39;s licence" in done.text
    assert "<td>US-1</td>" not in site.get("/web/alerts").text  # only open ones by default
    assert "1 alert matches" in _queue(site, status="referred")
    # The API shows the same decision.
    api = site.get(f"/alerts/{first}", headers=world.auth("dea_super")).json()
    assert api["decision"] == "referred"
    again = site.post(f"/web/alerts/{first}/decision",
                      data={"csrf": csrf_of(page), "decision": "stopped", "note": "late"})
    assert again.status_code == 409


def test_forms_without_the_csrf_token_are_refused(site: TestClient, world: World,
                                                  seeded: dict[str, Any]) -> None:
    first = seeded["dea_amber"][0]
    sign_in(site, world, "dea_analyst")
    for csrf in ("", "0" * 64):
        answer = site.post(f"/web/alerts/{first}/decision",
                           data={"csrf": csrf, "decision": "cleared", "note": "x"})
        assert answer.status_code == 403
    # Another user's CSRF token does not work with this session either.
    sign_in(site, world, "dea_super")
    theirs = csrf_of(site.get("/web/alerts").text)
    sign_in(site, world, "dea_analyst")
    answer = site.post(f"/web/alerts/{first}/decision",
                       data={"csrf": theirs, "decision": "cleared", "note": "x"})
    assert answer.status_code == 403


def test_viewer_gets_no_decide_form_and_cannot_post_one(site: TestClient, world: World,
                                                        seeded: dict[str, Any]) -> None:
    first = seeded["dea_amber"][0]
    sign_in(site, world, "dea_viewer")
    page = site.get(f"/web/alerts/{first}").text
    assert 'name="decision"' not in page
    answer = site.post(f"/web/alerts/{first}/decision",
                       data={"csrf": csrf_of(page), "decision": "cleared", "note": "x"})
    assert answer.status_code == 403


def test_decision_needs_a_note(site: TestClient, world: World,
                               seeded: dict[str, Any]) -> None:
    first = seeded["dea_amber"][0]
    sign_in(site, world, "dea_analyst")
    page = site.get(f"/web/alerts/{first}").text
    answer = site.post(f"/web/alerts/{first}/decision",
                       data={"csrf": csrf_of(page), "decision": "cleared", "note": " "})
    assert answer.status_code == 422
    assert "write a note" in answer.text


def _notification(site: TestClient, world: World, marking: str = "TLP:AMBER",
                  release: bool = True) -> int:
    made = site.post("/notifications", headers=world.auth("dea_analyst"), json={
        "importing_nation": "IN", "exporter": "Acme Chemicals", "importer": "Bharat Pharma",
        "substance": "acetic anhydride", "cas_number": "108-24-7", "quantity_kg": 2000.0,
        "marking": marking})
    assert made.status_code == 201, made.text
    record_id: int = made.json()["id"]
    if release:
        sent = site.post(f"/notifications/{record_id}/release",
                         headers=world.auth("dea_super"),
                         json={"nation": "IN", "reason": "pre-export notice"})
        assert sent.status_code == 200, sent.text
    return record_id


def test_inbox_shows_incoming_with_time_left_and_hides_unreleased(
        site: TestClient, world: World) -> None:
    sent = _notification(site, world)
    draft = _notification(site, world, release=False)
    sign_in(site, world, "ncb_analyst")
    inbox = site.get("/web/notifications").text
    assert f'href="/web/notifications/{sent}"' in inbox
    assert f'href="/web/notifications/{draft}"' not in inbox
    assert "days" in inbox and "Waiting for an answer" in inbox
    assert site.get(f"/web/notifications/{draft}").status_code == 404
    sign_in(site, world, "dea_analyst")
    outgoing = site.get("/web/notifications").text
    assert f'href="/web/notifications/{draft}"' in outgoing


def test_answer_before_the_deadline_and_not_after(site: TestClient, world: World) -> None:
    on_time = _notification(site, world)
    late = _notification(site, world)
    store = Store(world.url, pool_size=1)
    with store.write() as session:
        session.execute(update(Notification).where(Notification.id == late).values(
            due_at=datetime.now(UTC) - timedelta(hours=1)))
    store.dispose()
    sign_in(site, world, "ncb_analyst")
    page = site.get(f"/web/notifications/{on_time}").text
    assert 'name="answer"' in page
    version = page.split('name="version" value="')[1].split('"')[0]
    done = site.post(f"/web/notifications/{on_time}/answer",
                     data={"csrf": csrf_of(page), "answer": "no_objection",
                           "reason": "licence checked", "version": version})
    assert done.status_code == 200
    assert '<dd id="status">No objection</dd>' in done.text
    closed = site.get(f"/web/notifications/{late}").text
    assert 'name="answer"' not in closed
    assert '<dd id="status">Expired without an answer</dd>' in closed
    refused = site.post(f"/web/notifications/{late}/answer",
                        data={"csrf": csrf_of(closed), "answer": "objection",
                              "version": "2"})
    assert refused.status_code == 409


def test_exporting_side_cannot_answer(site: TestClient, world: World) -> None:
    record_id = _notification(site, world)
    sign_in(site, world, "dea_super")
    page = site.get(f"/web/notifications/{record_id}").text
    assert 'name="answer"' not in page
    answer = site.post(f"/web/notifications/{record_id}/answer",
                       data={"csrf": csrf_of(page), "answer": "objection", "version": "2"})
    assert answer.status_code == 403


def test_overview_counts_leave_out_hidden_records(site: TestClient, world: World) -> None:
    _notification(site, world, marking="TLP:RED", release=False)
    _notification(site, world, marking="TLP:RED", release=False)
    _notification(site, world)
    sign_in(site, world, "dea_analyst")
    mine = site.get("/web/overview").text
    assert '<th scope="row">Draft (not sent)</th>' in mine
    sign_in(site, world, "ncb_analyst")
    theirs = site.get("/web/overview").text
    # Only the released one: one bar, value 1, and no draft bar at all.
    assert "Draft (not sent)" not in theirs
    assert '<span class="value">1</span>' in theirs
    sign_in(site, world, "cbp_analyst")
    # CBP sees the AMBER one in its nation but neither RED draft.
    assert "Draft (not sent)" not in site.get("/web/overview").text


def test_cases_mark_overdue_actions_and_hide_other_agencies_strict_cases(
        site: TestClient, world: World) -> None:
    made = site.post("/cases", headers=world.auth("ncb_analyst"), json={
        "title": "Mundra acetic anhydride ring", "summary": "three exporters"})
    assert made.status_code == 201, made.text
    case = made.json()["id"]
    for due in ("2020-01-01", "2999-01-01"):
        added = site.post(f"/cases/{case}/actions", headers=world.auth("ncb_analyst"),
                          json={"description": f"check bank records by {due}",
                                "owner_agency": "NCB", "due_on": due})
        assert added.status_code == 200, added.text
    sign_in(site, world, "ncb_viewer")
    page = site.get("/web/cases").text
    assert "Mundra acetic anhydride ring" in page
    assert page.count("Overdue") == 1 and 'class="overdue-row"' in page
    # NCB's default marking is AMBER+STRICT: CBN, same nation, does not see it.
    sign_in(site, world, "cbn_analyst")
    assert "Mundra" not in site.get("/web/cases").text


def test_incidents_page_hides_the_other_nations_records(site: TestClient,
                                                        world: World) -> None:
    made = site.post("/incidents", headers=world.auth("dea_analyst"), json={
        "kind": "seizure", "occurred_on": "2026-03-01", "place": "Port of Houston",
        "substances": [{"substance": "acetic anhydride"}], "summary": "800 kg seized",
        "marking": "TLP:GREEN"})
    assert made.status_code == 201, made.text
    sign_in(site, world, "cbp_analyst")
    assert "Port of Houston" in site.get("/web/incidents").text
    sign_in(site, world, "ncb_super")
    assert "Port of Houston" not in site.get("/web/incidents").text


def test_empty_filter_boxes_mean_any_and_bad_scores_are_explained(
        site: TestClient, world: World, seeded: dict[str, Any]) -> None:
    sign_in(site, world, "dea_analyst")
    assert "3 alerts match" in _queue(site, min_score="", lane="", nation="", substance="")
    bad = site.get("/web/alerts", params={"min_score": "high"})
    assert bad.status_code == 422 and "a number from 0 to 1" in bad.text


def test_consignment_page_names_the_substance_and_its_legal_controls(
        site: TestClient, world: World, seeded: dict[str, Any]) -> None:
    sign_in(site, world, "dea_analyst")
    page = site.get(f"/web/alerts/{seeded['dea_amber'][0]}").text
    assert "<strong>acetic anhydride</strong> (CAS 108-24-7" in page
    listings = page.split('<table id="listings">')[1].split("</table>")[0]
    # The 1988 Convention's Table I and the US List II both control it, with sources.
    assert "Table I" in listings and "List II" in listings
    assert "21 CFR" in listings


def test_consignment_page_links_only_visible_notifications_of_its_shipment(
        site: TestClient, world: World, seeded: dict[str, Any]) -> None:
    ids = []
    for marking in ("TLP:AMBER", "TLP:RED"):
        made = site.post("/notifications", headers=world.auth("dea_analyst"), json={
            "importing_nation": "IN", "exporter": "Acme Chemicals",
            "importer": "Bharat Pharma", "substance": "acetic anhydride",
            "quantity_kg": 2000.0, "shipment_id": "US-1", "marking": marking})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    amber, red = ids
    sign_in(site, world, "dea_analyst")
    page = site.get(f"/web/alerts/{seeded['dea_amber'][0]}").text
    assert f"Notification #{amber}<" in page and f"Notification #{red}<" in page
    sign_in(site, world, "cbp_analyst")
    page = site.get(f"/web/alerts/{seeded['dea_amber'][0]}").text
    assert f"Notification #{amber}<" in page and f"Notification #{red}<" not in page
