"""Networks: the graph of trade, its rings, their key players and plans to dismantle them.

* ``build``: typed graph of entities, shipments, incidents and shared details; projection
  onto entities; outside edge lists;
* ``communities``: rings (Infomap by default, Leiden on request), seeded and stable;
* ``key_players``: betweenness, PageRank, brokerage between rings, closeness to seizures;
* ``dismantle``: removal plans (CoreHD, tree breaking, reinsertion) and their curves;
* ``export``: GEXF, FollowTheMoney, a self-contained HTML view, the curve as PNG.
"""

from precursorwatch.network.build import Parties, build_graph, graph_from_edges, project
from precursorwatch.network.communities import Partition, find_communities, nmi
from precursorwatch.network.dismantle import METHODS, Plan, lcc_curve

# ``dismantle.dismantle`` and ``key_players.key_players`` are imported from their modules:
# re-exported here, they would hide the modules of the same name.

__all__ = [
    "METHODS",
    "Parties",
    "Partition",
    "Plan",
    "build_graph",
    "find_communities",
    "graph_from_edges",
    "lcc_curve",
    "nmi",
    "project",
]
