"""Print the command reference (docs/cli.md) from the commands' own ``--help``.

Run by ``make docs``; a test fails when docs/cli.md differs from what this prints, so the
reference can never drift from the code.
"""

from __future__ import annotations

import os
from typing import Any

import typer
from typer.testing import CliRunner

from precursorwatch.cli import app


def _commands(group: Any, path: list[str]) -> list[list[str]]:
    """Every command path under a group, the group first, in the order --help lists them."""
    found = [path]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found.extend(_commands(command, [*path, name]))
        else:
            found.append([*path, name])
    return found


def reference() -> str:
    """The whole reference as Markdown."""
    os.environ["COLUMNS"] = "100"
    os.environ["NO_COLOR"] = "1"
    os.environ["TERM"] = "dumb"
    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = ["# Command reference", "",
             "Generated from `--help` by `make docs`; do not edit by hand.", ""]
    for path in _commands(root, []):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"})
        title = " ".join(["precursorwatch", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts += [f"## {title}", "", "```text", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference())
