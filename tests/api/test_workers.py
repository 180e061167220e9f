"""Two server processes (``serve --workers 2``) writing at once keep one whole audit chain:
each batch of either process reads the chain's head under the lock that serialises them
(BEGIN IMMEDIATE behind a file lock on SQLite, an advisory lock on PostgreSQL). Drafts and
reads are batched (several requests' drafts in one insert, several reads in one query),
so refused drafts and hidden reads ride in the same batches: each request still gets
exactly its own entry, and a refused draft none."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from precursorwatch.exchange.audit import verify_chain
from precursorwatch.store import audit
from precursorwatch.store.session import Store
from tests.api.live import free_port
from tests.api.test_access_matrix import notification
from tests.exchange_fixtures import seed_world

CLIENTS = 8
ROUNDS = 15


def test_two_worker_processes_keep_one_whole_audit_chain(db_url: str, tmp_path: Path) -> None:
    world = seed_world(db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "precursorwatch", "serve", "--port", str(port), "--workers",
         "2"], cwd=tmp_path, env={**os.environ, "PRECURSORWATCH_DB": db_url},
        stderr=subprocess.DEVNULL, start_new_session=True)
    done: Counter[str] = Counter()
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            for _ in range(ROUNDS):
                made = http.post("/notifications", json=notification(),
                                 headers=world.auth("dea_analyst"))
                assert made.status_code == 201
                got = http.get(f"/notifications/{made.json()['id']}",
                               headers=world.auth("dea_viewer"))
                assert got.status_code == 200
                assert got.json() == made.json()
                # Not released to India: hidden from its agencies, and audited as such.
                hidden = http.get(f"/notifications/{made.json()['id']}",
                                  headers=world.auth("ncb_viewer"))
                assert hidden.status_code == 404
                # Refused (its importing nation is its own): no record, no entry.
                refused = http.post("/notifications", json=notification(importing="US"),
                                    headers=world.auth("dea_analyst"))
                assert refused.status_code == 422
                assert refused.json()["errors"][0]["field"] == "importing_nation"
                with lock:
                    done.update(["create", "read", "hidden"])

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    store = Store(db_url, pool_size=1)
    try:
        with store.read() as session:
            chain = list(audit.entries(session))
    finally:
        store.dispose()
    seq, _ = verify_chain(chain)
    assert seq == len(chain)
    actions = Counter(entry.action for entry in chain)
    assert actions["create"] == done["create"] == CLIENTS * ROUNDS
    assert actions["read"] == done["read"] == CLIENTS * ROUNDS
    hidden = [e for e in chain if e.outcome == "hidden"]
    assert len(hidden) == done["hidden"] == CLIENTS * ROUNDS
    assert all(e.actor == "ncb_viewer" for e in hidden)
    assert len(chain) == 3 * CLIENTS * ROUNDS
