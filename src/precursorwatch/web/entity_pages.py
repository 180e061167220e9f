"""The entity pages: every name and id a resolved firm or person goes by, its shipments,
its incidents and its network neighbourhood, drawn with the vis-network file that
``network export`` already vendors (served from here, so the page needs no network).

Everything is read through ``store.entities`` and ``store.records``, which apply the
sharing policy; the graph holds only entities the user may read, and ties between them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response

from precursorwatch.api.deps import StoreDep
from precursorwatch.store import alerts, audit, entities
from precursorwatch.web.auth import PageCallerDep
from precursorwatch.web.pages import render
from precursorwatch.web.releases import release_form

__all__ = ["router"]

router = APIRouter(prefix="/web", include_in_schema=False)
RecordId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
PAGE_SIZE = 50
#: Shipments listed on an entity's page; the count says how many it has in all.
SHIPMENTS_SHOWN = 200
#: Entities drawn around the one shown: enough for a ring, few enough to read.
GRAPH_LIMIT = 40
#: FtM properties shown as ids, in this order, with plain names.
IDS = {"registrationNumber": "Registration number", "taxNumber": "Tax number",
       "idNumber": "Id number", "innCode": "INN code", "leiCode": "LEI",
       "email": "E-mail", "phone": "Phone", "website": "Website"}
_VIS = resources.files("precursorwatch.network") / "static" / "vis-network.min.js"


@router.get("/vendor/vis-network.min.js")
def vis_network() -> Response:
    """vis-network 9.1.2, vendored once in ``network/static`` (MIT; see its README)."""
    return FileResponse(str(_VIS), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=86400"})


@router.get("/entities")
def entities_page(request: Request, caller: PageCallerDep, store: StoreDep,
                  q: Annotated[str, Query(max_length=200)] = "",
                  page: Annotated[int, Query(ge=1, le=10**6)] = 1) -> Response:
    with store.write() as session:
        found, total = entities.list_entities(session, caller, query=q.strip().replace(
            "\x00", ""), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        items = [{"row": item.row, "marking": item.access.marking.value,
                  "owner": item.access.owner_agency,
                  "countries": json.loads(item.row.properties).get("country", [])}
                 for item in found]
        audit.append(session, caller=caller, action="web list", outcome="ok",
                     record_kind=entities.ENTITY,
                     detail="ids " + ",".join(str(i["row"].id) for i in items))
    return render(request, "entities.html", caller, items=items, total=total, q=q,
                  page=page, pages=max(1, -(-total // PAGE_SIZE)))


@router.get("/entities/{entity_id}")
def entity_page(request: Request, entity_id: RecordId, caller: PageCallerDep,
                store: StoreDep) -> Response:
    with store.write() as session:
        loaded = entities.get_entity(session, caller, entity_id)
        row = loaded.row
        properties: dict[str, list[str]] = json.loads(row.properties)
        shipments, count = entities.shipments_of(session, row.id, SHIPMENTS_SHOWN)
        alert_of = alerts.readable_for_shipments(session, caller,
                                                  [s.shipment_id for s in shipments])
        names = entities.names_of(row)
        incidents = [{"row": i.row, "marking": i.access.marking.value,
                      "owner": i.access.owner_agency}
                     for i in entities.incidents_naming(session, caller, names)]
        around = entities.neighbourhood(session, caller, row, depth=2, limit=GRAPH_LIMIT)
        releases = release_form(session, caller, loaded.access, entities.ENTITY, row.id)
        audit.append(session, caller=caller, action="web read", outcome="ok",
                     record_kind=entities.ENTITY, record_id=entity_id)
    by_id = {node.id: node for node, _ in around.nodes}
    neighbours = []
    for node, distance in around.nodes:
        if node.id == row.id:
            continue
        direct = [t for t in around.ties if {t.entity_id, t.other_id} == {row.id, node.id}]
        neighbours.append({"row": node, "distance": distance,
                           "tie": direct[0] if direct else None})
    graph = {
        "nodes": [{"id": node.id, "label": node.name[:40], "title": node.name,
                   "group": "centre" if node.id == row.id else f"d{distance}",
                   "url": f"/web/entities/{node.id}"} for node, distance in around.nodes],
        "edges": [{"from": t.entity_id, "to": t.other_id, "value": max(t.weight, 0.1),
                   "title": f"{t.kinds} ({t.shared} shared), weight {t.weight:.2f}"}
                  for t in around.ties if t.entity_id in by_id and t.other_id in by_id],
    }
    return render(
        request, "entity.html", caller, row=row, marking_value=loaded.access.marking.value,
        owner=loaded.access.owner_agency, released_to=sorted(loaded.access.released_to),
        names=names, addresses=properties.get("address", []),
        countries=[c.upper() for c in properties.get("country", [])],
        ids=[(IDS[k], v) for k in IDS for v in properties.get(k, [])],
        shipments=shipments, shipment_count=count, alert_of=alert_of,
        incidents=incidents, neighbours=neighbours, releases=releases,
        # "</" inside the data would end the script element early.
        graph=json.dumps(graph, ensure_ascii=False).replace("</", "<\\/"))
