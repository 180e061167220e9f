"""Dismantling plans: which nodes to act on, in which order, so that a network falls apart
fastest.

The measure is the size of the largest connected component (LCC) after each removal, and
a plan's quality is its robustness R, the mean LCC fraction over the whole removal
sequence (Schneider et al., PNAS 2011): the lower, the faster the network breaks.

The method, ``corehd-r``, has three steps, each from the literature:

1. **CoreHD** (Zdeborová, Zhang & Zhou, Sci. Rep. 2016): repeatedly remove the node of
   highest degree in the 2-core, peeling the nodes left with one neighbour, until the
   2-core is empty. What remains is a forest.
2. **Tree breaking**: break every tree into pieces of at most ``limit`` nodes with the
   fewest removals. Bottom-up, a node whose own piece (itself plus what its children
   still hold) exceeds the limit is removed; this greedy is optimal on trees.
3. **Reinsertion** (Braunstein et al., PNAS 2016; Mugisha & Zhou, PRE 2016), run here
   over the whole sequence ("reverse greedy"): starting from the empty network, put nodes
   back one at a time, always the one whose return creates the smallest component; the
   nodes the first two steps kept come back first, the removed ones last. Read backwards,
   the reinsertion order is a removal order for every node, and removing the nodes that
   were put back last keeps the components as small as the greedy can at every step.

On small networks (up to 2,000 nodes: a ring, a published covert network) the plan is
the best of several such candidates (tree-breaking limits of 1 to 10, and reinsertion
from high degree adaptive's set instead of CoreHD's), by the area under the curve.

Costs: a node that is expensive to act on (a registered firm needs a court order, a
shell company only a de-registration) is chosen by degree per unit of cost in CoreHD,
and put back early (so removed late) in reinsertion; the curve is then read against the
cumulative cost.

The union-find that drives reinsertion also gives the LCC curve, in O(E α(N)): the curve
of any removal order is computed the same way, by adding its nodes back in reverse.
Pure Python loops over flat lists (no per-node objects): about a million nodes in tens of
seconds on one core.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from precursorwatch.exceptions import UsageError

__all__ = ["METHODS", "Method", "Plan", "dismantle", "lcc_curve"]

Method = Literal["corehd-r", "corehd", "hda"]
#: The dismantling methods: ours and the two baselines it is measured against.
METHODS: tuple[Method, ...] = ("corehd-r", "corehd", "hda")

#: Above this many nodes, the nodes tree breaking keeps come back without greedy scoring.
_GREEDY_TAIL_NODES = 200_000
#: Up to this many nodes, ``corehd-r`` keeps the best of several candidate plans.
_ENSEMBLE_NODES = 2_000
#: The tree-breaking limits (and high-degree stopping sizes) of those candidates.
_ENSEMBLE_LIMITS = (1, 2, 3, 5, 10)
#: Up to this many nodes, adaptive betweenness is one more candidate: it was the best
#: strategy on the Montagna Mafia networks (Cavallaro et al., PLOS ONE 2020) and beat
#: reinsertion there (R 0.069 against 0.074 on the meetings), but it recomputes
#: betweenness after every removal (cubic time).
_BETWEENNESS_NODES = 500
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Plan:
    """A removal order over every node, and what each removal leaves.

    ``order[k]`` is the vertex index removed at rank ``k + 1``; ``lcc_after[k]`` the size of
    the largest component once ``order[: k + 1]`` are gone; ``cost_after[k]`` the cost of
    acting on them (the rank when every node costs 1).
    """

    method: Method
    order: IntArray
    lcc_after: IntArray
    cost_after: FloatArray
    #: The largest component before any removal.
    lcc_before: int

    @property
    def nodes(self) -> int:
        """How many nodes the network has."""
        return len(self.order)

    def robustness(self) -> float:
        """R: the mean LCC fraction over the removal sequence (0 to 0.5; lower is better)."""
        n = self.nodes
        return float(self.lcc_after.sum()) / (n * n) if n else 0.0

    def removed_to(self, fraction: float) -> int:
        """How many removals bring the largest component to ``fraction`` of the nodes or
        below."""
        below = np.flatnonzero(self.lcc_after <= fraction * self.nodes)
        return int(below[0]) + 1 if len(below) else self.nodes

    def targets(self, fraction: float) -> IntArray:
        """The shortest prefix of the order that brings the LCC to ``fraction`` or below."""
        return self.order[: self.removed_to(fraction)]


def dismantle(nodes: int, edges: npt.ArrayLike, *, method: Method = "corehd-r",
              cost: Sequence[float] | npt.ArrayLike | None = None,
              limit: int | None = None) -> Plan:
    """The removal plan of ``method`` for an undirected network of ``nodes`` vertices
    (indices ``0 .. nodes-1``) and ``edges`` (pairs of indices; loops and repeats ignored).

    ``cost`` gives each node's cost to act on (positive; default 1 each). ``limit`` is the
    largest piece tree breaking leaves (default 10, or 0.1% of the nodes when that is
    less: on Barabási-Albert graphs (m = 3) it gave the lowest R among 1, 10 and 100 at
    10,000 nodes, and among 10, 100 and 300 at 300,000). Up to 2,000 nodes, with no
    ``limit`` given, ``corehd-r`` keeps the best of ten candidates by the area under the
    curve: reinsertion after tree breaking to pieces of 1, 2, 3, 5 and 10, and
    reinsertion after high degree adaptive down to components of those sizes.
    """
    if method not in METHODS:
        raise UsageError(f"unknown dismantling method {method!r}; use one of "
                         f"{', '.join(METHODS)}")
    weights = _costs(nodes, cost)
    ptr, idx = _adjacency(nodes, edges)
    if method == "hda":
        order = _high_degree(nodes, ptr, idx, weights)
        return _plan(method, order, *_curve(nodes, ptr, idx, order), weights)
    decycled = _corehd(nodes, ptr, idx, weights)
    if method == "corehd":
        removed = bytearray(nodes)
        for v in decycled:
            removed[v] = 1
        rest = _high_degree(nodes, ptr, idx, weights, removed=removed)
        order = decycled + rest
        return _plan(method, order, *_curve(nodes, ptr, idx, order), weights)
    if limit is not None and limit < 1:
        raise UsageError("the tree-breaking limit is a component size of at least 1")
    if limit is not None or nodes > _ENSEMBLE_NODES:
        return _reinserted(method, nodes, ptr, idx, weights, decycled,
                           limit if limit is not None else max(1, min(10, nodes // 1000)))
    # Small networks (a ring, a published covert network): the best of a few candidate
    # plans by the area under their curve. Which tree-breaking limit, and which set to
    # reinsert from, is best varies from one small network to the next (on the 9/11
    # network, limit 5 gives R 0.193 where limit 1 ties high degree at 0.215); each
    # candidate takes milliseconds at this size.
    candidates = [_reinserted(method, nodes, ptr, idx, weights, decycled, size)
                  for size in _ENSEMBLE_LIMITS]
    greedies = [_high_degree(nodes, ptr, idx, weights)]
    if nodes <= _BETWEENNESS_NODES:
        greedies.append(_high_betweenness(nodes, ptr, idx, weights))
        candidates.append(_plan(method, greedies[-1],
                                *_curve(nodes, ptr, idx, greedies[-1]), weights))
    for greedy in greedies:
        curve, _ = _curve(nodes, ptr, idx, greedy)
        for size in _ENSEMBLE_LIMITS:
            reached = next((k for k, c in enumerate(curve) if c <= size), nodes - 1) + 1
            candidates.append(_reinserted(method, nodes, ptr, idx, weights,
                                          greedy[:reached], None))
    return min(candidates, key=_area)


def _reinserted(method: Method, nodes: int, ptr: list[int], idx: list[int],
                weights: FloatArray, removed_first: Sequence[int],
                limit: int | None) -> Plan:
    """Reinsertion over the whole sequence, starting from ``removed_first`` (then tree
    breaking to pieces of ``limit`` when given)."""
    removed = bytearray(nodes)
    for v in removed_first:
        removed[v] = 1
    if limit is not None:
        _break_trees(nodes, ptr, idx, removed, limit)
    back, largest = _reinsert(nodes, ptr, idx, removed, weights)
    order = back[::-1]
    # After k removals, nodes - k are back: the LCC then is what reinsertion recorded.
    lcc = [largest[nodes - k] for k in range(1, nodes + 1)]
    return _plan(method, order, lcc, largest[nodes], weights)


def _area(plan: Plan) -> float:
    """The area under a plan's curve against cost spent (R when every node costs 1)."""
    if not plan.nodes:
        return 0.0
    spent = np.diff(plan.cost_after, prepend=0.0)
    return float((plan.lcc_after * spent).sum())


