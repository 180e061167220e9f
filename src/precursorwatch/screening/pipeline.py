"""From contract rows to the feature table: facts in Python, features in the backend.

This is the seam between the pure pieces and an engine: it registers the rows and the fact
tables in the backend the caller opened, builds the feature expression and brings the
result back as Arrow. DuckDB or Spark is the caller's choice (:mod:`.engines`); nothing here
depends on which.
"""

from __future__ import annotations

from functools import partial

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.registry.identify import Identifier
from precursorwatch.registry.substances import Registry
from precursorwatch.screening import engines
from precursorwatch.screening.facts import Facts, gather_facts, screening_rows
from precursorwatch.screening.features import SEQ, SPLIT, shipment_features
from precursorwatch.screening.products import DesignerCheck
from precursorwatch.screening.watchlist import WatchList

__all__ = ["feature_table", "features_expression", "features_of", "split_of"]


def features_expression(backend: ibis.BaseBackend, rows: pa.Table, facts: Facts, *,
                        new_only: bool = False, new: pa.Table | None = None) -> ibis.Table:
    """The feature expression over ``rows`` and ``facts``, registered in ``backend``;
    ``new``, the new rows of ``rows`` where the caller has them (with ``new_only``)."""
    if new_only and new is None:
        new = _new_rows(rows)
    return shipment_features(
        engines.register(backend, "pw_rows", rows),
        engines.register(backend, "pw_products", facts.products),
        engines.register(backend, "pw_parties", facts.parties),
        engines.register(backend, "pw_addresses", facts.addresses),
        engines.register(backend, "pw_verdicts", facts.verdicts),
        new_only=new_only,
        keep=partial(engines.materialise, backend),
        # Registered apart, the new rows' wide columns are read without the history's.
        new_rows=engines.register(backend, "pw_new", new) if new_only and new is not None
        else None,
    )


def _new_rows(rows: pa.Table) -> pa.Table:
    """The new rows of ``rows``: a slice, since :func:`.facts.screening_rows` puts the
    history first."""
    new = pc.sum(pc.equal(rows.column(SPLIT), "new")).as_py() or 0
    return rows.slice(rows.num_rows - new)


def feature_table(
    backend: ibis.BaseBackend,
    history: pa.Table | None,
    new: pa.Table,
    identifier: Identifier,
    registry: Registry,
    *,
    designer: DesignerCheck | None = None,
    watch: WatchList | None = None,
    new_only: bool = False,
) -> pa.Table:
    """Features of every row of history and new, in input order (history first).

    ``new_only`` returns the new rows only, with the history as their past, computed the
    fast way (see :func:`.features.shipment_features`): for screening with a trained model.
    """
    rows = screening_rows(history, new)
    facts = gather_facts(rows, identifier, registry, designer, watch, new_only=new_only)
    return features_of(backend, rows, facts, new_only=new_only)


def features_of(backend: ibis.BaseBackend, rows: pa.Table, facts: Facts, *,
                new_only: bool = False) -> pa.Table:
    """:func:`feature_table`'s work in the engine, for ``rows`` of
    :func:`.facts.screening_rows` and their facts."""
    given = _new_rows(rows) if new_only else rows
    expr = features_expression(backend, rows, facts, new_only=new_only,
                               new=given if new_only else None)
    # The engine returns what it computed, and the input's own columns are taken from the
    # input here; the engine does not sort either. Sorting and returning the wide rows
    # there carried every text column through the sort and back (measured: the largest
    # single cost of a year's run).
    passed = [c for c in given.column_names if c != SEQ]
    computed = engines.to_arrow(expr.drop(*passed))
    computed = computed.take(pc.sort_indices(computed.column(SEQ)))
    if not computed.column(SEQ).equals(given.column(SEQ)):
        raise RuntimeError("the engine returned other rows than it was given")
    return pa.table({name: given.column(name) if name in passed else computed.column(name)
                     for name in expr.columns})


def split_of(table: pa.Table, part: str) -> pa.Table:
    """The rows of one part ('history' or 'new') of a feature table."""
    return table.filter(pc.equal(table.column(SPLIT), part))
