"""Entity resolution on trade parties: precursorwatch and Splink on the same records.

What is measured: the parties named in a simulated year of trade (exporters and importers:
name, address, registration number, country), one record per distinct way a party was
written, deduplicated by each tool unsupervised, each in its own process, at its own
default decision (match probability 0.5). Printed per tool: pairwise precision, recall and
F1 against the simulator's truth (which party each record is), wall time (training
included) and peak memory; then the ratios precursorwatch/Splink. And the same figures for
the records of the planted rings' firms alone, with each renamed offender (a burned front's
successor: new name and numbers, the old address) counted as the same bad actor as its
predecessor: how often the tools tie a reappearing actor to its earlier self.

The records are what the two nations' filings look like: legal forms written four ways
("Pvt. Ltd.", "Private Limited", "P Ltd", "LLP"/"L.L.P."), names mistyped, addresses
abbreviated or upper-cased or missing, a firm's GSTIN on one filing and its IEC (the PAN
inside the GSTIN) on another, or no number at all.

precursorwatch: ``resolve_table`` with its defaults (columns ``party_name`` as a firm's
name, ``address``, ``registration_number``, ``country``).

Splink 5 (DuckDB), set up as a careful user would without our domain knowledge: Jaro-Winkler
on the name (0.92, 0.8, with term frequencies) and the address (0.9, 0.7), exact
registration number and country; blocking on the registration number, the name, and the
name's first five letters with the country; prior from the registration number (recall
0.7), u from 1e6 random pairs, EM blocked on the registration number and on the name's
first five letters.

Install: ``.venv/bin/pip install -e '.[bench]'``. Run: ``.venv/bin/python
benchmarks/er_parties.py`` (``--rows`` of simulated trade, default 100,000; ``--seed``).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ID = "record_id"
TOOLS = ("precursorwatch", "splink")


def party_records(rows: int, seed: int) -> pa.Table:
    """One record per distinct (party, name, address, number, country) of a simulation,
    with the party it is (``party``, the truth)."""
    from precursorwatch.simulate import simulate

    made = simulate(rows, seed)
    truth = {r["shipment_id"]: r for r in made.labels.to_pylist()}
    # Ring firms, and for a renamed offender its predecessor: the same bad actor.
    actor = {r["member_id"]: r["member_id"] for r in made.rings.to_pylist()}
    for r in made.rings.to_pylist():
        if r["role"].startswith("successor of "):
            actor[r["member_id"]] = r["role"].removeprefix("successor of ")
    seen: dict[tuple[str, ...], None] = {}
    for table in (made.history, made.new):
        for row in table.to_pylist():
            label = truth.get(row["shipment_id"])
            if label is None:
                continue
            for role, country in (("exporter", "export_country"),
                                  ("importer", "import_country")):
                seen.setdefault((label[f"{role}_party"], row[f"{role}_name"] or "",
                                 row[f"{role}_address"] or "", row[f"{role}_id"] or "",
                                 row[country] or ""))
    keys = list(seen)
    return pa.table({
        ID: [f"p{i}" for i in range(len(keys))],
        "party_name": [k[1] for k in keys], "address": [k[2] or None for k in keys],
        "registration_number": [k[3] or None for k in keys],
        "country": [k[4] for k in keys], "party": [k[0] for k in keys],
        "actor": [actor.get(k[0]) for k in keys]})


def _precursorwatch(table: pa.Table) -> pa.Table:
    from precursorwatch.entities.records import resolve_table

    return resolve_table(table, id_column=ID).pairs.select(["id_l", "id_r"])


def _splink(table: pa.Table) -> pa.Table:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        unique_id_column_name=ID, link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("registration_number"), block_on("party_name"),
            block_on("substr(party_name, 1, 5)", "country")],
        comparisons=[
            cl.JaroWinklerAtThresholds("party_name", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
            cl.ExactMatch("registration_number"),
            cl.ExactMatch("country"),
        ])
    linker = Linker(DuckDBAPI().register(table), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("registration_number")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in (block_on("registration_number"), block_on("substr(party_name, 1, 5)")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairs = linker.inference.predict(threshold_match_probability=0.5
                                     ).as_duckdbpyrelation().arrow()
    if isinstance(pairs, pa.RecordBatchReader):
        pairs = pairs.read_all()
    return pa.table({"id_l": pairs[f"{ID}_l"], "id_r": pairs[f"{ID}_r"]})


def _child(tool: str, data: Path, out: Path) -> None:
    table = pq.read_table(data).drop_columns(["party", "actor"])
    start = time.perf_counter()
    pairs = _precursorwatch(table) if tool == "precursorwatch" else _splink(table)
    seconds = time.perf_counter() - start
    pq.write_table(pairs, out / "pairs.parquet")
    (out / "report.json").write_text(json.dumps({
        "seconds": seconds, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def _score(pairs: pa.Table, party: dict[str, str]) -> tuple[float, float, float]:
    found = {tuple(sorted(p)) for p in zip(pairs.column("id_l").to_pylist(),
                                           pairs.column("id_r").to_pylist(), strict=True)}
    true = sum(n * (n - 1) // 2 for n in Counter(party.values()).values())
    hits = sum(party[a] == party[b] for a, b in found)
    precision, recall = hits / max(len(found), 1), hits / max(true, 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def _within(pairs: pa.Table, records: dict[str, str]) -> pa.Table:
    """The pairs whose two records are both in ``records``."""
    keep = [a in records and b in records for a, b in zip(
        pairs.column("id_l").to_pylist(), pairs.column("id_r").to_pylist(), strict=True)]
    return pairs.filter(pa.array(keep, pa.bool_()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--tool", choices=(*TOOLS, "both"), default="both")
    parser.add_argument("--work", type=Path, default=Path("benchmark-data/er-parties"))
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = args.work / f"parties-{args.rows}-{args.seed}.parquet"
    if args.child:
        _child(args.child, data, args.out)
        return
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(party_records(args.rows, args.seed), data)
    truth = pq.read_table(data, columns=[ID, "party", "actor"])
    party = dict(zip(truth.column(ID).to_pylist(), truth.column("party").to_pylist(),
                     strict=True))
    actor = {i: a for i, a in zip(truth.column(ID).to_pylist(),
                                  truth.column("actor").to_pylist(), strict=True) if a}
    parties = len(set(party.values()))
    print(f"{truth.num_rows:,} party records of {parties:,} parties "
          f"(simulation of {args.rows:,} rows, seed {args.seed})")
    results = {}
    for tool in TOOLS if args.tool == "both" else (args.tool,):
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder)
            subprocess.run([sys.executable, __file__, "--child", tool, "--out", str(out),
                            "--rows", str(args.rows), "--seed", str(args.seed),
                            "--work", str(args.work)], check=True)
            report = json.loads((out / "report.json").read_text())
            pairs = pq.read_table(out / "pairs.parquet")
            precision, recall, f1 = _score(pairs, party)
            bad = _score(_within(pairs, actor), actor)
        results[tool] = (report["seconds"], report["peak_kib"] / 2**20, f1)
        print(f"{tool:15} P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}  "
              f"{report['seconds']:6.1f} s  peak {report['peak_kib'] / 2**20:.2f} GiB",
              flush=True)
        print(f"{'':15} ring firms, a renamed offender counted as its predecessor: "
              f"P {bad[0]:.4f}  R {bad[1]:.4f}  F1 {bad[2]:.4f}", flush=True)
    if len(results) == 2:
        ours, theirs = results["precursorwatch"], results["splink"]
        print(f"precursorwatch/Splink: time {ours[0] / theirs[0]:.2f}x, memory "
              f"{ours[1] / theirs[1]:.2f}x, F1 difference {ours[2] - theirs[2]:+.4f}")


if __name__ == "__main__":
    main()
