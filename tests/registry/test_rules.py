"""Jurisdiction rules on the real registry: thresholds, mixtures, authorisations, notices."""

from __future__ import annotations

from precursorwatch.registry import Consignment, Registry, judge


def _sub(registry: Registry, name: str):  # type: ignore[no-untyped-def]
    substance = registry.by_name(name)
    assert substance is not None, name
    return substance


def test_ephedrine_export_to_us_is_regulated_in_any_quantity(registry: Registry) -> None:
    verdict = judge([_sub(registry, "ephedrine")], Consignment("IN", "US", 0.001, "kg"))
    assert verdict.us_regulated and verdict.regulated
    sentence = next(r.sentence for r in verdict.results if r.jurisdiction == "US")
    assert "1310" in sentence


def test_india_needs_export_authorisation_for_its_controlled_substances(
    registry: Registry,
) -> None:
    verdict = judge([_sub(registry, "acetic anhydride")], Consignment("IN", "CA", 1200, "L"))
    assert verdict.in_authorisation
    assert not verdict.us_regulated  # the US is neither exporter nor importer
    assert any("RCS Order" in s for s in verdict.sentences())


def test_table_i_expects_a_pre_export_notification(registry: Registry) -> None:
    verdict = judge([_sub(registry, "pseudoephedrine")], Consignment("IN", "US", 10, "kg"))
    assert verdict.pen_expected
    table_ii = judge([_sub(registry, "toluene")], Consignment("US", "IN", 10, "kg"))
    assert not table_ii.pen_expected


def test_below_threshold_is_not_a_us_regulated_transaction(registry: Registry) -> None:
    acetone = _sub(registry, "acetone")
    threshold = acetone.us_threshold
    assert threshold is not None and threshold.amount > 0
    small = judge([acetone], Consignment("US", "US", threshold.amount / 10, threshold.unit))
    large = judge([acetone], Consignment("US", "US", threshold.amount * 10, threshold.unit))
    assert not small.us_regulated
    assert large.us_regulated
    assert "below" in small.results[0].sentence and "meets" in large.results[0].sentence


def test_imports_and_exports_use_their_own_threshold(registry: Registry) -> None:
    acetone = _sub(registry, "acetone")
    domestic = acetone.us_threshold
    assert domestic is not None and acetone.us_export_thresholds
    international = acetone.us_export_thresholds[0]
    assert international.amount != domestic.amount
    between = (domestic.amount + international.amount) / 2
    assert judge([acetone], Consignment("US", "US", between, domestic.unit)).us_regulated != (
        judge([acetone], Consignment("US", "IN", between, domestic.unit)).us_regulated)


def test_units_convert_before_comparing(registry: Registry) -> None:
    acetone = _sub(registry, "acetone")
    threshold = acetone.us_threshold
    assert threshold is not None
    small_unit = {"kg": "g", "L": "mL"}[threshold.unit]
    just_below = judge([acetone], Consignment("US", "US", threshold.amount * 999, small_unit))
    just_above = judge([acetone], Consignment("US", "US", threshold.amount * 1001, small_unit))
    assert not just_below.us_regulated and just_above.us_regulated


def test_mixture_below_exemption_is_not_regulated(registry: Registry) -> None:
    exempt = [s for s in registry.substances if s.us_mixture_exempt_pct]
    assert exempt, "the registry records 21 CFR 1310.12 concentration limits"
    substance = exempt[0]
    limit = substance.us_mixture_exempt_pct
    assert limit is not None
    weak = judge([substance], Consignment("US", "IN", 10_000, "kg", limit / 2))
    strong = judge([substance], Consignment("US", "IN", 10_000, "kg", min(100.0, limit * 1.5)))
    assert not weak.us_regulated and "1310.12" in weak.results[0].sentence
    assert strong.us_regulated


def test_scheduled_drug_needs_us_permit_and_indian_authorisation(registry: Registry) -> None:
    verdict = judge([_sub(registry, "fentanyl")], Consignment("IN", "US", 1, "g"))
    assert verdict.us_regulated and verdict.in_authorisation
    assert any("permit" in s for s in verdict.sentences())


def test_domestic_trade_of_another_country_is_out_of_scope(registry: Registry) -> None:
    verdict = judge([_sub(registry, "acetone")], Consignment("DE", "FR", 99999, "kg"))
    assert not verdict.regulated and not verdict.pen_expected


def test_solvent_mixture_limit_applies_to_exports_only(registry: Registry) -> None:
    toluene = _sub(registry, "toluene")
    assert toluene.us_mixture_exempt_scope == "exports"
    limit = toluene.us_mixture_exempt_pct
    assert limit is not None
    imported = judge([toluene], Consignment("IN", "US", 99_999, "kg", limit + 10))
    exported = judge([toluene], Consignment("US", "IN", 99_999, "kg", limit + 10))
    weak_export = judge([toluene], Consignment("US", "IN", 99_999, "kg", limit - 10))
    assert not imported.us_regulated and "69 FR 74957" in imported.results[0].sentence
    assert exported.us_regulated
    assert not weak_export.us_regulated


def test_destination_and_export_only_thresholds_apply_to_those_transactions_only(
    registry: Registry,
) -> None:
    mibk = _sub(registry, "methyl isobutyl ketone")
    [special] = [t for t in mibk.us_export_thresholds if t.destinations]
    outside = next(c for c in ("CA", "IN", "DE") if c not in special.destinations)
    inside = special.destinations[0]
    assert not judge([mibk], Consignment("US", outside, 10_000, "kg")).us_regulated
    assert judge([mibk], Consignment("US", inside, 10_000, "kg")).us_regulated
    acid = _sub(registry, "hydrochloric acid")
    assert not judge([acid], Consignment("IN", "US", 10, "kg")).us_regulated


def test_volumes_meet_weight_thresholds_through_the_stated_volume(registry: Registry) -> None:
    acetone = _sub(registry, "acetone")
    international = acetone.us_export_thresholds[0]
    assert international.litres is not None
    below = judge([acetone], Consignment("US", "MX", international.litres * 0.9, "L"))
    above = judge([acetone], Consignment("US", "MX", international.litres * 1100, "mL"))
    assert not below.us_regulated and above.us_regulated
    assert " L " in below.results[0].sentence
