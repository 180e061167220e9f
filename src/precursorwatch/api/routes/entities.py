"""``/entities``: firms and persons resolved by ``precursorwatch resolve``, with their
shipments and network ties, marked and released like every other record."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from precursorwatch.api.deps import CallerDep, StoreDep
from precursorwatch.api.schemas import (
    EntitiesIn,
    EntityOut,
    EntityShipmentOut,
    EntitySummary,
    EntityTieOut,
    Problem,
    ReleaseIn,
    ReleaseOut,
)
from precursorwatch.exchange.policy import Caller
from precursorwatch.store import audit, entities
from precursorwatch.store.models import Agency, Entity, Release
from precursorwatch.store.session import Store

__all__ = ["router"]

router = APIRouter(prefix="/entities", tags=["entities"])

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="entity id on this server")]
_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": Problem}, 403: {"model": Problem}, 404: {"model": Problem},
    409: {"model": Problem}, 422: {"model": Problem}}
#: An entity answers with at most this many of its shipments (the count says how many).
SHIPMENTS_SHOWN = 500


def _summary(session: Session, row: Entity) -> EntitySummary:
    agency = session.get(Agency, row.owner_agency_id)
    assert agency is not None
    return EntitySummary(id=row.id, key=row.key, owner_agency=agency.code,
                         marking=row.marking, schema_=row.schema, name=row.name)


def _out(session: Session, caller: Caller, loaded: entities.LoadedEntity) -> EntityOut:
    row = loaded.row
    shipments, count = entities.shipments_of(session, row.id, SHIPMENTS_SHOWN)
    around = entities.neighbourhood(session, caller, row, depth=1, limit=200)
    names = {node.id: node.name for node, _ in around.nodes}
    ties = [EntityTieOut(entity=other, name=names[other], weight=tie.weight, kinds=tie.kinds,
                         shared=tie.shared)
            for tie in around.ties if row.id in (tie.entity_id, tie.other_id)
            for other in [tie.other_id if tie.entity_id == row.id else tie.entity_id]]
    releases = _releases(session, row.id)
    return EntityOut(
        id=row.id, key=row.key, owner_agency=loaded.access.owner_agency,
        owner_nation=loaded.access.owner_nation, marking=loaded.access.marking,
        released_to=sorted(loaded.access.released_to), schema_=row.schema, name=row.name,
        properties=json.loads(row.properties), shipment_count=count,
        shipments=[EntityShipmentOut(shipment_id=s.shipment_id, source=s.source, role=s.role)
                   for s in shipments],
        ties=ties, releases=releases)


def _releases(session: Session, record_id: int) -> list[ReleaseOut]:
    rows = session.scalars(select(Release).where(
        Release.record_kind == entities.ENTITY, Release.record_id == record_id)
        .order_by(Release.id)).all()
    return [ReleaseOut(nation=r.nation, released_by=r.released_by, released_at=r.released_at,
                       reason=r.reason) for r in rows]


def _log(session: Session, caller: Caller, action: str, record_id: int | None,
         detail: str = "") -> None:
    audit.append(session, caller=caller, action=action, outcome="ok",
                 record_kind=entities.ENTITY, record_id=record_id, detail=detail)


def upload_entities(store: Store, caller: Caller, body: EntitiesIn) -> list[EntitySummary]:
    """The upload's unit of work, shared with the demo's loader."""
    with store.write() as session:
        rows = entities.upload(
            session, caller,
            [entities.EntityUpload(
                key=item.id, schema=item.schema_, properties=item.properties,
                shipments=[entities.ShipmentRef(s.shipment_id, s.source, s.role)
                           for s in item.shipments]) for item in body.entities],
            [entities.LinkUpload(link.source, link.target, link.weight, link.kinds,
                                 link.shared) for link in body.links],
            body.marking)
        out = [_summary(session, row) for row in rows]
        _log(session, caller, "upload", None,
             f"{len(out)} entities, {len(body.links)} ties, ids "
             + ",".join(str(o.id) for o in out))
    return out


@router.post("", status_code=201, response_model=list[EntitySummary], responses=_ERRORS,
             summary="Upload resolved entities with their shipments and ties (analyst or "
             "supervisor); all or nothing")
def upload(body: EntitiesIn, caller: CallerDep, store: StoreDep) -> list[EntitySummary]:
    return upload_entities(store, caller, body)


@router.get("", response_model=list[EntitySummary], responses=_ERRORS,
            summary="The entities the caller may see, by name")
def list_(caller: CallerDep, store: StoreDep,
          q: Annotated[str, Query(max_length=200, pattern=r"^[^\x00]*$",
                                  description="part of a name or id")] = "",
          limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 100,
          offset: Annotated[int, Query(ge=0, le=10**9, description="skip this many")] = 0,
          ) -> list[EntitySummary]:
    with store.write() as session:
        found, _ = entities.list_entities(session, caller, query=q.strip(), limit=limit,
                                          offset=offset)
        out = [_summary(session, item.row) for item in found]
        _log(session, caller, "list", None, "ids " + ",".join(str(o.id) for o in out))
    return out


@router.get("/{record_id}", response_model=EntityOut, responses=_ERRORS,
            summary="One entity: its names and ids, shipments and ties to visible entities")
def get(record_id: RecordId, caller: CallerDep, store: StoreDep) -> EntityOut:
    with store.write() as session:
        out = _out(session, caller, entities.get_entity(session, caller, record_id))
        _log(session, caller, "read", record_id)
    return out


@router.post("/{record_id}/release", response_model=EntityOut, responses=_ERRORS,
             summary="Release to another nation (a supervisor of the owner's nation)")
def release(record_id: RecordId, body: ReleaseIn, caller: CallerDep,
            store: StoreDep) -> EntityOut:
    with store.write() as session:
        loaded = entities.release_entity(session, caller, record_id, body.nation, body.reason)
        out = _out(session, caller, loaded)
        _log(session, caller, "release", record_id, f"to {body.nation}: {body.reason}")
    return out
