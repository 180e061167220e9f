"""Communities: planted rings found, stable across seeds, Infomap beside Leiden."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from precursorwatch.network.communities import find_communities, nmi


def _rings(count: int, size: int, seed: int) -> tuple[ig.Graph, np.ndarray]:
    """``count`` dense rings of ``size`` nodes, each tied to two others by one edge: many
    small communities, the case where modularity merges neighbours."""
    rng = np.random.default_rng(seed)
    edges = []
    for r in range(count):
        base = r * size
        for i in range(size):
            for j in range(i + 1, size):
                if rng.random() < 0.9:
                    edges.append((base + i, base + j))
        nxt = ((r + 1) % count) * size
        edges.append((base + int(rng.integers(size)), nxt + int(rng.integers(size))))
    planted = np.repeat(np.arange(count), size)
    return ig.Graph(n=count * size, edges=edges), planted


def test_infomap_recovers_many_small_rings() -> None:
    graph, planted = _rings(200, 6, 1)
    found = find_communities(graph)
    assert nmi(found.membership, planted) > 0.99


def test_leiden_merges_them_resolution_limit() -> None:
    graph, planted = _rings(200, 6, 1)
    leiden = find_communities(graph, method="leiden")
    infomap = find_communities(graph, method="infomap")
    assert leiden.count < infomap.count
    assert nmi(leiden.membership, planted) < nmi(infomap.membership, planted)


@pytest.mark.parametrize("method", ["infomap", "leiden"])
def test_same_seed_same_partition(method: str) -> None:
    graph, _ = _rings(60, 6, 2)
    a = find_communities(graph, method=method, seed=7)  # type: ignore[arg-type]
    b = find_communities(graph, method=method, seed=7)  # type: ignore[arg-type]
    assert a.membership.tolist() == b.membership.tolist()


def test_stable_across_seeds() -> None:
    graph, _ = _rings(60, 6, 2)
    runs = [find_communities(graph, seed=s).membership for s in (1, 2, 3, 4)]
    assert min(nmi(runs[0], r) for r in runs[1:]) > 0.98


def test_numbered_by_decreasing_size() -> None:
    graph = ig.Graph(n=9, edges=[(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (5, 6), (3, 5),
                                 (4, 6), (3, 6)])
    found = find_communities(graph)
    sizes = found.sizes()
    assert sizes == sorted(sizes, reverse=True)
    assert found.membership[3] == 0


def test_nmi_of_identical_and_independent_partitions() -> None:
    assert nmi([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert nmi([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)


def test_isolated_nodes_are_communities_of_their_own() -> None:
    graph = ig.Graph(n=8, edges=[(0, 1), (1, 2), (0, 2)])
    found = find_communities(graph)
    assert found.count == 6
    assert len(set(found.membership[3:].tolist())) == 5


def _faint_rings(mixing: float) -> tuple[ig.Graph, np.ndarray]:
    """20 planted rings of 50 nodes, mean degree 20, a share ``mixing`` of each node's
    ties outside its ring (a stochastic block model, igraph seeded through ``random``)."""
    import random

    blocks, size, degree = 20, 50, 20
    inside = degree * (1 - mixing) / (size - 1)
    outside = degree * mixing / (blocks * size - size)
    random.seed(1)
    graph = ig.Graph.SBM([[inside if i == j else outside for j in range(blocks)]
                          for i in range(blocks)], [size] * blocks)
    return graph, np.repeat(np.arange(blocks), size)


def test_collapsed_infomap_falls_back_to_leiden_when_the_rings_are_real() -> None:
    graph, planted = _faint_rings(0.65)
    assert find_communities(graph, fallback=False).count == 1  # Infomap alone collapses
    runs = [find_communities(graph, seed=s) for s in (1, 2, 3)]
    for found in runs:
        assert found.method == "leiden"
        assert found.fallback is not None and "Leiden's communities are given" in found.fallback
        assert nmi(found.membership, planted) > 0.8  # 0.81 to 0.90 over seeds 1 to 5
    assert min(nmi(runs[0].membership, r.membership) for r in runs[1:]) > 0.8


def test_collapse_on_a_random_graph_keeps_one_community() -> None:
    import random

    random.seed(1)
    graph = ig.Graph.Erdos_Renyi(n=1000, m=10_000)  # no rings at all
    found = find_communities(graph)
    assert (found.method, found.count) == ("infomap", 1)
    assert found.fallback is not None and "no structure beyond chance" in found.fallback
