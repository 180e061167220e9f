"""Entity resolution: the same firm or person across both nations' records.

This first layer normalises what a party record carries, so that later steps (blocking,
comparison, the match model, clusters) compare like with like: names (:mod:`.names`),
addresses (:mod:`.addresses`) and phone numbers (:mod:`.phones`); identifiers live in
:mod:`precursorwatch.ids`.
"""

from __future__ import annotations

from precursorwatch.entities.addresses import AddressParts, normalise_address
from precursorwatch.entities.names import NameParts, normalise_name
from precursorwatch.entities.phones import phones_in, to_e164

__all__ = [
    "AddressParts",
    "NameParts",
    "normalise_address",
    "normalise_name",
    "phones_in",
    "to_e164",
]
