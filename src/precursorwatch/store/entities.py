"""Resolved entities on the server: uploaded from ``precursorwatch resolve`` and the network
build, then read under the same sharing policy as every other record.

An entity is owned by the agency that uploaded it, carries a TLP marking and crosses the
border only by a supervisor's release. Its shipments and ties come with it: whoever may
read the entity sees them, and a tie is shown only when the caller may read both ends, so
the network view never reveals that a hidden entity exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, false, func, or_, select
from sqlalchemy.orm import Session

from precursorwatch.exceptions import InputError, NotFound
from precursorwatch.exchange.policy import (
    Caller,
    Marking,
    RecordAccess,
    Role,
    can_read,
)
from precursorwatch.store.models import (
    Agency,
    Entity,
    EntityLink,
    EntityShipment,
    Incident,
    Release,
)
from precursorwatch.store.records import (
    INCIDENT,
    check_release,
    get_incident,
    marking_for,
    require_writer,
    visible,
)
from precursorwatch.store.records import Loaded as LoadedIncident

__all__ = [
    "ENTITY",
    "EntityUpload",
    "LinkUpload",
    "LoadedEntity",
    "Neighbourhood",
    "ShipmentRef",
    "entities_of_shipment",
    "get_entity",
    "incidents_naming",
    "list_entities",
    "names_of",
    "neighbourhood",
    "release_entity",
    "shipment_ids",
    "shipments_of",
    "upload",
]

ENTITY: Literal["entity"] = "entity"
_AGENCY_ONLY = (Marking.RED.value, Marking.AMBER_STRICT.value)


@dataclass(frozen=True)
class LoadedEntity:
    """An entity with what the policy knows of it."""

    row: Entity
    access: RecordAccess


@dataclass(frozen=True)
class ShipmentRef:
    shipment_id: str
    source: str | None
    role: str


@dataclass(frozen=True)
class EntityUpload:
    """One resolved entity as ``resolve --out`` writes it (an FtM entity), with the
    shipments the typed network ties it to."""

    key: str
    schema: str
    properties: dict[str, list[str]]
    shipments: Sequence[ShipmentRef] = ()


@dataclass(frozen=True)
class LinkUpload:
    """A tie of the entity graph (``network build --out``) between two uploaded keys."""

    source: str
    target: str
    weight: float
    kinds: str
    shared: int


def _access(session: Session, row: Entity) -> RecordAccess:
    agency = session.get(Agency, row.owner_agency_id)
    assert agency is not None  # a foreign key guarantees it
    released = frozenset(session.scalars(select(Release.nation).where(
        Release.record_kind == ENTITY, Release.record_id == row.id)).all())
    return RecordAccess(agency.code, agency.nation, Marking(row.marking), released)


def _accesses(session: Session, rows: Sequence[Entity]) -> list[RecordAccess]:
    """:func:`_access` for many entities in two queries, for lists and networks."""
    agencies = {agency.id: agency for agency in session.scalars(select(Agency))}
    released: dict[int, set[str]] = {}
    ids = [row.id for row in rows]
    if ids:
        for record_id, nation in session.execute(select(Release.record_id, Release.nation)
                                                 .where(Release.record_kind == ENTITY,
                                                        Release.record_id.in_(ids))):
            released.setdefault(record_id, set()).add(nation)
    return [RecordAccess(agencies[row.owner_agency_id].code,
                         agencies[row.owner_agency_id].nation, Marking(row.marking),
                         frozenset(released.get(row.id, ()))) for row in rows]


def _visible(caller: Caller) -> Any:
    """A SQL condition exactly as strict as :func:`can_read` (so counts are right), which
    is still applied to every row returned."""
    if not caller.roles:
        return false()
    own = select(Agency.id).where(Agency.code == caller.agency).scalar_subquery()
    nation_agencies = select(Agency.id).where(Agency.nation == caller.nation)
    released = select(Release.record_id).where(Release.record_kind == ENTITY,
                                               Release.nation == caller.nation)
    mine = Entity.owner_agency_id == own
    if not caller.roles & {Role.ANALYST, Role.SUPERVISOR}:
        mine = mine & (Entity.marking != Marking.RED.value)
    return or_(mine, Entity.marking.not_in(_AGENCY_ONLY)
               & or_(Entity.owner_agency_id.in_(nation_agencies), Entity.id.in_(released)))


def _name(properties: dict[str, list[str]], key: str) -> str:
    names = properties.get("name") or properties.get("alias") or [key]
    return names[0][:300]


def upload(session: Session, caller: Caller, entities: Sequence[EntityUpload],
           links: Sequence[LinkUpload], marking: Marking | None) -> list[Entity]:
    """Store a batch of resolved entities and their ties, all or nothing.

    An entity the caller's agency uploaded before under the same key is replaced (its
    names, shipments and ties are those of the newer resolution), keeping its id, so
    links to its page and its releases stay valid; its marking changes only if one is
    given.
    """
    require_writer(caller)
    agency, chosen = marking_for(session, caller, marking)
    keys = [item.key for item in entities]
    if len(set(keys)) != len(keys):
        raise InputError("an entity id appears twice in the upload", field="entities")
    existing = {row.key: row for row in session.scalars(select(Entity).where(
        Entity.owner_agency_id == agency.id, Entity.key.in_(keys)))}
    now = datetime.now(UTC)
    rows: list[Entity] = []
    for item in entities:
        row = existing.get(item.key)
        if row is None:
            row = Entity(owner_agency_id=agency.id, marking=chosen.value, key=item.key,
                         created_by=caller.user_id, created_at=now)
            session.add(row)
        elif marking is not None:
            row.marking = marking.value
        row.schema = item.schema
        row.name = _name(item.properties, item.key)
        row.properties = json.dumps(item.properties, sort_keys=True, ensure_ascii=False)
        rows.append(row)
    session.flush()
    ids = [row.id for row in rows]
    session.execute(delete(EntityShipment).where(EntityShipment.entity_id.in_(ids)))
    session.execute(delete(EntityLink).where(or_(EntityLink.entity_id.in_(ids),
                                                 EntityLink.other_id.in_(ids))))
    session.add_all(EntityShipment(entity_id=row.id, shipment_id=ref.shipment_id,
                                   source=ref.source, role=ref.role)
                    for row, item in zip(rows, entities, strict=True) for ref in item.shipments)
    by_key = {row.key: row.id for row in rows}
    wanted = {link.source for link in links} | {link.target for link in links}
    missing = wanted - by_key.keys()
    if missing:
        # A tie may reach an entity the agency uploaded earlier, never another agency's.
        by_key.update(session.execute(select(Entity.key, Entity.id).where(
            Entity.owner_agency_id == agency.id, Entity.key.in_(missing))).all())
        unknown = wanted - by_key.keys()
        if unknown:
            raise InputError(f"a link names an entity that is neither in the upload nor "
                             f"uploaded before by {agency.code}: {sorted(unknown)[0]}",
                             field="links")
    for link in links:
        if link.source == link.target:
            raise InputError("a link ties an entity to itself", field="links")
    session.add_all(EntityLink(entity_id=by_key[link.source], other_id=by_key[link.target],
                               weight=link.weight, kinds=link.kinds[:200], shared=link.shared)
                    for link in links)
    session.flush()
    return rows


def get_entity(session: Session, caller: Caller, entity_id: int) -> LoadedEntity:
    """One entity the caller may see (else :class:`NotFound`, like a missing one)."""
    row = session.get(Entity, entity_id)
    if row is None:
        raise NotFound(f"no entity {entity_id}")
    access = _access(session, row)
    if not can_read(caller, access):
        raise NotFound(f"no entity {entity_id}")
    return LoadedEntity(row, access)


def list_entities(session: Session, caller: Caller, *, query: str, limit: int,
                  offset: int) -> tuple[list[LoadedEntity], int]:
    """The entities the caller may see whose names or ids contain ``query`` (any when
    empty), by name; and how many match in all (visible ones only)."""
    wanted = select(Entity).where(_visible(caller))
    if query:
        wanted = wanted.where(or_(Entity.name.contains(query, autoescape=True),
                                  Entity.properties.contains(query, autoescape=True),
                                  Entity.key == query))
    total = session.scalar(select(func.count()).select_from(wanted.subquery())) or 0
    rows = session.scalars(wanted.order_by(Entity.name, Entity.id).limit(limit)
                           .offset(offset)).all()
    loaded = [LoadedEntity(row, access)
              for row, access in zip(rows, _accesses(session, rows), strict=True)]
    return [item for item in loaded if can_read(caller, item.access)], total


def shipments_of(session: Session, entity_id: int, limit: int) -> tuple[list[EntityShipment],
                                                                         int]:
    """The first ``limit`` shipments of an entity the caller already may read, and how
    many it has."""
    total = session.scalar(select(func.count()).select_from(EntityShipment).where(
        EntityShipment.entity_id == entity_id)) or 0
    rows = session.scalars(select(EntityShipment).where(EntityShipment.entity_id == entity_id)
                           .order_by(EntityShipment.shipment_id, EntityShipment.role)
                           .limit(limit)).all()
    return list(rows), total


def shipment_ids(entity_id: int) -> Any:
    """A query of the shipment ids of an entity (for ``IN`` clauses)."""
    return select(EntityShipment.shipment_id).where(EntityShipment.entity_id == entity_id)


def entities_of_shipment(session: Session, caller: Caller,
                         shipment_id: str) -> list[tuple[LoadedEntity, str]]:
    """The entities the caller may see that took part in a shipment, with their role."""
    rows = session.execute(
        select(Entity, EntityShipment.role).join(
            EntityShipment, EntityShipment.entity_id == Entity.id)
        .where(EntityShipment.shipment_id == shipment_id, _visible(caller))
        .order_by(EntityShipment.role, Entity.id).limit(50)).all()
    found = [(LoadedEntity(row, access), role) for (row, role), access in
             zip(rows, _accesses(session, [row for row, _ in rows]), strict=True)]
    return [(item, role) for item, role in found if can_read(caller, item.access)]


@dataclass(frozen=True)
class Neighbourhood:
    """Entities around one, and the ties among them, all readable by the caller."""

    nodes: list[tuple[Entity, int]]  # entity and its distance in ties from the centre
    ties: list[EntityLink]


def neighbourhood(session: Session, caller: Caller, centre: Entity, *, depth: int = 2,
                  limit: int = 40) -> Neighbourhood:
    """The entities within ``depth`` ties of ``centre`` that the caller may read, the
    strongest ties first, at most ``limit`` of them; a tie to an entity the caller may not
    read is left out, so the view never hints at it."""
    seen: dict[int, tuple[Entity, int]] = {centre.id: (centre, 0)}
    frontier = [centre.id]
    for distance in range(1, depth + 1):
        if not frontier or len(seen) >= limit:
            break
        ties = session.scalars(select(EntityLink).where(or_(
            EntityLink.entity_id.in_(frontier), EntityLink.other_id.in_(frontier)))
            .order_by(EntityLink.weight.desc(), EntityLink.id).limit(limit * 20)).all()
        candidates = [other for tie in ties for other in (tie.entity_id, tie.other_id)
                      if other not in seen]
        found = session.scalars(select(Entity).where(
            Entity.id.in_(set(candidates)), _visible(caller))).all()
        rows = {row.id: (row, access)
                for row, access in zip(found, _accesses(session, found), strict=True)}
        frontier = []
        for other in dict.fromkeys(candidates):
            if other not in rows or len(seen) >= limit:
                continue
            row, access = rows[other]
            if can_read(caller, access):
                seen[other] = (row, distance)
                frontier.append(other)
    ids = list(seen)
    ties = session.scalars(select(EntityLink).where(
        EntityLink.entity_id.in_(ids), EntityLink.other_id.in_(ids))
        .order_by(EntityLink.weight.desc(), EntityLink.id)).all()
    return Neighbourhood(nodes=list(seen.values()), ties=list(ties))


def names_of(row: Entity) -> list[str]:
    """Every name an entity goes by: its name first, then its aliases."""
    properties: dict[str, list[str]] = json.loads(row.properties)
    names = [row.name, *properties.get("name", []), *properties.get("alias", []),
             *properties.get("previousName", []), *properties.get("weakAlias", [])]
    return list(dict.fromkeys(name for name in names if name))


def _plain(name: str) -> str:
    return re.sub(r"\W+", " ", name.casefold()).strip()


def incidents_naming(session: Session, caller: Caller,
                     names: Iterable[str]) -> list[LoadedIncident]:
    """The incidents the caller may see that name one of ``names`` among their parties
    (compared without case or punctuation), newest first.

    Only the parties of the incidents SQL can show the caller are read and compared;
    the full policy check runs on the few that match, so the cost grows with the
    incidents, not with a policy query per incident.
    """
    wanted = {_plain(name) for name in names if name.strip()}
    if not wanted:
        return []
    rows = session.execute(select(Incident.id, Incident.parties).where(
        visible(caller, INCIDENT, Incident)).order_by(Incident.id.desc())).all()
    found = []
    for record_id, parties in rows:
        if any(_plain(str(party.get("name", ""))) in wanted
               for party in json.loads(parties)):
            try:
                found.append(get_incident(session, caller, record_id))
            except NotFound:
                continue
    return found


def release_entity(session: Session, caller: Caller, entity_id: int, nation: str,
                   reason: str) -> LoadedEntity:
    """A supervisor's release of an entity (with its shipments and its ties to entities
    also released) to another nation: who, when and why."""
    loaded = get_entity(session, caller, entity_id)
    check_release(session, caller, loaded.access, nation, "entity")
    session.add(Release(record_kind=ENTITY, record_id=entity_id, nation=nation,
                        released_by=caller.user_id, released_at=datetime.now(UTC),
                        reason=reason))
    session.flush()
    return LoadedEntity(loaded.row, _access(session, loaded.row))
