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

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from rigour.addresses import address_fingerprint
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
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


def party_facts(names: pa.Array | pa.ChunkedArray, ids: pa.Array | pa.ChunkedArray
                ) -> pa.Table:
    """For distinct (name, registration number) pairs: ``name``, ``party_id``,
    ``party_key`` and ``forwarder`` (the name is a freight forwarder's or cargo firm's),
    with the numbers of the party and of its registration number (``party_no``,
    ``id_no``, see :mod:`.numbers`).

    ``party_key`` joins the spellings of one firm: name keys linked by a shared
    registration number are one party, keyed by the smallest name key among them. This is
    the light resolution that every row allows; the entities package does the full one.
    Each distinct name and number is reduced once (a year of trade pairs some 90,000
    names with as many numbers in over 300,000 ways).
    """
    names, ids = _distinct_of(names), _distinct_of(ids)
    name_keys = pa.array([name_key(n) for n in names.dictionary.to_pylist()], pa.string())
    id_keys = pa.array([identifier_key(i) for i in ids.dictionary.to_pylist()], pa.string())
    # Nodes: the distinct name keys in sorted order, then the distinct non-empty number
    # keys; a pair links its name key to its number key. The smallest node of a component
    # is then its smallest name key, since every number came with a name.
    sorted_keys = pc.unique(name_keys).sort()
    name_node = pc.index_in(name_keys, sorted_keys).to_numpy().astype(np.int64)
    id_values = pc.unique(pc.filter(id_keys, pc.not_equal(id_keys, "")))
    id_node = pc.index_in(id_keys, id_values).to_numpy(zero_copy_only=False)
    pair_name = name_node[names.indices.to_numpy()]
    pair_id = id_node[ids.indices.to_numpy()]
    linked = ~np.isnan(pair_id)
    root = _smallest_linked(len(sorted_keys) + len(id_values), pair_name[linked],
                            len(sorted_keys) + pair_id[linked].astype(np.int64))
    forwarder = pa.array([bool(_FORWARDER.search(n)) for n in names.dictionary.to_pylist()],
                         pa.bool_())
    party_keys = sorted_keys.take(pa.array(root[pair_name]))
    return pa.table({
        "name": names.dictionary.take(names.indices),
        "party_id": ids.dictionary.take(ids.indices),
        "party_key": party_keys,
        "forwarder": forwarder.take(names.indices),
        "party_no": numbered(party_keys),
        "id_no": numbered(id_keys.take(ids.indices)),
    })


def _distinct_of(values: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """``values`` (nulls as '') as indices into their distinct values."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.dictionary_encode(pc.fill_null(values.cast(pa.string()), ""))


def _smallest_linked(count: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
                     ) -> npt.NDArray[np.int64]:
    """For ``count`` nodes and links (``left[i]``, ``right[i]``): each node's smallest
    linked node, through any chain of links."""
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)),
                       shape=(count, count))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1 if count else 0, count, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(count, dtype=np.int64))
    return np.asarray(smallest[labels], dtype=np.int64)


def address_facts(addresses: pa.Array | pa.ChunkedArray) -> pa.Table:
    """For distinct addresses: ``address``, ``address_key`` and the kind of place:
    ``po_box``, ``virtual_office``, ``residential``."""
    values = pc.fill_null(addresses, "")
    keys = pa.array([address_key(a) for a in values.to_pylist()], pa.string())

    def kind(pattern: re.Pattern[str]) -> pa.Array:
        return pc.match_substring_regex(values, pattern.pattern, ignore_case=True)

    return pa.table({
        "address": values,
        "address_key": keys,
        "po_box": kind(_PO_BOX),
        "virtual_office": kind(_VIRTUAL),
        "residential": kind(_RESIDENTIAL),
        "address_no": numbered(keys),
    })
