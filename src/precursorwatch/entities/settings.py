"""What to compare in a table of records, guessed from its column names or read from a file.

An analyst with a spreadsheet of firms or persons should not have to write a linkage
model. Each column's kind is guessed from its name (``surname``, ``dob``, ``gstin``,
``zip``...) and the kind decides how values are cleaned, compared and blocked on. A small
YAML file overrides any guess::

    id: rec_id                 # the records' identifier column
    columns:                   # column: kind (or "ignore")
      soc_sec_id: identifier
      address_2: ignore
    blocking:                  # rules: records agreeing on all columns of one are compared
      - [given_name, surname]
      - [date_of_birth]
    threshold: 0.5             # match probability from which two records are linked
    max_block: 2000            # blocks larger than this are left out and reported
    rule_pairs_per_record: 10  # a rule making more pairs is tightened by name initials
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from precursorwatch.entities.blocking import Rule
from precursorwatch.exceptions import InputError

__all__ = [
    "DEFAULT_MAX_BLOCK",
    "DEFAULT_THRESHOLD",
    "INITIAL",
    "SOUND",
    "Kind",
    "Settings",
    "guess_settings",
    "read_settings",
]

#: Suffix of the column holding a name's sound key (see :mod:`.prepare`).
SOUND = "__sound"
#: Suffix of the column holding a name's first letter: a key that tightens a blocking rule
#: too loose for a large table (see :func:`.records.resolve_table`).
INITIAL = "__initial"
#: Link two records from this match probability on: where a link is more likely than not.
DEFAULT_THRESHOLD = 0.5
#: Largest block a rule compares: 2,000 records make two million pairs.
DEFAULT_MAX_BLOCK = 2000
#: Pairs one rule may make per record (at least a million in all) before it is tightened
#: by a name's first letter: a date of birth alone compares 16 million pairs among a
#: million records, and those pairs were most of the run's time.
DEFAULT_RULE_PAIRS_PER_RECORD = 10


class Kind(StrEnum):
    """What a column holds, which decides how it is cleaned and compared."""

    given_name = "given_name"
    surname = "surname"
    person = "person"
    company = "company"
    date = "date"
    identifier = "identifier"
    postcode = "postcode"
    phone = "phone"
    address = "address"
    city = "city"
    state = "state"
    country = "country"
    number = "number"
    text = "text"
    ignore = "ignore"


# Column-name patterns, tried in order on the lower-case name with separators removed.
_GUESSES: tuple[tuple[str, Kind], ...] = (
    (r"(given|first|fore)name|^fname$|^given$", Kind.given_name),
    (r"surname|(last|family)name|^lname$", Kind.surname),
    (r"(street|house|building)(number|no|num)$", Kind.number),
    (r"phone|mobile|^tel|fax", Kind.phone),
    (r"postcode|postalcode|zip|^pin(code)?$", Kind.postcode),
    (r"dob|birth|born|date", Kind.date),
    (r"company|firm|organi[sz]ation|business|importer|exporter|consignee|entity|partyname"
     r"|^org", Kind.company),
    (r"address|street|^addr|line\d", Kind.address),
    (r"suburb|city|town|locality|district|village", Kind.city),
    (r"state|province|region", Kind.state),
    (r"country|nation", Kind.country),
    (r"ssn|socsec|passport|gstin|^iec|^pan$|^ein|^dea|registration|license|licence|taxid"
     r"|vat|number$|^id\w|id$", Kind.identifier),
    (r"name", Kind.person),
)

# Kinds that identify a record nearly alone: each is a blocking rule by itself.
_ALONE = (Kind.identifier, Kind.phone, Kind.date)


@dataclass(frozen=True)
class Settings:
    """Columns to compare with their kinds, blocking rules and the decision threshold."""

    id_column: str
    columns: Mapping[str, Kind]
    rules: tuple[Rule, ...]
    threshold: float = DEFAULT_THRESHOLD
    max_block: int = DEFAULT_MAX_BLOCK
    #: Pairs a rule may compare per record before it is tightened (None: the default,
    #: :data:`DEFAULT_RULE_PAIRS_PER_RECORD`, and at least a million pairs in all).
    rule_pairs_per_record: float | None = None
    #: What was changed on the way (rules tightened), for the summary.
    notes: tuple[str, ...] = field(default=())


def _squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def guess_kind(name: str) -> Kind:
    """The kind a column's name suggests (``text`` when nothing does)."""
    squashed = _squash(name)
    for pattern, kind in _GUESSES:
        if re.search(pattern, squashed):
            return kind
    return Kind.text


