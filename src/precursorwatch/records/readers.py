"""Stream contract files (CSV, JSON Lines, Parquet) as validated batches in bounded memory.

A reader never holds a whole file: it yields :class:`~precursorwatch.records.validate.Validated`
batches of at most ``batch_rows`` rows, each with the numbers of its rows in the file (from 1
for the first data row; a CSV header is not a row) and the errors of its bad rows. Rows that
cannot even be parsed (a stray quote, a broken JSON line) come back as errors of their own.
Whether to reject the file or quarantine the bad rows is the caller's choice.
"""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from precursorwatch.exceptions import InputError, RowErrors
from precursorwatch.records.files import format_of
from precursorwatch.records.schema import CONTRACT_FIELDS, REQUIRED_FIELDS, VALIDATED_SCHEMA
from precursorwatch.records.validate import Validated, rejected_rows, validate_batch

__all__ = ["DEFAULT_BATCH_ROWS", "read_contract", "read_contract_files"]

DEFAULT_BATCH_ROWS = 262_144
# A CSV block must hold the longest row; 16 MiB lets a 10 MB field be read and then rejected
# by name instead of failing the whole file with a parser error.
_CSV_BLOCK = 16 << 20
#: Parquet batches checked at once (this is a two-core machine's worth).
_CHECKERS = 2


def _missing_columns(path: str, columns: list[str]) -> None:
    unnamed = [str(i) for i, c in enumerate(columns, start=1) if not c]
    if unnamed:
        raise InputError(f"column{'s' if len(unnamed) > 1 else ''} {', '.join(unnamed)} "
                         f"{'have' if len(unnamed) > 1 else 'has'} no name in the header",
                         file=path)
    missing = sorted(REQUIRED_FIELDS - set(columns))
    if missing:
        raise InputError(
            f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}",
            file=path, field=missing[0])
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise InputError(f"column appears more than once: {', '.join(duplicated)}",
                         file=path, field=duplicated[0])


def _malformed(path: str, rows: list[tuple[int, str]], what: str) -> Validated:
    errors = tuple(InputError(f"{what}: {text[:80]!r}", file=path, row=row)
                   for row, text in rows)
    numbers = np.array([row for row, _ in rows], dtype=np.int64)
    rejected = pa.table({"row": pa.array(numbers, pa.int64()),
                         "raw_text": pa.array([text for _, text in rows], pa.string())})
    return Validated(pa.RecordBatch.from_pylist([]), numbers[:0], errors,
                     np.ones(len(rows), dtype=bool), rejected)


def _numbers(start: int, count: int, skipped: set[int]) -> np.ndarray:
    """The next ``count`` row numbers from ``start`` that are not malformed rows."""
    numbers: list[int] = []
    row = start
    while len(numbers) < count:
        if row not in skipped:
            numbers.append(row)
        row += 1
    return np.array(numbers, dtype=np.int64)


def _csv(path: str, batch_rows: int, columns: Collection[str] | None) -> Iterator[Validated]:
    with open(path, "rb") as handle:
        first = handle.readline()
    try:
        header = next(csv.reader(io.StringIO(first.decode("utf-8-sig"))), [])
    except UnicodeDecodeError:
        raise InputError("the header is not UTF-8 text (save the file as UTF-8)",
                         file=path, row=None) from None
    if not header:
        raise InputError("the file is empty: no header row", file=path)
    header = [h.strip() for h in header]
    _missing_columns(path, header)
    broken: list[tuple[int, str]] = []

    def invalid(row: Any) -> str:
        # Row numbers from the parser count the header as row 1.
        broken.append((int(row.number) - 1 if row.number is not None else -1, row.text))
        return "skip"

    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(use_threads=False, block_size=_CSV_BLOCK,
                                        column_names=header, skip_rows=1),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
        convert_options=pa_csv.ConvertOptions(column_types={c: pa.binary() for c in header},
                                              strings_can_be_null=False),
    )
    next_row = 1
    skipped: set[int] = set()  # every malformed row seen so far, whichever block it was in
    what = f"malformed CSV row: not {len(header)} fields (a stray quote or a missing comma?)"
    try:
        for batch in reader:
            # The parser may report malformed rows of the next block before this one is
            # handed over, so rows are numbered against all malformed rows seen so far.
            if broken:
                yield _malformed(path, sorted(broken), what)
                skipped.update(r for r, _ in broken)
                broken.clear()
            numbers = _numbers(next_row, batch.num_rows, skipped)
            next_row = int(numbers[-1]) + 1 if len(numbers) else next_row
            for start in range(0, batch.num_rows, batch_rows):
                part = batch.slice(start, batch_rows)
                yield validate_batch(part, numbers[start:start + part.num_rows], path,
                                     columns=columns)
    except pa.ArrowInvalid as err:
        raise InputError(f"cannot parse as CSV near row {next_row}: {err}", file=path) from err
    if broken:
        yield _malformed(path, sorted(broken), what)


