"""Recognise controlled substances in a declared product, with a confidence and the evidence.

A declaration names its goods in free text and may add a CAS number and an HS code; any of the
three can be wrong, by accident or to hide a diversion. Identification reads all three:

1. the description is cut into tokens and scanned left to right for the longest phrase that is
   a known name (canonical names, synonyms, and the look-alikes that must *not* match, so that
   "petroleum ether" is consumed before "ether" can be read); spacing, hyphens and case do
   not matter, Devanagari words are compared by sound, and a word one or two letters away from
   a long name counts as a misspelling of it;
2. a name followed by "free" or preceded by "without" / "free of" / "non" is absent, not
   present ("phenylacetone-free solvent"), but "free base" is the substance itself;
3. a valid CAS number of a controlled substance or one of its salts is strong evidence even
   when the description says something else (a misdeclaration is reported as a conflict); a
   CAS number whose check digit fails is reported and otherwise ignored;
4. an HS subheading that exists for one controlled substance only (2939.41 is ephedrine and
   its salts) names that substance when the description names none, and is reported as a
   conflict when it does not fit the named substance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from precursorwatch.ids import cas as cas_numbers
from precursorwatch.ids import hs as hs_codes
from precursorwatch.registry.substances import Registry, Substance, load_registry
from precursorwatch.registry.text import is_devanagari, sound_key, squash, tokens

__all__ = [
    "Evidence",
    "EvidenceKind",
    "Identification",
    "Identifier",
    "Match",
    "build_identifier",
    "default_identifier",
]

EvidenceKind = Literal[
    "cas", "name", "misspelling", "sound", "salt", "hs", "conflict", "bad_cas", "absent"
]

# Confidence of each way of recognising a substance, before agreement between them raises it.
_CONFIDENCE_NAME = 0.95
_CONFIDENCE_MISSPELLING = (0.85, 0.75)  # edit distance 1, 2
_CONFIDENCE_SOUND = 0.8
_CONFIDENCE_CAS_ONLY = 0.9
_CONFIDENCE_HS_ONLY = 0.6
_CONFIDENCE_AGREEING_CAS = 0.99
#: Matches at or above this confidence are reported as substances; below it, only as evidence.
REPORT_CONFIDENCE = 0.5

# Salt and hydrate words: they follow a name and say which form of it was shipped.
_SALT_WORDS: dict[str, str] = {
    w: w for w in (
        "hydrochloride", "hcl", "sulfate", "sulphate", "hemisulfate", "hemisulphate",
        "phosphate", "citrate", "tartrate", "bitartrate", "maleate", "fumarate", "mesylate",
        "hydrobromide", "hbr", "besylate", "acetate", "succinate", "oxalate", "nitrate",
        "monohydrate", "hemihydrate", "dihydrate", "trihydrate", "sesquihydrate", "anhydrous",
        "base", "freebase", "salt", "salts",
    )
}
_SALT_WORDS.update({"hydrochlor": "hydrochloride", "hydrochloridum": "hydrochloride"})
_SALT_SOUNDS: dict[str, str] = {sound_key(w): w for w in
                                ("hydrochloride", "sulphate", "phosphate", "citrate", "tartrate")}
# Words that say a named substance is absent: before it ("without", Hindi बिना) or after it
# ("free", Hindi मुक्त / रहित, as in "कोडीन-मुक्त").
_NEGATE_BEFORE = {"without", "non", "no", "nil", "excluding", "बिना"}
_NEGATE_BEFORE_PAIR = {("free", "of"), ("free", "from")}
_NEGATE_AFTER = {"free", "मुक्त", "रहित"}
# "free" that does not say the named substance is absent: "free base", "free flowing powder",
# "free sample", "sulphuric acid free of iron" (something else is absent).
_FREE_NOT_ABSENT = {"base", "flowing", "flow", "sample", "samples", "of", "from", "delivery",
                    "shipping", "trade", "zone", "acid", "charge", "issue"}
_CONJUNCTIONS = {"and", "or", "nor"}
# A name right after one of these is part of a larger chemical name ("3-hydroxy-2-butanone",
# "N-methyl-4-piperidone", "monomethyl ether"), not the substance itself. Locants between
# them ("2", "n", "alpha") are skipped when looking back.
_SUBSTITUENT_SUFFIXES = ("yl", "oxy", "ylidene")
_SUBSTITUENT_WORDS = {"chloro", "bromo", "fluoro", "iodo", "nitro", "amino", "cyano", "oxo",
                      "thio", "keto", "nor", "hydro", "dihydro", "tetrahydro", "deoxy", "bis",
                      "di", "tri", "tetra", "poly"}
_LOCANTS = {"alpha", "beta", "gamma", "dl", "tert", "sec", "iso", "cis", "trans"}
# Abbreviations this short are trusted only where they are not the abbreviation of a
# look-alike just named ("Polyphosphoric acid (PPA)").
_ABBREVIATION_LENGTH = 4
_FUZZY_MIN_LENGTH = 6
_FUZZY_TWO_EDITS_LENGTH = 10
_MAX_WINDOW = 8
_CACHE_LIMIT = 200_000  # remembered fuzzy look-ups before the memory is cleared


@dataclass(frozen=True)
class Evidence:
    """One fact that supports, weakens or qualifies an identification, as a sentence."""

    kind: EvidenceKind
    text: str


@dataclass(frozen=True)
class Match:
    """A controlled substance found in a row, how sure we are, and why."""

    substance: Substance
    confidence: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Identification:
    """What a row contains: matches (most certain first) and remarks on the row as a whole."""

    matches: tuple[Match, ...]
    remarks: tuple[Evidence, ...] = ()

    @property
    def reported(self) -> tuple[Match, ...]:
        """The matches sure enough to report as substances the row contains."""
        return tuple(m for m in self.matches if m.confidence >= REPORT_CONFIDENCE)

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names of the reported substances."""
        return tuple(m.substance.name for m in self.reported)

    def evidence_text(self) -> str:
        """All evidence as one ``;``-joined string: each match's, then the remarks."""
        parts = [f"{m.substance.name}: {e.text}" for m in self.matches for e in m.evidence]
        parts.extend(e.text for e in self.remarks)
        return "; ".join(parts)


