"""Dismantling plans: complete orders, true curves, better than the baselines, costs."""

from __future__ import annotations

import random

import igraph as ig
import numpy as np
import pytest

from precursorwatch.exceptions import UsageError
from precursorwatch.network.dismantle import METHODS, dismantle, lcc_curve


def _ba(n: int, m: int, seed: int) -> tuple[int, np.ndarray]:
    random.seed(seed)
    graph = ig.Graph.Barabasi(n, m)
    return n, np.asarray(graph.get_edgelist())


def _components(n: int, edges: np.ndarray, removed: set[int]) -> int:
    """The largest component without ``removed``, by igraph (an independent count)."""
    graph = ig.Graph(n=n, edges=[tuple(e) for e in edges.tolist()])
    graph.delete_vertices(sorted(removed))
    return max(graph.connected_components().sizes(), default=0)


@pytest.mark.parametrize("method", METHODS)
def test_plan_orders_every_node_once(method: str) -> None:
    n, edges = _ba(500, 2, 3)
    plan = dismantle(n, edges, method=method)  # type: ignore[arg-type]
    assert sorted(plan.order.tolist()) == list(range(n))
    assert plan.lcc_after[-1] == 0
    assert plan.lcc_before == n


@pytest.mark.parametrize("method", METHODS)
def test_lcc_after_equals_recomputed_components(method: str) -> None:
    n, edges = _ba(300, 2, 5)
    plan = dismantle(n, edges, method=method)  # type: ignore[arg-type]
    for k in (1, 10, 40, 80, 150, 299):
        removed = set(plan.order[:k].tolist())
        assert plan.lcc_after[k - 1] == _components(n, edges, removed), k


def test_curve_of_a_prefix_keeps_the_other_nodes() -> None:
    # A path 0-1-2-3-4: removing 2 leaves two pieces of 2, then removing 1 leaves 2.
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4]])
    assert lcc_curve(5, edges, [2, 1]) == [2, 2]
    assert lcc_curve(5, edges, [2, 3, 1]) == [2, 2, 1]


def test_corehd_with_reinsertion_beats_both_baselines_on_ba() -> None:
    n, edges = _ba(3000, 3, 1)
    r = {m: dismantle(n, edges, method=m).robustness() for m in METHODS}
    assert r["corehd-r"] < r["corehd"] - 0.005
    assert r["corehd-r"] < r["hda"] - 0.005


def test_beats_high_degree_on_erdos_renyi() -> None:
    random.seed(2)
    graph = ig.Graph.Erdos_Renyi(n=3000, m=5250)
    edges = np.asarray(graph.get_edgelist())
    ours = dismantle(3000, edges)
    hda = dismantle(3000, edges, method="hda")
    assert ours.robustness() < hda.robustness()
    assert ours.removed_to(0.01) < hda.removed_to(0.01)


def test_a_star_falls_with_its_centre() -> None:
    edges = np.array([[0, i] for i in range(1, 8)])
    plan = dismantle(8, edges)
    assert plan.order[0] == 0
    assert plan.lcc_after[0] == 1
    assert plan.removed_to(0.2) == 1


def test_costly_node_moves_later() -> None:
    # Two hubs bridged: 0 and 10 each hold a star, joined by an edge. Acting on 0 is
    # expensive, so the plan starts with 10 and shifts 0 back.
    edges = [[0, i] for i in range(1, 10)] + [[10, i] for i in range(11, 20)] + [[0, 10]]
    edges += [[1, 2], [11, 12], [3, 4], [13, 14]]
    cheap = dismantle(20, edges)
    cost = np.ones(20)
    cost[0] = 50.0
    costly = dismantle(20, edges, cost=cost)
    assert cheap.order.tolist().index(0) < costly.order.tolist().index(0)
    assert costly.cost_after[-1] == pytest.approx(69.0)


def test_rejects_bad_costs_and_edges() -> None:
    with pytest.raises(UsageError, match="one cost per node"):
        dismantle(3, [[0, 1]], cost=[1.0])
    with pytest.raises(UsageError, match="positive"):
        dismantle(2, [[0, 1]], cost=[1.0, 0.0])
    with pytest.raises(UsageError, match="outside"):
        dismantle(2, [[0, 2]])
    with pytest.raises(UsageError, match="twice"):
        lcc_curve(3, [[0, 1]], [1, 1])


def test_empty_and_edgeless_graphs() -> None:
    assert dismantle(0, np.zeros((0, 2))).nodes == 0
    plan = dismantle(4, np.zeros((0, 2)))
    assert plan.lcc_after.tolist() == [1, 1, 1, 0]


def test_small_network_plan_is_the_best_candidate_and_beats_both_baselines() -> None:
    # Zachary's karate club (shipped with networkx): under 2,000 nodes the plan is the best
    # of several candidates, so never worse than the single tree-breaking limit of before.
    import networkx as nx

    edges = np.asarray(list(nx.karate_club_graph().edges()))
    n = 34
    plan = dismantle(n, edges)
    r = {m: dismantle(n, edges, method=m).robustness() for m in ("corehd", "hda")}
    assert plan.robustness() <= dismantle(n, edges, limit=1).robustness()
    assert plan.robustness() < min(r.values())
    for k in (1, 3, 5, 10):
        assert plan.lcc_after[k - 1] == _components(n, edges, set(plan.order[:k].tolist()))
