"""Identification over whole tables: each distinct product is identified once.

A year of trade repeats itself: the same exporter ships the same "Pseudoephedrine HCl USP" many
times. Identifying each distinct (description, CAS, HS) triple once and spreading the answer
back over the rows with Arrow's dictionary encoding is what makes batch identification fast;
the cost grows with the number of distinct products, not of rows.
"""

from __future__ import annotations

import math
import multiprocessing as mp
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.exceptions import InputError, RowErrors
from precursorwatch.records.schema import country_codes
from precursorwatch.registry.identify import Identification, Identifier
from precursorwatch.registry.rules import Consignment, judge

__all__ = ["check_table", "identify_table"]

_SEPARATOR = "\x1f"
_PARALLEL_FROM = 20_000  # distinct products below this are not worth starting processes for
_CHUNK = 5_000  # a control character that cannot occur in a field read from a file


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        text = pc.fill_null(table.column(name).cast(pa.string()), "")
        return pc.replace_substring(text, _SEPARATOR, " ")  # keeps the joined keys splittable
    return pa.chunked_array([pa.array([""] * table.num_rows, pa.string())])


def _describe(identifier: Identifier, key: str) -> tuple[str, str, str]:
    """(substances, confidences, evidence) of one distinct product key."""
    description, cas, hs_code = key.split(_SEPARATOR)
    result: Identification = identifier.identify(description, cas or None, hs_code or None)
    reported = result.reported
    return (";".join(m.substance.name for m in reported),
            ";".join(f"{m.confidence:.2f}" for m in reported), result.evidence_text())


# The identifier a forked worker inherits from its parent (set just before the pool starts,
# so that the indexes are shared copy-on-write instead of pickled to every worker).
_WORKER_IDENTIFIER: Identifier | None = None


def _describe_chunk(keys: list[str]) -> list[tuple[str, str, str]]:
    assert _WORKER_IDENTIFIER is not None
    return [_describe(_WORKER_IDENTIFIER, key) for key in keys]


def _describe_all(identifier: Identifier, keys: list[str], workers: int,
                  progress: Callable[[int, int], None] | None) -> list[tuple[str, str, str]]:
    """Describe every key, on ``workers`` forked processes when there are many keys."""
    global _WORKER_IDENTIFIER
    total = len(keys)
    if workers > 1 and total >= _PARALLEL_FROM and "fork" in mp.get_all_start_methods():
        _WORKER_IDENTIFIER = identifier
        chunks = [keys[i:i + _CHUNK] for i in range(0, total, _CHUNK)]
        out: list[tuple[str, str, str]] = []
        try:
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
                for part in pool.map(_describe_chunk, chunks):
                    out.extend(part)
                    if progress is not None:
                        progress(len(out), total)
        finally:
            _WORKER_IDENTIFIER = None
        return out
    described = []
    for done, key in enumerate(keys, start=1):
        described.append(_describe(identifier, key))
        if progress is not None and (done % 1000 == 0 or done == total):
            progress(done, total)
    return described


def identify_table(
    table: pa.Table,
    identifier: Identifier,
    *,
    file: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> pa.Table:
    """The input table with ``substances``, ``confidence`` and ``evidence`` columns added.

    ``product_description`` is required; ``cas_number`` and ``hs_code`` are used when present.
    ``substances`` holds the ``;``-joined canonical names of the reported substances and
    ``confidence`` their confidences in the same order. ``progress(done, total)`` is called
    now and then with counts of distinct products. With ``workers`` above 1 and many
    distinct products, they are identified on that many forked processes (same results).
    """
    if "product_description" not in table.column_names:
        raise InputError("required column is missing", file=file, field="product_description")
    keys = pc.binary_join_element_wise(
        _column(table, "product_description"), _column(table, "cas_number"),
        _column(table, "hs_code"), _SEPARATOR,
    )
    encoded = pc.dictionary_encode(keys).combine_chunks()
    described = _describe_all(identifier, encoded.dictionary.to_pylist(), workers, progress)
    indices = encoded.indices
    out = table
    for position, name in enumerate(("substances", "confidence", "evidence")):
        values = pa.array([d[position] for d in described], pa.string())
        column = pc.take(values, indices)
        if name in out.column_names:
            out = out.set_column(out.column_names.index(name), name, column)
        else:
            out = out.append_column(name, column)
    return out


def _number(value: str, *, file: str | None, row: int, field: str) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{value!r} is not a number", file=file, row=row, field=field) from None
    if not math.isfinite(number):
        raise InputError(f"{value!r} is not a finite number", file=file, row=row, field=field)
    if number < 0:
        raise InputError(f"{value!r} is negative", file=file, row=row, field=field)
    if field == "concentration_pct" and number > 100:
        raise InputError(f"{value!r} is more than 100", file=file, row=row, field=field)
    return number


def _country(value: str, *, file: str | None, row: int, field: str) -> str:
    code = value.strip().upper()
    if code not in country_codes():
        raise InputError(f"{value!r} is not an ISO 3166-1 alpha-2 country code", file=file,
                         row=row, field=field)
    return code


def check_table(
    table: pa.Table,
    identifier: Identifier,
    *,
    file: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> pa.Table:
    """Identified rows with the law's verdict: ``regulated``, ``us_regulated``,
    ``in_authorisation``, ``pen_expected`` and ``rules`` (the sentences of the rules that
    apply, ``;``-joined).

    Needs ``export_country`` and ``import_country``; ``quantity``, ``unit`` and
    ``concentration_pct`` are used when present. Every bad value is reported before giving up.
    """
    for required in ("export_country", "import_country"):
        if required not in table.column_names:
            raise InputError("required column is missing", file=file, field=required)
    identified = identify_table(table, identifier, file=file, progress=progress,
                                workers=workers)
    registry = identifier.registry
    columns = {name: _column(identified, name).to_pylist() for name in (
        "substances", "export_country", "import_country", "quantity", "unit",
        "concentration_pct")}
    flags: dict[str, list[bool]] = {k: [] for k in ("regulated", "us_regulated",
                                                    "in_authorisation", "pen_expected")}
    rules: list[str] = []
    errors: list[InputError] = []
    for index in range(identified.num_rows):
        row_number = index + 1
        try:
            quantity = _number(columns["quantity"][index], file=file, row=row_number,
                               field="quantity")
            concentration = _number(columns["concentration_pct"][index], file=file,
                                    row=row_number, field="concentration_pct")
            exporter = _country(columns["export_country"][index], file=file, row=row_number,
                                field="export_country")
            importer = _country(columns["import_country"][index], file=file, row=row_number,
                                field="import_country")
        except InputError as bad:
            errors.append(bad)
            continue
        names = [n for n in columns["substances"][index].split(";") if n]
        substances = [s for s in (registry.by_name(n) for n in names) if s is not None]
        verdict = judge(substances, Consignment(
            exporter, importer, quantity, columns["unit"][index].strip() or None, concentration))
        flags["regulated"].append(verdict.regulated)
        flags["us_regulated"].append(verdict.us_regulated)
        flags["in_authorisation"].append(verdict.in_authorisation)
        flags["pen_expected"].append(verdict.pen_expected)
        rules.append("; ".join(verdict.sentences()))
    if errors:
        raise RowErrors(errors, file=file)
    out = identified
    for name, values in flags.items():
        out = out.append_column(name, pa.array(values, pa.bool_()))
    return out.append_column("rules", pa.array(rules, pa.string()))
