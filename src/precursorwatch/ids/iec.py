"""India's Importer-Exporter Code (IEC): the number every Indian bill of entry and shipping
bill names the trader by.

Since the GST roll-out the IEC *is* the holder's PAN, ten characters ``AAAAA9999A``: DGFT
Trade Notice No. 09/2018 ("Changes in IEC with the introduction of GST", 12 June 2017)
makes the applicant's PAN its IEC and migrates existing holders to their PAN; DGFT Public
Notice No. 09/2015-20 (29 June 2017) moves the permanent IECs of the exempt categories
(ministries, diplomats, baggage, ...) from ``0100000011``-style numbers to PAN-shaped ones
such as ``AMDCG0111E``. Older documents and registers still carry the ten-digit numeric
IECs issued before then, so both shapes are accepted; a PAN-shaped one is checked with
python-stdnum's PAN rules (holder-type letter, serial not 0000). Neither shape has a
published check character, so a valid IEC is a well-formed one, not a proven one.

Because the new IEC equals the PAN that a GSTIN embeds, an IEC and a GSTIN of one firm
share :func:`pan`, which is how records from customs and GST meet.
"""

from __future__ import annotations

import re

from stdnum.in_ import pan as _pan

__all__ = ["format", "is_legacy", "is_valid", "normalize", "pan"]

_SEPARATORS = re.compile(r"[\s\-./]")
_PAN_SHAPE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
_LEGACY_SHAPE = re.compile(r"^[0-9]{10}$")


def normalize(text: str) -> str | None:
    """Upper case without spaces, dashes, dots or slashes, or None when the shape is
    neither a PAN's nor ten digits. The PAN rules are not tested here, so that a caller
    can say which part is wrong."""
    value = _SEPARATORS.sub("", text).upper()
    if _PAN_SHAPE.match(value) or _LEGACY_SHAPE.match(value):
        return value
    return None


def is_legacy(text: str) -> bool:
    """Whether ``text`` is a ten-digit IEC of the kind issued before June 2017; such a
    number does not name the holder's PAN."""
    value = normalize(text)
    return value is not None and value.isdigit()


def is_valid(text: str) -> bool:
    """Whether ``text`` is a ten-digit legacy IEC or a PAN-based one that python-stdnum
    accepts as a PAN."""
    value = normalize(text)
    if value is None:
        return False
    return value.isdigit() or _pan.is_valid(value)


def format(text: str) -> str:  # noqa: A001 - the rigour identifier-module shape
    """The canonical form of a valid IEC; ValueError otherwise."""
    if not is_valid(text):
        raise ValueError(f"not a valid Importer-Exporter Code: {text!r}")
    value = normalize(text)
    assert value is not None
    return value


def pan(text: str) -> str | None:
    """The PAN that a valid PAN-based IEC is; None for a legacy or invalid one."""
    value = normalize(text)
    return value if value is not None and not value.isdigit() and is_valid(value) else None