def _costs(nodes: int, cost: Sequence[float] | npt.ArrayLike | None) -> FloatArray:
    if cost is None:
        return np.ones(nodes, dtype=np.float64)
    weights = np.asarray(cost, dtype=np.float64)
    if weights.shape != (nodes,):
        raise UsageError(f"give one cost per node: {nodes:,} nodes, {weights.size:,} costs")
    if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
        raise UsageError("costs must be positive numbers")
    return weights


def _plan(method: Method, order: Sequence[int], lcc: Sequence[int], before: int,
          weights: FloatArray) -> Plan:
    ranked = np.asarray(order, dtype=np.int64)
    return Plan(method, ranked, np.asarray(lcc, dtype=np.int64),
                np.cumsum(weights[ranked]) if len(ranked) else np.zeros(0), before)


def _adjacency(nodes: int, edges: npt.ArrayLike) -> tuple[list[int], list[int]]:
    """Compressed rows as flat Python lists: slices of a list iterate fastest in CPython."""
    pairs = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if len(pairs) and (pairs.min() < 0 or pairs.max() >= nodes):
        raise UsageError(f"an edge names a node outside 0..{nodes - 1}")
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    # One integer per unordered pair, sorted and deduplicated by hand: np.unique takes
    # seconds per million here (NumPy 2.4), a sort and a mask a tenth of that.
    keys = np.sort(np.minimum(pairs[:, 0], pairs[:, 1]) * nodes
                   + np.maximum(pairs[:, 0], pairs[:, 1]))
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    low, high = keys // nodes, keys % nodes
    src = np.concatenate([low, high])
    dst = np.concatenate([high, low])
    dst = dst[np.argsort(src, kind="stable")]
    ptr = np.zeros(nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=nodes), out=ptr[1:])
    return ptr.tolist(), dst.tolist()


