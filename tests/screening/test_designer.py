"""Designer precursors: the reviewed table agrees with the registry, and the detector finds
the listed chemicals by CAS, by name (in its many spellings) and by structure, while ordinary
chemicals and medicines, and the controlled substances themselves, pass untouched."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from precursorwatch.exceptions import RegistryError
from precursorwatch.ids import cas as cas_numbers
from precursorwatch.registry import Identifier, Registry
from precursorwatch.registry.text import squash
from precursorwatch.screening.designer import (
    SIMILARITY_THRESHOLD,
    DesignerDetector,
    DesignerPrecursor,
    build_designer_table,
    default_designer_check,
    load_designer_table,
)
from precursorwatch.screening.products import DesignerCheck, product_facts

TABLE = load_designer_table()
ROWS = TABLE.rows
ROW_IDS = [row.name for row in ROWS]

# The measurement behind SIMILARITY_THRESHOLD. Ordinary chemicals, medicines and drugs that
# are not precursors: none may reach the threshold against a controlled precursor.
ORDINARY = {
    "paracetamol": "CC(=O)Nc1ccc(O)cc1",
    "caffeine": "Cn1cnc2c1c(=O)n(C)c(=O)n2C",
    "metformin": "CN(C)C(=N)NC(=N)N",
    "phenylephrine": "CNC[C@H](O)c1cccc(O)c1",
    "ibuprofen": "CC(C)Cc1ccc(C(C)C(=O)O)cc1",
    "aspirin": "CC(=O)Oc1ccccc1C(=O)O",
    "vanillin": "COc1cc(C=O)ccc1O",
    "benzoic acid": "OC(=O)c1ccccc1",
    "acetophenone": "CC(=O)c1ccccc1",
    "propiophenone": "CCC(=O)c1ccccc1",
    "morpholine": "C1COCCN1",
    "acetanilide": "CC(=O)Nc1ccccc1",
    "methyl anthranilate": "COC(=O)c1ccccc1N",
    "eugenol": "COc1cc(CC=C)ccc1O",
    "anethole": "COc1ccc(/C=C/C)cc1",
    "cinnamaldehyde": "O=C/C=C/c1ccccc1",
    "2-phenylethanol": "OCCc1ccccc1",
    "phenethylamine": "NCCc1ccccc1",
    "benzyl alcohol": "OCc1ccccc1",
    "ethyl benzoate": "CCOC(=O)c1ccccc1",
    "ethyl phenylacetate": "CCOC(=O)Cc1ccccc1",
    "methyl phenylacetate": "COC(=O)Cc1ccccc1",
    "ethyl acetoacetate": "CCOC(=O)CC(C)=O",
    "piperine": "O=C(/C=C/C=C/c1ccc2OCOc2c1)N1CCCCC1",
    "methylparaben": "COC(=O)c1ccc(O)cc1",
    "lidocaine": "CCN(CC)CC(=O)Nc1c(C)cccc1C",
    "procaine": "CCN(CC)CCOC(=O)c1ccc(N)cc1",
    "diphenhydramine": "CN(C)CCOC(c1ccccc1)c1ccccc1",
    "haloperidol": "OC1(CCN(CCCC(=O)c2ccc(F)cc2)CC1)c1ccc(Cl)cc1",
    "donepezil": "COc1cc2CC(CC3CCN(Cc4ccccc4)CC3)C(=O)c2cc1OC",
    "loperamide": "CN(C)C(=O)C(CCN1CCC(O)(CC1)c1ccc(Cl)cc1)(c1ccccc1)c1ccccc1",
    "fexofenadine": "CC(C)(C(=O)O)c1ccc(C(O)CCCN2CCC(CC2)C(O)(c2ccccc2)c2ccccc2)cc1",
    "tryptophan": "N[C@@H](Cc1c[nH]c2ccccc12)C(=O)O",
    "indole-3-acetic acid": "OC(=O)Cc1c[nH]c2ccccc12",
    "salbutamol": "CC(C)(C)NCC(O)c1ccc(O)c(CO)c1",
    "mandelic acid": "OC(C(=O)O)c1ccccc1",
    "phenylalanine": "N[C@@H](Cc1ccccc1)C(=O)O",
    "tropicamide": "CCN(Cc1ccncc1)C(=O)C(CO)c1ccccc1",
    "4-methoxyphenylacetone": "CC(=O)Cc1ccc(OC)cc1",
    "1-phenyl-1-propanol": "CCC(O)c1ccccc1",
    "4-hydroxypiperidine": "OC1CCNCC1",
    "1-benzylpiperazine": "C(c1ccccc1)N1CCNCC1",
    "4-phenylpiperidine": "C1CC(CCN1)c1ccccc1",
    "1-methyl-4-piperidone": "CN1CCC(=O)CC1",
    "pethidine": "CCOC(=O)C1(CCN(C)CC1)c1ccccc1",
    "amphetamine": "CC(N)Cc1ccccc1",
    "methamphetamine": "CNC(C)Cc1ccccc1",
    "MDMA": "CNC(C)Cc1ccc2OCOc2c1",
    "helional": "CC(Cc1ccc2OCOc2c1)C=O",
    "piperonyl alcohol": "OCc1ccc2OCOc2c1",
    "sesamol": "Oc1ccc2OCOc2c1",
    "methyl salicylate": "COC(=O)c1ccccc1O",
    "2-aminobenzamide": "NC(=O)c1ccccc1N",
    "4(3H)-quinazolinone": "O=c1[nH]cnc2ccccc12",
    "ergocalciferol": "CC(C)[C@@H](C)/C=C/[C@@H](C)[C@H]1CC[C@H]2/C(=C/C=C3/C[C@@H](O)CCC3=C)"
                      "CCC[C@]12C",
    "ascorbic acid": "OC[C@H](O)[C@H]1OC(=O)C(O)=C1O",
    "magnesium stearate": "CCCCCCCCCCCCCCCCCC(=O)[O-].CCCCCCCCCCCCCCCCCC(=O)[O-].[Mg+2]",
}
# Unlisted one-substituent analogues of controlled precursors, with the precursor each is
# built on: these are what the structure search is for.
ANALOGUES = {
    "Fc1ccc(NC2CCN(CCc3ccccc3)CC2)cc1": "4-anilino-N-phenethylpiperidine",  # 4-fluoro-ANPP
    "CCCC(=O)N(C1CCNCC1)c1ccccc1": "norfentanyl",  # butyryl norfentanyl
    "CC(C)(C)OC(=O)N1CCC(Nc2ccc(F)cc2)CC1": "tert-butyl 4-anilinopiperidine-1-carboxylate",
    "CC1(C(N)=O)OC1c1ccccc1": "P-2-P methyl glycidic acid",  # BMK glycidamide
    "CC(=O)C(C(=O)O)c1ccccc1": "alpha-phenylacetoacetamide",  # alpha-phenylacetoacetic acid
}


@pytest.fixture(scope="module")
def detector() -> DesignerDetector:
    return default_designer_check()


def _fingerprint(smiles: str) -> DataStructs.ExplicitBitVect:
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    mol = Chem.MolFromSmiles(smiles)
    assert mol is not None, smiles
    fingerprint: DataStructs.ExplicitBitVect = generator.GetFingerprint(mol)
    return fingerprint


def _closest_controlled(smiles: str) -> tuple[str, float]:
    names = [name for name, _ in TABLE.controlled_structures]
    sims = DataStructs.BulkTanimotoSimilarity(
        _fingerprint(smiles), [_fingerprint(s) for _, s in TABLE.controlled_structures])
    best = max(range(len(sims)), key=sims.__getitem__)
    return names[best], sims[best]


# --- the reviewed table ------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_every_cas_passes_its_check_digit(row: DesignerPrecursor) -> None:
    if row.cas is None:
        assert "CAS" in row.note, "a row without a CAS number says why"
    else:
        assert cas_numbers.is_valid(row.cas)


def test_every_smiles_parses() -> None:
    structures = [(row.name, row.smiles) for row in ROWS] + list(TABLE.controlled_structures)
    for name, smiles in structures:
        assert Chem.MolFromSmiles(smiles) is not None, name


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_every_leads_to_is_in_the_registry(row: DesignerPrecursor, registry: Registry) -> None:
    if row.leads_to is None:
        assert row.makes, "a row that leads to no registry substance names the drug it makes"
    else:
        assert registry.by_name(row.leads_to) is not None


def test_no_designer_row_is_a_controlled_substance(registry: Registry) -> None:
    controlled = {squash(p) for s in registry.substances for p in (s.name, *s.synonyms)}
    for row in ROWS:
        if row.cas:
            assert registry.by_cas(row.cas) is None, row.name
        for phrase in (row.name, *row.synonyms):
            assert squash(phrase) not in controlled, f"{row.name}: {phrase}"
    structures = {Chem.MolToSmiles(Chem.MolFromSmiles(s), isomericSmiles=False)
                  for _, s in TABLE.controlled_structures}
    for row in ROWS:
        canonical = Chem.MolToSmiles(Chem.MolFromSmiles(row.smiles), isomericSmiles=False)
        assert canonical not in structures, row.name


def test_controlled_structures_are_registry_precursors(registry: Registry) -> None:
    for name, _ in TABLE.controlled_structures:
        substance = registry.by_name(name)
        assert substance is not None, name
        assert substance.name == name, f"{name}: use the registry's spelling"
        assert substance.kind == "precursor", name


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_every_row_cites_a_source_and_unverified_rows_say_why(row: DesignerPrecursor) -> None:
    assert row.sources
    if not row.verified:
        assert row.note.startswith("NOT VERIFIED"), row.name


def test_table_rejects_a_cas_that_fails_its_check_digit() -> None:
    data = {"sources": {"s": {"label": "l", "text": "t"}}, "controlled_structures": {},
            "rows": [{"name": "x", "smiles": "CC", "cas": "103-63-8", "leads_to": "acetone",
                      "source": ["s"]}]}
    with pytest.raises(RegistryError, match="check digit"):
        build_designer_table(data)


def test_detector_refuses_a_row_that_names_a_controlled_substance(registry: Registry) -> None:
    data = {"sources": {"s": {"label": "l", "text": "t"}}, "controlled_structures": {},
            "rows": [{"name": "new thing", "synonyms": ["NPP"], "smiles": "CC",
                      "leads_to": "acetone", "source": ["s"]}]}
    with pytest.raises(RegistryError, match="names a controlled substance"):
        DesignerDetector(build_designer_table(data), registry)


def test_detector_refuses_leads_to_outside_the_registry(registry: Registry) -> None:
    data = {"sources": {"s": {"label": "l", "text": "t"}}, "controlled_structures": {},
            "rows": [{"name": "new thing", "smiles": "CC", "leads_to": "mephedrone",
                      "source": ["s"]}]}
    with pytest.raises(RegistryError, match="not in the registry"):
        DesignerDetector(build_designer_table(data), registry)


# --- recognition by name and CAS ---------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_recognises_each_row_by_its_name_amid_trade_words(
        row: DesignerPrecursor, detector: DesignerDetector) -> None:
    for description in (row.name, row.name.upper(),
                        f"{row.name} Tech grade in 25 kg fibre drums",
                        f"{row.name} 99.5% min", f"{row.name.title()} AR 50 kg bags"):
        found = detector.check(description)
        assert found is not None and found.name == row.name, description


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_recognises_each_row_by_every_synonym(
        row: DesignerPrecursor, detector: DesignerDetector) -> None:
    for synonym in row.synonyms:
        found = detector.check(f"{synonym}, 25 kg")
        assert found is not None and found.name == row.name, synonym


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_recognises_each_row_misspelt(row: DesignerPrecursor,
                                      detector: DesignerDetector) -> None:
    # One letter dropped, and two letters swapped, near the end of the longest word.
    longest = max(re.finditer(r"[A-Za-z]+", row.name), key=lambda m: len(m.group()))
    i = longest.end() - 3
    dropped = row.name[:i] + row.name[i + 1:]
    swapped = row.name[:i] + row.name[i + 1] + row.name[i] + row.name[i + 2:]
    for description in (f"{dropped} 99% min", f"Tech grade {swapped}"):
        found = detector.check(description)
        assert found is not None and found.name == row.name, description
        assert "letter" in found.sentence


@pytest.mark.parametrize("description", [
    "4'-methylpropiophenone", "4-Methylpropiophenone", "4 methyl propiophenone",
    "4\u2032-Methylpropiophenone", "4\u2019-methyl-propiophenone", "4-METHYL PROPIOPHENONE",
    "1-(4-methylphenyl)propan-1-one", "4'-Methylpropiophenone Tech grade in 25 kg fibre drums",
    "4-methylpropiophenon 99.5% min", "4'-methylpropiophenome AR 50 kg bags",
])
def test_recognises_spelling_variants(description: str, detector: DesignerDetector) -> None:
    found = detector.check(description)
    assert found is not None and found.name == "4'-methylpropiophenone"


@pytest.mark.parametrize("row", [r for r in ROWS if r.cas], ids=[r.name for r in ROWS if r.cas])
def test_recognises_each_row_by_cas_alone(row: DesignerPrecursor,
                                          detector: DesignerDetector) -> None:
    assert row.cas is not None
    found = detector.check("Organic intermediate for pharma use", row.cas)
    assert found is not None and found.name == row.name
    assert f"CAS {row.cas}" in found.sentence
    in_text = detector.check(f"Fine chemical, CAS No. {row.cas}, 25 kg drums")
    assert in_text is not None and in_text.name == row.name


def test_ignores_a_cas_with_a_wrong_check_digit(detector: DesignerDetector) -> None:
    assert detector.check("Organic intermediate", "103-63-8") is None


@pytest.mark.parametrize("description", [
    "Paracetamol IP 25 kg", "Metformin hydrochloride BP", "Phenylephrine hydrochloride USP",
    "Phenylephrine", "Paracetamol", "Acetic acid glacial", "Acetonitrile HPLC grade",
    "Morpholine 99%", "Petroleum ether 60-80", "Ethanol absolute", "Vitamin C",
    "Sodium bicarbonate food grade", "Magnesium stearate", "Ascorbic acid",
    "Propiophenone", "4'-Methoxypropiophenone", "4'-ethylpropiophenone",
    "3-chloro-4'-methylpropiophenone", "Benzyl bromide", "1-Methyl-4-piperidone",
    "Ethyl benzoylacetate", "Ethyl acetoacetate", "Bromobenzene", "Nitrostyrene",
    "Paracetmol", "Metformine", "Morpholin", "Phenylephrin HCl",
    "without phenethyl bromide",
])
def test_ignores_ordinary_chemicals_and_medicines(description: str,
                                                  detector: DesignerDetector) -> None:
    assert detector.check(description) is None


@pytest.mark.parametrize("description", [
    "Methyl alpha-phenylacetoacetate", "Methyl alpha-phenylacetoacetat", "MAPA",
    "N-phenethyl-4-piperidone", "4-Piperidone hydrochloride monohydrate", "1-Boc-4-piperidone",
    "PMK ethyl glycidate", "BMK glycidate", "Phenylacetic acid", "Piperonal",
])
def test_leaves_controlled_substances_to_the_registry(description: str,
                                                      detector: DesignerDetector) -> None:
    assert detector.check(description) is None


def test_sentence_names_what_it_becomes_and_the_source(detector: DesignerDetector) -> None:
    found = detector.check("1-Benzyl-4-piperidone, 25 kg")
    assert found is not None
    assert found.sentence.startswith("1-Benzyl-4-piperidone is a designer precursor")
    assert "one step from 4-piperidone, a controlled precursor" in found.sentence
    assert "not verified" in found.sentence
    eapa = detector.check("EAPA 99%")
    assert eapa is not None
    assert "Regulation (EU) 2022/1518" in eapa.sentence
    assert "structurally close (Tanimoto 0.73) to methyl alpha-phenylacetoacetate" \
        in eapa.sentence
    bromide = detector.check("Phenethyl bromide")
    assert bromide is not None and "DEA Special Surveillance List" in bromide.sentence
    assert "not verified" not in bromide.sentence


# --- recognition by structure ------------------------------------------------------------


def test_threshold_keeps_every_ordinary_chemical_out() -> None:
    for name, smiles in ORDINARY.items():
        parent, similarity = _closest_controlled(smiles)
        assert similarity < SIMILARITY_THRESHOLD, f"{name} resembles {parent}"


@pytest.mark.parametrize(("smiles", "parent"), ANALOGUES.items())
def test_finds_an_unlisted_analogue_from_its_smiles(smiles: str, parent: str,
                                                    detector: DesignerDetector) -> None:
    found = detector.check(f"Research chemical, structure {smiles}, 1 kg")
    assert found is not None
    assert found.name == smiles
    assert f"to {parent}, a controlled precursor" in found.sentence
    assert "Tanimoto" in found.sentence


@pytest.mark.parametrize("name", ["caffeine", "paracetamol", "aspirin", "metformin",
                                  "2-aminobenzamide", "donepezil"])
def test_ignores_an_unrelated_smiles(name: str, detector: DesignerDetector) -> None:
    assert detector.check(f"Sample {ORDINARY[name]}") is None


def test_recognises_a_listed_row_from_its_structure(detector: DesignerDetector) -> None:
    found = detector.check("Yellow crystals, SMILES: C/C(=C\\c1ccccc1)[N+](=O)[O-]")
    assert found is not None and found.name == "1-phenyl-2-nitropropene"


def test_names_a_controlled_precursor_given_only_as_a_structure(
        detector: DesignerDetector) -> None:
    found = detector.check("Ketone CC(=O)Cc1ccccc1 200 L drums")
    assert found is not None and found.name == "1-phenyl-2-propanone"
    assert "itself" in found.sentence
    pseudo = detector.check("Base CN[C@@H](C)[C@@H](O)c1ccccc1")
    assert pseudo is not None and pseudo.name == "pseudoephedrine"
    either = detector.check("Base CNC(C)C(O)c1ccccc1")
    assert either is not None and "ephedrine or pseudoephedrine itself" in either.sentence


# --- the screening interface -------------------------------------------------------------


def test_detector_answers_a_batch_in_order(detector: DesignerDetector) -> None:
    check: DesignerCheck = detector
    found = check(["Paracetamol", "Organic intermediate", "P2NP"], [None, "5413-05-8", None])
    assert [f.name if f else None for f in found] == [
        None, "ethyl alpha-phenylacetoacetate", "1-phenyl-2-nitropropene"]
    with pytest.raises(ValueError, match="length"):
        detector(["a", "b"], [None])


def test_product_facts_report_designer_precursors_but_not_controlled_ones(
        identifier: Identifier, detector: DesignerDetector) -> None:
    products = pa.table({
        "product_description": ["Phenethyl bromide 99%", "N-phenethyl-4-piperidone",
                                "Paracetamol IP"],
        "cas_number": [None, "39742-60-4", None],
        "hs_code": ["290399", None, "292429"],
    })
    facts = product_facts(products, identifier, detector).to_pylist()
    assert facts[0]["designer"].startswith("Phenethyl bromide is a designer precursor")
    assert facts[1]["primary"] == "N-phenethyl-4-piperidone" and facts[1]["designer"] == ""
    assert facts[2]["designer"] == ""
