"""Command groups whose main command may be left out: ``screen FILE`` is ``screen run FILE``."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup

__all__ = ["defaulting_to"]


def defaulting_to(command: str) -> type[TyperGroup]:
    """A group class that runs ``command`` when the first argument names no subcommand, so
    that the job a group is for needs no extra word and the others stay subcommands."""

    class _Defaulting(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
                args = [command, *args]
            return super().parse_args(ctx, args)

    return _Defaulting