def _rules(columns: Mapping[str, Kind]) -> tuple[Rule, ...]:
    """Blocking rules from the kinds present: strong columns alone, names in pairs."""
    by_kind: dict[Kind, list[str]] = {}
    for name, kind in columns.items():
        by_kind.setdefault(kind, []).append(name)
    rules = [Rule((c,)) for kind in _ALONE for c in by_kind.get(kind, [])]
    given = by_kind.get(Kind.given_name, [])[:1]
    family = by_kind.get(Kind.surname, [])[:1]
    names = [*given, *family] or by_kind.get(Kind.person, [])[:1] or \
        by_kind.get(Kind.company, [])[:1]
    places = [*by_kind.get(Kind.postcode, [])[:1], *by_kind.get(Kind.city, [])[:1]]
    streets = by_kind.get(Kind.address, [])[:1]
    if len(names) == 2:
        rules.append(Rule(tuple(names)))
    for name in names:
        rules += [Rule((name, place)) for place in places]
    rules += [Rule((street, place)) for street in streets for place in places]
    whole = [*by_kind.get(Kind.company, []), *by_kind.get(Kind.person, [])][:1]
    if whole:
        # A firm's name alone, by its words and by their sounds ("Halthcare" meets
        # "Healthcare"): trade records seldom carry a town apart from the address, and
        # where they do, one filing in several leaves it out. A rule too loose for a large
        # table is tightened, and oversized blocks left out, when the table is resolved.
        rules += [Rule((whole[0],)), Rule((whole[0] + SOUND,))]
    if streets and places and whole:
        # The address alone: a party's address is written whole and its key holds the PIN
        # or ZIP code already (see .prepare._address), so a filing without the postcode
        # column still meets it. Records of persons split into parts (given name, surname,
        # street, suburb) are left out: there the street is a name that hundreds share (a
        # million such records made 30 million more pairs).
        rules.append(Rule((streets[0],)))
    if not rules and names:
        rules.append(Rule((names[0],)))
    return tuple(dict.fromkeys(rules))


def guess_settings(columns: Sequence[str], id_column: str,
                   overrides: Mapping[str, Any] | None = None) -> Settings:
    """Settings for a table with ``columns``: guessed, then ``overrides`` (a settings
    file's content) applied."""
    given = dict(overrides or {})
    kinds: dict[str, Kind] = {c: guess_kind(c) for c in columns if c != id_column}
    for name, kind in (given.get("columns") or {}).items():
        if name not in kinds:
            raise InputError(f"the settings name column {name!r}, which the table lacks",
                             field=name)
        try:
            kinds[name] = Kind(kind)
        except ValueError:
            raise InputError(f"unknown kind {kind!r} for column {name!r}; use one of "
                             f"{', '.join(k.value for k in Kind)}", field=name) from None
    kinds = {c: k for c, k in kinds.items() if k is not Kind.ignore}
    rules = _rules(kinds)
    if given.get("blocking"):
        rules = tuple(Rule(tuple(_rule_columns(r, kinds))) for r in given["blocking"])
    if not rules:
        raise InputError("no column to block on: name at least one rule under 'blocking' "
                         "in a settings file")
    settings = Settings(id_column, kinds, rules)
    if "threshold" in given:
        threshold = float(given["threshold"])
        if not 0.0 < threshold < 1.0:
            raise InputError(f"threshold {threshold} is not a probability between 0 and 1",
                             field="threshold")
        settings = replace(settings, threshold=threshold)
    if "max_block" in given:
        settings = replace(settings, max_block=int(_positive(given, "max_block", whole=True)))
    if "rule_pairs_per_record" in given:
        settings = replace(settings, rule_pairs_per_record=_positive(
            given, "rule_pairs_per_record"))
    return settings


def _positive(given: Mapping[str, Any], key: str, *, whole: bool = False) -> float:
    """A setting that must be a number above 0 (a whole one when ``whole``)."""
    try:
        value = int(given[key]) if whole else float(given[key])
    except (TypeError, ValueError):
        raise InputError(f"{key} must be a {'whole ' if whole else ''}number",
                         field=key) from None
    if not value > 0:
        raise InputError(f"{key} must be above 0", field=key)
    return value


def _rule_columns(rule: object, kinds: Mapping[str, Kind]) -> list[str]:
    columns = [rule] if isinstance(rule, str) else list(rule) if isinstance(
        rule, list) else None
    if not columns or any(not isinstance(c, str) or c not in kinds for c in columns):
        raise InputError(f"blocking rule {rule!r} must list compared columns of the table",
                         field="blocking")
    return [str(c) for c in columns]


def read_settings(path: Path) -> dict[str, Any]:
    """A settings file's content (see the module's description)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read the settings: {error.strerror}",
                         file=str(path)) from error
    except yaml.YAMLError as error:
        raise InputError(f"not YAML: {error}", file=str(path)) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("the settings must be a mapping (id, columns, blocking, ...)",
                         file=str(path))
    return data
