"""The graph of trade: resolved firms and people, the shipments and incidents that name them,
and the details they share, as typed nodes and edges; and its projection onto entities.

Why a typed graph first: an investigator asks "which shipments, which phone" as well as
"who is tied to whom", so the evidence stays in the graph (``kind`` on every node and
edge, dates as ISO text). The rings are then found on the projection, where two entities
are tied by everything they share, each shared thing weighing less the more entities
share it (a phone shared by two firms says more than a port agent's phone shared by
forty): weight ``w(kind) / (k - 1)`` for a thing shared by ``k`` entities, as in
resource-allocation link prediction (Zhou, Lü & Zhang, EPJ B 2009). Trade is what firms
do, so the shipments between two firms add up logarithmically (see ``_trade_weight``).
Things shared by more than ``max_share`` entities (a registered-agent address, a
courier's hotline) are left out of the projection altogether: they tie everyone and so
tell nothing.

Node ids: entities keep their resolved id (``pw-entity-...``) or FtM id; shipments are
``shipment:SOURCE:ID``; incidents keep their FtM id; shared details are ``KIND:VALUE``
with the value normalised (phone in E.164, e-mail lower-cased, address and numbers
folded).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import igraph as ig
import pyarrow as pa
from followthemoney import EntityProxy

from precursorwatch.entities.parties import ROLES, party_record_id
from precursorwatch.entities.phones import to_e164
from precursorwatch.exceptions import InputError, UsageError

__all__ = [
    "ATTRIBUTE_KINDS",
    "KIND_WEIGHTS",
    "MAX_SHARE",
    "Parties",
    "build_graph",
    "graph_from_edges",
    "project",
]

#: Kinds of shared details that become nodes.
ATTRIBUTE_KINDS: tuple[str, ...] = ("address", "phone", "email", "identifier", "account",
                                    "wallet")
#: How much sharing one thing of each kind ties two entities, before dividing by how many
#: share it. Trade between two firms is ordinary, so a shipment weighs half a shared phone.
KIND_WEIGHTS: dict[str, float] = {
    "shipment": 0.5, "incident": 1.0, "address": 1.0, "phone": 1.0, "email": 1.0,
    "identifier": 1.0, "account": 1.0, "wallet": 1.0,
    "director": 1.0, "owner": 1.0, "payment": 1.0,
}
#: A thing shared by more entities than this ties no one in the projection.
MAX_SHARE = 30
_NUMBER_PROPS = ("registrationNumber", "taxNumber", "idNumber", "innCode", "vatCode",
                 "licenseNumber")
_ADDRESS_ROLES = {"exporter": ("exporter_address", "exporter_id", "export_country"),
                  "importer": ("importer_address", "importer_id", "import_country"),
                  "consignee": (None, None, "import_country")}


@dataclass(frozen=True)
class Parties:
    """What entity resolution found: each party record's entity, each entity's name."""

    entity_of: Mapping[str, str]
    label_of: Mapping[str, str] = field(default_factory=dict)


class _Builder:
    """Collects typed nodes and edges, merging repeats (an edge seen twice weighs 2)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str, str], dict[str, Any]] = {}

    def node(self, name: str, kind: str, label: str = "", when: str = "") -> str:
        found = self.nodes.get(name)
        if found is None:
            found = self.nodes[name] = {"kind": kind, "label": label or name, "flagged": 0,
                                        "first_seen": "", "last_seen": ""}
        elif label and found["label"] == name:
            found["label"] = label
        _seen(found, when)
        return name

    def edge(self, a: str, b: str, kind: str, when: str = "") -> None:
        if a == b:
            return
        key = (a, b, kind) if a < b else (b, a, kind)
        found = self.edges.get(key)
        if found is None:
            found = self.edges[key] = {"weight": 0.0, "first_seen": "", "last_seen": ""}
        found["weight"] += 1.0
        _seen(found, when)

    def graph(self) -> ig.Graph:
        names = list(self.nodes)
        index = {n: i for i, n in enumerate(names)}
        keys = list(self.edges)
        graph = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b, _ in keys])
        graph.vs["name"] = names
        for attribute in ("kind", "label", "flagged", "first_seen", "last_seen"):
            graph.vs[attribute] = [self.nodes[n][attribute] for n in names]
        graph.es["kind"] = [k for _, _, k in keys]
        for attribute in ("weight", "first_seen", "last_seen"):
            graph.es[attribute] = [self.edges[k][attribute] for k in keys]
        return graph


