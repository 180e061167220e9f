"""``precursorwatch admin``, ``audit`` and ``serve`` run as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from precursorwatch.api.app import create_app
from precursorwatch.cli import app
from precursorwatch.settings import Settings
from precursorwatch.store.models import AuditRow
from precursorwatch.store.session import Store
from tests.api.live import free_port
from tests.conftest import ROOT

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _setup(db: str) -> str:
    for args in (("admin", "nation", "add", "US", "--db", db),
                 ("admin", "nation", "add", "IN", "--db", db),
                 ("admin", "agency", "add", "NCB", "--nation", "IN", "--db", db),
                 ("admin", "user", "add", "asha", "--agency", "NCB", "--role", "analyst",
                  "--role", "supervisor", "--db", db)):
        code, _, err = cli(*args)
        assert code == 0, (args, err)
    code, token, _ = cli("admin", "token", "issue", "asha", "--db", db)
    assert code == 0
    return token.strip()


def test_admin_creates_users_whose_tokens_work_and_are_stored_hashed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    token = _setup(db)
    assert token.startswith("pw_") and len(token) > 40
    assert token.encode() not in (tmp_path / "x.db").read_bytes()
    with TestClient(create_app(Settings(db=db))) as client:
        me = client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me == {"username": "asha", "agency": "NCB", "nation": "IN",
                      "roles": ["analyst", "supervisor"]}
        code, _, _ = cli("admin", "token", "revoke", "asha", "--db", db)
        assert code == 0
        gone = client.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 401


def test_audit_verify_with_checkpoints_catches_edits_and_truncation(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    token = _setup(db)
    with TestClient(create_app(Settings(db=db))) as client:
        for _ in range(3):
            assert client.get("/notifications", headers={
                "Authorization": f"Bearer {token}"}).status_code == 200
    key, pub, point = tmp_path / "audit.key", tmp_path / "audit.pub", tmp_path / "cp.json"
    assert cli("audit", "keygen", "--key", str(key), "--public-key", str(pub))[0] == 0
    assert cli("audit", "checkpoint", "--key", str(key), "--out", str(point), "--db", db)[0] == 0
    code, out, _ = cli("audit", "verify", "--db", db, "--checkpoint", str(point),
                       "--public-key", str(pub))
    assert code == 0 and "Audit trail verified: 8 entries" in out

    store = Store(db, pool_size=1)
    with store.write() as session:
        session.execute(update(AuditRow).where(AuditRow.seq == 7).values(actor="mallory"))
    code, _, err = cli("audit", "verify", "--db", db)
    assert code == 4 and "entry 7 was altered" in err
    with store.write() as session:
        session.execute(update(AuditRow).where(AuditRow.seq == 7).values(actor="asha"))
        session.execute(delete(AuditRow).where(AuditRow.seq > 7))
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 7
    store.dispose()
    assert cli("audit", "verify", "--db", db)[0] == 0  # the chain alone cannot tell
    code, _, err = cli("audit", "verify", "--db", db, "--checkpoint", str(point),
                       "--public-key", str(pub))
    assert code == 4 and "cut off" in err


def test_serve_answers_with_its_openapi_document(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PRECURSORWATCH_DB": f"sqlite:///{tmp_path / 'served.db'}"}
    server = subprocess.Popen([sys.executable, "-m", "precursorwatch", "serve", "--port",
                               str(port)], cwd=tmp_path, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                got = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert got.status_code == 200
        assert got.json()["info"]["title"] == "precursorwatch exchange"
        assert (tmp_path / "served.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert ROOT.exists()
