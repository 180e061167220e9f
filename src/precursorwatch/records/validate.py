"""Check rows against the shipment contract, a whole batch at a time.

Every check is an Arrow compute expression over a column, so that validating ten million rows
costs seconds; Python only loops over the rows that fail, to word their errors. A batch comes
back split in two: the valid rows with typed, normalised values (``VALIDATED_SCHEMA`` plus any
extra columns as text) and one :class:`InputError` per problem of every bad row, in row order.

Every check depends on one value alone, so a column with few distinct values (a year of
trade has a few dozen countries, units and vocabulary words, a few hundred HS codes and CAS
numbers) is checked once per distinct value: a dictionary-encoded column (Parquet stores
them so) is checked on its dictionary, and a coded text column of a large batch is
dictionary-encoded first. Failures found in the dictionary are mapped back to every row
that holds the value, so that the errors are exactly those of a row-by-row check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.exceptions import InputError
from precursorwatch.ids import cas as cas_numbers
from precursorwatch.records.files import plain_text
from precursorwatch.records.schema import (
    CONTRACT_FIELDS,
    OUTCOMES,
    PAYMENT_METHODS,
    REQUIRED_FIELDS,
    TRANSPORT_MODES,
    UNITS,
    VALIDATED_SCHEMA,
    country_codes,
)

__all__ = ["MAX_TEXT_LENGTH", "Validated", "rejected_rows", "validate_batch"]

#: Longest text value accepted, in characters. Declarations have no field anywhere near this;
#: a longer one is a broken file or an attack on the scorer's memory.
MAX_TEXT_LENGTH = 10_000

# Free text is kept as written; coded fields are trimmed so that "US " is still a country.
_FREE_TEXT = frozenset({"exporter_name", "exporter_address", "importer_name",
                        "importer_address", "consignee_name", "product_description", "end_use"})
_DECIMAL = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                 "%Y-%m-%d %H:%M", "%Y-%m-%dT%H", "%Y-%m-%d %H")
_OFFSET = r"(Z|[+-]\d{2}:?\d{2})$"
#: The shapes Arrow's ISO 8601 cast reads (no zone offset; at most microseconds), which the
#: formats above read alike.
_PLAIN_DATE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d{1,6})?)?)?)?$"
_FRACTION = r"[T ]\d{2}:\d{2}:\d{2}\.(?P<digits>\d+)$"
_CAS_SHAPE = r"^\d{2,7}-\d{2}-\d$"
_CURRENCY = r"^[A-Z]{3}$"
_DECIMALS = ("quantity", "concentration_pct", "declared_value")
#: Coded fields, whose values repeat: in a large batch of plain text they are checked per
#: distinct value (free text, identifiers and decimals are mostly distinct, and encoding
#: them would cost more than it saves).
_CODED = frozenset({"source", "declared_at", "export_country", "import_country",
                    "transit_countries", "hs_code", "cas_number", "unit", "currency",
                    "transport_mode", "payment_method", "outcome"})
#: Batches smaller than this are checked row by row: encoding costs more than it saves, and
#: the server checks one consignment at a time.
_ENCODE_FROM_ROWS = 4096
# Dates that print as ISO 8601 text (years 1-9999): a typed date outside them takes the text
# path, which refuses it as before.
_FIRST_DAY = (np.datetime64("0001-01-01") - np.datetime64("1970-01-01")).astype(int)
_LAST_DAY = (np.datetime64("9999-12-31") - np.datetime64("1970-01-01")).astype(int)

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Validated:
    """One batch after checking: typed valid rows, their row numbers, and the errors."""

    rows: pa.RecordBatch
    row_numbers: npt.NDArray[np.int64]
    errors: tuple[InputError, ...]
    bad: Mask
    #: The bad rows as they were written (text), with their ``row`` number: for quarantine.
    rejected: pa.Table


def _mask(array: pa.Array | pa.ChunkedArray) -> Mask:
    """A boolean Arrow array as numpy, nulls read as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


