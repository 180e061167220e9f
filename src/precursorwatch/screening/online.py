"""One consignment at a time: scoring in milliseconds against a summed history.

The batch path (:mod:`.features`) is a query plan; planning alone costs a database engine
tens of milliseconds, and a server screening consignments as they are declared has twenty
for the whole answer. So the history is summed once per key by the same aggregates the
batch path uses (:func:`.features.history_state`), held as dictionaries, and one row's
features are the few lookups and the arithmetic of :func:`.features.shipment_features`
written for one row. ``tests/screening/test_online.py`` checks that both give the same
features, row for row, so that a consignment scored here and in a batch scores the same.

A consignment is scored as declared after the history: every history row counts as earlier
(in a batch, history rows declared later than a new row do not). A row whose name and
registration number belong to two parties the history holds apart is scored against the
party its number names.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa

from precursorwatch.exceptions import InputError
from precursorwatch.records.validate import validate_batch
from precursorwatch.registry.identify import Identifier
from precursorwatch.registry.substances import Registry
from precursorwatch.screening import engines
from precursorwatch.screening.facts import gather_facts, screening_rows
from precursorwatch.screening.features import (
    FEATURES,
    LN_EPS,
    PRIOR,
    PRIOR_KEYS,
    RECENT,
    RECENT_DAYS,
    UNIT_FACTOR,
    UNIT_FAMILY,
    VAGUE_END_USES,
    history_state,
    shipment_features,
)
from precursorwatch.screening.parties import (
    address_facts,
    identifier_key,
    name_key,
    party_facts,
)
from precursorwatch.screening.products import PRODUCT_KEYS, DesignerCheck, product_facts
from precursorwatch.screening.run import SavedModel, score_rows
from precursorwatch.screening.scores import Scored
from precursorwatch.screening.verdicts import VERDICT_KEYS, verdict_facts
from precursorwatch.screening.watchlist import WatchList, watchlist_facts

__all__ = ["HistoryState", "Screener"]

#: Facts remembered before the cache starts again: a year of trade names fewer values.
_CACHE_SIZE = 200_000
_EPOCH = datetime(1970, 1, 1)
Key = tuple[str, ...]


@dataclass
class HistoryState:
    """The history as sums per key (see :func:`.features.history_state`), in memory."""

    first_day: int | None = None
    last_day: int | None = None
    #: keys -> key values -> {sum name: value}
    totals: dict[Key, dict[Key, dict[str, float]]] = field(default_factory=dict)
    #: keys -> key values -> day -> {value: sum}, for the last RECENT_DAYS days
    recent: dict[Key, dict[Key, dict[int, dict[str, float]]]] = field(default_factory=dict)
    #: address key -> party keys of the importers seen there
    firms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: importer -> first day seen
    first: dict[str, int] = field(default_factory=dict)
    #: name key and registration number -> party key
    party_of_name: dict[str, str] = field(default_factory=dict)
    party_of_id: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, tables: Mapping[str, pa.Table], parties: pa.Table) -> HistoryState:
        """The state from the tables of :func:`.features.history_state`, computed, and the
        history's party facts."""
        state = cls()
        days = tables["days"].to_pylist()[0]
        state.first_day, state.last_day = days["first"], days["last"]
        for keys in PRIOR_KEYS:
            sums = [n for n, _, ks, _ in PRIOR if ks == keys]
            found: dict[Key, dict[str, float]] = {}
            for row in tables["totals:" + ",".join(keys)].to_pylist():
                key = tuple(row[f"_k_{c}"] for c in keys)
                found[key] = {n: row[f"_b_{n}"] or 0 for n in sums}
                if keys == ("imp",) and row["_b_first"] is not None:
                    state.first[key[0]] = row["_b_first"]
            state.totals[keys] = found
        for keys in dict.fromkeys(ks for _, _, ks in RECENT):
            recent: dict[Key, dict[int, dict[str, float]]] = defaultdict(dict)
            for row in tables["recent:" + ",".join(keys)].to_pylist():
                recent[tuple(row[c] for c in keys)][row["day"]] = {
                    v: row[v] for _, v, ks in RECENT if ks == keys}
            state.recent[keys] = recent
        for row in tables["firms"].to_pylist():
            state.firms[row["addr"]].add(row["imp"])
        for row in parties.select(["name", "party_id", "party_key"]).to_pylist():
            state.party_of_name.setdefault(name_key(row["name"]), row["party_key"])
            number = identifier_key(row["party_id"])
            if number:
                state.party_of_id.setdefault(number, row["party_key"])
        return state

    def party(self, name: str, number: str) -> str:
        """The party key of a (name, registration number) pair, as the history keys it."""
        found = self.party_of_id.get(identifier_key(number)) if number else None
        return found or self.party_of_name.get(name_key(name)) or name_key(name)

    def add(self, k: Mapping[str, Any]) -> None:
        """Count one row (its narrow values, see :func:`_narrow_row`) into the history."""
        day = k["day"]
        self.first_day = day if self.first_day is None else min(self.first_day, day)
        self.last_day = day if self.last_day is None else max(self.last_day, day)
        for keys in PRIOR_KEYS:
            sums = self.totals.setdefault(keys, {}).setdefault(
                tuple(k[c] for c in keys), dict.fromkeys(
                    (n for n, _, ks, _ in PRIOR if ks == keys), 0.0))
            for name, value, ks, _ in PRIOR:
                if ks == keys and value != "first_at_addr":
                    sums[name] += k[value]
        firms = self.firms[k["addr"]]
        if k["imp"] not in firms:
            firms.add(k["imp"])
            self.totals[("addr",)][(k["addr"],)]["addr_firms"] += 1
        self.first[k["imp"]] = min(self.first.get(k["imp"], day), day)
        for keys in dict.fromkeys(ks for _, _, ks in RECENT):
            days = self.recent.setdefault(keys, defaultdict(dict))
            sums = days.setdefault(tuple(k[c] for c in keys), {}).setdefault(day, {})
            for _, value, ks in RECENT:
                if ks == keys:
                    sums[value] = sums.get(value, 0.0) + k[value]


