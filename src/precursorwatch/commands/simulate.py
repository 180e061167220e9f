"""``precursorwatch simulate``: write a synthetic year of trade with labelled diversion, or
party records with ground truth for entity resolution."""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from followthemoney import EntityProxy
from rich.table import Table

from precursorwatch.commands._console import EXIT_CODES_HELP, err, progress_bar
from precursorwatch.commands._groups import defaulting_to
from precursorwatch.records import format_of, replacing, write_table
from precursorwatch.simulate import Simulation, simulate
from precursorwatch.simulate.parties import TRAPS, party_records

__all__ = ["FileFormat", "app", "parties_command", "simulate_command", "write_simulation"]

app = typer.Typer(
    cls=defaulting_to("trade"),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="Write synthetic data with known truth, for demos, tests and benchmarks.\n\n"
         "`precursorwatch simulate --out OUT` is short for `precursorwatch simulate trade "
         "--out OUT`.\n\n" + EXIT_CODES_HELP,
)


class FileFormat(StrEnum):
    """Table formats the simulator writes."""

    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


def _write_entities(entities: Iterable[EntityProxy], path: Path) -> None:
    """FollowTheMoney JSON lines, written whole or not at all."""
    with replacing(path) as temp, open(temp, "w", encoding="utf-8") as out:
        for entity in entities:
            out.write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True))
            out.write("\n")


def write_simulation(result: Simulation, out_dir: Path, file_format: str) -> list[Path]:
    """Write every table and the incidents under ``out_dir``; the paths written, in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in (("history", result.history), ("new", result.new),
                        ("labels", result.labels), ("parties", result.parties),
                        ("rings", result.rings)):
        path = out_dir / f"{name}.{file_format}"
        write_table(table, path)
        written.append(path)
    incidents = out_dir / "incidents.ftm.jsonl"
    _write_entities(result.incidents, incidents)
    written.append(incidents)
    return written


@app.command("trade")
def simulate_command(
    rows: Annotated[int, typer.Option(
        "--rows", "-n", min=1000,
        help="Consignments to write in all, history and new together (default 100,000; at "
             "least 1,000).")] = 100_000,
    seed: Annotated[int, typer.Option(
        "--seed", "-s", help="Random seed; the same seed and rows give the same files "
                             "(default 7).")] = 7,
    out: Annotated[Path, typer.Option(
        "--out", "-o", file_okay=False,
        help="Directory to write into; created if missing, files in it replaced (default "
             "./simulated).")] = Path("simulated"),
    file_format: Annotated[FileFormat, typer.Option(
        "--format", "-f", help="Format of the tables (default csv); incidents are always "
                               "FollowTheMoney JSON lines.")] = FileFormat.csv,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="Hide the progress bar and the summary.")] = False,
) -> None:
    """Write a synthetic year of US-India trade with labelled diversion, for demos, tests and
    benchmarks.

    Indian, US and third-country pharmaceutical and chemical firms (each name spelt many
    ways, with addresses, IEC, GSTIN, EIN and DEA numbers) trade real controlled and
    uncontrolled chemicals and medicines on the real lanes, in their seasons, with repeat
    customers. About 2% of rows are planted diversion of ten typologies (front companies,
    orders far above history or need, split orders, transshipment detours, misdeclared goods,
    designer precursors, irregular payment, forwarders as consignees, renamed offenders),
    much of it by planted rings; 1.5% are legitimate rows that look suspicious.

    Files written in OUT: `history` (January-October, with analysts' `outcome` on part of
    it) and `new` (November-December) in the shipment contract's format; `labels` (the truth
    for every row: label, typology, ring, substance, parties); `incidents.ftm.jsonl`
    (seizures, stopped shipments and suspicious orders as FollowTheMoney entities); `parties`
    (which firm or person, and which ring, each incident entity is); `rings` (the members of
    each planted ring). See docs/simulate.md.

    Example:

    * `precursorwatch simulate --rows 20000 --seed 7 --out demo-output/simulated`
    """
    with progress_bar("Simulating", quiet=quiet) as update:
        result = simulate(rows, seed, progress=update)
        written = write_simulation(result, out, file_format.value)
    if quiet:
        return
    for path in written:
        err.print(f"Wrote {path}")
    labels = result.labels.column("label").to_pylist()
    diverted = sum(1 for v in labels if v == "diverted")
    err.print(f"{result.history.num_rows:,} history rows, {result.new.num_rows:,} new rows; "
              f"{diverted:,} diverted ({diverted / len(labels):.1%}); "
              f"{len(result.incidents):,} incident entities.")
    view = Table("typology", "rows", title="Planted rows by typology")
    for typology, count in result.typology_counts().items():
        view.add_row(typology, f"{count:,}")
    err.print(view)



@app.command("parties")
def parties_command(
    rows: Annotated[int, typer.Option(
        "--rows", "-n", min=1,
        help="Party records to write (default 20,000).")] = 20_000,
    seed: Annotated[int, typer.Option(
        "--seed", "-s", help="Random seed; the same seed and rows give the same file "
                             "(default 7).")] = 7,
    out: Annotated[Path, typer.Option(
        "--out", "-o", dir_okay=False,
        help="File to write: .csv, .jsonl or .parquet, by its extension; replaced if it "
             "exists (default ./parties.csv).")] = Path("parties.csv"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="Hide the summary.")] = False,
) -> None:
    """Write company and person records with ground truth, to score entity resolution.

    Indian and US firms and persons, each written several ways across filings: legal forms
    abbreviated or spelt out, trade words abbreviated, honorifics, word order swapped,
    typing errors, Indian names in Devanagari, phones in national and international
    formats, a GSTIN on one filing and the IEC inside it on another, EIN and DEA numbers.
    Traps are planted and tagged: entities that move, phones and registration numbers
    reused by an unrelated entity later, and new companies at a burned firm's address (the
    same actor renamed, or an unrelated tenant).

    Columns: `record_id`, `entity_id` (the truth), `kind` (company or person), `name`,
    `address`, `postcode`, `country`, `phone`, `registration_number`, `filed` (date),
    `hazards` (the traps a record belongs to, `trap=group/part`, `;`-joined). See
    docs/simulate.md.

    Example:

    * `precursorwatch simulate parties --rows 5000 --seed 7 --out demo-output/parties.csv`
    """
    format_of(out)
    table = party_records(rows, seed)
    write_table(table, out)
    if quiet:
        return
    entities = len(set(table.column("entity_id").to_pylist()))
    tags = [t.split("=")[0] for v in table.column("hazards").to_pylist() for t in v.split(";")
            if t]
    err.print(f"Wrote {out}: {table.num_rows:,} records of {entities:,} entities.")
    view = Table("trap", "records", title="Records in planted traps")
    for trap in TRAPS:
        view.add_row(trap, f"{tags.count(trap):,}")
    err.print(view)