class _Checker:
    """Collects failures of one batch as (row index, field, reason) before wording them."""

    def __init__(self, size: int) -> None:
        self.bad = np.zeros(size, dtype=bool)
        self.failures: list[tuple[int, int, str, str]] = []
        self._by_field: dict[str, Mask] = {}

    def failed(self, field: str) -> Mask:
        """Rows that already failed on ``field`` (one reason per field is enough)."""
        return self._by_field.get(field, np.zeros(len(self.bad), dtype=bool))

    def fail(self, mask: Mask, field: str, reason: Callable[[int], str] | str) -> None:
        if not mask.any():
            return
        order = CONTRACT_FIELDS.index(field) if field in CONTRACT_FIELDS else len(CONTRACT_FIELDS)
        for index in np.flatnonzero(mask):
            text = reason if isinstance(reason, str) else reason(int(index))
            self.failures.append((int(index), order, field, text))
        self.bad |= mask
        self._by_field[field] = self.failed(field) | mask

    def spread(self, distinct: _Checker, values_of_rows: pa.Array) -> None:
        """Give each row the failures of its value: ``distinct`` checked the values and
        ``values_of_rows`` (no nulls) says which value each row holds."""
        if not distinct.failures:
            return
        indices = values_of_rows.to_numpy()
        reasons: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for value, order, field, text in distinct.failures:
            reasons[value].append((order, field, text))
        bad = distinct.bad[indices]
        for index in np.flatnonzero(bad):
            self.failures.extend((int(index), *reason)
                                 for reason in reasons[int(indices[index])])
        self.bad |= bad
        for field, mask in distinct._by_field.items():
            self._by_field[field] = self.failed(field) | mask[indices]


def _text(column: pa.Array, field: str, check: _Checker) -> pa.Array:
    """A column as trimmed UTF-8 text; undecodable bytes are a failure of that row."""
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        try:
            column = column.cast(pa.string())
        except pa.ArrowInvalid:
            values = column.to_pylist()
            broken = np.zeros(len(values), dtype=bool)
            decoded: list[str | None] = []
            for i, raw in enumerate(values):
                try:
                    decoded.append(None if raw is None else raw.decode("utf-8"))
                except UnicodeDecodeError:
                    broken[i] = True
                    decoded.append(None)
            check.fail(broken, field, "is not valid UTF-8 text (check the file's encoding)")
            column = pa.array(decoded, pa.string())
    elif not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = plain_text(column)
    if field not in _FREE_TEXT:
        column = pc.utf8_trim_whitespace(column)
    # Bytes bound characters from above, and counting bytes costs nothing: count characters
    # only when some value might be too long.
    sizes = pc.min_max(pc.binary_length(column)).as_py()
    if sizes["max"] is not None and sizes["max"] > MAX_TEXT_LENGTH:
        lengths = pc.utf8_length(column)
        too_long = _mask(pc.greater(lengths, MAX_TEXT_LENGTH))
        counts = lengths.to_numpy(zero_copy_only=False)
        check.fail(too_long, field, lambda i: f"value is {int(counts[i]):,} characters long; "
                                              f"the limit is {MAX_TEXT_LENGTH:,}")
        column = pc.if_else(pa.array(too_long), None, column)
    # Empty text is absent text: from here on "missing" is simply null. (Copying a column
    # of names or addresses to say so costs time: only done when some value is empty.)
    if sizes["min"] is None or sizes["min"] > 0:
        return column
    return pc.if_else(pc.equal(pc.binary_length(column), 0), None, column)


def _empty(column: pa.Array) -> Mask:
    """Rows without a value (text columns hold null for empty text, see ``_text``)."""
    return np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)


def _decimal(column: pa.Array, field: str, check: _Checker, *, minimum: float,
             strict: bool, maximum: float | None = None) -> pa.Array:
    """A decimal column as float64; bad numbers and out-of-range values fail their row."""
    present = ~_empty(column) if pa.types.is_string(column.type) else _mask(pc.is_valid(column))
    if pa.types.is_string(column.type):
        candidate = pc.if_else(pa.array(present), column, None)
        try:  # fast path: Arrow's strict cast succeeds when every value is a plain number
            column = candidate.cast(pa.float64())
            odd = _mask(pc.invert(pc.is_finite(column)))
            values = candidate.to_pylist() if odd.any() else []
            check.fail(odd, field, lambda i: f"{values[i]!r} is not a number")
            column = pc.if_else(pa.array(odd), None, column)
        except pa.ArrowInvalid:
            shaped = _mask(pc.match_substring_regex(column, _DECIMAL))
            not_number = present & ~shaped
            values = column.to_pylist() if not_number.any() else []
            check.fail(not_number, field, lambda i: f"{values[i]!r} is not a number")
            column = pc.if_else(pa.array(shaped), column, None).cast(pa.float64())
    else:
        column = column.cast(pa.float64())
        finite = pc.is_finite(column)
        if pc.all(finite).as_py() is False:  # nulls are skipped: only NaN and infinities
            odd = _mask(pc.invert(finite))
            check.fail(odd, field, "is not a finite number")
            column = pc.if_else(pa.array(odd), None, column)
    numbers = column.to_numpy(zero_copy_only=False)  # a null is NaN: outside every bound
    with np.errstate(invalid="ignore"):
        low = (numbers <= minimum) if strict else (numbers < minimum)
        high = (numbers > maximum) if maximum is not None else np.zeros_like(low)
    bound = f"greater than {minimum:g}" if strict else f"at least {minimum:g}"
    check.fail(low, field, lambda i: f"{numbers[i]:g} must be {bound}")
    if maximum is not None:
        check.fail(high, field, lambda i: f"{numbers[i]:g} must be at most {maximum:g}")
    return column


