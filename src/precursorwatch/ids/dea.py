"""DEA registration numbers: two letters and seven digits, the last a check digit.

The first letter is the registrant type, the second usually the initial of the registrant's
name; the check digit is the last digit of (d1 + d3 + d5) + 2 * (d2 + d4 + d6).
"""

from __future__ import annotations

__all__ = ["check_digit", "format", "is_valid", "normalize"]


def check_digit(six: str) -> int:
    """The check digit of the first six digits of a registration number."""
    d = [int(c) for c in six]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10


def normalize(text: str) -> str | None:
    """Upper case without spaces, or None when the shape is not two letters and 7 digits."""
    value = text.replace(" ", "").strip().upper()
    if len(value) != 9 or not value[:2].isalpha() or not value[2:].isdigit():
        return None
    return value


def is_valid(text: str) -> bool:
    """Whether ``text`` has the shape of a DEA number and its check digit is right."""
    value = normalize(text)
    return value is not None and check_digit(value[2:8]) == int(value[8])


def format(text: str) -> str:  # noqa: A001 - the rigour identifier-module shape
    """The canonical form of a valid DEA number; ValueError otherwise."""
    if not is_valid(text):
        raise ValueError(f"not a valid DEA registration number: {text!r}")
    value = normalize(text)
    assert value is not None
    return value
