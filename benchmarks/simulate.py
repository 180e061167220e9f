"""Simulator throughput: rows per second of ``precursorwatch simulate``.

What is measured: :func:`precursorwatch.simulate.simulate` making a year of trade in memory
(firms, trade lines, planted typologies and hard negatives, vectorised ordinary trade, output
tables, FollowTheMoney incidents) - the "core" figure, median of ``--repeat`` runs - and, once,
the same run followed by writing every file as the command does (CSV by default) - the
"end to end" figure.

Data: the simulator's own, seed 7; 1,000,000 rows by default.

Run: ``.venv/bin/python benchmarks/simulate.py [--rows N] [--repeat R] [--format csv]``.
Prints rows/s, seconds and peak resident memory; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from precursorwatch.commands.simulate import write_simulation
from precursorwatch.simulate import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="core runs (default 3)")
    parser.add_argument("--seed", type=int, default=7, help="seed (default 7)")
    parser.add_argument("--format", default="csv", choices=("csv", "jsonl", "parquet"),
                        help="file format of the end-to-end run (default csv)")
    args = parser.parse_args()

    core = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = simulate(args.rows, args.seed)
        core.append(time.perf_counter() - start)
        del result
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        write_simulation(simulate(args.rows, args.seed), Path(tmp), args.format)
        end_to_end = time.perf_counter() - start
    seconds = statistics.median(core)
    print(f"{'figure':<24} {'rows':>10} {'seconds':>8} {'rows/s':>10}")
    print(f"{'core (median of ' + str(args.repeat) + ')':<24} {args.rows:>10,} {seconds:>8.2f} "
          f"{args.rows / seconds:>10,.0f}")
    print(f"{'end to end (' + args.format + ')':<24} {args.rows:>10,} {end_to_end:>8.2f} "
          f"{args.rows / end_to_end:>10,.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
