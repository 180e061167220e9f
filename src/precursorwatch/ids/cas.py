"""CAS Registry Numbers: the identifier customs documents use for a chemical.

Shaped like the identifier modules of rigour (``is_valid``, ``normalize``, ``format``): a CAS
number is 2 to 7 digits, 2 digits and a check digit, written ``NNNNNNN-NN-N``. The check digit
is the sum of the other digits, each multiplied by its position counted from the right
(starting at 1), modulo 10. A number whose check digit fails was mistyped or invented, so it
must never be trusted as evidence.
"""

from __future__ import annotations

import re

__all__ = ["check_digit", "format", "is_valid", "normalize"]

_SHAPE = re.compile(r"^(\d{2,7})-?(\d{2})-?(\d)$")
# Hyphen look-alikes that word processors put into pasted CAS numbers.
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", " ": None})


def _digits(text: str) -> tuple[str, int] | None:
    match = _SHAPE.match(text.strip().translate(_DASHES))
    if match is None:
        return None
    return match.group(1) + match.group(2), int(match.group(3))


def check_digit(body: str) -> int:
    """The check digit for the digits of a CAS number without its last digit."""
    return sum(int(d) * i for i, d in enumerate(reversed(body), start=1)) % 10


def is_valid(text: str) -> bool:
    """Whether ``text`` has the shape of a CAS number and its check digit is right."""
    parts = _digits(text)
    return parts is not None and check_digit(parts[0]) == parts[1]


def normalize(text: str) -> str | None:
    """The canonical ``N-NN-N`` form of a CAS number, or None if it is malformed.

    The check digit is not tested here so that a caller can report a wrong one by name.
    """
    parts = _digits(text)
    if parts is None:
        return None
    body, check = parts
    body = body.lstrip("0") or "0"
    if len(body) < 3:
        body = body.rjust(3, "0")
    return f"{body[:-2]}-{body[-2:]}-{check}"


def format(text: str) -> str:  # noqa: A001 - the rigour identifier-module shape
    """Format a valid CAS number canonically; raise ValueError when it is not one."""
    if not is_valid(text):
        raise ValueError(f"not a valid CAS number: {text!r}")
    normal = normalize(text)
    assert normal is not None
    return normal
