"""``precursorwatch ingest``: load contract files into the analytics store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from precursorwatch.commands._console import err, out, progress_bar
from precursorwatch.records.analytics import AnalyticsStore
from precursorwatch.records.quarantine import Quarantine

__all__ = ["DEFAULT_STORE", "STORE_ENV", "StoreOption", "ingest"]

STORE_ENV = "PRECURSORWATCH_STORE"
DEFAULT_STORE = "precursorwatch-store"

StoreOption = Annotated[
    Path,
    typer.Option("--store", envvar=STORE_ENV, help="The analytics store folder (created on "
                 f"first use). Default: ./{DEFAULT_STORE}, or ${STORE_ENV} when set."),
]


def ingest(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Shipment files in the contract format (.csv, .jsonl, .parquet)."),
    ] = None,
    store: StoreOption = Path(DEFAULT_STORE),
    quarantine: Annotated[
        Path | None,
        typer.Option(help="Import the good rows and write the bad ones, with their reasons, to "
                     "this file (.csv, .jsonl, .parquet). Default: reject the whole input."),
    ] = None,
    stats: Annotated[bool, typer.Option("--stats", help="Say what the store holds and "
                                        "exit (after ingesting FILES, if any).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Hide progress and "
                                        "messages.")] = False,
) -> None:
    """Load shipment records into the analytics store, all or nothing.

    Every row is checked against the shipment contract. By default one bad row rejects the
    whole input and nothing is stored: every problem is listed as `FILE:ROW: FIELD: REASON`
    and the exit code is 3. With `--quarantine` the bad rows go to a side file and the rest
    is stored. Ingest is idempotent: a row already stored unchanged is skipped, a changed row
    (same source and shipment_id) becomes the current version and the old one is kept. An
    ingest that fails or is killed leaves the store as it was.

    Examples:

    * `precursorwatch ingest examples/declarations.csv`
    * `precursorwatch ingest new.parquet --quarantine rejected.csv --store /data/pw`
    * `precursorwatch ingest --stats`
    """
    target = AnalyticsStore(store)
    if files:
        side = Quarantine(quarantine) if quarantine is not None else None
        with progress_bar("Ingesting rows", quiet=quiet) as update:
            report = target.ingest(files, quarantine=side,
                                   progress=lambda rows: update(rows, None),
                                   before_commit=side.write if side is not None else None)
        if not quiet:
            err.print(f"Read {report.rows_read:,} rows from {len(report.files)} file(s): "
                      f"{report.rows_added:,} stored, {report.rows_unchanged:,} already stored "
                      f"unchanged, {report.rows_quarantined:,} quarantined"
                      + (f" to {quarantine}" if quarantine and report.rows_quarantined else "")
                      + f". Store: {store}")
    elif not stats:
        raise typer.BadParameter("give FILES to ingest, or --stats", param_hint="FILES")
    if stats:
        numbers = target.stats()
        view = Table("what", "value", title=f"Store {numbers.path}")
        view.add_row("shipments (current versions)", f"{numbers.shipments:,}")
        view.add_row("versions kept", f"{numbers.versions:,}")
        view.add_row("batches with rows", f"{numbers.batches:,}")
        view.add_row("declared from", str(numbers.first_declared or "-"))
        view.add_row("declared to", str(numbers.last_declared or "-"))
        for source, count in numbers.by_source:
            view.add_row(f"  from {source}", f"{count:,}")
        view.add_row("size on disk", f"{numbers.size_bytes / 2**20:,.1f} MiB")
        out.print(view)
