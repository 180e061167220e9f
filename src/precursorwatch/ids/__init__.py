"""Identifiers that trade documents carry, each with ``is_valid``, ``normalize`` and
``format``: the bottom layer, imported by records, registry and everything above."""

from precursorwatch.ids import cas, dea, ein, gstin, hs, iec

__all__ = ["cas", "dea", "ein", "gstin", "hs", "iec"]
