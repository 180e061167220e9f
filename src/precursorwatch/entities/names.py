"""Party names reduced to the parts that entity resolution compares.

One firm reaches the two nations' records as "M/s. Tulsi Biotech Pvt. Ltd.", "TULSI BIOTECH
PRIVATE LIMITED", "Tulsi Biotech P. Ltd" and "तुलसी बायोटेक प्राइवेट लिमिटेड". What
identifies it is the words between the honorific and the legal form; the legal form is kept
apart because an LLP and a private limited company of the same name are two legal persons.

The steps, each from a maintained source where one exists:

1. Romanise: Devanagari with the screening watch list's romaniser (Hindi schwa deletion,
   so "तुलसी" reads "tulsi"), other scripts with ICU through rigour.
2. Drop the honorific of a firm ("M/s.", "Messrs", "मेसर्स") or of a person (rigour's
   person prefixes, and the Indian ones rigour lacks: Shri, Smt., Kumari, ...).
3. Read the legal form at the end of the name: rigour's org-type table (Ltd, Limited, LLC,
   LLP, Inc., PLC, Pte. Ltd., GmbH, S.A. de C.V., ...), plus the words rigour treats as
   name words but Indian and US filings use as forms (Pvt., Private, P., Corp., Co.) and
   their romanised spellings (प्राइवेट reads "praivet", matched by sound).
4. Replace trade words by rigour's symbol for them, so abbreviations meet their long form
   ("Chem." and "Chemicals" are ``chemical``, "Intl" and "International" ``intl``,
   "Mfg" ``manufacturing``, "Pharma" ``pharmacy``); "&" and "and" both drop out as stop
   words.
5. Sort the words for a blocking key (word order differs across registers and between a
   person's given and family names), and reduce each to a Soundex code for a second key
   that survives the vowel spellings of romanisation ("bayotek" and "biotech").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rigour.names import (
    NamePartTag,
    NameTypeTag,
    SymbolCategory,
    analyze_names,
    extract_org_types,
    remove_org_prefixes,
    remove_person_prefixes,
    tokenize_name,
)
from rigour.text import metaphone, soundex

from precursorwatch.screening.watchlist import latin

__all__ = ["NameParts", "normalise_name"]

# A firm's honorific: "M/s", "M/S.", "Messrs"; its Devanagari "मेसर्स" romanises to a
# spelling ("mesars") that only the sound test below catches.
_FIRM_HONORIFIC = re.compile(r"^\W*(?:m\s*/\s*s|messrs|messers)\b\.?", re.IGNORECASE)
_FIRM_HONORIFIC_SOUND = metaphone("messrs")
# Indian honorifics of persons that rigour's person-prefix list (Mr, Mrs, Dr, ...) lacks.
_PERSON_HONORIFICS = frozenset({"shri", "shree", "sri", "smt", "shrimati", "srimati", "kumari",
                                "km", "kum", "sushri", "sh"})
# "Care of" and Indian parentage ("S/o", "D/o", "W/o") introduce a second party.
_SECOND_PARTY = re.compile(r"\b[cdsw]\s*/\s*o\b.*$", re.IGNORECASE | re.DOTALL)
# "L.L.P.", "S. A.", "U.S.A.": spaced initials that rigour's org-type table reads only joined.
_INITIALS = re.compile(r"\b(?:[a-z]\.\s?){2,}")

# Words that rigour reads as name words but filings use as legal forms.
_PRIVATE = frozenset({"pvt", "pvte", "prvt", "private", "opc"})
# "P. Ltd", and "प्रा. लि." (romanised "pra li"): private only in front of a limited.
_PRIVATE_INITIALS = frozenset({"p", "pra"})
_CORPORATION = frozenset({"corp", "corpn", "corporation"})
_COMPANY = frozenset({"co", "coy", "company"})
# The same words romanised from Indic scripts ("praivet", "kampani", "limiteta"), by sound;
# only for words of five letters or more, where a metaphone match is rarely a coincidence.
_SOUNDS = {metaphone("private"): "private", metaphone("company"): "co",
           metaphone("corporation"): "corp", metaphone("limited"): "ltd"}
_MIN_SOUND_WORD = 5
# The longest legal form in rigour's table that we look for, in words.
_MAX_FORM_WORDS = 4
# Rigour keeps East-Asian "Co., Ltd." apart; it is a limited company, as "Company Limited".
_SAME_FORM = {"coltd": "ltd"}
_SYMBOLS = (SymbolCategory.DOMAIN, SymbolCategory.SYMBOL)
# First letters that romanisations and English spellings use for one sound, folded before
# Soundex (which keeps the first letter as written): "chemical" and "kemikal".
_FIRST_SOUNDS = (("ch", "k"), ("ph", "f"), ("c", "k"), ("q", "k"), ("w", "v"))


@dataclass(frozen=True)
class NameParts:
    """A party name taken apart.

    ``latin`` is the name in Latin letters as written; ``tokens`` are its identifying words
    in order (casefolded, without honorific, legal form or stop words, trade words as
    rigour's symbol); ``legal_form`` is a code: ``pvt_ltd``, ``ltd``, ``llp``, ``llc``,
    ``inc``, ``corp``, ``co``, ``plc`` or another of rigour's compare forms (``gmbh``,
    ``pte_ltd``, ``sacv``), or None when the name states none. ``key`` is the sorted tokens
    (for blocking), ``phonetic_key`` their sorted Soundex codes, digits kept as written.
    """

    original: str
    latin: str
    tokens: tuple[str, ...]
    legal_form: str | None
    key: str
    phonetic_key: str


def normalise_name(name: str | None, *, person: bool = False) -> NameParts | None:
    """The parts of a firm's name, or of a person's when ``person``; None when the name is
    missing or has no word left once the honorific and legal form are gone."""
    if not name or not name.strip():
        return None
    return _normalise(name, person)


@lru_cache(maxsize=65536)
def _normalise(name: str, person: bool) -> NameParts | None:
    written = " ".join(latin(name).split())
    text = _SECOND_PARTY.sub("", written).casefold()
    text = _INITIALS.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", text)
    # A dot left between words separates them ("Pvt.Ltd."); rigour's tokenizer would join.
    text = text.replace(".", " ")
    if person:
        words = _person_words(text)
        form = None
    else:
        words, form = _firm_words(text)
    tokens = _tokens(words, person)
    if not tokens:
        return None
    return NameParts(name, written, tokens, form, " ".join(sorted(tokens)),
                     " ".join(sorted(_sound(t) for t in tokens)))


def _person_words(text: str) -> list[str]:
    words = tokenize_name(remove_person_prefixes(text))
    while len(words) > 1 and words[0] in _PERSON_HONORIFICS:
        words = words[1:]
    return words


def _firm_words(text: str) -> tuple[list[str], str | None]:
    words = tokenize_name(remove_org_prefixes(_FIRM_HONORIFIC.sub(" ", text)))
    if len(words) > 1 and metaphone(words[0]) == _FIRM_HONORIFIC_SOUND:
        words = words[1:]
    end, found = len(words), list[str]()
    # Legal forms are read from the end, one at a time ("Co. LLC", "(OPC) Private
    # Limited"). A name that is nothing but a legal form ("PVT LTD", a placeholder in bad
    # data) has no name left and is missing: it must not match every other such record.
    while end > 0:
        step = _form_before(words, end, found)
        if step is None:
            break
        width, labels = step
        found.extend(labels)
        end -= width
    return words[:end], _form_code(found)


def _form_before(words: list[str], end: int, found: list[str]) -> tuple[int, list[str]] | None:
    """(words taken, form labels) for the legal form that ends at ``end``, or None."""
    for width in range(min(_MAX_FORM_WORDS, end), 0, -1):
        phrase = " ".join(words[end - width:end])
        matches = extract_org_types(phrase)
        if len(matches) == 1 and matches[0][0] == phrase:
            code = matches[0][1]
            # Rigour reads "private limited company" as a plain ltd.
            if width > 1 and words[end - width] in _PRIVATE:
                return width, [code, "private"]
            return width, [code]
    word = words[end - 1]
    if word == "li" and end > 1 and words[end - 2] == "pra":
        return 1, ["ltd"]
    sound = _SOUNDS.get(metaphone(word)) if len(word) >= _MIN_SOUND_WORD else None
    if word in _PRIVATE or sound == "private" or (
            word in _PRIVATE_INITIALS and found[-1:] == ["ltd"]):
        return 1, ["private"]
    if word in _CORPORATION or sound == "corp":
        return 1, ["corp"]
    if word in _COMPANY or sound == "co":
        return 1, ["co"]
    if sound == "ltd":
        return 1, ["ltd"]
    return None


def _form_code(found: list[str]) -> str | None:
    """One code for the form labels read from the end of a name: the outermost form that
    rigour knows, qualified by "private"; else private, corp or co as stated."""
    private = "private" in found
    for label in found:
        if label not in ("private", "corp", "co"):
            code = _SAME_FORM.get(label, label).replace(" ", "_")
            return "pvt_ltd" if private and code == "ltd" else code
    if private:
        return "pvt_ltd"
    return found[0] if found else None


def _tokens(words: list[str], person: bool) -> tuple[str, ...]:
    if not words:
        return ()
    tag = NameTypeTag.PER if person else NameTypeTag.ORG
    # Persons need no symbols (trade words are a firm's), and building rigour's person-name
    # tagger would cost seconds on first use.
    analysed = analyze_names(tag, [" ".join(words)], rewrite=False, phonetics=False,
                             numerics=False, consolidate=False, symbols=not person)
    if not analysed:
        return ()
    parsed = next(iter(analysed))
    symbol: dict[int, str] = {}
    if not person:
        # Longest spans first, so "limited liability" beats "limited" when both are symbols.
        for span in sorted(parsed.spans, key=lambda s: (-len(s.parts), s.symbol.id)):
            if span.symbol.category in _SYMBOLS and not any(p.index in symbol
                                                            for p in span.parts):
                for i, part in enumerate(span.parts):
                    symbol[part.index] = span.symbol.id.casefold() if i == 0 else ""
    # Single letters stay: "A. B. Chemicals" is not "B Chemicals", though "a" is a stop word.
    kept = (symbol.get(p.index, p.form) for p in parsed.parts
            if p.tag != NamePartTag.STOP or len(p.form) == 1)
    return tuple(t for t in kept if t)


def _sound(token: str) -> str:
    if not token.isalpha():
        return token
    for written, said in _FIRST_SOUNDS:
        if token.startswith(written):
            token = said + token[len(written):]
            break
    return soundex(token) or token
