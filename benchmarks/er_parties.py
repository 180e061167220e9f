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

``--source generator``: the records of :func:`precursorwatch.simulate.parties.party_records`
(``--records``, default 20,000), filings of Indian and US companies and persons with their
truth (``entity_id``) and planted traps: entities that move, phones and registration
numbers reused by unrelated entities, new companies at burned firms' addresses (renamed
successors, the same actor; unrelated tenants, not), names in Devanagari. Columns given to
both tools: name, address, postcode, country, phone, registration number. precursorwatch:
``resolve_table`` with the kinds set from the columns (name a company's, since most
filers are firms; the rest guessed: address, postcode, country, phone, identifier) and its
default blocking for them. Splink: values cleaned as a careful user would (names and
addresses lower-cased with single spaces, phone, number and postcode letters and digits
only), Jaro-Winkler on the name (0.92, 0.8, term frequencies) and the address (0.9, 0.7),
exact phone, registration number, postcode and country; blocking on the number, the phone,
the name, the name's first five letters with the country, and the postcode with the
address's first five letters; prior from the number (recall 0.7), u from 1e6 random
pairs, EM blocked on the number, the phone and the name's first five letters. Printed
besides the overall figures, per trap: recall on the pairs it must link (across a move, a
successor and its predecessor, Devanagari and Latin writings) and the share linked of the
pairs it must not (a recycled phone or number, a tenant and the burned firm).

Install: ``.venv/bin/pip install -e '.[bench]'``. Run: ``.venv/bin/python
benchmarks/er_parties.py`` (``--source simulator|generator|both``, default both; ``--rows``
of simulated trade, default 100,000; ``--records`` of generated filings, default 20,000;
``--seed``).
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
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ID = "record_id"
TOOLS = ("precursorwatch", "splink")
SOURCES = ("simulator", "generator")
#: Columns of the generator's records that both tools see.
COMPARED = ("name", "address", "postcode", "country", "phone", "registration_number")


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


def _precursorwatch_generated(table: pa.Table) -> pa.Table:
    from precursorwatch.entities.records import resolve_table

    kinds = {"name": "company", "address": "address", "postcode": "postcode",
             "country": "country", "phone": "phone", "registration_number": "identifier"}
    return resolve_table(table, id_column=ID, overrides={"columns": kinds}
                         ).pairs.select(["id_l", "id_r"])


def _cleaned_for_splink(table: pa.Table) -> pa.Table:
    """What a careful user does before any linkage: one case and spacing for text, only
    letters and digits in codes."""
    import pyarrow.compute as pc

    def text(column: str) -> pa.Array:
        value = pc.utf8_lower(table.column(column))
        value = pc.utf8_trim_whitespace(pc.replace_substring_regex(value, r"\s+", " "))
        return pc.if_else(pc.equal(value, ""), None, value)

    def code(column: str) -> pa.Array:
        value = pc.replace_substring_regex(pc.utf8_upper(table.column(column)),
                                           r"[^0-9A-Z]+", "")
        return pc.if_else(pc.equal(value, ""), None, value)

    return pa.table({ID: table.column(ID), "name": text("name"), "address": text("address"),
                     "postcode": code("postcode"), "country": table.column("country"),
                     "phone": code("phone"),
                     "registration_number": code("registration_number")})


def _splink_generated(table: pa.Table) -> pa.Table:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        unique_id_column_name=ID, link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("registration_number"), block_on("phone"), block_on("name"),
            block_on("substr(name, 1, 5)", "country"),
            block_on("postcode", "substr(address, 1, 5)")],
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("registration_number"),
            cl.ExactMatch("postcode"),
            cl.ExactMatch("country"),
        ])
    linker = Linker(DuckDBAPI().register(_cleaned_for_splink(table)), settings,
                    log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("registration_number")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for rule in (block_on("registration_number"), block_on("phone"),
                 block_on("substr(name, 1, 5)")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairs = linker.inference.predict(threshold_match_probability=0.5
                                     ).as_duckdbpyrelation().arrow()
    if isinstance(pairs, pa.RecordBatchReader):
        pairs = pairs.read_all()
    return pa.table({"id_l": pairs[f"{ID}_l"], "id_r": pairs[f"{ID}_r"]})


def _child(tool: str, source: str, data: Path, out: Path) -> None:
    if source == "simulator":
        table = pq.read_table(data).drop_columns(["party", "actor"])
        start = time.perf_counter()
        pairs = _precursorwatch(table) if tool == "precursorwatch" else _splink(table)
    else:
        table = pq.read_table(data, columns=[ID, *COMPARED])
        start = time.perf_counter()
        pairs = (_precursorwatch_generated(table) if tool == "precursorwatch"
                 else _splink_generated(table))
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


def _trap_pairs(ids: list[str], entities: list[str], hazards: list[str]
                ) -> dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]]:
    """Per trap, the pairs a linker must link and those it must not: two records of one
    trap group but different parts, of one entity or of two."""
    groups: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row, tags in enumerate(hazards):
        for tag in filter(None, tags.split(";")):
            trap, _, rest = tag.partition("=")
            group, _, part = rest.partition("/")
            groups[(trap, group)][part].append(row)
    found: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {}
    for (trap, _), parts in groups.items():
        same, apart = found.setdefault(trap, (set(), set()))
        for first, second in combinations(parts.values(), 2):
            for a in first:
                for b in second:
                    pair = (min(ids[a], ids[b]), max(ids[a], ids[b]))
                    (same if entities[a] == entities[b] else apart).add(pair)
    return found


