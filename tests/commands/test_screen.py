"""``precursorwatch screen``, run as a user runs it: real processes on real files.

Two inputs, written once per module into one folder that every command runs in:

- ``sim/``: one simulation (3,000 rows, seed 11, CSV): ``history.csv`` with analysts'
  labels and ``new.csv``, the two later months to screen. Outputs over it are checked
  against the contract and against each other.
- ``story-history.csv`` and ``story-new.csv``: hand-written rows with no labels at all,
  small enough to know the answer: ten routine 500 kg pseudoephedrine orders of one
  importer, then N1 (5,000 kg, ten times its usual) and N2 (an importer whose name is a
  spelling of a watch-listed firm, at a tenth of the usual price).

Each process spends three to four seconds importing before it does any work, and the module
needs about twenty of them. So the commands are declared once, in :data:`RUNS`, and run two
at a time by the ``runs`` fixture; each test then checks what one or two of them printed
and wrote.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from precursorwatch import __version__
from tests.conftest import ROOT
from tests.records.contract_rows import row

BAD = str(ROOT / "tests" / "fixtures" / "bad_shipments.csv")
WATCH = str(ROOT / "tests" / "fixtures" / "watchlist.ftm.jsonl")
COLUMNS = ["shipment_id", "source", "score", "flagged", "substances", "regulated", "reasons"]
TYPES = ["string", "string", "double", "bool", "string", "bool", "string"]
THRESHOLD = 0.3

QUANTITY_REASON = "5000 kg of pseudoephedrine is 10 times this importer's usual consignment of it."
# The list's "[dataset; topic]" label is written with a comma: ';' separates the reasons.
WATCH_REASON = ('Importer "Shri Ganesh Chem. Pvt Ltd" matches watch-list entry "Shree Ganesh '
                'Chemicals Private Limited" [in_ncb_watch, Drug trafficking] (name similarity '
                '1.00)')

# An importer's ordinary trade: ten notified 500 kg orders of pseudoephedrine, a month apart.
ROUTINE = [row(shipment_id=f"H{i}", declared_at=f"2026-{i + 1:02d}-03", quantity="500",
               pen_reference=f"PEN-{i}", importer_id="EIN 12-3456789") for i in range(10)]
STORY_NEW = [
    row(shipment_id="N1", declared_at="2026-11-03", quantity="5000", pen_reference="PEN-11",
        importer_id="EIN 12-3456789"),
    # The low price is a weak flag whose sentence quotes a number.
    row(shipment_id="N2", declared_at="2026-11-04", quantity="500", pen_reference="PEN-12",
        importer_name="Shri Ganesh Chem. Pvt Ltd", importer_address="Boisar, Maharashtra",
        declared_value="6100"),
]
# Model files as a failed copy or a stray file leaves them.
DAMAGED = {"empty": "{}", "truncated": '{\n "format": 1,\n "trained_at": "2026-1'}

SIM = ("sim/new.csv", "--history", "sim/history.csv")
STORY = ("story-new.csv", "--history", "story-history.csv")

#: Every command of the module, by name, in chains: a chain's steps run in order (a later
#: one reads what an earlier one wrote) and stop at the first failure.
RUNS: list[list[tuple[str, tuple[str, ...]]]] = [
    [("train", ("screen", "train", "--history", "sim/history.csv", "--out", "model.json")),
     ("model", ("screen", *SIM, "--model", "model.json", "--out", "model.csv", "-q")),
     ("model again", ("screen", *SIM, "--model", "model.json", "--threshold", "0.9",
                      "--out", "-", "-q"))],
    [("ingest", ("ingest", "sim/history.csv", "--store", "store")),
     ("store", ("screen", "sim/new.csv", "--store", "store", "--out", "store.parquet", "-q"))],
    [("csv", ("screen", *SIM, "--out", "out.csv"))],
    [("run jsonl", ("screen", "run", *SIM, "--out", "out.jsonl", "-q"))],
    [("story", ("screen", *STORY, "--watch-list", WATCH, "--out", "story.csv"))],
    [("explain", ("screen", "explain", "N2", "--input", "story-new.csv", "--history",
                  "story-history.csv", "--watch-list", WATCH))],
    *([(f"damaged {name}", ("screen", *STORY, "--model", f"{name}.json", "--out",
                            f"damaged-{name}.csv"))] for name in DAMAGED),
    [("unknown id", ("screen", "explain", "NOPE", "--input", "story-new.csv", "--history",
                     "story-history.csv"))],
    # A bad input with a usage error: exit 2 rather than 3 shows it was refused first.
    [("unknown extension", ("screen", BAD, "--out", "out.txt"))],
    [("threshold 2", ("screen", BAD, "--threshold", "2", "--out", "threshold.csv"))],
    [("bad rows", ("screen", BAD, "--history", "story-history.csv", "--out", "bad.csv"))],
    [("spark options", ("screen", *STORY, "--engine", "duckdb", "--spark-master", "local[1]",
                        "--out", "spark.csv"))],
    [("train nothing", ("screen", "train", "--store", "no-store", "--out", "nothing.json"))],
]

Done = subprocess.CompletedProcess[str]


def _cli(cwd: Path, *args: str) -> Done:
    return subprocess.run([sys.executable, "-m", "precursorwatch", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def _write_csv(path: Path, rows: Sequence[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def _typed(rows: Sequence[dict[str, object]]) -> list[tuple[object, ...]]:
    """Rows of any output format as comparable tuples (CSV gives text, the others values)."""
    def value(name: str, raw: object) -> object:
        if name == "score":
            return float(str(raw))
        if name in ("flagged", "regulated"):
            return raw if isinstance(raw, bool) else str(raw) == "true"
        return "" if raw is None else str(raw)
    return [tuple(value(name, r[name]) for name in COLUMNS) for r in rows]


def _words(text: str) -> str:
    """Rich's tables and wrapped lines read as one line of words."""
    return " ".join(text.replace("│", " ").split())