def _timestamp(column: pa.Array, field: str, check: _Checker) -> pa.Array:
    """ISO 8601 dates or date-times as naive UTC timestamps; impossible dates fail."""
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        return column.cast(pa.timestamp("us"))
    present = ~_empty(column)
    candidate = pc.if_else(pa.array(present), column, None)
    # Fast path: Arrow's strict ISO 8601 cast, when every value has a shape that the formats
    # below read alike. Either way each value is judged as it would be alone, whichever
    # values share its batch (or its dictionary).
    if pc.all(pc.match_substring_regex(candidate, _PLAIN_DATE)).as_py() is not False:
        try:
            return candidate.cast(pa.timestamp("us"))
        except pa.ArrowInvalid:
            pass
    offset = pc.extract_regex(column, r"(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})$")
    local = pc.replace_substring_regex(column, _OFFSET, "")
    # A fraction of a second is kept to the microsecond, as the fast path keeps it.
    digits = pc.struct_field(pc.extract_regex(local, _FRACTION), "digits")
    fraction = pc.fill_null(pc.utf8_rpad(pc.utf8_slice_codeunits(digits, 0, 6), width=6,
                                         padding="0").cast(pa.int64()), 0)
    local = pc.replace_substring_regex(local, r"([T ]\d{2}:\d{2}:\d{2})\.\d+$", r"\1")
    parsed = pa.nulls(len(column), pa.timestamp("s"))
    for fmt in _DATE_FORMATS:
        attempt = pc.strptime(local, format=fmt, unit="s", error_is_null=True)
        # Arrow's strptime rolls 2026-02-30 over to March; a date is valid only if it prints
        # back as it was written.
        exact = pc.equal(pc.strftime(attempt, format=fmt), local)
        parsed = pc.coalesce(parsed, pc.if_else(exact, attempt, None))
    minutes = np.zeros(len(column), dtype=np.int64)
    if pc.any(pc.is_valid(offset)).as_py():
        sign = pc.if_else(pc.equal(pc.struct_field(offset, "sign"), "-"), -1, 1)
        hours = pc.struct_field(offset, "h").cast(pa.int64())
        mins = pc.struct_field(offset, "m").cast(pa.int64())
        total = pc.multiply(sign, pc.add(pc.multiply(hours, 60), mins))
        minutes = np.nan_to_num(total.to_numpy(zero_copy_only=False).astype(float)).astype(
            np.int64)
    bad = present & ~_mask(pc.is_valid(parsed))
    values = column.to_pylist() if bad.any() else []
    check.fail(bad, field, lambda i: f"{values[i]!r} is not an ISO 8601 date or date-time "
                                     f"(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)")
    micros = pc.fill_null(parsed.cast(pa.timestamp("us")).cast(pa.int64()), 0).to_numpy(
        zero_copy_only=False)
    shifted = pa.array(micros + fraction.to_numpy(zero_copy_only=False)
                       - minutes * 60_000_000, pa.int64(),
                       mask=~_mask(pc.is_valid(parsed)))
    return shifted.cast(pa.timestamp("us"))


def _closed(column: pa.Array, field: str, allowed: frozenset[str], check: _Checker) -> None:
    wrong = ~_empty(column) & ~_mask(pc.is_in(column, pa.array(sorted(allowed))))
    if wrong.any():
        values = column.to_pylist()
        listed = ", ".join(sorted(allowed))
        check.fail(wrong, field, lambda i: f"{values[i]!r} is not one of {listed}")


def _countries(column: pa.Array, field: str, check: _Checker) -> pa.Array:
    column = pc.utf8_upper(column)
    wrong = ~_empty(column) & ~_mask(pc.is_in(column, pa.array(sorted(country_codes()))))
    if wrong.any():
        values = column.to_pylist()
        check.fail(wrong, field,
                   lambda i: f"{values[i]!r} is not an ISO 3166-1 alpha-2 country code")
    return column


