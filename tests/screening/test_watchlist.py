"""Watch-list hits: the ways one firm's name is written meet, other firms' names do not.

Uses ``tests/fixtures/watchlist.ftm.jsonl`` (twelve listed parties from India, the US,
Mexico, Germany and Hong Kong, plus an Address and an Event) and one simulation, whose
incident reports name firms whose trade is in its history.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pytest
from followthemoney import EntityProxy, model

from precursorwatch.exceptions import UsageError
from precursorwatch.ids import gstin
from precursorwatch.records import read_entities
from precursorwatch.screening.watchlist import (
    NAME_THRESHOLD,
    WatchList,
    watch_key,
    watchlist_facts,
)
from precursorwatch.simulate import Simulation, simulate

FIXTURE = Path(__file__).parent.parent / "fixtures" / "watchlist.ftm.jsonl"


@pytest.fixture(scope="module")
def watch() -> WatchList:
    return WatchList.from_entities(read_entities(FIXTURE))


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(20_000, 7)


def company(name: str, schema: str = "Company", **props: str) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = name.casefold().replace(" ", "-")
    proxy.add("name", name)
    for prop, value in props.items():
        proxy.add(prop, value)
    return proxy


def test_only_party_like_entities_are_listed(watch: WatchList) -> None:
    assert len(watch) == 12
    assert {e.schema for e in watch.entries} == {"Company", "Person", "Organization"}
    assert all(e.schema not in ("Address", "Event") for e in watch.entries)


def test_entries_carry_names_identifiers_and_a_label(watch: WatchList) -> None:
    ganesh = watch.entries[0]
    assert ganesh.names == ("Shree Ganesh Chemicals Private Limited", "श्री गणेश केमिकल्स",
                            "Shree Ganesh Chemicals Pvt. Ltd.")
    # The GSTIN, and the PAN inside it that other lists give as the registration number.
    assert ganesh.identifiers == ("27AAKCS4821M1ZW", "AAKCS4821M")
    assert ganesh.countries == ("in",)
    assert ganesh.label == ('"Shree Ganesh Chemicals Private Limited" '
                            "[in_ncb_watch, Drug trafficking]")
    pacific = next(e for e in watch.entries if e.id == "us-dea-0001")
    assert pacific.identifiers == ("680256287",)


@pytest.mark.parametrize(("declared", "listed"), [
    # legal forms and honorifics
    ("M/s. Shree Ganesh Chemicals Pvt. Ltd.", "in-ncb-0001"),
    ("SHREE GANESH CHEMICALS (P) LTD.", "in-ncb-0001"),
    ("Shree Ganesh Chemicals P. Ltd", "in-ncb-0001"),
    ("Pacific Crest Supply, L.L.C.", "us-dea-0001"),
    ("PACIFIC CREST SUPPLY", "us-dea-0001"),
    ("QUÍMICA DEL NORTE SA DE CV", "mx-uif-0001"),
    ("Quimica del Norte S. A. de C. V.", "mx-uif-0001"),
    ("Europa Pharma G.m.b.H.", "de-zoll-0001"),
    ("Eastern Commodities Ltd", "hk-cr-0001"),
    # transliteration variants and Devanagari
    ("Sri Ganesh Chemicals Private Limited", "in-ncb-0001"),
    ("Shri Ganesh Chemicals", "in-ncb-0001"),
    ("श्री गणेश केमिकल्स प्राइवेट लिमिटेड", "in-ncb-0001"),
    ("श्री गणेश केमिकल्स", "in-ncb-0001"),
    ("Lakshmi Laboratories International LLP", "in-ncb-0002"),
    ("Rajesh Kumar Sarma", "in-ncb-0004"),
    # abbreviations
    ("Shri Ganesh Chem. Pvt Ltd", "in-ncb-0001"),
    ("Laxmi Labs Intl. L.L.P.", "in-ncb-0002"),
    ("Great Lakes Labs, Inc.", "us-dea-0003"),
    ("Konkan Chem. Traders Assn.", "in-ncb-0005"),
    # word order
    ("Ganesh Chemicals Shree Pvt. Ltd.", "in-ncb-0001"),
    ("SHARMA Rajesh Kumar", "in-ncb-0004"),
    ("MENDOZA RUIZ Carlos Alberto", "us-dea-0004"),
    # one-letter typos
    ("Shree Ganseh Chemicals Pvt Ltd", "in-ncb-0001"),
    ("Shree Ganesh Chemicls", "in-ncb-0001"),
    ("Pacfic Crest Supply LLC", "us-dea-0001"),
    ("Qumica del Norte", "mx-uif-0001"),
    ("Tulsi Biotehc LLP", "in-ncb-0003"),
])
def test_variants_of_a_listed_name_hit(watch: WatchList, declared: str, listed: str) -> None:
    hit = watch.match(declared)
    assert hit is not None, declared
    assert hit.entry.id == listed
    assert hit.how == "name"
    assert NAME_THRESHOLD <= hit.score <= 1


@pytest.mark.parametrize("declared", [
    # other firms sharing the generic words
    "Ganesh Logistics",
    "Shree Ganesh Logistics Pvt Ltd",
    "Shree Ganesh Pharma Pvt Ltd",
    "Shree Mahesh Chemicals Pvt Ltd",
    "Ganesh Chemicals",
    "Global Trading LLC",
    "Global Pharma Trading LLC",
    "Pacific Crest Logistics LLC",
    "Atlantic Crest Supply LLC",
    "Quimica del Sur S.A. de C.V.",
    "Great Lakes Chemicals Inc.",
    "Eastern Pharma Limited",
    # the same words under another legal form: an LLP is not the private limited company
    "Shree Ganesh Chemicals LLP",
    # persons are not the companies named after them, nor other persons
    "Sharma Chemicals Pvt Ltd",
    "Rajesh Chemicals",
    "Rajesh Sharma",
    "Mendoza Trading S.A. de C.V.",
    # a one-letter change in a name under ten letters is another name
    "Europa Farms GmbH",
    "",
])
def test_other_names_do_not_hit(watch: WatchList, declared: str) -> None:
    assert watch.match(declared) is None


@pytest.mark.parametrize("identifier", [
    "27AAKCS4821M1ZW", "27 aakcs 4821 m1zw", "27-AAKCS-4821-M1ZW",
    "AAKCS4821M",  # the PAN inside the listed GSTIN
    "07AAKCS4821M1Z" + gstin.check_char("07AAKCS4821M1Z"),  # the same PAN, another state
])
def test_identifiers_hit_whatever_their_punctuation(watch: WatchList, identifier: str) -> None:
    hit = watch.match("Unrelated Name Ltd", identifier)
    assert hit is not None
    assert (hit.entry.id, hit.how, hit.score) == ("in-ncb-0001", "identifier", 1.0)


@pytest.mark.parametrize(("identifier", "listed"), [
    ("68-0256287", "us-dea-0001"), ("680256287", "us-dea-0001"),
    ("rg 123 4563", "us-dea-0003"), ("QNO-980512-AB3", "mx-uif-0001"),
    ("HRB 104823", "de-zoll-0001"),
])
def test_us_mexican_and_german_identifiers_hit(watch: WatchList, identifier: str,
                                               listed: str) -> None:
    hit = watch.match("", identifier)
    assert hit is not None and hit.entry.id == listed


def test_short_or_unknown_identifiers_fall_back_to_the_name(watch: WatchList) -> None:
    assert watch.match("Nobody Ltd", "12345") is None
    assert watch.match("Nobody Ltd", "27AAKCS4821M1ZX") is None  # a bad GSTIN says no PAN
    hit = watch.match("Pacific Crest Supply", "99-9999999")
    assert hit is not None and hit.how == "name"


def test_sentences_name_the_role_the_party_and_the_evidence(watch: WatchList) -> None:
    by_name = watch.match("Shri Ganesh Chem. Pvt Ltd")
    assert by_name is not None
    assert by_name.sentence("importer") == (
        'Importer "Shri Ganesh Chem. Pvt Ltd" matches watch-list entry "Shree Ganesh '
        'Chemicals Private Limited" [in_ncb_watch, Drug trafficking] (name similarity 1.00)')
    typo = watch.match("Pacfic Crest Supply LLC")
    assert typo is not None
    assert typo.sentence("exporter") == (
        'Exporter "Pacfic Crest Supply LLC" matches watch-list entry "Pacific Crest Supply '
        'LLC" [us_dea_watch, Drug trafficking] (name similarity 0.97)')
    by_id = watch.match("", "68-0256287")
    assert by_id is not None
    assert by_id.sentence("{role}") == (
        '{role} with identifier 680256287 matches watch-list entry "Pacific Crest Supply '
        'LLC" [us_dea_watch, Drug trafficking] (same identifier 680256287)')


def test_the_key_is_shared_by_the_ways_of_writing_a_name() -> None:
    keys = {watch_key(n) for n in ("M/s. Shree Ganesh Chemicals Pvt. Ltd.",
                                   "SHRI GANESH CHEM (P) LTD", "Sri Ganesh Chemicals Limited",
                                   "Ganesh Chemicals, Shree")}
    assert len(keys) == 1
    assert watch_key("लक्ष्मी फार्मा") == watch_key("Laxmi Pharma") == watch_key(
        "Lakshmi Pharma Pvt Ltd")
    assert watch_key("Pvt. Ltd.") == ""


def test_a_name_listed_only_in_devanagari_meets_its_latin_spellings() -> None:
    watch = WatchList.from_entities([company("महालक्ष्मी ऑर्गेनिक्स")])
    for declared in ("Mahalaxmi Organics", "MAHALAKSHMI ORGANICS PVT LTD",
                     "M/s. Mahalakshmi Organics"):
        hit = watch.match(declared)
        assert hit is not None and hit.score >= NAME_THRESHOLD, declared
    assert watch.match("Mahalaxmi Pharma") is None


def test_person_titles_are_dropped_from_listed_persons() -> None:
    watch = WatchList.from_entities([company("Dr. Anil Deshpande", "Person")])
    hit = watch.match("Anil Deshpande")
    assert hit is not None and hit.score == 1.0


def test_facts_give_one_row_per_pair_with_a_role_placeholder(watch: WatchList) -> None:
    names = pa.chunked_array([["Shri Ganesh Chem. Pvt Ltd", None], ["Ganesh Logistics",
                                                                   "Acme"]])
    ids = pa.array([None, "68-0256287", "", None])
    facts = watchlist_facts(watch, names, ids)
    assert facts.schema == pa.schema([("name", pa.string()), ("party_id", pa.string()),
                                      ("watch_score", pa.float64()),
                                      ("watch_hit", pa.string())])
    assert facts.column("name").to_pylist() == ["Shri Ganesh Chem. Pvt Ltd", "",
                                                "Ganesh Logistics", "Acme"]
    assert facts.column("party_id").to_pylist() == ["", "68-0256287", "", ""]
    assert facts.column("watch_score").to_pylist() == [1.0, 1.0, 0.0, 0.0]
    hits = facts.column("watch_hit").to_pylist()
    assert hits[0].startswith('{role} "Shri Ganesh Chem. Pvt Ltd" matches watch-list entry')
    assert hits[1].startswith("{role} with identifier 680256287 matches")
    assert hits[2:] == ["", ""]
    assert hits[0].replace("{role}", "Importer").startswith('Importer "Shri Ganesh')


def test_facts_need_as_many_identifiers_as_names(watch: WatchList) -> None:
    with pytest.raises(UsageError, match="2 names but 1 identifiers"):
        watchlist_facts(watch, pa.array(["a", "b"]), pa.array(["x"]))


def test_an_empty_list_hits_nothing() -> None:
    empty = WatchList.from_entities([])
    assert len(empty) == 0
    assert empty.match("Shree Ganesh Chemicals", "27AAKCS4821M1ZW") is None


def test_the_simulated_incidents_find_their_firms_in_the_history(sim: Simulation) -> None:
    watch = WatchList.from_entities(sim.incidents)
    companies = {e.id for e in sim.incidents if e.schema.name == "Company"}
    assert companies <= {e.id for e in watch.entries}
    assert all(e.schema in ("Company", "Person") for e in watch.entries)
    firm_of = {r["entity_id"]: r["party_id"] for r in sim.parties.to_pylist()
               if r["schema"] == "Company"}
    listed = set(firm_of.values())
    importer_of = dict(zip(sim.labels.column("shipment_id").to_pylist(),
                           sim.labels.column("importer_party").to_pylist(), strict=True))
    written: dict[str, set[str]] = defaultdict(set)
    for shipment, name in zip(sim.history.column("shipment_id").to_pylist(),
                              sim.history.column("importer_name").to_pylist(), strict=True):
        if importer_of[shipment] in listed and name:
            written[importer_of[shipment]].add(name)
    assert written, "no incident firm imports in history"
    firm = sorted(written)[0]
    name = sorted(written[firm])[0]
    hit = watch.match(name)
    assert hit is not None, name
    assert firm_of[hit.entry.id] == firm
    # Across all of them: nearly every way the history writes a listed importer's name
    # finds that importer (the rest are abbreviations rigour does not know, "Ind.").
    pairs = [(firm, n) for firm, names in written.items() for n in names]
    found = [(firm, n) for firm, n in pairs
             if (h := watch.match(n)) is not None and firm_of.get(h.entry.id) == firm]
    assert len(found) >= 0.9 * len(pairs)
