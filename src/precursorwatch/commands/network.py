"""``precursorwatch network``: the rings, their key players and plans to dismantle them."""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import igraph as ig
import numpy as np
import pyarrow as pa
import typer
from rich.table import Table

from precursorwatch.commands._console import EXIT_CODES_HELP, err, progress_bar
from precursorwatch.commands._engines import DUCKDB_MEMORY, Memory, Quiet
from precursorwatch.commands._graphs import (
    GRAPH_SUFFIXES,
    EdgesFile,
    FlagsFile,
    FtmFiles,
    GraphFile,
    Method_,
    Seed,
    Store,
    community_method,
    from_store,
    load_graph,
    read_costs,
    read_flags,
    write_graph,
)
from precursorwatch.commands.ingest import DEFAULT_STORE
from precursorwatch.exceptions import UsageError
from precursorwatch.network.build import project
from precursorwatch.network.communities import Partition, find_communities
from precursorwatch.network.dismantle import METHODS, Plan
from precursorwatch.network.export import curve_png, ftm_entities, ring_html
from precursorwatch.records import format_of, replacing, write_table

__all__ = ["app"]

# The functions share their modules' names, which the package's namespace would hide.
_dismantle = importlib.import_module("precursorwatch.network.dismantle")
_players = importlib.import_module("precursorwatch.network.key_players")

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="Find the rings in the graph of trade, rank their key players and plan how to "
         "break them apart.\n\n"
         "`build` makes the entity graph from the store (resolved parties, shipments, "
         "incidents, shared addresses, phones, numbers, e-mails, accounts). Every other "
         "command reads that graph (`--graph`), or any outside graph (`--edges` with "
         "source,target[,weight] columns, or GraphML), or builds it from the store when "
         "given neither.\n\n" + EXIT_CODES_HELP,
)


@app.command("build")
def build(
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the entity graph (.graphml or .gexf): resolved "
                            "firms and people, tied by what they share, with weights, "
                            "kinds and dates.")],
    store: Store = Path(DEFAULT_STORE),
    ftm_files: FtmFiles = None,
    flags_file: FlagsFile = None,
    typed_file: Annotated[Path | None, typer.Option(
        "--typed", help="Also write the typed graph (.graphml or .gexf): entities, "
                        "shipments, incidents, addresses, phones, numbers, e-mails, "
                        "accounts and wallets as nodes of their kind.")] = None,
    max_share: Annotated[int, typer.Option(
        help="A detail shared by more entities than this (a registered-agent address, a "
             "courier's hotline) ties no one in the entity graph (default 30).")] = 30,
    memory_limit: Memory = DUCKDB_MEMORY,
    quiet: Quiet = False,
) -> None:
    """Build the graph of trade from the store: resolve the parties, link them to their
    shipments, incidents and shared details, and project it onto the entities.

    Examples:

    * `precursorwatch network build --out entities.graphml`
    * `precursorwatch network build --ftm incidents.ftm.jsonl --flags screened.csv
      --out g.graphml --typed typed.graphml`
    """
    for path in (out_file, typed_file):
        if path is not None and path.suffix.lower() not in GRAPH_SUFFIXES:
            raise UsageError(f"{path}: unknown graph file type; use one of "
                             f"{', '.join(GRAPH_SUFFIXES)}")
    shipments, _ = read_flags(flags_file)
    typed = from_store(store, ftm_files or (), shipments, quiet, memory_limit)
    entities = project(typed, max_share=max_share)
    write_graph(entities, out_file)
    if typed_file is not None:
        write_graph(typed, typed_file)
    if not quiet:
        kinds: dict[str, int] = {}
        for kind in typed.vs["kind"]:
            kinds[kind] = kinds.get(kind, 0) + 1
        err.print("Typed graph: " + ", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items()))
                  + f"; {typed.ecount():,} edges.")
        err.print(f"Entity graph: {entities.vcount():,} entities, {entities.ecount():,} "
                  f"ties, {sum(1 for f in entities.vs['flagged'] if f):,} tied to flagged "
                  f"activity; written to {out_file}.")


def _communities_table(graph: ig.Graph, partition: Partition) -> pa.Table:
    sizes = partition.sizes()
    return pa.table({
        "node": pa.array([str(n) for n in graph.vs["name"]], pa.string()),
        "label": pa.array([str(n) for n in graph.vs["label"]], pa.string()),
        "community": pa.array(partition.membership, pa.int64()),
        "community_size": pa.array([sizes[c] for c in partition.membership], pa.int64()),
        "flagged": pa.array([int(f or 0) for f in graph.vs["flagged"]], pa.int64()),
    }).sort_by([("community", "ascending"), ("node", "ascending")])


