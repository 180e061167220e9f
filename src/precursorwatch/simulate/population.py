"""The population of firms that trade legitimately: how many of each kind, where, and which
of them can ship or receive which goods.

Numbers grow with the size of the simulation (a million rows come from some seven thousand
firms) so that every firm keeps a realistic number of customers and repeat orders at any size.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from precursorwatch.simulate.firms import Firm, FirmFactory, Role, Sector
from precursorwatch.simulate.products import Catalogue

__all__ = ["FORWARDER_HUBS", "Pool", "Population", "build_population", "index_population"]

#: Where freight forwarders that act as consignees sit: free zones and transshipment ports.
FORWARDER_HUBS: tuple[str, ...] = ("AE", "HK", "SG", "PA", "NL", "US", "IN")


@dataclass(frozen=True)
class Pool:
    """Firms that can play one part, with cumulative weights for fast weighted draws."""

    firms: tuple[int, ...]
    cumulative: tuple[float, ...]

    def draw(self, r: random.Random) -> int:
        """A firm index, bigger firms more often."""
        x = r.random() * self.cumulative[-1]
        return self.firms[bisect.bisect_right(self.cumulative, x)]


@dataclass(frozen=True)
class Population:
    """Every legitimate firm, and pools of exporters, importers and forwarders."""

    firms: tuple[Firm, ...]
    exporters: dict[tuple[str, str], Pool]
    importers: dict[tuple[str, str], Pool]
    forwarders: dict[str, Pool]

    def exporter(self, country: str, sector: str, r: random.Random) -> int:
        """A firm that exports goods of a sector from a country."""
        return self.exporters[(country, sector)].draw(r)

    def importer(self, country: str, sector: str, r: random.Random) -> int:
        """A firm that imports goods of a sector into a country."""
        pool = self.importers.get((country, sector)) or self.importers[(country, "any")]
        return pool.draw(r)

    def forwarder(self, country: str, r: random.Random) -> int:
        """A freight forwarder of a hub country."""
        return self.forwarders[country].draw(r)


def _pool(firms: Sequence[Firm], indices: Sequence[int]) -> Pool:
    weights = [firms[i].size for i in indices]
    return Pool(tuple(indices), tuple(itertools.accumulate(weights)))


def build_population(factory: FirmFactory, catalogue: Catalogue, rows: int) -> list[Firm]:
    """Legitimate firms for a simulation of ``rows`` rows, in a fixed order."""
    def count(per: int, minimum: int) -> int:
        return max(minimum, rows // per)

    plan: list[tuple[str, Role, Sector, int]] = [
        ("IN", "manufacturer", "pharma", count(900, 12)),
        ("IN", "manufacturer", "chemical", count(1400, 8)),
        ("IN", "trader", "chemical", count(2500, 4)),
        ("IN", "trader", "pharma", count(4000, 3)),
        ("IN", "distributor", "pharma", count(5000, 3)),
        ("IN", "distributor", "chemical", count(5000, 3)),
        ("US", "manufacturer", "pharma", count(2000, 6)),
        ("US", "manufacturer", "chemical", count(1800, 6)),
        ("US", "distributor", "pharma", count(1500, 6)),
        ("US", "distributor", "chemical", count(1600, 6)),
        ("US", "research", "pharma", count(25000, 2)),
    ]
    demand: dict[str, float] = {}
    for product in catalogue.products:
        for market in product.markets:
            demand[market] = demand.get(market, 0.0) + product.weight
    total = sum(demand.values()) or 1.0
    for market in sorted(demand):
        share = demand[market] / total
        plan.append((market, "distributor", "pharma", max(2, round(rows / 900 * share))))
        plan.append((market, "distributor", "chemical", max(2, round(rows / 1200 * share))))
        plan.append((market, "manufacturer", "pharma", max(1, round(rows / 3000 * share))))
    for hub in FORWARDER_HUBS:
        plan.append((hub, "forwarder", "logistics", count(60000, 2)))
    firms: list[Firm] = []
    for country, role, sector, how_many in plan:
        firms.extend(factory.firm(country, role, sector) for _ in range(how_many))
    return firms


def index_population(firms: Sequence[Firm]) -> Population:
    """Pools of who ships and who receives what, over legitimate firms only."""
    exporters: dict[tuple[str, str], list[int]] = {}
    importers: dict[tuple[str, str], list[int]] = {}
    forwarders: dict[str, list[int]] = {}
    for i, firm in enumerate(firms):
        if firm.role in ("front",):
            continue
        if firm.role == "forwarder":
            forwarders.setdefault(firm.country, []).append(i)
            continue
        if firm.role in ("manufacturer", "trader") and firm.country in ("IN", "US"):
            exporters.setdefault((firm.country, firm.sector), []).append(i)
        if firm.role in ("distributor", "manufacturer", "research"):
            importers.setdefault((firm.country, firm.sector), []).append(i)
            importers.setdefault((firm.country, "any"), []).append(i)
    return Population(
        firms=tuple(firms),
        exporters={k: _pool(firms, v) for k, v in exporters.items()},
        importers={k: _pool(firms, v) for k, v in importers.items()},
        forwarders={k: _pool(firms, v) for k, v in forwarders.items()},
    )
