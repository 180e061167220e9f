"""The quarantine file: bad rows set aside, each with every reason it was refused.

With ``--quarantine FILE`` an import keeps going past bad rows; they land here exactly as they
were written, next to their row number and problems, so that the sender can fix and resend
them. The file is written whole at the end (or not at all).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa

from precursorwatch.exceptions import UsageError
from precursorwatch.records.files import format_of, write_table
from precursorwatch.records.validate import Validated

__all__ = ["Quarantine"]


class Quarantine:
    """Collects the bad rows of every batch; :meth:`write` puts them in one file."""

    def __init__(self, path: str | Path) -> None:
        format_of(path)  # refuse an unknown extension before any work is done
        self.path = Path(path)
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{self.path}: {folder} is a file, not a folder")
        self._parts: list[pa.Table] = []
        self.rows = 0

    def __call__(self, checked: Validated) -> None:
        problems: dict[int, list[str]] = defaultdict(list)
        files: dict[int, str] = {}
        for error in checked.errors:
            row = error.row if error.row is not None else -1
            problems[row].append(f"{error.field}: {error.reason}" if error.field
                                 else error.reason)
            files[row] = error.file or ""
        rejected = checked.rejected
        rows = rejected.column("row").to_pylist()
        front = pa.table({
            "file": [files.get(r, "") for r in rows],
            "row": pa.array(rows, pa.int64()),
            "problems": ["; ".join(problems.get(r, [])) for r in rows],
        })
        rest = rejected.drop_columns(["row"])
        for name, column in zip(rest.column_names, rest.columns, strict=True):
            front = front.append_column(name, column)
        self._parts.append(front)
        self.rows += len(rows)

    def write(self) -> None:
        """Write every quarantined row so far (an empty file with headers if there were none)."""
        table = (pa.concat_tables(self._parts, promote_options="permissive") if self._parts
                 else pa.table({"file": pa.array([], pa.string()), "row": pa.array([], pa.int64()),
                                "problems": pa.array([], pa.string())}))
        write_table(table, self.path)