def _rings_summary(graph: ig.Graph, partition: Partition, limit: int) -> None:
    flagged = np.asarray([int(f or 0) for f in graph.vs["flagged"]])
    table = Table(title=f"{partition.count:,} communities ({partition.method}); the largest "
                        f"with more than one member", title_justify="left")
    for column in ("ring", "members", "flagged members", "ties inside", "for example"):
        table.add_column(column)
    for community, size in enumerate(partition.sizes()[:limit]):
        if size < 2:
            break
        members = partition.members(community)
        inside = graph.subgraph(members.tolist()).ecount()
        names = [str(graph.vs[int(v)]["label"]) for v in members[:3]]
        table.add_row(str(community), str(size), str(int((flagged[members] > 0).sum())),
                      str(inside), "; ".join(names))
    err.print(table)
    if partition.fallback:
        err.print(f"{partition.fallback}.")


@app.command("communities")
def communities(
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write one row per node: node, label, community, "
                            "community_size, flagged (.csv, .jsonl, .parquet).")],
    graph_file: GraphFile = None,
    edges_file: EdgesFile = None,
    store: Store = Path(DEFAULT_STORE),
    ftm_files: FtmFiles = None,
    flags_file: FlagsFile = None,
    method: Method_ = "infomap",
    seed: Seed = 1,
    quiet: Quiet = False,
) -> None:
    """Find the rings: communities of entities more tied to each other than to the rest.

    Communities are numbered from 0 by decreasing size, the same on every run with the
    same seed.

    Examples:

    * `precursorwatch network communities --graph entities.graphml --out rings.csv`
    * `precursorwatch network communities --edges calls.csv --method leiden --out c.csv`
    """
    format_of(out_file)
    graph = load_graph(graph_file, edges_file, store, ftm_files, flags_file, quiet)
    partition = find_communities(graph, method=community_method(method), seed=seed)
    write_table(_communities_table(graph, partition), out_file)
    if not quiet:
        _rings_summary(graph, partition, 10)
        err.print(f"Written to {out_file}.")


@app.command("players")
def players(
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the key players, best first: rank, node, "
                            "label, community, degree, betweenness, pagerank, brokerage, "
                            "communities_reached, flagged, flag_proximity, score "
                            "(.csv, .jsonl, .parquet).")],
    graph_file: GraphFile = None,
    edges_file: EdgesFile = None,
    store: Store = Path(DEFAULT_STORE),
    ftm_files: FtmFiles = None,
    flags_file: FlagsFile = None,
    method: Method_ = "infomap",
    seed: Seed = 1,
    top: Annotated[int, typer.Option(help="How many to show on the terminal (default 10; "
                                          "the file holds every node).")] = 10,
    quiet: Quiet = False,
) -> None:
    """Rank the key players: who sits between the others (betweenness), who is tied to the
    well-tied (PageRank), who brokers between rings (participation), and who is close to
    flagged or seized activity (PageRank restarted from it).

    Examples:

    * `precursorwatch network players --graph entities.graphml --out players.csv`
    * `precursorwatch network players --edges calls.csv --flags seized.csv --out p.csv`
    """
    format_of(out_file)
    graph = load_graph(graph_file, edges_file, store, ftm_files, flags_file, quiet)
    partition = find_communities(graph, method=community_method(method), seed=seed)
    table = _players.key_players(graph, partition.membership, flagged=graph.vs["flagged"])
    write_table(table, out_file)
    if not quiet:
        _players_summary(table, top)
        err.print(f"Written to {out_file}.")


def _players_summary(table: pa.Table, top: int) -> None:
    view = Table(title="Key players", title_justify="left")
    for column in ("rank", "label", "ring", "degree", "betweenness", "brokerage",
                   "flagged", "score"):
        view.add_column(column)
    for row in table.slice(0, top).to_pylist():
        view.add_row(str(row["rank"]), str(row["label"])[:40], str(row["community"]),
                     str(row["degree"]), f"{row['betweenness']:.3f}",
                     f"{row['brokerage']:.2f}", f"{row['flagged']:g}", f"{row['score']:.3f}")
    err.print(view)