def _corehd(nodes: int, ptr: list[int], idx: list[int], cost: FloatArray) -> list[int]:
    """CoreHD's decycling set, in removal order: the highest degree per cost in the 2-core
    first; nodes left with at most one neighbour leave the core without being removed."""
    deg = [ptr[v + 1] - ptr[v] for v in range(nodes)]
    inside = bytearray(b"\x01") * nodes
    per = (1.0 / cost).tolist()
    peel = [v for v in range(nodes) if deg[v] <= 1]

    def drain(stack: list[int]) -> None:
        while stack:
            v = stack.pop()
            if not inside[v]:
                continue
            inside[v] = 0
            for u in idx[ptr[v]:ptr[v + 1]]:
                if inside[u]:
                    deg[u] -= 1
                    if deg[u] == 1:
                        stack.append(u)

    drain(peel)
    removed: list[int] = []
    if np.all(cost == 1.0):
        # Unit costs: a bucket per degree instead of a heap (no log factor; a node is
        # appended to a bucket each time its degree drops, and stale entries are skipped).
        top = max(deg, default=0)
        buckets: list[list[int]] = [[] for _ in range(top + 1)]
        for v in range(nodes):
            if inside[v]:
                buckets[deg[v]].append(v)
        while top >= 2:
            bucket = buckets[top]
            if not bucket:
                top -= 1
                continue
            v = bucket.pop()
            if not inside[v] or deg[v] != top:
                continue
            inside[v] = 0
            removed.append(v)
            for u in idx[ptr[v]:ptr[v + 1]]:
                if inside[u]:
                    d = deg[u] - 1
                    deg[u] = d
                    if d <= 1:
                        peel.append(u)
                    else:
                        buckets[d].append(u)
            if peel:
                drain(peel)
        return removed
    heap = [(-deg[v] * per[v], v, deg[v]) for v in range(nodes) if inside[v]]
    heapq.heapify(heap)
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        _, v, d = pop(heap)
        if not inside[v] or deg[v] != d:
            continue
        inside[v] = 0
        removed.append(v)
        for u in idx[ptr[v]:ptr[v + 1]]:
            if inside[u]:
                deg[u] -= 1
                if deg[u] <= 1:
                    peel.append(u)
                else:
                    push(heap, (-deg[u] * per[u], u, deg[u]))
        if peel:
            drain(peel)
    return removed


def _high_degree(nodes: int, ptr: list[int], idx: list[int], cost: FloatArray, *,
                 removed: bytearray | None = None) -> list[int]:
    """High-degree adaptive: remove the node of highest current degree (per cost), update
    its neighbours, repeat; then the isolated nodes, in index order. Nodes already
    ``removed`` are left out."""
    gone = bytearray(removed) if removed is not None else bytearray(nodes)
    deg = [0] * nodes
    for v in range(nodes):
        if not gone[v]:
            deg[v] = sum(1 for u in idx[ptr[v]:ptr[v + 1]] if not gone[u])
    per = (1.0 / cost).tolist()
    heap = [(-deg[v] * per[v], v, deg[v]) for v in range(nodes) if not gone[v] and deg[v]]
    heapq.heapify(heap)
    order: list[int] = []
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        _, v, d = pop(heap)
        if gone[v] or deg[v] != d:
            continue
        gone[v] = 1
        order.append(v)
        for u in idx[ptr[v]:ptr[v + 1]]:
            if not gone[u]:
                deg[u] -= 1
                if deg[u]:
                    push(heap, (-deg[u] * per[u], u, deg[u]))
    order += [v for v in range(nodes) if not gone[v]]
    return order


