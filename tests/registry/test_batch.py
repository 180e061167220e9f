"""Batch identification: the same answers on one process and on several."""

from __future__ import annotations

import pyarrow as pa
import pytest

from precursorwatch.registry import Identifier, batch, identify_table


def test_parallel_identification_gives_the_same_table(identifier: Identifier,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_PARALLEL_FROM", 10)
    monkeypatch.setattr(batch, "_CHUNK", 7)
    descriptions = [f"Pseudoephedrine HCl lot {i}" if i % 3 else f"Paracetamol lot {i}"
                    for i in range(60)]
    table = pa.table({"product_description": descriptions + descriptions[:5],
                      "cas_number": ["" if i % 4 else "299-42-3" for i in range(65)]})
    serial = identify_table(table, identifier, workers=1)
    parallel = identify_table(table, identifier, workers=2)
    assert parallel.equals(serial)
    assert serial.column("substances").to_pylist()[1] == "pseudoephedrine"
