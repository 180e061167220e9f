"""The ``--db`` option that ``serve``, ``admin`` and ``audit`` share."""

from __future__ import annotations

from typing import Annotated

import typer

from precursorwatch.settings import DEFAULT_DB

__all__ = ["DB_ENV", "DbOption"]

DB_ENV = "PRECURSORWATCH_DB"

DbOption = Annotated[str, typer.Option(
    "--db", envvar=DB_ENV,
    help=f"The exchange store: sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB. "
         f"Default: {DEFAULT_DB} (a file in the current folder), or ${DB_ENV} when set.")]
