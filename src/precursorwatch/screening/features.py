"""Features of every consignment against the trade before it, as one Ibis expression.

Every feature looks only backwards: a row is compared with the rows declared before it
(earlier days, or earlier in the input on the same day), so that a feature means the same
thing for a history row used in training and for a new row being screened, and nothing a
reviewer learns later leaks into the past. History and new rows are one table; the windows
do the rest, on DuckDB by default and on Spark unchanged.

Parties are keyed by their name key, joined across spellings that share a registration
number (see :mod:`.parties`): the key every row has.
Quantities are compared in base units (kg, L or units) and on a log scale, where "ten times
more" is the same step for grams of a fentanyl precursor and tonnes of a solvent.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

__all__ = ["FEATURES", "LN_EPS", "PRIOR", "PRIOR_KEYS", "RECENT", "RECENT_DAYS", "SEQ", "SPLIT",
           "UNIT_FACTOR", "UNIT_FAMILY", "VAGUE_END_USES", "Keep", "history_state",
           "shipment_features"]

#: Which part of the input a row is: ``history`` (what is known) or ``new`` (to be scored).
SPLIT = "_split"
#: A row's position in history-then-new order: the tie-break between rows of one day.
SEQ = "_seq"

#: The model's inputs, in order. Each is documented where it is computed.
FEATURES: tuple[str, ...] = (
    "log_qty", "controlled", "un_table_i", "drug", "regulated", "imp_n", "imp_days",
    "imp_prod_n", "q_vs_imp", "lane_prod_n", "q_vs_lane", "q_vs_prod", "need_ratio", "pair_n",
    "exp_n", "split_n30", "split_ratio30", "under_ratio", "exp_split_n30", "exp_split_ratio30",
    "transit_n", "lane_n", "route_share", "consignee_differs", "consignee_forwarder", "cons_n",
    "po_box", "virtual_office", "residential", "importer_id_missing", "pay_cash",
    "pay_crypto", "pay_third", "imp_third_n", "price_dev", "vague_end_use", "pen_missing",
    "misdeclared", "vague", "designer", "imp_diverted", "addr_diverted", "id_diverted",
    "exp_diverted", "courier_post", "addr_firms", "offender_share", "watch",
)

#: End uses that say nothing of what the goods are for (lower case, trimmed).
VAGUE_END_USES = ("", "trading", "trade", "general", "general use", "industrial use",
                  "industrial", "research", "research and development", "resale",
                  "pharmaceutical intermediate", "various", "stock", "samples")
#: Added before a logarithm of a quantity, so that zero has one.
LN_EPS = 1e-9
#: Contract units to base units (kg, L, units), and the base unit of each.
UNIT_FACTOR = {"g": 0.001, "t": 1000.0, "mL": 0.001}
UNIT_FAMILY = {"kg": "kg", "g": "kg", "t": "kg", "L": "L", "mL": "L"}


#: Computes a table once, under a name, and returns a table reading the result: every
#: sum reads the narrow rows, and an engine left to plan them as one query computed the
#: joins of millions of rows once per reader (measured: over 12 GiB for six million rows).
Keep = Callable[[str, ir.Table], ir.Table]


def _flag(expr: ir.BooleanValue) -> ir.IntegerValue:
    return expr.fill_null(False).cast("int8")


def _prepared(rows: ir.Table, products: ir.Table, parties: ir.Table, addresses: ir.Table,
              verdicts: ir.Table) -> ir.Table:
    """Rows with their product, party, address and verdict facts and base quantities."""
    t = _keyed_rows(rows, products, parties, addresses)
    v = verdicts.mutate(_vconc=verdicts.concentration_pct.fill_null(-1.0)).rename(
        _vsub="substances", _vexp="export_country", _vimp="import_country",
        _vq="quantity", _vunit="unit").drop("concentration_pct")
    return t.left_join(v, [t.substances == v._vsub, t.export_country == v._vexp,
                           t.import_country == v._vimp, t.quantity == v._vq,
                           t.unit == v._vunit, t._conc == v._vconc]).drop(
        "_vsub", "_vexp", "_vimp", "_vq", "_vunit", "_vconc")


def _keyed_rows(rows: ir.Table, products: ir.Table, parties: ir.Table,
                addresses: ir.Table) -> ir.Table:
    """Rows with their product, party and address facts, keys and base quantities: all
    that the sums over the history read. The law's verdicts are left to
    :func:`_prepared`: a join on six columns that the millions of history rows summed
    never need."""
    t = rows.mutate(
        _pd=rows.product_description.fill_null(""), _cas=rows.cas_number.fill_null(""),
        _hs=rows.hs_code.fill_null(""), _conc=rows.concentration_pct.fill_null(-1.0),
        _cons=rows.consignee_name.fill_null(""), _iaddr=rows.importer_address.fill_null(""),
    )
    p = products.rename(_pd="product_description", _cas="cas_number", _hs="hs_code",
                        misdeclared_text="misdeclared", designer_text="designer")
    t = t.left_join(p, [t._pd == p._pd, t._cas == p._cas, t._hs == p._hs]).drop(
        "_pd_right", "_cas_right", "_hs_right")
    t = t.mutate(_eid=t.exporter_id.fill_null(""), _iid=t.importer_id.fill_null(""),
                 _cid=ibis.literal(""), _ename=t.exporter_name.fill_null(""),
                 _iname=t.importer_name.fill_null(""))
    for role, name, number in (("exp", "_ename", "_eid"), ("imp", "_iname", "_iid"),
                               ("con", "_cons", "_cid")):
        q = parties.rename(**{f"_{role}_name": "name", f"_{role}_pid": "party_id",
                              role: "party_key", f"_{role}_fwd": "forwarder",
                              f"_{role}_ws": "watch_score", f"_{role}_wh": "watch_hit",
                              f"_{role}_no": "party_no", f"_{role}_idno": "id_no"})
        t = t.left_join(q, [t[name] == q[f"_{role}_name"], t[number] == q[f"_{role}_pid"]]
                        ).drop(f"_{role}_name", f"_{role}_pid")
    a = addresses.rename(_iaddr_r="address", addr="address_key")
    t = t.left_join(a, t._iaddr == a._iaddr_r).drop("_iaddr_r")
    unit = t.unit
    factor = ibis.cases(*((unit == u, f) for u, f in UNIT_FACTOR.items()), else_=1.0)
    family = ibis.cases(*((unit == u, f) for u, f in UNIT_FAMILY.items()), else_="units")
    qty = t.quantity * factor
    hs6 = t._hs.substr(0, 6)
    primary = t.primary.fill_null("")
    product = ibis.cases((primary != "", primary), else_="hs:" + hs6) + "|" + family
    threshold = ibis.cases((family == "kg", t.threshold_kg), (family == "L", t.threshold_l),
                           else_=ibis.null("float64"))
    return t.mutate(
        day=(t.declared_at.epoch_seconds() // 86400).cast("int64"),
        qty=qty, family=family, product=product, threshold=threshold,
        logq=(qty + LN_EPS).ln(),
        lane=t.export_country + ">" + t.import_country,
        route=t.transit_countries.fill_null(""),
        controlled_b=primary != "",
        unit_price_ln=ibis.cases(
            ((t.declared_value > 0) & (qty > 0), (t.declared_value / qty).ln()),
            else_=ibis.null("float64")),
        pay=t.payment_method.fill_null(""),
        diverted=_flag(t.outcome == "diverted").cast("int64"),
        importer_key=_identifier_key(t.importer_id),
        addr=t.addr.fill_null(""),
    )


def _identifier_key(value: ir.StringValue) -> ir.StringValue:
    """Letters and digits only, upper case: '80-0796616' and '800796616' are one number."""
    return value.fill_null("").upper().re_replace(r"[^0-9A-Z]", "")


def _prior(value: ir.NumericValue, *keys: ir.Value, order: tuple[ir.Value, ...]
           ) -> ir.NumericValue:
    """Sum of ``value`` over the earlier rows with the same keys."""
    window = ibis.window(group_by=list(keys), order_by=list(order), rows=(None, -1))
    return value.sum().over(window).fill_null(0)


def _share(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    return ibis.cases((whole > 0, part / whole), else_=0.0)


def _recent(value: ir.NumericValue, *keys: ir.Value, day: ir.IntegerValue,
            days: int) -> ir.NumericValue:
    """Sum of ``value`` over the rows with the same keys within ``days`` up to this day."""
    window = ibis.window(group_by=list(keys), order_by=day, range=(-days, 0))
    return value.sum().over(window).fill_null(0)


def shipment_features(rows: ir.Table, products: ir.Table, parties: ir.Table,
                      addresses: ir.Table, verdicts: ir.Table, *, new_only: bool = False,
                      keep: Keep | None = None, new_rows: ir.Table | None = None
                      ) -> ir.Table:
    """Every row of ``rows`` with the columns of :data:`FEATURES` and what reasons need.

    ``new_only`` returns the new rows only, computed against the history by aggregates
    (see :func:`_new_windows`): the same values, without sorting the whole history once per
    window; it is how a large history is screened. Training needs the history rows' own
    features and leaves it off.

    ``rows`` holds contract columns plus ``_split`` and ``_seq``; ``products``,
    ``parties``, ``addresses`` and ``verdicts`` are the facts tables of
    :func:`~.products.product_facts`, :func:`~.parties.party_facts`,
    :func:`~.parties.address_facts` and :func:`~.verdicts.verdict_facts`. ``keep``
    computes a table once for the several queries that read it (see :data:`Keep`).
    ``new_rows``, the rows of ``rows`` whose split is new, saves scanning all of ``rows``
    for them where the caller holds them apart.
    """
    t = _prepared(rows, products, parties, addresses, verdicts)
    k = _narrow(_keyed_rows(rows, products, parties, addresses), numbered=True)
    if keep is not None:
        k = keep("pw_narrow", k)
    if new_only:
        # The wide rows are prepared again for the new rows alone: shared with the narrow
        # keys of every row, they would be materialised whole (measured: 23 GiB for six
        # million rows), where apart the engine keeps only the columns each side reads.
        new = rows.filter(rows[SPLIT] == "new") if new_rows is None else new_rows
        t = _prepared(new, products, parties, addresses, verdicts)
        windows = _new_windows(k, keep)
    else:
        windows = _all_windows(k)
    if keep is not None:
        # The sums are joined to the wide rows once, as a narrow table of numbers.
        windows = keep("pw_windows", windows)
    w = t.join(windows, SEQ)
    w = w.mutate(imp_days=w.day - w.imp_first, need_rate=w.dest_prod_qty * 365.0 / w.span)
    controlled = w.controlled_b
    return w.mutate(
        log_qty=(w.qty + 1.0).ln(),
        controlled=_flag(controlled),
        un_table_i=_flag(w.un_table == "I"),
        drug=_flag(w.kind == "drug"),
        regulated=_flag(w.regulated),
        q_vs_imp=ibis.cases((w.imp_prod_n > 0, w.logq - w.imp_prod_logq / w.imp_prod_n),
                            else_=ibis.null("float64")),
        q_vs_lane=ibis.cases((w.lane_prod_n > 0, w.logq - w.lane_prod_logq / w.lane_prod_n),
                             else_=ibis.null("float64")),
        q_vs_prod=ibis.cases((w.prod_n > 0, w.logq - w.prod_logq / w.prod_n),
                             else_=ibis.null("float64")),
        need_ratio=(w.qty + 1.0).ln() - (w.need_rate + 1.0).ln(),
        split_ratio30=w.split_qty30 / w.threshold,
        under_ratio=w.qty / w.threshold,
        exp_split_ratio30=w.exp_split_qty30 / w.threshold,
        transit_n=ibis.cases((w.route == "", 0),
                             else_=w.route.length() - w.route.replace(";", "").length() + 1),
        route_share=ibis.cases((w.lane_n > 0, w.route_n / w.lane_n),
                               else_=ibis.null("float64")),
        consignee_differs=_flag((w._cons != "") & (w.con != w.imp)),
        consignee_forwarder=_flag((w._cons != "") & w._con_fwd),
        po_box=_flag(w.po_box),
        virtual_office=_flag(w.virtual_office),
        residential=_flag(w.residential),
        importer_id_missing=_flag(w.importer_key == ""),
        pay_cash=_flag(w.pay == "cash"),
        pay_crypto=_flag(w.pay == "crypto"),
        pay_third=_flag(w.pay == "third_party"),
        price_dev=ibis.cases((w.unit_price_ln.notnull() & (w.price_n > 0),
                              w.unit_price_ln - w.price_sum / w.price_n),
                             else_=ibis.null("float64")),
        vague_end_use=_flag(w.end_use.fill_null("").lower().strip().isin(VAGUE_END_USES)),
        pen_missing=_flag(w.pen_expected & (w.pen_reference.fill_null("").strip() == "")),
        misdeclared=_flag(w.misdeclared_text != ""),
        vague=_flag(w.vague),
        designer=_flag(w.designer_text != ""),
        courier_post=_flag(w.transport_mode.isin(("courier", "post"))),
        watch=ibis.greatest(w._exp_ws.fill_null(0.0), w._imp_ws.fill_null(0.0),
                            w._con_ws.fill_null(0.0)),
        watch_hit=ibis.cases(
            (w._imp_wh.fill_null("") != "", w._imp_wh.replace("{role}", "Importer")),
            (w._exp_wh.fill_null("") != "", w._exp_wh.replace("{role}", "Exporter")),
            (w._con_wh.fill_null("") != "", w._con_wh.replace("{role}", "Consignee")),
            else_=""),
        # Shares, not counts: a firm with one diverted order among hundreds is a customer
        # that was abused once; a name, address or number mostly diverted is an offender's.
        offender_share=ibis.greatest(_share(w.imp_diverted, w.imp_n),
                                     _share(w.addr_diverted, w.addr_n),
                                     _share(w.id_diverted, w.id_n)),
    )



#: Sums over the earlier rows (by day, then input order) with the same keys: (column, value,
#: keys, keyed). A keyed sum is 0 where its key is empty: rows without an address or
#: registration number share nothing.
PRIOR: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("imp_n", "one", ("imp",), False),
    ("imp_prod_n", "one", ("imp", "product"), False),
    ("imp_prod_logq", "logq", ("imp", "product"), False),
    ("lane_prod_n", "one", ("lane", "product"), False),
    ("lane_prod_logq", "logq", ("lane", "product"), False),
    ("prod_n", "one", ("product",), False),
    ("prod_logq", "logq", ("product",), False),
    ("dest_prod_qty", "qty", ("import_country", "product"), False),
    ("pair_n", "one", ("exp", "imp"), False),
    ("exp_n", "one", ("exp",), False),
    ("lane_n", "one", ("lane",), False),
    ("route_n", "one", ("lane", "route"), False),
    ("cons_n", "cons_differs", ("con",), False),
    ("imp_third_n", "third", ("imp",), False),
    ("price_n", "has_price", ("product", "cur"), False),
    ("price_sum", "price_ln", ("product", "cur"), False),
    ("imp_diverted", "diverted", ("imp",), False),
    ("exp_diverted", "diverted", ("exp",), False),
    ("addr_diverted", "diverted", ("addr",), True),
    ("addr_firms", "first_at_addr", ("addr",), True),
    ("addr_n", "one", ("addr",), True),
    ("id_diverted", "diverted", ("importer_key",), True),
    ("id_n", "one", ("importer_key",), True),
)
#: Sums over the rows with the same keys in the 30 days up to the row's day, itself included.
RECENT: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("split_n30", "one", ("imp", "product")),
    ("split_qty30", "qty", ("imp", "product")),
    ("exp_split_n30", "one", ("exp", "product", "import_country")),
    ("exp_split_qty30", "qty", ("exp", "product", "import_country")),
)
RECENT_DAYS = 30


def _narrow(t: ir.Table, *, numbered: bool = False) -> ir.Table:
    """The keys and values the windows read, and nothing else.

    Each window sorts its input with every column it carries, so leaving the wide
    contract columns out makes them several times faster; results join back on ``_seq``.
    ``numbered`` keys parties, addresses, registration numbers and products by the fact
    tables' numbers (see :mod:`.numbers`) instead of their text: the same groups, sorted
    and joined several times faster.
    """
    keys = {"imp": t.imp, "exp": t.exp, "con": t.con, "product": t.product, "addr": t.addr,
            "importer_key": t.importer_key}
    if numbered:
        family = ibis.cases((t.family == "kg", 1), (t.family == "L", 2), else_=3)
        keys = {"imp": t._imp_no, "exp": t._exp_no, "con": t._con_no,
                "product": t.product_no.fill_null(0) * 4 + family,
                "addr": t.address_no.fill_null(0), "importer_key": t._imp_idno}
    return t.select(
        t[SEQ], t[SPLIT], t.day, t.lane, t.route, t.import_country, t.logq, t.qty,
        t.diverted, **keys,
        cur=t.currency.fill_null(""),
        has_price=t.unit_price_ln.notnull().cast("int64"),
        price_ln=t.unit_price_ln.fill_null(0.0),
        third=(t.pay == "third_party").cast("int64"),
        cons_differs=((t._cons != "") & (t.con != t.imp)).cast("int64"),
        one=(t[SEQ] * 0 + 1).cast("int64"),
    )


def _first_day(k: ir.Table) -> ir.Table:
    """``k`` with ``span``: days since the first day of all (at least 30), joined as a
    one-row aggregate: a window without partitions would make Spark run every row
    through one task on one executor."""
    k = k.cross_join(k.aggregate(_day0=k.day.min()))
    return k.mutate(span=(k.day - k._day0).clip(lower=30)).drop("_day0")


def _order(k: ir.Table) -> list[ir.Value]:
    return [k.day, k[SEQ]]


def _keyed(value: ir.NumericValue, key: ir.Value, keyed: bool) -> ir.NumericValue:
    return ibis.cases((_empty(key), 0), else_=value) if keyed else value


def _empty(key: ir.Value) -> ir.BooleanValue:
    """The key names nothing: '' as text, 0 as a number (see :mod:`.numbers`)."""
    return key == (0 if key.type().is_integer() else "")


def _all_windows(k: ir.Table) -> ir.Table:
    """Every row's backward-looking sums, by windows over all rows; keyed by ``_seq``."""
    k = _first_day(k)
    # A firm's first row at an address: summing these counts the firms seen there, the
    # portable way (a distinct count over a window runs on neither engine).
    k = k.mutate(first_at_addr=(ibis.row_number().over(ibis.window(
        group_by=[k.addr, k.imp], order_by=_order(k))) == 0).cast("int64"))
    out = _by_partition(k, k.select(
        k[SEQ], *(k[c] for c in _KEYS), k.span,
        imp_first=k.day.min().over(ibis.window(group_by=k.imp)),
        **{name: _recent(k[value], *(k[c] for c in keys), day=k.day, days=RECENT_DAYS)
           for name, value, keys in RECENT}))
    out = out.mutate(**{name: _keyed(out[name], out[keys[0]], True)
                        for name, _, keys, keyed in PRIOR if keyed})
    return out.drop(*_KEYS)


