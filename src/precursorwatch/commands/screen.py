"""``precursorwatch screen``: a diversion-risk score and its reasons for every consignment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import typer
from rich.markup import escape
from rich.table import Table

from precursorwatch.commands._console import EXIT_CODES_HELP, err, out
from precursorwatch.commands._engines import (
    DUCKDB_MEMORY,
    Engine,
    EngineOption,
    Memory,
    Quiet,
    SparkConf,
    SparkMaster,
    backend_for,
)
from precursorwatch.commands._groups import defaulting_to
from precursorwatch.commands._server import TokenOption, fetch_decided, publish
from precursorwatch.commands.ingest import DEFAULT_STORE, STORE_ENV
from precursorwatch.exceptions import UsageError
from precursorwatch.exchange.alerts import history_rows
from precursorwatch.records import format_of, replacing, write_table
from precursorwatch.records.analytics import AnalyticsStore
from precursorwatch.records.ftm import read_entities
from precursorwatch.records.readers import read_contract_files
from precursorwatch.records.schema import CONTRACT_FIELDS
from precursorwatch.registry import default_identifier, load_registry
from precursorwatch.screening.designer import default_designer_check
from precursorwatch.screening.facts import HISTORY_COLUMNS
from precursorwatch.screening.features import FEATURES
from precursorwatch.screening.flags import FLAGS, fire, sentence
from precursorwatch.screening.model import MIN_POSITIVES
from precursorwatch.screening.pipeline import feature_table, split_of
from precursorwatch.screening.run import SavedModel, score_rows, train_model
from precursorwatch.screening.scores import DEFAULT_THRESHOLD, Scored
from precursorwatch.screening.watchlist import WatchList

__all__ = ["app"]


app = typer.Typer(
    cls=defaulting_to("run"),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="Score every consignment's diversion risk and say why.\n\n"
    "`precursorwatch screen FILE... --out OUT` is short for `precursorwatch screen run "
    "FILE... --out OUT`.\n\n" + EXIT_CODES_HELP,
)


History = Annotated[list[Path] | None, typer.Option(
    "--history", "-H",
    help="Earlier consignments in the contract format (.csv, .jsonl, .parquet; repeatable), "
         "with analysts' `outcome` where known. Default: what `ingest` stored in --store.")]
Store = Annotated[Path, typer.Option(
    "--store", envvar=STORE_ENV,
    help=f"The analytics store to take history from when no --history is given. Default: "
         f"./{DEFAULT_STORE}, or ${STORE_ENV} when set.")]
ModelOption = Annotated[Path | None, typer.Option(
    "--model", "-m", dir_okay=False,
    help="A model written by `screen train`. Default: train one on the history now (on the "
         "red flags alone if the history has no labelled diversion).")]
WatchLists = Annotated[list[Path] | None, typer.Option(
    "--watch-list", "-w",
    help="FollowTheMoney JSON lines of parties to watch (repeatable): exporters, importers "
         "and consignees that match by name (fuzzy, any script) or registration number are "
         "flagged.")]


def _history(files: Sequence[Path] | None, store: Path, *, lean: bool = False
             ) -> pa.Table | None:
    """The history rows; ``lean`` keeps only the columns that features of new rows read
    of them (see :data:`HISTORY_COLUMNS`), when no model is to be trained on them."""
    if files:
        return read_contract_files(files, columns=HISTORY_COLUMNS if lean else CONTRACT_FIELDS)
    if (store / "catalog.duckdb").exists():
        return AnalyticsStore(store).current_rows()
    return None


def _watch(files: Sequence[Path] | None) -> WatchList | None:
    if not files:
        return None
    return WatchList.from_entities(e for f in files for e in read_entities(f))


def _features(new: pa.Table, history: pa.Table | None, watch: WatchList | None,
              engine: Engine, master: str | None, conf: Sequence[str] | None,
              quiet: bool, *, new_only: bool, memory: str | None = DUCKDB_MEMORY
              ) -> pa.Table:
    """Features of the new rows, and of the history rows too unless ``new_only`` (a model
    is given, so there is nothing to train)."""
    if not quiet:
        err.print(f"Computing features of {new.num_rows:,} rows against "
                  f"{0 if history is None else history.num_rows:,} history rows "
                  f"on {engine.value}...")
    with backend_for(engine, master, conf, memory) as backend:
        return feature_table(backend, history, new, default_identifier(), load_registry(),
                             designer=default_designer_check(), watch=watch,
                             new_only=new_only)


def _load(path: Path | None) -> SavedModel | None:
    """The model file's model, read before any work so that a bad file fails fast."""
    if path is None:
        return None
    try:
        return SavedModel.from_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot read the model: {error.strerror}") from error


