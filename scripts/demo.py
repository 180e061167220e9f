"""The demo behind ``make demo``: runs the real commands on generated and sample data and says
what they found and where the results are. It grows with every capability of the system."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.csv as pa_csv
from rich.console import Console
from rich.table import Table

console = Console()
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "declarations.csv"


def run(*args: str) -> None:
    """Run one precursorwatch command as a user would, showing it first."""
    console.print(f"\n[bold cyan]$ precursorwatch {shlex.join(args)}[/bold cyan]")
    subprocess.run([sys.executable, "-m", "precursorwatch", *args], check=True)


def show_checked(path: Path, title: str, limit: int) -> list[dict[str, object]]:
    """Print the regulated rows of a checked file, first rule of each; return all rows."""
    rows = pa_csv.read_csv(path).to_pylist()
    view = Table("shipment", "description", "substances", "first rule that applies",
                 title=title, show_lines=True)
    for row in [r for r in rows if r["regulated"]][:limit]:
        rules = str(row["rules"] or "").split("; ")
        view.add_row(str(row["shipment_id"]), str(row["product_description"]),
                     str(row["substances"] or "-"), rules[0] or "-")
    console.print(view)
    return rows


def show_rings(simulated: Path, typed: Path, rings: Path, plan: Path) -> None:
    """How the communities found line up with the rings the simulator planted, and where
    the plan's first targets sit: each planted ring's members (as resolved entities), the
    community holding most of them, and how many of them the plan's targets include."""
    import igraph as ig

    graph = ig.Graph.Read_GraphML(str(typed))
    kinds, names = graph.vs["kind"], graph.vs["name"]
    party_of = {}
    for row in pa_csv.read_csv(simulated / "labels.csv").to_pylist():
        for role in ("exporter", "importer", "consignee"):
            if row[f"{role}_party"]:
                party_of[(f"shipment:{row['source']}:{row['shipment_id']}", role)] = \
                    row[f"{role}_party"]
    entity_of_party: dict[str, Counter[str]] = {}
    for edge in graph.es:
        a, b = edge.tuple
        if kinds[a] == "shipment":
            a, b = b, a
        if kinds[a] == "entity" and kinds[b] == "shipment":
            party = party_of.get((names[b], edge["kind"]))
            if party:
                entity_of_party.setdefault(party, Counter())[names[a]] += 1
    community = {r["node"]: r["community"] for r in pa_csv.read_csv(rings).to_pylist()}
    targets = {str(r["node"]) for r in pa_csv.read_csv(plan).to_pylist()}
    members: dict[str, set[str]] = {}
    for row in pa_csv.read_csv(simulated / "rings.csv").to_pylist():
        found = entity_of_party.get(str(row["member_id"]))
        if found:
            members.setdefault(str(row["ring_id"]), set()).add(found.most_common(1)[0][0])
    view = Table("planted ring", "members seen in trade", "in its main community",
                 "community", "members among the plan's targets",
                 title="Planted rings against the communities found")
    for ring, entities in sorted(members.items()):
        held = Counter(community[e] for e in entities if e in community)
        main_community, count = held.most_common(1)[0] if held else ("-", 0)
        view.add_row(ring, str(len(entities)), f"{count} ({count / len(entities):.0%})",
                     str(main_community), str(len(entities & targets)))
    console.print(view)


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    simulated, store = out / "simulated", out / "store"
    console.rule("precursorwatch demo")

    console.print("\n[bold]1. Generate a year of US-India trade with planted diversion[/bold]")
    run("simulate", "--rows", "20000", "--seed", "7", "--out", str(simulated))

    console.print("\n[bold]2. Load it into the analytics store (every row checked)[/bold]")
    run("ingest", str(simulated / "history.csv"), str(simulated / "new.csv"),
        "--store", str(store))
    run("ingest", "--stats", "--store", str(store))

    console.print("\n[bold]3. Know the law: the registry of controlled substances[/bold]")
    run("substances", "list", "--out", str(out / "registry.csv"))
    run("substances", "show", "90-82-4")
    run("substances", "identify", "--text", "Pseudo-Ephedrine HCl USP 25 kg", "--cas", "345-78-8")
    run("substances", "identify", "--text", "एफेड्रिन हाइड्रोक्लोराइड 25 किग्रा")

    console.print("\n[bold]4. Which new consignments carry controlled substances, and which "
                  "are regulated?[/bold]")
    run("substances", "check", str(simulated / "new.csv"), "--out", str(out / "new-checked.csv"))
    rows = show_checked(out / "new-checked.csv", "Regulated consignments among the new trade "
                        "(first 8)", 8)
    found = Counter(s for r in rows for s in str(r["substances"] or "").split(";") if s)
    console.print("Most frequent controlled substances in the new trade: "
                  + ", ".join(f"{name} ({count})" for name, count in found.most_common(6)))
    run("substances", "check", str(SAMPLE), "--out", str(out / "sample-checked.csv"))
    show_checked(out / "sample-checked.csv", "Regulated consignments among the 12 sample "
                 "declarations", 12)

    console.print("\n[bold]5. Screen the new trade for diversion, against the history[/bold]")
    model, screened = out / "model.json", out / "screened.csv"
    run("screen", "train", "--history", str(simulated / "history.csv"), "--out", str(model))
    run("screen", str(simulated / "new.csv"), "--history", str(simulated / "history.csv"),
        "--model", str(model), "--out", str(screened), "--top", "5")
    top = max(pa_csv.read_csv(screened).to_pylist(), key=lambda r: float(r["score"]))
    run("screen", "explain", str(top["shipment_id"]), "--source", str(top["source"]),
        "--input", str(simulated / "new.csv"), "--history", str(simulated / "history.csv"),
        "--model", str(model))
    truth = {(r["source"], r["shipment_id"]): r for r in
             pa_csv.read_csv(simulated / "labels.csv").to_pylist()}
    alerts = [r for r in pa_csv.read_csv(screened).to_pylist() if r["flagged"]]
    real = sum(1 for r in alerts if truth[(r["source"], r["shipment_id"])]["label"]
               == "diverted")
    planted = sum(1 for r in truth.values() if r["split"] == "new" and r["label"] == "diverted")
    console.print(f"The simulator planted {planted} diverted consignments in the new trade; "
                  f"screening raised {len(alerts)} alerts, {real} of them planted diversion.")

    console.print("\n[bold]6. Who is who: the same firm across spellings, scripts and "
                  "numbers[/bold]")
    entities, members = out / "entities.ftm.jsonl", out / "members.csv"
    run("resolve", "--store", str(store), "--ftm", str(simulated / "incidents.ftm.jsonl"),
        "--out", str(entities), "--members", str(members))
    held = Counter(str(r["entity_id"]) for r in pa_csv.read_csv(members).to_pylist())
    largest = held.most_common(1)[0][0]
    spellings = sorted({str(r["party_name"]) for r in pa_csv.read_csv(members).to_pylist()
                        if r["entity_id"] == largest})
    console.print(f"The entity with most records, {largest}, is written "
                  f"{len(spellings)} ways, among them: " + "; ".join(spellings[:6]))

    console.print("\n[bold]7. The rings, their key players and how to break them apart[/bold]")
    graph, typed = out / "entities.graphml", out / "typed.graphml"
    rings, players, plan = out / "rings.csv", out / "players.csv", out / "plan.csv"
    curve, view = out / "dismantling.png", out / "ring.html"
    run("network", "build", "--store", str(store), "--ftm",
        str(simulated / "incidents.ftm.jsonl"), "--flags", str(screened), "--out", str(graph),
        "--typed", str(typed))
    run("network", "communities", "--graph", str(graph), "--out", str(rings))
    run("network", "players", "--graph", str(graph), "--out", str(players), "--top", "8")
    run("network", "dismantle", "--graph", str(graph), "--out", str(plan), "--plot",
        str(curve))
    run("network", "export", "--graph", str(graph), "--out", str(view))
    run("network", "export", "--graph", str(graph), "--out", str(out / "network.ftm.jsonl"))
    show_rings(simulated, typed, rings, plan)

    console.print("\n[bold]8. The exchange: alerts to review, notifications to answer[/bold]")
    sys.path.insert(0, str(ROOT / "scripts"))
    from demo_exchange import USERS, seed

    exchange = seed(out)
    console.print(f"Loaded the {len(alerts)} alerts, the resolved entities with their "
                  f"shipments and ties, two notifications to India, an incident "
                  f"and a case into {exchange}. Demo users (password: demo- and the name): "
                  + ", ".join(f"{name} ({agency} {role.value})"
                              for name, (agency, role) in USERS.items()))

    console.print("\nResults:")
    for path, what in (
        (simulated, "the simulated trade: history, new, labels, incidents (FtM), rings"),
        (store, "the analytics store (catalog.duckdb and Parquet batches)"),
        (out / "registry.csv", "the whole registry with legal sources"),
        (out / "new-checked.csv", "each new consignment with substances, evidence and rules"),
        (out / "sample-checked.csv", "the sample declarations, checked"),
        (model, "the screening model trained on the history (JSON, with its figures)"),
        (screened, "every new consignment's score, flag, substances and reasons"),
        (entities, "the parties resolved into entities (FollowTheMoney JSON lines)"),
        (members, "which written party (or incident entity) each entity holds"),
        (graph, "the entity graph (GraphML): firms and people tied by what they share"),
        (typed, "the typed graph: entities, shipments, incidents, addresses, phones..."),
        (rings, "each entity's ring (community)"),
        (players, "the key players, best first, with their measures"),
        (plan, "the dismantling plan: targets in order, largest component after each"),
        (curve, "the dismantling curve beside the two baselines (PNG)"),
        (view, "an interactive view of the ring with most flagged members: open it in a "
               "browser, it needs no network"),
        (out / "network.ftm.jsonl", "the network as FollowTheMoney, for Aleph"),
        (exchange, "the exchange store behind the reviewers' pages, with demo users"),
    ):
        console.print(f"  {path}: {what}")
    console.print("\nNext: run [bold]make serve[/bold] and open http://127.0.0.1:8000/web "
                  "(sign in as ncb.analyst with password demo-ncb.analyst).")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo-output")
