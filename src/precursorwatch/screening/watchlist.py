"""Watch-list hits: is a consignment's exporter, importer or consignee a listed party?

The list is FollowTheMoney entities (a sanctions or enforcement export, or the incidents an
agency recorded); only party-like ones (``LegalEntity`` and its descendants: Company,
Organization, Person, ...) are kept. A declared party hits an entry when its identifier equals
a listed one, or when its name, reduced to a comparable key, is close enough to a listed
name's key.

The key (:func:`watch_key`) is what makes "M/s. Shri Ganesh Chem (P) Ltd",
"SHREE GANESH CHEMICALS PRIVATE LIMITED" and "श्री गणेश केमिकल्स" meet:

1. Devanagari is romanised syllable by syllable with ICU (through ``rigour.text.ascii_text``)
   and Hindi schwa deletion, so that "गणेश" reads "ganes", not "ganesa"; other scripts go
   through ``ascii_text`` whole.
2. Honorifics ("M/s.", "Messrs"), joining words (de, del, and) and legal forms are
   dropped: rigour's org-type table (Ltd, LLC, LLP, Inc., S.A. de C.V., GmbH, ...) plus the
   trailing words it does not treat as forms (Pvt, Private, (P), Co., Corp.).
3. Trade words are replaced by rigour's symbol for them ("Chem.", "Chemicals" -> chemical;
   "Labs", "Laboratories" -> lab; "Intl." -> intl); a second key keeps the words as
   written, so that a typo inside a trade word ("Indusries") still compares letter by letter.
4. In the first key, spellings that Indian romanisations use interchangeably are folded
   (sh/s, ee/i, oo/u, x/ks, w/v, ph/f, c/ch/k/q, doubled letters), so Shree, Shri and Sri,
   or Laxmi, Lakshmi and लक्ष्मी, become one spelling. Both keys sort their words.

A declared name hits a listed one when, in either key:

* their words pair off one to one, each pair spelt alike or one typo apart (an insertion,
  a deletion, a substitution or two letters swapped; words under four letters spelt alike),
  so neither "Ganesh Logistics" and "Ganesh Chemicals" nor "Lakeside Specialty Chemicals"
  and "Laxmi Speciality Chemicals" meet, however much of their text they share;
* the Indel similarity (``rapidfuzz.fuzz.ratio``) of the paired words is at least
  :data:`NAME_THRESHOLD`, which bounds the typos a name may carry for its length;
* when both name a legal form, the forms share rigour's generic class: an LLP is not the
  limited company of the same name.

Every listed word's one-letter deletions are indexed, so a declared name is compared only
with the few listed names that hold a near word for each of its words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations
from typing import Literal

import pyarrow as pa
from followthemoney import EntityProxy, model
from followthemoney.types import registry
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rigour.names import (
    NamePartTag,
    NameTypeTag,
    SymbolCategory,
    analyze_names,
    remove_person_prefixes,
)
from rigour.text import ascii_text, metaphone

from precursorwatch.exceptions import UsageError
from precursorwatch.ids import gstin
from precursorwatch.screening.parties import identifier_key

__all__ = [
    "MIN_IDENTIFIER_LENGTH",
    "NAME_THRESHOLD",
    "WatchEntry",
    "WatchHit",
    "WatchList",
    "latin",
    "watch_key",
    "watchlist_facts",
]

#: Smallest name similarity (Indel ratio of the paired words, 0-1) that counts as a hit.
#: Measured on the simulator (100,000 rows, seed 3: its incidents' 1,302 names of listed
#: firms and 2,051 of others, as written in trade): every same-firm variant that pairs off
#: scores 0.917 or more, and moving the threshold from 0.75 to 0.90 neither loses one nor
#: adds an alert, the word pairing having already refused the other firms. 0.90 is the
#: highest value that loses none, so it is the one taken: a substitution then needs ten
#: letters of name around it ("Acne Labs" is not "Acme Labs"; "Pacfic Crest" is "Pacific").
NAME_THRESHOLD = 0.9
#: Shorter identifiers ("1", "N/A", a branch number) say too little to flag a party on.
MIN_IDENTIFIER_LENGTH = 6

How = Literal["identifier", "name"]

# Sets of keys larger than this, reached from one word, are kept for the next name.
_KEEP_REACH = 64
# Words shorter than this must be spelt alike: one letter makes Ram and Rama, Sun and Sud
# different names.
_MIN_TYPO_WORD = 4

# --- Devanagari -------------------------------------------------------------------------

_CONSONANTS = "\u0915-\u0939\u0958-\u095f\u0978-\u097f"
_AKSHARA = re.compile(
    rf"(?:[{_CONSONANTS}]\u093c?\u094d\u200d?)*[{_CONSONANTS}]\u093c?"
    r"[\u093a\u093b\u093e-\u094d\u094e\u094f\u0955-\u0957\u0962\u0963]?[\u0900-\u0903]*"
    r"|[\u0904-\u0914\u0960\u0961\u0972-\u0977][\u0900-\u0903]*"
    r"|.",
    re.DOTALL,
)
_IS_CONSONANT = re.compile(rf"[{_CONSONANTS}]")
_DEVANAGARI_WORD = re.compile(r"[\u0900-\u097f]+")
_VOCALIC_R = "\u0943"
_NASALS = "\u0900\u0901\u0902"
_VISARGA = "\u0903"
_VIRAMA = "\u094d"
_NUKTA = "\u093c"
# Hindi keeps the final "a" after a conjunct ending in ya, ra or va (surya, mitra).
_KEEPS_FINAL_A = "\u092f\u0930\u0935"


@dataclass(frozen=True)
class _Syllable:
    latin: str  # ICU's romanisation, with the inherent "a" where the script implies one
    schwa: bool  # ends in an inherent "a" that speech may drop
    vowel: bool  # not a bare consonant (a virama ends it)
    consonants: int
    last: str  # the last consonant letter, or ""
    nasal: bool


@lru_cache(maxsize=4096)
def _syllable(akshara: str) -> _Syllable:
    nasal = any(c in _NASALS for c in akshara)
    core = akshara.rstrip(_NASALS + _VISARGA)
    consonants = _IS_CONSONANT.findall(core)
    if core.endswith(_VOCALIC_R):  # Hindi says ऋ/ृ as "ri", ICU writes a bare "r"
        latin = ascii_text(core[:-1] + _VIRAMA) + "ri"
    else:
        latin = ascii_text(core)
    if akshara.endswith(_VISARGA):
        latin += "h"
    schwa = bool(consonants) and core == akshara and (
        core[-1] in consonants or core[-1] == _NUKTA) and latin.endswith("a")
    return _Syllable(latin.replace("'", ""), schwa, not core.endswith(_VIRAMA),
                     len(consonants), consonants[-1] if consonants else "", nasal)


def _devanagari(word: re.Match[str]) -> str:
    """One Devanagari word in Latin letters, with Hindi schwa deletion (Ohala's rule, right to
    left: the final inherent "a" goes, and a medial one between VC and CV goes)."""
    syllables = [_syllable(a) for a in _AKSHARA.findall(word.group(0))]
    drop = [False] * len(syllables)
    last = len(syllables) - 1
    for i in range(last, 0, -1):
        s = syllables[i]
        if not s.schwa:
            continue
        if i == last:
            drop[i] = not (s.consonants > 1 and s.last in _KEEPS_FINAL_A)
        else:
            after = syllables[i + 1]
            drop[i] = (s.consonants == 1 and after.consonants == 1 and not drop[i + 1]
                       and syllables[i - 1].vowel and not drop[i - 1])
    out: list[str] = []
    for i, s in enumerate(syllables):
        text = s.latin[:-1] if drop[i] else s.latin
        if s.nasal:  # anusvara: the nasal of the next consonant's place, m before labials
            following = syllables[i + 1].latin[:1] if i < last else ""
            text += "m" if following in ("p", "b", "m") else "n"
        out.append(text)
    return "".join(out)


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    # Accents first, by decomposition: rigour's transliterator takes half a millisecond
    # on accented Latin ("Química"), which would dominate screening a year of names.
    bare = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return bare if bare.isascii() else ascii_text(bare)


def _latin(text: str) -> str:
    return text if text.isascii() else _ascii(_DEVANAGARI_WORD.sub(_devanagari, text))


# --- Keys -------------------------------------------------------------------------------

# "S. A. de C. V.", "L. L. C.": initials spaced out, which rigour's form table does not read.
_INITIALS = re.compile(r"\b(?:[a-z]\.\s?){2,}")
_HONORIFIC = re.compile(r"^\W*(?:m\s*/\s*s|messrs|messers)\b\.?", re.IGNORECASE)
_HONORIFIC_SOUND = metaphone("messrs")  # also मेसर्स romanised
# Legal-form words rigour reads as name words; dropped only at the end of a name.
_TRAILING_FORMS = frozenset({"p", "pvt", "pvte", "private", "co", "corp", "corporation",
                             "company", "s", "sa"})
_TRAILING_SOUNDS = frozenset(metaphone(w) for w in ("private", "company", "corporation"))
_SYMBOLS = (SymbolCategory.DOMAIN, SymbolCategory.SYMBOL)
# Romanisation variants of Hindi sounds; applied to every word, so they only ever merge.
_FOLDS = (("ee", "i"), ("oo", "u"), ("sh", "s"), ("ph", "f"), ("ch", "k"), ("c", "k"),
          ("q", "k"), ("x", "ks"), ("w", "v"))
_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    for old, new in _FOLDS:
        word = word.replace(old, new)
    return _DOUBLE.sub(r"\1", word)


@dataclass(frozen=True)
class _Keys:
    """A name's two keys, each with honorific and legal form removed and its words sorted:
    ``canonical`` (trade words as rigour symbols, spellings folded) and ``written`` (the
    words as written, in ASCII); and ``forms``, rigour's generic classes of the legal forms
    it named (llc for Ltd, Inc., GmbH; jsc for S.A., PLC; llp)."""

    canonical: str
    written: str
    forms: frozenset[str]

    def fits(self, other: frozenset[str]) -> bool:
        """An LLP is not the limited company of the same name: when both names state a
        legal form, the forms must share a class."""
        return not (self.forms and other and self.forms.isdisjoint(other))


@lru_cache(maxsize=65536)
def _keys(name: str, person: bool = False) -> _Keys:
    text = _latin(remove_person_prefixes(name) if person else name).casefold()
    text = _HONORIFIC.sub(" ", text)
    text = _INITIALS.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", text)
    analysed = analyze_names(NameTypeTag.ORG, [text], phonetics=False, consolidate=False)
    if not analysed:
        return _Keys("", "", frozenset())
    parsed = next(iter(analysed))
    parts = [p for p in parsed.parts if p.tag not in (NamePartTag.LEGAL, NamePartTag.STOP)]
    if parts and metaphone(parts[0].form) == _HONORIFIC_SOUND:
        parts = parts[1:]
    while parts and (parts[-1].form in _TRAILING_FORMS or (
            len(parts[-1].form) > 4 and metaphone(parts[-1].form) in _TRAILING_SOUNDS)):
        parts.pop()
    symbol: dict[int, str] = {}
    for span in sorted(parsed.spans, key=lambda s: (-len(s.parts), s.symbol.id)):
        if span.symbol.category in _SYMBOLS and not any(p.index in symbol
                                                        for p in span.parts):
            for i, part in enumerate(span.parts):
                symbol[part.index] = span.symbol.id.casefold() if i == 0 else ""
    canonical = (_fold(symbol.get(p.index, p.form)) for p in parts)
    written = (_ascii(p.form) for p in parts)
    forms = frozenset(span.symbol.id.casefold() for span in parsed.spans
                      if span.symbol.category == SymbolCategory.ORG_CLASS)
    return _Keys(" ".join(sorted(w for w in canonical if w)),
                 " ".join(sorted(w for w in written if w)), forms)


def watch_key(name: str) -> str:
    """A party name as a comparable key: Latin letters, no honorific or legal form, trade
    words as rigour symbols, romanisation variants folded, words sorted."""
    return _keys(name).canonical


def _identifiers(value: str) -> list[str]:
    """Upper-case letters and digits; a GSTIN also as the PAN it embeds, which lists give
    as the registration number."""
    text = identifier_key(value)
    if len(text) < MIN_IDENTIFIER_LENGTH:
        return []
    pan = gstin.pan(text)
    return [text, pan] if pan else [text]


# --- Entries and hits -------------------------------------------------------------------


@dataclass(frozen=True)
class WatchEntry:
    """One listed party: its names and aliases, identifiers (letters and digits only),
    countries (ISO codes) and the ``label`` that sentences name it by."""

    id: str
    schema: str
    names: tuple[str, ...]
    identifiers: tuple[str, ...]
    countries: tuple[str, ...]
    label: str

    @classmethod
    def of(cls, proxy: EntityProxy) -> WatchEntry:
        # The name property first, then aliases and the rest, each in the order given.
        names = tuple(dict.fromkeys([*proxy.get("name", quiet=True), *(
            v for prop, v in proxy.itervalues() if prop.type == registry.name)]))
        identifiers = tuple(dict.fromkeys(
            i for v in proxy.get_type_values(registry.identifier, matchable=True)
            for i in _identifiers(v)))
        datasets = proxy.context.get("datasets")
        sources = [str(d) for d in datasets] if isinstance(datasets, list) else []
        sources += [registry.topic.caption(t) or t for t in proxy.get("topics", quiet=True)]
        label = f'"{names[0] if names else proxy.id}"'
        if sources:
            label += f" [{', '.join(sources)}]"
        return cls(str(proxy.id or ""), proxy.schema.name, names, identifiers,
                   tuple(proxy.get_type_values(registry.country)), label)


@dataclass(frozen=True)
class WatchHit:
    """A declared party found on the list: by an identical identifier (``how`` is
    "identifier", score 1) or by name similarity (score in [NAME_THRESHOLD, 1]). ``name``
    is the name as declared; ``matched`` the listed name, or the identifier (letters and
    digits) both carry."""

    entry: WatchEntry
    score: float
    how: How
    name: str
    matched: str

    def sentence(self, role: str) -> str:
        """The reason as reviewers read it, for the party's ``role`` ("importer"); pass
        ``"{role}"`` to keep a placeholder that ``str.replace`` fills in later."""
        subject = f"{role[:1].upper()}{role[1:]}"
        subject += f' "{self.name}"' if self.name else f" with identifier {self.matched}"
        evidence = (f"same identifier {self.matched}" if self.how == "identifier"
                    else f"name similarity {self.score:.2f}")
        return f"{subject} matches watch-list entry {self.entry.label} ({evidence})"


def _near(word: str) -> set[str]:
    """The word and the word less any one letter: two words one edit apart (an insertion,
    a deletion, a substitution or two letters swapped) share at least one of these."""
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


def _one_edit(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= _MIN_TYPO_WORD and OSA.distance(a, b) <= 1)


def _paired(query: Sequence[str], listed: Sequence[str]) -> list[str] | None:
    """The listed words in the order of the query words they pair with, when they pair off
    one to one, each pair equal or one typo apart; else None: a word too many or too
    different (Logistics for Chemicals, Lakeside for Laxmi) is another firm."""
    if len(query) != len(listed):
        return None
    rest = list(listed)
    order: list[str | None] = []
    for word in query:
        if word in rest:
            rest.remove(word)
            order.append(word)
        else:
            order.append(None)
    if len(rest) > 3:  # 4! pairings to try, for a name too far off to want as a hit
        return None
    gaps = [i for i, w in enumerate(order) if w is None]
    for guess in permutations(rest):
        if all(_one_edit(query[i], w) for i, w in zip(gaps, guess, strict=True)):
            for i, w in zip(gaps, guess, strict=True):
                order[i] = w
            return [w or "" for w in order]
    return None


class _Index:
    """One kind of key for every listed name: exact keys in a dictionary, and each word's
    one-letter deletions pointing to the keys that hold it, for typo-tolerant look-up."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.owners: list[tuple[int, str, frozenset[str]]] = []  # entry, name, forms
        self.exact: dict[str, list[int]] = {}
        self.near: dict[str, set[int]] = {}
        self.reach: dict[str, set[int]] = {}

    def add(self, key: str, entry: int, name: str, forms: frozenset[str]) -> None:
        same = self.exact.setdefault(key, []) if key else []
        if not key or any(self.owners[i][0] == entry and self.owners[i][2] == forms
                          for i in same):
            return
        position = len(self.keys)
        same.append(position)
        self.keys.append(key)
        self.owners.append((entry, name, forms))
        for word in set(key.split()):
            for variant in _near(word):
                self.near.setdefault(variant, set()).add(position)

    def _reach(self, word: str) -> set[int]:
        """The keys holding a word within one edit of ``word``; kept for common words,
        whose sets are costly to merge and come back with every other name."""
        if word in self.reach:
            return self.reach[word]
        found: set[int] = set().union(*(self.near.get(v, ()) for v in _near(word)))
        if len(found) > _KEEP_REACH:
            self.reach[word] = found
        return found

    def best(self, key: str, query: _Keys) -> tuple[float, int, str] | None:
        """(score, entry, listed name) of the closest key at or above the threshold whose
        words pair off with the query's and whose legal form fits."""
        for position in self.exact.get(key, ()):
            entry, name, forms = self.owners[position]
            if query.fits(forms):
                return 1.0, entry, name
        words = key.split()
        if not words:
            return None
        # Every word must pair with a listed word within one edit: start from the rarest
        # word's neighbours and keep the keys that also hold a neighbour of each other word.
        near = sorted((self._reach(w) for w in words), key=len)
        candidates = near[0].intersection(*near[1:])
        best: tuple[float, int, str] | None = None
        for position in sorted(candidates):
            entry, name, forms = self.owners[position]
            paired = _paired(words, self.keys[position].split()) if query.fits(forms) else None
            if paired is None:
                continue
            # Words compared in pairing order: a typo may move a word in the sorted key.
            score = fuzz.ratio(key, " ".join(paired)) / 100
            if score >= NAME_THRESHOLD and (best is None or score > best[0]):
                best = (score, entry, name)
        return best


