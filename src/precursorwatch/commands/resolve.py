"""``precursorwatch resolve``: the same firm or person across records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import typer
from rich.table import Table

from precursorwatch.commands._console import EXIT_CODES_HELP, err
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
from precursorwatch.commands.ingest import DEFAULT_STORE, STORE_ENV
from precursorwatch.entities.fellegi_sunter import MatchModel
from precursorwatch.entities.parties import (
    entity_id,
    entity_records,
    party_entities,
    resolve_parties,
    shipment_records,
)
from precursorwatch.entities.records import Resolution, resolve_table
from precursorwatch.entities.settings import guess_settings, read_settings
from precursorwatch.exceptions import InputError, UsageError
from precursorwatch.records import format_of, replacing, write_table
from precursorwatch.records.analytics import AnalyticsStore
from precursorwatch.records.files import read_table
from precursorwatch.records.ftm import read_entities

__all__ = ["app"]

app = typer.Typer(
    cls=defaulting_to("parties"),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="Find the same firm or person across records: spelling variants, transliterations, "
         "typing errors, changed addresses.\n\n"
         "`precursorwatch resolve --out OUT` is short for `precursorwatch resolve parties "
         "--out OUT`.\n\n" + EXIT_CODES_HELP,
)

Store = Annotated[Path, typer.Option(
    "--store", envvar=STORE_ENV,
    help=f"The analytics store whose shipments' parties are resolved. Default: "
         f"./{DEFAULT_STORE}, or ${STORE_ENV} when set.")]
Threshold = Annotated[float | None, typer.Option(
    help="Match probability from which two records are linked (default 0.5).")]
Judgements = Annotated[Path | None, typer.Option(
    "--judgements", dir_okay=False,
    help="Analysts' decisions on pairs of records: a table with id_l, id_r and same (yes "
         "or no). Pairs judged the same are linked and teach the model; pairs judged "
         "different are never linked directly.")]
SaveModel = Annotated[Path | None, typer.Option(
    "--save-model", dir_okay=False,
    help="Also write the match model learned (JSON), for a later --model run.")]
ModelFile = Annotated[Path | None, typer.Option(
    "--model", dir_okay=False,
    help="Weigh pairs with this saved model instead of learning one (with --previous: "
         "resolve only what is new).")]
LinksFile = Annotated[Path | None, typer.Option(
    "--links", help="Also write the links: both ids, match weight and probability, and the "
                    "explanation (each comparison's level and weight).")]


@app.command("parties")
def parties(
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write the entities as FollowTheMoney JSON lines "
                            "(.jsonl), for Aleph or nomenklatura.")],
    store: Store = Path(DEFAULT_STORE),
    ftm_files: Annotated[list[Path] | None, typer.Option(
        "--ftm", help="FollowTheMoney JSON lines whose companies, organisations and persons "
                      "join the records (repeatable): watch lists, incident exports.")] = None,
    members_file: Annotated[Path | None, typer.Option(
        "--members", help="Also write one row per record: its entity, where it came from "
                          "(shipments or the FtM file), its roles, how many shipments name "
                          "it, what it says and its strongest link's weight.")] = None,
    links_file: LinksFile = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="The --members file of an earlier run (with --model): only "
                           "records new since then are compared, and they join the "
                           "earlier entities, which keep their ids.")] = None,
    model_file: ModelFile = None,
    save_model: SaveModel = None,
    judgements: Judgements = None,
    threshold: Threshold = None,
    memory_limit: Memory = DUCKDB_MEMORY,
    quiet: Quiet = False,
) -> None:
    """Resolve the exporters, importers and consignees that `ingest` stored (and the
    parties of FtM files) into entities, and export them as FtM JSON lines.

    Each distinct way a party is written (name, address, registration number, country)
    is one record; records of one firm, across spellings, legal forms, scripts, GSTIN and
    IEC, become one entity with all its names and numbers.

    Examples:

    * `precursorwatch resolve --out entities.ftm.jsonl`
    * `precursorwatch resolve --ftm watch.ftm.jsonl --out entities.jsonl --members members.csv`
    """
    if format_of(out_file) != "jsonl":
        raise UsageError(f"--out {out_file}: FtM entities are JSON lines (.jsonl)")
    for path in (members_file, links_file):
        if path is not None:
            format_of(path)
    overrides = _threshold(threshold)
    records = [shipment_records(AnalyticsStore(store).current_rows())
               if (store / "catalog.duckdb").exists() else None]
    records += [entity_records(read_entities(f), str(f)) for f in ftm_files or ()]
    found = [r for r in records if r is not None and r.num_rows]
    if not found:
        raise UsageError(f"no parties to resolve: the store {store} holds no shipments and no "
                         f"--ftm file names a company or person")
    table = pa.concat_tables(found)
    if not quiet:
        err.print(f"Resolving {table.num_rows:,} party records...")
    model, known = _incremental(model_file, previous, "record_id", "entity_id")
    with backend_for(Engine.duckdb, None, None, memory_limit) as backend, \
            _naming(judgements):
        resolution = resolve_parties(table, overrides=overrides, backend=backend,
                                     model=model, known=known,
                                     judgements=_judgements(judgements))
    with replacing(out_file) as temp, open(temp, "w", encoding="utf-8") as handle:
        for entity in party_entities(table, resolution):
            handle.write(json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True))
            handle.write("\n")
    if members_file is not None:
        write_table(_members(table, resolution), members_file)
    if links_file is not None:
        write_table(resolution.pairs, links_file)
    _save(resolution, save_model)
    if not quiet:
        _summary(resolution, out_file)


def _incremental(model_file: Path | None, previous: Path | None, id_column: str,
                 cluster_column: str) -> tuple[MatchModel | None, pa.Table | None]:
    """The saved model and the earlier run's clusters (``id``, ``cluster_id``)."""
    if previous is not None and model_file is None:
        raise UsageError("--previous needs --model: the model the earlier run saved "
                         "(--save-model)")
    model = None
    if model_file is not None:
        try:
            model = MatchModel.from_json(model_file.read_text(encoding="utf-8"))
        except OSError as error:
            raise UsageError(f"{model_file}: cannot read the model: {error.strerror}"
                             ) from error
        except ValueError as error:
            raise InputError(str(error), file=str(model_file)) from error
    if previous is None:
        return model, None
    table = read_table(previous)
    for column in (id_column, cluster_column):
        if column not in table.column_names:
            raise InputError(f"no column {column!r}: give the file an earlier run wrote",
                             file=str(previous), field=column)
    weights = (pc.cast(pc.if_else(pc.equal(table.column("match_weight"), ""), None,
                                  table.column("match_weight")), pa.float64())
               if "match_weight" in table.column_names else pa.nulls(table.num_rows))
    return model, pa.table({"id": table.column(id_column),
                            "cluster_id": table.column(cluster_column),
                            "match_weight": weights})


