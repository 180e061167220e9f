"""Deduplicate or link any table of person or company records.

The steps, each in its own module: clean the compared columns (:mod:`.prepare`), make the
candidate pairs (:mod:`.blocking`), compare them field by field into levels
(:mod:`.comparisons`, computed by DuckDB or Spark through Ibis), learn the match model
without labels and weigh every pair (:mod:`.fellegi_sunter`), and join linked records into
entities (:mod:`.clusters`). What is decided is explained: every link carries its weight and
the level and weight of every comparison that made it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from precursorwatch.entities.blocking import (
    NEW,
    REPORTED_BLOCKS,
    ROW,
    SIDE,
    BlockReport,
    Rule,
    block_sizes,
    candidate_pairs,
    rule_pairs,
)
from precursorwatch.entities.clusters import components
from precursorwatch.entities.comparisons import (
    Comparison,
    Pair,
    level_expression,
    measures_wanted,
    python_measure,
)
from precursorwatch.entities.fellegi_sunter import (
    FLOOR,
    MatchModel,
    estimate_m,
    estimate_prior,
    estimate_u,
    initial_m,
    probability,
    with_judgements,
)
from precursorwatch.entities.prepare import INITIAL, NAME_KINDS, comparison_for, prepared_columns
from precursorwatch.entities.settings import (
    DEFAULT_RULE_PAIRS_PER_RECORD,
    Kind,
    Settings,
    guess_settings,
)
from precursorwatch.exceptions import InputError, UsageError
from precursorwatch.screening import engines

__all__ = ["Resolution", "resolve_table"]

#: Random pairs measured for u: a level that one pair in ten thousand reaches is seen about
#: thirty times. A million (Splink's examples) gave the same links on FEBRL 1-4 in twice
#: the time.
U_SAMPLE = 300_000
#: A rule may always compare this many pairs, however small the table (unless the settings
#: give ``rule_pairs_per_record``).
MIN_RULE_PAIRS = 1_000_000
#: Links are read back a little below the threshold and decided in Python, where the
#: weights are summed in the same order as the model's own: the same decision either way.
_MARGIN = 1e-6
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
    def joined(name: str) -> pa.ChunkedArray:
        return pa.chunked_array([c for t in parts for c in t.column(name).cast(
            pa.string()).chunks], pa.string())

    country = next((c for c, k in settings.columns.items() if k is Kind.country), None)
    regions = None if country is None else joined(country)
    columns: dict[str, pa.Array] = {}
    for name, kind in settings.columns.items():
        columns.update(prepared_columns(joined(name), name, kind, regions))
    count = sum(t.num_rows for t in parts)
    sides = np.concatenate([np.full(t.num_rows, s, dtype=np.int8)
                            for s, t in enumerate(parts)])
    records = pa.table({ROW: pa.array(np.arange(count, dtype=np.int64)),
                        SIDE: pa.array(sides), **columns})
    return records, pa.concat_arrays(ids)


def _compared(records: ir.Table, pairs: ir.Table, comparisons: Sequence[Comparison],
              backend: ibis.BaseBackend, *, frequencies: bool = True) -> ir.Table:
    """``pairs`` (``_row_l``, ``_row_r``, ...) with each comparison's level ``_g{k}`` and,
    where term frequencies adjust it and ``frequencies`` is on, the frequency of the
    left record's value ``_t{k}`` (see :func:`_with_frequencies`).

    On Spark, which has no Jaro-Winkler, the similarities are computed here, once per
    distinct pair of values, and joined back into ``backend``."""
    needed = list(dict.fromkeys(c for comp in comparisons for c in comp.columns))
    left = records.select(_row_l=records[ROW], **{f"{c}_l": records[c] for c in needed})
    right = records.select(_row_r=records[ROW], **{f"{c}_r": records[c] for c in needed})
    joined = pairs.join(left, "_row_l").join(right, "_row_r")
    collected = measures_wanted(comparisons, {c: joined[f"{c}_l"] for c in needed},
                                {c: joined[f"{c}_r"] for c in needed})
    # Similarities first, once each, then the levels that read them.
    if engines.session_of(backend) is not None:
        measured = _measured_here(backend, joined, collected.specs)
    else:
        measured = joined.mutate(**collected.wanted)
    pair = Pair({c: measured[f"{c}_l"] for c in needed}, {c: measured[f"{c}_r"] for c in needed},
                {name: measured[name] for name in collected.wanted})
    levels = measured.select(
        *(c for c in pairs.columns),
        **{f"_g{k}": level_expression(comp, pair) for k, comp in enumerate(comparisons)})
    return _with_frequencies(levels, records, comparisons) if frequencies else levels


def _with_frequencies(pairs: ir.Table, records: ir.Table,
                      comparisons: Sequence[Comparison]) -> ir.Table:
    """``pairs`` with ``_t{k}``, the left record's frequency of its value for each
    comparison that term frequencies adjust.

    Frequencies adjust only the exact level, where both records hold the same value and
    so the same frequency. They are joined to the pairs that need them (the links), not
    kept with every pair compared: seven of them made the millions of compared pairs too
    big for DuckDB's memory, which then read them back from disk."""
    adjusted = _adjusted(comparisons)
    if not adjusted:
        return pairs
    frequency = records.select(_f_row=records[ROW],
                               **{f"_t{k}": records[f"_tf{k}"] for k in adjusted})
    return pairs.join(frequency, pairs._row_l == frequency._f_row).drop("_f_row")


