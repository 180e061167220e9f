"""Published covert networks for the dismantling benchmark: where each comes from, and a
reader for the formats they are published in.

None of these networks is shipped: no licence permitting redistribution could be found
for any of them (see ``benchmarks/data/covert/README.md``, which says where to get each
one). The benchmark reads the copies a user puts in that folder (or in ``--covert DIR``)
and says which are missing.

The reader takes every published form met so far: whitespace-, tab- or comma-separated
edge lists, with or without a header row (``Source Target Weight``, ``from,to,weight``),
with or without a third column of weights, ids as numbers or names. Ties are read as
undirected; repeated pairs (a call each way) and loops are dropped, weights ignored:
dismantling counts who is connected, not how often.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import igraph as ig

__all__ = ["COVERT", "CovertNetwork", "find", "read_edge_list"]

#: First-row words that mark a header rather than an edge.
_HEADER_WORDS = {"source", "target", "from", "to", "src", "dst", "node1", "node2",
                 "vertex1", "vertex2", "weight", "id1", "id2"}


@dataclass(frozen=True)
class CovertNetwork:
    """A published covert network: the file names it circulates under, its size as
    published (to check a copy against), and what to cite."""

    key: str
    title: str
    files: tuple[str, ...]
    nodes: int
    edges: int
    citation: str


COVERT: tuple[CovertNetwork, ...] = (
    CovertNetwork(
        "krebs-911", "9/11 hijackers and associates (Krebs 2002)",
        ("terrorists.net", "9_11_edgelist.txt"), 34, 93,
        "V. Krebs, Mapping networks of terrorist cells, Connections 24(3):43-52 (2002); "
        "the 34-node edge list of V. Latora, V. Nicosia, G. Russo, Complex Networks: "
        "Principles, Methods and Applications, Cambridge University Press (2017), ch. 2",
    ),
    CovertNetwork(
        "montagna-meetings", "Sicilian Mafia, operation Montagna: meetings",
        ("Montagna_meetings_edgelist.csv", "Montagna_Meetings_Edgelist.csv"), 101, 256,
        "L. Cavallaro, A. Ficara, P. De Meo, G. Fiumara, S. Catanese, O. Bagdasar, "
        "A. Liotta, Disrupting resilient criminal networks through data analysis: the case "
        "of Sicilian Mafia, PLOS ONE 15(8):e0236476 (2020); data: Zenodo, "
        "doi:10.5281/zenodo.3938818",
    ),
    CovertNetwork(
        "montagna-phonecalls", "Sicilian Mafia, operation Montagna: phone calls",
        ("Montagna_phonecalls_edgelist.csv", "Montagna_Phone_Calls_Edgelist.csv"),
        100, 124,
        "as for the meetings (Cavallaro et al. 2020)",
    ),
)


def read_edge_list(path: Path) -> ig.Graph:
    """An undirected simple graph from an edge-list file in any of the published forms;
    vertex attribute ``name`` holds the ids as written."""
    index: dict[str, int] = {}
    pairs: set[tuple[int, int]] = set()
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text or text.startswith(("#", "%")):
                continue
            tokens = [t.strip().strip('"') for t in re.split(r"[,\t ;]+", text) if t]
            if number == 1 and tokens and tokens[0].lower() in _HEADER_WORDS:
                continue
            if len(tokens) < 2:
                raise ValueError(f"{path}:{number}: expected two ids, found {text!r}")
            a = index.setdefault(tokens[0], len(index))
            b = index.setdefault(tokens[1], len(index))
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    graph = ig.Graph(n=len(index), edges=sorted(pairs))
    graph.vs["name"] = list(index)
    return graph


def find(folder: Path) -> list[tuple[CovertNetwork, ig.Graph | None]]:
    """Each published network with the copy found in ``folder`` (``None`` if absent)."""
    found: list[tuple[CovertNetwork, ig.Graph | None]] = []
    for network in COVERT:
        path = next((folder / f for f in network.files if (folder / f).is_file()), None)
        found.append((network, read_edge_list(path) if path else None))
    return found
