"""Addresses reduced to the parts that entity resolution compares: postcode, state, PO box,
and a key that the same premises written two ways share.

A postcode and a state are the cheapest evidence that two records are in one place, and the
first thing a shell company's paperwork gets inconsistently: "Mumbai - 400 093, Maharashtra"
and "MUMBAI 400093 MH" are one address. An Indian PIN code is six digits, the first 1-9
(8 postal regions and the Army Postal Service), often written "400 093"; a US ZIP code is five
digits, or ZIP+4 ("20500-0003"). States and union territories are named by their ISO 3166-2
code ("IN-MH", "US-DC") from pycountry's table, which follows ISO's current codes (IN-OD,
IN-CG, IN-UK, IN-TS, IN-DH); the only hand-kept rows are names and codes that pycountry no
longer lists but old records still use. A PO box (and its Indian forms "Post Box No.",
"G.P.O. Box", "Post Bag", "P.B. No.") is a red flag for a chemical buyer's business address
(DEA Chemical Handler's Manual, "Know your customer").

The rest of the address is left to rigour: romanised (Devanagari with the watch list's
romaniser), its keywords in one form ("Road"/"Rd", "Avenue"/"Av") and territory names as
codes, by ``rigour.addresses.address_fingerprint``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import pycountry
from rigour.addresses import address_fingerprint

from precursorwatch.screening.watchlist import latin

__all__ = [
    "AddressParts",
    "is_po_box",
    "normalise_address",
    "pin_code",
    "po_box",
    "postcode",
    "state_code",
    "zip_code",
]

# Not part of a longer number, nor of a number run with dashes (a phone, a plot "12-400093"),
# but "Pin-396195" and "Mumbai-400001" are postcodes.
_PIN = re.compile(r"(?<!\d)(?<!\d-)([1-9]\d{2}) ?(\d{3})(?!-?\d)")
_ZIP = re.compile(r"(?<!\d)(?<!\d-)(\d{5})(?: ?- ?(\d{4}))?(?!-?\d)")
_PO_BOX = re.compile(
    r"\b(?:(?:g\.?\s?p\.?\s?o\.?\s?box|p\.?\s?o\.?\s?box|post\s?office\s?box|post\s?box|"
    r"post\s?bag|private\s?bag|pob|pmb|postfach|apartado(?:\s+postal)?|casilla)(?![a-z])"
    r"|p\.?\s?b\.?\s?(?=no\b))\.?"
    r"(?:\s*(?:no\b\.?|number\b|#))?\s*[:.\-]?\s*(\d[\dA-Za-z\-/]*)?",
    re.IGNORECASE)
# "M.I.D.C.", "D.C.", "N.Y.": initials that must read as one word before matching codes.
_INITIALS = re.compile(r"\b(?:[a-z]\.\s?){2,}", re.IGNORECASE)
_SEGMENT = re.compile(r"[,;\n]+")
_WORD = re.compile(r"[a-z0-9]+")
# Subdivision codes elsewhere can be numbers ("FR-75") that house numbers would match.
_STATE_COUNTRIES = frozenset({"IN", "US"})
# The longest state name in words ("Dadra and Nagar Haveli and Daman and Diu").
_MAX_STATE_WORDS = 8

# Names and codes that pycountry (ISO 3166-2 as it stands) no longer lists but records
# still carry, by the code they now are.
_FORMER: dict[str, tuple[str, ...]] = {
    "IN-OD": ("orissa",  # Orissa (Alteration of Name) Act, 2011
              "or"),  # ISO 3166-2 codes since replaced: IN-OR, IN-CT, IN-UT, IN-TG, ...
    "IN-CG": ("ct",),
    "IN-UK": ("uttaranchal",  # Uttaranchal (Alteration of Name) Act, 2006
              "ut"),
    "IN-TS": ("tg",),
    "IN-PY": ("pondicherry",),  # Pondicherry (Alteration of Name) Act, 2006
    # One union territory since 26 January 2020: the Dadra and Nagar Haveli and Daman and
    # Diu (Merger of Union Territories) Act, 2019; formerly IN-DN and IN-DD.
    "IN-DH": ("dadra and nagar haveli", "daman and diu", "dn", "dd"),
    "IN-DL": ("new delhi", "nct of delhi"),
    "IN-JK": ("j and k",),
    "IN-AN": ("andaman and nicobar",),
    "US-DC": ("washington dc",),
}
_DOUBLED = re.compile(r"([a-z])\1+")
_COUNTRY_WORDS = {"IN": ("bharat",), "US": ("america", "u s", "u s a")}


@dataclass(frozen=True)
class AddressParts:
    """An address taken apart.

    ``country`` is the ISO code given or inferred (None when neither); ``postcode`` a PIN
    ("400093") or ZIP ("20500", "20500-0003"); ``state`` an ISO 3166-2 code ("IN-MH");
    ``po_box`` the box number when the address is a PO box that gives one, and
    ``is_po_box`` whether it is one at all. ``fingerprint`` is rigour's order-keeping form
    of the romanised address; ``key`` its words sorted, with postcode and state written
    one way and the country left out, so that renderings of one address meet.
    """

    original: str
    latin: str
    country: str | None
    postcode: str | None
    state: str | None
    po_box: str | None
    is_po_box: bool
    fingerprint: str
    key: str


def _fold(text: str) -> str:
    """Lower-case ASCII words: accents off, "&" as "and", initials joined, other
    punctuation as spaces."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))
    bare = _INITIALS.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", bare)
    return " ".join(_WORD.findall(bare.replace("&", " and ")))