def _measured_here(backend: ibis.BaseBackend, joined: ir.Table,
                   specs: Mapping[str, tuple[str, str]]) -> ir.Table:
    """``joined`` with each measure of ``specs`` computed in Python on the distinct pairs
    of values and joined back."""
    for key, (name, column) in specs.items():
        a, b = joined[f"{column}_l"], joined[f"{column}_r"]
        values = engines.to_arrow(joined.filter(a.notnull() & b.notnull()).select(
            _a=a, _b=b).distinct())
        computed = pa.table({
            "_a": values.column("_a"), "_b": values.column("_b"),
            key: pa.array(python_measure(name, values.column("_a").to_pylist(),
                                         values.column("_b").to_pylist()), pa.float64())})
        table = engines.register(backend, f"pw_er{key}", computed)
        joined = joined.left_join(table, [a == table._a, b == table._b]).drop("_a", "_b")
    return joined


def _adjusted(comparisons: Sequence[Comparison]) -> list[int]:
    """The comparisons whose exact level term frequencies adjust."""
    return [k for k, c in enumerate(comparisons) if c.levels and c.levels[0].term_frequency]


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


def _term_frequencies(records: pa.Table, comparisons: Sequence[Comparison]) -> pa.Table:
    """``records`` with ``_tf{k}``, each record's value's share of the values, for the
    comparisons whose exact level term frequencies adjust."""
    for k in _adjusted(comparisons):
        encoded = records.column(comparisons[k].column).combine_chunks().dictionary_encode()
        valid = np.asarray(pc.is_valid(encoded.indices).to_numpy(zero_copy_only=False))
        indices = np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False),
                             dtype=np.int64)
        # One more slot than values: a column of nothing but nulls still indexes.
        counts = np.bincount(indices[valid], minlength=len(encoded.dictionary) + 1)
        frequency = counts[indices] / max(int(valid.sum()), 1)
        records = records.append_column(f"_tf{k}", pa.array(
            np.where(valid, frequency, np.nan), pa.float64(), from_pandas=True))
    return records


#: Between an explanation's parts until the missing ones are trimmed off the end.
_GAP = "\x1f"