@dataclass(frozen=True)
class _Name:
    """An entry of the name index: a substance (None for a look-alike) and the phrase."""

    substance: Substance | None
    phrase: str
    canonical: bool = False


@dataclass
class _Hit:
    """A phrase found in the description, before context and other fields are weighed."""

    substance: Substance
    start: int
    end: int
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = _CONFIDENCE_NAME


class Identifier:
    """Identification against one registry; build once, call many times (it keeps indexes)."""

    def __init__(self, registry: Registry, lookalikes: Iterable[tuple[str, str]] = (),
                 ordinary_words: Iterable[str] = (),
                 hs_hints: Iterable[tuple[str, str]] = ()) -> None:
        """Index the registry's names, the look-alikes that must not match, the ordinary
        words never read as misspellings, and the HS subheadings (6 digits -> CAS) that
        name one substance."""
        self.registry = registry
        self._names: dict[str, _Name] = {}
        # None marks a sound shared by two substances ("piperidine", "piperidone"): ambiguous.
        self._sounds: dict[str, _Name | None] = {}
        for substance in registry.substances:
            for phrase in (substance.name, *substance.synonyms):
                self._add(_Name(substance, phrase, phrase == substance.name))
        for phrase, _reason in lookalikes:
            self._add(_Name(None, phrase))
        self._prefixes = {k[:i] for k in self._names for i in range(1, len(k) + 1)}
        self._sound_prefixes = {k[:i] for k in self._sounds for i in range(1, len(k) + 1)}
        self._ordinary = {squash(w) for w in ordinary_words} | set(_SALT_WORDS)
        self._misspellings: dict[tuple[str, ...], tuple[int, _Name, int] | None] = {}
        # Misspellings are looked for among names of the same first letter and similar length.
        self._fuzzy: dict[str, list[str]] = {}
        for key in self._names:
            if len(key) >= _FUZZY_MIN_LENGTH - 1 and not key.isdigit():
                self._fuzzy.setdefault(key[0], []).append(key)
        self._by_hs: dict[str, Substance] = {}
        for code, number in hs_hints:
            known = registry.by_cas(number)
            if known is not None:
                self._by_hs[code] = known[0]

    def _add(self, name: _Name) -> None:
        key = squash(name.phrase)
        # "HCl" alone is a salt of whatever it follows far more often than the acid itself.
        # Two-letter abbreviations ("AA" for acetic anhydride) collide with grades and sizes;
        # one with a digit ("I2" for iodine) does not.
        if not key or key in _SALT_WORDS or key.isdigit() or (
            len(key) < 3 and key.isalpha()
        ):
            return
        current = self._names.get(key)
        # A controlled name beats a look-alike of the same spelling, a canonical name a synonym.
        if current is None or (current.substance is None and name.substance is not None) or (
            name.canonical and not current.canonical and name.substance is not None
        ):
            self._names[key] = name
        if any(is_devanagari(t) for t in tokens(name.phrase)) or name.substance is not None:
            sound = "".join(sound_key(t) for t in tokens(name.phrase))
            if len(sound) >= 3 and not sound.isdigit():
                known = self._sounds.get(sound, name)
                same = known is not None and known.substance == name.substance
                self._sounds[sound] = name if sound not in self._sounds else (
                    known if same else None)

    # -- the scan over the description ----------------------------------------------------

    @staticmethod
    def _longest(toks: Sequence[str], start: int, keys: Sequence[str],
                 index: Mapping[str, _Name | None],
                 prefixes: set[str]) -> tuple[int, _Name] | None:
        """The longest known phrase starting at token ``start``: (end, entry)."""
        best: tuple[int, _Name] | None = None
        acc = ""
        for end in range(start, min(len(toks), start + _MAX_WINDOW)):
            if not keys[end]:  # a sound window stops where the Devanagari words stop
                break
            acc += keys[end]
            entry = index.get(acc)
            if entry is not None:
                best = (end + 1, entry)
            if acc not in prefixes:
                break
        return best

    def _misspelt(self, toks: Sequence[str], start: int) -> tuple[int, _Name, int] | None:
        """A window of 1-3 tokens a few edits from a long name: (end, entry, distance)."""
        words: tuple[str, ...] = ()
        for token in toks[start:start + 3]:
            if not token.isalpha():
                break
            words += (token,)
        if not words:
            return None
        # The same words recur across declarations ("drums", "pharma grade"), and fuzzy
        # search is the costliest step, so answers are remembered per window of words.
        if words not in self._misspellings:
            if len(self._misspellings) > _CACHE_LIMIT:
                self._misspellings.clear()
            self._misspellings[words] = self._closest(words)
        found = self._misspellings[words]
        return None if found is None else (start + found[0], found[1], found[2])

    def _closest(self, words: tuple[str, ...]) -> tuple[int, _Name, int] | None:
        """(width, entry, distance) of the widest window of ``words`` that is a misspelling."""
        choices = self._fuzzy.get(words[0][0])
        if not choices:
            return None
        for width in range(len(words), 0, -1):
            window = "".join(words[:width])
            if len(window) < _FUZZY_MIN_LENGTH or (width == 1 and window in self._ordinary):
                continue
            limit = 2 if len(window) >= _FUZZY_TWO_EDITS_LENGTH else 1
            found = process.extractOne(window, choices, scorer=OSA.distance, score_cutoff=limit)
            if found is not None:
                key, distance, _ = found
                entry = self._names[key]
                if entry.substance is not None and abs(len(key) - len(window)) <= limit:
                    return width, entry, int(distance)
        return None

    def _scan(self, toks: Sequence[str]) -> list[_Hit]:
        """Every controlled name in the tokens, longest first, look-alikes consumed."""
        hits: list[_Hit] = []
        sounds = [sound_key(t) if is_devanagari(t) else "" for t in toks]
        after_lookalike = -1
        i = 0
        while i < len(toks):
            found = self._longest(toks, i, toks, self._names, self._prefixes)
            if found:
                end, entry = found
                said = " ".join(toks[i:end])
                short = len(squash(said)) <= _ABBREVIATION_LENGTH
                if entry.substance is None:
                    after_lookalike = end
                elif not (short and i == after_lookalike):
                    hit = _Hit(entry.substance, i, end)
                    hit.evidence.append(Evidence("name", f"description names {said!r}"))
                    hits.append(hit)
                i = end
                continue
            if sounds[i]:
                heard = self._longest(toks, i, sounds, self._sounds, self._sound_prefixes)
                if heard and heard[1].substance is not None:
                    end, entry = heard
                    assert entry.substance is not None
                    hit = _Hit(entry.substance, i, end, confidence=_CONFIDENCE_SOUND)
                    hit.evidence.append(Evidence(
                        "sound", f"description writes {' '.join(toks[i:end])!r}, "
                                 f"which sounds like {entry.phrase!r}"))
                    hits.append(hit)
                    i = end
                    continue
                i += 1
                continue
            fuzzy = self._misspelt(toks, i)
            if fuzzy:
                end, entry, distance = fuzzy
                assert entry.substance is not None
                hit = _Hit(entry.substance, i, end,
                           confidence=_CONFIDENCE_MISSPELLING[min(distance, 2) - 1])
                hit.evidence.append(Evidence(
                    "misspelling", f"description writes {' '.join(toks[i:end])!r}, "
                                   f"{distance} letter{'s' if distance > 1 else ''} from "
                                   f"{entry.phrase!r}"))
                hits.append(hit)
                i = end
                continue
            i += 1
        return hits

    @staticmethod
    def _absent(toks: Sequence[str], hit: _Hit) -> bool:
        """Whether the text around a name says the substance is absent.

        "X-free" (but not "X free base"), "without X", "free of X", and the same across a
        conjunction: "free of benzene and toluene".
        """
        after = toks[hit.end:hit.end + 2]
        if after and after[0] in _NEGATE_AFTER and not set(after[1:2]) & _FREE_NOT_ABSENT:
            return True
        start = hit.start
        if start >= 2 and toks[start - 1] in _CONJUNCTIONS:
            start -= 2  # step over "benzene and"
        before = toks[max(0, start - 2):start]
        return bool(before) and (before[-1] in _NEGATE_BEFORE or (
            len(before) == 2 and (before[0], before[1]) in _NEGATE_BEFORE_PAIR))

    @staticmethod
    def _inside_larger_name(toks: Sequence[str], hit: _Hit) -> bool:
        """Whether a name is only part of a larger chemical name, after a substituent."""
        j = hit.start - 1
        while j >= 0 and (toks[j].isdigit() or len(toks[j]) == 1 or toks[j] in _LOCANTS):
            j -= 1
        if j < 0:
            return False
        word = toks[j]
        return word.endswith(_SUBSTITUENT_SUFFIXES) or word in _SUBSTITUENT_WORDS

    @staticmethod
    def _salt(toks: Sequence[str], hit: _Hit) -> str | None:
        """The salt or form named right after a substance ("hydrochloride", "base")."""
        for word in toks[hit.end:hit.end + 2]:
            form = _SALT_WORDS.get(word) or (
                _SALT_SOUNDS.get(sound_key(word)) if is_devanagari(word) else None)
            if form:
                return form
        return None

    # -- the whole row --------------------------------------------------------------------

    def identify(self, description: str, cas: str | None = None,
                 hs_code: str | None = None) -> Identification:
        """The controlled substances in one declared product."""
        toks = tokens(description or "")
        remarks: list[Evidence] = []
        found: dict[str, _Hit] = {}
        for hit in self._scan(toks):
            if self._inside_larger_name(toks, hit):
                continue
            if self._absent(toks, hit):
                remarks.append(Evidence(
                    "absent", f"description says {hit.substance.name} is absent "
                              f"({' '.join(toks[max(0, hit.start - 2):hit.end + 1])!r})"))
                continue
            salt = self._salt(toks, hit)
            if salt:
                hit.evidence.append(Evidence("salt", f"salt or form named: {salt}"))
            kept = found.get(hit.substance.name)
            if kept is None or hit.confidence > kept.confidence:
                found[hit.substance.name] = hit
        if not found and toks[:1] == ["hcl"]:
            acid = self.registry.by_cas("7647-01-0")
            if acid is not None:
                hit = _Hit(acid[0], 0, 1)
                hit.evidence.append(Evidence("name", "description names 'HCl' as the goods"))
                found[acid[0].name] = hit
        named = set(found)
        self._weigh_cas(cas, found, named, remarks)
        self._weigh_hs(hs_code, found, named, remarks)
        matches = tuple(sorted(
            (Match(h.substance, round(h.confidence, 3), tuple(h.evidence)) for h in found.values()),
            key=lambda m: (-m.confidence, m.substance.name),
        ))
        return Identification(matches, tuple(remarks))

    def _weigh_cas(self, cas: str | None, found: dict[str, _Hit], named: set[str],
                   remarks: list[Evidence]) -> None:
        if not cas or not cas.strip():
            return
        text = cas.strip()
        if cas_numbers.normalize(text) is None:
            remarks.append(Evidence("bad_cas", f"CAS {text!r} is not a CAS number; ignored"))
            return
        if not cas_numbers.is_valid(text):
            normal = cas_numbers.normalize(text) or text
            body = normal.replace("-", "")[:-1]
            remarks.append(Evidence(
                "bad_cas", f"CAS {normal} fails its check digit (expected "
                           f"{cas_numbers.check_digit(body)}); ignored"))
            return
        known = self.registry.by_cas(text)
        normal = cas_numbers.format(text)
        if known is None:
            if named:
                remarks.append(Evidence(
                    "conflict", f"CAS {normal} is not a controlled substance, but the "
                                f"description names {', '.join(sorted(named))}"))
            return
        substance, form = known
        what = form or substance.name
        hit = found.get(substance.name)
        if hit is not None:
            hit.confidence = max(hit.confidence, _CONFIDENCE_AGREEING_CAS)
            hit.evidence.append(Evidence("cas", f"CAS {normal} is {what}, as described"))
            return
        hit = _Hit(substance, 0, 0, confidence=_CONFIDENCE_CAS_ONLY)
        hit.evidence.append(Evidence("cas", f"CAS {normal} is {what}"))
        hit.evidence.append(Evidence(
            "conflict", f"the description does not name {substance.name}"
                        + (f" but names {', '.join(sorted(named))}" if named else "")))
        found[substance.name] = hit

    def _weigh_hs(self, hs_code: str | None, found: dict[str, _Hit], named: set[str],
                  remarks: list[Evidence]) -> None:
        if not hs_code or not hs_code.strip():
            return
        sub = hs_codes.subheading(hs_code.strip())
        if sub is None:
            remarks.append(Evidence("conflict", f"HS code {hs_code!r} is not 6-10 digits"))
            return
        dotted = f"{sub[:4]}.{sub[4:]}"
        hinted = self._by_hs.get(sub)
        for name in named:
            hit = found[name]
            expected = hit.substance.hs_code
            if hinted is not None and hinted.name == name:
                hit.confidence = min(0.99, hit.confidence + 0.03)
                hit.evidence.append(Evidence("hs", f"HS {dotted} is the subheading for {name}"))
            elif (expected and expected[:6] != sub and expected[:4] != sub[:4]
                  and sub[:4] not in _MEDICAMENT_HEADINGS):
                hit.evidence.append(Evidence(
                    "conflict", f"HS {dotted} does not fit {name} "
                                f"(expected {expected[:4]}.{expected[4:6]})"))
        if hinted is None or hinted.name in found:
            return
        if named:
            remarks.append(Evidence(
                "conflict", f"HS {dotted} is the subheading for {hinted.name}, "
                            f"not for {', '.join(sorted(named))}"))
            return
        if found:  # a CAS number already named what the goods are
            return
        hit = _Hit(hinted, 0, 0, confidence=_CONFIDENCE_HS_ONLY)
        hit.evidence.append(Evidence(
            "hs", f"HS {dotted} is the subheading for {hinted.name}; the description does "
                  f"not name it"))
        found[hinted.name] = hit


#: HS headings 3003 and 3004 hold medicaments, mixed or in measured doses, whatever their
#: active substance: tablets of codeine or tramadol are declared there, not under the
#: substance's own chapter 29 subheading, so that is no contradiction.
_MEDICAMENT_HEADINGS = frozenset({"3003", "3004"})


def _data(name: str) -> Mapping[str, Any]:
    text = resources.files("precursorwatch.registry").joinpath(f"data/{name}.yaml").read_text(
        encoding="utf-8")
    data: Mapping[str, Any] = yaml.safe_load(text)
    return data


@cache
def default_identifier() -> Identifier:
    """An identifier over the shipped registry, look-alikes and HS hints, built once."""
    return build_identifier()


def build_identifier() -> Identifier:
    """A new identifier over the shipped data, with nothing remembered yet."""
    lookalikes = _data("lookalikes")
    hints = _data("hs_subheadings")
    return Identifier(
        load_registry(),
        [(str(p["phrase"]), str(p["is"])) for p in lookalikes.get("phrases", [])],
        [str(w) for w in lookalikes.get("words", [])],
        [(str(r["hs"]), str(r["cas"])) for r in hints.get("rows", [])],
    )
