"""Where the time of one screening run goes, stage by stage.

What it measures: the steps of ``precursorwatch screen NEW --history HISTORY --model MODEL
--out OUT.parquet`` run one after the other in this process, as the command runs them:
reading and checking the new rows, reading and checking the history (kept lean, as with a
model), putting them together, the facts per distinct value, the features in the engine,
scoring with reasons, and writing. Each line gives the stage's wall time and the process's
peak memory so far. ``screen_speed.py`` gives the figure a user sees; this one says which
stage to work on next.

Data: what ``screen_speed.py`` made under ``--work`` (run it first).

Run: ``.venv/bin/python benchmarks/screen_stages.py [--memory-limit 3GB]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from precursorwatch.records import write_table
from precursorwatch.records.allocator import use_batch_allocator
from precursorwatch.records.readers import read_contract_files
from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening import engines
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.facts import HISTORY_COLUMNS, gather_facts, screening_rows
from precursorwatch.screening.pipeline import features_of
from precursorwatch.screening.run import SavedModel, score_rows

T = TypeVar("T")


def _stage(name: str, work: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = work()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"  {name:<32} {time.perf_counter() - start:7.1f} s   peak {peak:5.2f} GiB",
          flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=6_000_000)
    parser.add_argument("--work", type=Path, default=Path("benchmark-data/screen-speed"))
    parser.add_argument("--memory-limit", help="DuckDB's memory cap (default: the command's)")
    parser.add_argument("--out", type=Path, default=Path("benchmark-data/screen-speed/"
                                                         "stages.parquet"))
    args = parser.parse_args(argv)
    data = args.work / f"sim-{args.rows}"
    if not (data / "new.parquet").exists() or not (args.work / "model.json").exists():
        parser.error(f"no data in {data}: run benchmarks/screen_speed.py --rows {args.rows}")
    use_batch_allocator()  # as the command does
    saved = SavedModel.from_json((args.work / "model.json").read_text(encoding="utf-8"))
    print(f"Stages of screening {data / 'new.parquet'} against {data / 'history.parquet'}")
    begin = time.perf_counter()
    new = _stage("read and check new rows", lambda: read_contract_files(
        [data / "new.parquet"]))
    history = _stage("read and check history", lambda: read_contract_files(
        [data / "history.parquet"], columns=HISTORY_COLUMNS))
    rows = _stage("history and new as one table", lambda: screening_rows(history, new))
    facts = _stage("facts per distinct value", lambda: gather_facts(
        rows, default_identifier(), load_registry(), default_designer_check(),
        new_only=True))
    with tempfile.TemporaryDirectory(prefix="precursorwatch-spill-") as spill:
        backend = engines.connect(memory_limit=args.memory_limit, spill=spill)
        try:
            features = _stage("features in the engine", lambda: features_of(
                backend, rows, facts, new_only=True))
        finally:
            engines.stop(backend)
    scored = _stage("scores and reasons", lambda: score_rows(features, saved))
    _stage("write the output", lambda: write_table(scored.table, args.out))
    print(f"  {'all stages':<32} {time.perf_counter() - begin:7.1f} s")


if __name__ == "__main__":
    main()
