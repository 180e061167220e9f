"""Planted diversion rings: who is in them, what they buy, and what ties them together.

A ring is what investigations find behind diverted consignments: brokers on the exporting
side, front companies on the importing side, a freight forwarder in a free zone, an offshore
company that pays, and the few people who control all of them. Their records share what such
people share in life: directors, a mobile number, a virtual office, a bank account, a crypto
wallet. When a front company is caught (``burned``), its owners register a ``successor``
under a new name at the same address, with the same directors and phone.

Members are labelled (``Ring.members``), so entity resolution and network analysis can be
scored against the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from precursorwatch.simulate.firms import Firm, FirmFactory, Person, Sector

__all__ = ["SCHEMES", "Ring", "Scheme", "build_rings"]

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class Scheme:
    """What a kind of ring diverts, from where, to where.

    ``products`` and ``designer`` are catalogue keys: controlled goods the ring orders, and
    the non-scheduled designer precursors that replace them once they are controlled.
    """

    drug: str
    origin: str
    destinations: tuple[str, ...]
    products: tuple[str, ...]
    designer: tuple[str, ...]


#: The diversion schemes of US-India trade the rings follow.
SCHEMES: tuple[Scheme, ...] = (
    Scheme("methamphetamine", "IN", ("MX", "GT", "US", "HN"),
           ("pseudoephedrine", "ephedrine", "norephedrine", "p2p", "bmk_glycidate", "apaan",
            "methylamine"), ("p2np", "eapa", "methylpropiophenone")),
    Scheme("fentanyl", "IN", ("MX", "US", "CA", "GT"),
           ("npp", "anpp", "four_ap", "boc_four_piperidone", "four_piperidone",
            "propionic_anhydride"), ("benzyl_piperidone", "phenethyl_bromide")),
    Scheme("MDMA and cathinones", "IN", ("NL", "BE", "AU", "CA"),
           ("pmk_glycidate", "safrole", "piperonal"),
           ("bromo_methylpropiophenone", "bromovalerophenone", "methylpropiophenone")),
    Scheme("cocaine", "US", ("CO", "BR", "PA", "GT"),
           ("potassium_permanganate", "methyl_ethyl_ketone", "acetone", "toluene",
            "sulphuric_acid", "hydrochloric_acid", "acetic_anhydride"), ()),
    Scheme("pharmaceutical opioids", "IN", ("NG", "GH", "TG", "AE", "NP"),
           ("tramadol", "tramadol_tablets", "tapentadol_tablets", "codeine_syrup",
            "alprazolam_tablets", "pregabalin_capsules"), ()),
)
_OFFSHORE = ("HK", "AE")
_FORWARDER_HUBS = ("AE", "HK", "PA")


@dataclass(frozen=True)
class Ring:
    """A planted ring and its members."""

    id: str
    scheme: Scheme
    brokers: tuple[Firm, ...]
    fronts: tuple[Firm, ...]
    forwarders: tuple[Firm, ...]
    payers: tuple[Firm, ...]
    controllers: tuple[Person, ...]
    wallet: str
    burned: Firm | None
    successor: Firm | None
    burn_day: int

    @property
    def firms(self) -> tuple[Firm, ...]:
        """Every firm of the ring, the burned front and its successor included."""
        extra = tuple(f for f in (self.burned, self.successor) if f is not None)
        found = {f.id: f for f in (*self.brokers, *self.fronts, *self.forwarders,
                                   *self.payers, *extra)}
        return tuple(found.values())

    @property
    def members(self) -> tuple[str, ...]:
        """Ids of every member firm and person."""
        return (*(f.id for f in self.firms), *(p.id for p in self.controllers))


def _wallet(r: random.Random) -> str:
    """A TRON (USDT) address shape: ``T`` and 33 base58 characters."""
    return "T" + "".join(r.choice(_BASE58) for _ in range(33))


def _ring(index: int, scheme: Scheme, factory: FirmFactory, r: random.Random) -> Ring:
    origin = scheme.origin
    controllers = tuple(
        factory.person(r.choice((origin, *scheme.destinations)), shady=r.random() < 0.5)
        for _ in range(r.randint(1, 3))
    )

    def run_by(firm: Firm) -> Firm:
        return replace(firm, directors=tuple(r.sample(controllers,
                                                      k=min(len(controllers), 2))))

    sector: Sector = "pharma" if scheme.drug == "pharmaceutical opioids" else "chemical"
    brokers = tuple(run_by(factory.firm(origin, "trader", sector, free_mail=True,
                                        founded=r.randrange(2012, 2024)))
                    for _ in range(r.randint(1, 2)))
    destinations = r.sample(scheme.destinations, k=min(2, len(scheme.destinations)))
    fronts: list[Firm] = []
    for k in range(r.randint(2, 4)):
        front = run_by(factory.firm(destinations[k % len(destinations)], "front", sector,
                                    free_mail=True, founded=r.choice((2024, 2025)),
                                    size=0.5))
        if fronts and r.random() < 0.6:
            # Fronts of one ring answer the same mobile and sit at the same virtual office.
            first = fronts[0]
            front = replace(front, phones=first.phones[:1] + front.phones[1:])
            if first.country == front.country and r.random() < 0.6:
                front = replace(front, place=first.place, premises=first.premises,
                                addresses=first.addresses)
        fronts.append(front)
    forwarders = tuple(run_by(factory.firm(r.choice(_FORWARDER_HUBS), "forwarder", "logistics",
                                           free_mail=False))
                       for _ in range(int(r.random() < 0.7)))
    payers = (run_by(factory.firm(r.choice(_OFFSHORE), "trader", "chemical", free_mail=True,
                                  founded=r.randrange(2018, 2025))),)
    # The first ring always loses a front, so every simulation has a renamed offender.
    burned = fronts[0] if index == 1 or r.random() < 0.8 else None
    burn_day = r.randrange(70, 220)
    successor = None
    if burned is not None:
        successor = factory.successor(burned, founded=2025)
    return Ring(
        id=f"RING-{index:02d}",
        scheme=scheme,
        brokers=brokers,
        fronts=tuple(fronts),
        forwarders=forwarders,
        payers=payers,
        controllers=controllers,
        wallet=_wallet(r),
        burned=burned,
        successor=successor,
        burn_day=burn_day,
    )


def build_rings(factory: FirmFactory, count: int, r: random.Random) -> tuple[Ring, ...]:
    """``count`` rings, the schemes taken in turn so that every scheme is present."""
    return tuple(_ring(i + 1, SCHEMES[i % len(SCHEMES)], factory, r) for i in range(count))
