"""The demo behind ``make demo``: runs the real commands on the sample data and says what
they found and where the results are. It grows with every capability of the system."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pyarrow.csv as pa_csv
from rich.console import Console
from rich.table import Table

console = Console()
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "declarations.csv"


def run(*args: str) -> None:
    """Run one precursorwatch command as a user would, showing it first."""
    console.print(f"\n[bold cyan]$ precursorwatch {shlex.join(args)}[/bold cyan]")
    subprocess.run([sys.executable, "-m", "precursorwatch", *args], check=True)


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    console.rule("precursorwatch demo")
    console.print("Sample data: twelve customs declarations between India, the US and third "
                  f"countries, in the shipment contract format ({SAMPLE.relative_to(ROOT)}).")
    run("substances", "list", "--out", str(out / "registry.csv"))
    run("substances", "show", "90-82-4")
    run("substances", "identify", "--text", "Pseudo-Ephedrine HCl USP 25 kg", "--cas", "345-78-8")
    run("substances", "identify", "--text", "एफेड्रिन हाइड्रोक्लोराइड 25 किग्रा")
    run("substances", "identify", str(SAMPLE), "--out", str(out / "identified.csv"))
    run("substances", "check", str(SAMPLE), "--out", str(out / "checked.csv"))

    checked = pa_csv.read_csv(out / "checked.csv").to_pylist()
    view = Table("shipment", "description", "substances", "regulated", "first rule",
                 title="What the sample declarations contain", show_lines=True)
    for row in checked:
        rules = (row["rules"] or "").split("; ")
        view.add_row(row["shipment_id"], row["product_description"], row["substances"] or "-",
                     "yes" if row["regulated"] else "no", rules[0] if rules[0] else "-")
    console.print(view)
    found = sum(1 for row in checked if row["substances"])
    regulated = sum(1 for row in checked if row["regulated"])
    console.print(f"\nFound controlled substances in {found} of {len(checked)} declarations; "
                  f"{regulated} are regulated transactions.")
    console.print("Results:")
    for name, what in (("registry.csv", "the whole registry with legal sources"),
                       ("identified.csv", "each declaration with substances and evidence"),
                       ("checked.csv", "each declaration with the rules that apply")):
        console.print(f"  {out / name}: {what}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo-output")