def _run(tool: str, source: str, data: Path, args: argparse.Namespace
         ) -> tuple[pa.Table, dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        subprocess.run([sys.executable, __file__, "--child", tool, "--source", source,
                        "--out", str(out), "--data", str(data)], check=True)
        return (pq.read_table(out / "pairs.parquet"),
                json.loads((out / "report.json").read_text()))


def _compare(results: dict[str, tuple[float, float, float]]) -> None:
    if len(results) == 2:
        ours, theirs = results["precursorwatch"], results["splink"]
        print(f"precursorwatch/Splink: time {ours[0] / theirs[0]:.2f}x, memory "
              f"{ours[1] / theirs[1]:.2f}x, F1 difference {ours[2] - theirs[2]:+.4f}",
              flush=True)


def _simulator(args: argparse.Namespace) -> None:
    data = args.work / f"parties-{args.rows}-{args.seed}.parquet"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(party_records(args.rows, args.seed), data)
    truth = pq.read_table(data, columns=[ID, "party", "actor"])
    party = dict(zip(truth.column(ID).to_pylist(), truth.column("party").to_pylist(),
                     strict=True))
    actor = {i: a for i, a in zip(truth.column(ID).to_pylist(),
                                  truth.column("actor").to_pylist(), strict=True) if a}
    parties = len(set(party.values()))
    print(f"simulator: {truth.num_rows:,} party records of {parties:,} parties "
          f"(simulation of {args.rows:,} rows, seed {args.seed})", flush=True)
    results = {}
    for tool in TOOLS if args.tool == "both" else (args.tool,):
        pairs, report = _run(tool, "simulator", data, args)
        precision, recall, f1 = _score(pairs, party)
        bad = _score(_within(pairs, actor), actor)
        results[tool] = (report["seconds"], report["peak_kib"] / 2**20, f1)
        print(f"{tool:15} P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}  "
              f"{report['seconds']:6.1f} s  peak {report['peak_kib'] / 2**20:.2f} GiB",
              flush=True)
        print(f"{'':15} ring firms, a renamed offender counted as its predecessor: "
              f"P {bad[0]:.4f}  R {bad[1]:.4f}  F1 {bad[2]:.4f}", flush=True)
    _compare(results)


def _generator(args: argparse.Namespace) -> None:
    from precursorwatch.simulate.parties import TRAPS
    from precursorwatch.simulate.parties import party_records as generated

    data = args.work / f"generated-{args.records}-{args.seed}.parquet"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(generated(args.records, args.seed), data)
    truth = pq.read_table(data, columns=[ID, "entity_id", "hazards"])
    ids = truth.column(ID).to_pylist()
    entities = truth.column("entity_id").to_pylist()
    entity = dict(zip(ids, entities, strict=True))
    traps = _trap_pairs(ids, entities, truth.column("hazards").to_pylist())
    print(f"generator: {truth.num_rows:,} records of {len(set(entities)):,} entities "
          f"(seed {args.seed})", flush=True)
    results = {}
    for tool in TOOLS if args.tool == "both" else (args.tool,):
        pairs, report = _run(tool, "generator", data, args)
        precision, recall, f1 = _score(pairs, entity)
        results[tool] = (report["seconds"], report["peak_kib"] / 2**20, f1)
        print(f"{tool:15} P {precision:.4f}  R {recall:.4f}  F1 {f1:.4f}  "
              f"{report['seconds']:6.1f} s  peak {report['peak_kib'] / 2**20:.2f} GiB",
              flush=True)
        found = {tuple(sorted(p)) for p in zip(pairs.column("id_l").to_pylist(),
                                               pairs.column("id_r").to_pylist(), strict=True)}
        for trap in TRAPS:
            same, apart = traps.get(trap, (set(), set()))
            said = []
            if same:
                said.append(f"must link {len(same):,} pairs: recall "
                            f"{len(same & found) / len(same):.4f}")
            if apart:
                said.append(f"must not link {len(apart):,}: linked "
                            f"{len(apart & found) / len(apart):.4f}")
            print(f"{'':15} {trap:15} {'; '.join(said)}", flush=True)
    _compare(results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", choices=(*SOURCES, "both"), default="both")
    parser.add_argument("--rows", type=int, default=100_000,
                        help="rows of simulated trade (simulator source)")
    parser.add_argument("--records", type=int, default=20_000,
                        help="generated party records (generator source)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--tool", choices=(*TOOLS, "both"), default="both")
    parser.add_argument("--work", type=Path, default=Path("benchmark-data/er-parties"))
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.source, args.data, args.out)
        return
    if args.source in ("simulator", "both"):
        _simulator(args)
    if args.source in ("generator", "both"):
        _generator(args)


if __name__ == "__main__":
    main()
