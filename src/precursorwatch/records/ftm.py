"""FollowTheMoney entities from JSON lines: watch lists and incident exports.

One entity per line, as Aleph and OpenSanctions write them::

    {"id": "in-ncb-0042", "schema": "Company", "datasets": ["in_ncb_watch"],
     "properties": {"name": ["Shree Ganesh Chemicals Private Limited"], "taxNumber": [...]}}

Values go through FollowTheMoney's own cleaning (``cleaned=False``), so a country written
"India" becomes ``in`` and an impossible date is dropped, as any FtM tool would. Keys beside
``id``, ``schema`` and ``properties`` (``datasets``, ``caption``, ...) are kept in the
entity's ``context``. A property the schema does not have is left out, as FtM does: lists
written by a newer FtM version must still load. Lines of one id are fragments of one entity
and are merged.

Every bad line is collected before anything is returned: a file with one is rejected whole
(:class:`~precursorwatch.exceptions.RowErrors`, one error per line, numbered from 1 as an
editor counts them, blank lines included).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from precursorwatch.exceptions import InputError, RowErrors

__all__ = ["read_entities"]


def _entity(data: Any, *, file: str, row: int) -> EntityProxy:
    """One parsed line as an entity; InputError naming the field that is wrong."""
    if not isinstance(data, dict):
        raise InputError(f"not a JSON object but {type(data).__name__}", file=file, row=row)
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema:
        raise InputError("missing: every entity names its schema", file=file, row=row,
                         field="schema")
    if model.get(schema) is None:
        raise InputError(f"unknown schema {schema!r}", file=file, row=row, field="schema")
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise InputError("missing: every entity needs an id", file=file, row=row, field="id")
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        raise InputError("not an object of property name to list of values", file=file,
                         row=row, field="properties")
    for name, values in properties.items():
        if isinstance(values, str):
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InputError("not a list of text values", file=file, row=row, field=name)
    try:
        return model.get_proxy(data, cleaned=False)
    except InvalidData as err:
        raise InputError(str(err), file=file, row=row) from err


def read_entities(path: str | Path) -> list[EntityProxy]:
    """The entities of a FollowTheMoney JSON lines file, in order of first appearance.

    Raises :class:`InputError` when the file cannot be read, and :class:`RowErrors` listing
    every bad line (not JSON, not an object, unknown schema, no id, malformed properties,
    a fragment whose schema contradicts an earlier one of the same id).
    """
    name = str(path)
    if not Path(path).is_file():
        raise InputError("no such file", file=name)
    entities: dict[str, EntityProxy] = {}
    first: dict[str, int] = {}  # the line each id was first seen on
    errors: list[InputError] = []
    with open(path, "rb") as handle:
        for row, raw in enumerate(handle, start=1):
            if row == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                errors.append(InputError("is not valid UTF-8 text (check the file's encoding)",
                                         file=name, row=row))
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as err:
                errors.append(InputError(f"not JSON: {err.msg} at column {err.colno}",
                                         file=name, row=row))
                continue
            try:
                proxy = _entity(data, file=name, row=row)
            except InputError as err:
                errors.append(err)
                continue
            key = str(proxy.id)
            if key not in entities:
                entities[key], first[key] = proxy, row
                continue
            earlier = entities[key]
            try:
                earlier.merge(proxy)
            except InvalidData:
                errors.append(InputError(
                    f"id {key} is a {earlier.schema.name} on line {first[key]}; "
                    f"it cannot also be a {proxy.schema.name}", file=name, row=row,
                    field="schema"))
    if errors:
        raise RowErrors(errors, file=name)
    return list(entities.values())