def _explanations(model: MatchModel, gamma: npt.NDArray[np.int8],
                  tf: Sequence[npt.NDArray[np.float64] | None]) -> pa.Array:
    """Each pair's levels in words with their weights, strongest evidence first (ties in
    the order of the comparisons).

    Built column-wise in Arrow: a million links with term frequencies are nearly all
    different, and formatting each in Python took seconds."""
    count = len(gamma)
    tenths = np.round(model.contributions(gamma, tf) * 10).astype(np.int64)
    present = gamma >= 0
    pieces = []
    for c, name in enumerate(model.names):
        labels = pa.array([f"{name}: {label} (" for label in model.labels[c]], pa.string())
        shown, where = np.unique(tenths[:, c], return_inverse=True)
        weights = pa.array([f"{t / 10:+.1f})" for t in shown], pa.string())
        level = pa.array(np.where(present[:, c], gamma[:, c], 0).astype(np.int64))
        text = pc.binary_join_element_wise(labels.take(level),
                                           weights.take(pa.array(where.reshape(-1))), "")
        pieces.append(pc.if_else(pa.array(present[:, c]), text, pa.nulls(count, pa.string())))
    if not pieces or not count:
        return pa.array([""] * count, pa.string())
    # Strongest first; missing comparisons last, where they are trimmed off. (Arrow's
    # null_handling="skip" drops rows that are null throughout: it cannot be used.)
    order = np.argsort(np.where(present, -tenths, np.iinfo(np.int64).max), axis=1,
                       kind="stable")
    stacked = pa.concat_arrays(pieces)
    rows = np.arange(count)
    ranked = [stacked.take(pa.array(order[:, p] * count + rows)) for p in range(len(pieces))]
    joined = pc.binary_join_element_wise(*ranked, _GAP, null_handling="replace",
                                         null_replacement="")
    return pc.replace_substring(pc.utf8_rtrim(joined, characters=_GAP), _GAP, "; ")


