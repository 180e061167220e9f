"""Designer precursors: uncontrolled chemicals one or two steps from a controlled one.

Traffickers answer each new listing by ordering the chemical just before it in the route
(EAPA instead of MAPA, 1-benzyl-4-piperidone instead of 4-piperidone). The registry cannot
name these because no list does, so this module keeps its own reviewed table
(``data/designer.yaml``) and recognises a declared product three ways:

* by CAS number, given in its field or written in the description;
* by name, robust to spacing, hyphens, primes and case (the registry's squashed keys), to
  grade and packing words around the name, and to small misspellings;
* by structure, when the description carries a SMILES string: Morgan fingerprints (radius 2)
  compared by Tanimoto similarity with the controlled precursors, so that an analogue nobody
  has listed yet is still caught, with the controlled precursor it resembles.

Misspellings are the risky part, because chemical names that differ by a letter are often
different chemicals (4'-methylpropiophenone, 4'-methoxypropiophenone). A word is read as a
misspelling only when it does not split into known chemical name parts: a real name of some
other chemical is left alone; a garbled one is compared with the table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA
from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import rdFingerprintGenerator

from precursorwatch.exceptions import RegistryError
from precursorwatch.ids import cas as cas_numbers
from precursorwatch.registry.substances import Registry, Substance, load_registry
from precursorwatch.registry.text import squash, tokens
from precursorwatch.screening.products import DesignerFinding

__all__ = [
    "SIMILARITY_THRESHOLD",
    "DesignerDetector",
    "DesignerPrecursor",
    "DesignerSource",
    "DesignerTable",
    "build_designer_table",
    "default_designer_check",
    "load_designer_table",
]

# Unparseable tokens are tried as SMILES on purpose; RDKit would log every one of them.
RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]

#: Tanimoto similarity (Morgan radius 2, 2048 bits) at or above which a structure counts as an
#: analogue of a controlled precursor. Chosen by measurement (the sets are ORDINARY and
#: ANALOGUES in tests/screening/test_designer.py): of 57 ordinary chemicals, medicines and
#: non-precursor drugs, the closest to any controlled structure scored 0.65 (2-aminobenzamide
#: against anthranilic acid: small aromatics resemble the small precursors); unlisted
#: one-substituent analogues of fentanyl and P-2-P precursors scored 0.72-0.81, and the listed
#: designer rows that are analogues rather than reaction partners 0.71-0.73 (EAPA against
#: MAPA). 0.70 keeps every ordinary chemical out, with a margin, at the price of missing the
#: weakest analogues (4-fluoro-NPP 0.69, propyl alpha-phenylacetoacetate 0.64): a false alert
#: costs a reviewer's time on every shipment of a common chemical, a miss only one analogue.
SIMILARITY_THRESHOLD = 0.70

_FINGERPRINT_BITS = 2048
_FINGERPRINT_RADIUS = 2
# A SMILES of fewer heavy atoms than this is a reagent or a fragment, not a precursor.
_MIN_HEAVY_ATOMS = 6
_FUZZY_MIN_LENGTH = 8
_FUZZY_TWO_EDITS_LENGTH = 14
_MAX_WINDOW = 24  # tokens; IUPAC names with many locants run long
_FUZZY_WINDOW = 8
_CACHE_LIMIT = 200_000

_STEPS = {1: "one step", 2: "two steps"}

# Words that describe grade, packing, quantity or purity and never belong to a chemical name;
# a misspelling window stops at them so that "bromide drums" is not compared as one word.
_TRADE_WORDS = frozenset({
    "tech", "technical", "grade", "grades", "pure", "purity", "min", "max", "minimum", "maximum",
    "assay", "ar", "lr", "acs", "usp", "bp", "ep", "ip", "jp", "pharma", "pharmaceutical",
    "industrial", "reagent", "laboratory", "lab", "analytical", "food", "feed", "cosmetic", "in",
    "of", "for", "and", "or", "with", "the", "a", "an", "as", "per", "to", "from", "by", "on",
    "at", "kg", "kgs", "g", "gm", "mg", "l", "lt", "ltr", "litre", "litres", "liter", "liters",
    "ml", "mt", "ton", "tons", "tonne", "tonnes", "lb", "lbs", "drum", "drums", "bag", "bags",
    "fibre", "fiber", "hdpe", "carton", "cartons", "bottle", "bottles", "can", "cans", "pail",
    "pails", "container", "containers", "ibc", "jar", "jars", "box", "boxes", "pack", "packing",
    "packed", "net", "gross", "each", "powder", "crystal", "crystals", "crystalline", "liquid",
    "solid", "oil", "solution", "flakes", "granules", "white", "yellow", "colourless", "colorless",
    "off", "clear", "pale", "cas", "no", "number", "batch", "lot", "origin", "made", "china",
    "india", "hs", "code",
})

# Parts that chemical names are built from. A window that splits wholly into these (and
# digits) is some chemical's real name, so it is never read as a misspelling of another.
_NAME_PARTS = frozenset({
    "meth", "eth", "prop", "but", "pent", "hex", "hept", "oct", "non", "dec", "methyl", "ethyl",
    "propyl", "butyl", "pentyl", "hexyl", "heptyl", "octyl", "isopropyl", "isobutyl", "benzyl",
    "phenyl", "phenethyl", "phenylethyl", "tolyl", "vinyl", "allyl", "acetyl", "propionyl",
    "butyryl", "valeryl", "benzoyl", "formyl", "carbonyl", "carboxy", "carboxyl", "methoxy",
    "ethoxy", "propoxy", "butoxy", "phenoxy", "benzyloxy", "hydroxy", "oxy", "amino", "anilino",
    "imino", "nitro", "nitroso", "chloro", "bromo", "fluoro", "iodo", "cyano", "oxo", "thio",
    "sulfo", "sulpho", "methylene", "ethylene", "dioxy", "dioxo", "trifluoromethyl", "hydro",
    "dehydro", "dihydro", "nor", "iso", "neo", "sec", "tert", "cyclo", "di", "tri", "tetra",
    "penta", "hexa", "mono", "bis", "alpha", "beta", "gamma", "ortho", "meta", "para", "benzene",
    "toluene", "phenol", "aniline", "pyridine", "piperidine", "piperidin", "piperidone",
    "piperidinone", "piperazine", "pyrrolidine", "pyrrolidin", "pyrrolidinone", "morpholine",
    "furan", "dioxol", "dioxole", "dioxolane", "benzodioxol", "benzodioxole", "propio", "butyro",
    "valero", "phenone", "acetophenone", "propiophenone", "butyrophenone", "valerophenone",
    "ketone", "one", "ol", "al", "ane", "ene", "yne", "yl", "ylidene", "ide", "ate", "ite", "ic",
    "acid", "amine", "amide", "imide", "nitrile", "ester", "ether", "oxide", "bromide", "chloride",
    "iodide", "fluoride", "cyanide", "acetate", "propanoate", "butanoate", "pentanoate",
    "acetoacetate", "malonate", "propanedioate", "glycidate", "glycidic", "carboxylate",
    "carboxylic", "carbamate", "sulfonate", "sulphonate", "methane", "ethane", "propane", "butane",
    "pentane", "hexane", "propene", "butene", "ethene", "propan", "butan", "pentan", "hexan",
    "ethan", "methan", "aza", "oxa", "spiro", "decane", "dione", "oxirane", "lactone", "anhydride",
    "aldehyde", "acetal", "ketal", "oxime", "hydrazine", "urea", "ethanol", "methanol", "propanol",
    "butanol",
})

_LONGEST_PART = max(len(p) for p in _NAME_PARTS)

_CAS_IN_TEXT = re.compile(r"(?<![\d-])(\d{2,7}-\d{2}-\d)(?![\d-])")
# A SMILES token: SMILES characters only, with a bond, branch or bracket atom, or a ring bond
# after an aromatic atom; plain words and CAS numbers never qualify.
_SMILES_CHARS = re.compile(r"^[A-Za-z0-9@+\-\[\]()=#$\\/%.:*]{4,}$")
_SMILES_MARK = re.compile(r"[=#()\[\]]|[cnos][1-9]")
_SMILES_PREFIX = re.compile(r"^smiles[:=]", re.IGNORECASE)
_NEGATE_BEFORE = frozenset({"without", "non", "nil", "excluding"})
# A name right after one of these is the tail of a larger chemical name
# ("3-chloro-4'-methylpropiophenone" is not 4'-methylpropiophenone).
_SUBSTITUENT_SUFFIXES = ("yl", "oxy", "o", "ylidene")
_LOCANTS = frozenset({"alpha", "beta", "gamma", "dl", "tert", "sec", "iso", "cis", "trans", "n"})


@dataclass(frozen=True)
class DesignerSource:
    """A document the table relies on: ``label`` is the few words a reviewer reads."""

    id: str
    label: str
    text: str


@dataclass(frozen=True)
class DesignerPrecursor:
    """One reviewed row: an uncontrolled chemical, what it becomes, and who says so.

    ``leads_to`` is the registry's canonical name of the controlled substance it is turned
    into; it is None when that is a drug the registry does not hold, named then in ``makes``.
    """

    name: str
    synonyms: tuple[str, ...]
    cas: str | None
    smiles: str
    leads_to: str | None
    makes: str | None
    steps: int
    sources: tuple[DesignerSource, ...]
    verified: bool
    note: str


@dataclass(frozen=True)
class DesignerTable:
    """The reviewed designer precursors and the SMILES of the controlled precursors."""

    rows: tuple[DesignerPrecursor, ...]
    #: (registry canonical name, SMILES) of the controlled precursors compared by structure.
    controlled_structures: tuple[tuple[str, str], ...]


# --- the table ---------------------------------------------------------------------------


def _fail(row: int | None, reason: str) -> RegistryError:
    place = "designer.yaml" + (f" row {row}" if row is not None else "")
    return RegistryError(f"{place}: {reason}")


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _sources(raw: object) -> dict[str, DesignerSource]:
    if not isinstance(raw, Mapping):
        raise _fail(None, "expected a 'sources' mapping")
    out = {}
    for key, value in raw.items():
        if not isinstance(value, Mapping) or not value.get("label") or not value.get("text"):
            raise _fail(None, f"source {key!r} needs a label and a text")
        out[str(key)] = DesignerSource(str(key), str(value["label"]), str(value["text"]))
    return out


def _row(index: int, raw: object, sources: Mapping[str, DesignerSource]) -> DesignerPrecursor:
    if not isinstance(raw, Mapping):
        raise _fail(index, "row is not a mapping")
    name, smiles = _text(raw.get("name")), _text(raw.get("smiles"))
    if not name or not smiles:
        raise _fail(index, "row needs a name and a smiles")
    number = _text(raw.get("cas"))
    if number is not None:
        if not cas_numbers.is_valid(number):
            raise _fail(index, f"{name}: CAS {number} fails its check digit")
        number = cas_numbers.format(number)
    leads_to, makes = _text(raw.get("leads_to")), _text(raw.get("makes"))
    if (leads_to is None) == (makes is None):
        raise _fail(index, f"{name}: give exactly one of leads_to and makes")
    cited = raw.get("source") or []
    if not isinstance(cited, list) or not cited:
        raise _fail(index, f"{name}: cites no source")
    unknown = [s for s in cited if str(s) not in sources]
    if unknown:
        raise _fail(index, f"{name}: cites unknown source {unknown[0]!r}")
    synonyms = raw.get("synonyms") or []
    if not isinstance(synonyms, list):
        raise _fail(index, f"{name}: synonyms must be a list")
    steps = raw.get("steps", 1)
    if steps not in _STEPS:
        raise _fail(index, f"{name}: steps must be 1 or 2")
    return DesignerPrecursor(
        name=name,
        synonyms=tuple(str(s) for s in synonyms),
        cas=number,
        smiles=smiles,
        leads_to=leads_to,
        makes=makes,
        steps=int(steps),
        sources=tuple(sources[str(s)] for s in cited),
        verified=bool(raw.get("verified", False)),
        note=_text(raw.get("note")) or "",
    )


def build_designer_table(data: Mapping[str, Any]) -> DesignerTable:
    """The table from a parsed ``designer.yaml``; a row that breaks the format is an error,
    because the table is reviewed data and such a row means the review missed something."""
    sources = _sources(data.get("sources"))
    rows = data.get("rows")
    structures = data.get("controlled_structures")
    if not isinstance(rows, list) or not isinstance(structures, Mapping):
        raise _fail(None, "expected 'rows' (a list) and 'controlled_structures' (a mapping)")
    return DesignerTable(
        rows=tuple(_row(i, raw, sources) for i, raw in enumerate(rows, start=1)),
        controlled_structures=tuple((str(k), str(v)) for k, v in structures.items()),
    )


@cache
def load_designer_table() -> DesignerTable:
    """The table shipped with the package, read once per process."""
    text = resources.files("precursorwatch.screening").joinpath("data/designer.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise _fail(None, "expected a mapping")
    return build_designer_table(data)


# --- text helpers ------------------------------------------------------------------------


def _display(name: str) -> str:
    """The name with its first letter capitalised ("1-Benzyl-4-piperidone")."""
    for i, char in enumerate(name):
        if char.isalpha():
            return name[:i] + char.upper() + name[i + 1:]
    return name


@lru_cache(maxsize=65536)
def _well_formed(word: str) -> bool:
    """Whether ``word`` splits wholly into chemical name parts and digits."""
    reachable = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_PART), end):
            if reachable[start] and (word[start:end] in _NAME_PARTS
                                     or word[start:end].isdigit()):
                reachable[end] = True
                break
    return reachable[-1]


def _inside_larger_name(toks: Sequence[str], start: int) -> bool:
    """Whether the name starting at ``start`` is the tail of a larger chemical name, that is
    whether a substituent ("chloro", "methoxy", "ethyl") comes before it, locants aside."""
    j = start - 1
    while j >= 0 and (toks[j].isdigit() or len(toks[j]) == 1 or toks[j] in _LOCANTS):
        j -= 1
    if j < 0:
        return False
    word = toks[j]
    return (word.endswith(_SUBSTITUENT_SUFFIXES) and word not in _TRADE_WORDS
            and _well_formed(word))


def _negated(toks: Sequence[str], start: int, end: int) -> bool:
    """Whether the text says the named chemical is absent ("without X", "X free")."""
    before = toks[start - 1] if start else ""
    after = toks[end] if end < len(toks) else ""
    return before in _NEGATE_BEFORE or after == "free"


# --- the detector ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parent:
    """A controlled precursor compared by structure."""

    substance: Substance
    canonical: str  # without stereo, for comparing with what trade writes
    isomeric: str  # with stereo, to tell ephedrine from pseudoephedrine


class DesignerDetector:
    """Recognise designer precursors in product lines; build once, call on many batches.

    Answers are remembered per distinct (description, CAS) pair, since trade repeats the same
    product lines, and the fuzzy look-ups per window of words, since it repeats words too.
    """

    def __init__(self, table: DesignerTable, registry: Registry,
                 threshold: float = SIMILARITY_THRESHOLD) -> None:
        """Index the table by CAS, name and structure; the registry's own names are indexed
        as well, so that a controlled name (or a misspelling of one) never reads as a
        designer precursor. Raise RegistryError when the table and the registry disagree."""
        self.table = table
        self.registry = registry
        self.threshold = threshold
        self._generator = rdFingerprintGenerator.GetMorganGenerator(
            radius=_FINGERPRINT_RADIUS, fpSize=_FINGERPRINT_BITS)
        self._by_cas: dict[str, int] = {}
        # squashed phrase -> row index, or None for a controlled substance's name
        self._names: dict[str, int | None] = {}
        self._phrases: dict[str, str] = {}
        self._by_structure: dict[str, int] = {}
        self._sentences: list[str] = []
        parents: list[_Parent] = []
        for name, smiles in table.controlled_structures:
            substance = registry.by_name(name)
            if substance is None:
                raise _fail(None, f"controlled_structures: {name!r} is not in the registry")
            parents.append(_Parent(substance, self._canonical(smiles, name),
                                   str(Chem.MolToSmiles(Chem.MolFromSmiles(smiles)))))
        self._parents = tuple(parents)
        self._parent_fps = [self._fingerprint(p.canonical) for p in parents]
        for substance in registry.substances:
            for phrase in (substance.name, *substance.synonyms):
                key = squash(phrase)
                if len(key) >= 3 and not key.isdigit():
                    self._names[key] = None
        for index, row in enumerate(table.rows):
            self._check_uncontrolled(index, row)
            if row.cas:
                self._by_cas[row.cas] = index
            for phrase in (row.name, *row.synonyms):
                key = squash(phrase)
                if len(key) < 3:
                    continue
                other = self._names.setdefault(key, index)
                if other != index:
                    raise _fail(index + 1, f"{row.name}: {phrase!r} also names row {other}")
                self._phrases.setdefault(key, phrase)
            self._by_structure[self._canonical(row.smiles, row.name)] = index
            self._sentences.append(self._row_sentence(row))
        self._prefixes = {k[:i] for k in self._names for i in range(1, len(k) + 1)}
        # Misspellings are looked for among names of the same first letter and a length
        # within the edits allowed; most windows of words have no such name, and skipping
        # them is what keeps fuzzy matching cheap.
        self._fuzzy: dict[tuple[str, int], list[str]] = {}
        for key in self._names:
            if len(key) >= _FUZZY_MIN_LENGTH - 2:
                self._fuzzy.setdefault((key[0], len(key)), []).append(key)
        self._answers: dict[tuple[str, str | None], DesignerFinding | None] = {}
        self._misspellings: dict[tuple[str, ...], tuple[int, int, str] | None] = {}

    # -- set-up ---------------------------------------------------------------------------

    @staticmethod
    def _canonical(smiles: str, what: str) -> str:
        """Canonical SMILES without stereo: trade rarely says which isomer it ships."""
        mol = Chem.MolFromSmiles(smiles)
        if mol is None:
            raise _fail(None, f"{what}: SMILES {smiles!r} does not parse")
        return str(Chem.MolToSmiles(mol, isomericSmiles=False))

    def _fingerprint(self, canonical: str) -> DataStructs.ExplicitBitVect:
        fingerprint: DataStructs.ExplicitBitVect = self._generator.GetFingerprint(
            Chem.MolFromSmiles(canonical))
        return fingerprint

    def _check_uncontrolled(self, index: int, row: DesignerPrecursor) -> None:
        """A controlled substance is the registry's to recognise, never a designer one."""
        if row.cas and self.registry.by_cas(row.cas) is not None:
            raise _fail(index + 1, f"{row.name}: CAS {row.cas} is a controlled substance")
        for phrase in (row.name, *row.synonyms):
            if self._names.get(squash(phrase), 0) is None:
                raise _fail(index + 1, f"{row.name}: {phrase!r} names a controlled substance")
        if row.leads_to is not None and self.registry.by_name(row.leads_to) is None:
            raise _fail(index + 1, f"{row.name}: leads_to {row.leads_to!r} is not in the "
                                   "registry")

    def _closest_parent(self, canonical: str) -> tuple[_Parent, float] | None:
        """The most similar controlled precursor and its Tanimoto similarity."""
        if not self._parents:
            return None
        sims = DataStructs.BulkTanimotoSimilarity(self._fingerprint(canonical),
                                                  self._parent_fps)
        best = max(range(len(sims)), key=sims.__getitem__)
        return self._parents[best], float(sims[best])

    @staticmethod
    def _controlled_words(substance: Substance) -> str:
        """How the registry lists a substance, in a few words ("UN Table I; US List I")."""
        parts = [f"UN Table {substance.un_table}" if substance.un_table else "",
                 f"US List {substance.us_list}" if substance.us_list else "",
                 f"US Schedule {substance.us_schedule}" if substance.us_schedule else "",
                 f"India {substance.in_control}" if substance.in_control else ""]
        listed = "; ".join(p for p in parts if p)
        return f"a controlled {substance.kind}" + (f" ({listed})" if listed else "")

    def _row_sentence(self, row: DesignerPrecursor) -> str:
        """The reviewer's sentence for a known row, before saying how it was recognised."""
        if row.leads_to is not None:
            target = self.registry.by_name(row.leads_to)
            assert target is not None  # checked in _check_uncontrolled
            goal = f"{row.leads_to}, {self._controlled_words(target)}"
        else:
            goal = f"{row.makes}, a drug the registry does not hold"
        listed = "; ".join(s.label for s in row.sources)
        sentence = (f"{_display(row.name)} is a designer precursor, not controlled by the "
                    f"lists in the registry, {_STEPS[row.steps]} from {goal} ({listed}"
                    f"{'' if row.verified else '; not verified'})")
        found = self._closest_parent(self._canonical(row.smiles, row.name))
        if found is not None and found[1] >= self.threshold:
            sentence += (f"; structurally close (Tanimoto {found[1]:.2f}) to "
                         f"{found[0].substance.name}")
        return sentence

    # -- recognition ----------------------------------------------------------------------

    def __call__(self, descriptions: Sequence[str],
                 cas_numbers: Sequence[str | None]) -> list[DesignerFinding | None]:
        """One finding (or None) per product line; the shape screening's DesignerCheck takes."""
        if len(descriptions) != len(cas_numbers):
            raise ValueError("descriptions and cas_numbers differ in length")
        return [self.check(d, c) for d, c in zip(descriptions, cas_numbers, strict=True)]

    def check(self, description: str | None, cas: str | None = None) -> DesignerFinding | None:
        """The designer precursor one product line declares, or None."""
        key = (description or "", cas_numbers.normalize(cas) if cas else None)
        if key not in self._answers:
            if len(self._answers) > _CACHE_LIMIT:
                self._answers.clear()
            self._answers[key] = self._recognise(*key)
        return self._answers[key]

    def _recognise(self, description: str, cas: str | None) -> DesignerFinding | None:
        """CAS first (the surest), then names, a CAS in the text, and last a structure,
        which costs the most and is the least certain."""
        if cas and cas_numbers.is_valid(cas) and cas in self._by_cas:
            return self._known(self._by_cas[cas], f"recognised by CAS {cas}")
        toks = tokens(description)
        named = self._scan(toks)
        if named is not None:
            index, how = named
            return self._known(index, how)
        for number in _CAS_IN_TEXT.findall(description):
            normal = cas_numbers.normalize(number)
            if normal and cas_numbers.is_valid(normal) and normal in self._by_cas:
                return self._known(self._by_cas[normal],
                                   f"recognised by CAS {normal} in the description")
        return self._structure(description)

    def _known(self, index: int, how: str) -> DesignerFinding:
        return DesignerFinding(self.table.rows[index].name, f"{self._sentences[index]}; {how}")

    def _scan(self, toks: Sequence[str]) -> tuple[int, str] | None:
        """The first designer name in the tokens, longest phrase first: (row, how)."""
        i = 0
        while i < len(toks):
            found = self._longest(toks, i)
            if found is not None:
                end, index = found
                if index is not None and not _inside_larger_name(toks, i) \
                        and not _negated(toks, i, end):
                    return index, f"named as {self._phrases[''.join(toks[i:end])]!r}"
                i = end
                continue
            fuzzy = self._misspelt(toks, i)
            if fuzzy is not None:
                width, index, key = fuzzy
                said = " ".join(toks[i:i + width])
                if not _inside_larger_name(toks, i) and not _negated(toks, i, i + width):
                    distance = int(OSA.distance(squash(said), key))
                    return index, (f"the description writes {said!r}, {distance} "
                                   f"letter{'s' if distance > 1 else ''} from "
                                   f"{self._phrases[key]!r}")
                i += width
                continue
            i += 1
        return None

    def _longest(self, toks: Sequence[str], start: int) -> tuple[int, int | None] | None:
        """The longest indexed phrase starting at ``start``: (end, row or None)."""
        best: tuple[int, int | None] | None = None
        acc = ""
        for end in range(start, min(len(toks), start + _MAX_WINDOW)):
            acc += toks[end]
            if acc in self._names:
                best = (end + 1, self._names[acc])
            if acc not in self._prefixes:
                break
        return best

    def _misspelt(self, toks: Sequence[str], start: int) -> tuple[int, int, str] | None:
        """(width, row, key) of a window of words a few letters from a designer name."""
        words: tuple[str, ...] = ()
        for token in toks[start:start + _FUZZY_WINDOW]:
            if token in _TRADE_WORDS:
                break
            words += (token,)
        if not words:
            return None
        if words not in self._misspellings:
            if len(self._misspellings) > _CACHE_LIMIT:
                self._misspellings.clear()
            self._misspellings[words] = self._closest(words)
        return self._misspellings[words]

    def _closest(self, words: tuple[str, ...]) -> tuple[int, int, str] | None:
        """The widest window of ``words`` that is a misspelling of a designer name."""
        for width in range(len(words), 0, -1):
            window = "".join(words[:width])
            if len(window) < _FUZZY_MIN_LENGTH or window.isdigit():
                continue
            limit = 2 if len(window) >= _FUZZY_TWO_EDITS_LENGTH else 1
            choices = [key for size in range(len(window) - limit, len(window) + limit + 1)
                       for key in self._fuzzy.get((window[0], size), ())]
            if not choices:
                continue
            found = process.extract(window, choices, scorer=OSA.distance,
                                    score_cutoff=limit, limit=None)
            if not found or _well_formed(window):
                continue
            nearest = min(int(f[1]) for f in found)
            rows = {self._names[f[0]] for f in found if int(f[1]) == nearest}
            # A window as close to a controlled name, or to two designer rows, is ambiguous.
            if len(rows) == 1 and None not in rows:
                (index,) = rows
                assert index is not None
                key = next(f[0] for f in found if int(f[1]) == nearest)
                return width, index, key
            return None
        return None

    def _structure(self, description: str) -> DesignerFinding | None:
        """A finding from a SMILES string in the description, if one is there."""
        for raw in description.split():
            token = _SMILES_PREFIX.sub("", raw.strip(",;"))
            if not _SMILES_CHARS.match(token) or not _SMILES_MARK.search(token) \
                    or _CAS_IN_TEXT.fullmatch(token):
                continue
            mol = Chem.MolFromSmiles(token)
            if mol is None or mol.GetNumHeavyAtoms() < _MIN_HEAVY_ATOMS:
                continue
            canonical = str(Chem.MolToSmiles(mol, isomericSmiles=False))
            if canonical in self._by_structure:
                return self._known(self._by_structure[canonical],
                                   f"recognised by the structure {token}")
            same = [p for p in self._parents if p.canonical == canonical]
            if same:
                # Stereo decides between isomers listed apart; without it, name them all.
                isomeric = str(Chem.MolToSmiles(mol))
                exact = [p for p in same if p.isomeric == isomeric]
                parents = exact or same
                names = " or ".join(p.substance.name for p in parents)
                return DesignerFinding(
                    parents[0].substance.name,
                    f"The structure {token} in the description is {names} itself, "
                    f"{self._controlled_words(parents[0].substance)}, although the "
                    "description does not name it")
            found = self._closest_parent(canonical)
            if found is None:
                continue
            parent, similarity = found
            if similarity >= self.threshold:
                return DesignerFinding(
                    token,
                    f"The structure {token} is not on the designer precursor list but is "
                    f"structurally close (Tanimoto {similarity:.2f}) to "
                    f"{parent.substance.name}, {self._controlled_words(parent.substance)}")
        return None


@cache
def default_designer_check() -> DesignerDetector:
    """The detector over the shipped table and registry, built once per process."""
    return DesignerDetector(load_designer_table(), load_registry())
