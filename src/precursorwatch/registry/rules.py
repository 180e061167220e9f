"""When a consignment is a regulated transaction, needs an authorisation, or a notification.

Each jurisdiction's rule is a small function that reads the typed facts of a
:class:`~precursorwatch.registry.substances.Substance` and one consignment and returns a
:class:`RuleResult`: whether it applies and a sentence that cites its legal source. The
sentences are what a reviewer reads, so they say the quantity, the threshold and the section.

Scope: one consignment at a time. Rules that add consignments up (the cumulative monthly
thresholds of 21 CFR 1310.04) need a history and belong to screening; here they are named in
the sentence so that a reviewer knows they exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from precursorwatch.registry.substances import Substance, Threshold

__all__ = ["Consignment", "RuleResult", "Verdict", "judge"]

_MASS_KG = {"kg": 1.0, "g": 0.001, "t": 1000.0, "mg": 1e-6}
_VOLUME_L = {"L": 1.0, "l": 1.0, "mL": 0.001, "ml": 0.001}


@dataclass(frozen=True)
class Consignment:
    """What the rules need to know of one consignment line."""

    export_country: str
    import_country: str
    quantity: float | None = None
    unit: str | None = None
    concentration_pct: float | None = None


@dataclass(frozen=True)
class RuleResult:
    """One rule weighed against one substance of a consignment."""

    jurisdiction: Literal["UN", "US", "IN"]
    rule: str
    substance: str
    applies: bool
    sentence: str


@dataclass(frozen=True)
class Verdict:
    """The law's view of a consignment: one flag per jurisdiction and the rules behind them."""

    us_regulated: bool
    in_authorisation: bool
    pen_expected: bool
    results: tuple[RuleResult, ...]

    @property
    def regulated(self) -> bool:
        """A regulated transaction under the law of the export or the import country."""
        return self.us_regulated or self.in_authorisation

    def sentences(self) -> tuple[str, ...]:
        """The sentences of the rules that apply, in the order they were weighed."""
        return tuple(r.sentence for r in self.results if r.applies)


def _in_threshold_unit(quantity: float, unit: str,
                       threshold: Threshold) -> tuple[float, float, str] | None:
    """(amount, threshold, unit) in a unit both share, or None when they do not compare.

    A volume meets a weight threshold through the volume the regulation states beside it.
    """
    if unit in _MASS_KG and threshold.unit in _MASS_KG:
        return (quantity * _MASS_KG[unit] / _MASS_KG[threshold.unit], threshold.amount,
                threshold.unit)
    if unit in _VOLUME_L and threshold.unit in _VOLUME_L:
        return (quantity * _VOLUME_L[unit] / _VOLUME_L[threshold.unit], threshold.amount,
                threshold.unit)
    if unit in _VOLUME_L and threshold.litres is not None:
        return quantity * _VOLUME_L[unit], threshold.litres, "L"
    return None


def _threshold_for(substance: Substance, row: Consignment) -> Threshold | None:
    """The threshold 21 CFR 1310.04 sets for this kind of transaction, or None when none does.

    Imports and exports may have their own thresholds: some for exports only, some for
    exports to named destinations only; the most specific one that fits wins. Domestic trade,
    and international trade in a chemical without international thresholds, use the plain
    one. A chemical whose only thresholds are for other kinds of transaction has none here.
    """
    specials = substance.us_export_thresholds
    if row.export_country == row.import_country or not specials:
        return substance.us_threshold
    us_export = row.export_country == "US"
    for special in specials:
        if special.destinations and us_export and row.import_country in special.destinations:
            return special
    for special in specials:
        exports_only = "import" not in (special.scope or "").lower()
        if not special.destinations and (us_export or not exports_only):
            return special
    return None


def _mixture_exemption(substance: Substance, row: Consignment) -> str | None:
    """Why a mixture is exempt under 21 CFR 1310.12, or None when it is not."""
    pct, limit = row.concentration_pct, substance.us_mixture_exempt_pct
    if pct is None or limit is None or pct >= 100:
        return None
    us_export = row.export_country == "US" and row.import_country != "US"
    if substance.us_mixture_exempt_scope == "exports" and not us_export:
        return ("domestic and import transactions in mixtures of it are exempt at any "
                "concentration (21 CFR 1310.12; 69 FR 74957)")
    if pct <= limit:
        return (f"a mixture at {pct:g}% is at or below the {limit:g}% exemption of "
                f"21 CFR 1310.12")
    return None