class WatchList:
    """Party-like entities of a FollowTheMoney list, indexed for :meth:`match`.

    Identifiers and name keys are looked up in dictionaries; a key not listed as such is
    compared only with listed keys holding a word within one edit of each of its words, so
    one declared name costs a few comparisons, not one per listed name. Answers are cached
    per (name, identifier), for the life of the list.
    """

    def __init__(self, entries: Iterable[WatchEntry]) -> None:
        self.entries = tuple(entries)
        self._by_identifier: dict[str, int] = {}
        self._indexes = (_Index(), _Index())
        for index, entry in enumerate(self.entries):
            for identifier in entry.identifiers:
                self._by_identifier.setdefault(identifier, index)
            schema = model.get(entry.schema)
            person = schema is not None and schema.is_a("Person")
            keys = [_keys(name, person) for name in entry.names]
            # An alias written without its legal form is still the same company's name.
            forms = frozenset().union(*(k.forms for k in keys))
            for name, key in zip(entry.names, keys, strict=True):
                self._indexes[0].add(key.canonical, index, name, forms)
                self._indexes[1].add(key.written, index, name, forms)
        self._seen: dict[tuple[str, str], WatchHit | None] = {}

    @classmethod
    def from_entities(cls, entities: Iterable[EntityProxy]) -> WatchList:
        """The list's parties: entities whose schema is a LegalEntity; others are skipped."""
        return cls(WatchEntry.of(p) for p in entities if p.schema.is_a("LegalEntity"))

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, name: str, identifier: str | None = None) -> WatchHit | None:
        """The entry a declared party is, by identifier first, else by name; None if none.

        A name hit scores in [:data:`NAME_THRESHOLD`, 1]; its words must also pair off one
        to one with the listed name's, each equal or one typo apart.
        """
        cache = (name, identifier or "")
        if cache not in self._seen:
            self._seen[cache] = self._identifier_hit(name, identifier or "") or \
                self._name_hit(name)
        return self._seen[cache]

    def _identifier_hit(self, name: str, identifier: str) -> WatchHit | None:
        for value in _identifiers(identifier):
            index = self._by_identifier.get(value)
            if index is not None:
                return WatchHit(self.entries[index], 1.0, "identifier", name, value)
        return None

    def _name_hit(self, name: str) -> WatchHit | None:
        keys = _keys(name)
        best: tuple[float, int, str] | None = None
        for kind, key in zip(self._indexes, (keys.canonical, keys.written), strict=True):
            found = kind.best(key, keys)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
            if best is not None and best[0] == 1.0:
                break
        if best is None:
            return None
        score, index, listed = best
        return WatchHit(self.entries[index], round(score, 4), "name", name, listed)


def watchlist_facts(watch: WatchList, names: pa.Array | pa.ChunkedArray,
                    ids: pa.Array | pa.ChunkedArray) -> pa.Table:
    """For (name, identifier) pairs of one role: ``name``, ``party_id``, ``watch_score``
    (0 when no hit) and ``watch_hit``, the sentence with a ``{role}`` placeholder ("" when
    no hit). Nulls read as ''. One row per pair, in order; pass distinct pairs.
    """
    if len(names) != len(ids):
        raise UsageError(f"{len(names)} names but {len(ids)} identifiers")
    values = [n or "" for n in names.to_pylist()]
    numbers = [i or "" for i in ids.to_pylist()]
    hits = [watch.match(n, i) for n, i in zip(values, numbers, strict=True)]
    return pa.table({
        "name": pa.array(values, pa.string()),
        "party_id": pa.array(numbers, pa.string()),
        "watch_score": pa.array([h.score if h else 0.0 for h in hits], pa.float64()),
        "watch_hit": pa.array([h.sentence("{role}") if h else "" for h in hits], pa.string()),
    })


latin = _latin
