"""Requests per second and latency of the exchange server on loopback, reading and writing,
on SQLite and on PostgreSQL; and whether a kill -9 mid-write loses an acknowledged write.

What it measures, per store: ``precursorwatch serve`` as a separate process (one worker),
driven by an *open-loop* client: request *i* is due at ``start + i / rate`` whatever
happened to the earlier ones, and its latency counts from when it was due, so a stalled
server shows up as latency instead of silently lowering the load (no coordinated
omission). Phases:

- ``read``: ``GET /notifications/{id}`` of a random visible notification (each read also
  appends its audit entry, so every read is a write transaction too);
- ``write``: ``POST /notifications`` (a draft with its audit entry);
- ``mixed`` (``--soak SECONDS``): 80 % reads, 20 % writes, with the server's resident
  memory sampled at the start and the end;
- ``crash``: writers post notifications as fast as they can, the server is killed with
  SIGKILL after ``--crash-after`` seconds and restarted, and every notification whose
  creation was acknowledged (201) is looked up: any missing one is a lost write.

Reported per phase: target and achieved requests/s, p50/p99/max latency (ms), errors by
status, 5xx count, and the times "database is locked" appeared in the server's log; and,
per request completed, the CPU time of the server's processes, of this client and (for a
PostgreSQL on this machine) of the database's backends serving the benchmark's database,
with the share of the machine's CPUs busy during the phase (from ``/proc/stat``, all
processes, others' included). Their sum is what a request costs the machine: when the
machine is busy throughout, the rate cannot exceed its cores over that sum.

Data: two nations, two agencies, users and tokens, and 200 notifications to read, made
fresh in a new database for each store.

Run: ``.venv/bin/python benchmarks/api_load.py`` (SQLite, and PostgreSQL when
``PRECURSORWATCH_TEST_PG`` or ``--pg URL`` names a server where databases may be created).
``--read-rate``, ``--write-rate``, ``--seconds`` and ``--soak`` set the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from precursorwatch.exchange.notifications import default_nation_rules
from precursorwatch.exchange.policy import Role
from precursorwatch.store import identity
from precursorwatch.store.session import Store, migrate

#: Seconds after a phase's end during which late requests are still sent and awaited;
#: later ones are counted as not served, so an overloaded phase still ends.
GRACE = 10.0
#: Requests on the wire at once (and connections).
IN_FLIGHT = 128

BODY = {"importing_nation": "IN", "exporter": "Acme Chemicals Inc", "importer": "Bharat Pharma",
        "substance": "acetic anhydride", "cas_number": "108-24-7", "quantity_kg": 2000.0,
        "marking": "TLP:AMBER"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed(db: str) -> dict[str, str]:
    store = Store(db, pool_size=1)
    migrate(store.engine)
    rules = default_nation_rules()
    with store.write() as session:
        identity.add_nation(session, rules["US"])
        identity.add_nation(session, rules["IN"])
        identity.add_agency(session, "DEA", "DEA", "US")
        identity.add_agency(session, "NCB", "NCB", "IN")
        identity.add_user(session, "reader", "DEA", [Role.VIEWER])
        identity.add_user(session, "writer", "DEA", [Role.ANALYST])
        tokens = {u: identity.issue_token(session, u) for u in ("reader", "writer")}
    store.dispose()
    return tokens


class Server:
    """``precursorwatch serve`` in a child process; its stderr collected."""

    def __init__(self, db: str, workers: int) -> None:
        self.db, self.workers = db, workers
        url = make_url(db)
        #: The PostgreSQL database's name, whose backends' CPU time is counted.
        self.database = url.database if url.get_backend_name() == "postgresql" else None
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "PRECURSORWATCH_DB": self.db, "PRECURSORWATCH_POOL_SIZE": "20"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "precursorwatch", "serve", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            start_new_session=True)
        stderr = self.process.stderr
        assert stderr is not None
        threading.Thread(target=lambda: self.log.extend(stderr), daemon=True).start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start:\n" + "".join(self.log))

    def pids(self) -> list[int]:
        """The server process and its workers."""
        assert self.process is not None
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def cpu_seconds(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.pids())

    def rss_mib(self) -> float:
        """Resident memory of the server and its workers (MiB)."""
        total = 0
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def locked(self) -> int:
        return sum("database is locked" in line for line in self.log)


@dataclass
class Result:
    name: str
    target: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    wall: float = 0.0
    #: CPU seconds the server's processes, this client and the database's backends
    #: (PostgreSQL on this machine; 0 otherwise) spent during the phase.
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    db_cpu: float = 0.0
    #: Share of the machine's CPU time that was busy (any process) during the phase.
    busy: float = 0.0

    def line(self) -> str:
        done = sorted(self.latencies)
        if not done:
            return f"{self.name}: no requests completed"
        p50 = done[len(done) // 2] * 1000
        p99 = done[min(len(done) - 1, int(len(done) * 0.99))] * 1000
        errors = {("not sent" if k == -1 else "transport" if k == 0 else k): v
                  for k, v in self.statuses.items() if k >= 400 or k <= 0}
        server_errors = sum(v for k, v in self.statuses.items() if k >= 500)
        return (f"{self.name}: target {self.target:.0f}/s, achieved "
                f"{len(done) / self.wall:.0f}/s over {self.wall:.1f}s, p50 {p50:.1f} ms, "
                f"p99 {p99:.1f} ms, max {done[-1] * 1000:.0f} ms, errors {errors or 0}, "
                f"5xx {server_errors}, CPU per request: server "
                f"{self.server_cpu / len(done) * 1000:.2f} ms, client "
                f"{self.client_cpu / len(done) * 1000:.2f} ms, database "
                f"{self.db_cpu / len(done) * 1000:.2f} ms; machine busy "
                f"{self.busy * 100:.0f} %")


class _Wire:
    """Keep-alive HTTP/1.1 connections to the server, at most ``size`` of them.

    Written on asyncio streams instead of an HTTP client library: at a thousand requests a
    second httpx alone needs most of a core, and on a 2-core machine shared with the server
    the benchmark would then measure its own client.
    """

    def __init__(self, base: str, size: int) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.gate = asyncio.Semaphore(size)

    async def request(self, method: str, path: str, token: str, body: bytes = b"") -> int:
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n")
        if body:
            head += "Content-Type: application/json\r\n"
        data = (head + "\r\n").encode() + body
        reused = bool(self.idle)
        conn = self.idle.pop() if reused else await asyncio.open_connection(
            self.host, self.port)
        reader, writer = conn
        try:
            try:
                writer.write(data)
                status_line = await reader.readline()
            except OSError:
                if not reused:
                    raise
                status_line = b""
            if not status_line and reused:
                # The server closed this idle connection (its keep-alive timeout) before
                # answering: it read nothing, so send the request on a fresh one, as HTTP
                # clients do.
                writer.close()
                conn = reader, writer = await asyncio.open_connection(self.host, self.port)
                writer.write(data)
                status_line = await reader.readline()
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            await reader.readexactly(length)
            status = int(status_line.split()[1])
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self.idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from ``/proc/stat``."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle and iowait
    total = sum(values[:8])  # guest time is already counted in user and nice
    return total - idle, total


def _db_cpu_seconds(database: str | None) -> float:
    """CPU time of the PostgreSQL backends connected to ``database`` on this machine (their
    process titles name it); 0 when there are none (SQLite, or a remote server)."""
    if not database:
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
                total += _cpu_seconds(int(entry.name))
        except (OSError, ValueError):
            continue  # ended meanwhile
    return total


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its reaped children (seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = sum(int(v) for v in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


async def _open_loop(base: str, tokens: dict[str, str], ids: list[int], rate: float,
                     seconds: float, write_share: float, name: str) -> Result:
    result = Result(name, rate, seconds)
    rng = random.Random(7)
    wire = _Wire(base, IN_FLIGHT)
    body = json.dumps(BODY).encode()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    cutoff = start + seconds + GRACE

    async def one(due: float, write: bool, record: int) -> None:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        # At most IN_FLIGHT requests on the wire; waiting here still counts in the latency,
        # which runs from the due time.
        async with wire.gate:
            if time.perf_counter() > cutoff:
                # The server is so far behind that this request would only measure the
                # queue: counted as not sent (status -1), so the phase ends.
                result.statuses[-1] += 1
                return
            try:
                status = await asyncio.wait_for(
                    wire.request("POST", "/notifications", tokens["writer"], body) if write
                    else wire.request("GET", f"/notifications/{record}", tokens["reader"]),
                    GRACE)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError,
                    TimeoutError):
                status = 0
        if status != 0:
            result.latencies.append(time.perf_counter() - due)
        result.statuses[status] += 1

    tasks = [one(start + i / rate, rng.random() < write_share, rng.choice(ids))
             for i in range(total)]
    await asyncio.gather(*tasks)
    result.wall = time.perf_counter() - start
    wire.close()
    return result


def _phase(server: Server, tokens: dict[str, str], ids: list[int], rate: float,
           seconds: float, write_share: float, name: str) -> Result:
    """One open-loop phase, with the CPU time the server, this client and the database
    spent on it."""
    server_before, client_before = server.cpu_seconds(), time.process_time()
    db_before, machine_before = _db_cpu_seconds(server.database), _machine_ticks()
    # uvloop (a dependency of the server) also makes the client cheaper.
    result = uvloop.run(_open_loop(server.base, tokens, ids, rate, seconds, write_share,
                                   name))
    result.server_cpu = server.cpu_seconds() - server_before
    result.client_cpu = time.process_time() - client_before
    result.db_cpu = _db_cpu_seconds(server.database) - db_before
    machine_after = _machine_ticks()
    result.busy = ((machine_after[0] - machine_before[0])
                   / max(1, machine_after[1] - machine_before[1]))
    return result


def _crash(server: Server, tokens: dict[str, str], after: float) -> str:
    acknowledged: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer() -> None:
        with httpx.Client(base_url=server.base, timeout=10, headers={
                "Authorization": f"Bearer {tokens['writer']}"}) as http:
            while not stop.is_set():
                try:
                    got = http.post("/notifications", json=BODY)
                except httpx.HTTPError:
                    return
                if got.status_code == 201:
                    with lock:
                        acknowledged.append(got.json()["id"])

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(after)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join()
    server.start()
    missing = []
    with httpx.Client(base_url=server.base, timeout=10, headers={
            "Authorization": f"Bearer {tokens['writer']}"}) as http:
        for record in acknowledged:
            if http.get(f"/notifications/{record}").status_code != 200:
                missing.append(record)
    return (f"crash: {len(acknowledged)} writes acknowledged before kill -9, "
            f"{len(missing)} missing after restart")


def run(label: str, db: str, args: argparse.Namespace) -> list[str]:
    tokens = _seed(db)
    server = Server(db, args.workers)
    server.start()
    lines = [f"== {label} ({args.workers} worker{'s' if args.workers > 1 else ''})"]
    try:
        with httpx.Client(base_url=server.base, headers={
                "Authorization": f"Bearer {tokens['writer']}"}) as http:
            ids = [http.post("/notifications", json=BODY).json()["id"] for _ in range(200)]
        phases = [("read", args.read_rate, args.seconds, 0.0),
                  ("write", args.write_rate, args.seconds, 1.0)]
        for name, rate, seconds, share in phases:
            result = _phase(server, tokens, ids, rate, seconds, share, name)
            lines.append(result.line())
            print(lines[-1], flush=True)
        if args.soak:
            before = server.rss_mib()
            rate = args.soak_rate or args.read_rate * 0.8 * 0.5 + args.write_rate * 0.2 * 0.5
            # Resident memory every minute, so growth shows apart from warming up.
            samples: list[float] = []
            done = threading.Event()

            def sample() -> None:
                while not done.wait(60):
                    samples.append(server.rss_mib())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            result = _phase(server, tokens, ids, rate, args.soak, 0.2, "mixed")
            done.set()
            sampler.join()
            lines.append(result.line() + f", server memory {before:.0f} -> "
                         f"{server.rss_mib():.0f} MiB (each minute: "
                         f"{', '.join(f'{m:.0f}' for m in samples)})")
            print(lines[-1], flush=True)
        if args.crash_after:
            lines.append(_crash(server, tokens, args.crash_after))
            print(lines[-1], flush=True)
        lines.append(f"'database is locked' in the server log: {server.locked()} times")
        print(lines[-1], flush=True)
    finally:
        server.stop()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read-rate", type=float, default=1000, help="reads/s to offer")
    parser.add_argument("--write-rate", type=float, default=200, help="writes/s to offer")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--soak", type=float, default=0, help="mixed phase length (s)")
    parser.add_argument("--soak-rate", type=float, default=0,
                        help="requests/s in the mixed phase (default: half the read and "
                        "write rates, weighted 80/20)")
    parser.add_argument("--crash-after", type=float, default=3,
                        help="seconds of writing before kill -9 (0: skip)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--pg", default=os.environ.get("PRECURSORWATCH_TEST_PG"),
                        help="PostgreSQL URL where a database may be created")
    parser.add_argument("--only", choices=["sqlite", "postgres"], default=None)
    args = parser.parse_args()
    report = []
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            report += run("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", args)
    if args.only in (None, "postgres") and args.pg:
        name = f"pw_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            report += run("PostgreSQL", url, args)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print("\n".join(report))


if __name__ == "__main__":
    main()