def _transit(column: pa.Array, field: str, check: _Checker) -> pa.Array:
    column = pc.replace_substring_regex(pc.utf8_upper(column), r"\s+", "")
    parts = pc.split_pattern(column, ";")
    flat = pc.list_flatten(parts)
    wrong_parts = _mask(pc.invert(pc.is_in(flat, pa.array(sorted(country_codes())))))
    if wrong_parts.any():
        parents = pc.list_parent_indices(parts).to_numpy()
        wrong = np.zeros(len(column), dtype=bool)
        wrong[parents[wrong_parts]] = True
        wrong &= ~_empty(column)
        values = column.to_pylist()
        check.fail(wrong, field, lambda i: f"{values[i]!r} must be ISO alpha-2 country codes "
                                           f"joined by ';'")
    return column


def _hs(column: pa.Array, field: str, check: _Checker) -> pa.Array:
    digits = pc.replace_substring(pc.replace_substring(column, ".", ""), " ", "")
    length = pc.utf8_length(digits)
    shaped = pc.and_kleene(pc.ascii_is_decimal(digits),
                           pc.and_kleene(pc.greater_equal(length, 6), pc.less_equal(length, 10)))
    wrong = ~_empty(column) & ~_mask(shaped)
    if wrong.any():
        values = column.to_pylist()
        check.fail(wrong, field, lambda i: f"{values[i]!r} must be 6 to 10 digits "
                                           f"(dots and spaces are allowed)")
    return digits


def _cas(column: pa.Array, field: str, check: _Checker) -> pa.Array:
    present = ~_empty(column)
    if not present.any():
        return column
    encoded = pc.dictionary_encode(column)
    reasons: list[str | None] = []
    for value in encoded.dictionary.to_pylist():
        if value is None or value == "" or cas_numbers.is_valid(value):
            reasons.append(None)
        elif cas_numbers.normalize(value) is None:
            reasons.append(f"{value!r} is not a CAS number (NNNNNNN-NN-N)")
        else:
            body = value.replace("-", "")[:-1]
            reasons.append(f"check digit is {value[-1]}, expected "
                           f"{cas_numbers.check_digit(body)}")
    per_row = pc.take(pa.array(reasons, pa.string()), encoded.indices)
    wrong = _mask(pc.is_valid(per_row))
    if wrong.any():
        texts = per_row.to_pylist()
        check.fail(wrong, field, lambda i: str(texts[i]))
    # Stored in the canonical N-NN-N form, so that "345788" and "345-78-8" are one value.
    canonical = [None if v is None else (cas_numbers.normalize(v) or v)
                 for v in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(canonical, pa.string()), encoded.indices)


def _regex(column: pa.Array, field: str, pattern: str, what: str, check: _Checker) -> None:
    wrong = ~_empty(column) & ~_mask(pc.match_substring_regex(column, pattern))
    if wrong.any():
        values = column.to_pylist()
        check.fail(wrong, field, lambda i: f"{values[i]!r} is not {what}")


def _typed(name: str, raw: pa.Array, check: _Checker) -> pa.Array:
    """One contract field checked (failures go to ``check``) and typed: VALIDATED_SCHEMA's
    values, normalised, before the bad rows are taken out."""
    if name in _DECIMALS:
        text = raw if not (pa.types.is_string(raw.type) or pa.types.is_binary(raw.type)) \
            else _text(raw, name, check)
    elif name == "declared_at" and (pa.types.is_timestamp(raw.type) or _printable_dates(raw)):
        text = raw
    else:
        text = _text(raw, name, check)
    if name in REQUIRED_FIELDS:
        missing = (_empty(text) if pa.types.is_string(text.type)
                   else ~_mask(pc.is_valid(text)))
        check.fail(missing & ~check.failed(name), name, "required value is missing")
    if name == "quantity":
        return _decimal(text, name, check, minimum=0, strict=True)
    if name == "concentration_pct":
        return _decimal(text, name, check, minimum=0, strict=False, maximum=100)
    if name == "declared_value":
        return _decimal(text, name, check, minimum=0, strict=False)
    if name == "declared_at":
        return _timestamp(text, name, check)
    if name in ("export_country", "import_country"):
        return _countries(text, name, check)
    if name == "transit_countries":
        return _transit(text, name, check)
    if name == "hs_code":
        return _hs(text, name, check)
    if name == "cas_number":
        return _cas(text, name, check)
    if name == "unit":
        _closed(text, name, UNITS, check)
    elif name == "transport_mode":
        _closed(text, name, TRANSPORT_MODES, check)
    elif name == "payment_method":
        _closed(text, name, PAYMENT_METHODS, check)
    elif name == "outcome":
        _closed(text, name, OUTCOMES, check)
    elif name == "currency":
        _regex(text, name, _CURRENCY, "an ISO 4217 currency code (3 capitals)", check)
    return text


