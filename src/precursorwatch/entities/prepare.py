"""Values cleaned for comparison, one column kind at a time.

Cleaning is what makes "M/s Tulsi Biotech Pvt. Ltd." meet "TULSI BIOTECH PRIVATE LIMITED"
and "(202) 555-0143" meet "+1 202 555 0143" before any similarity is measured. Text is
cleaned column-wise with Arrow; names and phones, which need the libraries of
:mod:`.names` and :mod:`.phones`, are cleaned once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.entities.addresses import normalise_address
from precursorwatch.entities.comparisons import (
    Comparison,
    date_comparison,
    exact_comparison,
    identifier_comparison,
    name_comparison,
    text_comparison,
)
from precursorwatch.entities.names import normalise_name
from precursorwatch.entities.phones import to_e164
from precursorwatch.entities.settings import INITIAL, SOUND, Kind
from precursorwatch.ids import gstin

__all__ = ["INITIAL", "NAME_KINDS", "SOUND", "comparison_for", "prepared_columns"]

#: Kinds of names: compared with their initials kept for blocking.
NAME_KINDS = (Kind.given_name, Kind.surname, Kind.person, Kind.company)


def _text(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Lower case, punctuation as space, single spaces; empty as missing."""
    text = pc.cast(values, pa.string())
    text = pc.utf8_lower(text)
    text = pc.replace_substring_regex(text, r"[^\w]+", " ")
    text = pc.utf8_trim_whitespace(text)
    return _missing(text)


def _code(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Letters and digits only, upper case: '80-0796616' and '800796616' are one number."""
    text = pc.utf8_upper(pc.cast(values, pa.string()))
    return _missing(pc.replace_substring_regex(text, r"[^0-9A-Z]+", ""))


def _digits(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    return _missing(pc.replace_substring_regex(pc.cast(values, pa.string()), r"[^0-9]+", ""))


def _missing(text: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    return pc.if_else(pc.equal(pc.binary_length(array), 0), None, array)


def _per_value(values: pa.ChunkedArray | pa.Array, clean: Callable[[str], str | None]
               ) -> pa.Array:
    """``clean`` applied once per distinct value."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    encoded = pc.cast(array, pa.string()).dictionary_encode()
    cleaned = pa.array([None if v is None else clean(v)
                        for v in encoded.dictionary.to_pylist()], pa.string())
    return _missing(cleaned.take(encoded.indices))


def _name_key(person: bool) -> Callable[[str], str | None]:
    def clean(value: str) -> str | None:
        parts = normalise_name(value, person=person)
        return None if parts is None else parts.key
    return clean


def _name_sound(person: bool) -> Callable[[str], str | None]:
    def clean(value: str) -> str | None:
        parts = normalise_name(value, person=person)
        return None if parts is None else parts.phonetic_key
    return clean


def _phones(values: pa.ChunkedArray | pa.Array, regions: pa.ChunkedArray | pa.Array | None
            ) -> pa.Array:
    """Phones in E.164, each read in its record's country when the record has one: a
    number written the national way ("098200 12345", "(732) 555-0143") has no country code
    of its own, and without the country it is no number at all."""
    if regions is None:
        return _per_value(values, to_e164)
    region = pc.utf8_upper(pc.utf8_trim_whitespace(pc.cast(regions, pa.string())))
    region = pc.if_else(pc.equal(pc.utf8_length(region), 2), region, None)
    # One key per distinct (number, country), so that each is parsed once.
    keyed = pc.binary_join_element_wise(pc.cast(values, pa.string()),
                                        pc.fill_null(region, ""), "\x1f")

    def clean(key: str) -> str | None:
        text, _, country = key.partition("\x1f")
        return to_e164(text, country or None)

    return _per_value(keyed, clean)


def _address(value: str) -> str | None:
    """The address's words in rigour's fixed form, sorted, with its PIN or ZIP code and
    state code: "386 Main St, Ste 7" and "386 Main Street, Suite 7" are one key."""
    parts = normalise_address(value)
    return None if parts is None else parts.key


def _identifier(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Letters and digits, upper case; a GSTIN as the PAN inside it, which is also the
    firm's IEC (DGFT Trade Notice 09/2018): one firm's three numbers meet.

    Column-wise, with only what has a GSTIN's shape checked in Python: a million
    records may carry a million numbers."""
    codes = _code(values)
    shaped = pc.fill_null(pc.match_substring_regex(codes, _GSTIN_SHAPE), False)
    if not pc.any(shaped).as_py():
        return codes
    found = codes.filter(shaped).to_pylist()
    pans = pa.array([gstin.pan(c) if gstin.is_valid(c) else c for c in found], pa.string())
    return pc.replace_with_mask(codes, shaped, pans)


#: What a GSTIN looks like once upper-cased without separators: state digits, PAN, entity
#: number, Z, check character (see :mod:`precursorwatch.ids.gstin`).
_GSTIN_SHAPE = r"^[0-9]{2}[0-9A-Z]{12}[0-9A-Z]$"


def prepared_columns(values: pa.ChunkedArray | pa.Array, name: str, kind: Kind,
                     regions: pa.ChunkedArray | pa.Array | None = None
                     ) -> dict[str, pa.Array]:
    """The cleaned column(s) a column of ``kind`` is compared or blocked on; ``regions``
    are the records' countries (ISO alpha-2), which phones written without their country
    code are read in."""
    columns = _cleaned(values, name, kind, regions)
    if kind in NAME_KINDS:
        columns[name + INITIAL] = _missing(pc.utf8_slice_codeunits(columns[name], 0, 1))
    return columns


def _cleaned(values: pa.ChunkedArray | pa.Array, name: str, kind: Kind,
             regions: pa.ChunkedArray | pa.Array | None) -> dict[str, pa.Array]:
    if kind in (Kind.company, Kind.person):
        person = kind is Kind.person
        return {name: _per_value(values, _name_key(person)),
                name + SOUND: _per_value(values, _name_sound(person))}
    if kind is Kind.phone:
        return {name: _phones(values, regions)}
    if kind is Kind.address:
        return {name: _per_value(values, _address)}
    if kind is Kind.identifier:
        return {name: _identifier(values)}
    if kind is Kind.date:
        return {name: _digits(values)}
    if kind in (Kind.postcode, Kind.state, Kind.country, Kind.number):
        return {name: _code(values)}
    return {name: _text(values)}


_COMPARE: Mapping[Kind, Callable[[str], Comparison]] = {
    Kind.given_name: text_comparison,
    Kind.surname: text_comparison,
    Kind.person: lambda c: name_comparison(c, c + SOUND),
    Kind.company: lambda c: name_comparison(c, c + SOUND),
    Kind.date: date_comparison,
    Kind.identifier: identifier_comparison,
    Kind.postcode: lambda c: identifier_comparison(c, term_frequency=True),
    Kind.phone: exact_comparison,
    Kind.address: lambda c: text_comparison(c, (0.9, 0.7)),
    Kind.city: lambda c: text_comparison(c, (0.9,)),
    Kind.state: lambda c: exact_comparison(c, term_frequency=True),
    Kind.country: lambda c: exact_comparison(c, term_frequency=True),
    Kind.number: exact_comparison,
    Kind.text: text_comparison,
}


def comparison_for(name: str, kind: Kind) -> Comparison:
    """How a column of ``kind`` is compared."""
    return _COMPARE[kind](name)
