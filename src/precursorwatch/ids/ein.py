"""US Employer Identification Number (EIN): the federal tax number that names a US importer
or exporter of record, written ``NN-NNNNNNN``.

An EIN has no check digit; the only structure is its two-digit prefix, which the IRS
assigns to a campus ("How EINs are assigned and valid EIN prefixes"). python-stdnum keeps
that table (``stdnum.us.ein``), so a number whose prefix no campus issues (07, 08, 09, 17,
...) is rejected here without a table of our own. Nine digits without a known prefix are
more likely a ZIP+4 or an SSN typed into the wrong field than an EIN.
"""

from __future__ import annotations

import re

from stdnum.us import ein as _ein

__all__ = ["format", "is_valid", "normalize"]

# Nine digits, or two and seven around a dash; a dash elsewhere (NNN-NN-NNNN) is the layout
# of a Social Security Number, which must not be read as an EIN.
_SHAPE = re.compile(r"^([0-9]{2})\s*-?\s*([0-9]{7})$")


def normalize(text: str) -> str | None:
    """The nine digits, or None when the shape is not ``NN-NNNNNNN`` or nine digits. The
    prefix is not tested here, so a caller can say that it is the prefix that is wrong."""
    match = _SHAPE.match(text.strip())
    return match.group(1) + match.group(2) if match else None


def is_valid(text: str) -> bool:
    """Whether ``text`` is nine digits whose prefix an IRS campus issues."""
    value = normalize(text)
    return value is not None and _ein.is_valid(value)


def format(text: str) -> str:  # noqa: A001 - the rigour identifier-module shape
    """The ``NN-NNNNNNN`` form of a valid EIN; ValueError otherwise.

    Unlike the other identifier modules, the canonical form keeps its dash because that is
    how the IRS and every US form print it; :func:`normalize` of it gives the digits back.
    """
    if not is_valid(text):
        raise ValueError(f"not a valid EIN: {text!r}")
    value = normalize(text)
    assert value is not None
    return f"{value[:2]}-{value[2:]}"
