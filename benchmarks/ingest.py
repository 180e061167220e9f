"""Ingest throughput and peak memory: rows/s from CSV and from Parquet, end to end.

What is measured: ``precursorwatch ingest FILE --store DIR`` in a fresh process, from reading
and validating every row to the batch file written, flushed and catalogued; wall time and that
process's own peak resident memory (``ru_maxrss`` from ``wait4``). Each repeat ingests into a
new, empty store; the row "again" ingests the Parquet file into a store that already holds
the same rows (every row compared with its current version and skipped). The inputs are made
by a child process, so that the measuring process stays
small (a forked child counts its parent's pages as its own until it execs).

Data: contract-format rows generated here with a fixed seed (a realistic mix of exporters,
products, countries, quantities, dates and optional fields), written once as CSV and as Parquet.
The simulator (``precursorwatch simulate``) is not used so that this benchmark measures ingest
alone and can make ten million rows quickly.

Run: ``.venv/bin/python benchmarks/ingest.py [--rows 10000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

PRODUCTS = [
    ("Pseudoephedrine HCl USP", "345-78-8", "29394200", "kg"),
    ("Acetone technical", "67-64-1", "29141100", "kg"),
    ("Paracetamol IP", "103-90-2", "29242930", "kg"),
    ("Toluene", "108-88-3", "29023000", "L"),
    ("Tramadol HCl 50 mg tablets", "", "30049099", "units"),
    ("Metformin HCl USP", "1115-70-4", "29252990", "kg"),
    ("Citric acid monohydrate", "5949-29-1", "29181400", "kg"),
    ("Ethanol 99.9%", "64-17-5", "22071000", "L"),
]
COUNTRIES = ["IN", "US", "AE", "NG", "MX", "DE", "BR", "SG", "GB", "ZA"]


def generate(rows: int, seed: int, chunk: int = 1_000_000) -> list[pa.Table]:
    """Contract rows in chunks of ``chunk`` (so that making them needs little memory)."""
    rng = np.random.default_rng(seed)
    tables = []
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        product = rng.integers(0, len(PRODUCTS), n)
        exporter = rng.integers(0, 5000, n)
        importer = rng.integers(0, 8000, n)
        days = rng.integers(0, 365, n)
        dates = (np.datetime64("2025-01-01") + days.astype("timedelta64[D]")).astype(str)
        tables.append(pa.table({
            "shipment_id": [f"SB-{i:09d}" for i in range(start, start + n)],
            "source": np.where(rng.random(n) < 0.6, "IN-CBIC", "US-CBP"),
            "declared_at": dates,
            "export_country": np.where(rng.random(n) < 0.6, "IN", "US"),
            "import_country": np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), n)],
            "transit_countries": np.where(rng.random(n) < 0.1, "AE;SG", ""),
            "exporter_name": [f"Exporter {e} Pvt. Ltd." for e in exporter],
            "exporter_address": [f"Plot {e}, GIDC Vapi 396195" for e in exporter],
            "exporter_id": [f"{3000000000 + e}" for e in exporter],
            "importer_name": [f"Importer {i} LLC" for i in importer],
            "importer_address": [f"{i} Commerce Dr, Newark NJ 07102" for i in importer],
            "importer_id": np.full(n, ""),
            "consignee_name": np.full(n, ""),
            "hs_code": np.array([p[2] for p in PRODUCTS])[product],
            "product_description": np.array([p[0] for p in PRODUCTS])[product],
            "cas_number": np.array([p[1] for p in PRODUCTS])[product],
            "quantity": np.round(rng.lognormal(5, 1.2, n), 2).astype(str),
            "unit": np.array([p[3] for p in PRODUCTS])[product],
            "concentration_pct": np.full(n, ""),
            "declared_value": np.round(rng.lognormal(9, 1, n), 2).astype(str),
            "currency": np.full(n, "USD"),
            "transport_mode": np.array(["sea", "air", "courier"])[rng.integers(0, 3, n)],
            "payment_method": np.array(["wire", "letter_of_credit"])[rng.integers(0, 2, n)],
            "end_use": np.full(n, ""),
            "pen_reference": np.full(n, ""),
            "outcome": np.full(n, ""),
        }))
    return tables


def write_inputs(tables: list[pa.Table], folder: Path) -> tuple[Path, Path]:
    csv_path, parquet_path = folder / "rows.csv", folder / "rows.parquet"
    with pa_csv.CSVWriter(csv_path, tables[0].schema) as csv_out, \
            pq.ParquetWriter(parquet_path, tables[0].schema, compression="zstd") as pq_out:
        for table in tables:
            csv_out.write_table(table)
            pq_out.write_table(table)
    return csv_path, parquet_path


def ingest_once(path: Path, store: Path, *, fresh: bool = True) -> tuple[float, float]:
    """Seconds and peak MiB of one ingest in a fresh process (its own rusage, via wait4),
    into an empty store unless ``fresh`` is false."""
    if fresh:
        shutil.rmtree(store, ignore_errors=True)
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "precursorwatch", "ingest", str(path),
                                "--store", str(store), "--quiet"])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"ingest failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows (default 10M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per format (default 3)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--write-inputs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_inputs:  # run in a child, so that the measuring process stays small
        write_inputs(generate(args.rows, args.seed), args.write_inputs)
        return
    with tempfile.TemporaryDirectory(dir=".") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--seed",
                        str(args.seed), "--write-inputs", str(folder)], check=True)
        csv_path, parquet_path = folder / "rows.csv", folder / "rows.parquet"
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.1f} s "
              f"(CSV {csv_path.stat().st_size / 2**20:,.0f} MiB, "
              f"Parquet {parquet_path.stat().st_size / 2**20:,.0f} MiB)")
        print(f"{'input':<8} {'rows':>11} {'median s':>9} {'rows/s':>10} {'peak MiB':>9} "
              f"{'runs (s)':>20}")
        shapes = (("parquet", parquet_path, True), ("csv", csv_path, True),
                  ("again", parquet_path, False))
        for name, path, fresh in shapes:
            if not fresh:  # the store holds the same rows: every row is compared and skipped
                ingest_once(path, folder / "store")
            runs = [ingest_once(path, folder / "store", fresh=fresh) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            listed = ", ".join(f"{r[0]:.1f}" for r in runs)
            print(f"{name:<8} {args.rows:>11,} {seconds:>9.1f} {args.rows / seconds:>10,.0f} "
                  f"{peak:>9,.0f} {listed:>20}")


if __name__ == "__main__":
    main()
