"""A server killed with SIGKILL in the middle of writing loses no write it acknowledged."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.live import free_port
from tests.api.test_access_matrix import notification
from tests.exchange_fixtures import seed_world


def _serve(db: str, port: int, cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PRECURSORWATCH_DB": db}
    server = subprocess.Popen([sys.executable, "-m", "precursorwatch", "serve", "--port",
                               str(port)], cwd=cwd, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("serve did not start")


@pytest.mark.slow
def test_kill_9_mid_write_loses_no_acknowledged_write(db_url: str, tmp_path: Path) -> None:
    world = seed_world(db_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(db_url, port, tmp_path)
    acknowledged: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=base, timeout=10, headers=world.auth("dea_analyst")) as http:
            while not stop.is_set():
                try:
                    got = http.post("/notifications", json=notification())
                except httpx.HTTPError:
                    return
                if got.status_code == 201:
                    with lock:
                        acknowledged.append(got.json()["id"])

    writers = [threading.Thread(target=write) for _ in range(6)]
    for writer in writers:
        writer.start()
    time.sleep(3)
    server.kill()  # SIGKILL: no shutdown, no flush
    server.wait()
    stop.set()
    for writer in writers:
        writer.join()
    assert len(acknowledged) > 20
    server = _serve(db_url, port, tmp_path)
    try:
        with httpx.Client(base_url=base, timeout=10, headers=world.auth("dea_viewer")) as http:
            listed = {item["id"] for item in http.get("/notifications",
                                                      params={"limit": 500}).json()}
            for offset in range(500, len(acknowledged) + 500, 500):
                listed |= {item["id"] for item in http.get(
                    "/notifications", params={"limit": 500, "offset": offset}).json()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert set(acknowledged) <= listed