def pin_code(text: str | None) -> str | None:
    """The last Indian PIN code in ``text`` as six digits ("400 093" gives "400093")."""
    found = _PIN.findall(text or "")
    return "".join(found[-1]) if found else None


def zip_code(text: str | None) -> str | None:
    """The last US ZIP code in ``text``: five digits, or ZIP+4 as ``NNNNN-NNNN``. The last
    one, because a house number of five digits comes before it."""
    found = [(five, four) for five, four in _ZIP.findall(text or "") if five != "00000"]
    if not found:
        return None
    five, four = found[-1]
    return f"{five}-{four}" if four else five


def postcode(text: str | None, country: str | None) -> str | None:
    """The PIN code of an Indian address or the ZIP code of a US one; None elsewhere."""
    code = (country or "").upper()
    if code == "IN":
        return pin_code(text)
    if code == "US":
        return zip_code(text)
    return None


@cache
def _states(country: str) -> dict[str, str]:
    """Folded names and codes of a country's subdivisions, to ISO 3166-2 codes."""
    table: dict[str, str] = {}
    # Iterated rather than looked up: pycountry's typed Database.__iter__ beats its untyped
    # subdivision get(); 5,000 rows, read once per country.
    for sub in pycountry.subdivisions:
        if sub.country_code != country:
            continue
        table[sub.code.split("-", 1)[1].casefold()] = sub.code
        for name in (_fold(sub.name), *_FORMER.get(sub.code, ())):
            table.setdefault(name, sub.code)
            if len(name) > 2:  # a code's loose form ("dd" to "d") would match initials
                table.setdefault(_loose(name), sub.code)
    return table


def _loose(name: str) -> str:
    """A state name without spaces, "h" or doubled letters, which is how romanisations and
    spellings differ: "Tamilnadu", "Maharastra" (from महाराष्ट्र), "Chattisgarh"."""
    return _DOUBLED.sub(r"\1", name.replace(" ", "").replace("h", ""))


@cache
def _country_words(country: str) -> frozenset[str]:
    record = pycountry.countries.get(alpha_2=country)
    names = [country, *_COUNTRY_WORDS.get(country, ())]
    if record is not None:
        names += [record.name, record.alpha_3, getattr(record, "official_name", "")]
    return frozenset(_fold(n) for n in names if n)


def state_code(text: str | None, country: str) -> str | None:
    """The ISO 3166-2 code of a state or union territory named by its name, former name or
    code ("Maharashtra", "MH", "Orissa", "N.Y."); None if ``text`` names none of
    ``country``'s. The country is required: "GA" is Goa in India and Georgia in the US."""
    if not text:
        return None
    folded = _fold(text)
    states = _states(country.upper())
    return states.get(folded) or (states.get(_loose(folded)) if len(folded) > 2 else None)


def _without_country(words: list[str], country_words: frozenset[str]) -> list[str]:
    """``words`` less the country named at their end ("..., Maharashtra, India")."""
    while words:
        for width in range(min(4, len(words)), 0, -1):
            if " ".join(words[-width:]) in country_words:
                words = words[:-width]
                break
        else:
            return words
    return words


