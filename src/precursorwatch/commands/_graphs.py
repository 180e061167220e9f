"""What the network commands share: their options, where the graph comes from (the
store, an edge list, GraphML), flags and costs read from files, and graph files written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import igraph as ig
import numpy as np
import pyarrow as pa
import typer

from precursorwatch.commands._console import err
from precursorwatch.commands._engines import DUCKDB_MEMORY, Engine, backend_for
from precursorwatch.commands.ingest import DEFAULT_STORE, STORE_ENV
from precursorwatch.entities.parties import (
    entity_id,
    entity_records,
    party_entities,
    resolve_parties,
    shipment_records,
)
from precursorwatch.exceptions import InputError, UsageError
from precursorwatch.network.build import Parties, build_graph, graph_from_edges, project
from precursorwatch.network.communities import COMMUNITY_METHODS, CommunityMethod
from precursorwatch.network.export import gexf
from precursorwatch.records import replacing
from precursorwatch.records.analytics import AnalyticsStore
from precursorwatch.records.files import read_table
from precursorwatch.records.ftm import read_entities

__all__ = [
    "GRAPH_SUFFIXES",
    "EdgesFile",
    "FlagsFile",
    "FtmFiles",
    "GraphFile",
    "Method_",
    "Seed",
    "Store",
    "community_method",
    "from_store",
    "load_graph",
    "read_costs",
    "read_flags",
    "read_graphml",
    "write_graph",
]

GRAPH_SUFFIXES = (".graphml", ".gexf")

Store = Annotated[Path, typer.Option(
    "--store", envvar=STORE_ENV,
    help=f"The analytics store the graph is built from when neither --graph nor --edges "
         f"is given. Default: ./{DEFAULT_STORE}, or ${STORE_ENV} when set.")]
GraphFile = Annotated[Path | None, typer.Option(
    "--graph", "-g", dir_okay=False,
    help="A GraphML graph: the entity graph `network build` wrote, or any other "
         "(directed edges are made undirected; repeated edges add their weights).")]
EdgesFile = Annotated[Path | None, typer.Option(
    "--edges", "-e", dir_okay=False,
    help="An edge list (.csv, .jsonl, .parquet) with source and target columns (any "
         "text ids) and an optional weight (positive; default 1), or a GraphML file.")]
FtmFiles = Annotated[list[Path] | None, typer.Option(
    "--ftm", help="FollowTheMoney JSON lines joining the graph when it is built from the "
                  "store (repeatable): incident reports, with their companies, people, "
                  "events, directorships, payments, accounts and wallets.")]
FlagsFile = Annotated[Path | None, typer.Option(
    "--flags", dir_okay=False,
    help="Flagged or seized activity: a table with shipment_id (and optionally source), "
         "such as `screen` output (only rows whose flagged column is true count) or a "
         "list of seized shipments; or a table with a node column naming graph nodes.")]
Method_ = Annotated[str, typer.Option(
    "--method", help=f"Community method: {', '.join(COMMUNITY_METHODS)} (default infomap: "
                     f"it finds many small rings where Leiden merges them; when Infomap "
                     f"puts 90% of the nodes or more in one community and Leiden finds "
                     f"structure beyond chance, Leiden's communities are given).")]
Seed = Annotated[int, typer.Option(help="Random seed of the community method (default 1): "
                                        "the same seed gives the same rings.")]


def read_flags(path: Path | None) -> tuple[set[str], set[str]]:
    """(flagged shipments as SOURCE:ID or ID, flagged node ids) from a flags file."""
    if path is None:
        return set(), set()
    table = read_table(path)
    columns = table.column_names
    keep = [True] * table.num_rows
    if "flagged" in columns:
        keep = [str(v).strip().lower() in ("true", "1", "yes") for v in
                table.column("flagged").to_pylist()]
    if "node" in columns:
        return set(), {str(n) for n, k in zip(table.column("node").to_pylist(), keep,
                                              strict=True) if k and n}
    if "shipment_id" not in columns:
        raise InputError("a flags table needs a shipment_id column (or a node column)",
                         file=str(path), field="shipment_id")
    ids = table.column("shipment_id").to_pylist()
    sources = (table.column("source").to_pylist() if "source" in columns
               else [None] * table.num_rows)
    return {f"{s}:{i}" if s else str(i) for s, i, k in zip(sources, ids, keep, strict=True)
            if k and i}, set()


def from_store(store: Path, ftm_files: Sequence[Path], flagged: set[str], quiet: bool,
                memory: str | None) -> ig.Graph:
    """Resolve the store's parties (and the FtM files'), then build the typed graph."""
    rows = (AnalyticsStore(store).current_rows() if (store / "catalog.duckdb").exists()
            else None)
    if rows is None or not rows.num_rows:
        raise UsageError(f"the store {store} holds no shipments: ingest some, or give "
                         f"--graph or --edges")
    entities = [e for f in ftm_files for e in read_entities(f)]
    records = [shipment_records(rows)] + [entity_records(read_entities(f), str(f))
                                          for f in ftm_files]
    table = pa.concat_tables([r for r in records if r.num_rows])
    if not quiet:
        err.print(f"Resolving {table.num_rows:,} party records from {rows.num_rows:,} "
                  f"shipments...")
    with backend_for(Engine.duckdb, None, None, memory) as backend:
        resolution = resolve_parties(table, backend=backend)
    clusters = resolution.clusters
    entity_of = {r: entity_id(c) for r, c in zip(clusters.column("id").to_pylist(),
                                                 clusters.column("cluster_id").to_pylist(),
                                                 strict=True)}
    labels = {str(e.id): e.caption for e in party_entities(table, resolution)}
    return build_graph(rows, Parties(entity_of, labels), entities=entities,
                       flagged_shipments=flagged)


def read_graphml(path: Path) -> ig.Graph:
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    try:
        graph = ig.Graph.Read_GraphML(str(path))
    except ig.InternalError as error:  # igraph's parse errors
        raise InputError(f"cannot read GraphML: {error}", file=str(path)) from error
    if "name" not in graph.vs.attributes():
        graph.vs["name"] = (graph.vs["id"] if "id" in graph.vs.attributes()
                            else [str(v) for v in range(graph.vcount())])
    if "weight" not in graph.es.attributes():
        graph.es["weight"] = [1.0] * graph.ecount()
    if graph.is_directed() or not graph.is_simple():
        graph.to_undirected(mode="collapse", combine_edges={"weight": "sum", "kinds": "first",
                                                            "shared": "sum",
                                                            "first_seen": "min",
                                                            "last_seen": "max",
                                                            "kind": "first"})
        graph.simplify(combine_edges={"weight": "sum", "kinds": "first", "shared": "sum",
                                      "first_seen": "min", "last_seen": "max",
                                      "kind": "first"})
    if "label" not in graph.vs.attributes():
        graph.vs["label"] = graph.vs["name"]
    return graph


def load_graph(graph_file: Path | None, edges_file: Path | None, store: Path,
          ftm_files: Sequence[Path] | None, flags_file: Path | None, quiet: bool,
          memory: str | None = DUCKDB_MEMORY) -> ig.Graph:
    """The entity graph the options name, with ``flagged`` counts set from --flags."""
    if graph_file is not None and edges_file is not None:
        raise UsageError("give --graph or --edges, not both")
    shipments, nodes = read_flags(flags_file)
    if graph_file is not None:
        if graph_file.suffix.lower() != ".graphml":
            raise UsageError(f"--graph {graph_file}: give a GraphML file (.graphml)")
        graph = read_graphml(graph_file)
    elif edges_file is not None and edges_file.suffix.lower() == ".graphml":
        graph = read_graphml(edges_file)
    elif edges_file is not None:
        graph = graph_from_edges(read_table(edges_file), file=str(edges_file))
    else:
        graph = project(from_store(store, ftm_files or (), shipments, quiet, memory))
    if "flagged" not in graph.vs.attributes():
        graph.vs["flagged"] = [0] * graph.vcount()
    if nodes:
        names = graph.vs["name"]
        unknown = nodes - set(names)
        if unknown:
            raise InputError(f"{len(unknown)} flagged node(s) not in the graph, such as "
                             f"{sorted(unknown)[0]!r}", file=str(flags_file), field="node")
        graph.vs["flagged"] = [int(f or 0) + (n in nodes) for f, n in
                               zip(graph.vs["flagged"], names, strict=True)]
    if not quiet:
        err.print(f"Graph: {graph.vcount():,} nodes, {graph.ecount():,} ties.")
    return graph


def community_method(name: str) -> CommunityMethod:
    if name not in COMMUNITY_METHODS:
        raise typer.BadParameter(f"use one of {', '.join(COMMUNITY_METHODS)}",
                                 param_hint="--method")
    return name


def write_graph(graph: ig.Graph, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in GRAPH_SUFFIXES:
        raise UsageError(f"{path}: unknown graph file type {suffix or '(none)'!r}; use one "
                         f"of {', '.join(GRAPH_SUFFIXES)}")
    with replacing(path) as temp:
        if suffix == ".graphml":
            graph.write_graphml(str(temp))
        else:
            temp.write_text(gexf(graph), encoding="utf-8")


def read_costs(graph: ig.Graph, path: Path | None) -> np.ndarray | None:
    """Each node's cost from a table with node and cost columns (unlisted nodes cost 1)."""
    if path is None:
        return None
    table = read_table(path)
    for column in ("node", "cost"):
        if column not in table.column_names:
            raise InputError(f"a cost table needs node and cost columns; missing {column}",
                             file=str(path), field=column)
    index = {str(n): i for i, n in enumerate(graph.vs["name"])}
    costs = np.ones(graph.vcount())
    for row, (node, cost) in enumerate(zip(table.column("node").to_pylist(),
                                           table.column("cost").to_pylist(), strict=True),
                                       start=1):
        if str(node) not in index:
            raise InputError(f"no node {node!r} in the graph", file=str(path), row=row,
                             field="node")
        try:
            value = float(cost)
        except (TypeError, ValueError):
            raise InputError(f"not a number: {cost!r}", file=str(path), row=row,
                             field="cost") from None
        if not value > 0 or value == float("inf"):
            raise InputError(f"a cost must be a positive number, not {cost!r}",
                             file=str(path), row=row, field="cost")
        costs[index[str(node)]] = value
    return costs