@app.command("dismantle")
def dismantle(
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the removal order: node, label, rank, "
                            "lcc_after (largest component after removing this node and "
                            "those before it), lcc_fraction, cost (cumulative) "
                            "(.csv, .jsonl, .parquet).")],
    graph_file: GraphFile = None,
    edges_file: EdgesFile = None,
    store: Store = Path(DEFAULT_STORE),
    ftm_files: FtmFiles = None,
    flags_file: FlagsFile = None,
    method: Annotated[str, typer.Option(
        "--method", help=f"Dismantling method: {', '.join(METHODS)} (default corehd-r: "
                         f"CoreHD, tree breaking and reinsertion; the others are the "
                         f"baselines it is measured against).")] = "corehd-r",
    cost_file: Annotated[Path | None, typer.Option(
        "--cost", dir_okay=False,
        help="Each node's cost to act on: a table with node and cost columns (positive "
             "numbers; unlisted nodes cost 1). Cheap targets are then chosen first.")] = None,
    until: Annotated[float, typer.Option(
        help="Stop the list when the largest component is this share of the nodes or "
             "less (default 0.01; 0 lists every node).")] = 0.01,
    plot: Annotated[Path | None, typer.Option(
        "--plot", dir_okay=False,
        help="Also draw the curve of the largest component against nodes removed (.png), "
             "beside the two baselines'.")] = None,
    quiet: Quiet = False,
) -> None:
    """Plan the dismantling: the shortest ranked list of targets whose removal breaks the
    network into small pieces fastest, with the size of the largest piece after each.

    Examples:

    * `precursorwatch network dismantle --graph entities.graphml --out plan.csv --plot curve.png`
    * `precursorwatch network dismantle --edges calls.csv --cost costs.csv --out plan.csv`
    """
    format_of(out_file)
    if method not in METHODS:
        raise typer.BadParameter(f"use one of {', '.join(METHODS)}", param_hint="--method")
    if not 0.0 <= until < 1.0:
        raise typer.BadParameter("a share of the nodes, from 0 up to 1", param_hint="--until")
    if plot is not None and plot.suffix.lower() != ".png":
        raise UsageError(f"--plot {plot}: the curve is drawn as a PNG (.png)")
    graph = load_graph(graph_file, edges_file, store, ftm_files, flags_file, quiet)
    cost = read_costs(graph, cost_file)
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    n = graph.vcount()
    with progress_bar("Planning", quiet=quiet) as update:
        update(0, None)
        plan = _dismantle.dismantle(n, edges, method=method, cost=cost)
    count = plan.removed_to(until) if until > 0 else n
    names, labels = graph.vs["name"], graph.vs["label"]
    order = plan.order[:count]
    write_table(pa.table({
        "node": pa.array([str(names[v]) for v in order], pa.string()),
        "label": pa.array([str(labels[v]) for v in order], pa.string()),
        "rank": pa.array(range(1, count + 1), pa.int64()),
        "lcc_after": pa.array(plan.lcc_after[:count], pa.int64()),
        "lcc_fraction": pa.array(plan.lcc_after[:count] / max(n, 1), pa.float64()),
        "cost": pa.array(plan.cost_after[:count], pa.float64()),
    }), out_file)
    if plot is not None:
        plans = [plan] + [_dismantle.dismantle(n, edges, method=m, cost=cost)
                          for m in METHODS if m != method]
        with replacing(plot) as temp:
            temp.write_bytes(curve_png(plans, title=f"Dismantling {n:,} nodes",
                                       by_cost=cost is not None))
    if not quiet:
        _plan_summary(plan, count, until, out_file, labels)
        if plot is not None:
            err.print(f"Curve drawn in {plot}.")


def _plan_summary(plan: Plan, count: int, until: float, out_file: Path,
                  labels: Sequence[Any]) -> None:
    n = plan.nodes
    err.print(f"Largest component: {plan.lcc_before:,} of {n:,} nodes. Removing "
              f"{count:,} ({count / max(n, 1):.1%}) brings it to "
              f"{int(plan.lcc_after[count - 1]) if count else plan.lcc_before:,}"
              + (f" ({until:.0%} of the nodes or less)" if until > 0 else "")
              + f"; robustness R = {plan.robustness():.4f} ({plan.method}).")
    view = Table(title="First targets", title_justify="left")
    for column in ("rank", "target", "largest component after", "cost so far"):
        view.add_column(column)
    for k in range(min(10, count)):
        view.add_row(str(k + 1), str(labels[int(plan.order[k])])[:50],
                     f"{int(plan.lcc_after[k]):,}", f"{plan.cost_after[k]:g}")
    err.print(view)
    err.print(f"Written to {out_file}.")