def _high_betweenness(nodes: int, ptr: list[int], idx: list[int],
                      cost: FloatArray) -> list[int]:
    """Adaptive betweenness: remove the node of highest betweenness (per cost) in what
    remains, recompute, repeat (ties: higher degree, then lower index)."""
    import igraph as ig  # a compiled library: loaded only for the small networks here

    rest = ig.Graph(n=nodes, edges=[(v, u) for v in range(nodes)
                                    for u in idx[ptr[v]:ptr[v + 1]] if v < u])
    label = list(range(nodes))
    order: list[int] = []
    while label:
        scores = rest.betweenness()
        degrees = rest.degree()
        top = max(range(len(label)),
                  key=lambda v: (scores[v] / cost[label[v]], degrees[v], -label[v]))
        order.append(label.pop(top))
        rest.delete_vertices(top)
    return order


def _break_trees(nodes: int, ptr: list[int], idx: list[int], removed: bytearray,
                 limit: int) -> list[int]:
    """Remove (marking ``removed``) the fewest nodes that leave no tree piece above
    ``limit``: bottom-up, a node whose piece would exceed the limit goes."""
    seen = bytearray(removed)
    parent = [-1] * nodes
    held = [0] * nodes
    out: list[int] = []
    for root in range(nodes):
        if seen[root]:
            continue
        seen[root] = 1
        preorder = []
        stack = [root]
        while stack:
            v = stack.pop()
            preorder.append(v)
            for u in idx[ptr[v]:ptr[v + 1]]:
                if not seen[u]:
                    seen[u] = 1
                    parent[u] = v
                    stack.append(u)
        if len(preorder) <= limit:
            continue
        for v in reversed(preorder):
            piece = held[v] + 1
            if piece > limit:
                removed[v] = 1
                out.append(v)
                piece = 0
            if parent[v] >= 0:
                held[parent[v]] += piece
    return out