def _model(saved: SavedModel | None, features: pa.Table, quiet: bool) -> SavedModel:
    if saved is not None:
        return saved
    history = split_of(features, "history")
    saved = train_model(history, trained_at=datetime.now(UTC))
    if not quiet:
        how = (f"on the red flags alone: the history has {saved.diverted:,} rows labelled "
               f"diverted, and learning needs at least {MIN_POSITIVES}"
               if saved.model.booster_ is None else
               f"on {saved.reviewed:,} reviewed rows ({saved.diverted:,} diverted)")
        err.print(f"Trained a model on {history.num_rows:,} history rows {how}.")
    return saved


def _threshold(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise typer.BadParameter("a threshold is a probability between 0 and 1",
                                 param_hint="--threshold")
    return value


@app.command("run")
def run(
    files: Annotated[list[Path], typer.Argument(
        help="Consignments to screen, in the contract format (.csv, .jsonl, .parquet).")],
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write one screening row per input row (.csv, .jsonl, "
                            ".parquet; '-' for CSV on standard output).")],
    history: History = None,
    store: Store = Path(DEFAULT_STORE),
    model: ModelOption = None,
    watch_list: WatchLists = None,
    threshold: Annotated[float | None, typer.Option(
        help=f"Operating threshold on the score (0-1): rows at or above it are flagged. "
             f"Default: the model's own ({DEFAULT_THRESHOLD} unless trained otherwise).")
    ] = None,
    engine: EngineOption = Engine.duckdb,
    spark_master: SparkMaster = None,
    spark_conf: SparkConf = None,
    top: Annotated[int, typer.Option(min=0, help="Alerts to show in the summary "
                                                 "(default 10).")] = 10,
    memory_limit: Memory = DUCKDB_MEMORY,
    quiet: Quiet = False,
    publish_url: Annotated[str | None, typer.Option(
        "--publish", help="Also send the flagged consignments to this exchange server as "
        "alerts for review (URL such as http://127.0.0.1:8000). Default: none.")] = None,
    token: TokenOption = None,
) -> None:
    """Score consignments for diversion risk, with the reasons for each score.

    Each consignment is compared with the history before it (the importer's, exporter's,
    lane's and substance's), checked against the published red flags of precursor
    diversion, and scored in [0, 1] by the red flags and a model learned from analysts'
    past decisions. The output has the contract's screening columns: shipment_id, source,
    score, flagged, substances, regulated, reasons (most important first).

    Without --history the history is what `ingest` stored. Without --model a model is
    trained on the history first; with no labelled history it screens on the red flags
    alone. Bad input rows are listed and nothing is written (exit 3).

    Examples:

    * `precursorwatch screen new.csv --history history.csv --out screened.csv`
    * `precursorwatch screen new.parquet --model model.json --out screened.parquet`
    * `precursorwatch screen new.csv --watch-list watch.ftm.jsonl --out alerts.jsonl`
    """
    if str(out_file) != "-":
        format_of(out_file)  # refuse an unknown extension before doing the work
    limit = _threshold(threshold)
    loaded = _load(model)
    new = read_contract_files(files)
    features = _features(new, _history(history, store, lean=loaded is not None),
                         _watch(watch_list), engine,
                         spark_master, spark_conf, quiet, new_only=loaded is not None,
                         memory=memory_limit)
    saved = _model(loaded, features, quiet)
    scored = score_rows(split_of(features, "new"), saved, limit)
    write_table(scored.table, out_file)
    if not quiet:
        _summary(scored, saved.threshold if limit is None else limit, top, out_file)
    if publish_url:
        sent = publish(publish_url, token, new, scored.table)
        err.print(f"Published {sent:,} alerts to {publish_url}")