@contextmanager
def _naming(path: Path | None) -> Iterator[None]:
    """Errors in the judgements (a row naming an unknown record) carry the file's name."""
    try:
        yield
    except InputError as error:
        if path is None or error.file is not None or error.field not in ("id_l", "id_r",
                                                                          "same"):
            raise
        raise InputError(error.reason, file=str(path), row=error.row,
                         field=error.field) from error


def _judgements(path: Path | None) -> pa.Table | None:
    """The judgements file's table; its problems are reported with its name."""
    if path is None:
        return None
    table = read_table(path)
    missing = [c for c in ("id_l", "id_r", "same") if c not in table.column_names]
    if missing:
        raise InputError(f"judgements need the columns id_l, id_r and same; missing: "
                         f"{', '.join(missing)}", file=str(path), field=missing[0])
    return table


def _save(resolution: Resolution, path: Path | None) -> None:
    if path is not None:
        with replacing(path) as temp:
            temp.write_text(resolution.model.to_json(), encoding="utf-8")


def _members(records: pa.Table, resolution: Resolution) -> pa.Table:
    clusters = resolution.clusters
    entity = pa.array([entity_id(c) for c in clusters.column("cluster_id").to_pylist()])
    by_id = pa.table({"record_id": clusters.column("id"), "entity_id": entity,
                      "match_weight": clusters.column("match_weight")})
    joined = records.join(by_id, "record_id")
    return joined.select(["entity_id", "record_id", "source", "roles", "shipments",
                          "party_name", "address", "registration_number", "country",
                          "match_weight"]).sort_by([("entity_id", "ascending"),
                                                    ("record_id", "ascending")])


def _threshold(value: float | None) -> dict[str, float]:
    if value is None:
        return {}
    if not 0.0 < value < 1.0:
        raise typer.BadParameter("a threshold is a probability between 0 and 1",
                                 param_hint="--threshold")
    return {"threshold": value}


