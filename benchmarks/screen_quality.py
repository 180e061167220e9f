"""How well screening finds diversion: train on history, score a later period.

What it measures: PR-AUC, recall at 1% false-positive rate, precision at 100, alerts per
1,000 legitimate rows and recall at the default threshold, and recall per typology, on the
``new`` period after training on ``history``; then, for each typology, a leave-one-out run
where that typology's labels are removed from the history (its rows stay, unreviewed), so
that the scored period holds a scheme the model was never told about.

Data: the project's simulator (``--seeds``, ``--rows``), or any directory with
``history``, ``new`` and ``labels`` files in contract format (``--data DIR``; labels need
``shipment_id``, ``source``, ``label`` and, for the per-typology figures, ``typology``).

Run: ``.venv/bin/python benchmarks/screen_quality.py`` (3 seeds of 100,000 rows, with the
leave-one-typology-out runs: about 15 minutes on 2 cores); ``--no-loto`` for the first
part only. Figures are printed per seed, then as median [min-max] over seeds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.records import read_table, write_table
from precursorwatch.records.readers import read_contract_files
from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening import engines
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.metrics import Quality, quality
from precursorwatch.screening.pipeline import feature_table, split_of
from precursorwatch.screening.run import score_rows, train_model, truth_vector
from precursorwatch.screening.scores import DEFAULT_THRESHOLD
from precursorwatch.simulate import simulate

FIGURES = ("pr_auc", "recall_at_1pct_fpr", "precision_at_100", "alerts_per_1000_legitimate",
           "recall_at_threshold", "precision_at_threshold")


def _find(folder: Path, name: str) -> Path:
    for suffix in (".parquet", ".csv", ".jsonl"):
        if (folder / f"{name}{suffix}").exists():
            return folder / f"{name}{suffix}"
    raise SystemExit(f"{folder}: no {name}.parquet, {name}.csv or {name}.jsonl")


def _dataset(folder: Path) -> tuple[pa.Table, pa.Table, pa.Table]:
    """History and new as validated rows, and the labels, from contract files."""
    return (read_contract_files([_find(folder, "history")]),
            read_contract_files([_find(folder, "new")]), read_table(_find(folder, "labels")))


def _simulated(rows: int, seed: int) -> tuple[pa.Table, pa.Table, pa.Table]:
    """A simulation, written and read back through the contract readers as users would."""
    made = simulate(rows, seed)
    with tempfile.TemporaryDirectory() as folder:
        for name, table in (("history", made.history), ("new", made.new),
                            ("labels", made.labels)):
            write_table(table, Path(folder) / f"{name}.parquet")
        return _dataset(Path(folder))


def _without_labels(history: pa.Table, labels: pa.Table, typology: str) -> pa.Table:
    """History with the outcome of ``typology``'s rows removed."""
    chosen = labels.filter(pc.equal(labels.column("typology"), typology))
    keys = pc.binary_join_element_wise(chosen.column("source"), chosen.column("shipment_id"),
                                       "\x1f")
    mine = pc.is_in(pc.binary_join_element_wise(history.column("source"),
                                                history.column("shipment_id"), "\x1f"),
                    value_set=keys)
    outcome = pc.if_else(mine, pa.scalar(None, pa.string()), history.column("outcome"))
    return history.set_column(history.column_names.index("outcome"), "outcome", outcome)


def _run(history: pa.Table, new: pa.Table, labels: pa.Table) -> Quality:
    backend = engines.connect()
    try:
        features = feature_table(backend, history, new, default_identifier(),
                                 load_registry(), designer=default_designer_check())
    finally:
        engines.stop(backend)
    saved = train_model(split_of(features, "history"), trained_at=datetime.now(UTC))
    scored = score_rows(split_of(features, "new"), saved).table
    truth = scored.join(labels, ["shipment_id", "source"], join_type="left outer")
    groups = (truth.column("typology").fill_null("").to_pylist()
              if "typology" in truth.column_names else None)
    return quality(truth_vector(truth.column("label")), truth.column("score").to_numpy(),
                   DEFAULT_THRESHOLD, groups)


def _spread(values: Iterable[float]) -> str:
    found = [v for v in values if v == v]
    if not found:
        return "-"
    return f"{statistics.median(found):.3f} [{min(found):.3f}-{max(found):.3f}]"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--data", type=Path, action="append",
                        help="a directory of history/new/labels files (repeatable); "
                             "replaces the simulator")
    parser.add_argument("--no-loto", action="store_true",
                        help="skip the leave-one-typology-out runs")
    parser.add_argument("--typologies", nargs="+",
                        help="leave out only these typologies (default: each in turn)")
    args = parser.parse_args(argv)
    sources = ([(str(d), lambda d=d: _dataset(d)) for d in args.data] if args.data else
               [(f"simulator seed {s}, {args.rows:,} rows",
                 lambda s=s: _simulated(args.rows, s)) for s in args.seeds])
    overall: dict[str, list[float]] = {f: [] for f in FIGURES}
    typology: dict[str, list[float]] = {}
    held_out: dict[str, list[float]] = {}
    for name, load in sources:
        start = time.perf_counter()
        history, new, labels = load()
        found = _run(history, new, labels)
        print(f"\n== {name}: {found.rows:,} scored rows, {found.diverted:,} diverted "
              f"({time.perf_counter() - start:.0f} s)")
        for figure in FIGURES:
            overall[figure].append(getattr(found, figure))
            print(f"  {figure:28s} {getattr(found, figure):.3f}")
        for group, value in found.recall_by_group.items():
            typology.setdefault(group, []).append(value)
            print(f"  recall {group:21s} {value:.3f}")
        if args.no_loto or "typology" not in labels.column_names:
            continue
        kinds = args.typologies or sorted({t for t in labels.column("typology").to_pylist()
                                           if t and t != "hard_negative"})
        for kind in kinds:
            alone = _run(_without_labels(history, labels, kind), new, labels)
            value = alone.recall_by_group.get(kind, float("nan"))
            held_out.setdefault(kind, []).append(value)
            print(f"  left out {kind:19s} recall {value:.3f}  (PR-AUC {alone.pr_auc:.3f}, "
                  f"alerts/1000 {alone.alerts_per_1000_legitimate:.1f})")
        sys.stdout.flush()
    print(f"\n== median [min-max] over {len(sources)} run(s), threshold {DEFAULT_THRESHOLD}")
    for figure, values in overall.items():
        print(f"  {figure:28s} {_spread(values)}")
    for group, values in sorted(typology.items()):
        print(f"  recall {group:21s} {_spread(values)}")
    for kind, values in sorted(held_out.items()):
        print(f"  left out {kind:19s} {_spread(values)}")
    if held_out:
        worst = min(min(v) for v in held_out.values())
        print(f"  worst leave-one-typology-out recall: {worst:.3f}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
