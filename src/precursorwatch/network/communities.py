"""Rings as communities of the entity graph: groups of firms and people more tied to each
other than to the rest of trade.

Why Infomap by default: diversion rings are many and small (a handful of brokers, fronts
and controllers each), and modularity methods such as Leiden cannot see communities below
a size set by the whole graph (the resolution limit, Fortunato & Barthélemy, PNAS 2007):
they merge neighbouring rings. Infomap (Rosvall & Bergstrom, PNAS 2008) compresses the
description of a random walk instead, which has no such limit; on LFR benchmark graphs
with small communities it recovers them where Leiden merges them (``benchmarks/
communities.py``, BENCHMARKS.md). Both are offered, each with a fixed seed so that the
same graph gives the same rings on every run.

When Infomap collapses (one community of nearly every node), the graph may really be one
ring, or its rings may only be too faint for Infomap's compression (on LFR graphs at
mixing 0.6 the planted partition describes the walk worse than a single module does).
Which of the two is decided by measurement: Leiden's partition is kept instead when its
modularity beats, by a clear margin, the modularity Leiden finds on the same graph
rewired at random with every degree kept (the structure is then real, not what any
graph of those degrees would show); otherwise Infomap's answer stands. The partition
says which happened (``fallback``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from precursorwatch.exceptions import UsageError

__all__ = ["COMMUNITY_METHODS", "CommunityMethod", "Partition", "find_communities", "nmi"]

CommunityMethod = Literal["infomap", "leiden"]
#: The community methods offered; the first is the default, chosen by measurement.
COMMUNITY_METHODS: tuple[CommunityMethod, ...] = ("infomap", "leiden")
#: Infomap trials. One: on LFR graphs of 10,000 nodes a second trial doubled the time,
#: moved the NMI against the planted communities by less than 0.001 (0.994 at mixing 0.4,
#: 0.936 at 0.5) and raised the agreement between seeds at 0.5 from 0.95 to 0.96-1.00.
INFOMAP_TRIALS = 1
#: Infomap has collapsed when one community holds this share of the nodes or more (on a
#: graph of at least ``_COLLAPSE_NODES`` nodes: a handful of firms may well be one ring).
_COLLAPSE_SHARE = 0.9
_COLLAPSE_NODES = 100
#: How far Leiden's modularity must beat its modularity on the rewired graph. On LFR graphs
#: of 10,000 nodes at mixing 0.6 the two are 0.213 and 0.172; on graphs without planted
#: rings the difference is noise of a few thousandths.
_STRUCTURE_MARGIN = 0.02


@dataclass(frozen=True, eq=False)
class Partition:
    """Each node's community, numbered from 0 by decreasing size (ties: smallest node
    first), so that numbers are stable whatever order the method found them in."""

    method: CommunityMethod
    membership: npt.NDArray[np.int64]
    #: Why the method differs from the one asked for (Infomap collapsed and Leiden found
    #: real structure), or why a collapse was kept; ``None`` when neither happened.
    fallback: str | None = None

    @property
    def count(self) -> int:
        """How many communities there are (isolated nodes are communities of one)."""
        return int(self.membership.max()) + 1 if len(self.membership) else 0

    def sizes(self) -> list[int]:
        """Each community's size, by community number."""
        return [int(c) for c in np.bincount(self.membership, minlength=self.count)]

    def members(self, community: int) -> npt.NDArray[np.int64]:
        """The vertex indices of one community."""
        return np.flatnonzero(self.membership == community)


def find_communities(graph: Any, *, method: CommunityMethod = "infomap", seed: int = 1,
                     weights: str | None = "weight", fallback: bool = True) -> Partition:
    """The communities of an undirected ``igraph.Graph`` (``weights``: the edge attribute
    that weighs edges, if the graph has it). With ``fallback``, a collapsed Infomap
    partition is replaced by Leiden's when measurement shows real structure."""
    n = graph.vcount()
    weight = (graph.es[weights] if weights is not None and graph.ecount()
              and weights in graph.es.attributes() else None)
    if method == "infomap":
        raw = _infomap(n, graph.get_edgelist(), weight, seed)
        found = Partition(method, _canonical(raw))
        if fallback and n >= _COLLAPSE_NODES and found.sizes()[0] >= _COLLAPSE_SHARE * n:
            return _fall_back(graph, found, weight, seed)
        return found
    elif method == "leiden":
        raw = _leiden(graph, weight, seed)
    else:
        raise UsageError(f"unknown community method {method!r}; use one of "
                         f"{', '.join(COMMUNITY_METHODS)}")
    return Partition(method, _canonical(raw))


