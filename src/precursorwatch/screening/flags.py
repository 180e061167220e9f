"""Red flags: the published indicators of precursor diversion, as named rules.

Each flag is a small function over the feature columns (see :mod:`.features`) that says on
which rows it fires; its docstring is the sentence a reviewer reads, filled in with the row's
values. The indicators and their sources are in ``docs/red-flags.md``: the DEA's "Know your
customer" and suspicious-order indicators (21 U.S.C. 830(b), 21 CFR 1310.05, 1301.74(b)), the
1988 Convention's pre-export notification (art. 12(10)), the INCB's precursors reports, and
India's RCS Order 2013 and CBIC circulars.

The sources agree that no indicator is a verdict on its own ("applied to the totality of
the circumstances"), so every flag carries a weight in log-odds, and the rule score adds
them up: one weak flag never raises an alert, two strong ones do. The weights are expert
judgement, written here and reviewed like the registry data; the learned model (see
:mod:`.model`) refines them where labelled history exists, and the flags keep catching
schemes the history has never seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

__all__ = ["FLAGS", "Flag", "fire", "sentence"]

Column = npt.NDArray[Any]
Frame = Mapping[str, Column]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Flag:
    """One red flag: its name, weight (log-odds added to the rule score) and its test."""

    name: str
    weight: float
    template: str
    test: Callable[[Frame], Mask]
    #: The feature columns the flag reads: the learned path's contributions of these are
    #: credited to the flag when reasons are ranked.
    uses: tuple[str, ...] = ()


FLAGS: list[Flag] = []


def _flag(weight: float, *uses: str
          ) -> Callable[[Callable[[Frame], Mask]], Callable[[Frame], Mask]]:
    def register(test: Callable[[Frame], Mask]) -> Callable[[Frame], Mask]:
        template = " ".join((test.__doc__ or test.__name__).split("\n\n")[0].split())
        FLAGS.append(Flag(test.__name__, weight, template, test, uses))
        return test
    return register


def _num(frame: Frame, name: str) -> npt.NDArray[np.float64]:
    return np.nan_to_num(np.asarray(frame[name], dtype=np.float64), nan=0.0)


def _on(frame: Frame, name: str) -> Mask:
    return np.asarray(frame[name], dtype=np.float64) > 0


def _controlled(frame: Frame) -> Mask:
    return _on(frame, "controlled")


# Multiples that make a quantity "extraordinary" (21 U.S.C. 830(b)(1)(A)). Ordinary trade
# in the sources' examples swings two to four times with seasons and restocking; five times
# a party's own median is beyond that.
_ABOVE_HISTORY = math.log(5.0)
# A consignment ten times the usual size of its goods' consignments anywhere is large
# enough for its destination's need to matter.
_LARGE = math.log(10.0)
_PRICE_OFF = math.log(3.0)


@_flag(2.5, "pen_missing", "regulated", "un_table_i")
def no_pen(f: Frame) -> Mask:
    """A pre-export notification is expected for {substances} from {export_country} to
    {import_country}, but none is cited.

    1988 Convention art. 12(10)(a); 21 CFR 1313.21; RCS Order 2013 para 10.
    """
    return _on(f, "pen_missing")


@_flag(5.0, "q_vs_imp", "imp_prod_n", "log_qty")
def quantity_above_history(f: Frame) -> Mask:
    """{quantity:g} {unit} of {substances} is {imp_multiple:.0f} times this importer's usual
    consignment of it.

    "Extraordinary quantity" (21 U.S.C. 830(b)(1)(A)); "orders of unusual size" (21 CFR
    1301.74(b)). Needs three earlier consignments of the product to know what is usual.
    """
    return _controlled(f) & (_num(f, "imp_prod_n") >= 3) & (_num(f, "q_vs_imp") >= _ABOVE_HISTORY)


@_flag(5.0, "need_ratio", "q_vs_prod", "q_vs_lane")
def quantity_above_need(f: Frame) -> Mask:
    """{quantity:g} {unit} of {substances} is {prod_multiple:.0f} times a usual consignment
    of it, to {import_country}, which has no established trade in it on this scale.

    1988 Convention art. 12(8)(b)(iv); INCB annual legitimate requirements. "Established"
    means five earlier consignments on the lane and a year's recorded imports above this
    one; without the INCB's published requirements, the history stands in for them.
    """
    established = (_num(f, "need_ratio") <= 0) & (_num(f, "lane_prod_n") >= 5)
    return _controlled(f) & (_num(f, "q_vs_prod") >= _LARGE) & ~established


@_flag(5.0, "split_n30", "split_ratio30", "under_ratio", "exp_split_n30", "exp_split_ratio30")
def split_orders(f: Frame) -> Mask:
    """{split_n:.0f} consignments of {substances} in 30 days, each under the US threshold of
    {threshold:g} {family}, together {split_multiple:.1f} times it.

    21 CFR 1310.04: cumulative thresholds over a calendar month; 21 U.S.C. 832(a)(3) "a
    series of orders". Orders from one exporter to one destination country count together.
    """
    under = _num(f, "under_ratio")
    together = np.maximum(_num(f, "split_ratio30"), _num(f, "exp_split_ratio30"))
    many = np.maximum(_num(f, "split_n30"), _num(f, "exp_split_n30")) >= 2
    return (under > 0) & (under < 1) & (together >= 1) & many


@_flag(1.5, "imp_n", "imp_days", "pair_n", "imp_prod_n")
def new_importer(f: Frame) -> Mask:
    """Controlled goods to an importer with {imp_n:.0f} earlier consignments and none from
    this exporter.

    21 U.S.C. 971(d)(1)(B) and 21 CFR 1313.16: a "regular customer" is one with an
    established business relationship; a new one is the first thing to check.
    """
    first = _num(f, "pair_n") < 1
    return _controlled(f) & (_num(f, "imp_n") < 20) & first


@_flag(1.5, "consignee_forwarder", "cons_n")
def forwarder_consignee(f: Frame) -> Mask:
    """Consigned to {consignee_name}, a freight forwarder, instead of the importer.

    1988 Convention art. 12(10)(a)(i) asks for the consignee; INCB: forwarders used to
    redirect consignments on arrival.
    """
    return _controlled(f) & _on(f, "consignee_forwarder")


@_flag(0.7, "consignee_differs")
def consignee_differs(f: Frame) -> Mask:
    """The goods go to {consignee_name}, not to the importer.

    21 U.S.C. 971(d)(1)(B) and 21 CFR 1313.13: a notification names the transferee; goods
    received by another party escape the importer's own controls.
    """
    return _controlled(f) & _on(f, "consignee_differs") & ~_on(f, "consignee_forwarder")


@_flag(1.5, "addr_firms")
def shared_address(f: Frame) -> Mask:
    """The importer's address was already used by {addr_firms:.0f} other firms.

    FinCEN FIN-2024-A002 and FATF-Egmont (2021): front companies share virtual offices and
    registered-agent addresses.
    """
    return _controlled(f) & (_num(f, "addr_firms") >= 2)


@_flag(1.5, "po_box", "virtual_office", "residential")
def unusual_address(f: Frame) -> Mask:
    """The importer's address is a PO box, a virtual office or a residence.

    DEA Chemical Handler's Manual, "Know your customer"; FinCEN FIN-2024-A002.
    """
    return _controlled(f) & (_on(f, "po_box") | _on(f, "virtual_office") | _on(f, "residential"))


@_flag(2.5, "transit_n", "route_share", "lane_n")
def transit_detour(f: Frame) -> Mask:
    """Routed through {transit_countries}, which ordinary consignments from {export_country}
    to {import_country} do not pass.

    Canada PCR s. 86(2)(d) "route of delivery"; 21 CFR 1313.31 (transshipment).
    """
    usual = _num(f, "route_share")
    return _controlled(f) & (_num(f, "transit_n") >= 1) & (usual < 0.02) & (
        _num(f, "lane_n") >= 10)


@_flag(4.5, "misdeclared")
def misdeclared(f: Frame) -> Mask:
    """The declaration contradicts itself: {misdeclared_text}.

    WCO fraud typologies; INCB 2018 precursors report para 70; CBIC Circular 15/2023.
    """
    return _on(f, "misdeclared")


@_flag(1.5, "vague")
def vague_description(f: Frame) -> Mask:
    """The description "{product_description}" names a class of goods, not a chemical.

    1988 Convention art. 12(9)(d): goods labelled with their names; INCB 2018 precursors
    report para 70 (vague descriptions hide scheduled substances).
    """
    return _on(f, "vague")


@_flag(1.5, "price_dev")
def price_off_market(f: Frame) -> Mask:
    """The declared unit price is {price_multiple} the usual price of these goods.

    FATF-Egmont (2021) and WCO: values far from the market hide what the goods are.
    """
    return np.abs(_num(f, "price_dev")) >= _PRICE_OFF


@_flag(2.5, "pay_cash", "pay_crypto")
def cash_or_crypto_payment(f: Frame) -> Mask:
    """Paid in {payment_method} for controlled goods.

    "Uncommon method of payment" (21 U.S.C. 830(b)(1)(A)); Canada PCR s. 86(2)(e); FinCEN
    FIN-2024-A002 (cryptocurrency in precursor purchases). Chemical trade between firms
    pays by wire or letter of credit.
    """
    return _controlled(f) & (_on(f, "pay_cash") | _on(f, "pay_crypto"))


@_flag(1.5, "pay_third", "imp_third_n")
def third_party_payment(f: Frame) -> Mask:
    """Paid by a third party, not by the importer, for controlled goods.

    "Uncommon method of payment" (21 U.S.C. 830(b)(1)(A)); FATF-Egmont (2021). Weaker than
    cash: a parent company paying for its subsidiary is common and legitimate.
    """
    return _controlled(f) & _on(f, "pay_third")


@_flag(0.7, "vague_end_use")
def vague_end_use(f: Frame) -> Mask:
    """The declared end use ({end_use_said}) does not say what the goods are for.

    Canada PCR s. 86(2)(c); 21 CFR 1313.22(a).
    """
    return _controlled(f) & _on(f, "vague_end_use")


@_flag(0.5, "importer_id_missing")
def unregistered_importer(f: Frame) -> Mask:
    """The importer of controlled goods gives no registration number.

    21 CFR 1301.74(a); RCS Order 2013 para 4.
    """
    return _controlled(f) & _on(f, "importer_id_missing")


@_flag(0.5, "courier_post")
def courier_delivery(f: Frame) -> Mask:
    """Controlled goods sent by {transport_mode}.

    "Uncommon method of delivery" (21 U.S.C. 830(b)(1)(A)).
    """
    return _controlled(f) & _on(f, "courier_post")


@_flag(5.0, "designer")
def designer_precursor(f: Frame) -> Mask:
    """{designer_text}

    DEA Special Surveillance List (88 FR 73044); EU Regulations 2022/1518, 2023/196; close
    structural analogues of controlled precursors (see :mod:`.designer`).
    """
    return _on(f, "designer")


@_flag(3.0, "offender_share", "imp_diverted", "addr_diverted", "id_diverted", "exp_diverted")
def known_offender(f: Frame) -> Mask:
    """The importer, its address or its registration number had {known_diverted:.0f} earlier
    consignments judged diverted, {offender_pct:.0f}% of their trade.

    21 U.S.C. 830(b)(1)(B); DEA suspension orders. A firm abused once among hundreds of
    ordinary orders is not an offender; one whose trade was mostly diverted is.
    """
    return _num(f, "offender_share") >= 0.3


@_flag(5.0, "watch")
def watch_list(f: Frame) -> Mask:
    """{watch_hit}

    21 U.S.C. 830(b)(1)(B); watch lists loaded as FollowTheMoney entities.
    """
    return _on(f, "watch")


class _PerRow:
    """A column computed one row at a time, when a sentence reads that row.

    Only the few rows with reasons are ever read; formatting text for every row of a
    million took seconds (measured: the price words and the quoted end use were most of
    the flags' time on a year's trade)."""

    def __init__(self, frame: Frame, value: Callable[[Frame, int], str]) -> None:
        self._frame = frame
        self._value = value

    def __getitem__(self, row: int) -> str:
        return self._value(self._frame, row)


def _price_words(frame: Frame, row: int) -> str:
    """'3 times above' or '3 times below': how far the unit price is from the usual."""
    dev = float(np.nan_to_num(np.float64(_value_or_nan(frame["price_dev"][row]))))
    with np.errstate(over="ignore"):
        times = float(np.exp(np.abs(np.float64(dev))))
    return ("%.0f times below" if dev < 0 else "%.0f times above") % times


def _end_use_said(frame: Frame, row: int) -> str:
    """The declared end use in double quotes, or 'none given'."""
    text = frame["end_use"][row]
    return f'"{text}"' if text else "none given"


def _value_or_nan(value: Any) -> float:
    return math.nan if value is None else float(value)


def _multiple(frame: Frame) -> dict[str, Column]:
    """Numbers the sentences quote, in the reviewer's terms rather than logarithms."""
    threshold = np.nan_to_num(np.asarray(frame["threshold"], dtype=np.float64), nan=1.0)
    split = np.maximum(_num(frame, "split_ratio30"), _num(frame, "exp_split_ratio30"))
    return {
        "imp_multiple": np.exp(_num(frame, "q_vs_imp")),
        "prod_multiple": np.exp(_num(frame, "q_vs_prod")),
        "split_multiple": split,
        # The 30-day windows include the row itself.
        "split_n": np.maximum(_num(frame, "split_n30"), _num(frame, "exp_split_n30")),
        "price_multiple": _PerRow(frame, _price_words),
        "threshold": threshold,
        "offender_pct": 100 * _num(frame, "offender_share"),
        "end_use_said": _PerRow(frame, _end_use_said),
        "known_diverted": np.maximum.reduce([_num(frame, "imp_diverted"),
                                             _num(frame, "addr_diverted"),
                                             _num(frame, "id_diverted")]),
    }


