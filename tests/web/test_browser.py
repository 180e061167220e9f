"""The pages in a real browser: Debian's Chromium driven by Playwright against a real
uvicorn server on loopback.

One browser for the whole module, one server over a SQLite store seeded through the API.
Screenshots go to ``test-artifacts/web/`` (docs/guide/ uses them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from precursorwatch.store.models import Notification
from precursorwatch.store.session import Store
from precursorwatch.web import create_site
from tests.api.live import live_server
from tests.exchange_fixtures import World, seed_world
from tests.web.conftest import alert, entity, tie

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).parent.parent.parent
SHOTS = ROOT / "test-artifacts" / "web"
#: Playwright's own browser download cannot work offline; Debian's package does.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    for candidate in (os.environ.get("PRECURSORWATCH_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = _chromium()
    if path is None:
        pytest.skip("no Chromium: run scripts/chromium.sh (installs Debian's chromium)")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=path, args=CHROMIUM_ARGS,
                                          headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World,
                                                                        dict[str, int]]]:
    db = f"sqlite:///{tmp_path_factory.mktemp('web') / 'exchange.db'}"
    world = seed_world(db)
    with live_server(db, create_site) as base:
        ids: dict[str, int] = {}
        with httpx.Client(base_url=base, timeout=30) as api:
            def post(user: str, path: str, body: dict[str, Any]) -> Any:
                done = api.post(path, json=body, headers=world.auth(user))
                assert done.status_code in (200, 201), done.text
                return done.json()

            ids["ncb_alert"] = post("ncb_analyst", "/alerts", {"marking": "TLP:AMBER", "alerts": [
                alert("IN-7", 0.88, export="IN", import_="MX", exporter="Sagar Chem"),
                alert("IN-8", 0.62, export="IN", import_="US", substance="ephedrine",
                      cas="299-42-3")]})[0]["id"]
            ids["dea_red"] = post("dea_analyst", "/alerts", {"marking": "TLP:RED", "alerts": [
                alert("US-SECRET", 0.99, exporter="Secret Front Ltd")]})[0]["id"]
            for name in ("on_time", "late"):
                made = post("dea_analyst", "/notifications", {
                    "importing_nation": "IN", "exporter": "Acme Chemicals",
                    "importer": "Bharat Pharma", "substance": "acetic anhydride",
                    "cas_number": "108-24-7", "quantity_kg": 2000.0, "marking": "TLP:AMBER"})
                post("dea_super", f"/notifications/{made['id']}/release",
                     {"nation": "IN", "reason": "pre-export notice"})
                ids[name] = made["id"]
            # NCB's resolved parties of its alerts, and DEA's RED front company.
            ncb = post("ncb_analyst", "/entities", {"marking": "TLP:AMBER", "entities": [
                entity("pw-entity-sagar", "Sagar Chem Private Limited", "Sagar Chem",
                       "SAGAR CHEM PVT LTD", shipments=(("IN-7", "exporter"),),
                       ids=("05EZBCV9160R1Z5",), country="in"),
                entity("pw-entity-bharat", "Bharat Pharma", shipments=(
                    ("IN-7", "importer"), ("IN-8", "importer")), country="in"),
                entity("pw-entity-acme", "Acme Chemicals", shipments=(("IN-8", "exporter"),)),
            ], "links": [tie("pw-entity-sagar", "pw-entity-bharat"),
                         tie("pw-entity-bharat", "pw-entity-acme", "address")]})
            ids |= {item["key"]: item["id"] for item in ncb}
            ids["secret_entity"] = post("dea_analyst", "/entities", {
                "marking": "TLP:RED", "entities": [
                    entity("pw-entity-secret", "Secret Front Ltd",
                           shipments=(("US-SECRET", "exporter"),))]})[0]["id"]
            post("ncb_analyst", "/incidents", {
                "kind": "seizure", "occurred_on": "2026-03-01", "place": "Mundra port",
                "substances": [{"substance": "acetic anhydride"}], "summary": "drums seized",
                "parties": [{"name": "Sagar Chem", "role": "exporter"}],
                "marking": "TLP:AMBER"})
        store = Store(db, pool_size=1)
        with store.write() as session:
            session.execute(update(Notification).where(Notification.id == ids["late"])
                            .values(due_at=datetime.now(UTC) - timedelta(hours=2)))
        store.dispose()
        yield base, world, ids


def _page(browser: Any, base: str, zone: str, width: int = 1280, height: int = 800) -> Any:
    context = browser.new_context(base_url=base, timezone_id=zone, locale="en-US",
                                  viewport={"width": width, "height": height})
    return context.new_page()


def _sign_in(page: Any, world: World, user: str) -> None:
    page.goto("/web/login")
    page.get_by_label("API token").fill(world.tokens[user])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/web/alerts")


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_reviewer_signs_in_filters_and_decides(browser: Any, served: Any) -> None:
    base, world, ids = served
    page = _page(browser, base, "Asia/Kolkata")
    _sign_in(page, world, "ncb_analyst")
    assert page.locator("#count").inner_text().startswith("2 alerts match")
    # ICU still names New Delhi's zone by its old alias.
    assert page.locator("#tz").inner_text() in ("Asia/Kolkata", "Asia/Calcutta")
    assert "US-SECRET" not in page.content()
    _shot(page, "queue")
    page.get_by_label("Substance (CAS number or words)").fill("ephedrine")
    page.get_by_role("button", name="Show").click()
    assert page.locator("#count").inner_text().startswith("1 alert matches")
    page.get_by_label("Substance (CAS number or words)").fill("")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=f"#{ids['ncb_alert']}").click()
    page.get_by_label("Your note").fill("Sagar Chem's licence lapsed in March")
    _shot(page, "alert")
    page.get_by_role("button", name="Refer").click()
    decided = page.locator("#decided")
    assert "Referred" in decided.inner_text()
    assert "Sagar Chem's licence lapsed" in decided.inner_text()
    assert "IST" in decided.inner_text() or "GMT+5:30" in decided.inner_text()
    page.context.close()


def test_answer_a_notification_before_and_after_its_deadline(browser: Any,
                                                            served: Any) -> None:
    base, world, ids = served
    page = _page(browser, base, "Asia/Kolkata")
    _sign_in(page, world, "ncb_super")
    page.get_by_role("link", name="Notifications").click()
    incoming = page.locator("#t-incoming")
    assert "Overdue" not in incoming.inner_text()  # the late one is closed on reading
    _shot(page, "inbox")
    page.get_by_role("link", name=f"#{ids['on_time']}", exact=True).first.click()
    page.get_by_label("No objection").check()
    page.get_by_label("Reason").fill("importer's licence verified")
    page.get_by_role("button", name="Send the answer").click()
    assert page.locator("#status").inner_text() == "No objection"
    _shot(page, "answered")
    page.goto(f"/web/notifications/{ids['late']}")
    assert page.locator("#status").inner_text() == "Expired without an answer"
    assert page.get_by_role("button", name="Send the answer").count() == 0
    page.context.close()


def test_red_record_of_the_other_nation_stays_invisible(browser: Any, served: Any) -> None:
    base, world, ids = served
    washington = _page(browser, base, "America/New_York")
    _sign_in(washington, world, "dea_analyst")
    assert "US-SECRET" in washington.content()
    assert washington.locator("#tz").inner_text() == "America/New_York"
    washington.context.close()
    delhi = _page(browser, base, "Asia/Kolkata")
    _sign_in(delhi, world, "ncb_super")
    delhi.goto("/web/alerts?status=all")
    assert "US-SECRET" not in delhi.content()
    answer = delhi.goto(f"/web/alerts/{ids['dea_red']}")
    assert answer.status == 404
    assert "Secret Front" not in delhi.content()
    _shot(delhi, "hidden")
    delhi.context.close()


def test_narrow_screen_and_keyboard(browser: Any, served: Any) -> None:
    base, world, _ = served
    page = _page(browser, base, "America/New_York", width=390, height=844)
    _sign_in(page, world, "dea_analyst")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Wide tables scroll inside their box; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, "queue-narrow")
    page.context.close()


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def test_pages_have_no_accessibility_violations(browser: Any, served: Any) -> None:
    """axe-core's WCAG 2 A and AA rules on every page a reviewer uses."""
    base, world, ids = served
    page = _page(browser, base, "America/New_York")
    page.goto("/web/login")
    pages = ["/web/login"]
    _sign_in(page, world, "ncb_analyst")
    pages += ["/web/alerts", f"/web/alerts/{ids['ncb_alert'] + 1}", "/web/notifications",
              f"/web/notifications/{ids['late']}", "/web/incidents", "/web/cases",
              "/web/overview", "/web/entities", f"/web/entities/{ids['pw-entity-bharat']}"]
    found = {}
    for path in pages:
        if path == "/web/login":
            page.context.clear_cookies()
        page.goto(path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
        assert len(result["passes"]) > 10, "axe did not run its rules"
        found[path] = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]]
        _shot(page, "page-" + (path.strip("/").replace("/", "-") or "home"))
        if path == "/web/login":
            _sign_in(page, world, "ncb_analyst")
    assert found == {path: [] for path in pages}
    page.context.close()


