"""Deduplicate or link any table of person or company records.

The steps, each in its own module: clean the compared columns (:mod:`.prepare`), make the
candidate pairs (:mod:`.blocking`), compare them field by field into levels
(:mod:`.comparisons`, computed by DuckDB or Spark through Ibis), learn the match model
without labels and weigh every pair (:mod:`.fellegi_sunter`), and join linked records into
entities (:mod:`.clusters`). What is decided is explained: every link carries its weight and
the level and weight of every comparison that made it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.entities.blocking import ROW, SIDE, BlockReport, candidate_pairs
from precursorwatch.entities.clusters import components
from precursorwatch.entities.comparisons import Comparison, level_expression
from precursorwatch.entities.fellegi_sunter import (
    MatchModel,
    estimate_m,
    estimate_prior,
    estimate_u,
    initial_m,
    probability,
)
from precursorwatch.entities.prepare import comparison_for, prepared_columns
from precursorwatch.entities.settings import Settings, guess_settings
from precursorwatch.exceptions import InputError, UsageError
from precursorwatch.screening import engines

__all__ = ["Resolution", "resolve_table"]

#: Random pairs measured for u: a level that one pair in ten thousand reaches is seen about
#: thirty times. A million (Splink's examples) gave the same links on FEBRL 1-4 in twice
#: the time.
U_SAMPLE = 300_000
_SEED = 0


@dataclass(frozen=True)
class Resolution:
    """What resolving a table found.

    ``clusters``: one row per record: ``id``, ``side`` (0 or 1; 0 when deduplicating),
    ``cluster_id`` (the smallest id of its entity) and ``match_weight`` (its strongest
    link's, null for a record linked to nothing). ``pairs``: the links, ``id_l``, ``id_r``,
    ``match_weight``, ``match_probability`` and ``explanation``.
    """

    clusters: pa.Table
    pairs: pa.Table
    model: MatchModel
    blocks: tuple[BlockReport, ...]
    settings: Settings
    compared: int


def _records(left: pa.Table, right: pa.Table | None, settings: Settings
             ) -> tuple[pa.Table, pa.Array]:
    """The records to compare (row, side, cleaned columns) and their ids as text."""
    parts = [left] if right is None else [left, right]
    ids: list[pa.Array] = []
    for side, table in enumerate(parts):
        if settings.id_column not in table.column_names:
            raise InputError(f"no column {settings.id_column!r} to take record ids from",
                             field=settings.id_column)
        missing = [c for c in settings.columns if c not in table.column_names]
        if missing:
            raise InputError(f"the {'second' if side else 'first'} table lacks the "
                             f"column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(missing)}", field=missing[0])
        column = pc.cast(table.column(settings.id_column), pa.string()).combine_chunks()
        empty = pc.fill_null(pc.equal(pc.binary_length(column), 0), True)
        if pc.any(empty).as_py():
            row = int(np.flatnonzero(empty.to_numpy(zero_copy_only=False))[0]) + 1
            raise InputError("the record has no id", row=row, field=settings.id_column)
        counts = pc.value_counts(column)
        repeated = pc.filter(counts, pc.greater(counts.field("counts"), 1))
        if len(repeated):
            value = repeated[0]["values"].as_py()
            row = int(np.flatnonzero(pc.equal(column, value).to_numpy(
                zero_copy_only=False))[1]) + 1
            raise InputError(f"id {value!r} appears more than once", row=row,
                             field=settings.id_column)
        ids.append(column)
    columns: dict[str, pa.Array] = {}
    for name, kind in settings.columns.items():
        values = pa.chunked_array([c for t in parts for c in t.column(name).cast(
            pa.string()).chunks], pa.string())
        columns.update(prepared_columns(values, name, kind))
    count = sum(t.num_rows for t in parts)
    sides = np.concatenate([np.full(t.num_rows, s, dtype=np.int8)
                            for s, t in enumerate(parts)])
    records = pa.table({ROW: pa.array(np.arange(count, dtype=np.int64)),
                        SIDE: pa.array(sides), **columns})
    return records, pa.concat_arrays(ids)


def _compared(records: ir.Table, pairs: ir.Table, comparisons: Sequence[Comparison]
              ) -> ir.Table:
    """``pairs`` (``_row_l``, ``_row_r``, ...) with each comparison's level."""
    needed = list(dict.fromkeys(c for comp in comparisons for c in comp.columns))
    left = records.select(_row_l=records[ROW], **{f"{c}_l": records[c] for c in needed})
    right = records.select(_row_r=records[ROW], **{f"{c}_r": records[c] for c in needed})
    joined = pairs.join(left, "_row_l").join(right, "_row_r")
    sides = ({c: joined[f"{c}_l"] for c in needed}, {c: joined[f"{c}_r"] for c in needed})
    return joined.select(
        *(c for c in pairs.columns),
        **{f"_g{k}": level_expression(comp, *sides) for k, comp in enumerate(comparisons)})


def _gamma(table: pa.Table, count: int) -> npt.NDArray[np.int8]:
    if count == 0:
        return np.zeros((table.num_rows, 0), dtype=np.int8)
    return np.column_stack([table.column(f"_g{k}").to_numpy() for k in range(count)]
                           ).astype(np.int8)


def _random_pairs(sides: npt.NDArray[np.int8], link: bool, size: int) -> pa.Table:
    """Up to ``size`` distinct random pairs of records (across sides when ``link``)."""
    rng = np.random.default_rng(_SEED)
    first = np.flatnonzero(sides == 0)
    second = np.flatnonzero(sides == 1) if link else first
    if len(first) == 0 or len(second) == 0:
        return pa.table({"_row_l": pa.array([], pa.int64()), "_row_r": pa.array([], pa.int64())})
    a = first[rng.integers(0, len(first), size)]
    b = second[rng.integers(0, len(second), size)]
    keep = a != b
    a, b = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    return pa.table({"_row_l": a, "_row_r": b})


def _term_frequencies(records: pa.Table, comparisons: Sequence[Comparison]
                      ) -> list[npt.NDArray[np.float64] | None]:
    """Per comparison whose exact level is adjusted: each record's value's frequency."""
    out: list[npt.NDArray[np.float64] | None] = []
    for comp in comparisons:
        if not (comp.levels and comp.levels[0].term_frequency):
            out.append(None)
            continue
        encoded = records.column(comp.column).combine_chunks().dictionary_encode()
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        valid = ~np.asarray(pc.is_null(encoded.indices).to_numpy(zero_copy_only=False))
        counts = np.bincount(np.where(valid, indices, 0).astype(np.int64)[valid],
                             minlength=len(encoded.dictionary)).astype(np.float64)
        frequency = np.full(records.num_rows, np.nan)
        frequency[valid] = counts[indices[valid].astype(np.int64)] / max(valid.sum(), 1)
        out.append(frequency)
    return out


def _pair_frequencies(per_record: Sequence[npt.NDArray[np.float64] | None],
                      left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
                      ) -> list[npt.NDArray[np.float64] | None]:
    """The larger of the two records' frequencies: the cautious one."""
    return [None if f is None else np.fmax(f[left], f[right]) for f in per_record]


def _explanations(model: MatchModel, gamma: npt.NDArray[np.int8],
                  tf: Sequence[npt.NDArray[np.float64] | None]) -> list[str]:
    """Each pair's levels in words with their weights, strongest evidence first."""
    weights = model.level_weights()
    out = []
    for i in range(gamma.shape[0]):
        said = []
        for c, name in enumerate(model.names):
            level = int(gamma[i, c])
            if level < 0:
                continue
            weight = float(weights[c][level])
            frequency = tf[c]
            if frequency is not None and level == 0 and not np.isnan(frequency[i]):
                weight += float(np.log2(model.u[c][0] / max(frequency[i], 1e-6)))
            said.append((weight, f"{name}: {model.labels[c][level]} ({weight:+.1f})"))
        out.append("; ".join(text for _, text in sorted(said, key=lambda s: -s[0])))
    return out


def resolve_table(left: pa.Table, right: pa.Table | None = None, *, id_column: str,
                  settings: Settings | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  backend: ibis.BaseBackend | None = None, u_sample: int = U_SAMPLE
                  ) -> Resolution:
    """Deduplicate ``left``, or link it with ``right``: entities, links and the model.

    ``settings`` default to what :func:`.settings.guess_settings` reads from the columns
    (with ``overrides``, a settings file's content). ``backend`` is an Ibis backend from
    :func:`precursorwatch.screening.engines.connect` (an in-memory DuckDB by default);
    ``u_sample`` is how many random pairs u is measured on.
    """
    settings = settings or guess_settings(
        [c for c in left.column_names if right is None or c in right.column_names],
        id_column, overrides)
    link = right is not None
    records, ids = _records(left, right, settings)
    comparisons = [comparison_for(name, kind) for name, kind in settings.columns.items()]
    own = backend is None
    engine = engines.connect() if own else backend
    assert engine is not None
    try:
        if engines.session_of(engine) is not None:
            # Spark has no Jaro-Winkler; as a Python function its results came back out of
            # line with their rows (PySpark 4.3, local mode), so it is refused, not guessed.
            raise UsageError("entity resolution runs on DuckDB only for now")
        table = engines.register(engine, "pw_er_records", records)
        pairs, sizes = candidate_pairs(table, settings.rules, link=link,
                                       max_block=settings.max_block)
        scored = engines.to_arrow(_compared(table, pairs, comparisons))
        sample = engines.register(engine, "pw_er_random", _random_pairs(
            records.column(SIDE).to_numpy(), link, u_sample))
        random = engines.to_arrow(_compared(table, sample, comparisons))
        blocks = tuple(_report(settings, k, engines.to_arrow(s), scored)
                       for k, s in enumerate(sizes))
    finally:
        if own:
            engines.stop(engine)
    levels = [len(c.labels) for c in comparisons]
    gamma = _gamma(scored, len(comparisons))
    u = estimate_u(_gamma(random, len(comparisons)), levels)
    found_by = scored.column("_rules").to_numpy()
    sessions = [(gamma[(found_by >> k) & 1 == 1], [not set(c.columns) & set(rule.keys)
                                                   for c in comparisons])
                for k, rule in enumerate(settings.rules)]
    m = estimate_m(sessions, u, initial_m(levels))
    model = MatchModel(tuple(c.name for c in comparisons), tuple(c.labels for c in comparisons),
                       m, u, prior=0.5)
    row_l = scored.column("_row_l").to_numpy()
    row_r = scored.column("_row_r").to_numpy()
    tf = _pair_frequencies(_term_frequencies(records, comparisons), row_l, row_r)
    evidence = model.evidence(gamma, tf)
    sides = records.column(SIDE).to_numpy()
    total = (float((sides == 0).sum()) * float((sides == 1).sum()) if link
             else records.num_rows * (records.num_rows - 1) / 2)
    model.prior = estimate_prior(evidence, total)
    weight = np.log2(model.prior / (1 - model.prior)) + evidence
    chance = probability(weight)
    linked = np.flatnonzero(chance >= settings.threshold)
    return Resolution(
        clusters=_clusters(ids, sides, row_l[linked], row_r[linked], weight[linked]),
        pairs=pa.table({
            "id_l": ids.take(pa.array(row_l[linked])),
            "id_r": ids.take(pa.array(row_r[linked])),
            "match_weight": pa.array(weight[linked], pa.float64()),
            "match_probability": pa.array(chance[linked], pa.float64()),
            "explanation": pa.array(_explanations(
                model, gamma[linked], [None if f is None else f[linked] for f in tf]),
                pa.string()),
        }),
        model=model, blocks=blocks, settings=settings, compared=scored.num_rows)


def _clusters(ids: pa.Array, sides: npt.NDArray[np.int8], left: npt.NDArray[np.int64],
              right: npt.NDArray[np.int64], weight: npt.NDArray[np.float64]) -> pa.Table:
    count = len(ids)
    label = components(count, left, right)
    best = np.full(count, -np.inf)
    np.maximum.at(best, left, weight)
    np.maximum.at(best, right, weight)
    table = pa.table({"id": ids, "side": pa.array(sides), "_label": pa.array(label)})
    names = table.group_by("_label", use_threads=False).aggregate([("id", "min")])
    lookup = dict(zip(names.column("_label").to_pylist(), names.column("id_min").to_pylist(),
                      strict=True))
    return pa.table({
        "id": ids, "side": pa.array(sides),
        "cluster_id": pa.array([lookup[k] for k in label.tolist()], pa.string()),
        "match_weight": pa.array(np.where(np.isfinite(best), best, np.nan), pa.float64(),
                                 from_pandas=True),
    })


def _report(settings: Settings, index: int, sizes: pa.Table, scored: pa.Table
            ) -> BlockReport:
    """A rule's largest blocks and those left out for exceeding ``max_block``."""
    rule = settings.rules[index]
    ordered = sizes.sort_by([("n", "descending")])
    top = ordered.slice(0, 5).to_pylist()
    skipped = ordered.filter(pc.greater(ordered.column("n"), settings.max_block)).to_pylist()

    def named(rows: list[dict[str, Any]]) -> tuple[tuple[str, int], ...]:
        return tuple((" | ".join(str(r[k]) for k in rule.keys), int(r["n"])) for r in rows)

    found = int(((scored.column("_rules").to_numpy() >> index) & 1).sum())
    return BlockReport(rule.name, found, named(top), named(skipped))