def resolve_table(left: pa.Table, right: pa.Table | None = None, *, id_column: str,
                  settings: Settings | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  backend: ibis.BaseBackend | None = None, u_sample: int = U_SAMPLE,
                  model: MatchModel | None = None, known: pa.Table | None = None,
                  judgements: pa.Table | None = None) -> Resolution:
    """Deduplicate ``left``, or link it with ``right``: entities, links and the model.

    ``settings`` default to what :func:`.settings.guess_settings` reads from the columns
    (with ``overrides``, a settings file's content). ``backend`` is an Ibis backend from
    :func:`precursorwatch.screening.engines.connect` (an in-memory DuckDB by default);
    ``u_sample`` is how many random pairs u is measured on.

    Incrementally: ``model`` (saved by an earlier run, :meth:`MatchModel.to_json`) is used
    as it is, not learned again; ``known`` (an earlier run's clusters: ``id``,
    ``cluster_id``, optionally ``match_weight``) says which records were resolved before.
    Only pairs with a record not in ``known`` are compared; the earlier entities stay
    together and keep their names unless new links join two of them.

    ``judgements`` are analysts' decisions on pairs (``id_l``, ``id_r``, ``same``): a pair
    judged the same is linked and its levels refine the learned m (see
    :func:`.fellegi_sunter.with_judgements`); a pair judged different is never linked
    directly (if other links still join the two, :attr:`Resolution.settings` notes it).
    """
    settings = settings or guess_settings(
        [c for c in left.column_names if right is None or c in right.column_names],
        id_column, overrides)
    link = right is not None
    records, ids = _records(left, right, settings)
    comparisons = [comparison_for(name, kind) for name, kind in settings.columns.items()]
    columns = [f"_g{k}" for k in range(len(comparisons))]
    records = _term_frequencies(records, comparisons)
    earlier = _earlier(ids, known)
    if known is not None:
        records = records.append_column(NEW, pa.array(
            (~np.isin(np.arange(records.num_rows), list(earlier))).astype(np.int8)))
    if model is not None and (model.names != tuple(c.name for c in comparisons)
                              or model.labels != tuple(c.labels for c in comparisons)):
        raise UsageError("the match model was learned on other columns or levels: resolve "
                         "everything again without it")
    sides = records.column(SIDE).to_numpy()
    judged = _judged(ids, judgements)
    total = (float((sides == 0).sum()) * float((sides == 1).sum()) if link
             else records.num_rows * (records.num_rows - 1) / 2)
    own = backend is None
    # An engine of our own spills to a folder of our own (DuckDB's default is ./.tmp).
    spill = tempfile.TemporaryDirectory(prefix="precursorwatch-spill-") if own else None
    engine = engines.connect(spill=spill.name if spill else None) if own else backend
    assert engine is not None
    try:
        table = engines.register(engine, "pw_er_records", records)
        # Each rule's blocks counted once: for splitting rules, for the pairs and for the
        # report (three group-bys of every record per rule otherwise).
        kept: dict[Rule, ir.Table] = {}

        def sized(rule: Rule) -> ir.Table:
            if rule not in kept:
                kept[rule] = engines.materialise(engine, f"pw_er_blocks{len(kept)}",
                                                 block_sizes(table, rule))
            return kept[rule]

        settings = _tightened(settings, records.num_rows, sized)
        pairs, sizes = candidate_pairs(table, settings.rules, link=link,
                                       max_block=settings.max_block,
                                       only_new=known is not None,
                                       sizes=[sized(rule) for rule in settings.rules])
        # Compared once and kept in the engine: the model needs only how many pairs
        # reached each combination of levels, and the links are read back at the end.
        scored = engines.materialise(engine, "pw_er_scored",
                                     _compared(table, pairs, comparisons, engine,
                                               frequencies=False))
        patterns = engines.to_arrow(scored.group_by(["_rules", *columns]).aggregate(
            _n=scored.count()))
        patterns = patterns.set_column(0, "_rules", pc.cast(patterns.column("_rules"),
                                                            pa.int64()))
        if model is None:
            sample = engines.register(engine, "pw_er_random",
                                      _random_pairs(sides, link, u_sample))
            random = _compared(table, sample, comparisons, engine, frequencies=False)
            random_patterns = engines.to_arrow(random.group_by(columns).aggregate(
                _n=random.count()))
            model = _model(comparisons, settings, patterns, random_patterns, total)
            learned = True
        else:
            learned = False
        judged_levels = None if judged is None else engines.to_arrow(_compared(
            table, engines.register(engine, "pw_er_judged", judged), comparisons, engine))
        if judged_levels is not None and learned:
            same = judged_levels.filter(pc.equal(judged_levels.column("_same"), 1))
            model.m = with_judgements(model.m, _gamma(same, len(comparisons)))
        links = engines.to_arrow(_links(scored, table, _rarest(records, comparisons), model,
                                        comparisons, settings.threshold))
        blocks = tuple(_report(settings, k, engines.to_arrow(s), patterns)
                       for k, s in enumerate(sizes))
    finally:
        if own:
            engines.stop(engine)
        if spill is not None:
            spill.cleanup()
    decided = np.full(links.num_rows, -1, dtype=np.int8)
    if judged_levels is not None:
        links, decided, settings = _with_judgements(links, judged_levels, settings, columns)
    gamma = _gamma(links, len(comparisons))
    tf = [links.column(f"_t{k}").to_numpy(zero_copy_only=False).astype(np.float64)
          if f"_t{k}" in links.column_names else None for k in range(len(comparisons))]
    weight = model.match_weight(gamma, tf)
    chance = probability(weight)
    # Analysts' judgements decide where they exist; the threshold decides elsewhere.
    keep = np.where(decided >= 0, decided == 1, chance >= settings.threshold)
    gamma, tf = gamma[keep], [None if f is None else f[keep] for f in tf]
    weight, chance = weight[keep], chance[keep]
    row_l = links.column("_row_l").to_numpy()[keep]
    row_r = links.column("_row_r").to_numpy()[keep]
    compared = int(pc.sum(patterns.column("_n")).as_py() or 0)
    clusters = _clusters(ids, sides, row_l, row_r, weight, earlier)
    if judged is not None:
        settings = _conflicts(settings, judged, clusters)
    return Resolution(
        clusters=clusters,
        pairs=pa.table({
            "id_l": ids.take(pa.array(row_l)),
            "id_r": ids.take(pa.array(row_r)),
            "match_weight": pa.array(weight, pa.float64()),
            "match_probability": pa.array(chance, pa.float64()),
            "explanation": _explanations(model, gamma, tf),
        }),
        model=model, blocks=blocks, settings=settings, compared=compared)