def _find_state(folded_segments: list[list[str]], country: str, post: str | None
                ) -> str | None:
    """The state named last in the address: a segment that is only a state, the code just
    before the postcode, a code ending a segment, or a state name inside one."""
    states = _states(country)
    country_words = _country_words(country)
    for words in reversed(folded_segments):
        kept = [w for w in words if w != post]
        kept = _without_country(kept, country_words)
        if not kept:
            continue
        whole = " ".join(kept)
        if whole in states or (len(whole) > 2 and _loose(whole) in states):
            return states.get(whole) or states[_loose(whole)]
        if kept[-1] in states:
            # A code is a state only where states are written, last in its segment
            # ("Washington DC 20500"); a bare "or" or "in" mid-segment is a word.
            return states[kept[-1]]
        for width in range(min(_MAX_STATE_WORDS, len(kept)), 0, -1):
            for start in range(len(kept) - width, -1, -1):
                phrase = " ".join(kept[start:start + width])
                if len(phrase) > 2 and (phrase in states or _loose(phrase) in states):
                    return states.get(phrase) or states[_loose(phrase)]
    return None


def _without_state(words: list[str], states: dict[str, str], state: str) -> list[str]:
    """The fingerprint's words less those that name ``state``, however spelt ("mh",
    "in-mh", "maharastra"), since the key carries the state as its code."""
    code = state.casefold()
    out: list[str] = []
    i = 0
    while i < len(words):
        for width in range(min(_MAX_STATE_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + width])
            if phrase == code or states.get(phrase, states.get(_loose(phrase), "")) == state:
                i += width
                break
        else:
            out.append(words[i])
            i += 1
    return out


def is_po_box(text: str | None) -> bool:
    """Whether the address is a post-office box or bag rather than premises."""
    return bool(text) and _PO_BOX.search(text or "") is not None


def po_box(text: str | None) -> str | None:
    """The number of the PO box the address names, upper case ("1234"); None when it names
    none or gives no number."""
    match = _PO_BOX.search(text or "")
    return match.group(1).upper() if match and match.group(1) else None


def _guess_country(folded: str) -> str | None:
    words = f" {folded} "
    for country in ("IN", "US"):
        if any(f" {w} " in words for w in _country_words(country)):
            return country
    if _PIN.search(folded) and not _ZIP.search(folded):
        return "IN"
    if _ZIP.search(folded) and not _PIN.search(folded):
        return "US"
    return None


def normalise_address(text: str | None, country: str | None = None) -> AddressParts | None:
    """The parts of an address; ``country`` (ISO alpha-2) says how to read postcode and
    state, and is inferred from the text (a country name, else the postcode's shape) when
    not given. None when the address is missing or has nothing to compare."""
    if not text or not text.strip():
        return None
    return _normalise(text, (country or "").upper() or None)


@lru_cache(maxsize=65536)
def _normalise(text: str, country: str | None) -> AddressParts | None:
    romanised = " ".join(latin(text).split())
    country = country or _guess_country(_fold(romanised))
    post = postcode(romanised, country)
    # The postcode written one way so that "400 093" and "400093" fingerprint alike.
    if post:
        written_post = (_PIN if country == "IN" else _ZIP).sub(
            lambda m: "".join(g or "" for g in m.groups()), romanised)
    else:
        written_post = romanised
    post_word = post.replace("-", "") if post else None
    segments = [_fold(s).split() for s in _SEGMENT.split(written_post)]
    state = (_find_state(segments, country, post_word)
             if country is not None and country in _STATE_COUNTRIES else None)
    fingerprint = address_fingerprint(_INITIALS.sub(
        lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", written_post)) or ""
    if not fingerprint:
        return None
    words = fingerprint.split()
    if state is not None and country is not None:
        words = _without_state(words, _states(country), state)
    drop = set(_country_words(country)) if country else set()
    if post_word:
        drop.add(post_word)
    # ZIP+4 narrows a ZIP to a block; the five digits are what both renderings share.
    short = post[:5] if post and country == "US" else post
    kept = {w for w in words if w not in drop} | {w for w in (short, state) if w}
    key = " ".join(sorted(w.casefold() for w in kept))
    return AddressParts(text, romanised, country, post, state, po_box(romanised),
                        is_po_box(romanised), fingerprint, key)
