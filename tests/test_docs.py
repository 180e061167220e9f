"""Documentation that must match the code."""

from __future__ import annotations

import runpy

from tests.conftest import ROOT


def test_cli_reference_is_up_to_date() -> None:
    module = runpy.run_path(str(ROOT / "scripts" / "cli_reference.py"))
    expected = module["reference"]() + "\n"
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, (
        "docs/cli.md is stale: run `make docs`")


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:10]
    assert any("make demo" in line for line in head)
    assert any("make test" in line for line in head)
