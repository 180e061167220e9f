"""Who the parties are, as far as screening needs: a stable key and what kind of party.

A firm's history is only useful if its rows find each other, so names are reduced to a key
that survives case, punctuation, transliteration and legal-form spelling ("M/s Tulsi
Biotech L.L.P." and "TULSI BIOTECH LLP"). Deeper entity resolution (shared addresses,
directors, phones) is the entities package's job; this key is what every row can have.

Addresses are classed by the published red flags: a PO box, a virtual or serviced office,
or a residence as the business address of a chemical buyer (DEA Chemical Handler's Manual,
"Know your customer"; INCB red-flag indicators).
"""

from __future__ import annotations

import re

import pyarrow as pa
from rigour.addresses import address_fingerprint
from unidecode import unidecode

from precursorwatch.screening.numbers import numbered

__all__ = ["address_facts", "address_key", "identifier_key", "name_key", "party_facts"]

# Words in a receiving party's name that say it moves goods rather than uses them.
_FORWARDER = re.compile(
    r"\b(logisti\w*|freight|forward\w*|cargo|shipping|spedition|transit|consignation|"
    r"carga|transportes?|courier|clearing|customs broker\w*)\b", re.IGNORECASE)
_PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|postfach|apartado|"
                     r"casilla|gpo box|pmb)\b", re.IGNORECASE)
_VIRTUAL = re.compile(r"\b(virtual office|regus|wework|business cent(re|er)|coworking|"
                      r"co-working|serviced office|executive suites?|mail ?box|"
                      r"registered agent)\b", re.IGNORECASE)
_RESIDENTIAL = re.compile(r"\b(apt\.?|apartment|flat no\.?|house no\.?|residence|"
                          r"residency|villa|bungalow|h\.?\s*no\.?)\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_ID = re.compile(r"[^0-9A-Z]+")
_DIGIT_GROUPS = re.compile(r"(?<=\d) (?=\d)")
# Legal forms and honorifics carry no identity: "M/s Tulsi Biotech L.L.P." is "Tulsi Biotech".
_LEGAL = frozenset({
    "pvt", "private", "ltd", "limited", "llc", "inc", "incorporated", "llp", "l", "p", "co",
    "corp", "corporation", "company", "sa", "de", "cv", "gmbh", "plc", "s", "a", "c", "v",
    "b", "bv", "nv", "fze", "fzco", "fzc", "pte", "sdn", "bhd", "srl", "sas", "ag", "m",
})


def name_key(name: str) -> str:
    """Words of a name in Latin script, without legal forms or honorifics, sorted.

    Devanagari and other scripts are transliterated first, so a firm written in Hindi meets
    its Latin spelling whenever the transliteration agrees.
    """
    words = _NOT_WORD.sub(" ", unidecode(name).casefold()).split()
    return " ".join(sorted(w for w in words if w not in _LEGAL))


def identifier_key(value: str) -> str:
    """Letters and digits only, upper case: '80-0796616' and '800796616' are one number."""
    return _NOT_ID.sub("", value.upper())


def address_key(address: str) -> str:
    """The address's words in a fixed form (rigour's fingerprint: 'Road' and 'Rd' alike,
    '393 002' as '393002'), sorted and without country and state codes, so that the same
    premises written two ways meet."""
    fingerprint = address_fingerprint(_DIGIT_GROUPS.sub("", address)) or ""
    words = {w for w in fingerprint.split() if len(w) > 2 or w.isdigit()}
    return " ".join(sorted(words))


class _Components:
    """Union-find over keys: names that share a registration number are one party."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        parent = self.parent.setdefault(key, key)
        if parent != key:
            parent = self.parent[key] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller key wins, so the result does not depend on the input's order.
            self.parent[max(ra, rb)] = min(ra, rb)


def party_facts(names: pa.Array | pa.ChunkedArray, ids: pa.Array | pa.ChunkedArray
                ) -> pa.Table:
    """For distinct (name, registration number) pairs: ``name``, ``party_id``,
    ``party_key`` and ``forwarder`` (the name is a freight forwarder's or cargo firm's).

    ``party_key`` joins the spellings of one firm: name keys linked by a shared
    registration number are one party, keyed by the smallest name key among them. This is
    the light resolution that every row allows; the entities package does the full one.
    """
    pairs = [(n or "", i or "") for n, i in zip(names.to_pylist(), ids.to_pylist(),
                                                strict=True)]
    groups = _Components()
    keys = [("n:" + name_key(n), "i:" + identifier_key(i)) for n, i in pairs]
    for name, number in keys:
        groups.find(name)
        if number != "i:":
            groups.union(name, number)
    roots: dict[str, str] = {}
    for name, _ in keys:
        root = groups.find(name)
        if root not in roots or name < roots[root]:
            roots[root] = name
    party_keys = pa.array([roots[groups.find(k)][2:] for k, _ in keys], pa.string())
    id_keys = pa.array([i[2:] for _, i in keys], pa.string())
    return pa.table({
        "name": pa.array([n for n, _ in pairs], pa.string()),
        "party_id": pa.array([i for _, i in pairs], pa.string()),
        "party_key": party_keys,
        "forwarder": pa.array([bool(_FORWARDER.search(n)) for n, _ in pairs], pa.bool_()),
        "party_no": numbered(party_keys),
        "id_no": numbered(id_keys),
    })



def address_facts(addresses: pa.Array | pa.ChunkedArray) -> pa.Table:
    """For distinct addresses: ``address``, ``address_key`` and the kind of place:
    ``po_box``, ``virtual_office``, ``residential``."""
    values = [a or "" for a in addresses.to_pylist()]
    keys = pa.array([address_key(a) for a in values], pa.string())
    return pa.table({
        "address": pa.array(values, pa.string()),
        "address_key": keys,
        "po_box": pa.array([bool(_PO_BOX.search(a)) for a in values], pa.bool_()),
        "virtual_office": pa.array([bool(_VIRTUAL.search(a)) for a in values], pa.bool_()),
        "residential": pa.array([bool(_RESIDENTIAL.search(a)) for a in values], pa.bool_()),
        "address_no": numbered(keys),
    })
