"""The loop closed: screening publishes alerts, reviewers decide them on the server, and
``screen history-export`` turns the decisions back into labelled contract rows."""

from __future__ import annotations

from pathlib import Path

import httpx
from typer.testing import CliRunner

from precursorwatch.cli import app
from precursorwatch.records.readers import read_contract_files
from tests.api.live import live_server
from tests.commands.test_screen import ROUTINE, STORY_NEW, _write_csv
from tests.exchange_fixtures import seed_world

runner = CliRunner()


def test_screen_publishes_alerts_and_decisions_come_back_as_history(tmp_path: Path) -> None:
    _write_csv(tmp_path / "history.csv", ROUTINE)
    _write_csv(tmp_path / "new.csv", STORY_NEW)
    db = f"sqlite:///{tmp_path / 'exchange.db'}"
    world = seed_world(db)
    with live_server(db) as base:
        screened = runner.invoke(app, [
            "screen", "run", str(tmp_path / "new.csv"), "--history", str(tmp_path / "history.csv"),
            "--out", str(tmp_path / "out.csv"), "-q", "--publish", base,
            "--token", world.tokens["dea_analyst"]])
        assert screened.exit_code == 0, screened.output
        assert "Published 1 alerts" in screened.stderr or "Published 2 alerts" in screened.stderr
        with httpx.Client(base_url=base, headers=world.auth("dea_super")) as http:
            alerts = http.get("/alerts", params={"decided": "false"}).json()
            assert "N1" in [a["shipment_id"] for a in alerts]
            n1 = next(a for a in alerts if a["shipment_id"] == "N1")
            assert n1["row"]["importer_id"] == "EIN 12-3456789" and n1["reasons"]
            assert n1["marking"] == "TLP:AMBER"
            hidden = http.get(f"/alerts/{n1['id']}", headers=world.auth("ncb_analyst"))
            assert hidden.status_code == 404
            decided = http.post(f"/alerts/{n1['id']}/decision",
                                json={"decision": "stopped", "note": "ten times usual"})
            assert decided.status_code == 200
            again = http.post(f"/alerts/{n1['id']}/decision", json={"decision": "cleared"},
                              headers=world.auth("cbp_analyst"))
            assert again.status_code == 409
            by_india = http.post(f"/alerts/{n1['id']}/decision", json={"decision": "cleared"},
                                 headers=world.auth("ncb_super"))
            assert by_india.status_code == 404
            for other in alerts:
                if other["shipment_id"] != "N1":
                    http.post(f"/alerts/{other['id']}/decision", json={"decision": "referred"})
        exported = runner.invoke(app, ["screen", "history-export", "--server", base,
                                       "--out", str(tmp_path / "decided.csv"),
                                       "--token", world.tokens["dea_viewer"]])
        assert exported.exit_code == 0, exported.output
    rows = read_contract_files([tmp_path / "decided.csv"]).to_pylist()
    assert [(r["shipment_id"], r["outcome"]) for r in rows] == [("N1", "diverted")]
    assert rows[0]["importer_id"] == "EIN 12-3456789"
