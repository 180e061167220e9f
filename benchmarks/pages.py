"""How long the reviewers' pages take with 100,000 screened consignments in the store.

What it measures: the wall time of ``GET`` requests for the alert queue (default view,
filtered by substance, lane, nation and score, a deep page), a consignment page (with its
history, entities and incidents), the entity list (all, and searched) and an entity page
(names, shipments, incidents, network), the incidents and cases pages, sent over loopback
HTTP to the real app under uvicorn, signed in by cookie as an analyst. Each request is
timed from send to last byte; p50, p95 and max over ``--repeat`` requests per view are
printed, the first request's own time (the first of each view in a fresh server: cold
templates, statements and, for the consignment page, the substance registry), the median
CPU time per request of this process (server and client; steadier than wall time on a
shared machine, though on PostgreSQL the database's own CPU is not in it), and the number
of alerts or entities the page counted.

Data: ``--rows`` alerts (default 100,000) uploaded through ``store.alerts.upload`` (the
API's own path) by two agencies of one nation, 80 % TLP:AMBER and 20 % TLP:RED, scores,
substances and lanes drawn with a fixed seed from a small list; the 2,006 exporters and
importers named in them as resolved entities through ``store.entities.upload`` (each with
its shipments, about 100, tied to three others; one in ten TLP:RED of the other agency);
and 500 incidents naming exporters. Into a fresh SQLite file, or the empty PostgreSQL
database at ``--pg URL``.

On PostgreSQL the store is vacuumed and analysed after seeding (see ``_analyze``).

Run: ``.venv/bin/python benchmarks/pages.py`` (``--rows``, ``--repeat``, ``--pg``).
The target is under 300 ms per page.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import create_engine, text

from precursorwatch.exchange.notifications import default_nation_rules
from precursorwatch.exchange.policy import Marking, Role
from precursorwatch.settings import Settings
from precursorwatch.store import alerts, entities, identity, records
from precursorwatch.store.session import Store, migrate
from precursorwatch.web import create_site

SUBSTANCES = [("acetic anhydride", "108-24-7"), ("ephedrine", "299-42-3"),
              ("pseudoephedrine", "90-82-4"), ("potassium permanganate", "7722-64-7"),
              ("safrole", "94-59-7"), ("N-phenethyl-4-piperidone", "39742-60-4")]
NATIONS = ["IN", "US", "CN", "MX", "NL", "AE", "DE"]


def _seed(url: str, rows: int, seed: int) -> str:
    store = Store(url, pool_size=1)
    migrate(store.engine)
    rules = default_nation_rules()
    rng = random.Random(seed)
    with store.write() as session:
        identity.add_nation(session, rules["US"])
        identity.add_nation(session, rules["IN"])
        identity.add_agency(session, "DEA", "Drug Enforcement Administration", "US")
        identity.add_agency(session, "CBP", "Customs and Border Protection", "US")
        identity.add_user(session, "analyst", "DEA", [Role.ANALYST])
        identity.add_user(session, "other", "CBP", [Role.ANALYST])
        tokens = {name: identity.issue_token(session, name) for name in ("analyst", "other")}
    callers = {}
    with store.read() as session:
        for name, tok in tokens.items():
            caller = identity.caller_for_token(session, tok)
            assert caller is not None
            callers[name] = caller
    token = tokens["analyst"]
    batch = 10_000
    for start in range(0, rows, batch):
        items = []
        for i in range(start, min(rows, start + batch)):
            name, cas = rng.choice(SUBSTANCES)
            export, import_ = rng.sample(NATIONS, 2)
            items.append({"shipment_id": f"S{i:07d}", "score": round(rng.random(), 4),
                          "reasons": ["quantity far above this exporter's usual",
                                      "new importer for this substance"],
                          "row": {"shipment_id": f"S{i:07d}", "export_country": export,
                                  "import_country": import_, "product_description": name,
                                  "cas_number": cas, "exporter_name": f"Exporter {i % 997}",
                                  "importer_name": f"Importer {i % 1009}",
                                  "quantity": rng.randint(10, 20_000), "unit": "kg"}})
        marking = Marking.RED if (start // batch) % 5 == 4 else Marking.AMBER
        who = callers["analyst"] if (start // batch) % 2 == 0 else callers["other"]
        with store.write() as session:
            alerts.upload(session, who, items, marking)
    _seed_entities(store, callers, rows, rng)
    store.dispose()
    return token


def _seed_entities(store: Store, callers: dict[str, Any], rows: int,
                   rng: random.Random) -> None:
    shipments: dict[str, list[entities.ShipmentRef]] = {}
    for i in range(rows):
        for side, count in (("Exporter", 997), ("Importer", 1009)):
            shipments.setdefault(f"{side} {i % count}", []).append(entities.ShipmentRef(
                f"S{i:07d}", "US-DEA", side.lower()))
    names = sorted(shipments)
    keys = {name: f"pw-entity-{index:05d}" for index, name in enumerate(names)}
    uploads: dict[str, list[entities.EntityUpload]] = {"analyst": [], "other": []}
    for index, name in enumerate(names):
        owner = "other" if index % 10 == 9 else "analyst"
        uploads[owner].append(entities.EntityUpload(
            key=keys[name], schema="Company",
            properties={"name": [name], "alias": [name.upper(), f"{name} Pvt Ltd"],
                        "registrationNumber": [f"REG{index:06d}"], "country": ["in"]},
            shipments=shipments[name]))
    for owner, marking in (("analyst", Marking.AMBER), ("other", Marking.RED)):
        mine = {item.key for item in uploads[owner]}
        ties = [entities.LinkUpload(a.key, b, rng.uniform(0.5, 8), "trade", rng.randint(1, 9))
                for a in uploads[owner]
                for b in rng.sample(sorted(mine - {a.key}), 3)]
        with store.write() as session:
            entities.upload(session, callers[owner], uploads[owner], ties, marking)
    with store.write() as session:
        for i in range(500):
            records.create_incident(
                session, callers["analyst"], kind="seizure", occurred_on=date(2026, 1, 1)
                + timedelta(days=i % 300), place="Port of Houston",
                substances=[{"substance": "acetic anhydride"}], route=None,
                modus_operandi=None, parties=[{"name": f"Exporter {i}", "role": "exporter"}],
                summary="drums seized", marking=Marking.AMBER)


def _analyze(url: str) -> None:
    """VACUUM ANALYZE the PostgreSQL store after the bulk load, as PostgreSQL's manual
    advises and as autovacuum does on its own about a minute later: without it the first
    views are timed against a table with no statistics and no visibility map, a state a
    store fed batch by batch over days is never in. (A SQLite store gets no statistics
    unless someone runs ANALYZE, so the SQLite run is timed without them.)"""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _serve(url: str) -> tuple[uvicorn.Server, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_site(Settings(db=url)), host="127.0.0.1",
                                           port=port, log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000,
                        help="alerts to seed (default 100,000)")
    parser.add_argument("--repeat", type=int, default=20,
                        help="requests per view (default 20)")
    parser.add_argument("--seed", type=int, default=8, help="random seed (default 8)")
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database to use "
                        "(default: a new SQLite file in a temporary folder)")
    args = parser.parse_args()
    url = args.pg or f"sqlite:///{Path(tempfile.mkdtemp()) / 'pages.db'}"
    started = time.perf_counter()
    token = _seed(url, args.rows, args.seed)
    print(f"seeded {args.rows:,} alerts in {time.perf_counter() - started:.1f} s "
          f"({url.split(':')[0]})")
    if args.pg:
        _analyze(url)
    server, base = _serve(url)
    views = {
        "queue, default (open, highest score first)": "/web/alerts",
        "queue, all statuses": "/web/alerts?status=all",
        "queue, substance 108-24-7": "/web/alerts?status=all&substance=108-24-7",
        "queue, lane IN-US": "/web/alerts?status=all&lane=IN-US",
        "queue, nation MX and score >= 0.9": "/web/alerts?status=all&nation=MX&min_score=0.9",
        "queue, page 100": "/web/alerts?status=all&page=100",
        "consignment page with history": "/web/alerts/12345",
        "entities, first page": "/web/entities",
        "entities, searched by name": "/web/entities?q=Exporter%2012",
        "entity page with its network": "/web/entities/12",
        "incidents": "/web/incidents",
        "cases": "/web/cases",
    }
    with httpx.Client(base_url=base, timeout=60, cookies={"pw_session": token}) as client:
        for label, path in views.items():
            times, cpu = [], []
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                answer = client.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            first = times[0]
            counted = ""
            if 'id="count"' in answer.text:
                counted = answer.text.split('id="count"')[1].split(">")[1].split(" ")[0]
            times.sort()
            print(f"{label:48s} p50 {statistics.median(times):7.1f} ms  "
                  f"p95 {times[int(len(times) * 0.95) - 1]:7.1f} ms  max {times[-1]:7.1f} ms"
                  f"  first {first:7.1f} ms ({cpu[0]:6.1f} cpu)"
                  f"  cpu p50 {statistics.median(cpu):6.1f} ms  {counted} counted")
    server.should_exit = True


if __name__ == "__main__":
    main()
