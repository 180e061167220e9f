"""The real app under a real uvicorn server on a free loopback port, for tests that need
concurrent HTTP requests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI

from precursorwatch.api.app import create_app
from precursorwatch.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(db: str, factory: Callable[[Settings], FastAPI] = create_app) -> Iterator[str]:
    """Serve the app that ``factory`` builds over ``db`` until the block ends; yields the
    base URL."""
    port = free_port()
    config = uvicorn.Config(factory(Settings(db=db)), host="127.0.0.1", port=port,
                            log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    else:
        raise RuntimeError("the server did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
