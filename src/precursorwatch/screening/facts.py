"""The facts screening needs about each distinct value, gathered once per value.

A year of trade repeats itself: a million consignments name a few thousand products, parties
and addresses. The registry, the designer-precursor check and the watch list are asked once
per distinct value here, in Python, and their answers travel to the rows as small tables
that the backend joins (see :func:`.features.shipment_features`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.registry.identify import Identifier
from precursorwatch.registry.substances import Registry
from precursorwatch.screening.features import SEQ, SPLIT
from precursorwatch.screening.parties import address_facts, party_facts
from precursorwatch.screening.products import PRODUCT_KEYS, DesignerCheck, product_facts
from precursorwatch.screening.verdicts import VERDICT_KEYS, verdict_facts
from precursorwatch.screening.watchlist import WatchList, watchlist_facts

__all__ = ["HISTORY_COLUMNS", "Facts", "gather_facts", "screening_rows"]


@dataclass(frozen=True)
class Facts:
    """Small tables keyed by distinct values, for the backend to join to the rows."""

    products: pa.Table
    parties: pa.Table
    addresses: pa.Table
    verdicts: pa.Table


#: The contract columns that the new rows' features read of the history: its keys, the
#: facts' values and what the sums add up. The others (addresses of exporters, end uses,
#: references, transport) are read for the rows being screened only; a year of history
#: is held without them.
HISTORY_COLUMNS: tuple[str, ...] = (
    "shipment_id", "source", "declared_at", "export_country", "import_country",
    "transit_countries", "exporter_name", "exporter_id", "importer_name", "importer_address",
    "importer_id", "consignee_name", *PRODUCT_KEYS, "quantity", "unit", "declared_value",
    "currency", "payment_method", "outcome",
)


def screening_rows(history: pa.Table | None, new: pa.Table) -> pa.Table:
    """History and new rows as one table with :data:`SPLIT` and :data:`SEQ`.

    Both are validated contract rows (``records.schema.VALIDATED_SCHEMA``); extra columns
    are dropped, because features are computed from the contract's columns only. A history
    row with the same (source, shipment_id) as a new row is left out: the new version is
    the one being screened, and it must not be its own history. The history may hold
    only :data:`HISTORY_COLUMNS` (the others are then null) where only the new rows'
    features are wanted.
    """
    columns = new.column_names
    parts = [new.select(columns)]
    if history is not None and history.num_rows:
        old = history.select([c for c in columns if c in history.column_names])
        # Ids first, the (source, id) pairs only where an id recurs: joining the keys of
        # every history row took seconds for a year of trade.
        maybe = pc.is_in(old.column("shipment_id"),
                         value_set=new.column("shipment_id").combine_chunks())
        if pc.any(maybe).as_py():
            keys = pc.binary_join_element_wise(new.column("source"),
                                               new.column("shipment_id"), "\x1f")
            old_keys = pc.binary_join_element_wise(old.column("source"),
                                                   old.column("shipment_id"), "\x1f")
            again = pc.and_(maybe, pc.is_in(old_keys, value_set=keys.combine_chunks()))
            old = old.filter(pc.invert(again))
        parts.insert(0, old)
    splits = ["history"] * (parts[0].num_rows if len(parts) == 2 else 0) + ["new"] * new.num_rows
    rows = pa.concat_tables(parts, promote_options="permissive").select(columns)
    return rows.append_column(SPLIT, pa.array(splits, pa.string())).append_column(
        SEQ, pa.array(np.arange(rows.num_rows, dtype=np.int64)))


def _text(table: pa.Table, column: str) -> pa.ChunkedArray:
    return pc.fill_null(table.column(column), "")


def _distinct(table: pa.Table, names: Sequence[str] | None = None) -> pa.Table:
    """The distinct rows of ``table``, nulls read as '', renamed to ``names``.

    Distinct first, nulls filled after: filling first copied every text column of
    millions of rows for a few hundred thousand distinct values."""
    once = table.group_by(table.column_names, use_threads=False).aggregate([])
    filled = pa.table([pc.fill_null(c, "") for c in once.columns],
                      names=list(names or table.column_names))
    return filled.group_by(filled.column_names, use_threads=False).aggregate([])


def gather_facts(rows: pa.Table, identifier: Identifier, registry: Registry,
                 designer: DesignerCheck | None = None, watch: WatchList | None = None,
                 *, new_only: bool = False) -> Facts:
    """The fact tables for ``rows`` (as made by :func:`screening_rows`); ``watch`` adds
    each party's watch-list hit (``watch_score``, ``watch_hit``) to the parties.

    ``new_only`` judges the new rows alone under the law: the verdicts are output columns,
    and sums over the history never read them (a year of history holds some 200,000
    distinct shapes to judge, most of the facts' time)."""
    products = product_facts(_distinct(rows.select(list(PRODUCT_KEYS))), identifier,
                             designer)
    pair = ["name", "party_id"]
    consignees = _distinct(rows.select(["consignee_name"]), ["name"])
    named = _distinct(pa.concat_tables([
        _distinct(rows.select(["exporter_name", "exporter_id"]), pair),
        _distinct(rows.select(["importer_name", "importer_id"]), pair),
        consignees.append_column("party_id", pa.repeat(pa.scalar("", pa.string()),
                                                       consignees.num_rows)),
    ]))
    parties = party_facts(named.column("name"), named.column("party_id"))
    if watch is None:
        parties = parties.append_column(
            "watch_score", pa.array(np.zeros(parties.num_rows), pa.float64())).append_column(
            "watch_hit", pa.repeat(pa.scalar("", pa.string()), parties.num_rows))
    else:
        hits = watchlist_facts(watch, parties.column("name"), parties.column("party_id"))
        parties = parties.join(hits, ["name", "party_id"]).sort_by(
            [("name", "ascending"), ("party_id", "ascending")])
    addresses = address_facts(_distinct(rows.select(["importer_address"])).column(0))
    if new_only:
        rows = rows.filter(pc.equal(rows.column(SPLIT), "new"))
    keys = pa.table({k: _text(rows, k) for k in PRODUCT_KEYS})
    return Facts(products, parties, addresses, _verdicts(rows, keys, products, registry))


def _verdicts(rows: pa.Table, keys: pa.Table, products: pa.Table,
              registry: Registry) -> pa.Table:
    """Judge each distinct (substances, countries, quantity, unit, concentration) once."""
    joined = keys.append_column("_row", pa.array(np.arange(rows.num_rows))).join(
        products.select([*PRODUCT_KEYS, "substances"]), list(PRODUCT_KEYS))
    joined = joined.filter(pc.not_equal(joined.column("substances"), ""))
    index = joined.column("_row")
    shapes = pa.table({
        "substances": joined.column("substances"),
        **{k: rows.column(k).take(index) for k in VERDICT_KEYS if k != "substances"},
    })
    distinct = shapes.group_by(list(VERDICT_KEYS), use_threads=False).aggregate([])
    return verdict_facts(distinct, registry)