@app.command("history-export")
def history_export(
    server: Annotated[str, typer.Option(
        "--server", help="The exchange server whose reviewers decided the alerts.")],
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the labelled rows (.csv, .jsonl, .parquet).")],
    token: TokenOption = None,
) -> None:
    """Turn reviewers' decisions on published alerts back into labelled history.

    Each decided alert becomes its consignment's contract row with `outcome` filled:
    stopped is `diverted`, cleared is `legitimate`; referred alerts are still under
    investigation and are left out. Use the file as --history for `screen train`.

    Example: `precursorwatch screen history-export --server http://127.0.0.1:8000 --out
    decided.csv`
    """
    format_of(out_file)
    rows = history_rows(fetch_decided(server, token), CONTRACT_FIELDS)
    columns = {name: pa.array([row[name] for row in rows], pa.string())
               for name in CONTRACT_FIELDS}
    write_table(pa.table(columns), out_file)
    err.print(f"Wrote {len(rows):,} labelled consignments to {out_file}")


def _summary(scored: Scored, threshold: float, top: int, out_file: Path) -> None:
    table = scored.table
    flagged = int(pc.sum(table.column("flagged")).as_py() or 0)
    err.print(f"Screened {table.num_rows:,} consignments: {flagged:,} flagged at threshold "
              f"{threshold:g} ({1000 * flagged / max(1, table.num_rows):.1f} per 1,000), "
              f"{int(pc.sum(table.column('regulated')).as_py() or 0):,} regulated "
              f"transactions. Wrote {out_file}")
    if not top or not flagged:
        return
    best = table.filter(table.column("flagged")).sort_by([("score", "descending")]).slice(
        0, top)
    view = Table("score", "shipment", "substances", "main reasons", title="Top alerts",
                 show_lines=True)
    for row in best.to_pylist():
        reasons = str(row["reasons"]).split(";")
        view.add_row(f"{row['score']:.2f}", escape(f"{row['source']} {row['shipment_id']}"),
                     escape(str(row["substances"] or "-")), escape("\n".join(reasons[:3])))
    err.print(view)


@app.command("train")
def train(
    model_file: Annotated[Path, typer.Option(
        "--out", "-o", dir_okay=False, help="Where to write the model (JSON).")],
    history: History = None,
    store: Store = Path(DEFAULT_STORE),
    watch_list: WatchLists = None,
    threshold: Annotated[float, typer.Option(
        help=f"The operating threshold saved with the model (default {DEFAULT_THRESHOLD}).")
    ] = DEFAULT_THRESHOLD,
    seed: Annotated[int, typer.Option(help="Random seed of the learner (default 0).")] = 0,
    engine: EngineOption = Engine.duckdb,
    spark_master: SparkMaster = None,
    spark_conf: SparkConf = None,
    quiet: Quiet = False,
) -> None:
    """Train a screening model on history with analysts' decisions, and save it.

    The `outcome` column (diverted, legitimate, or empty when nobody reviewed the row) is
    the label. The model file (JSON, no code) records its version, when it was trained, the
    date range and size of its history, and its out-of-fold figures; `screen --model`
    loads it.

    Example:

    * `precursorwatch screen train --history history.csv --out model.json`
    """
    limit = _threshold(threshold)
    assert limit is not None
    rows = _history(history, store)
    if rows is None or not rows.num_rows:
        raise UsageError("no history to train on: give --history FILE or ingest into --store")
    with backend_for(engine, spark_master, spark_conf) as backend:
        features = feature_table(backend, None, rows, default_identifier(), load_registry(),
                                 designer=default_designer_check(), watch=_watch(watch_list))
    saved = train_model(features, trained_at=datetime.now(UTC), random_state=seed,
                        threshold=limit)
    with replacing(model_file) as temp:
        temp.write_text(saved.to_json(), encoding="utf-8")
    if quiet:
        return
    err.print(f"Trained on {saved.rows:,} rows from {saved.history_from} to "
              f"{saved.history_to}: {saved.reviewed:,} reviewed, {saved.diverted:,} diverted."
              + ("" if saved.model.booster_ is not None else
                 f" Fewer than {MIN_POSITIVES} labelled diverted rows: the model uses the red "
                 f"flags alone."))
    for name, value in saved.metrics.items():
        err.print(f"  {name.replace('_', ' ')}: {value:.3f} (out of fold)")
    err.print(f"Wrote {model_file}")


