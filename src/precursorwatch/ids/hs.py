"""Harmonized System (HS) commodity codes as declared on customs documents.

Declarations carry 6 to 10 digits (6 are international, the rest national: India's ITC-HS and
the US HTS use 8 and 10). Dots and spaces are tolerated, as the shipment contract says; the
first six digits are the international subheading that the registry's hints refer to.
"""

from __future__ import annotations

import re

__all__ = ["is_valid", "normalize", "subheading"]

_SEPARATORS = re.compile(r"[.\s]")
_DIGITS = re.compile(r"^\d{6,10}$")


def normalize(text: str) -> str | None:
    """The digits of an HS code with dots and spaces removed, or None if it is not 6-10 digits."""
    digits = _SEPARATORS.sub("", text)
    return digits if _DIGITS.match(digits) else None


def is_valid(text: str) -> bool:
    """Whether ``text`` is an HS code of 6 to 10 digits once dots and spaces are removed."""
    return normalize(text) is not None


def subheading(text: str) -> str | None:
    """The 6-digit international subheading of an HS code, or None if it is malformed."""
    digits = normalize(text)
    return digits[:6] if digits else None
