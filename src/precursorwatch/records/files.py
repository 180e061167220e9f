"""Tables in and out of files, the format chosen by the file's extension.

Every command that reads or writes rows goes through here, so that CSV, JSON Lines and Parquet
behave the same everywhere: values are read as text (an HS code such as ``0902`` or a CAS
number must never become a number), and an output file appears whole or not at all.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from precursorwatch.exceptions import InputError, UsageError

__all__ = ["FORMATS", "Format", "format_of", "plain_text", "read_table", "replacing",
           "write_table"]

Format = Literal["csv", "jsonl", "parquet"]
FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}


def format_of(path: str | Path) -> Format:
    """The table format a path's extension names; a usage error lists the allowed ones."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        allowed = ", ".join(FORMATS)
        raise UsageError(f"{path}: unknown file type {suffix or '(none)'!r}; use one of {allowed}")
    return FORMATS[suffix]


def plain_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Any non-binary column as text; lists and records (extra columns) as JSON text."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_nested(column.type):
        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                         for v in column.to_pylist()], pa.string())
    return column.cast(pa.string())


def _as_text(table: pa.Table) -> pa.Table:
    return pa.table([plain_text(col) for col in table.columns], names=table.column_names)


def read_table(path: str | Path) -> pa.Table:
    """Read a whole CSV, JSON Lines or Parquet file as a table of text columns."""
    name = str(path)
    kind = format_of(path)
    if not Path(path).is_file():
        raise InputError("no such file", file=name)
    try:
        if kind == "parquet":
            return _as_text(pq.read_table(path))
        if kind == "jsonl":
            return _as_text(pa_json.read_json(path))
        with open(path, "rb") as handle:
            header = pa_csv.open_csv(handle).schema.names
        convert = pa_csv.ConvertOptions(
            column_types={column: pa.string() for column in header},
            strings_can_be_null=False,
        )
        return pa_csv.read_csv(path, convert_options=convert)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError,
            UnicodeDecodeError, OSError) as err:
        raise InputError(f"cannot read {kind.upper()}: {err}", file=name) from err


@contextmanager
def replacing(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it when the block succeeds and
    removed when it fails, so that a reader never sees a half-written file. The file gets
    the permissions of any file the user creates (mkstemp would make it private)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    temp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)
    try:
        yield temp
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write a table to ``path`` (``-`` writes CSV to standard output), whole or not at all."""
    if str(path) == "-":
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(table, sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode("utf-8"))
        return
    kind = format_of(path)
    with replacing(path) as temp:
        if kind == "parquet":
            pq.write_table(table, temp)
        elif kind == "csv":
            pa_csv.write_csv(table, temp)
        else:
            with open(temp, "w", encoding="utf-8") as out:
                for batch in table.to_batches(max_chunksize=65536):
                    for row in batch.to_pylist():
                        out.write(json.dumps(row, ensure_ascii=False, default=str))
                        out.write("\n")
