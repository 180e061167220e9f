"""``precursorwatch substances``: the registry of controlled substances, for people and files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rapidfuzz import fuzz, process
from rich.table import Table

from precursorwatch.commands._console import EXIT_CODES_HELP, err, out, progress_bar
from precursorwatch.records import format_of, read_table, write_table
from precursorwatch.records.schema import country_codes
from precursorwatch.registry import (
    Consignment,
    Substance,
    check_table,
    default_identifier,
    identify_table,
    judge,
    load_registry,
    registry_table,
)

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="Look up controlled substances, recognise them in product descriptions, and say "
    "when a consignment is regulated.\n\n" + EXIT_CODES_HELP,
)

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Hide progress bars and messages.")]
Workers = Annotated[int, typer.Option(
    min=1, help="Processes that identify distinct products in parallel (default: one per "
                "CPU core). Only inputs with many distinct products use more than one.")]
_CORES = os.cpu_count() or 1


def _batch(
    file: Path,
    out_file: Path | None,
    label: str,
    counted: str,
    quiet: bool,
    work: Callable[[pa.Table, Callable[[int, int | None], None]], pa.Table],
) -> tuple[int, int]:
    """Read FILE, run ``work`` with a progress bar, write OUT; (rows where ``counted`` is
    set, all rows)."""
    if out_file is None:
        raise typer.BadParameter("--out is required with FILE", param_hint="--out")
    if str(out_file) != "-":
        format_of(out_file)  # refuse an unknown extension before doing the work
    table = read_table(file)
    with progress_bar(label, quiet=quiet) as update:
        result = work(table, update)
    write_table(result, out_file)
    return sum(1 for v in result.column(counted).to_pylist() if v), table.num_rows


@app.command("list")
def list_(
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the whole registry to this file (.csv, .jsonl, "
                     ".parquet). Default: print a summary table."),
    ] = None,
) -> None:
    """List every controlled substance with its controls in the UN, the US and India.

    Use it to review the registry or to load it into a spreadsheet. The file has one row per
    substance with the columns name, cas, hs_code, un_table, us_list, us_schedule,
    us_threshold, in_control, sources and more.

    Example:

    * `precursorwatch substances list --out registry.csv`
    """
    table = registry_table(load_registry())
    if out_file is not None:
        write_table(table, out_file)
        err.print(f"Wrote {table.num_rows} substances to {out_file}")
        return
    view = Table("name", "CAS", "HS", "UN", "US", "India", title="Controlled substances")
    for row in table.to_pylist():
        un = (row["un_table"] and f"Table {row['un_table']}") or row["un_drug_schedule"] or ""
        us = (row["us_list"] and f"List {row['us_list']}") or (
            row["us_schedule"] and f"Schedule {row['us_schedule']}") or ""
        view.add_row(row["name"], row["cas"], row["hs_code"] or "", un, us, row["in_control"] or "")
    out.print(view)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="A name, synonym, misspelling or CAS number.")],
    limit: Annotated[int, typer.Option(help="How many results to show (default 10).",
                                       min=1, max=100)] = 10,
) -> None:
    """Find substances by any of their names, even misspelt, or by CAS number.

    Example:

    * `precursorwatch substances search "pseudo efedrine"`
    """
    registry = load_registry()
    choices: dict[str, Substance] = {}
    for substance in registry.substances:
        for label in (substance.name, substance.cas, *substance.synonyms,
                      *(c for c, _ in substance.other_cas)):
            choices.setdefault(label, substance)
    found = process.extract(text, list(choices), scorer=fuzz.WRatio, limit=limit * 4)
    view = Table("score", "substance", "CAS", "matched", title=f"Search: {text}")
    shown: set[str] = set()
    for label, score, _ in found:
        substance = choices[label]
        if substance.name in shown:
            continue
        shown.add(substance.name)
        view.add_row(f"{score:.0f}", substance.name, substance.cas, label)
        if len(shown) == limit:
            break
    out.print(view)


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="A CAS number (parent or salt) or canonical name.")],
) -> None:
    """Show everything the registry says of one substance, with every legal source.

    Example:

    * `precursorwatch substances show 299-42-3`
    """
    registry = load_registry()
    found = registry.by_cas(key)
    substance = found[0] if found else registry.by_name(key)
    if substance is None:
        err.print(f"No controlled substance has the CAS number or name {key!r}; "
                  f"try: precursorwatch substances search {key!r}")
        raise typer.Exit(2)
    out.print(f"[bold]{substance.name}[/bold]  CAS {substance.cas}  HS {substance.hs_code or '-'}"
              f"  ({substance.kind})")
    if substance.synonyms:
        out.print("Also known as: " + ", ".join(substance.synonyms))
    for number, form in substance.other_cas:
        out.print(f"  CAS {number}: {form}")
    for listing in substance.listings:
        out.print(f"\n[bold]{listing.jurisdiction} {listing.category}[/bold]"
                  + ("" if listing.verified else "  [yellow](not fully verified)[/yellow]"))
        if listing.covers:
            out.print("  Covers: " + ", ".join(listing.covers))
        for name, value in listing.details:
            out.print(f"  {name}: {value}")
        for citation in listing.citations:
            out.print(f"  Source: {citation.text}")
        if listing.note:
            out.print(f"  Note: {listing.note}")


@app.command()
def identify(
    file: Annotated[
        Path | None,
        typer.Argument(help="A CSV, JSON Lines or Parquet file with a product_description "
                       "column (cas_number and hs_code are used when present)."),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write the rows back with substances, "
                     "confidence and evidence columns (.csv, .jsonl, .parquet; '-' for CSV on "
                     "standard output). Required with FILE."),
    ] = None,
    text: Annotated[str | None, typer.Option(help="Identify one description instead of a "
                                                  "file.")] = None,
    cas: Annotated[str | None, typer.Option(help="The declared CAS number (with --text).")] = None,
    hs: Annotated[str | None, typer.Option(help="The declared HS code (with --text).")] = None,
    workers: Workers = _CORES,
    quiet: Quiet = False,
) -> None:
    """Recognise controlled substances in product descriptions, even misdeclared ones.

    Reads the description, the CAS number and the HS code and reports each substance with
    a confidence and the evidence: a CAS match, a synonym, a misspelling, a salt form, an HS
    code hint, or a conflict between them. A CAS number whose check digit fails is reported
    and ignored.

    Examples:

    * `precursorwatch substances identify --text "Pseudo-ephedrine HCl USP" --cas 345-78-8`
    * `precursorwatch substances identify examples/declarations.csv --out identified.csv`
    """
    identifier = default_identifier()
    if file is None:
        if text is None:
            raise typer.BadParameter("give a FILE or --text", param_hint="FILE")
        result = identifier.identify(text, cas, hs)
        if not result.reported:
            out.print("No controlled substance recognised.")
        for match in result.matches:
            out.print(f"[bold]{match.substance.name}[/bold] (CAS {match.substance.cas}) "
                      f"confidence {match.confidence:.2f}")
            for evidence in match.evidence:
                out.print(f"  {evidence.kind}: {evidence.text}")
        for remark in result.remarks:
            out.print(f"{remark.kind}: {remark.text}")
        return
    found, total = _batch(file, out_file, "Identifying", "substances", quiet,
                          lambda table, update: identify_table(
                              table, identifier, file=str(file), progress=update,
                              workers=workers))
    if not quiet:
        err.print(f"Identified controlled substances in {found} of {total} rows; "
                  f"wrote {out_file}")


@app.command()
def check(
    file: Annotated[
        Path | None,
        typer.Argument(help="Shipment rows (contract format: product_description, quantity, "
                       "unit, export_country, import_country, optional cas_number, hs_code, "
                       "concentration_pct)."),
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write the rows back with regulated, "
                     "us_regulated, in_authorisation, pen_expected and rules columns."),
    ] = None,
    text: Annotated[str | None, typer.Option(help="One product description instead of a "
                                                  "file.")] = None,
    cas: Annotated[str | None, typer.Option(help="Declared CAS number (with --text).")] = None,
    hs: Annotated[str | None, typer.Option(help="Declared HS code (with --text).")] = None,
    quantity: Annotated[float | None, typer.Option(help="Quantity, in --unit.", min=0)] = None,
    unit: Annotated[str | None, typer.Option(help="kg, g, t, L, mL or units.")] = None,
    concentration: Annotated[float | None, typer.Option(
        help="Share of the controlled substance in a mixture, percent (0-100).",
        min=0, max=100)] = None,
    export_country: Annotated[str, typer.Option("--from", help="Exporting country, ISO "
                                                "alpha-2 (default IN).")] = "IN",
    import_country: Annotated[str, typer.Option("--to", help="Importing country, ISO alpha-2 "
                                                "(default US).")] = "US",
    workers: Workers = _CORES,
    quiet: Quiet = False,
) -> None:
    """Say whether a consignment is regulated, needs authorisation or a pre-export notice.

    Weighs the US rules (List I/II thresholds of 21 CFR 1310.04, mixtures under 1310.12,
    permits for scheduled drugs), India's (export and import no-objection certificates under
    the RCS Order 2013, NDPS authorisations) and the 1988 Convention's pre-export
    notification, and prints each rule that applies as a sentence citing its source.

    Examples:

    * `precursorwatch substances check --text "Pseudoephedrine HCl" --quantity 500 --unit kg`
    * `precursorwatch substances check --text "Acetone" --quantity 100 --unit L --from US --to MX`
    * `precursorwatch substances check examples/declarations.csv --out checked.csv`
    """
    identifier = default_identifier()
    if file is None:
        if text is None:
            raise typer.BadParameter("give a FILE or --text", param_hint="FILE")
        for option, code in (("--from", export_country), ("--to", import_country)):
            if code.upper() not in country_codes():
                raise typer.BadParameter(f"{code!r} is not an ISO 3166-1 alpha-2 country code",
                                         param_hint=option)
        result = identifier.identify(text, cas, hs)
        row = Consignment(export_country.upper(), import_country.upper(), quantity, unit,
                          concentration)
        verdict = judge((m.substance for m in result.reported), row)
        if not result.reported:
            out.print("No controlled substance recognised: not a regulated transaction.")
            return
        out.print(f"Substances: {', '.join(result.names)}")
        out.print(f"Regulated transaction: {'yes' if verdict.regulated else 'no'}  "
                  f"(US: {'yes' if verdict.us_regulated else 'no'}, India authorisation: "
                  f"{'yes' if verdict.in_authorisation else 'no'}, pre-export notification "
                  f"expected: {'yes' if verdict.pen_expected else 'no'})")
        for rule in verdict.results:
            out.print(f"  {'applies' if rule.applies else 'does not apply'}: {rule.sentence}")
        return
    regulated, total = _batch(file, out_file, "Checking", "regulated", quiet,
                              lambda table, update: check_table(
                                  table, identifier, file=str(file), progress=update,
                                  workers=workers))
    if not quiet:
        err.print(f"{regulated} of {total} rows are regulated transactions; wrote {out_file}")