def _reinsert(nodes: int, ptr: list[int], idx: list[int], removed: bytearray,
              cost: FloatArray) -> tuple[list[int], list[int]]:
    """Greedy reinsertion from the empty network: kept nodes first, then removed ones, each
    time the node (per cost) whose return makes the smallest component.

    Returns the reinsertion order and the LCC size after each step (``largest[j]``: with
    the first ``j`` nodes back).

    Why two heaps: once one component is large, nearly every candidate touches it, and
    each step it grows makes all their sizes stale, so a single lazy heap re-evaluates
    every candidate at every step (quadratic). A candidate touching the largest component
    is instead keyed by what it adds besides it, which changes only when its other
    neighbours' components grow; the comparison with the other heap adds the size back.
    """
    parent = list(range(nodes))
    size = [1] * nodes
    back = bytearray(nodes)
    per = (1.0 / cost).tolist()
    order: list[int] = []
    largest = [0]
    biggest = 0
    tracked = max(64, nodes // 200)
    lowered = 0.0
    top_per = max(per, default=1.0)
    giant = -1

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    mark = [0] * nodes
    stamp = 0

    def score(v: int) -> tuple[bool, float]:
        """(touches the tracked component, size created without it, per cost)."""
        nonlocal stamp
        stamp += 1  # marks roots already counted: cheaper than a set per call
        total = 1
        touches = False
        for u in idx[ptr[v]:ptr[v + 1]]:
            if back[u]:
                r = u  # find, inlined: this is the innermost loop
                while parent[r] != r:
                    parent[r] = parent[parent[r]]
                    r = parent[r]
                if r == giant:
                    touches = True
                elif mark[r] != stamp:
                    mark[r] = stamp
                    total += size[r]
        return touches, total * per[v]

    push, pop = heapq.heappush, heapq.heappop
    for phase in (0, 1):
        rest = [v for v in range(nodes) if removed[v] == phase]
        if phase == 0 and nodes > _GREEDY_TAIL_NODES:
            # The kept nodes' pieces are small whatever their order, so on big graphs
            # they come back by increasing degree (removed last-to-first by decreasing
            # degree), without scoring: on a 300,000-node BA graph R is the same to four
            # decimals, and 15% faster.
            rest.sort(key=lambda v: ptr[v + 1] - ptr[v])
            for v in rest:
                back[v] = 1
                order.append(v)
                root = find(v)
                for u in idx[ptr[v]:ptr[v + 1]]:
                    if back[u]:
                        a_root = find(u)
                        if a_root != root:
                            if size[a_root] > size[root]:
                                a_root, root = root, a_root
                            parent[a_root] = root
                            size[root] += size[a_root]
                if size[root] > biggest:
                    biggest = size[root]
                largest.append(biggest)
            continue
        free: list[tuple[float, int]] = []
        near: list[tuple[float, int]] = []

        for v in rest:
            touches, key = score(v)
            if touches:
                near.append((key + lowered, v))
            else:
                free.append((key, v))
        heapq.heapify(free)
        heapq.heapify(near)

        inf = float("inf")
        while free or near:
            extra = size[giant] if giant >= 0 else 0
            bound_free = free[0][0] if free else inf
            bound_near = near[0][0] - lowered + extra * per[near[0][1]] if near else inf
            touching = bound_near < bound_free
            heap = near if touching else free
            key, v = pop(heap)
            if back[v]:
                continue
            if touching:
                key -= lowered
            touches, fresh = score(v)
            if touches != touching:
                if touches:
                    push(near, (fresh + lowered, v))
                else:
                    push(free, (fresh, v))
                continue
            if fresh > key:
                # Keys err low; accept only if the fresh value still beats every bound.
                value = fresh + (extra * per[v] if touching else 0.0)
                rival = (near[0][0] - lowered + extra * per[near[0][1]] if near else inf) \
                    if touching else (free[0][0] if free else inf)
                if value > min(rival, bound_free if touching else bound_near):
                    push(heap, (fresh + lowered if touching else fresh, v))
                    continue
            back[v] = 1
            order.append(v)
            root = find(v)
            for u in idx[ptr[v]:ptr[v + 1]]:
                if back[u]:
                    a_root = find(u)
                    if a_root != root:
                        if size[a_root] > size[root]:
                            a_root, root = root, a_root
                        parent[a_root] = root
                        size[root] += size[a_root]
            if size[root] > biggest:
                biggest = size[root]
            largest.append(biggest)
            if giant >= 0 and find(giant) == root:
                giant = root
            elif size[root] >= tracked and (giant < 0 or size[root] > size[find(giant)]):
                # Keys in ``near`` were taken without the old one: lowering them all by
                # the growth keeps every key a lower bound, which the lazy heap needs;
                # each is made exact when it reaches the top.
                lowered += (size[root] - (size[find(giant)] if giant >= 0 else 0)) * top_per
                giant = root
    return order, largest


def lcc_curve(nodes: int, edges: npt.ArrayLike, order: Sequence[int] | Any) -> list[int]:
    """The size of the largest component after each removal of ``order`` (a prefix of the
    nodes, or all of them), by adding the nodes back in reverse with a union-find."""
    ptr, idx = _adjacency(nodes, edges)
    ranked = [int(v) for v in order]
    if len(set(ranked)) != len(ranked):
        raise UsageError("a removal order names a node twice")
    if ranked and (min(ranked) < 0 or max(ranked) >= nodes):
        raise UsageError(f"a removal order names a node outside 0..{nodes - 1}")
    return _curve(nodes, ptr, idx, ranked)[0]


def _curve(nodes: int, ptr: list[int], idx: list[int], ranked: list[int]
           ) -> tuple[list[int], int]:
    """(LCC after each removal, LCC before any)."""
    parent = list(range(nodes))
    size = [1] * nodes
    present = bytearray(nodes)
    kept = bytearray(b"\x01") * nodes
    for v in ranked:
        kept[v] = 0

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    biggest = 0

    def add(v: int) -> None:
        nonlocal biggest
        present[v] = 1
        root = find(v)
        for u in idx[ptr[v]:ptr[v + 1]]:
            if present[u]:
                a = find(u)
                if a != root:
                    if size[a] > size[root]:
                        a, root = root, a
                    parent[a] = root
                    size[root] += size[a]
        biggest = max(biggest, size[root])

    # Nodes the order leaves in place are there throughout: add them first.
    for v in range(nodes):
        if kept[v]:
            add(v)
    curve = [0] * len(ranked)
    for k in range(len(ranked) - 1, -1, -1):
        curve[k] = biggest
        add(ranked[k])
    return curve, biggest
