"""Key players: the broker between rings and the node near seizures come first."""

from __future__ import annotations

import igraph as ig
import pytest

from precursorwatch.exceptions import UsageError
from precursorwatch.network.key_players import PLAYER_COLUMNS, key_players


def _two_rings() -> tuple[ig.Graph, list[int]]:
    """Two 5-cliques (0-4, 6-10) joined only through node 5, a broker."""
    edges = [(a, b) for ring in (range(5), range(6, 11)) for a in ring for b in ring if a < b]
    edges += [(4, 5), (5, 6)]
    graph = ig.Graph(n=11, edges=edges)
    graph.vs["name"] = [f"n{v}" for v in range(11)]
    return graph, [0] * 5 + [2] + [1] * 5


def test_broker_between_rings_ranks_with_the_members_it_joins() -> None:
    graph, membership = _two_rings()
    table = key_players(graph, membership)
    assert table.column_names == list(PLAYER_COLUMNS)
    # The broker and the two members it ties together are the three cut points.
    assert set(table.column("node").to_pylist()[:3]) == {"n4", "n5", "n6"}
    rows = table.to_pylist()
    top = max(rows, key=lambda r: r["betweenness"])
    assert top["node"] == "n5" == max(rows, key=lambda r: r["brokerage"])["node"]
    assert top["communities_reached"] == 2
    assert top["brokerage"] == pytest.approx(0.5)
    assert top["betweenness"] > 0.5
    inside = next(r for r in table.to_pylist() if r["node"] == "n0")
    assert inside["brokerage"] == 0.0 and inside["betweenness"] == 0.0


def test_closeness_to_flagged_activity_lifts_a_node() -> None:
    graph, membership = _two_rings()
    flags = [0] * 11
    flags[9] = 3
    plain = {r["node"]: r["rank"] for r in key_players(graph, membership).to_pylist()}
    flagged = key_players(graph, membership, flagged=flags).to_pylist()
    ranks = {r["node"]: r["rank"] for r in flagged}
    proximity = {r["node"]: r["flag_proximity"] for r in flagged}
    assert proximity["n8"] > proximity["n1"]
    assert ranks["n8"] < plain["n8"]


def test_rejects_mismatched_membership() -> None:
    graph, _ = _two_rings()
    with pytest.raises(UsageError, match="one community per node"):
        key_players(graph, [0, 1])


def test_large_graphs_count_short_paths_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("precursorwatch.network.key_players")
    graph, membership = _two_rings()
    exact = {r["node"]: r["betweenness"] for r in key_players(graph, membership).to_pylist()}
    monkeypatch.setattr(module, "BETWEENNESS_EXACT_NODES", 5)
    local = {r["node"]: r["betweenness"] for r in key_players(graph, membership).to_pylist()}
    # Within 2 steps the broker still joins the two members on either side of it, but
    # no longer the paths between the rings' far members.
    assert 0 < local["n5"] < exact["n5"]
    assert max(local, key=lambda n: local[n]) in ("n4", "n5", "n6")
