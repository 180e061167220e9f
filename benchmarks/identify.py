"""Batch identification throughput: rows per second through ``identify_table``.

What is measured: identifying controlled substances in contract-format rows (product
description, CAS number, HS code), as ``precursorwatch substances identify`` does, on an Arrow
table in memory (the "core" figure) and from a Parquet file to a Parquet file (the "end to end"
figure, which adds reading and writing).

Data: generated here with a fixed seed, from the registry's own names and a list of ordinary
chemicals and medicines, written the way declarations are (grades, packing, lot numbers,
misspellings, salts, CAS on a third of the rows, HS codes on most). Two shapes:

* ``catalogue``: a year of trade repeats itself, so rows are drawn (Zipf-like) from a catalogue
  of distinct product lines; the default 1,000,000 rows over 20,000 lines.
* ``distinct``: the worst case, every row a different product line (a unique lot number in
  the description); 200,000 rows.

Run: ``.venv/bin/python benchmarks/identify.py [--rows N] [--lines D] [--repeat R]``.
Prints rows/s (median of R runs) with one and two worker processes, seconds and peak
resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from precursorwatch.records import read_table, write_table
from precursorwatch.registry import identify_table, load_registry
from precursorwatch.registry.identify import build_identifier

ORDINARY = [
    ("Paracetamol IP", "103-90-2", "292429"),
    ("Metformin hydrochloride USP", "1115-70-4", "292520"),
    ("Ibuprofen BP", "15687-27-1", "291639"),
    ("Ethanol 99.9%", "64-17-5", "220710"),
    ("Isopropyl alcohol", "67-63-0", "290512"),
    ("Citric acid monohydrate", "5949-29-1", "291814"),
    ("Sodium bicarbonate", "144-55-8", "283636"),
    ("Ethyl acetate", "141-78-6", "291531"),
    ("Glacial acetic acid", "64-19-7", "291521"),
    ("Amoxicillin trihydrate", "61336-70-7", "294110"),
    ("Atorvastatin calcium", "134523-03-8", "293399"),
    ("Methanol", "67-56-1", "290511"),
    ("Xylene", "1330-20-7", "290244"),
    ("Phenylephrine HCl", "61-76-7", "292250"),
    ("Ephedra herb extract", "", "130219"),
    ("Magnesium stearate", "557-04-0", "291570"),
]
GRADES = ["USP", "BP", "IP", "EP", "Tech grade", "99%", "98% min", "pharma grade", "AR", ""]
PACKS = ["25 kg drums", "200 L MS drums", "50 kg bags", "IBC 1000 L", "10x10 blister",
         "fibre drum", "HDPE carboy", "1 kg sample", ""]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 7:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1:]


def catalogue(lines: int, seed: int) -> list[tuple[str, str, str]]:
    """Distinct product lines: about a quarter controlled, the rest ordinary goods."""
    rng = random.Random(seed)
    substances = load_registry().substances
    out: list[tuple[str, str, str]] = []
    for n in range(lines):
        grade, pack = rng.choice(GRADES), rng.choice(PACKS)
        if rng.random() < 0.25:
            s = rng.choice(substances)
            name = rng.choice((s.name, *s.synonyms[:4]))
            if rng.random() < 0.1:
                name = _typo(name, rng)
            salt = rng.choice(["", "", " hydrochloride", " HCl", " sulphate"]) if s.kind == "drug" \
                else ""
            cas = s.cas if rng.random() < 0.33 else ""
            hs = s.hs_code or ""
        else:
            name, cas, hs = rng.choice(ORDINARY)
            salt = ""
            cas = cas if rng.random() < 0.33 else ""
        out.append((f"{name}{salt} {grade} {pack} lot {n}".strip(), cas, hs))
    return out


def rows(count: int, lines: list[tuple[str, str, str]], seed: int) -> pa.Table:
    """``count`` rows drawn from the catalogue, popular lines far more often (Zipf-like)."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(lines))]
    picks = rng.choices(lines, weights=weights, k=count) if count != len(lines) else lines
    return pa.table({
        "shipment_id": [f"S{i}" for i in range(count)],
        "product_description": [p[0] for p in picks],
        "cas_number": [p[1] for p in picks],
        "hs_code": [p[2] for p in picks],
    })


def measure(table: pa.Table, repeat: int, workers: int) -> tuple[float, float, int]:
    """Median seconds in memory, seconds end to end (Parquet to Parquet), distinct lines.

    Each run gets a fresh identifier (built outside the timing, as a service builds it once)
    so that no run profits from what an earlier one remembered.
    """
    core = []
    for _ in range(repeat):
        identifier = build_identifier()
        start = time.perf_counter()
        identify_table(table, identifier, workers=workers)
        core.append(time.perf_counter() - start)
    identifier = build_identifier()
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.parquet", Path(tmp) / "out.parquet"
        pq.write_table(table, source)
        start = time.perf_counter()
        write_table(identify_table(read_table(source), identifier, workers=workers), target)
        end_to_end = time.perf_counter() - start
    distinct = len({(d, c, h) for d, c, h in zip(
        table.column("product_description").to_pylist(), table.column("cas_number").to_pylist(),
        table.column("hs_code").to_pylist(), strict=True)})
    return statistics.median(core), end_to_end, distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--lines", type=int, default=20_000,
                        help="distinct product lines in the catalogue (default 20,000)")
    parser.add_argument("--distinct-rows", type=int, default=200_000,
                        help="rows of the all-distinct worst case (default 200,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    shapes = [
        ("catalogue", rows(args.rows, catalogue(args.lines, args.seed), args.seed)),
        ("distinct", rows(args.distinct_rows, catalogue(args.distinct_rows, args.seed + 1),
                          args.seed)),
    ]
    print(f"{'shape':<10} {'workers':>7} {'rows':>10} {'distinct':>9} {'core s':>8} "
          f"{'core rows/s':>12} {'e2e s':>8} {'e2e rows/s':>11}")
    for name, table in shapes:
        for workers in (1, 2):
            core, e2e, distinct = measure(table, args.repeat, workers)
            print(f"{name:<10} {workers:>7} {table.num_rows:>10,} {distinct:>9,} {core:>8.2f} "
                  f"{table.num_rows / core:>12,.0f} {e2e:>8.2f} {table.num_rows / e2e:>11,.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