def _tightened(settings: Settings, count: int, sized: Callable[[Rule], ir.Table]
               ) -> Settings:
    """``settings`` with each rule that would compare too many pairs split into rules
    that also require the same first letter of a name (one rule per name column): on a
    large table, a date of birth alone is shared by dozens of strangers."""
    budget = (max(DEFAULT_RULE_PAIRS_PER_RECORD * count, MIN_RULE_PAIRS)
              if settings.rule_pairs_per_record is None
              else settings.rule_pairs_per_record * count)
    initials = [f"{c}{INITIAL}" for c, k in settings.columns.items() if k in NAME_KINDS][:2]
    rules: list[Rule] = []
    notes = list(settings.notes)
    for rule in settings.rules:
        pairs = int(engines.to_arrow(rule_pairs(sized(rule), settings.max_block)
                                     ).column(0)[0].as_py() or 0)
        extra = [c for c in initials if c.removesuffix(INITIAL) not in rule.keys]
        if pairs <= budget or not extra:
            rules.append(rule)
            continue
        rules += [Rule((*rule.keys, c)) for c in extra]
        notes.append(f"rule {rule.name} would compare {pairs:,} pairs (more than "
                     f"{budget:,}): split by the first letter of "
                     f"{' or '.join(c.removesuffix(INITIAL) for c in extra)}")
    return replace(settings, rules=tuple(dict.fromkeys(rules)), notes=tuple(notes))


def _model(comparisons: Sequence[Comparison], settings: Settings, patterns: pa.Table,
           random: pa.Table, total: float) -> MatchModel:
    """The match model learned from the pattern counts of the candidate and random pairs."""
    levels = [len(c.labels) for c in comparisons]
    u = estimate_u(_gamma(random, len(comparisons)), levels,
                   random.column("_n").to_numpy().astype(np.float64))
    gamma = _gamma(patterns, len(comparisons))
    counts = patterns.column("_n").to_numpy().astype(np.float64)
    found_by = patterns.column("_rules").to_numpy()
    sessions = []
    for k, rule in enumerate(settings.rules):
        mine = (found_by >> k) & 1 == 1
        sessions.append((gamma[mine], counts[mine],
                         [not set(c.columns) & set(rule.keys) for c in comparisons]))
    m = estimate_m(sessions, u, initial_m(levels))
    model = MatchModel(tuple(c.name for c in comparisons),
                       tuple(c.labels for c in comparisons), m, u, prior=0.5)
    # The prior from the levels alone: term frequencies refine single links, not how many.
    model.prior = estimate_prior(model.evidence(gamma), total, counts)
    return model


def _links(scored: ir.Table, records: ir.Table, rarest: Mapping[int, float],
           model: MatchModel, comparisons: Sequence[Comparison], threshold: float
           ) -> ir.Table:
    """The compared pairs whose match probability reaches ``threshold``, with their
    frequencies (see :func:`_with_frequencies`), computed in the engine: the weights are
    few literals, the pairs may be hundreds of millions.

    Pairs are first kept by an upper bound of their weight, each exact level counted as if
    its value were the rarest of its column (``rarest``: comparison to smallest frequency),
    so that only the few that may pass are joined to their frequencies."""
    prior = ibis.literal(float(np.log2(model.prior / (1 - model.prior))), "float64")
    plain: ir.FloatingValue = prior
    bound: ir.FloatingValue = prior
    for k, weights in enumerate(model.level_weights()):
        level = scored[f"_g{k}"]
        plain = plain + ibis.cases(*((level == j, float(w)) for j, w in enumerate(weights)),
                                   else_=0.0)
        if k in rarest:
            bonus = max(0.0, float(np.log2(model.u[k][0] / max(rarest[k], FLOOR))))
            bound = bound + ibis.cases((level == 0, bonus), else_=0.0)
    cut = float(np.log2(threshold / (1 - threshold))) - _MARGIN
    likely = _with_frequencies(scored.filter(plain + (bound - prior) >= cut), records,
                               comparisons)
    weight: ir.FloatingValue = prior
    for k, weights in enumerate(model.level_weights()):
        level = likely[f"_g{k}"]
        weight = weight + ibis.cases(*((level == j, float(w)) for j, w in enumerate(weights)),
                                     else_=0.0)
        if k in _adjusted(comparisons):
            frequency = likely[f"_t{k}"]
            adjust = (ibis.literal(float(model.u[k][0])) / ibis.greatest(
                frequency, ibis.literal(FLOOR))).log2()
            weight = weight + ibis.cases(((level == 0) & frequency.notnull(), adjust),
                                         else_=0.0)
    return likely.filter(weight >= cut)


