"""Text keys for recognising substance names in free-text product descriptions.

Customs clerks write the same chemical many ways: ``Pseudo-Ephedrine HCl``, ``pseudoephedrine
hydrochloride``, ``PSEUDO EPHEDRINE``, ``स्यूडोएफेड्रिन``. Two keys make those comparable:

* the *squashed* key joins the case-folded letter and digit runs of a phrase with nothing in
  between, so spacing, hyphens, commas and case stop mattering (``3,4-MDP-2-P`` -> ``34mdp2p``);
* the *sound* key of a word written in Devanagari transliterates it to Latin letters and keeps
  a consonant skeleton (``एफेड्रिन`` -> ``fdrn``, as ``ephedrine`` -> ``fdrn``), because Hindi
  spellings of English chemical names follow the sound, not the letters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

__all__ = ["is_devanagari", "sound_key", "squash", "tokens"]

# A token is a run of letters, digits or Devanagari signs; Python's \w alone splits Devanagari
# words at their vowel signs, which are combining marks rather than letters.
_TOKEN = re.compile(r"[0-9a-z\u00c0-\u024f\u0900-\u097f]+")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
# Spelling variants within Devanagari that carry no difference for a loanword:
# nukta (फ़ = फ), candra-o (ॉ = ो), candrabindu (ँ = ं), joiners.
_DEVANAGARI_FOLD = str.maketrans({"\u093c": None, "\u0949": "\u094b", "\u0901": "\u0902",
                                  "\u200c": None, "\u200d": None})
_DIGRAPHS = (("ph", "f"), ("sh", "s"), ("th", "t"), ("dh", "d"), ("bh", "b"), ("kh", "k"),
             ("gh", "g"), ("ch", "k"))
_LETTERS = str.maketrans({"c": "k", "q": "k", "z": "j", "w": "v", "x": "ks"})
_SOFT_C = re.compile(r"c(?=[eiy])")
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")


def tokens(text: str) -> list[str]:
    """The case-folded letter, digit and Devanagari runs of ``text``, in order."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_DEVANAGARI_FOLD)
    return _TOKEN.findall(folded)


def squash(text: str) -> str:
    """Join the tokens of ``text`` with nothing between them: the key for exact matching."""
    return "".join(tokens(text))


def is_devanagari(token: str) -> bool:
    """Whether a token is written (at least partly) in Devanagari."""
    return _DEVANAGARI.search(token) is not None


@lru_cache(maxsize=65536)
def sound_key(token: str) -> str:
    """A consonant skeleton that a Latin name and its Hindi spelling share.

    Devanagari is transliterated first; the anusvara becomes ``n`` because in loanwords it
    stands for the nasal (``फेंटानिल`` = fentanyl). Then digraphs become single letters, a soft
    ``c`` becomes ``s``, ``z`` becomes ``j`` (Hindi writes z as ज), doubled letters collapse
    and vowels are dropped.
    """
    if is_devanagari(token):
        folded = token.translate(_DEVANAGARI_FOLD).replace("\u0902", "n")
        latin = unidecode(folded).lower()
    else:
        latin = token
    for digraph, letter in _DIGRAPHS:
        latin = latin.replace(digraph, letter)
    latin = _SOFT_C.sub("s", latin).translate(_LETTERS)
    # Collapse doubled letters before dropping vowels, so that "isosafrole" keeps both of its
    # s sounds and stays apart from "safrole".
    return _VOWELS.sub("", _REPEATS.sub(r"\1", latin))
