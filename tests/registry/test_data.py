"""The registry is reviewed data: these tests are the review's checklist, run on every row."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from precursorwatch.ids import cas
from precursorwatch.registry import Registry, Substance
from precursorwatch.registry.substances import LIST_FILES
from precursorwatch.registry.text import squash


def _list(list_id: str) -> dict[str, Any]:
    text = resources.files("precursorwatch.registry").joinpath(f"data/{list_id}.yaml")
    data: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    return data


ROWS = [(list_id, i, row) for list_id in LIST_FILES
        for i, row in enumerate(_list(list_id)["rows"], start=1)]


@pytest.mark.parametrize(("list_id", "index", "row"), ROWS,
                         ids=[f"{lid}:{r['name']}" for lid, _, r in ROWS])
def test_every_row_has_valid_cas_and_cites_a_known_source(list_id: str, index: int,
                                                          row: dict[str, Any]) -> None:
    assert cas.is_valid(str(row["cas"])), f"{row['cas']} fails its check digit"
    for salt in row.get("other_cas") or {}:
        assert cas.is_valid(str(salt)), f"salt CAS {salt} fails its check digit"
    sources = _list(list_id)["sources"]
    cited = row["source"] if isinstance(row["source"], list) else [row["source"]]
    assert cited, "cites no source"
    for source_id in cited:
        assert source_id in sources and str(sources[source_id]).strip()
    if row.get("hs_code") is not None:
        assert len(str(row["hs_code"])) == 6 and str(row["hs_code"]).isdigit()
    if row.get("verified") is False:
        assert row.get("note"), "an unverified row must say what was not verified"


def _names(registry: Registry) -> set[str]:
    return {s.name.casefold() for s in registry.substances}


def test_un_tables_hold_every_scheduled_precursor(registry: Registry) -> None:
    table_i = {s.name.casefold() for s in registry.substances if s.un_table == "I"}
    table_ii = {s.name.casefold() for s in registry.substances if s.un_table == "II"}
    for name in ("acetic anhydride", "ephedrine", "pseudoephedrine", "norephedrine",
                 "1-phenyl-2-propanone", "3,4-methylenedioxyphenyl-2-propanone",
                 "potassium permanganate", "phenylacetic acid", "safrole", "isosafrole",
                 "piperonal", "lysergic acid", "ergometrine", "ergotamine",
                 "n-acetylanthranilic acid", "alpha-phenylacetoacetonitrile",
                 "n-phenethyl-4-piperidone", "4-anilino-n-phenethylpiperidine",
                 "alpha-phenylacetoacetamide", "methyl alpha-phenylacetoacetate",
                 "4-anilinopiperidine", "norfentanyl", "4-piperidone"):
        assert name in table_i, name
    assert table_ii == {"acetone", "anthranilic acid", "ethyl ether", "hydrochloric acid",
                        "methyl ethyl ketone", "piperidine", "sulphuric acid", "toluene"}
    assert registry.by_cas("125541-22-2") is not None  # 1-boc-4-AP


def test_us_lists_carry_thresholds(registry: Registry) -> None:
    listed = [s for s in registry.substances if s.us_list in ("I", "II")]
    assert len([s for s in listed if s.us_list == "I"]) >= 25
    assert len([s for s in listed if s.us_list == "II"]) >= 8
    ephedrine = registry.by_name("ephedrine")
    assert ephedrine is not None and ephedrine.us_list == "I"
    assert ephedrine.us_threshold is not None and ephedrine.us_threshold.amount == 0
    acetone = registry.by_name("acetone")
    assert acetone is not None and acetone.us_list == "II"
    assert acetone.us_threshold is not None and acetone.us_threshold.amount > 0


def test_pharmaceutical_drugs_have_us_schedule_and_indian_status(registry: Registry) -> None:
    for name in ("tramadol", "codeine", "fentanyl", "oxycodone", "morphine", "alprazolam",
                 "diazepam", "zolpidem"):
        drug = registry.by_name(name)
        assert drug is not None, name
        assert drug.kind == "drug" and drug.us_schedule, name
        assert drug.in_control, name
        assert drug.listing("US") and drug.listing("IN"), name


def test_india_controls_its_precursors(registry: Registry) -> None:
    for name in ("acetic anhydride", "ephedrine", "pseudoephedrine", "anthranilic acid"):
        substance = registry.by_name(name)
        assert substance is not None and substance.in_control, name
        assert substance.in_export_authorisation, name


def test_every_substance_cites_sources(registry: Registry) -> None:
    for substance in registry.substances:
        assert substance.citations, substance.name
        assert all(listing.citations for listing in substance.listings), substance.name


def test_no_name_points_at_two_substances(registry: Registry) -> None:
    owner: dict[str, Substance] = {}
    clashes = []
    for substance in registry.substances:
        for name in (substance.name, *substance.synonyms):
            key = squash(name)
            if key in owner and owner[key].cas != substance.cas:
                clashes.append((name, owner[key].name, substance.name))
            owner.setdefault(key, substance)
    assert clashes == []


def test_no_salt_cas_is_claimed_by_two_substances(registry: Registry) -> None:
    owner: dict[str, str] = {}
    for substance in registry.substances:
        for number in (substance.cas, *(c for c, _ in substance.other_cas)):
            assert owner.setdefault(number, substance.name) == substance.name, number


def test_lookalikes_are_not_controlled_names(registry: Registry) -> None:
    data = _list("lookalikes")
    controlled = {squash(n) for s in registry.substances for n in (s.name, *s.synonyms)}
    for entry in data["phrases"]:
        assert squash(entry["phrase"]) not in controlled, entry["phrase"]
        assert entry["is"], entry["phrase"]


def test_list_headers_name_their_instrument_and_date() -> None:
    for list_id in LIST_FILES:
        data = _list(list_id)
        assert data["list"] == list_id
        assert data["title"] and data["as_of"]


def test_hs_hints_point_at_substances_with_that_subheading(registry: Registry) -> None:
    data = _list("hs_subheadings")
    assert data["source"]
    seen = set()
    for row in data["rows"]:
        known = registry.by_cas(row["cas"])
        assert known is not None, row
        assert known[0].hs_code == row["hs"], (row, known[0].hs_code)
        assert row["hs"] not in seen
        seen.add(row["hs"])


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_libyaml_reads_every_list_as_the_python_parser_does() -> None:
    # The registry loads with libyaml's parser for speed; the review above reads the
    # lists with the pure-Python one. Equal data means the review covers what is loaded.
    from precursorwatch.registry.substances import _read_list

    for list_id in LIST_FILES:
        assert _read_list(list_id) == _list(list_id), list_id
