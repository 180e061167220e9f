"""Key players: the firms and people that hold a network together, and why each matters.

Four measures, each answering an investigator's question:

* **betweenness** (share of shortest paths through a node): who sits between the others,
  so that goods, money or orders pass through them;
* **PageRank** (weighted): who is tied to the well-tied, the centre of gravity of a ring;
* **brokerage**: the participation coefficient (Guimerà & Amaral, Nature 2005), 1 minus
  the sum over communities of the squared share of a node's ties into each; high for the
  forwarder or payer serving several rings, zero for a node tied inside its own ring only;
* **flag proximity**: PageRank restarted from flagged or seized nodes (personalised
  PageRank), so that a node close to many seizures, through strong ties, ranks high even
  when it was never caught itself; zero when nothing is flagged.

``score`` is the mean of the four percentile ranks (three when nothing is flagged): a
node strong on several measures outranks a node extreme on one, and no measure's scale
dominates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from precursorwatch.exceptions import UsageError

__all__ = ["PLAYER_COLUMNS", "key_players"]

#: The columns of the key-players table.
PLAYER_COLUMNS: tuple[str, ...] = (
    "rank", "node", "label", "community", "degree", "betweenness", "pagerank",
    "brokerage", "communities_reached", "flagged", "flag_proximity", "score",
)
#: Above this many nodes betweenness counts only paths up to this length (exact below):
#: exact betweenness is O(N E): 1.6 s of CPU on a 5,000-node BA graph (m = 3), 33 s on
#: 20,000. Paths of 2 steps (who joins neighbours that are not tied to each other, a local
#: brokerage) take 5 s on 100,000 nodes; 3 steps took 70 s there, hubs reaching most of
#: the graph in three.
BETWEENNESS_EXACT_NODES = 10_000
BETWEENNESS_CUTOFF = 2


def key_players(graph: Any, membership: npt.ArrayLike, *,
                flagged: npt.ArrayLike | None = None, weights: str | None = "weight",
                ) -> pa.Table:
    """The key-players table of an undirected ``igraph.Graph``, best first.

    ``membership`` gives each vertex's community; ``flagged`` each vertex's count (or
    truth) of flagged or seized activity. The ``node`` column is the vertex's ``name``
    attribute (its index when unnamed), ``label`` its ``label`` attribute (else ``node``).
    """
    n = graph.vcount()
    community = np.asarray(membership, dtype=np.int64)
    if community.shape != (n,):
        raise UsageError(f"give one community per node: {n:,} nodes, {community.size:,} "
                         f"communities")
    flags = (np.zeros(n) if flagged is None
             else np.asarray(flagged, dtype=np.float64).reshape(-1))
    if flags.shape != (n,):
        raise UsageError(f"give one flag per node: {n:,} nodes, {flags.size:,} flags")
    weight = (graph.es[weights] if weights is not None and graph.ecount()
              and weights in graph.es.attributes() else None)
    names = (graph.vs["name"] if "name" in graph.vs.attributes()
             else [str(v) for v in range(n)])
    labels = graph.vs["label"] if "label" in graph.vs.attributes() else names
    degree = np.asarray(graph.degree(), dtype=np.int64)
    betweenness = _betweenness(graph, weight)
    pagerank = np.asarray(graph.pagerank(weights=weight), dtype=np.float64) if n else \
        np.zeros(0)
    brokerage, reached = _brokerage(graph, community, weight)
    proximity = np.zeros(n)
    if flags.any():
        reset = np.clip(flags, 0, None)
        proximity = np.asarray(graph.personalized_pagerank(weights=weight,
                                                           reset=reset.tolist()))
    measures = [betweenness, pagerank, brokerage] + ([proximity] if flags.any() else [])
    score = np.mean([_percentile(m) for m in measures], axis=0) if n else np.zeros(0)
    # Best first; ties by degree, then by name, so the order is the same on every run.
    order = sorted(range(n), key=lambda v: (-score[v], -degree[v], str(names[v])))
    return pa.table({
        "rank": pa.array(range(1, n + 1), pa.int64()),
        "node": pa.array([str(names[v]) for v in order], pa.string()),
        "label": pa.array([str(labels[v]) for v in order], pa.string()),
        "community": pa.array(community[order], pa.int64()),
        "degree": pa.array(degree[order], pa.int64()),
        "betweenness": pa.array(betweenness[order], pa.float64()),
        "pagerank": pa.array(pagerank[order], pa.float64()),
        "brokerage": pa.array(brokerage[order], pa.float64()),
        "communities_reached": pa.array(reached[order], pa.int64()),
        "flagged": pa.array(flags[order], pa.float64()),
        "flag_proximity": pa.array(proximity[order], pa.float64()),
        "score": pa.array(score[order], pa.float64()),
    })


def _betweenness(graph: Any, weight: list[float] | None) -> npt.NDArray[np.float64]:
    """Normalised betweenness (0 to 1). Weights are tie strengths, so paths run along
    strong ties: the length of an edge is the inverse of its weight."""
    n = graph.vcount()
    if n < 3:
        return np.zeros(n)
    lengths = None if weight is None else [1.0 / w if w > 0 else 1e9 for w in weight]
    cutoff = None if n <= BETWEENNESS_EXACT_NODES else BETWEENNESS_CUTOFF
    raw = np.asarray(graph.betweenness(weights=lengths, cutoff=cutoff), dtype=np.float64)
    return np.asarray(raw / ((n - 1) * (n - 2) / 2), dtype=np.float64)


def _brokerage(graph: Any, community: npt.NDArray[np.int64], weight: list[float] | None
               ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Participation coefficient and number of communities each node's ties reach."""
    n = graph.vcount()
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    w = np.ones(len(edges)) if weight is None else np.asarray(weight, dtype=np.float64)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    ww = np.concatenate([w, w])
    strength = np.bincount(src, weights=ww, minlength=n)
    # Weight of each (node, neighbour's community) pair.
    keys = src * (int(community.max(initial=0)) + 1) + community[dst]
    unique, inverse = np.unique(keys, return_inverse=True)
    per = np.bincount(inverse, weights=ww)
    owner = unique // (int(community.max(initial=0)) + 1)
    share = per / np.where(strength[owner] > 0, strength[owner], 1.0)
    squared = np.bincount(owner, weights=share ** 2, minlength=n)
    participation = np.where(strength > 0, 1.0 - squared, 0.0)
    reached = np.bincount(owner, minlength=n).astype(np.int64)
    return participation, reached


def _percentile(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each value's percentile rank in 0..1 (ties share their mean rank)."""
    n = len(values)
    if n <= 1:
        return np.ones(n)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(n)
    ranks[order] = np.arange(n, dtype=np.float64)
    _, inverse = np.unique(values, return_inverse=True)
    mean = np.bincount(inverse, weights=ranks) / np.bincount(inverse)
    return np.asarray(mean[inverse] / (n - 1), dtype=np.float64)