def test_consignment_to_entity_and_its_network(browser: Any, served: Any) -> None:
    """From an alert to its exporter's page: names, incidents, the drawn network, and on
    to a neighbour, by mouse and by keyboard; DEA's RED entity never shows in India."""
    base, world, ids = served
    page = _page(browser, base, "Asia/Kolkata")
    _sign_in(page, world, "ncb_analyst")
    page.goto(f"/web/alerts/{ids['ncb_alert']}")
    parties = page.locator("#linked-entities")
    assert "Exporter: Sagar Chem Private Limited" in parties.inner_text()
    assert "Mundra port" in page.locator("#linked-incidents").inner_text()
    parties.get_by_role("link", name="Sagar Chem Private Limited").click()
    page.wait_for_url(f"**/web/entities/{ids['pw-entity-sagar']}")
    identity = page.locator("#identity").inner_text()
    assert "SAGAR CHEM PVT LTD" in identity and "05EZBCV9160R1Z5" in identity
    # vis-network draws on a canvas once the vendored script has loaded (no network).
    page.locator("#graph canvas").wait_for()
    page.wait_for_function("document.getElementById('graph').dataset.ready === 'yes'")
    assert page.locator("#neighbours tbody tr").count() == 2
    assert "Mundra port" in page.locator("#entity-incidents").inner_text()
    assert "Secret Front" not in page.content()
    _shot(page, "entity")
    # Keyboard: focus the neighbour's link in the table and follow it with Enter.
    page.locator("#neighbours").get_by_role("link", name="Bharat Pharma").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/web/entities/{ids['pw-entity-bharat']}")
    assert page.locator("#shipment-count").inner_text().startswith("2 shipments")
    assert page.goto(f"/web/entities/{ids['secret_entity']}").status == 404
    page.context.close()