def _seen(values: dict[str, Any], when: str) -> None:
    if when:
        if not values["first_seen"] or when < values["first_seen"]:
            values["first_seen"] = when
        if not values["last_seen"] or when > values["last_seen"]:
            values["last_seen"] = when


def _fold(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", text.casefold()))


def attribute_key(kind: str, value: str, country: str | None = None) -> str | None:
    """The node id of a shared detail, normalised so that one phone or address written
    two ways is one node; None when nothing is left of the value."""
    value = value.strip()
    if not value:
        return None
    if kind == "phone":
        key = to_e164(value, (country or "").upper() or None) or re.sub(r"\D", "", value)
    elif kind == "email":
        key = value.casefold()
    elif kind == "address":
        key = _fold(value)
    else:
        key = re.sub(r"[^0-9A-Z]", "", value.upper())
    return f"{kind}:{key}" if key else None


def build_graph(rows: pa.Table, parties: Parties, *, entities: Iterable[EntityProxy] = (),
                flagged_shipments: Collection[str] = ()) -> ig.Graph:
    """The typed graph of contract ``rows`` (as the store holds them), their parties as
    resolved, and FtM ``entities`` (incident reports: companies, people, events,
    directorships, ownerships, payments, bank accounts, wallets).

    ``flagged_shipments`` holds ``SOURCE:ID`` or bare shipment ids of flagged or seized
    consignments; each marks its shipment node and, through the projection, its parties.
    Incidents not marked ``cleared`` in their keywords count as flagged.
    """
    b = _Builder()
    by_id: dict[str, list[str]] = defaultdict(list)
    flags = set(flagged_shipments)
    for row in rows.to_pylist():
        when = str(row.get("declared_at") or "")[:10]
        shipment = b.node(f"shipment:{row['source']}:{row['shipment_id']}", "shipment",
                          f"{row['source']} {row['shipment_id']}", when)
        by_id[str(row["shipment_id"])].append(shipment)
        if f"{row['source']}:{row['shipment_id']}" in flags or row["shipment_id"] in flags:
            b.nodes[shipment]["flagged"] = 1
        for role in ROLES:
            record = party_record_id(row, role)
            if record is None:
                continue
            entity = parties.entity_of.get(record, record)
            b.node(entity, "entity", parties.label_of.get(entity, ""), when)
            b.edge(entity, shipment, role, when)
            address, number, country = _ADDRESS_ROLES[role]
            for kind, column in (("address", address), ("identifier", number)):
                key = attribute_key(kind, str(row.get(column) or ""), row.get(country)
                                    ) if column else None
                if key:
                    b.node(key, kind, str(row[column]), when)
                    b.edge(entity, key, kind, when)
    _add_entities(b, list(entities), parties, by_id)
    return b.graph()


def _add_entities(b: _Builder, entities: list[EntityProxy], parties: Parties,
                  by_id: Mapping[str, list[str]]) -> None:
    """FtM entities: parties with their details, incidents, and the links between them."""
    accounts: dict[str, str] = {}
    for e in entities:
        if e.schema.is_a("BankAccount"):
            number = e.first("iban") or e.first("accountNumber")
            key = attribute_key("account", number) if number else None
            if key and e.id:
                accounts[e.id] = b.node(key, "account", number or "")

    def party(entity_id: str | None) -> str | None:
        if not entity_id:
            return None
        if entity_id in accounts:
            return accounts[entity_id]
        resolved = parties.entity_of.get(entity_id, entity_id)
        return b.node(resolved, "entity", parties.label_of.get(resolved, ""))

    for e in entities:
        if e.id is None:
            continue
        when = (e.first("date") or "")[:10] if "date" in e.schema.properties else ""
        if e.schema.is_a("LegalEntity"):
            entity = party(e.id)
            assert entity is not None
            if not b.nodes[entity]["label"] or b.nodes[entity]["label"] == entity:
                b.nodes[entity]["label"] = e.caption
            # The country gives a phone written without its prefix its region.
            country = e.first("country") or (e.first("nationality") if "nationality" in
                                             e.schema.properties else None)
            details = [("phone", p) for p in e.get("phone")]
            details += [("email", m) for m in e.get("email")]
            details += [("address", a) for a in e.get("address")]
            details += [("identifier", n) for prop in _NUMBER_PROPS
                        if prop in e.schema.properties for n in e.get(prop)]
            for kind, value in details:
                key = attribute_key(kind, value, country)
                if key:
                    b.node(key, kind, value)
                    b.edge(entity, key, kind)
        elif e.schema.is_a("Event"):
            incident = b.node(e.id, "incident", e.caption, when)
            if "cleared" not in e.get("keywords"):
                b.nodes[incident]["flagged"] = 1
            for involved in e.get("involved"):
                who = party(involved)
                if who:
                    b.edge(who, incident, "involved", when)
            for record in e.get("recordId"):
                for shipment in by_id.get(record, ()):
                    b.edge(incident, shipment, "reported", when)
                    b.nodes[shipment]["flagged"] = max(b.nodes[shipment]["flagged"],
                                                       b.nodes[incident]["flagged"])
        elif e.schema.name == "CryptoWallet":
            key = attribute_key("wallet", e.first("publicKey") or "")
            holder = party(e.first("holder"))
            if key and holder:
                b.node(key, "wallet", e.first("publicKey") or "")
                b.edge(holder, key, "wallet")
        else:
            pair = _link(e)
            if pair is not None:
                kind, a, c = pair
                left, right = party(a), party(c)
                if left and right:
                    b.edge(left, right, "account" if right.startswith("account:") else kind,
                           when)
                if kind == "payment" and left:
                    payer_account = party(e.first("payerAccount"))
                    if payer_account:
                        b.edge(left, payer_account, "account", when)


def _link(e: EntityProxy) -> tuple[str, str | None, str | None] | None:
    """(kind, one end, other end) of an FtM relation between parties."""
    if e.schema.is_a("Directorship"):
        return "director", e.first("director"), e.first("organization")
    if e.schema.is_a("Ownership"):
        return "owner", e.first("owner"), e.first("asset")
    if e.schema.is_a("Payment"):
        return "payment", e.first("payer"), e.first("beneficiary")
    return None


def project(graph: ig.Graph, *, max_share: int = MAX_SHARE) -> ig.Graph:
    """The entity graph: entities tied by the shipments, incidents and details they share
    and by direct links (directors, owners, payments), weighted as the module says.

    Node attributes: ``name``, ``label``, ``flagged`` (flagged shipments and incidents the
    entity is party to), ``shipments``, ``first_seen``, ``last_seen``. Edge attributes:
    ``weight``, ``kinds`` (``;``-joined), ``shared`` (how many things tie the two),
    ``first_seen``, ``last_seen``.
    """
    if max_share < 2:
        raise UsageError("max_share: a thing shared by fewer than 2 entities ties no one")
    kinds = graph.vs["kind"] if graph.vcount() else []
    entities = [v for v in range(graph.vcount()) if kinds[v] == "entity"]
    index = {v: i for i, v in enumerate(entities)}
    flagged = [0] * len(entities)
    shipments = [0] * len(entities)
    ties: dict[tuple[int, int], dict[str, Any]] = {}

    def tie(a: int, c: int, kind: str, weight: float, when: str) -> None:
        key = (a, c) if a < c else (c, a)
        found = ties.get(key)
        if found is None:
            found = ties[key] = {"weight": 0.0, "trade": 0.0, "kinds": set(), "shared": 0,
                                 "first_seen": "", "last_seen": ""}
        found["trade" if kind == "trade" else "weight"] += weight
        found["kinds"].add(kind)
        found["shared"] += 1
        _seen(found, when)

    adjacency = graph.get_adjlist()
    edge_kind = {}
    for edge in graph.es:
        edge_kind[edge.tuple] = (edge["kind"], edge["first_seen"])
    for v in range(graph.vcount()):
        kind = kinds[v]
        if kind == "entity":
            for u in adjacency[v]:
                if kinds[u] == "entity" and v < u:
                    link, when = edge_kind.get((v, u)) or edge_kind[(u, v)]
                    tie(index[v], index[u], link, KIND_WEIGHTS.get(link, 1.0), when)
            continue
        members = sorted({index[u] for u in adjacency[v] if kinds[u] == "entity"})
        if kind == "shipment" or graph.vs[v]["flagged"]:
            for m in members:
                shipments[m] += kind == "shipment"
                flagged[m] += int(graph.vs[v]["flagged"] or 0)
        if len(members) < 2 or len(members) > max_share:
            continue
        weight = KIND_WEIGHTS.get(kind, 1.0) / (len(members) - 1)
        when = graph.vs[v]["first_seen"] or ""
        for a, c in combinations(members, 2):
            tie(a, c, "trade" if kind == "shipment" else kind, weight, when)
    keys = list(ties)
    projected = ig.Graph(n=len(entities), edges=keys)
    for attribute in ("name", "label", "first_seen", "last_seen"):
        projected.vs[attribute] = [graph.vs[v][attribute] for v in entities]
    projected.vs["kind"] = ["entity"] * len(entities)
    projected.vs["flagged"] = flagged
    projected.vs["shipments"] = shipments
    projected.es["weight"] = [ties[k]["weight"] + _trade_weight(ties[k]["trade"])
                              for k in keys]
    projected.es["kinds"] = [";".join(sorted(ties[k]["kinds"])) for k in keys]
    projected.es["shared"] = [ties[k]["shared"] for k in keys]
    projected.es["first_seen"] = [ties[k]["first_seen"] for k in keys]
    projected.es["last_seen"] = [ties[k]["last_seen"] for k in keys]
    return projected


def _trade_weight(total: float) -> float:
    """Trade's share of a tie: one shipment between two firms weighs its own weight
    (half a shared phone), more shipments add only logarithmically, so that a legitimate
    supplier and its customer of forty shipments do not outweigh a shared phone tenfold."""
    unit = KIND_WEIGHTS["shipment"]
    return unit * math.log2(1.0 + total / unit) if total > 0 else 0.0


def graph_from_edges(table: pa.Table, *, file: str | None = None) -> ig.Graph:
    """An undirected graph from an edge table with ``source`` and ``target`` columns (any
    text ids) and an optional ``weight`` (a positive number; default 1). Repeated pairs
    add their weights; a loop or a bad weight is an input error naming its row."""
    missing = [c for c in ("source", "target") if c not in table.column_names]
    if missing:
        raise InputError(f"an edge list needs the columns source and target; missing: "
                         f"{', '.join(missing)}", file=file, field=missing[0])
    sources = table.column("source").to_pylist()
    targets = table.column("target").to_pylist()
    weights = (table.column("weight").to_pylist() if "weight" in table.column_names
               else [None] * table.num_rows)
    names: dict[str, int] = {}
    merged: dict[tuple[int, int], float] = defaultdict(float)
    for row, (s, t, w) in enumerate(zip(sources, targets, weights, strict=True), start=1):
        for column, value in (("source", s), ("target", t)):
            if value is None or str(value).strip() == "":
                raise InputError("empty node id", file=file, row=row, field=column)
        a = names.setdefault(str(s).strip(), len(names))
        c = names.setdefault(str(t).strip(), len(names))
        if a == c:
            continue
        weight = 1.0
        if w is not None and str(w).strip() != "":
            try:
                weight = float(w)
            except ValueError:
                raise InputError(f"not a number: {w!r}", file=file, row=row,
                                 field="weight") from None
            if not weight > 0 or weight == float("inf"):
                raise InputError(f"a weight must be a positive number, not {w!r}",
                                 file=file, row=row, field="weight")
        merged[(a, c) if a < c else (c, a)] += weight
    graph = ig.Graph(n=len(names), edges=list(merged))
    graph.vs["name"] = list(names)
    graph.vs["label"] = list(names)
    graph.es["weight"] = list(merged.values())
    return graph
