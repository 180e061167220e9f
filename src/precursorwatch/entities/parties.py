"""The parties of trade and of FollowTheMoney files, resolved into entities and exported.

Each distinct way a party is written in the shipments (name, address, registration number,
country) is one record, whatever its role: an importer in one consignment may be the
consignee of another, and a firm reappearing as an exporter is the same firm. Parties from
FtM files (watch lists, incident exports) are records too, under their own ids, so a
watch-listed firm joins the entity of its trade. Entities go out as FtM JSON lines that
Aleph and nomenklatura read, one entity per cluster with every name, address, number and
country its records carry.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
from followthemoney import EntityProxy, model

from precursorwatch.entities.records import Resolution, resolve_table
from precursorwatch.entities.settings import Kind, guess_settings

__all__ = ["PARTY_COLUMNS", "ROLES", "entity_id", "entity_records", "party_entities",
           "party_record_id", "resolve_parties", "shipment_records"]

#: The columns of a party record, and how each is compared.
PARTY_COLUMNS: dict[str, Kind] = {"party_name": Kind.company, "address": Kind.address,
                                  "registration_number": Kind.identifier,
                                  "country": Kind.country}
_ROLES = (("exporter", "exporter_name", "exporter_address", "exporter_id", "export_country"),
          ("importer", "importer_name", "importer_address", "importer_id", "import_country"),
          ("consignee", "consignee_name", None, None, "import_country"))
# FtM properties that carry a party's registration number, strongest first.
_NUMBERS = ("registrationNumber", "taxNumber", "idNumber", "innCode", "vatCode",
            "licenseNumber")


def _record_id(*values: str) -> str:
    """A record's id from what it says: the same spelling gets the same id in every run."""
    return "pw-party-" + hashlib.sha1("\x1f".join(values).encode()).hexdigest()[:16]


#: The roles a party plays in a shipment row.
ROLES: tuple[str, ...] = tuple(role for role, *_ in _ROLES)


def party_record_id(row: dict[str, Any], role: str) -> str | None:
    """The id of the record :func:`shipment_records` makes of a contract row's party in
    ``role`` (None when the row names no such party), so that a row can be joined to the
    entity its party was resolved into."""
    for name, name_col, address, number, country in _ROLES:
        if name == role:
            written = (row.get(name_col) or "").strip()
            if not written:
                return None
            return _record_id(written, (row.get(address) or "").strip() if address else "",
                              (row.get(number) or "").strip() if number else "",
                              row.get(country) or "")
    raise ValueError(f"unknown party role {role!r}")


def shipment_records(rows: pa.Table) -> pa.Table:
    """One record per distinct written party of contract ``rows``, with ``roles`` (the
    roles it was written in, ``;``-joined), ``shipments`` (how many) and ``source``."""
    found: dict[tuple[str, str, str, str], Counter[str]] = defaultdict(Counter)
    for row in rows.to_pylist():
        for role, name, address, number, country in _ROLES:
            written = (row[name] or "").strip()
            if not written:
                continue
            key = (written, (row[address] or "").strip() if address else "",
                   (row[number] or "").strip() if number else "", row[country] or "")
            found[key][role] += 1
    keys = list(found)
    return pa.table({
        "record_id": [_record_id(*k) for k in keys],
        "party_name": [k[0] for k in keys], "address": [k[1] or None for k in keys],
        "registration_number": [k[2] or None for k in keys],
        "country": [k[3] or None for k in keys],
        "source": ["shipments"] * len(keys),
        "roles": [";".join(sorted(found[k])) for k in keys],
        "shipments": pa.array([sum(found[k].values()) for k in keys], pa.int64()),
    })


def entity_records(entities: Iterable[EntityProxy], source: str) -> pa.Table:
    """One record per party entity (a LegalEntity or one of its kinds) of an FtM file."""
    rows: list[dict[str, Any]] = []
    for entity in entities:
        if not entity.schema.is_a("LegalEntity") or not entity.first("name"):
            continue
        number = next((entity.first(p) for p in _NUMBERS
                       if p in entity.schema.properties and entity.first(p)), None)
        rows.append({"record_id": entity.id, "party_name": entity.first("name"),
                     "address": entity.first("address") if "address" in
                     entity.schema.properties else None,
                     "registration_number": number,
                     "country": (entity.first("country") or "").upper() or None,
                     "source": source, "roles": entity.schema.name, "shipments": 0})
    return pa.Table.from_pylist(rows, schema=_SCHEMA)


_SCHEMA = pa.schema([("record_id", pa.string()), ("party_name", pa.string()),
                     ("address", pa.string()), ("registration_number", pa.string()),
                     ("country", pa.string()), ("source", pa.string()),
                     ("roles", pa.string()), ("shipments", pa.int64())])


def resolve_parties(records: pa.Table, **options: Any) -> Resolution:
    """Resolve party records (see :func:`shipment_records`) into entities;
    ``options`` go to :func:`.records.resolve_table`."""
    settings = guess_settings(list(PARTY_COLUMNS), "record_id",
                              {"columns": {c: k.value for c, k in PARTY_COLUMNS.items()},
                               **options.pop("overrides", {})})
    return resolve_table(records.select(["record_id", *PARTY_COLUMNS]),
                         id_column="record_id", settings=settings, **options)


def entity_id(cluster_id: str) -> str:
    """The FtM id of the entity a cluster becomes: stable while its smallest record is, and
    kept as it is when the cluster is named by an earlier run's entity."""
    if cluster_id.startswith("pw-entity-"):
        return cluster_id
    return "pw-entity-" + hashlib.sha1(cluster_id.encode()).hexdigest()[:16]


def party_entities(records: pa.Table, resolution: Resolution) -> Iterator[EntityProxy]:
    """One FtM entity per cluster: a Company, or a LegalEntity when a member was written
    as a person or other party; every name (the most used first, the others as aliases),
    address, number and country of its members. Which records each holds is
    :func:`entity_id`'s business, for the members table."""
    cluster = dict(zip(resolution.clusters.column("id").to_pylist(),
                       resolution.clusters.column("cluster_id").to_pylist(), strict=True))
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in records.to_pylist():
        members[cluster[row["record_id"]]].append(row)
    for cluster_id, rows in members.items():
        kinds = {r["roles"] for r in rows if r["source"] != "shipments"}
        schema = "Company" if kinds <= {"Company", "Organization"} else "LegalEntity"
        entity = model.make_entity(schema)
        entity.id = entity_id(cluster_id)
        names = Counter[str]()
        for r in rows:
            names[r["party_name"]] += max(int(r["shipments"]), 1)
        ordered = [n for n, _ in names.most_common()]
        entity.add("name", ordered[0])
        entity.add("alias", ordered[1:])
        for r in rows:
            entity.add("address", r["address"])
            entity.add("registrationNumber", r["registration_number"])
            entity.add("country", r["country"])
        yield entity