def _us_rule(substance: Substance, row: Consignment) -> RuleResult | None:
    """21 U.S.C. 802(39) and 21 CFR 1310.04, 1310.12, part 1312: a US regulated transaction."""
    if "US" not in (row.export_country, row.import_country):
        return None
    name = substance.name
    if substance.us_schedule and not substance.us_list:
        permits = ("an import or export permit (21 CFR 1312.11, 1312.21)"
                   if substance.us_schedule in ("I", "II")
                   else "an import or export declaration or permit (21 CFR part 1312)")
        return RuleResult("US", "us.controlled_substance", name, True,
                          f"{name} is a Schedule {substance.us_schedule} controlled substance "
                          f"in the US: every import or export needs {permits}")
    if not substance.us_list:
        return None
    label = f"{name} is a List {substance.us_list} chemical (21 CFR 1310.02)"
    exempt = _mixture_exemption(substance, row)
    if exempt is not None:
        return RuleResult("US", "us.mixture_exempt", name, False, f"{label}, but {exempt}")
    threshold = _threshold_for(substance, row)
    if threshold is None and substance.us_export_thresholds:
        return RuleResult("US", "us.threshold", name, False,
                          f"{label}, but 21 CFR 1310.04 sets its import and export thresholds "
                          f"only for other transactions than this one "
                          f"({row.export_country} to {row.import_country})")
    if threshold is None:
        return RuleResult("US", "us.listed_chemical", name, True,
                          f"{label}; no threshold is recorded, so the transaction is treated "
                          f"as regulated")
    if threshold.amount == 0:
        return RuleResult("US", "us.threshold", name, True,
                          f"{label} with no threshold: every transaction is regulated "
                          f"(21 CFR 1310.04)")
    if row.quantity is None or row.unit is None:
        return RuleResult("US", "us.threshold", name, True,
                          f"{label} with a threshold of {threshold.describe()}; no quantity was "
                          f"declared, so the transaction is treated as regulated")
    compared = _in_threshold_unit(row.quantity, row.unit, threshold)
    if compared is None:
        return RuleResult("US", "us.threshold", name, True,
                          f"{label} with a threshold of {threshold.describe()}; {row.quantity:g} "
                          f"{row.unit} cannot be compared with it without a density, so the "
                          f"transaction is treated as regulated")
    amount, limit, unit = compared
    if threshold.basis == "base" and row.concentration_pct is not None:
        amount *= row.concentration_pct / 100
    applies = amount >= limit
    verb = "meets" if applies else "is below"
    return RuleResult("US", "us.threshold", name, applies,
                      f"{label}: {amount:g} {unit} {verb} the threshold of "
                      f"{threshold.describe()} (21 CFR 1310.04)")


# (direction, drug?) -> (rule id, what is needed, its source). Drugs follow the NDPS Rules;
# precursors the RCS Order, whose schedules say which need an export or import NOC.
_INDIA_CONSENT = {
    ("export", True): ("in.ndps_export", "an export authorisation",
                       "NDPS Rules, 1985, chapter VII"),
    ("import", True): ("in.ndps_import", "an import certificate",
                       "NDPS Rules, 1985, chapter VII"),
    ("export", False): ("in.rcs_export", "a no objection certificate", "RCS Order 2013, para 10"),
    ("import", False): ("in.rcs_import", "a no objection certificate",
                        "RCS Order 2013, Schedule C"),
}


def _india_rule(substance: Substance, row: Consignment) -> Iterable[RuleResult]:
    """RCS Order 2013 and NDPS Rules chapter VII: Indian export/import consent."""
    control = substance.in_control
    if not control or row.export_country == row.import_country:
        return
    drug = substance.kind == "drug"
    for direction, applies in (
        ("export", row.export_country == "IN" and (drug or substance.in_export_authorisation)),
        ("import", row.import_country == "IN" and (drug or substance.in_import_authorisation)),
    ):
        if applies:
            rule, needed, source = _INDIA_CONSENT[(direction, drug)]
            yield RuleResult("IN", rule, substance.name, True,
                             f"{substance.name} is controlled in India ({control}): "
                             f"{direction} needs {needed} from the Narcotics Commissioner "
                             f"({source})")


def _un_rule(substance: Substance, row: Consignment) -> RuleResult | None:
    """1988 Convention art. 12(10)(a): pre-export notification for Table I substances."""
    if row.export_country == row.import_country or not substance.un_table:
        return None
    if substance.un_table == "I":
        return RuleResult("UN", "un.pen", substance.name, True,
                          f"{substance.name} is in Table I of the 1988 Convention: the exporting "
                          f"country is expected to send a pre-export notification to "
                          f"{row.import_country} (art. 12(10)(a))")
    return RuleResult("UN", "un.pen", substance.name, False,
                      f"{substance.name} is in Table II of the 1988 Convention: a pre-export "
                      f"notification is sent only where {row.import_country} has asked for one "
                      f"(art. 12(10)(a))")


def judge(substances: Iterable[Substance], row: Consignment) -> Verdict:
    """Weigh every rule of every jurisdiction against the substances of one consignment."""
    results: list[RuleResult] = []
    for substance in substances:
        us = _us_rule(substance, row)
        if us is not None:
            results.append(us)
        results.extend(_india_rule(substance, row))
        un = _un_rule(substance, row)
        if un is not None:
            results.append(un)
    return Verdict(
        us_regulated=any(r.applies and r.jurisdiction == "US" for r in results),
        in_authorisation=any(r.applies and r.jurisdiction == "IN" for r in results),
        pen_expected=any(r.applies and r.rule == "un.pen" for r in results),
        results=tuple(results),
    )