def _new_windows(k: ir.Table, keep: Keep | None = None) -> ir.Table:
    """The new rows' sums as :func:`_all_windows` gives them, keyed by ``_seq``.

    The rows before the first new day are summed once per key (a grouped aggregate, no
    sort) and added to windows over the rest: the new rows and any history that overlaps
    them. The 30-day sums need only the history of the 30 days before. With a year of
    history and two months of new trade, the windows sort a sixth of the rows.
    """
    k = _first_day(k)
    k = k.cross_join(k.filter(k[SPLIT] == "new").aggregate(_start=k.day.min()))
    before = k.filter(k.day < k._start)
    later = k.filter(k.day >= k._start)
    if keep is not None:
        # Every sum below reads these rows: computed once, not once per reader.
        before = keep("pw_before", before)
    # First rows of a firm at an address: a pair already seen before is not new.
    seen = before.select(_a=before.addr, _i=before.imp).distinct()
    later = later.left_join(seen, [later.addr == seen._a, later.imp == seen._i])
    later = later.mutate(first_at_addr=((ibis.row_number().over(ibis.window(
        group_by=[later.addr, later.imp], order_by=_order(later))) == 0)
        & later._a.isnull()).cast("int64")).drop("_a", "_i")
    if keep is not None:
        later = keep("pw_later", later)
    out = _by_partition(later, later.select(
        later[SEQ], later[SPLIT], later.span, *(later[c] for c in _KEYS),
        imp_first=later.day.min().over(ibis.window(group_by=later.imp))))
    out = out.filter(out[SPLIT] == "new")
    for keys in PRIOR_KEYS:
        specs = [(n, v) for n, v, ks, _ in PRIOR if ks == keys]
        totals = _totals(before, keys)
        out = out.left_join(totals, [out[c] == totals[f"_k_{c}"] for c in keys]).drop(
            *(f"_k_{c}" for c in keys))
        out = out.mutate(**{n: out[n] + out[f"_b_{n}"].fill_null(0) for n, _ in specs}).drop(
            *(f"_b_{n}" for n, _ in specs))
        if keys == ("imp",):
            out = out.mutate(imp_first=ibis.least(out.imp_first, out._b_first.fill_null(
                out.imp_first))).drop("_b_first")
    out = out.mutate(**{name: _keyed(out[name], out[keys[0]], True)
                        for name, _, keys, keyed in PRIOR if keyed})
    tail = k.filter(k.day >= k._start - RECENT_DAYS)
    recent = tail.select(tail[SEQ], **{
        name: _recent(tail[value], *(tail[c] for c in keys), day=tail.day, days=RECENT_DAYS)
        for name, value, keys in RECENT})
    return out.drop(SPLIT, *_KEYS).join(recent, SEQ)


