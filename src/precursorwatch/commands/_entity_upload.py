"""Sending resolved entities to an exchange server: the FtM lines of ``resolve --out``,
their shipments from the typed graph and their ties from the entity graph of
``network build``, shaped as the server's ``POST /entities`` body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import igraph as ig

from precursorwatch.commands._server import _check, _client
from precursorwatch.exceptions import InputError, PrecursorwatchError

__all__ = ["MAX_SHIPMENTS", "entity_payload", "publish_entities"]

#: The server takes at most this many shipments per entity in one upload.
MAX_SHIPMENTS = 50_000
#: Entities per request: small enough that a request of busy firms stays a few MB.
_BATCH = 500


def _read_ftm(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    found = []
    with open(path, encoding="utf-8-sig") as handle:
        for row, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                raise InputError("not a JSON line", file=str(path), row=row) from None
            if not isinstance(item, dict) or not item.get("id") or not item.get("schema"):
                raise InputError("not an FtM entity (no id or schema)", file=str(path),
                                 row=row)
            properties = item.get("properties") or {}
            found.append({"id": str(item["id"]), "schema": str(item["schema"]),
                          "properties": {str(k): [str(v) for v in values]
                                         for k, values in properties.items()
                                         if isinstance(values, list) and values}})
    return found


def entity_payload(ftm_file: Path, graph_file: Path | None,
                   typed_file: Path | None) -> dict[str, Any]:
    """The entities of ``ftm_file`` with their shipments (from the typed graph's entity to
    shipment edges, named ``shipment:SOURCE:ID``) and their ties (the entity graph's
    edges between entities of the file); an entity with more than
    :data:`MAX_SHIPMENTS` shipments keeps the first ones by shipment id."""
    entities = _read_ftm(ftm_file)
    known = {item["id"] for item in entities}
    shipments: dict[str, list[dict[str, Any]]] = {}
    if typed_file is not None:
        typed = ig.Graph.Read_GraphML(str(typed_file))
        names, kinds = typed.vs["name"], typed.vs["kind"]
        for edge in typed.es:
            a, b = edge.tuple
            if kinds[a] == "shipment":
                a, b = b, a
            if names[a] in known and kinds[b] == "shipment":
                parts = str(names[b]).split(":", 2)
                source = parts[1] if len(parts) == 3 else ""
                shipments.setdefault(names[a], []).append(
                    {"shipment_id": parts[-1][:100], "source": source[:100] or None,
                     "role": str(edge["kind"])[:20]})
    for item in entities:
        found = sorted(shipments.get(item["id"], []),
                       key=lambda s: (s["shipment_id"], s["role"]))
        item["shipments"] = found[:MAX_SHIPMENTS]
    links = []
    if graph_file is not None:
        graph = ig.Graph.Read_GraphML(str(graph_file))
        names = graph.vs["name"]
        attrs = graph.es.attributes()
        for edge in graph.es:
            a, b = (names[v] for v in edge.tuple)
            if a in known and b in known and a != b:
                links.append({
                    "source": a, "target": b,
                    "weight": float(edge["weight"]) if "weight" in attrs else 1.0,
                    "kinds": str(edge["kinds"] or "")[:200] if "kinds" in attrs else "",
                    "shared": int(edge["shared"] or 1) if "shared" in attrs else 1})
    return {"entities": entities, "links": links}


def publish_entities(url: str, token: str | None, payload: dict[str, Any],
                     marking: str | None) -> tuple[int, int]:
    """Upload in batches; each tie goes with the batch of its later entity, so both ends
    are on the server when it arrives. How many entities and ties were sent."""
    entities, links = payload["entities"], payload["links"]
    batch_of = {item["id"]: index // _BATCH for index, item in enumerate(entities)}
    ties: dict[int, list[dict[str, Any]]] = {}
    for link in links:
        ties.setdefault(max(batch_of[link["source"]], batch_of[link["target"]]),
                        []).append(link)
    try:
        with _client(url, token) as http:
            for batch, start in enumerate(range(0, len(entities), _BATCH)):
                body: dict[str, Any] = {"entities": entities[start:start + _BATCH],
                                        "links": ties.get(batch, [])}
                if marking:
                    body["marking"] = marking
                _check(http.post("/entities", json=body))
    except httpx.HTTPError as error:
        raise PrecursorwatchError(f"cannot reach {url}: {error}") from error
    return len(entities), len(links)
