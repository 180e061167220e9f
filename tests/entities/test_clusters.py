"""Linked records are one entity, named whatever the order of the links."""

from __future__ import annotations

import numpy as np

from precursorwatch.entities.clusters import components


def test_chains_join_and_singletons_stay_alone() -> None:
    label = components(6, np.array([0, 4, 2]), np.array([2, 2, 5]))
    assert label.tolist() == [0, 1, 0, 3, 0, 0]
    again = components(6, np.array([5, 2, 0]), np.array([2, 4, 2]))
    assert again.tolist() == label.tolist()


def test_no_records() -> None:
    assert components(0, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0