@app.command("explain")
def explain(
    shipment: Annotated[str, typer.Argument(help="The shipment_id to explain.")],
    files: Annotated[list[Path], typer.Option(
        "--input", "-i", help="The file(s) that hold the consignment (repeatable).")],
    source: Annotated[str | None, typer.Option(
        help="The consignment's source, when its shipment_id is in more than one.")] = None,
    history: History = None,
    store: Store = Path(DEFAULT_STORE),
    model: ModelOption = None,
    watch_list: WatchLists = None,
    engine: EngineOption = Engine.duckdb,
    quiet: Quiet = False,
) -> None:
    """Explain one consignment's score: every red flag, the learned part, and the law.

    Shows the score and its two parts (the red flags' and the learned model's), each flag
    that fired with its weight, the features that moved the learned part most, the
    substances recognised and the rules that apply to them.

    Example:

    * `precursorwatch screen explain SB-IN-000123 --input new.csv --history history.csv`
    """
    loaded = _load(model)
    new = read_contract_files(files)
    ids = new.column("shipment_id").to_numpy(zero_copy_only=False)
    match = ids == shipment
    if source is not None:
        match &= new.column("source").to_numpy(zero_copy_only=False) == source
    found = np.flatnonzero(match)
    if not found.size:
        raise UsageError(f"no consignment {shipment!r} in {', '.join(map(str, files))}")
    if found.size > 1:
        raise UsageError(f"{shipment!r} is in {found.size} rows; choose one with --source")
    features = _features(new, _history(history, store, lean=loaded is not None),
                         _watch(watch_list), engine,
                         None, None, quiet=True, new_only=loaded is not None)
    saved = _model(loaded, features, quiet)
    rows = split_of(features, "new")
    scored = score_rows(rows, saved, explain=found[:1])
    _explain(rows, scored, saved, int(found[0]))


def _explain(rows: pa.Table, scored: Scored, saved: SavedModel, row: int) -> None:
    result = scored.table.slice(row, 1).to_pylist()[0]
    frame, _ = fire(rows)  # the columns and the numbers the sentences quote
    out.print(f"[bold]{escape(result['source'])} {escape(result['shipment_id'])}[/bold]: score "
              f"{result['score']:.3f} ({'flagged' if result['flagged'] else 'not flagged'} at "
              f"{saved.threshold:g})")
    learned = scored.learned_probability
    out.print(f"  red flags: {scored.rule_probability[row]:.3f}; learned model: "
              + ("not trained" if learned is None else f"{learned[row]:.3f}")
              + "; the score is the higher of the two.")
    out.print(f"  Substances: {escape(result['substances'] or 'none recognised')}; regulated "
              f"transaction: {'yes' if result['regulated'] else 'no'}")
    view = Table("red flag", "weight", "says", title="Red flags that fired")
    for k, item in enumerate(FLAGS):
        if scored.fired[row, k]:
            view.add_row(item.name, f"{item.weight:g}", escape(sentence(item, frame, row)))
    out.print(view)
    if scored.contributions is not None:
        values = scored.contributions[row]
        names = [*FEATURES, *(f"flag {f.name}" for f in FLAGS)]
        moved = Table("input", "value", "effect (log-odds)",
                      title="What moved the learned model most")
        for k in np.argsort(-np.abs(values))[:8]:
            if abs(values[k]) < 0.05:
                break
            value: Any = frame[FEATURES[k]][row] if k < len(FEATURES) else bool(
                scored.fired[row, k - len(FEATURES)])
            moved.add_row(names[k], escape(_plain(value)), f"{values[k]:+.2f}")
        out.print(moved)
    rules = frame["rules"][row]
    for rule in str(rules or "").split(";"):
        if rule:
            out.print(f"  Law: {escape(rule)}")
    out.print(f"  Model trained {saved.trained_at} on {saved.rows:,} rows "
              f"({saved.history_from} to {saved.history_to}), version {saved.version}.")


def _plain(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return "-" if value != value else f"{float(value):.3g}"
    return str(value)

