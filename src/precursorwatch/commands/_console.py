"""What every command shares: the stderr console, progress bars and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = [
    "EXIT_CHECK",
    "EXIT_CODES_HELP",
    "EXIT_ERROR",
    "EXIT_INPUT",
    "EXIT_USAGE",
    "err",
    "out",
    "progress_bar",
]

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_CHECK = 4
EXIT_CODES_HELP = (
    "Exit codes: 0 success, 1 unexpected error, 2 usage error, "
    "3 input rejected (bad rows listed, nothing written), 4 a check failed."
)

#: Messages and progress: never mixed into results, which go to a file or standard output.
err = Console(stderr=True, highlight=False, soft_wrap=True)
#: Human-readable results on standard output.
out = Console(highlight=False)


@contextmanager
def progress_bar(label: str, *, quiet: bool) -> Iterator[Callable[[int, int | None], None]]:
    """A callback ``update(done, total)`` that drives a bar on stderr (total None: unknown).

    The bar is hidden with ``--quiet`` and when stderr is not a terminal, so logs and pipes
    stay clean.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update