class _Columns(dict[str, Column]):
    """The feature table's columns as numpy arrays, each converted when first read.

    A feature table has a hundred columns, most of them text that only a few sentences
    quote; converting them all up front took longer than scoring a million rows.
    """

    def __init__(self, table: pa.Table) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, name: str) -> Column:
        column: Column = self._table.column(name).to_numpy(zero_copy_only=False)
        self[name] = column
        return column


def fire(features: pa.Table) -> tuple[dict[str, Column], npt.NDArray[np.bool_]]:
    """Evaluate every flag on ``features``: the frame the sentences read, and a boolean
    matrix (rows x :data:`FLAGS`)."""
    frame: dict[str, Column] = _Columns(features)
    frame.update(_multiple(frame))
    fired = np.zeros((features.num_rows, len(FLAGS)), dtype=np.bool_)
    for k, item in enumerate(FLAGS):
        fired[:, k] = item.test(frame)
    return frame, fired


def sentence(item: Flag, frame: Frame, row: int) -> str:
    """The flag's sentence for one row, its placeholders filled from that row."""
    return item.template.format_map(_Row(frame, row))


class _Row(dict[str, Any]):
    """A mapping that reads one row of a frame lazily; a missing value reads as ''."""

    def __init__(self, frame: Frame, row: int) -> None:
        super().__init__()
        self._frame = frame
        self._row = row

    def __missing__(self, key: str) -> Any:
        value = self._frame[key][self._row]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return value
