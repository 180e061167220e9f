"""Features of every consignment against the trade before it, as one Ibis expression.

Every feature looks only backwards: a row is compared with the rows declared before it
(earlier days, or earlier in the input on the same day), so that a feature means the same
thing for a history row used in training and for a new row being screened, and nothing a
reviewer learns later leaks into the past. History and new rows are one table; the windows
do the rest, on DuckDB by default and on Spark unchanged.

Entities are keyed by the normalised name (see :mod:`.parties`): the key every row has.
Quantities are compared in base units (kg, L or units) and on a log scale, where "ten times
more" is the same step for grams of a fentanyl precursor and tonnes of a solvent.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

__all__ = ["FEATURES", "SEQ", "SPLIT", "shipment_features"]

#: Which part of the input a row is: ``history`` (what is known) or ``new`` (to be scored).
SPLIT = "_split"
#: A row's position in history-then-new order: the tie-break between rows of one day.
SEQ = "_seq"

#: The model's inputs, in order. Each is documented where it is computed.
FEATURES: tuple[str, ...] = (
    "log_qty", "controlled", "un_table_i", "drug", "regulated", "imp_n", "imp_days",
    "imp_prod_n", "q_vs_imp", "lane_prod_n", "q_vs_lane", "q_vs_prod", "need_ratio", "pair_n",
    "exp_n",
    "split_n30", "split_ratio30", "under_ratio", "exp_split_n30", "exp_split_ratio30",
    "transit_n", "lane_n", "route_share", "consignee_differs", "consignee_forwarder", "cons_n",
    "po_box", "virtual_office", "residential", "importer_id_missing", "pay_cash",
    "pay_crypto", "pay_third", "imp_third_n", "price_dev", "vague_end_use", "pen_missing",
    "misdeclared", "vague", "designer", "imp_diverted", "addr_diverted", "id_diverted",
    "exp_diverted", "courier_post", "addr_firms", "offender_share", "watch",
)

_VAGUE_END_USES = ("", "trading", "trade", "general", "general use", "industrial use",
                   "industrial", "research", "research and development", "resale",
                   "pharmaceutical intermediate", "various", "stock", "samples")
_LN_EPS = 1e-9


def _flag(expr: ir.BooleanValue) -> ir.IntegerValue:
    return expr.fill_null(False).cast("int8")


def _prepared(rows: ir.Table, products: ir.Table, parties: ir.Table, addresses: ir.Table,
              verdicts: ir.Table) -> ir.Table:
    """Rows with their product, party, address and verdict facts and base quantities."""
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
                              f"_{role}_ws": "watch_score", f"_{role}_wh": "watch_hit"})
        t = t.left_join(q, [t[name] == q[f"_{role}_name"], t[number] == q[f"_{role}_pid"]]
                        ).drop(f"_{role}_name", f"_{role}_pid")
    a = addresses.rename(_iaddr_r="address", addr="address_key")
    t = t.left_join(a, t._iaddr == a._iaddr_r).drop("_iaddr_r")
    v = verdicts.mutate(_vconc=verdicts.concentration_pct.fill_null(-1.0)).rename(
        _vsub="substances", _vexp="export_country", _vimp="import_country",
        _vq="quantity", _vunit="unit").drop("concentration_pct")
    t = t.left_join(v, [t.substances == v._vsub, t.export_country == v._vexp,
                        t.import_country == v._vimp, t.quantity == v._vq,
                        t.unit == v._vunit, t._conc == v._vconc]).drop(
        "_vsub", "_vexp", "_vimp", "_vq", "_vunit", "_vconc")
    unit = t.unit
    factor = ibis.cases((unit == "g", 0.001), (unit == "t", 1000.0), (unit == "mL", 0.001),
                        else_=1.0)
    family = ibis.cases((unit.isin(("kg", "g", "t")), "kg"), (unit.isin(("L", "mL")), "L"),
                        else_="units")
    qty = t.quantity * factor
    hs6 = t._hs.substr(0, 6)
    primary = t.primary.fill_null("")
    product = ibis.cases((primary != "", primary), else_="hs:" + hs6) + "|" + family
    threshold = ibis.cases((family == "kg", t.threshold_kg), (family == "L", t.threshold_l),
                           else_=ibis.null("float64"))
    return t.mutate(
        day=(t.declared_at.epoch_seconds() // 86400).cast("int64"),
        qty=qty, family=family, product=product, threshold=threshold,
        logq=(qty + _LN_EPS).ln(),
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


def _prior_keyed(value: ir.NumericValue, key: ir.StringValue, *,
                 order: tuple[ir.Value, ...]) -> ir.NumericValue:
    """:func:`_prior` for a key that may be empty: rows without the key share nothing."""
    return ibis.cases((key == "", 0), else_=_prior(value, key, order=order))


def _share(part: ir.NumericValue, whole: ir.NumericValue) -> ir.FloatingValue:
    return ibis.cases((whole > 0, part / whole), else_=0.0)


def _recent(value: ir.NumericValue, *keys: ir.Value, day: ir.IntegerValue,
            days: int) -> ir.NumericValue:
    """Sum of ``value`` over the rows with the same keys within ``days`` up to this day."""
    window = ibis.window(group_by=list(keys), order_by=day, range=(-days, 0))
    return value.sum().over(window).fill_null(0)


def shipment_features(rows: ir.Table, products: ir.Table, parties: ir.Table,
                      addresses: ir.Table, verdicts: ir.Table) -> ir.Table:
    """Every row of ``rows`` with the columns of :data:`FEATURES` and what reasons need.

    ``rows`` holds contract columns plus ``_split`` and ``_seq``; ``products``,
    ``parties``, ``addresses`` and ``verdicts`` are the facts tables of
    :func:`~.products.product_facts`, :func:`~.parties.party_facts`,
    :func:`~.parties.address_facts` and :func:`~.verdicts.verdict_facts`.
    """
    t = _prepared(rows, products, parties, addresses, verdicts)
    # The first day of all, joined as a one-row aggregate: a window without partitions
    # would make Spark run every row through one task on one executor.
    t = t.cross_join(t.aggregate(_day0=t.day.min()))
    # A firm's first row at an address: summing these counts the firms seen there, the
    # portable way (a distinct count over a window runs on neither engine).
    t = t.mutate(first_at_addr=(ibis.row_number().over(ibis.window(
        group_by=[t.addr, t.imp], order_by=[t.day, t[SEQ]])) == 0).cast("int64"))
    order = (t.day, t[SEQ])
    one = (t[SEQ] * 0 + 1).cast("int64")
    has_price = t.unit_price_ln.notnull().cast("int64")
    third = (t.pay == "third_party").cast("int64")
    cons_differs = (t._cons != "") & (t.con != t.imp)
    imp_n = _prior(one, t.imp, order=order)
    imp_prod_n = _prior(one, t.imp, t.product, order=order)
    lane_prod_n = _prior(one, t.lane, t.product, order=order)
    lane_n = _prior(one, t.lane, order=order)
    dest_prod_qty = _prior(t.qty, t.import_country, t.product, order=order)
    price_n = _prior(has_price, t.product, t.currency.fill_null(""), order=order)
    first_day = t.day.min().over(ibis.window(group_by=t.imp))
    span = (t.day - t._day0).clip(lower=30)
    w = t.mutate(
        imp_n=imp_n,
        imp_days=t.day - first_day,
        imp_prod_n=imp_prod_n,
        imp_prod_logq=_prior(t.logq, t.imp, t.product, order=order),
        lane_prod_n=lane_prod_n,
        prod_n=_prior(one, t.product, order=order),
        prod_logq=_prior(t.logq, t.product, order=order),
        lane_prod_logq=_prior(t.logq, t.lane, t.product, order=order),
        need_rate=dest_prod_qty * 365.0 / span,
        pair_n=_prior(one, t.exp, t.imp, order=order),
        exp_n=_prior(one, t.exp, order=order),
        split_n30=_recent(one, t.imp, t.product, day=t.day, days=30),
        split_qty30=_recent(t.qty, t.imp, t.product, day=t.day, days=30),
        exp_split_n30=_recent(one, t.exp, t.product, t.import_country, day=t.day, days=30),
        exp_split_qty30=_recent(t.qty, t.exp, t.product, t.import_country, day=t.day,
                                days=30),
        lane_n=lane_n,
        route_n=_prior(one, t.lane, t.route, order=order),
        cons_n=_prior(cons_differs.cast("int64"), t.con, order=order),
        imp_third_n=_prior(third, t.imp, order=order),
        price_n=price_n,
        price_sum=_prior(t.unit_price_ln.fill_null(0.0), t.product,
                         t.currency.fill_null(""), order=order),
        imp_diverted=_prior(t.diverted, t.imp, order=order),
        addr_diverted=_prior_keyed(t.diverted, t.addr, order=order),
        id_diverted=_prior_keyed(t.diverted, t.importer_key, order=order),
        addr_firms=_prior_keyed(t.first_at_addr, t.addr, order=order),
        addr_n=_prior_keyed(one, t.addr, order=order),
        id_n=_prior_keyed(one, t.importer_key, order=order),
        exp_diverted=_prior(t.diverted, t.exp, order=order),
    )
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
        vague_end_use=_flag(w.end_use.fill_null("").lower().strip().isin(_VAGUE_END_USES)),
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
