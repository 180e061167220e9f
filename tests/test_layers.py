"""Imports point one way: the core never imports the edges (commands, cli)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "precursorwatch"
# In the order of DESIGN.md (with ids/, the identifiers every layer shares, at the bottom):
# a folder may import only from folders listed before it.
LAYERS = ["ids", "records", "registry", "screening", "entities", "network", "exchange", "store",
          "api", "web", "simulate"]
EDGES = {"commands", "cli"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "precursorwatch" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_core_folders_import_only_earlier_layers() -> None:
    for index, layer in enumerate(LAYERS):
        folder = SRC / layer
        if not folder.exists():
            continue
        allowed = {*LAYERS[: index + 1], "exceptions", "settings"}
        for path in folder.rglob("*.py"):
            imported = _imports(path)
            assert not imported & EDGES, f"{path} imports an edge module"
            assert imported <= allowed, f"{path} imports {imported - allowed}"
