"""Entities from links: records joined by a chain of links are one entity.

Connected components, not cliques: if A is linked to B and B to C, A and C are one firm
even if their own comparison fell short (an old name at a new address, then the new name).
The caller names each entity by the smallest record id in it, so that the same links give
the same names whatever the input's order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["components"]

Ints = npt.NDArray[np.int64]


def components(count: int, left: Ints, right: Ints) -> Ints:
    """For ``count`` records and links (``left[i]``, ``right[i]``): each record's component,
    numbered by the component's first record."""
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)),
                       shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1, count, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(count, dtype=np.int64))
    return np.asarray(smallest[labels], dtype=np.int64)