@app.command("export")
def export(
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write: .graphml or .gexf (the graph, with each "
                            "node's community), .jsonl (FollowTheMoney: a LegalEntity "
                            "per node, an UnknownLink per tie), or .html (an interactive "
                            "view of one ring, opening with no network access).")],
    graph_file: GraphFile = None,
    edges_file: EdgesFile = None,
    store: Store = Path(DEFAULT_STORE),
    ftm_files: FtmFiles = None,
    flags_file: FlagsFile = None,
    method: Method_ = "infomap",
    seed: Seed = 1,
    community: Annotated[int | None, typer.Option(
        "--community", help="The ring the HTML view shows, by its number in `network "
                            "communities` (default: the ring with the most flagged "
                            "members, else the largest).")] = None,
    quiet: Quiet = False,
) -> None:
    """Export the graph and its rings for Gephi (GEXF), any graph tool (GraphML), Aleph
    (FollowTheMoney) or a browser (HTML view of one ring).

    Examples:

    * `precursorwatch network export --graph entities.graphml --out rings.gexf`
    * `precursorwatch network export --graph entities.graphml --out ring.html --community 3`
    * `precursorwatch network export --graph entities.graphml --out network.ftm.jsonl`
    """
    suffix = out_file.suffix.lower()
    if suffix not in (*GRAPH_SUFFIXES, ".jsonl", ".html"):
        raise UsageError(f"{out_file}: unknown export type {suffix or '(none)'!r}; use one "
                         f"of .graphml, .gexf, .jsonl, .html")
    graph = load_graph(graph_file, edges_file, store, ftm_files, flags_file, quiet)
    partition = find_communities(graph, method=community_method(method), seed=seed)
    graph.vs["community"] = partition.membership.tolist()
    if suffix in GRAPH_SUFFIXES:
        write_graph(graph, out_file)
    elif suffix == ".jsonl":
        with replacing(out_file) as temp, open(temp, "w", encoding="utf-8") as handle:
            for entity in ftm_entities(graph, partition.membership.tolist()):
                handle.write(json.dumps(entity.to_dict(), ensure_ascii=False,
                                        sort_keys=True) + "\n")
    else:
        chosen = _chosen(graph, partition, community)
        members = partition.members(chosen).tolist()
        table = _players.key_players(graph, partition.membership,
                                     flagged=graph.vs["flagged"])
        score = dict(zip(table.column("node").to_pylist(), table.column("score").to_pylist(),
                         strict=True))
        scores = [float(score[str(n)]) for n in graph.vs["name"]]
        page = ring_html(graph, members, title=f"Ring {chosen}: {len(members)} members",
                         score=scores)
        with replacing(out_file) as temp:
            temp.write_text(page, encoding="utf-8")
        if not quiet:
            err.print(f"Ring {chosen} ({len(members)} members) drawn.")
    if not quiet:
        err.print(f"Written to {out_file}.")


def _chosen(graph: ig.Graph, partition: Partition, community: int | None) -> int:
    if community is not None:
        if not 0 <= community < partition.count:
            raise typer.BadParameter(f"there are {partition.count} communities, numbered "
                                     f"from 0", param_hint="--community")
        return community
    flagged = np.asarray([int(f or 0) > 0 for f in graph.vs["flagged"]])
    counts = np.bincount(partition.membership, weights=flagged.astype(float),
                         minlength=partition.count)
    return int(np.argmax(counts)) if counts.max(initial=0) > 0 else 0


@app.command("publish")
def publish(
    url: Annotated[str, typer.Option(
        "--url", help="The exchange server to send the entities to, e.g. "
                      "https://exchange.example.org")],
    ftm_file: Annotated[Path, typer.Option(
        "--entities", help="The resolved entities: the FtM JSON lines of `resolve --out`.")],
    graph_file: Annotated[Path | None, typer.Option(
        "--graph", help="The entity graph of `network build --out` (GraphML): its ties "
                        "between the entities are sent too (default: none).")] = None,
    typed_file: Annotated[Path | None, typer.Option(
        "--typed", help="The typed graph of `network build --typed` (GraphML): each "
                        "entity's shipments, and its role in them, are sent too "
                        "(default: none).")] = None,
    marking: Annotated[str | None, typer.Option(
        "--marking", help="TLP marking of the uploaded entities, e.g. TLP:AMBER (default: "
                          "your agency's default marking).")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="PRECURSORWATCH_TOKEN", help="Bearer token for the exchange "
        "server (from `admin token issue`). Default: $PRECURSORWATCH_TOKEN.")] = None,
    quiet: Quiet = False,
) -> None:
    """Send resolved entities, their shipments and their ties to an exchange server, where
    reviewers see them on entity pages under your agency's marking.

    Use it after `resolve` and `network build`, so that the reviewers' pages show who is
    behind a consignment and whom they are tied to. Entities sent again replace your
    agency's earlier copies (same ids); an entity keeps at most 50,000 shipments.

    Example:

    * `precursorwatch network publish --url http://127.0.0.1:8000 --entities
      entities.ftm.jsonl --graph entities.graphml --typed typed.graphml`
    """
    from precursorwatch.commands._entity_upload import entity_payload, publish_entities

    payload = entity_payload(ftm_file, graph_file, typed_file)
    sent, ties = publish_entities(url, token, payload, marking)
    if not quiet:
        err.print(f"Published {sent:,} entities and {ties:,} ties to {url}.")
