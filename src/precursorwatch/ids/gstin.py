"""GSTIN: India's 15-character Goods and Services Tax identification number.

Two digits of state code, the holder's PAN (ten characters), an entity number, ``Z`` and a
check character computed mod 36 over the first fourteen characters (the GST Network's
published algorithm). A GSTIN names its PAN, so two records with GSTINs of one PAN belong to
one legal person even in different states.
"""

from __future__ import annotations

import string

__all__ = ["check_char", "format", "is_valid", "normalize", "pan"]

_BASE36 = string.digits + string.ascii_uppercase


def check_char(first14: str) -> str:
    """The check character: alternate weights 1 and 2 over base-36 values, the quotient and
    remainder of each product by 36 summed, complemented mod 36."""
    total = 0
    for position, char in enumerate(first14.upper()):
        product = _BASE36.index(char) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return _BASE36[(36 - total % 36) % 36]


def normalize(text: str) -> str | None:
    """Upper case without spaces, or None when the shape is not a GSTIN's."""
    value = text.replace(" ", "").strip().upper()
    if len(value) != 15 or not value[:2].isdigit() or value[13] != "Z":
        return None
    if any(c not in _BASE36 for c in value):
        return None
    return value


def is_valid(text: str) -> bool:
    """Whether ``text`` has the GSTIN shape and its check character is right."""
    value = normalize(text)
    return value is not None and check_char(value[:14]) == value[14]


def format(text: str) -> str:  # noqa: A001 - the rigour identifier-module shape
    """The canonical form of a valid GSTIN; ValueError otherwise."""
    if not is_valid(text):
        raise ValueError(f"not a valid GSTIN: {text!r}")
    value = normalize(text)
    assert value is not None
    return value


def pan(text: str) -> str | None:
    """The PAN inside a valid GSTIN."""
    value = normalize(text)
    return value[2:12] if value is not None and is_valid(value) else None
