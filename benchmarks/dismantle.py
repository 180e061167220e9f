"""Dismantling: how fast each method breaks a network, and what happens when it adapts.

Measured, for precursorwatch's method (``corehd-r``: CoreHD, tree breaking, reinsertion)
and two baselines (``hda``: high degree, adaptive; ``corehd``: CoreHD then high degree on
the remaining forest), on:

* Barabási-Albert, n = 10,000, m = 3 (igraph, Python ``random`` seeded 1);
* Erdős-Rényi, n = 10,000, mean degree 3.5 (17,500 edges; seed 1);
* a configuration-model graph with power-law degrees (exponent 2.5, degrees 2 to 100;
  multi-edges and loops removed; NumPy seed 1);
* small real networks shipped with networkx (no download): Zachary's karate club,
  Padgett's Florentine families, Les Misérables co-appearances, Davis' southern women
  (bipartite);
* published covert networks (the 9/11 hijackers, Krebs 2002; the Sicilian Mafia's
  meetings and phone calls in operation Montagna, Cavallaro et al. 2020), read from the
  user's own copies in ``benchmarks/data/covert/`` (or ``--covert DIR``): none may be
  redistributed, and its README says where to get each. For each, also the share of the
  largest component lost once 5% of the nodes are removed, the point Cavallaro et al.
  report ("by neutralizing only the 5% of the affiliates, network connectivity dropped
  by 70%", with betweenness-ranked arrests).

Figures: R (mean largest-component fraction over the whole removal sequence, lower is
better), the share of nodes removed to bring the largest component to 10% and to 1% of
the nodes, and seconds.

Then adaptation, as criminology warns (Duijn, Kashirin & Sloot, Sci. Rep. 2014:
criminal networks recover by re-linking around removed members). Targets are acted on
in waves; after each wave, the best-connected surviving neighbour of each removed node
takes over each of its ties with probability p. Reported: the largest component (as a
fraction of all nodes, after the last wave and the re-linking it provokes) once as many
nodes are removed as bring the static network to 1% (BA graph; waves of 1% of the
nodes; one draw of who re-links) or to 10% (Montagna meetings; waves of 5%; the mean of
20 draws, as one draw on 100 nodes is noisy), for: all targets in one wave; waves
with the plan made once on the network as first seen; waves with the plan made again
on the re-linked network before each wave.

Run: ``.venv/bin/python benchmarks/dismantle.py`` (about a minute); add ``--million`` to
also time a plan for a 1,000,000-node BA graph (m = 3).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

import igraph as ig
import networkx as nx
import numpy as np

# benchmarks/covert.py: Python puts this script's folder first on the import path.
from covert import find
from precursorwatch.network.dismantle import METHODS, Plan, dismantle, lcc_curve

COVERT_DIR = Path(__file__).parent / "data" / "covert"


def _seeded(seed: int, make: Callable[[], ig.Graph]) -> ig.Graph:
    random.seed(seed)  # igraph draws from Python's random module
    return make()


def power_law(n: int, exponent: float, seed: int) -> ig.Graph:
    """Configuration model with degrees drawn from k^-exponent on 2..100, simplified."""
    rng = np.random.default_rng(seed)
    ks = np.arange(2, 101)
    p = ks.astype(float) ** -exponent
    degrees = rng.choice(ks, size=n, p=p / p.sum())
    if degrees.sum() % 2:
        degrees[0] += 1
    graph = _seeded(seed, lambda: ig.Graph.Degree_Sequence(degrees.tolist(),
                                                           method="configuration"))
    return graph.simplify()


def from_networkx(graph: nx.Graph) -> ig.Graph:
    index = {v: i for i, v in enumerate(graph.nodes())}
    return ig.Graph(n=len(index), edges=[(index[a], index[b]) for a, b in graph.edges()])


def measure(name: str, graph: ig.Graph) -> dict[str, Plan]:
    n = graph.vcount()
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64)
    print(f"\n{name}: {n:,} nodes, {graph.ecount():,} edges")
    print(f"  {'method':10} {'R':>8} {'to 10%':>8} {'to 1%':>8} {'seconds':>8}")
    plans = {}
    for method in METHODS:
        start = time.perf_counter()
        plan = dismantle(n, edges, method=method)
        seconds = time.perf_counter() - start
        plans[method] = plan
        # Below 100 nodes, 1% of the nodes is less than one: the share is not defined.
        to1 = f"{plan.removed_to(0.01) / n:8.4f}" if n >= 100 else f"{'-':>8}"
        print(f"  {method:10} {plan.robustness():8.4f} {plan.removed_to(0.1) / n:8.4f} "
              f"{to1} {seconds:8.2f}", flush=True)
    best = min(plans, key=lambda m: plans[m].robustness())
    print(f"  lowest R: {best}")
    return plans


def adapt(graph: ig.Graph, budget: int, relink: float, wave: int, replan: bool,
          seed: int) -> float:
    """LCC fraction once ``budget`` nodes are removed in waves of ``wave`` while the
    network re-links after each wave (the best-connected surviving neighbour of each
    removed node takes over each of its ties with probability ``relink``); the plan is
    made once on the network as first seen, or made again after every wave."""
    rng = random.Random(seed)
    n = graph.vcount()
    neighbours = [set(graph.neighbors(v)) for v in range(n)]
    alive = [True] * n

    def plan() -> list[int]:
        edges = [(a, b) for a in range(n) for b in neighbours[a] if a < b]
        order = dismantle(n, np.asarray(edges, dtype=np.int64).reshape(-1, 2)).order
        return [int(v) for v in order if alive[v]]

    queue = plan()
    at = done = 0
    while done < budget:
        batch: list[int] = []
        while len(batch) < min(wave, budget - done):
            v = queue[at]
            at += 1
            if alive[v]:
                batch.append(v)
        for v in batch:  # the whole wave is taken before anyone can react
            alive[v] = False
        for v in batch:
            left = [u for u in neighbours[v] if alive[u]]
            for u in neighbours[v]:
                neighbours[u].discard(v)
            neighbours[v] = set()
            if len(left) > 1:
                heir = max(left, key=lambda u: (len(neighbours[u]), -u))
                for u in left:
                    if u != heir and u not in neighbours[heir] and rng.random() < relink:
                        neighbours[heir].add(u)
                        neighbours[u].add(heir)
        done += len(batch)
        if replan and done < budget:
            queue, at = plan(), 0
    rest = ig.Graph(n=n, edges=[(a, b) for a in range(n) for b in neighbours[a] if a < b])
    rest.delete_vertices([v for v in range(n) if not alive[v]])
    return max(rest.connected_components().sizes(), default=0) / n


def adaptation(name: str, graph: ig.Graph, budget: int, wave: int, target: str,
               seeds: int = 1) -> None:
    """The adaptation table of one network: all removals in one wave, or in waves of
    ``wave`` nodes with the plan made once or re-made after each wave; each cell the mean
    over ``seeds`` random draws of who re-links."""
    print(f"\nAdaptation on {name}: {budget:,} removals (the static plan's {target}), "
          f"waves of {wave:,} nodes; mean of {seeds} draw(s) of the re-linking")
    print(f"  {'re-link p':>9} {'one wave':>9} {'waves, plan once':>17} "
          f"{'waves, re-planned':>18}")
    for p in (0.0, 0.25, 0.5, 1.0):
        one, once, again = (
            float(np.mean([adapt(graph, budget, p, size, replan, seed)
                           for seed in range(1, seeds + 1)]))
            for size, replan in ((budget, False), (wave, False), (wave, True)))
        print(f"  {p:9.2f} {one:9.4f} {once:17.4f} {again:18.4f}", flush=True)


def betweenness_adaptive(graph: ig.Graph) -> list[int]:
    """The strategy Cavallaro et al. found best on the Montagna networks: remove the node
    of highest betweenness, recompute, repeat (ties: lowest index)."""
    rest = graph.copy()
    rest.vs["original"] = list(range(graph.vcount()))
    order: list[int] = []
    while rest.vcount():
        scores = rest.betweenness()
        top = max(range(rest.vcount()), key=lambda v: (scores[v], rest.degree(v), -v))
        order.append(rest.vs[top]["original"])
        rest.delete_vertices(top)
    return order


def covert(folder: Path) -> list[bool]:
    """The published covert networks found in ``folder``: R and shares for each method,
    and the share of the largest component gone after 5% of the nodes are removed (the
    point Cavallaro et al. 2020 report for the Montagna networks)."""
    wins = []
    print(f"\nPublished covert networks (copies read from {folder}; see its README.md)")
    for network, graph in find(folder):
        if graph is None:
            print(f"\n{network.title}: not found ({' or '.join(network.files)}); "
                  "not measured")
            continue
        n = graph.vcount()
        if (n, graph.ecount()) != (network.nodes, network.edges):
            print(f"\n  note: this copy has {n} nodes and {graph.ecount()} edges; the "
                  f"published one {network.nodes} and {network.edges}")
        measured = measure(f"{network.title} [{network.key}]", graph)
        ours = measured["corehd-r"].robustness()
        wins.append(all(ours <= p.robustness() for m, p in measured.items()
                        if m != "corehd-r"))
        edges = np.asarray(graph.get_edgelist(), dtype=np.int64)
        between = lcc_curve(n, edges, betweenness_adaptive(graph))
        to10 = next(k for k, c in enumerate(between) if c <= 0.1 * n) + 1
        print(f"  {'betweenness':10} {sum(between) / n / n:8.4f} {to10 / n:8.4f}   "
              "(reference: Cavallaro et al.'s best strategy, adaptive betweenness)")
        k = round(0.05 * n)
        cells = ", ".join(
            [f"{m} {1 - plan.lcc_after[k - 1] / plan.lcc_before:.0%}"
             for m, plan in measured.items()]
            + [f"betweenness {1 - between[k - 1] / measured['hda'].lcc_before:.0%}"])
        print(f"  largest component lost after removing 5% of the nodes ({k}): {cells}")
        if network.key == "montagna-meetings":
            plan = measured["corehd-r"]
            adaptation(network.key, graph, plan.removed_to(0.1), max(1, n // 20),
                       "10%", seeds=20)
    return wins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true",
                        help="also time a plan for a 1,000,000-node BA graph")
    parser.add_argument("--covert", type=Path, default=COVERT_DIR,
                        help=f"folder of published covert networks (default {COVERT_DIR})")
    args = parser.parse_args()

    n = 10_000
    graphs = {
        "Barabasi-Albert (n=10,000, m=3, seed 1)": _seeded(1, lambda: ig.Graph.Barabasi(n, 3)),
        "Erdos-Renyi (n=10,000, <k>=3.5, seed 1)": _seeded(
            1, lambda: ig.Graph.Erdos_Renyi(n=n, m=int(3.5 * n / 2))),
        "Power-law configuration model (n=10,000, gamma=2.5, k=2..100, seed 1)":
            power_law(n, 2.5, 1),
    }
    wins = []
    plans: dict[str, Plan] = {}
    for name, graph in graphs.items():
        measured = measure(name, graph)
        plans = plans or measured
        ours = measured["corehd-r"].robustness()
        wins.append(all(ours < p.robustness() for m, p in measured.items() if m != "corehd-r"))
    for name, real in (("Zachary karate club", nx.karate_club_graph()),
                       ("Florentine families (Padgett)", nx.florentine_families_graph()),
                       ("Les Miserables", nx.les_miserables_graph()),
                       ("Davis southern women (bipartite)", nx.davis_southern_women_graph())):
        measured = measure(name, from_networkx(real))
        ours = measured["corehd-r"].robustness()
        wins.append(all(ours <= p.robustness() for m, p in measured.items()
                        if m != "corehd-r"))
    wins += covert(args.covert)
    print(f"\ncorehd-r lowest R (or tied, on the small real ones) on {sum(wins)} of "
          f"{len(wins)} graphs")

    ba = next(iter(graphs.values()))
    adaptation("the BA graph", ba, plans["corehd-r"].removed_to(0.01), n // 100, "1%")

    if args.million:
        big = _seeded(1, lambda: ig.Graph.Barabasi(1_000_000, 3))
        edges = np.asarray(big.get_edgelist(), dtype=np.int64)
        start, cpu = time.perf_counter(), time.process_time()
        plan = dismantle(big.vcount(), edges)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        # CPU time beside wall time: the machine is shared, and others' jobs stretch the
        # wall clock of this single-threaded plan.
        print(f"\n1,000,000-node BA (m=3, seed 1, {big.ecount():,} edges): corehd-r plan in "
              f"{seconds:.1f} s wall, {cpu:.1f} s CPU; R = {plan.robustness():.4f}; "
              f"to 1%: {plan.removed_to(0.01) / 1e6:.4f}")


if __name__ == "__main__":
    main()