def _json_value(key: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if key not in CONTRACT_FIELDS:  # an extra column may hold anything: kept as JSON text
        return json.dumps(value, ensure_ascii=False)
    raise ValueError(f"a {type(value).__name__} where a plain value was expected")


def _jsonl_batch(path: str, lines: list[tuple[int, str]], columns: Collection[str] | None
                 ) -> Iterator[Validated]:
    records: list[dict[str, str | None]] = []
    numbers: list[int] = []
    broken: list[tuple[int, str]] = []
    field_errors: list[InputError] = []
    for number, line in lines:
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            record: dict[str, str | None] = {}
            for key, value in obj.items():
                try:
                    record[str(key)] = _json_value(str(key), value)
                except ValueError as err:
                    field_errors.append(InputError(str(err), file=path, row=number,
                                                   field=str(key)))
                    record[str(key)] = None
        except ValueError:
            broken.append((number, line))
            continue
        records.append(record)
        numbers.append(number)
    if broken:
        yield _malformed(path, broken, "not a JSON object on one line")
    if records:
        names = list(dict.fromkeys(k for r in records for k in r))
        table = pa.table({n: pa.array([r.get(n) for r in records], pa.string()) for n in names})
        for name in REQUIRED_FIELDS - set(names):
            table = table.append_column(name, pa.nulls(len(records), pa.string()))
        checked = validate_batch(table.to_batches()[0] if table.num_rows else
                                 pa.RecordBatch.from_pylist([]), np.array(numbers, np.int64),
                                 path, columns=columns)
        if field_errors:
            bad_rows = [e.row for e in field_errors if e.row is not None]
            mask = np.isin(np.array(numbers), bad_rows)
            keep = pa.array(~mask[~checked.bad])
            errors = tuple(sorted((*checked.errors, *field_errors),
                                  key=lambda e: (e.row or 0)))
            checked = Validated(checked.rows.filter(keep),
                                checked.row_numbers[~mask[~checked.bad]],
                                errors, checked.bad | mask,
                                rejected_rows(table.to_batches()[0], checked.bad | mask,
                                              np.array(numbers, np.int64)))
        yield checked


def _jsonl(path: str, batch_rows: int, columns: Collection[str] | None) -> Iterator[Validated]:
    lines: list[tuple[int, str]] = []
    number = 0
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            number += 1
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark
                raw = raw[3:]
            try:
                lines.append((number, raw.decode("utf-8").rstrip("\r\n")))
            except UnicodeDecodeError:
                yield _malformed(path, [(number, raw.decode("utf-8", "replace"))],
                                 "is not valid UTF-8 text (check the file's encoding)")
                continue
            if len(lines) >= batch_rows:
                yield from _jsonl_batch(path, lines, columns)
                lines = []
    if lines:
        yield from _jsonl_batch(path, lines, columns)


def _dictionary_columns(source: pq.ParquetFile) -> list[str]:
    """Text columns stored as dictionaries throughout, to be read as Arrow dictionaries.

    Such a column decodes to its few distinct values and an index per row, and is checked
    once per distinct value. A column whose pages mostly fell back to plain values (ids,
    names, addresses: more distinct values than a dictionary page holds) would have to be
    hashed into a dictionary while reading, which costs more than it saves; it is read as
    text. The test is the column's size: a dictionary-encoded chunk holds at most four bytes
    of index per row, besides its dictionary page (1 MiB by default, 2 MiB allowed here).
    """
    meta = source.metadata
    leaves = {meta.schema.column(j).path: j for j in range(meta.num_columns)}
    names = []
    for field in source.schema_arrow:
        if not pa.types.is_string(field.type) or field.name not in leaves:
            continue
        j = leaves[field.name]
        chunks = [meta.row_group(g).column(j) for g in range(meta.num_row_groups)]
        if all(c.has_dictionary_page and c.total_uncompressed_size
               <= 4 * c.num_values + (2 << 20) for c in chunks):
            names.append(field.name)
    return names


def _parquet(path: str, batch_rows: int, columns: Collection[str] | None
             ) -> Iterator[Validated]:
    try:
        source = pq.ParquetFile(path)
        _missing_columns(path, source.schema_arrow.names)
        source = pq.ParquetFile(path, read_dictionary=_dictionary_columns(source))
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"cannot read as Parquet: {err}", file=path) from err

    def numbered() -> Iterator[tuple[pa.RecordBatch, npt.NDArray[np.int64]]]:
        next_row = 1
        for batch in source.iter_batches(batch_size=batch_rows):
            yield batch, np.arange(next_row, next_row + batch.num_rows, dtype=np.int64)
            next_row += batch.num_rows

    # Batches are checked two at a time while the next are decoded: Arrow's kernels
    # release the interpreter, and a year of trade is millions of rows. Results keep file
    # order; at most a few batches are held at once.
    with ThreadPoolExecutor(max_workers=_CHECKERS) as pool:
        pending: deque[Future[Validated]] = deque()
        for batch, numbers in numbered():
            pending.append(pool.submit(validate_batch, batch, numbers, path, columns=columns))
            if len(pending) > _CHECKERS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def read_contract(path: str | Path, *, batch_rows: int = DEFAULT_BATCH_ROWS,
                  columns: Collection[str] | None = None) -> Iterator[Validated]:
    """Validated batches of a contract file, in file order; file-level faults raise
    :class:`InputError` (no such file, unreadable, a required column missing).

    Every column is checked; the valid rows hold only ``columns`` (default: all)."""
    name = str(path)
    kind = format_of(path)
    if not Path(path).is_file():
        raise InputError("no such file", file=name)
    if kind == "csv":
        return _csv(name, batch_rows, columns)
    if kind == "jsonl":
        return _jsonl(name, batch_rows, columns)
    return _parquet(name, batch_rows, columns)


def read_contract_files(paths: Sequence[str | Path], *, batch_rows: int = DEFAULT_BATCH_ROWS,
                        columns: Sequence[str] = CONTRACT_FIELDS) -> pa.Table:
    """Every validated row of ``paths``, in order, as one table of the contract's columns.

    For work that needs all rows at once (screening compares each row with the others).
    Every bad row of every file is collected first; then :class:`RowErrors` lists them all
    and nothing is returned, so that no caller ever works on part of an input. Every
    column is checked; only ``columns`` are kept, batch by batch, so that a year of
    history is held without the columns its reader never reads.
    """
    batches: list[pa.RecordBatch] = []
    errors: list[InputError] = []
    for path in paths:
        for checked in read_contract(path, batch_rows=batch_rows, columns=columns):
            errors.extend(checked.errors)
            if not errors:
                batches.append(checked.rows.select(list(columns)))
    if errors:
        raise RowErrors(errors, file=str(paths[0]) if len(paths) == 1 else None)
    schema = pa.schema([VALIDATED_SCHEMA.field(c) for c in columns])
    return pa.Table.from_batches(batches, schema=schema)