class Screener:
    """Scores consignments one by one against a history, with a saved model.

    Build it once (:meth:`from_history`; seconds for a year of trade), then call
    :meth:`score` per consignment; :meth:`add` counts a consignment into the history once
    it is part of the record.
    """

    def __init__(self, state: HistoryState, saved: SavedModel, schema: pa.Schema,
                 identifier: Identifier, registry: Registry,
                 designer: DesignerCheck | None = None, watch: WatchList | None = None
                 ) -> None:
        self.state = state
        self.saved = saved
        #: The batch feature table's columns and types, which one row's table takes.
        self.schema = schema
        self._facts = _Facts(identifier, registry, designer, watch)

    @classmethod
    def from_history(cls, history: pa.Table, saved: SavedModel, identifier: Identifier,
                     registry: Registry, *, designer: DesignerCheck | None = None,
                     watch: WatchList | None = None,
                     backend: Any = None) -> Screener:
        """Sum ``history`` (validated contract rows) on ``backend`` (DuckDB by default)."""
        rows = screening_rows(None, history)
        facts = gather_facts(rows, identifier, registry, designer, watch)
        own = backend is None
        backend = engines.connect() if own else backend
        try:
            tables = [engines.register(backend, f"pw_state_{name}", table) for name, table in
                      (("rows", rows), ("products", facts.products),
                       ("parties", facts.parties), ("addresses", facts.addresses),
                       ("verdicts", facts.verdicts))]
            state = {name: engines.to_arrow(expr)
                     for name, expr in history_state(*tables[:4]).items()}
            schema = shipment_features(*tables, new_only=True).schema().to_pyarrow()
        finally:
            if own:
                engines.stop(backend)
        return cls(HistoryState.from_tables(state, facts.parties), saved, schema,
                   identifier, registry, designer, watch)

    def features(self, record: Mapping[str, Any] | pa.Table) -> pa.Table:
        """One consignment's feature row, as :func:`.pipeline.feature_table` gives it.

        ``record`` is a validated contract row (a one-row table) or a mapping of contract
        fields to text, checked here: a bad field raises :class:`InputError`.
        """
        table = record if isinstance(record, pa.Table) else _validated(record)
        prepared = self._prepared(table.to_pylist()[0])
        return pa.Table.from_pylist([_final(prepared, self._windows(prepared))],
                                    schema=self.schema)

    def score(self, record: Mapping[str, Any] | pa.Table,
              threshold: float | None = None) -> Scored:
        """The screening output row of one consignment, with what explains it."""
        return score_rows(self.features(record), self.saved, threshold)

    def add(self, record: Mapping[str, Any] | pa.Table) -> None:
        """Count a consignment into the history that later ones are scored against."""
        table = record if isinstance(record, pa.Table) else _validated(record)
        self.state.add(_narrow_row(self._prepared(table.to_pylist()[0])))

    def _prepared(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with its facts and derived values: ``_prepared`` of :mod:`.features`."""
        out = dict(row)
        product = self._facts.product(tuple(row[k] or "" for k in PRODUCT_KEYS))
        out.update({k: v for k, v in product.items() if k not in PRODUCT_KEYS})
        out["misdeclared_text"] = out.pop("misdeclared", None)
        out["designer_text"] = out.pop("designer", None)
        # Names of this row that the history does not know still meet each other: a
        # consignee written as the importer's new name is the importer.
        named: dict[str, str] = {}
        for role, name, number in (("exp", "exporter_name", "exporter_id"),
                                   ("imp", "importer_name", "importer_id"),
                                   ("con", "consignee_name", None)):
            text, ident = row[name] or "", (row[number] or "") if number else ""
            fact = self._facts.party(text, ident)
            key = name_key(text)
            out[role] = named[key] if not ident and key in named else self.state.party(
                text, ident)
            named.setdefault(key, out[role])
            out[f"_{role}_fwd"] = fact["forwarder"]
            out[f"_{role}_ws"] = fact["watch_score"]
            out[f"_{role}_wh"] = fact["watch_hit"]
        address = self._facts.address(row["importer_address"] or "")
        out.update(addr=address["address_key"], po_box=address["po_box"],
                   virtual_office=address["virtual_office"],
                   residential=address["residential"])
        verdict = self._facts.verdict((
            product.get("substances") or "", row["export_country"], row["import_country"],
            row["quantity"], row["unit"], row["concentration_pct"]))
        out.update(regulated=verdict.get("regulated"), pen_expected=verdict.get("pen_expected"),
                   rules=verdict.get("rules"))
        unit, quantity = row["unit"], row["quantity"]
        qty = quantity * UNIT_FACTOR.get(unit, 1.0)
        family = UNIT_FAMILY.get(unit, "units")
        primary = out.get("primary") or ""
        threshold = {"kg": out.get("threshold_kg"), "L": out.get("threshold_l")}.get(family)
        value = row["declared_value"]
        seconds = (row["declared_at"].replace(tzinfo=None) - _EPOCH).total_seconds()
        out.update(
            _cons=row["consignee_name"] or "",
            day=int(seconds // 86400), qty=qty, family=family,
            product=(primary or "hs:" + (row["hs_code"] or "")[:6]) + "|" + family,
            threshold=threshold, logq=math.log(qty + LN_EPS),
            lane=row["export_country"] + ">" + row["import_country"],
            route=row["transit_countries"] or "", controlled_b=primary != "",
            unit_price_ln=math.log(value / qty) if value and value > 0 and qty > 0 else None,
            pay=row["payment_method"] or "",
            diverted=int(row["outcome"] == "diverted"),
            importer_key=identifier_key(row["importer_id"] or ""),
        )
        return out

    def _windows(self, p: Mapping[str, Any]) -> dict[str, Any]:
        """The row's sums over the history: the windows of :mod:`.features`."""
        state, k = self.state, _narrow_row(p)
        day = k["day"]
        first_day = day if state.first_day is None else min(state.first_day, day)
        out: dict[str, Any] = {"span": max(day - first_day, 30),
                               "imp_first": min(state.first.get(k["imp"], day), day)}
        for keys in PRIOR_KEYS:
            found = state.totals.get(keys, {}).get(tuple(k[c] for c in keys), {})
            for name, _, ks, keyed in PRIOR:
                if ks == keys:
                    out[name] = 0 if keyed and k[keys[0]] == "" else found.get(name, 0)
        for name, value, keys in RECENT:
            days = state.recent.get(keys, {}).get(tuple(k[c] for c in keys), {})
            out[name] = k[value] + sum(v[value] for d, v in days.items()
                                       if day - RECENT_DAYS <= d <= day)
        return out


class _Facts:
    """The facts of :mod:`.facts` for one value at a time, remembered: a server sees the
    same products, firms and addresses again and again."""

    def __init__(self, identifier: Identifier, registry: Registry,
                 designer: DesignerCheck | None, watch: WatchList | None) -> None:
        self._identifier, self._registry = identifier, registry
        self._designer, self._watch = designer, watch
        self._cache: dict[tuple[Any, ...], dict[str, Any]] = {}

    def _remembered(self, key: tuple[Any, ...], make: Callable[[], pa.Table]
                    ) -> dict[str, Any]:
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            table = make()
            found = self._cache[key] = table.to_pylist()[0] if table.num_rows else {}
        return found

    def product(self, key: tuple[str, ...]) -> dict[str, Any]:
        return self._remembered(("product", *key), lambda: product_facts(
            pa.table({k: [v] for k, v in zip(PRODUCT_KEYS, key, strict=True)}),
            self._identifier, self._designer))

    def party(self, name: str, number: str) -> dict[str, Any]:
        def make() -> pa.Table:
            names, ids = pa.array([name]), pa.array([number])
            found = party_facts(names, ids)
            if self._watch is None:
                return found.append_column("watch_score", pa.array([0.0])).append_column(
                    "watch_hit", pa.array([""]))
            hits = watchlist_facts(self._watch, names, ids)
            return found.append_column("watch_score", hits.column("watch_score")
                                       ).append_column("watch_hit", hits.column("watch_hit"))
        return self._remembered(("party", name, number), make)

    def address(self, address: str) -> dict[str, Any]:
        return self._remembered(("address", address),
                                lambda: address_facts(pa.array([address], pa.string())))

    def verdict(self, key: tuple[Any, ...]) -> dict[str, Any]:
        if not key[0]:  # no substance recognised: nothing to judge (the batch joins none)
            return {}
        return self._remembered(("verdict", *key), lambda: verdict_facts(
            pa.table({k: [v] for k, v in zip(VERDICT_KEYS, key, strict=True)}),
            self._registry))


def _validated(record: Mapping[str, Any]) -> pa.Table:
    text = {k: None if v is None else str(v) for k, v in record.items()}
    checked = validate_batch(pa.RecordBatch.from_pylist([text]),
                             np.ones(1, dtype=np.int64), "consignment")
    if checked.errors:
        raise checked.errors[0] if len(checked.errors) == 1 else InputError(
            "; ".join(str(e) for e in checked.errors), file="consignment", row=1)
    return pa.Table.from_batches([checked.rows])


def _narrow_row(p: Mapping[str, Any]) -> dict[str, Any]:
    """The values the sums read: ``_narrow`` of :mod:`.features` for one row."""
    return {
        "day": p["day"], "imp": p["imp"], "exp": p["exp"], "con": p["con"],
        "product": p["product"], "lane": p["lane"], "route": p["route"], "addr": p["addr"],
        "importer_key": p["importer_key"], "import_country": p["import_country"],
        "logq": p["logq"], "qty": p["qty"], "diverted": p["diverted"],
        "cur": p["currency"] or "", "has_price": int(p["unit_price_ln"] is not None),
        "price_ln": p["unit_price_ln"] or 0.0, "third": int(p["pay"] == "third_party"),
        "cons_differs": int(p["_cons"] != "" and p["con"] != p["imp"]), "one": 1,
    }


def _ratio(a: float, n: float) -> float | None:
    return a / n if n > 0 else None


def _final(p: dict[str, Any], w: dict[str, Any]) -> dict[str, Any]:
    """The features from the prepared row and its sums: the last step of
    :func:`.features.shipment_features`."""
    out = {**p, **w}
    qty, logq, threshold = p["qty"], p["logq"], p["threshold"]
    need_rate = w["dest_prod_qty"] * 365.0 / w["span"]
    route = p["route"]

    def mean_gap(n: str, total: str) -> float | None:
        return logq - w[total] / w[n] if w[n] > 0 else None

    def per_threshold(value: float) -> float | None:
        return None if threshold is None else value / threshold

    def share(part: str, whole: str) -> float:
        return w[part] / w[whole] if w[whole] > 0 else 0.0

    roles = (("_imp_wh", "Importer"), ("_exp_wh", "Exporter"), ("_con_wh", "Consignee"))
    out.update(
        imp_days=p["day"] - w["imp_first"], need_rate=need_rate,
        log_qty=math.log(qty + 1.0),
        controlled=int(p["controlled_b"]),
        un_table_i=int(p.get("un_table") == "I"),
        drug=int(p.get("kind") == "drug"),
        regulated=int(bool(p["regulated"])),
        q_vs_imp=mean_gap("imp_prod_n", "imp_prod_logq"),
        q_vs_lane=mean_gap("lane_prod_n", "lane_prod_logq"),
        q_vs_prod=mean_gap("prod_n", "prod_logq"),
        need_ratio=math.log(qty + 1.0) - math.log(need_rate + 1.0),
        split_ratio30=per_threshold(w["split_qty30"]),
        under_ratio=per_threshold(qty),
        exp_split_ratio30=per_threshold(w["exp_split_qty30"]),
        transit_n=0 if route == "" else route.count(";") + 1,
        route_share=_ratio(w["route_n"], w["lane_n"]),
        consignee_differs=int(p["_cons"] != "" and p["con"] != p["imp"]),
        consignee_forwarder=int(p["_cons"] != "" and bool(p["_con_fwd"])),
        po_box=int(bool(p["po_box"])),
        virtual_office=int(bool(p["virtual_office"])),
        residential=int(bool(p["residential"])),
        importer_id_missing=int(p["importer_key"] == ""),
        pay_cash=int(p["pay"] == "cash"),
        pay_crypto=int(p["pay"] == "crypto"),
        pay_third=int(p["pay"] == "third_party"),
        price_dev=(p["unit_price_ln"] - w["price_sum"] / w["price_n"]
                   if p["unit_price_ln"] is not None and w["price_n"] > 0 else None),
        vague_end_use=int((p["end_use"] or "").lower().strip() in VAGUE_END_USES),
        pen_missing=int(bool(p["pen_expected"]) and (p["pen_reference"] or "").strip() == ""),
        misdeclared=int((p.get("misdeclared_text") or "") != ""),
        vague=int(bool(p.get("vague"))),
        designer=int((p.get("designer_text") or "") != ""),
        courier_post=int(p["transport_mode"] in ("courier", "post")),
        watch=max(p["_exp_ws"] or 0.0, p["_imp_ws"] or 0.0, p["_con_ws"] or 0.0),
        watch_hit=next((p[c].replace("{role}", role) for c, role in roles if p[c]), ""),
        offender_share=max(share("imp_diverted", "imp_n"), share("addr_diverted", "addr_n"),
                           share("id_diverted", "id_n")),
    )
    assert all(name in out for name in FEATURES)
    return out