def test_analyst_opens_a_case_and_supervisor_releases_it(browser: Any, served: Any) -> None:
    base, world, _ = served
    page = _page(browser, base, "Asia/Kolkata")
    _sign_in(page, world, "ncb_analyst")
    page.get_by_role("link", name="Cases").click()
    page.get_by_text("Open a new case").click()
    page.get_by_label("Title").fill("Sagar Chem shipments to Mexico")
    page.get_by_label("Summary (what the case is about)").fill("Follow the buyer's bank")
    page.get_by_label("Marking (who may see it)").select_option("TLP:AMBER")
    _shot(page, "case-new")
    page.get_by_role("button", name="Open the case").click()
    case = page.locator("section.case", has_text="Sagar Chem shipments to Mexico")
    case.get_by_text("Add an action item or a record").click()
    case.get_by_label("Action item").fill("Ask the bank for the buyer's payments")
    case.get_by_label("Due on").fill("2999-01-31")
    case.get_by_role("button", name="Add the action item").click()
    case = page.locator("section.case", has_text="Sagar Chem shipments to Mexico")
    assert "Ask the bank" in case.inner_text()
    assert case.get_by_role("button", name="Release").count() == 0  # not a supervisor
    page.context.close()
    page = _page(browser, base, "Asia/Kolkata")
    _sign_in(page, world, "ncb_super")
    page.goto("/web/cases")
    case = page.locator("section.case", has_text="Sagar Chem shipments to Mexico")
    case.get_by_label("Why (kept in the audit trail)").fill("joint operation with DEA")
    _shot(page, "case-release")
    case.get_by_role("button", name="Release case").click()
    case = page.locator("section.case", has_text="Sagar Chem shipments to Mexico")
    assert "Released to: US." in case.inner_text()
    page.context.close()
    page = _page(browser, base, "America/New_York")
    _sign_in(page, world, "dea_analyst")
    page.goto("/web/cases")
    assert "Sagar Chem shipments to Mexico" in page.content()
    page.context.close()


def test_sign_out_ends_the_session_on_the_server(browser: Any, served: Any) -> None:
    base, world, _ = served
    page = _page(browser, base, "America/New_York")
    _sign_in(page, world, "dea_analyst")
    cookies = page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/web/login")
    # The same cookie in a fresh browser: the server no longer knows it.
    thief = browser.new_context(base_url=base)
    thief.add_cookies(cookies)
    stolen = thief.new_page()
    stolen.goto("/web/alerts")
    assert "/web/login" in stolen.url
    thief.close()
    page.context.close()