@dataclass(frozen=True)
class Runs:
    """What each command printed, and the folder it ran in."""

    dir: Path
    done: dict[str, Done]

    def failed(self, name: str, code: int) -> Done:
        assert name in self.done, f"{name!r} did not run: an earlier step of its chain failed"
        result = self.done[name]
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        return result

    def ok(self, name: str) -> Done:
        return self.failed(name, 0)

    def rows(self, name: str) -> list[dict[str, str]]:
        return _read_csv((self.dir / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    where = tmp_path_factory.mktemp("screen")
    simulated = _cli(where, "simulate", "--rows", "3000", "--seed", "11", "--out", "sim", "-q")
    assert simulated.returncode == 0, simulated.stderr
    assert not any(r["outcome"] for r in ROUTINE)
    _write_csv(where / "story-history.csv", ROUTINE)
    _write_csv(where / "story-new.csv", STORY_NEW)
    for name, text in DAMAGED.items():
        (where / f"{name}.json").write_text(text, encoding="utf-8")

    def chain(steps: list[tuple[str, tuple[str, ...]]]) -> dict[str, Done]:
        done: dict[str, Done] = {}
        for name, args in steps:
            done[name] = _cli(where, *args)
            if done[name].returncode:
                break
        return done

    with ThreadPoolExecutor(max_workers=2) as pool:
        finished = list(pool.map(chain, RUNS))
    return Runs(where, {k: v for d in finished for k, v in d.items()})


# --- screening a simulated period ---------------------------------------------------------


def test_writes_the_contract_columns_one_row_per_input_row(runs: Runs) -> None:
    done = runs.ok("csv")
    assert (runs.dir / "out.csv").read_text(encoding="utf-8").splitlines()[0] == ",".join(
        f'"{c}"' for c in COLUMNS)
    out, new = runs.rows("out.csv"), runs.rows("sim/new.csv")
    assert [(r["source"], r["shipment_id"]) for r in out] == [
        (r["source"], r["shipment_id"]) for r in new]
    scores = [float(r["score"]) for r in out]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert {r["flagged"] for r in out} == {"true", "false"}
    # Scores are written to 6 decimals; the flag is decided on the exact score.
    assert all(r["flagged"] == ("true" if s >= THRESHOLD else "false")
               for r, s in zip(out, scores, strict=True) if abs(s - THRESHOLD) > 1e-6)
    flagged = sum(r["flagged"] == "true" for r in out)
    assert f"Screened {len(new):,} consignments: {flagged:,} flagged at threshold 0.3" in (
        done.stderr)
    assert "Trained a model on" in done.stderr and "Top alerts" in done.stderr
    assert done.stdout == ""


def test_every_alert_gives_its_reasons(runs: Runs) -> None:
    alerts = [r for r in runs.rows("out.csv") if r["flagged"] == "true"]
    assert alerts
    for alert in alerts:
        assert all(reason.strip() for reason in alert["reasons"].split(";"))


def test_short_form_is_screen_run_and_jsonl_holds_the_same_rows(runs: Runs) -> None:
    runs.ok("run jsonl")
    lines = (runs.dir / "out.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl = [json.loads(line) for line in lines]
    assert all(list(r) == COLUMNS for r in jsonl)
    assert _typed(jsonl) == _typed(runs.rows("out.csv"))


def test_unknown_output_extension_is_refused_before_reading(runs: Runs) -> None:
    done = runs.failed("unknown extension", 2)
    assert "out.txt" in done.stderr
    for extension in (".csv", ".jsonl", ".parquet"):
        assert extension in done.stderr
    assert not (runs.dir / "out.txt").exists()


def test_threshold_outside_zero_to_one_is_a_usage_error(runs: Runs) -> None:
    done = runs.failed("threshold 2", 2)
    assert "--threshold" in done.stderr
    assert not (runs.dir / "threshold.csv").exists()


def test_bad_rows_are_listed_and_nothing_written(runs: Runs) -> None:
    done = runs.failed("bad rows", 3)
    lines = [line for line in done.stderr.splitlines() if line.startswith(f"{BAD}:")]
    assert len(lines) == 15
    assert f"{BAD}:3: quantity: 'ten' is not a number" in lines
    assert f"{BAD}:5: source: required value is missing" in lines
    assert "nothing written" in done.stderr
    assert not (runs.dir / "bad.csv").exists()


def test_spark_options_need_the_spark_engine(runs: Runs) -> None:
    done = runs.failed("spark options", 2)
    assert "--spark-master and --spark-conf need --engine spark" in done.stderr
    assert not (runs.dir / "spark.csv").exists()


# --- the model file -----------------------------------------------------------------------


def test_train_writes_a_model_file_that_says_what_it_is(runs: Runs) -> None:
    done = runs.ok("train")
    history = runs.rows("sim/history.csv")
    saved = json.loads((runs.dir / "model.json").read_text(encoding="utf-8"))
    assert saved["format"] == 1
    assert saved["version"] == __version__
    assert datetime.fromisoformat(saved["trained_at"]).tzinfo is not None
    dates = sorted(r["declared_at"][:10] for r in history)
    assert (saved["history_from"], saved["history_to"]) == (dates[0], dates[-1])
    assert saved["rows"] == len(history)
    assert saved["reviewed"] == sum(1 for r in history if r["outcome"])
    assert saved["diverted"] == sum(1 for r in history if r["outcome"] == "diverted") > 0
    assert saved["threshold"] == THRESHOLD
    assert saved["metrics"] and all(0 <= v <= 1 for v in saved["metrics"].values())
    assert f"Trained on {len(history):,} rows from {dates[0]} to {dates[-1]}" in done.stderr
    assert "Wrote model.json" in done.stderr


def test_a_saved_model_scores_the_same_every_time(runs: Runs) -> None:
    runs.ok("model")
    first = runs.rows("model.csv")
    assert [(r["source"], r["shipment_id"]) for r in first] == [
        (r["source"], r["shipment_id"]) for r in runs.rows("sim/new.csv")]
    # The second run writes CSV to standard output, at another threshold: the same scores,
    # and the same reasons for the rows flagged at both thresholds.
    done = runs.ok("model again")
    assert done.stderr == ""
    again = _read_csv(done.stdout)
    assert list(again[0]) == COLUMNS
    assert [(r["source"], r["shipment_id"], r["score"]) for r in again] == [
        (r["source"], r["shipment_id"], r["score"]) for r in first]
    both = [(a["reasons"], b["reasons"]) for a, b in zip(again, first, strict=True)
            if a["flagged"] == "true"]
    assert both and all(a == b for a, b in both)


def test_a_higher_threshold_flags_a_subset(runs: Runs) -> None:
    default = runs.rows("model.csv")
    high = _read_csv(runs.ok("model again").stdout)
    raised = {r["shipment_id"] for r in high if r["flagged"] == "true"}
    assert raised and raised < {r["shipment_id"] for r in default if r["flagged"] == "true"}
    assert all((r["flagged"] == "true") == (float(r["score"]) >= 0.9) for r in high
               if abs(float(r["score"]) - 0.9) > 1e-6)


@pytest.mark.parametrize("name", list(DAMAGED))
def test_a_damaged_model_is_refused_and_nothing_written(runs: Runs, name: str) -> None:
    done = runs.failed(f"damaged {name}", 1)
    assert "Error:" in done.stderr and "model file" in done.stderr
    assert not (runs.dir / f"damaged-{name}.csv").exists()


# --- where the history comes from ---------------------------------------------------------


def test_history_from_the_store_screens_as_history_from_files(runs: Runs) -> None:
    assert " 0 quarantined" in runs.ok("ingest").stderr
    runs.ok("store")
    # Written as Parquet: the same rows as the CSV screened against the history files.
    table = pq.read_table(runs.dir / "store.parquet")
    assert table.column_names == COLUMNS
    assert [str(t) for t in table.schema.types] == TYPES
    assert _typed(table.to_pylist()) == _typed(runs.rows("out.csv"))


def test_train_without_any_history_is_a_usage_error(runs: Runs) -> None:
    done = runs.failed("train nothing", 2)
    assert "no history to train on" in done.stderr
    assert not (runs.dir / "nothing.json").exists()


# --- red flags alone, watch lists, explanations -------------------------------------------


def test_without_labels_the_red_flags_alone_raise_the_alert(runs: Runs) -> None:
    done = runs.ok("story")
    assert "on the red flags alone" in done.stderr
    n1 = runs.rows("story.csv")[0]
    assert n1["shipment_id"] == "N1" and n1["flagged"] == "true"
    assert n1["substances"] == "pseudoephedrine" and n1["regulated"] == "true"
    assert n1["reasons"].split(";")[0] == QUANTITY_REASON
    assert "watch-list" not in n1["reasons"]


def test_a_spelling_of_a_watch_listed_firm_is_flagged(runs: Runs) -> None:
    runs.ok("story")
    n2 = runs.rows("story.csv")[1]
    assert n2["shipment_id"] == "N2" and n2["flagged"] == "true"
    # Its other flags (a new importer, a low price, no registration number) are weak ones:
    # the watch list is what raises the alert, and it comes first.
    assert n2["reasons"].split(";")[0] == WATCH_REASON


def test_explain_shows_score_flags_and_law(runs: Runs) -> None:
    done = runs.ok("explain")
    n2 = runs.rows("story.csv")[1]
    assert f"IN-CBIC N2: score {float(n2['score']):.3f} (flagged at 0.3)" in done.stdout
    assert "learned model: not trained" in done.stdout
    assert "Substances: pseudoephedrine; regulated transaction: yes" in done.stdout
    assert "Red flags that fired" in done.stdout
    for name in ("watch_list", "new_importer", "price_off_market", "unregistered_importer"):
        assert re.search(rf"\s{name}\s", done.stdout), name
    # The table says what the reasons say, numbers included ("8 times below").
    said = _words(done.stdout)
    flags, law = n2["reasons"].split(";")[1:-1], n2["reasons"].split(";")[-1]
    assert flags and all(reason in said for reason in flags)
    laws = [line for line in done.stdout.splitlines() if line.startswith("  Law: ")]
    assert len(laws) >= 2 and all(line.startswith("  Law: pseudoephedrine") for line in laws)
    assert f"Law: {law}" in said
    assert "on 10 rows (2026-01-03 to 2026-10-03)" in said


def test_explain_prints_the_watch_list_sentence_as_written(runs: Runs) -> None:
    # Square brackets in data must print as written, not be read as Rich markup; the
    # table wraps the sentence, so its words are checked, not the whole line.
    said = _words(runs.ok("explain").stdout)
    assert "[in_ncb_watch," in said and "trafficking]" in said


def test_explain_an_unknown_shipment_is_a_usage_error(runs: Runs) -> None:
    done = runs.failed("unknown id", 2)
    assert "no consignment 'NOPE'" in done.stderr
    assert done.stdout == ""
