import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from precursorwatch.entities.names import NameParts, normalise_name


def _parts(name: str, *, person: bool = False) -> NameParts:
    parts = normalise_name(name, person=person)
    assert parts is not None, name
    return parts


TULSI = ["M/s. Tulsi Biotech Pvt. Ltd.", "TULSI BIOTECH PRIVATE LIMITED", "Tulsi Biotech P. Ltd",
         "Tulsi Biotech (P) Ltd", "Tulsi Biotech Pvt.Ltd.", "Messrs Tulsi Biotech Pvt Ltd",
         "Tulsi Biotech Private Limited Company"]


@pytest.mark.parametrize("name", TULSI)
def test_spellings_of_an_indian_private_limited_company_meet(name: str) -> None:
    parts = _parts(name)
    assert parts.tokens == ("tulsi", "biotech")
    assert parts.key == "biotech tulsi"
    assert parts.legal_form == "pvt_ltd"
    assert parts.original == name


@pytest.mark.parametrize("name", ["तुलसी बायोटेक प्राइवेट लिमिटेड", "मेसर्स तुलसी बायोटेक प्रा. लि."])
def test_devanagari_name_is_romanised_and_meets_its_latin_spelling(name: str) -> None:
    parts = _parts(name)
    latin = _parts("TULSI BIOTECH PRIVATE LIMITED")
    assert parts.latin.isascii()
    assert parts.tokens[0] == "tulsi"  # schwa deletion: not "tulasi"
    assert parts.legal_form == "pvt_ltd"  # प्राइवेट लिमिटेड and प्रा. लि. read as Pvt. Ltd.
    # "बायोटेक" romanises as "bayotek": the words differ, their sounds do not.
    assert parts.key != latin.key
    assert parts.phonetic_key == latin.phonetic_key


def test_other_legal_forms_keep_the_name_but_not_the_form() -> None:
    llp = _parts("Tulsi Biotech L.L.P.")
    assert llp.key == _parts(TULSI[0]).key
    assert llp.legal_form == "llp"
    assert _parts("Tulsi Biotech Limited Liability Partnership").legal_form == "llp"
    assert _parts("Tulsi Biotech Limited").legal_form == "ltd"


@pytest.mark.parametrize(("names", "form"), [
    (["Acme Inc.", "ACME INCORPORATED", "Acme, Inc"], "inc"),
    (["Acme LLC", "Acme L.L.C.", "Acme Limited Liability Company"], "llc"),
    (["Acme Corp.", "ACME CORPORATION", "Acme Corpn."], "corp"),
    (["Acme Co.", "Acme Company"], "co"),
    (["Hebei Acme Co., Ltd.", "Hebei Acme Company Limited"], "ltd"),
])
def test_us_and_other_legal_forms_fold_to_one_code(names: list[str], form: str) -> None:
    assert {_parts(n).legal_form for n in names} == {form}
    assert len({_parts(n).key for n in names}) == 1


def test_several_trailing_forms_are_all_removed_and_the_last_one_counts() -> None:
    parts = _parts("ABC Trading Co. LLC")
    assert parts.legal_form == "llc"
    assert parts.key == _parts("ABC Trading LLC").key


def test_different_trades_of_one_name_stay_apart() -> None:
    logistics, chemicals = _parts("Ganesh Logistics"), _parts("Ganesh Chemicals")
    assert logistics.key != chemicals.key
    assert logistics.phonetic_key != chemicals.phonetic_key


@pytest.mark.parametrize(("short", "long"), [
    ("Shri Ganesh Chem Intl", "Shri Ganesh Chemicals International"),
    ("Sun Pharma & Mfg Co", "Sun Pharmaceuticals and Manufacturing Company"),
    ("Apex Labs", "APEX LABORATORIES"),
    ("Gupta Bros. Exports", "Gupta Brothers Exports"),
])
def test_abbreviations_meet_their_long_forms(short: str, long: str) -> None:
    assert _parts(short).key == _parts(long).key


def test_ampersand_and_and_are_one() -> None:
    assert _parts("Patel & Sons Chemicals").key == _parts("Patel and Sons Chemicals").key


def test_word_order_does_not_change_the_key() -> None:
    assert _parts("Biotech Tulsi").key == _parts("Tulsi Biotech").key


def test_romanisation_variants_share_a_phonetic_key() -> None:
    assert _parts("Shree Ganesh Chemicals").phonetic_key == \
        _parts("श्री गणेश केमिकल्स").phonetic_key
    assert _parts("Laxmi Organics").phonetic_key == _parts("Lakshmi Organics").phonetic_key


def test_person_honorifics_and_word_order() -> None:
    a = _parts("Mr. Rakesh Kumar Sharma", person=True)
    b = _parts("SHARMA, RAKESH KUMAR", person=True)
    assert a.tokens == ("rakesh", "kumar", "sharma")
    assert a.key == b.key
    assert _parts("Smt. Sunita Devi", person=True).tokens == ("sunita", "devi")
    assert _parts("Shri Rakesh Kumar S/o Ram Kumar", person=True).tokens == ("rakesh", "kumar")
    assert _parts("Rakesh Kumar", person=True).legal_form is None


def test_a_title_inside_a_firm_name_is_part_of_the_name() -> None:
    assert _parts("Dr. Reddy's Laboratories Ltd").tokens[0] == "dr"
    assert _parts("Shree Cement Ltd").tokens[0] == "shree"


def test_missing_or_empty_names_give_none() -> None:
    for name in (None, "", "   ", "M/s.", "..."):
        assert normalise_name(name) is None


def test_a_name_that_is_only_a_legal_form_is_missing() -> None:
    # "PVT LTD" as a name is a placeholder: it must not make all such records one firm.
    for name in ("Limited", "PVT LTD", "M/s. Private Limited", "LLC"):
        assert normalise_name(name) is None, name
    assert _parts("Limited Brands Inc").tokens == ("limited", "brands")


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40), st.booleans())
def test_never_raises_and_key_is_the_sorted_tokens(name: str, person: bool) -> None:
    parts = normalise_name(name, person=person)
    if parts is not None:
        assert parts.tokens
        assert parts.key == " ".join(sorted(parts.tokens))
        assert len(parts.phonetic_key.split()) == len(parts.tokens)
