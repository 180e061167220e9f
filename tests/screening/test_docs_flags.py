"""docs/screening.md lists exactly the red flags of ``screening/flags.py``."""

from __future__ import annotations

import re

from precursorwatch.screening.flags import FLAGS
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "screening.md"
HEADER = "| flag | weight | what the reviewer reads | sources |"


def _documented_flags() -> list[str]:
    """The names in the first column of the page's red-flag table, in order."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    assert HEADER in lines, f"no red-flag table (header {HEADER!r}) in {PAGE}"
    names: list[str] = []
    for line in lines[lines.index(HEADER) + 2:]:
        if not line.startswith("|"):
            break
        found = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|", line)
        assert found, f"a row of the red-flag table does not start with a `flag_name`: {line}"
        names.append(found.group(1))
    return names


def test_every_flag_is_in_the_table_and_every_name_is_a_flag() -> None:
    documented = _documented_flags()
    names = [f.name for f in FLAGS]
    assert len(documented) == len(set(documented)), "a flag is listed twice"
    missing = sorted(set(names) - set(documented))
    unknown = sorted(set(documented) - set(names))
    assert not missing and not unknown, (
        f"docs/screening.md's red-flag table is stale: missing {missing}, not flags "
        f"{unknown}; list every flag of src/precursorwatch/screening/flags.py")