def _rarest(records: pa.Table, comparisons: Sequence[Comparison]) -> dict[int, float]:
    """Per term-frequency-adjusted comparison, the smallest frequency of its values."""
    found = {}
    for k in _adjusted(comparisons):
        smallest = pc.min(records.column(f"_tf{k}")).as_py()
        found[k] = float(smallest) if smallest is not None and smallest == smallest else 1.0
    return found


def _judged(ids: pa.Array, judgements: pa.Table | None) -> pa.Table | None:
    """Judged pairs as rows (``_row_l`` < ``_row_r``) with ``_same`` (1 or 0)."""
    if judgements is None:
        return None
    for column in ("id_l", "id_r", "same"):
        if column not in judgements.column_names:
            raise InputError(f"judgements need the columns id_l, id_r and same; {column!r} "
                             f"is missing", field=column)
    row_of = {value: row for row, value in enumerate(ids.to_pylist())}
    rows_l, rows_r, same = [], [], []
    for number, item in enumerate(judgements.to_pylist(), start=1):
        said = str(item["same"]).strip().lower()
        if said not in _YES + _NO:
            raise InputError(f"{item['same']!r} is neither yes nor no", row=number,
                             field="same")
        for column in ("id_l", "id_r"):
            if str(item[column]) not in row_of:
                raise InputError(f"no record has the id {item[column]!r}", row=number,
                                 field=column)
        a, b = row_of[str(item["id_l"])], row_of[str(item["id_r"])]
        if a != b:
            rows_l.append(min(a, b))
            rows_r.append(max(a, b))
            same.append(1 if said in _YES else 0)
    return pa.table({"_row_l": pa.array(rows_l, pa.int64()),
                     "_row_r": pa.array(rows_r, pa.int64()), "_same": pa.array(same, pa.int8())})


_YES = ("true", "yes", "1", "same", "y")
_NO = ("false", "no", "0", "different", "not same", "n")


def _with_judgements(links: pa.Table, judged: pa.Table, settings: Settings,
                     columns: Sequence[str]) -> tuple[pa.Table, npt.NDArray[np.int8], Settings]:
    """The links with the pairs judged the same added, and per link what analysts decided:
    1 the same, 0 different, -1 not judged."""
    decided = {(a, b): s for a, b, s in zip(judged.column("_row_l").to_pylist(),
                                            judged.column("_row_r").to_pylist(),
                                            judged.column("_same").to_pylist(), strict=True)}
    pairs = list(zip(links.column("_row_l").to_pylist(), links.column("_row_r").to_pylist(),
                     strict=True))
    have = set(pairs)
    adding = []
    for pair in zip(judged.column("_row_l").to_pylist(), judged.column("_row_r").to_pylist(),
                    strict=True):
        adding.append(decided[pair] == 1 and pair not in have)
        have.add(pair)  # a pair judged twice is added once
    extra = judged.filter(pa.array(adding, pa.bool_()))
    names = ["_row_l", "_row_r", *columns,
             *(c for c in links.column_names if c.startswith("_t"))]
    merged = pa.concat_tables([links.select(names), extra.select(names)],
                              promote_options="permissive")
    verdicts = np.array([decided.get(p, -1) for p in pairs] + [1] * extra.num_rows,
                        dtype=np.int8)
    same = sum(1 for v in decided.values() if v == 1)
    return merged, verdicts, replace(settings, notes=(
        *settings.notes, f"{same} pairs linked and {len(decided) - same} kept apart by "
        f"analysts' judgements"))