def _totals(before: ir.Table, keys: tuple[str, ...]) -> ir.Table:
    """The :data:`PRIOR` sums of ``keys`` over all of ``before``, one row per key: key
    columns ``_k_{key}``, sums ``_b_{name}``, and for the importer its first day
    ``_b_first``."""
    specs = [(n, v) for n, v, ks, _ in PRIOR if ks == keys]
    return before.group_by([before[c].name(f"_k_{c}") for c in keys]).aggregate(
        # Summing a firm's first rows at an address counts its firms: a distinct count.
        **{f"_b_{n}": before.imp.nunique() if v == "first_at_addr" else before[v].sum()
           for n, v in specs},
        **({"_b_first": before.day.min()} if keys == ("imp",) else {}))


def history_state(rows: ir.Table, products: ir.Table, parties: ir.Table,
                  addresses: ir.Table) -> dict[str, ir.Table]:
    """The history summed per key, for scoring one consignment at a time against it.

    ``totals:{keys}`` holds :func:`_totals` for each set of :data:`PRIOR_KEYS` (joined by
    ``,``), ``recent:{keys}`` the :data:`RECENT` values per key and day over the last
    :data:`RECENT_DAYS` days of the history, ``firms`` the (address, importer) pairs seen
    and ``days`` the history's first and last day. The arguments are those of
    :func:`shipment_features`, every row taken as history.
    """
    k = _narrow(_keyed_rows(rows, products, parties, addresses))
    days = k.aggregate(first=k.day.min(), last=k.day.max())
    tail = k.filter(k.day >= k.day.max().as_scalar() - RECENT_DAYS)
    state = {"days": days, "firms": k.select(addr=k.addr, imp=k.imp).distinct()}
    for keys in PRIOR_KEYS:
        state["totals:" + ",".join(keys)] = _totals(k, keys)
    for keys in dict.fromkeys(keys for _, _, keys in RECENT):
        values = dict.fromkeys(v for _, v, ks in RECENT if ks == keys)
        state["recent:" + ",".join(keys)] = tail.group_by([*keys, "day"]).aggregate(
            **{v: tail[v].sum() for v in values})
    return state


#: The key columns of :data:`PRIOR`.
_KEYS: tuple[str, ...] = tuple(dict.fromkeys(c for _, _, keys, _ in PRIOR for c in keys))
#: The sets of keys of :data:`PRIOR`, each summed by one query.
PRIOR_KEYS: tuple[tuple[str, ...], ...] = tuple(dict.fromkeys(k for _, _, k, _ in PRIOR))


def _by_partition(k: ir.Table, base: ir.Table) -> ir.Table:
    """``base`` with the :data:`PRIOR` sums over ``k``, one narrow query per partition.

    Each window sorts its input together with every column it carries; computed side by
    side, later windows would carry the earlier ones' results too. One query per set of
    keys, holding only ``_seq``, those keys and the values summed, joined back on ``_seq``,
    measured about twice as fast on DuckDB.
    """
    out = base
    for keys in PRIOR_KEYS:
        specs = [(name, value) for name, value, ks, _ in PRIOR if ks == keys]
        order = tuple(_order(k))
        part = k.select(k[SEQ], **{name: _prior(k[value], *(k[c] for c in keys), order=order)
                                   for name, value in specs})
        out = out.join(part, SEQ)
    return out
