"""Numbers for text keys, for the engine to group and sort by.

Grouping and sorting millions of rows by long text keys (a firm's name key, an address)
costs an engine several times what it costs by numbers. The fact tables number each
distinct key once; the numbers hold within one set of facts only, never across runs.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["numbered"]


def numbered(keys: pa.Array) -> pa.Array:
    """A number from 1 for each distinct key, and 0 for the empty key, which names
    nothing (rows without an address share nothing)."""
    numbers = pc.add(pc.dictionary_encode(keys).indices.cast(pa.int64()), 1)
    return pc.if_else(pc.equal(keys, ""), 0, numbers)