def _conflicts(settings: Settings, judged: pa.Table, clusters: pa.Table) -> Settings:
    """A note for each pair judged different that other links still put in one entity."""
    cluster = clusters.column("cluster_id").to_pylist()
    ids = clusters.column("id").to_pylist()
    apart = [(ids[a], ids[b]) for a, b, same in zip(
        judged.column("_row_l").to_pylist(), judged.column("_row_r").to_pylist(),
        judged.column("_same").to_pylist(), strict=True)
        if same == 0 and cluster[a] == cluster[b]]
    if not apart:
        return settings
    listed = ", ".join(f"{a} and {b}" for a, b in apart[:5])
    return replace(settings, notes=(
        *settings.notes, f"{len(apart)} pairs judged different are still one entity through "
        f"other links (review them): {listed}"))


def _earlier(ids: pa.Array, known: pa.Table | None) -> dict[int, tuple[str, float]]:
    """Rows resolved by an earlier run: their earlier cluster id and match weight."""
    if known is None:
        return {}
    weights = (known.column("match_weight").to_pylist() if "match_weight" in
               known.column_names else [None] * known.num_rows)
    before = {str(i): (str(c), w) for i, c, w in zip(
        known.column("id").to_pylist(), known.column("cluster_id").to_pylist(), weights,
        strict=True)}
    out = {}
    for row, value in enumerate(ids.to_pylist()):
        if value in before:
            cluster, weight = before[value]
            out[row] = (cluster, np.nan if weight is None else float(weight))
    return out


def _clusters(ids: pa.Array, sides: npt.NDArray[np.int8], left: npt.NDArray[np.int64],
              right: npt.NDArray[np.int64], weight: npt.NDArray[np.float64],
              earlier: dict[int, tuple[str, float]]) -> pa.Table:
    """Each record's entity from the links (and an earlier run's entities), named by the
    smallest earlier name among its records, else by its smallest id."""
    count = len(ids)
    first: dict[str, int] = {}
    kept_l, kept_r = [], []
    for row, (cluster, _) in earlier.items():
        if cluster in first:
            kept_l.append(first[cluster])
            kept_r.append(row)
        else:
            first[cluster] = row
    label = components(count, np.concatenate([left, np.asarray(kept_l, dtype=np.int64)]),
                       np.concatenate([right, np.asarray(kept_r, dtype=np.int64)]))
    best = np.full(count, -np.inf)
    np.maximum.at(best, left, weight)
    np.maximum.at(best, right, weight)
    for row, (_, before) in earlier.items():
        if not np.isnan(before):
            best[row] = max(best[row], before)
    values = ids.to_pylist()
    old: dict[int, str] = {}
    smallest: dict[int, str] = {}
    for row, component in enumerate(label.tolist()):
        if row in earlier:
            old[component] = min(old.get(component, earlier[row][0]), earlier[row][0])
        smallest[component] = min(smallest.get(component, values[row]), values[row])
    names = {k: old.get(k, v) for k, v in smallest.items()}
    return pa.table({
        "id": ids, "side": pa.array(sides),
        "cluster_id": pa.array([names[k] for k in label.tolist()], pa.string()),
        "match_weight": pa.array(np.where(np.isfinite(best), best, np.nan), pa.float64(),
                                 from_pandas=True),
    })


def _report(settings: Settings, index: int, sizes: pa.Table, patterns: pa.Table
            ) -> BlockReport:
    """A rule's largest blocks and those left out for exceeding ``max_block``."""
    rule = settings.rules[index]
    ordered = sizes.sort_by([("n", "descending")])
    top = ordered.slice(0, REPORTED_BLOCKS).to_pylist()
    skipped = ordered.filter(pc.greater(ordered.column("n"), settings.max_block)).to_pylist()

    def named(rows: list[dict[str, Any]]) -> tuple[tuple[str, int], ...]:
        return tuple((" | ".join(str(r[k]) for k in rule.keys), int(r["n"])) for r in rows)

    mine = (patterns.column("_rules").to_numpy() >> index) & 1 == 1
    found = int(patterns.column("_n").to_numpy()[mine].sum())
    return BlockReport(rule.name, found, named(top), named(skipped))
