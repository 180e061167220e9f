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
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from precursorwatch.exceptions import InputError, UsageError

__all__ = ["FORMATS", "Format", "format_of", "read_table", "write_table"]

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


def _as_text(table: pa.Table) -> pa.Table:
    columns = [
        col if pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
        else col.cast(pa.string())
        for col in table.columns
    ]
    return pa.table(columns, names=table.column_names)


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
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, OSError) as err:
        raise InputError(f"cannot read {kind.upper()}: {err}", file=name) from err


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write a table to ``path`` (``-`` writes CSV to standard output).

    The file is written beside its destination and renamed into place, so a failure or an
    interruption never leaves a half-written output behind.
    """
    if str(path) == "-":
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(table, sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode("utf-8"))
        return
    kind = format_of(path)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
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
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
