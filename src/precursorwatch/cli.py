"""The ``precursorwatch`` command: one group per job, errors turned into messages here.

Core code raises :mod:`precursorwatch.exceptions`; this module is the one place that turns
them into a message on stderr and an exit code, so that no user ever sees a traceback for
bad input.
"""

from __future__ import annotations

import sys

import typer

from precursorwatch import __version__
from precursorwatch.commands import (
    admin,
    audit,
    ingest,
    network,
    resolve,
    screen,
    serve,
    simulate,
    substances,
)
from precursorwatch.commands._console import (
    EXIT_CODES_HELP,
    EXIT_ERROR,
    EXIT_INPUT,
    EXIT_USAGE,
    err,
)
from precursorwatch.exceptions import InputError, PrecursorwatchError, UsageError
from precursorwatch.records.allocator import use_batch_allocator

__all__ = ["app", "main"]

app = typer.Typer(
    name="precursorwatch",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    help="Fight narcotics trafficking and precursor diversion across US and Indian agencies: "
    "know which substances are controlled where, recognise them in trade, and screen trade "
    "for diversion, and exchange notifications, incidents and cases between agencies.\n\n"
    + EXIT_CODES_HELP,
)
app.add_typer(substances.app, name="substances")
app.add_typer(screen.app, name="screen")
app.add_typer(resolve.app, name="resolve")
app.add_typer(network.app, name="network")
app.command("ingest")(ingest.ingest)
app.add_typer(simulate.app, name="simulate")
app.command("serve")(serve.serve)
app.add_typer(admin.app, name="admin")
app.add_typer(audit.app, name="audit")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"precursorwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """precursorwatch command line."""


def main() -> None:
    """Run the command line, turning our errors into a message and an exit code."""
    use_batch_allocator()
    try:
        app(prog_name="precursorwatch")
    except UsageError as error:
        err.print(f"[red]Usage error:[/red] {error}")
        sys.exit(EXIT_USAGE)
    except InputError as error:
        err.print("[red]Input rejected, nothing written:[/red]")
        err.print(str(error), markup=False)
        sys.exit(EXIT_INPUT)
    except PrecursorwatchError as error:
        err.print(f"[red]Error:[/red] {error}")
        sys.exit(EXIT_ERROR)
