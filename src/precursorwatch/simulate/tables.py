"""From generated rows to the output tables: contract-format history and new, labels, rings.

Ordinary and planted rows are put in date order together, so nothing but their content
tells them apart; only then do they get shipment ids (one running number per reporting
agency, with the document type as prefix) and, in history, the analysts' outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.records.schema import CONTRACT_FIELDS
from precursorwatch.simulate import documents
from precursorwatch.simulate.incidents import Shipment
from precursorwatch.simulate.planted import Planted
from precursorwatch.simulate.rings import Ring

__all__ = [
    "LABEL_COLUMNS",
    "RING_COLUMNS",
    "assemble",
    "planted_table",
    "ring_table",
    "shipments_of",
]

#: Columns of the labels table, one row per row of history and new.
LABEL_COLUMNS: tuple[str, ...] = (
    "shipment_id", "source", "split", "label", "typology", "ring_id", "substance",
    "exporter_party", "importer_party", "consignee_party",
)
#: Columns of the rings table, one row per member of a planted ring.
RING_COLUMNS: tuple[str, ...] = ("ring_id", "scheme", "member_id", "kind", "role", "name",
                                 "country")
_RENAMED = {"day": "_day", "review": "_review", "event": "_event"}
_PREFIXES = ("SB", "BE", "EEI", "ENT", "NOC", "DEA486")


def planted_table(rows: Sequence[Planted], schema: pa.Schema) -> pa.Table:
    """Planted rows as a table with the same columns and types as ordinary trade."""
    attributes = [f.name for f in fields(Planted)]
    columns: dict[str, list[object]] = {
        _RENAMED.get(a, a): [getattr(row, a) for row in rows] for a in attributes}
    return pa.table({field.name: pa.array(columns[field.name], field.type)
                     for field in schema})


def _shipment_ids(source: pa.ChunkedArray, export_country: pa.ChunkedArray) -> pa.Array:
    """``PREFIX-YEAR-NNNNNNN``: a running number per source in date order."""
    code = pc.index_in(source, value_set=pa.array(documents.SOURCES)).to_numpy(
        zero_copy_only=False)
    from_india = pc.equal(export_country, "IN").to_numpy(zero_copy_only=False)
    from_us = pc.equal(export_country, "US").to_numpy(zero_copy_only=False)
    prefix = np.select(
        [code == 0, code == 2, code == 1],
        [np.where(from_india, 0, 1), np.where(from_us, 2, 3), np.full(len(code), 4)],
        default=5,
    )
    number = np.zeros(len(code), dtype=np.int64)
    for s in range(len(documents.SOURCES)):
        mask = code == s
        number[mask] = np.arange(1, int(mask.sum()) + 1)
    digits = pc.utf8_lpad(pc.cast(pa.array(number), pa.string()), width=7, padding="0")
    prefixes = pa.array(_PREFIXES, pa.string()).take(pa.array(prefix))
    return pc.binary_join_element_wise(prefixes, pa.scalar(f"-{documents.YEAR}-"), digits, "")


def assemble(rows: pa.Table, rng: np.random.Generator) -> tuple[pa.Table, pa.Table, pa.Table,
                                                                 pa.Table]:
    """Date-ordered rows with ids and outcomes, split: (history, new, labels, planted).

    ``rows`` holds ordinary and planted rows with the working columns ``_day``, ``_review``
    and ``_event``; ``planted`` keeps the planted rows with their ids, for the incidents.
    """
    day = rows.column("_day").to_numpy()
    order = np.lexsort((rng.random(len(day)), day))
    rows = rows.take(pa.array(order))
    day = day[order]
    epoch = (np.datetime64(f"{documents.YEAR}-01-01") - np.datetime64("1970-01-01")).astype(
        np.int64)
    in_history = day < documents.NEW_FROM
    history_mask = pa.array(in_history)
    rows = rows.append_column("shipment_id", _shipment_ids(rows.column("source"),
                                                           rows.column("export_country")))
    rows = rows.append_column("declared_at", pa.array((day + epoch).astype(np.int32),
                                                      pa.int32()).cast(pa.date32()))
    rows = rows.append_column("outcome", pc.if_else(history_mask, rows.column("_review"), ""))
    contract = rows.select(list(CONTRACT_FIELDS))
    cut = int(in_history.sum())
    labels = rows.select([c for c in LABEL_COLUMNS if c != "split"])
    split = pa.array(np.where(in_history, "history", "new"), pa.string())
    labels = labels.add_column(2, "split", split)
    planted = rows.filter(pc.greater_equal(rows.column("_event"), 0))
    return contract.slice(0, cut), contract.slice(cut), labels, planted


def shipments_of(planted: pa.Table) -> list[Shipment]:
    """The planted rows as :class:`Shipment` values for incident reports."""
    names = [f.name for f in fields(Shipment)]
    table = planted.rename_columns(
        ["day" if c == "_day" else "event" if c == "_event" else c
         for c in planted.column_names]).select(names)
    return [Shipment(**row) for row in table.to_pylist()]


def ring_table(rings: Sequence[Ring]) -> pa.Table:
    """Every member of every planted ring, with its part in the ring."""
    out: dict[str, list[str]] = {c: [] for c in RING_COLUMNS}

    def add(ring: Ring, member: str, kind: str, role: str, name: str, country: str) -> None:
        for column, value in zip(RING_COLUMNS, (ring.id, ring.scheme.drug, member, kind, role,
                                                name, country), strict=True):
            out[column].append(value)

    for ring in rings:
        for role, firms in (("broker", ring.brokers), ("front", ring.fronts),
                            ("forwarder", ring.forwarders), ("payer", ring.payers)):
            for firm in firms:
                add(ring, firm.id, "firm", role, firm.names[0], firm.country)
        if ring.successor is not None and ring.burned is not None:
            add(ring, ring.successor.id, "firm", f"successor of {ring.burned.id}",
                ring.successor.names[0], ring.successor.country)
        for person in ring.controllers:
            add(ring, person.id, "person", "controller", person.names[0], person.country)
    return pa.table({c: pa.array(v, pa.string()) for c, v in out.items()})
