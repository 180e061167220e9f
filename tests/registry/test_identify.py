"""Identification behaviour on the real registry, one behaviour per test."""

from __future__ import annotations

import pytest

from precursorwatch.registry import Identifier


def names(identifier: Identifier, text: str, cas: str | None = None,
          hs: str | None = None) -> tuple[str, ...]:
    return identifier.identify(text, cas, hs).names


@pytest.mark.parametrize("text", [
    "Pseudoephedrine hydrochloride USP", "PSEUDO-EPHEDRINE HCl", "pseudo ephedrine HCL 25kg",
    "Psuedoephedrine sulphate", "pseudoephedrin hcl", "Pseudoephedrine HCl (स्यूडोएफेड्रिन)",
    "स्यूडोएफेड्रिन हाइड्रोक्लोराइड",
])
def test_survives_salts_spelling_spacing_case_and_script(identifier: Identifier,
                                                        text: str) -> None:
    assert names(identifier, text) == ("pseudoephedrine",)


def test_pseudoephedrine_is_not_read_as_ephedrine(identifier: Identifier) -> None:
    assert "ephedrine" not in names(identifier, "pseudoephedrine hydrochloride")


def test_salt_form_is_evidence(identifier: Identifier) -> None:
    result = identifier.identify("Ephedrine sulphate BP")
    assert result.names == ("ephedrine",)
    assert any(e.kind == "salt" or "sulphate" in e.text for e in result.matches[0].evidence)


def test_hydrochloride_is_not_hydrochloric_acid(identifier: Identifier) -> None:
    assert names(identifier, "Ephedrine HCl") == ("ephedrine",)
    assert names(identifier, "Hydrochloric acid 33%") == ("hydrochloric acid",)
    assert names(identifier, "HCl 32% technical") == ("hydrochloric acid",)


@pytest.mark.parametrize("text", [
    "Ephedra herb extract 6%", "phenylacetone-free solvent", "Phenylephrine HCl BP",
    "Glacial acetic acid 99.8%", "Petroleum ether 60-80", "Morpholine 99%",
    "Toluene diisocyanate (TDI)", "Methyl ethyl ketone peroxide", "Piperazine citrate",
    "Codeine-free cough syrup", "without pseudoephedrine", "Trazodone HCl tablets",
])
def test_lookalikes_and_negations_are_not_controlled(identifier: Identifier, text: str) -> None:
    assert names(identifier, text) == ()


def test_free_base_is_the_substance(identifier: Identifier) -> None:
    assert names(identifier, "Ephedrine free base") == ("ephedrine",)


def test_valid_cas_reveals_misdeclared_goods(identifier: Identifier) -> None:
    result = identifier.identify("Vitamin C powder", "299-42-3")
    assert result.names == ("ephedrine",)
    kinds = {e.kind for e in result.matches[0].evidence}
    assert {"cas", "conflict"} <= kinds


def test_salt_cas_names_the_parent(identifier: Identifier) -> None:
    result = identifier.identify("Pharma intermediate", "345-78-8")
    assert result.names == ("pseudoephedrine",)
    assert "hydrochloride" in result.evidence_text()


def test_wrong_check_digit_is_reported_and_not_trusted(identifier: Identifier) -> None:
    result = identifier.identify("Ascorbic acid", "299-42-4")
    assert result.names == ()
    assert [r.kind for r in result.remarks] == ["bad_cas"]
    assert "expected 3" in result.remarks[0].text


def test_agreeing_cas_raises_confidence(identifier: Identifier) -> None:
    alone = identifier.identify("Ephedrine HCl").matches[0].confidence
    agreed = identifier.identify("Ephedrine HCl", "50-98-6").matches[0].confidence
    assert agreed > alone


def test_specific_hs_code_hints_at_the_substance(identifier: Identifier) -> None:
    result = identifier.identify("Organic chemical, pharma intermediate", None, "2939.41.00")
    assert result.names == ("ephedrine",)
    assert result.matches[0].evidence[0].kind == "hs"


def test_hs_code_that_does_not_fit_is_a_conflict(identifier: Identifier) -> None:
    result = identifier.identify("Pseudoephedrine HCl", None, "2106.90")
    assert result.names == ("pseudoephedrine",)
    assert any(e.kind == "conflict" for e in result.matches[0].evidence)


def test_medicament_heading_fits_any_active_substance(identifier: Identifier) -> None:
    for text, hs in (("Tramadol 50 mg capsules", "30049000"),
                     ("Pseudoephedrine HCl 60 mg tablets", "300442")):
        match = identifier.identify(text, None, hs).matches[0]
        assert not any(e.kind == "conflict" for e in match.evidence), text


def test_multiple_substances_in_one_row(identifier: Identifier) -> None:
    assert set(names(identifier, "Acetone and toluene mixed solvent")) == {"acetone", "toluene"}


def test_drug_in_a_preparation(identifier: Identifier) -> None:
    assert names(identifier, "Paracetamol 325mg + Tramadol HCl 37.5mg tablets") == ("tramadol",)
    assert names(identifier, "ट्रामाडोल हाइड्रोक्लोराइड टैबलेट") == ("tramadol",)


def test_empty_description_finds_nothing(identifier: Identifier) -> None:
    assert names(identifier, "") == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("Pseudoephedrine HCl free flowing powder", ("pseudoephedrine",)),
    ("Sulphuric acid free of iron", ("sulphuric acid",)),
    ("Acetone free sample", ("acetone",)),
    ("Omega-3 fatty acid ethyl ester", ()),
])
def test_free_that_does_not_mean_absent(identifier: Identifier, text: str,
                                         expected: tuple[str, ...]) -> None:
    assert names(identifier, text) == expected
