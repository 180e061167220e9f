"""How fast one consignment is scored through the Python API, as the server will do it.

What it measures: :class:`precursorwatch.screening.online.Screener` built once from a
history (time and the process's peak memory), then ``score`` called on ``--rows`` new
consignments one at a time: recognised, compared with the history, scored and explained.
Twice: given as checked contract rows (as the store holds them), and given as mappings of
contract fields to text (as a request body arrives), which ``score`` checks first. Prints
the latency percentiles (p50, p95, p99, max) in milliseconds.

Data: the simulation ``benchmarks/screen_speed.py`` writes (``--work``, seed 21, ``--sim``
rows; it must exist: run that script first with the same ``--rows``) and its model.

Run: ``.venv/bin/python benchmarks/screen_single.py --sim 1200000``
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

from precursorwatch.records.readers import read_contract_files
from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.online import Screener
from precursorwatch.screening.run import SavedModel


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("benchmark-data/screen-speed"))
    parser.add_argument("--sim", type=int, default=1_200_000,
                        help="size of the simulation to read (default 1,200,000)")
    parser.add_argument("--rows", type=int, default=2000,
                        help="consignments to score one by one (default 2,000)")
    args = parser.parse_args(argv)
    folder = args.work / f"sim-{args.sim}"
    history = read_contract_files([folder / "history.parquet"])
    new = read_contract_files([folder / "new.parquet"])
    saved = SavedModel.from_json((args.work / "model.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    screener = Screener.from_history(history, saved, default_identifier(), load_registry(),
                                     designer=default_designer_check())
    built = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    picked = random.Random(7).sample(range(new.num_rows), min(args.rows, new.num_rows))
    checked = [new.slice(i, 1) for i in picked]
    records = [{k: None if v is None else str(v) for k, v in row.items()}
               for row in new.take(picked).to_pylist()]
    for record in records[:20]:  # first calls load caches; a server warms up once
        screener.score(record)
    print(f"history rows: {history.num_rows:,}; state built in {built:.1f} s; "
          f"peak memory {peak:.2f} GiB")
    for what, inputs in (("checked rows (one-row tables)", checked),
                         ("text mappings, checked on the way", records)):
        times, flagged = [], 0
        for one in inputs:
            start = time.perf_counter()
            scored = screener.score(one)
            times.append((time.perf_counter() - start) * 1000)
            flagged += int(scored.table.column("flagged")[0].as_py())
        print(f"{what}: {len(times):,} scored one by one ({flagged} flagged): "
              f"p50 {statistics.median(times):.1f} ms, p95 {_percentile(times, 0.95):.1f} ms, "
              f"p99 {_percentile(times, 0.99):.1f} ms, max {max(times):.1f} ms")

if __name__ == "__main__":
    main()