def _printable_dates(column: pa.Array) -> bool:
    """A typed date column whose every date prints as ISO 8601 text, so that casting it
    straight to a timestamp refuses nothing that the text path would refuse."""
    if not pa.types.is_date32(column.type):
        return False
    days = pc.min_max(column.cast(pa.int32()))
    low, high = days["min"].as_py(), days["max"].as_py()
    return low is None or (low >= _FIRST_DAY and high <= _LAST_DAY)


def _distinct(name: str, raw: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """The values to check, and for each row the index of its value (None: one per row).

    A dictionary column (as Parquet is read) is checked on its dictionary; a coded text
    column of a large batch is dictionary-encoded first. Nulls point at one null value
    added to the end, so that a missing value is checked like any other.
    """
    if not pa.types.is_dictionary(raw.type):
        if (name not in _CODED or len(raw) < _ENCODE_FROM_ROWS
                or not (pa.types.is_string(raw.type) or pa.types.is_binary(raw.type))):
            return raw, None
        encoded = pc.dictionary_encode(raw)
        if 2 * len(encoded.dictionary) > len(raw):  # mostly distinct: no gain
            return raw, None
        raw = encoded
    values, indices = raw.dictionary, raw.indices
    if len(values) > len(raw):  # a row group's dictionary, larger than this batch
        return raw.cast(values.type), None
    if indices.null_count:
        values = pa.concat_arrays([values, pa.nulls(1, values.type)])
        indices = pc.fill_null(indices, len(values) - 1)
    return values, indices


def validate_batch(batch: pa.RecordBatch, row_numbers: npt.NDArray[np.int64],
                   file: str | None = None, *, columns: Collection[str] | None = None
                   ) -> Validated:
    """Check one batch of rows; ``row_numbers`` gives each row's number in its file.

    Every column is checked; the valid rows hold ``columns`` only (default: every column),
    so that a reader that keeps a few columns never builds the others. Missing required
    *columns* are the reader's business (the whole file is wrong); here a missing optional
    column simply reads as empty.
    """
    size = batch.num_rows
    check = _Checker(size)
    names = batch.schema.names
    # Each column as its typed values and, for a column checked per distinct value, the
    # index of each row's value; rows are built from these once the bad rows are known.
    typed: dict[str, tuple[pa.Array, pa.Array | None]] = {}
    for name in CONTRACT_FIELDS:
        raw = batch.column(names.index(name)) if name in names else pa.nulls(size, pa.string())
        values, indices = _distinct(name, raw)
        if indices is None:
            typed[name] = (_typed(name, values, check), None)
        else:
            distinct = _Checker(len(values))
            typed[name] = (_typed(name, values, distinct), indices)
            check.spread(distinct, indices)
    extras = [n for n in names if n not in CONTRACT_FIELDS]
    for name in extras:
        raw = batch.column(names.index(name))
        if pa.types.is_dictionary(raw.type):
            raw = raw.cast(raw.type.value_type)
        typed[name] = (_text(raw, name, check), None)
    fields = [*VALIDATED_SCHEMA, *(pa.field(n, pa.string()) for n in extras)]
    if columns is not None:
        fields = [f for f in fields if f.name in columns]
    keep = pa.array(~check.bad) if check.bad.any() else None
    arrays = []
    for field in fields:
        values, indices = typed[field.name]
        values = values.cast(field.type)
        if indices is not None:  # only the kept rows' values are spelled out
            arrays.append(values.take(indices if keep is None else indices.filter(keep)))
        else:
            arrays.append(values if keep is None else pc.filter(values, keep))
    rows = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
    check.failures.sort()
    errors = tuple(InputError(reason, file=file, row=int(row_numbers[index]), field=field)
                   for index, _, field, reason in check.failures)
    return Validated(rows, row_numbers[~check.bad], errors, check.bad,
                     rejected_rows(batch, check.bad, row_numbers))


def rejected_rows(batch: pa.RecordBatch, bad: Mask,
                  row_numbers: npt.NDArray[np.int64]) -> pa.Table:
    """The bad rows of a batch as text, undecodable bytes replaced, with their row numbers."""
    picked = batch.filter(pa.array(bad))
    columns: dict[str, pa.Array] = {"row": pa.array(row_numbers[bad], pa.int64())}
    for name, column in zip(picked.schema.names, picked.columns, strict=True):
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            values = [None if v is None else v.decode("utf-8", "replace")
                      for v in column.to_pylist()]
            columns[name] = pa.array(values, pa.string())
        else:
            columns[name] = plain_text(column)
    return pa.table(columns)