def _infomap(n: int, edges: list[tuple[int, int]], weight: list[float] | None,
             seed: int) -> npt.NDArray[np.int64]:
    from infomap import Infomap  # a compiled extension: loaded only when asked for

    finder = Infomap(two_level=True, silent=True, seed=seed, num_trials=INFOMAP_TRIALS)
    finder.add_nodes(range(n))
    if weight is None:
        finder.add_links(edges)
    else:
        finder.add_links((a, b, float(w)) for (a, b), w in zip(edges, weight, strict=True))
    result = finder.run()
    found = np.full(n, -1, dtype=np.int64)
    for node, module in result.modules().items():
        found[node] = module
    # A node Infomap leaves out (no links) is a community of its own.
    alone = np.flatnonzero(found < 0)
    found[alone] = found.max(initial=0) + 1 + np.arange(len(alone))
    return found


def _leiden(graph: Any, weight: list[float] | None, seed: int) -> npt.NDArray[np.int64]:
    import leidenalg  # the reference implementation (Traag et al. 2019), seedable

    partition = leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition,
                                         weights=weight, seed=seed)
    return np.asarray(partition.membership, dtype=np.int64)


def _fall_back(graph: Any, collapsed: Partition, weight: list[float] | None,
               seed: int) -> Partition:
    """Leiden's partition if its modularity clearly beats what Leiden finds on a random
    rewiring of the graph (degrees kept), else the collapsed one; both say why. The test
    is unweighted on both sides, so that the two modularities compare."""
    n = graph.vcount()
    leiden = _canonical(_leiden(graph, weight, seed))
    found = float(graph.modularity(leiden.tolist()))
    null_graph = _rewired(graph, seed)
    null = float(null_graph.modularity(_leiden(null_graph, None, seed).tolist()))
    share = collapsed.sizes()[0] / n
    measured = (f"Infomap put {share:.0%} of the {n:,} nodes in one community; Leiden's "
                f"modularity {found:.3f} against {null:.3f} on the graph rewired at random "
                f"with its degrees kept")
    if found - null >= _STRUCTURE_MARGIN:
        return Partition("leiden", leiden, f"{measured}: Leiden's communities are given")
    return Partition(collapsed.method, collapsed.membership,
                     f"{measured}: no structure beyond chance, one community kept")


def _rewired(graph: Any, seed: int) -> Any:
    """A configuration-model graph with the same degrees (stubs paired at random with a
    seeded NumPy generator; loops and repeated pairs dropped, a few edges in all)."""
    import igraph as ig  # a compiled library, as in the rest of the package

    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    stubs = np.random.default_rng(seed).permutation(edges.ravel()).reshape(-1, 2)
    stubs = stubs[stubs[:, 0] != stubs[:, 1]]
    keys = np.unique(np.minimum(stubs[:, 0], stubs[:, 1]) * graph.vcount()
                     + np.maximum(stubs[:, 0], stubs[:, 1]))
    pairs = np.stack([keys // graph.vcount(), keys % graph.vcount()], axis=1)
    return ig.Graph(n=graph.vcount(), edges=pairs.tolist())


def _canonical(raw: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Renumber communities by decreasing size, then by smallest member."""
    if not len(raw):
        return raw
    _, first, inverse, counts = np.unique(raw, return_index=True, return_inverse=True,
                                          return_counts=True)
    rank = np.lexsort((first, -counts))
    number = np.empty_like(rank)
    number[rank] = np.arange(len(rank))
    return number[inverse].astype(np.int64)


def nmi(left: npt.ArrayLike, right: npt.ArrayLike) -> float:
    """Normalised mutual information of two partitions of the same nodes (arithmetic
    mean normalisation, as scikit-learn's default): 1 for identical partitions."""
    a = np.asarray(left)
    b = np.asarray(right)
    if a.shape != b.shape:
        raise UsageError("the two partitions cover different numbers of nodes")
    n = len(a)
    if n == 0:
        return 1.0
    joint = Counter(zip(a.tolist(), b.tolist(), strict=True))
    pa = Counter(a.tolist())
    pb = Counter(b.tolist())

    def entropy(counts: Counter[Any]) -> float:
        p = np.asarray(list(counts.values()), dtype=np.float64) / n
        return float(-(p * np.log(p)).sum())

    ha, hb = entropy(pa), entropy(pb)
    if ha == 0.0 and hb == 0.0:
        return 1.0
    mutual = sum(c / n * np.log(c * n / (pa[x] * pb[y])) for (x, y), c in joint.items())
    return float(2.0 * mutual / (ha + hb))
