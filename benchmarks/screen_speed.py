"""How fast screening runs on a year of national trade, end to end, as a user runs it.

What it measures: ``precursorwatch screen NEW --history HISTORY --model MODEL --out OUT``
as a separate process, from Parquet files to the Parquet output: reading and checking
every row, recognising substances, features over the history, flags, model and reasons.
Wall time (median of ``--repeat`` runs), rows per second and the process's peak memory.

Data: one simulation (seed 21) of ``--rows`` rows (default 6,000,000: January to October
is about 5 million history rows, November and December about 1 million new ones), written
once to Parquet under ``--work``; the model is trained with ``screen train`` on the history
of a 100,000-row simulation (training time is not part of the figure).

Run: ``.venv/bin/python benchmarks/screen_speed.py`` (the simulation takes a few minutes
the first time and about 10 GiB; later runs reuse it).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

SEED = 21


def _cli(*args: str) -> float:
    """Run one precursorwatch command; its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "precursorwatch", *args], check=True)
    return time.perf_counter() - start


# Runs the command in a child that writes its own peak resident memory (KiB) to a file
# when it exits, so the figure is the screening process's alone.
_MEASURED = (
    "import atexit, resource, sys\n"
    "report = sys.argv.pop(1)\n"
    "atexit.register(lambda: open(report, 'w').write(\n"
    "    str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
    "from precursorwatch.cli import main\n"
    "sys.argv[0] = 'precursorwatch'\n"
    "main()\n"
)


def _measured(report: Path, *args: str) -> tuple[float, float]:
    """Run one command; its wall time in seconds and peak memory in GiB."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _MEASURED, str(report), *args], check=True)
    seconds = time.perf_counter() - start
    return seconds, int(report.read_text()) / 2**20


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("benchmark-data/screen-speed"))
    parser.add_argument("--memory-limit", help="passed to `screen --memory-limit`")
    args = parser.parse_args(argv)
    data = args.work / f"sim-{args.rows}"
    if not (data / "new.parquet").exists():
        print(f"Simulating {args.rows:,} rows into {data} ...", flush=True)
        _cli("simulate", "--rows", str(args.rows), "--seed", str(SEED), "--format",
             "parquet", "--out", str(data), "--quiet")
    model = args.work / "model.json"
    if not model.exists():
        small = args.work / "sim-train"
        _cli("simulate", "--rows", "100000", "--seed", str(SEED + 1), "--format", "parquet",
             "--out", str(small), "--quiet")
        _cli("screen", "train", "--history", str(small / "history.parquet"), "--out",
             str(model), "--quiet")
    history_rows = pq.ParquetFile(data / "history.parquet").metadata.num_rows
    new_rows = pq.ParquetFile(data / "new.parquet").metadata.num_rows
    print(f"Screening {new_rows:,} new rows against {history_rows:,} history rows "
          f"(Parquet to Parquet, {args.repeat} runs)", flush=True)
    times, peaks = [], []
    for run in range(args.repeat):
        seconds, peak = _measured(
            args.work / "peak.txt", "screen", str(data / "new.parquet"), "--history",
            str(data / "history.parquet"), "--model", str(model), "--out",
            str(args.work / "screened.parquet"), "--quiet",
            *(("--memory-limit", args.memory_limit) if args.memory_limit else ()))
        times.append(seconds)
        peaks.append(peak)
        print(f"  run {run + 1}: {seconds:.1f} s, peak {peak:.2f} GiB", flush=True)
    median = statistics.median(times)
    print(f"median wall time      {median:.1f} s  (min {min(times):.1f}, max {max(times):.1f})")
    print(f"new rows per second   {new_rows / median:,.0f}")
    print(f"all rows per second   {(new_rows + history_rows) / median:,.0f}")
    print(f"peak memory           {statistics.median(peaks):.2f} GiB (median; max "
          f"{max(peaks):.2f})")


if __name__ == "__main__":
    main()