@app.command("records")
def records(
    files: Annotated[list[Path], typer.Argument(
        help="One table to deduplicate, or two to link (.csv, .jsonl, .parquet).")],
    id_column: Annotated[str, typer.Option(
        "--id", help="The column that identifies each record (unique within its file).")],
    out_file: Annotated[Path, typer.Option(
        "--out", "-o", help="Where to write one row per record: its id, cluster_id and "
                            "match_weight (.csv, .jsonl, .parquet).")],
    links_file: LinksFile = None,
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="The --out file of an earlier run (with --model): only records "
                           "new since then are compared, and they join the earlier "
                           "entities, which keep their names.")] = None,
    model_file: ModelFile = None,
    save_model: SaveModel = None,
    judgements: Judgements = None,
    settings_file: Annotated[Path | None, typer.Option(
        "--settings", "-s", dir_okay=False,
        help="A YAML file overriding the guessed column kinds, blocking rules, threshold "
             "or largest block (see docs/entities.md).")] = None,
    threshold: Threshold = None,
    engine: EngineOption = Engine.duckdb,
    spark_master: SparkMaster = None,
    spark_conf: SparkConf = None,
    memory_limit: Memory = DUCKDB_MEMORY,
    quiet: Quiet = False,
) -> None:
    """Deduplicate a table of person or company records, or link two tables.

    The columns to compare are chosen by their names (names, dates, ids, postcodes, phones,
    addresses, towns, states), each compared at levels of agreement; the weight of each
    level is learned from the records themselves, without labels (Fellegi-Sunter with EM).
    Records joined by links above the threshold are one entity, named by its smallest id.

    Examples:

    * `precursorwatch resolve records firms.csv --id firm_id --out entities.csv`
    * `precursorwatch resolve records us.parquet in.parquet --id rec_id --out linked.parquet`
    * `precursorwatch resolve records big.parquet --id rec_id --out out.parquet --engine spark`
    """
    if len(files) > 2:
        raise UsageError("give one table to deduplicate or two to link, not more")
    for path in (out_file, links_file):
        if path is not None:
            format_of(path)
    overrides = {**(read_settings(settings_file) if settings_file else {}),
                 **_threshold(threshold)}
    tables = [read_table(f) for f in files]
    left, right = tables[0], (tables[1] if len(tables) == 2 else None)
    columns = [c for c in left.column_names if right is None or c in right.column_names]
    settings = guess_settings(columns, str(overrides.get("id", id_column)), overrides)
    if not quiet:
        kinds = ", ".join(f"{c} ({k.value})" for c, k in settings.columns.items())
        err.print(f"Comparing {sum(t.num_rows for t in tables):,} records on {kinds}...")
    model, known = _incremental(model_file, previous, "id", "cluster_id")
    with backend_for(engine, spark_master, spark_conf, memory_limit) as backend, \
            _naming(judgements):
        found = resolve_table(left, right, id_column=settings.id_column, settings=settings,
                              backend=backend, model=model, known=known,
                              judgements=_judgements(judgements))
    clusters = found.clusters
    if right is not None:
        clusters = clusters.set_column(1, "file", pc.take(
            pa.array([str(f) for f in files]), clusters.column("side")))
    else:
        clusters = clusters.drop_columns(["side"])
    write_table(clusters, out_file)
    if links_file is not None:
        write_table(found.pairs, links_file)
    _save(found, save_model)
    if not quiet:
        _summary(found, out_file)


def _summary(found: Resolution, out_file: Path) -> None:
    clusters = found.clusters
    entities = len(pc.unique(clusters.column("cluster_id")))
    err.print(f"{clusters.num_rows:,} records are {entities:,} entities "
              f"({found.pairs.num_rows:,} links among {found.compared:,} pairs compared); "
              f"written to {out_file}.")
    for note in found.settings.notes:
        err.print(f"Note: {note}.")
    table = Table(title="Blocking rules: pairs found and largest blocks", title_justify="left")
    for column in ("rule", "pairs", "largest blocks (records)", "left out (too common)"):
        table.add_column(column)
    for block in found.blocks:
        table.add_row(block.rule, f"{block.pairs:,}",
                      ", ".join(f"{k} ({n:,})" for k, n in block.largest[:3]),
                      ", ".join(f"{k} ({n:,})" for k, n in block.skipped[:3]) or "-")
    err.print(table)
