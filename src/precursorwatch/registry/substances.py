"""Controlled substances as typed values, merged from the legal lists under ``data/``.

Each YAML file under ``data/`` transcribes one legal list (the 1988 Convention tables, 21 CFR
1310, India's Regulation of Controlled Substances Order, the drug schedules). A substance that
several lists control appears once per list there, identified by its CAS number; here those
rows become one :class:`Substance` carrying one :class:`Listing` per list, so that a question
such as "is this controlled in India?" has one place to look.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from precursorwatch.exceptions import RegistryError
from precursorwatch.ids import cas as cas_numbers

__all__ = [
    "Citation",
    "Jurisdiction",
    "Listing",
    "Registry",
    "Substance",
    "Threshold",
    "build_registry",
    "load_registry",
]

Jurisdiction = Literal["UN", "US", "IN"]

# The order in which lists name a substance: the first list that has it gives its canonical
# name, so that the international name wins over national spellings.
LIST_FILES: tuple[str, ...] = ("un_1988", "us_cfr_1310", "in_rcs_order", "drugs")
# libyaml's loader when installed (it is in the wheels PyPI ships): the lists load in about
# 30 ms of CPU instead of about 300 ms with the pure-Python parser, a cost the first
# consignment page of a fresh server paid (measured, BENCHMARKS.md). Both give equal data.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Citation:
    """A legal source a row relies on: a short id and the full reference."""

    id: str
    text: str


@dataclass(frozen=True)
class Threshold:
    """A quantity at or above which a transaction in a US listed chemical is regulated.

    ``amount`` is in ``unit`` (kg, g or L); ``basis`` says whether it is measured as the base
    (the weight of the pure chemical in a salt or mixture) or as the goods are; ``cumulative``
    names the period over which transactions add up, when 21 CFR 1310.04 says they do.
    """

    amount: float
    unit: str
    basis: str = "as_is"
    cumulative: str | None = None
    scope: str | None = None
    destinations: tuple[str, ...] = ()
    #: The same threshold by volume, in litres, where the regulation also states one.
    litres: float | None = None

    def describe(self) -> str:
        """The threshold in words, e.g. ``0 kg (every transaction)``."""
        amount = f"{self.amount:g} {self.unit}"
        if self.litres is not None:
            amount += f" or {self.litres:g} L"
        text = f"{amount} (every transaction)" if self.amount == 0 else amount
        if self.basis == "base":
            text += " as base"
        if self.cumulative:
            text += f", cumulative per {self.cumulative}"
        if self.destinations:
            text += f", for {', '.join(self.destinations)}"
        return text


@dataclass(frozen=True)
class Listing:
    """One legal list's entry for a substance.

    ``category`` is the list's own word for where the substance sits ("Table I", "List I",
    "Schedule II", "Schedule A", "psychotropic substance"), and ``details`` keeps the list's
    other fields as text for people and exports (never for rules: those read typed fields).
    """

    list_id: str
    jurisdiction: Jurisdiction
    category: str
    covers: tuple[str, ...]
    citations: tuple[Citation, ...]
    verified: bool
    note: str | None = None
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Substance:
    """A chemical or drug that at least one list controls, with what each list says of it."""

    name: str
    cas: str
    hs_code: str | None
    synonyms: tuple[str, ...]
    other_cas: tuple[tuple[str, str], ...]
    listings: tuple[Listing, ...]
    # Typed facts the rules read; None where no list says anything.
    un_table: str | None = None
    un_drug_schedule: str | None = None
    pen: bool = False
    us_list: str | None = None
    us_schedule: str | None = None
    us_threshold: Threshold | None = None
    us_export_thresholds: tuple[Threshold, ...] = ()
    us_mixture_exempt_pct: float | None = None
    us_mixture_exempt_scope: Literal["all", "exports"] = "all"
    in_control: str | None = None
    in_export_authorisation: bool = False
    in_import_authorisation: bool = False
    kind: Literal["precursor", "drug"] = "precursor"
    verified: bool = field(default=True)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every legal source of every listing, without repeats, in list order."""
        seen: dict[str, Citation] = {}
        for listing in self.listings:
            for citation in listing.citations:
                seen.setdefault(citation.text, citation)
        return tuple(seen.values())

    def listing(self, jurisdiction: Jurisdiction) -> tuple[Listing, ...]:
        """The listings of one jurisdiction."""
        return tuple(x for x in self.listings if x.jurisdiction == jurisdiction)


class Registry:
    """All controlled substances, with look-ups by CAS (parents and salts) and by name."""

    def __init__(
        self,
        substances: Iterable[Substance],
    ) -> None:
        self.substances = tuple(substances)
        self._by_cas: dict[str, tuple[Substance, str | None]] = {}
        self._by_name: dict[str, Substance] = {}
        for substance in self.substances:
            self._by_cas[substance.cas] = (substance, None)
            self._by_name[substance.name.casefold()] = substance
        # Salts second, so that a parent's own CAS always wins over a salt listed elsewhere.
        for substance in self.substances:
            for number, form in substance.other_cas:
                self._by_cas.setdefault(number, (substance, form))

    def by_cas(self, number: str) -> tuple[Substance, str | None] | None:
        """The substance a CAS number belongs to, and the salt or form it names (None: parent)."""
        normal = cas_numbers.normalize(number)
        return self._by_cas.get(normal) if normal else None

    def by_name(self, name: str) -> Substance | None:
        """The substance with this canonical name (case-insensitive)."""
        return self._by_name.get(name.casefold())


# --- loading ---------------------------------------------------------------------------


def _fail(list_id: str, row: int | None, reason: str) -> RegistryError:
    place = f"{list_id}.yaml" + (f" row {row}" if row is not None else "")
    return RegistryError(f"{place}: {reason}")


def _str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _controlled(value: object) -> str | None:
    """A control stated in words, or None where the list says "not controlled" or nothing."""
    text = _str(value)
    return None if text is None or text.lower().startswith("not") else text


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v is not None and str(v) != "")
    return (str(value),)


def _threshold(raw: object) -> Threshold | None:
    if not isinstance(raw, Mapping) or raw.get("amount") is None:
        return None
    return Threshold(
        amount=float(raw["amount"]),
        unit=str(raw.get("unit", "kg")),
        basis=str(raw.get("basis") or "as_is"),
        cumulative=_str(raw.get("cumulative")),
        scope=_str(raw.get("scope")),
        destinations=_strings(raw.get("destinations")),
        litres=float(raw["litres"]) if raw.get("litres") is not None else None,
    )


def _thresholds(raw: object) -> tuple[Threshold, ...]:
    items = raw if isinstance(raw, list) else [raw]
    return tuple(t for t in (_threshold(item) for item in items) if t is not None)


@dataclass
class _Draft:
    """A substance while its rows from several lists are being merged."""

    name: str
    cas: str
    hs_code: str | None = None
    synonyms: list[str] = field(default_factory=list)
    other_cas: dict[str, str] = field(default_factory=dict)
    listings: list[Listing] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    def freeze(self) -> Substance:
        names = {self.name.casefold()}
        synonyms = []
        for synonym in self.synonyms:
            if synonym.casefold() not in names:
                names.add(synonym.casefold())
                synonyms.append(synonym)
        drug = any(x.list_id == "drugs" for x in self.listings)
        return Substance(
            name=self.name,
            cas=self.cas,
            hs_code=self.hs_code,
            synonyms=tuple(synonyms),
            other_cas=tuple(sorted(self.other_cas.items())),
            listings=tuple(self.listings),
            kind="drug" if drug else "precursor",
            verified=all(x.verified for x in self.listings),
            **self.facts,  # type: ignore[arg-type]
        )


def _category_and_facts(list_id: str, control: Mapping[str, object]) -> tuple[
    Jurisdiction, str, dict[str, object]
]:
    """The jurisdiction, category and typed facts one list's ``control`` block states."""
    if list_id == "un_1988":
        table = str(control.get("table", ""))
        return "UN", f"Table {table}", {"un_table": table, "pen": bool(control.get("pen", True))}
    if list_id == "us_cfr_1310":
        us_list = _str(control.get("list"))
        schedule = _str(control.get("schedule"))
        facts: dict[str, object] = {
            "us_list": us_list,
            "us_threshold": _threshold(control.get("threshold")),
            "us_export_thresholds": _thresholds(control.get("threshold_export")),
        }
        if schedule:
            facts["us_schedule"] = schedule
        if control.get("mixture_exempt_pct") is not None:
            facts["us_mixture_exempt_pct"] = float(str(control["mixture_exempt_pct"]))
        if control.get("mixture_exempt_scope") == "exports":
            facts["us_mixture_exempt_scope"] = "exports"
        category = f"List {us_list}" if us_list else f"Schedule {schedule}"
        return "US", category, facts
    if list_id == "in_rcs_order":
        schedules = _strings(control.get("schedule"))
        instrument = _str(control.get("instrument")) or "rcs_order"
        plural = "Schedules" if len(schedules) > 1 else "Schedule"
        label = (
            f"RCS Order 2013 {plural} {', '.join(schedules)}" if instrument == "rcs_order"
            else f"NDPS Act {', '.join(schedules)}".strip()
        )
        return "IN", label, {
            "in_control": label,
            "in_export_authorisation": bool(control.get("export_authorisation")),
            "in_import_authorisation": bool(control.get("import_authorisation")),
        }
    if list_id == "drugs":
        facts = {
            "us_schedule": _controlled(control.get("us_schedule")),
            "un_drug_schedule": _controlled(control.get("un_convention")),
            "in_control": _controlled(control.get("in_ndps")),
        }
        return "US", f"Schedule {facts['us_schedule']}", facts
    raise _fail(list_id, None, "unknown list")


def _drug_listings(base: Listing, control: Mapping[str, object]) -> list[Listing]:
    """A drug row states UN, US and Indian controls at once: one listing per jurisdiction."""
    out: list[Listing] = []
    parts: tuple[tuple[Jurisdiction, str, object], ...] = (
        ("UN", "un_convention", control.get("un_convention")),
        ("US", "us_schedule", control.get("us_schedule")),
        ("IN", "in_ndps", control.get("in_ndps")),
    )
    for jurisdiction, key, value in parts:
        text = _controlled(value)
        if text is None:
            continue
        category = f"Schedule {text}" if key == "us_schedule" else text
        out.append(Listing(base.list_id, jurisdiction, category, base.covers, base.citations,
                           base.verified, base.note, base.details))
    return out


def _merge_fact(draft: _Draft, key: str, value: object) -> None:
    if value in (None, (), False):
        return
    existing = draft.facts.get(key)
    if key == "in_control" and existing and existing != value:
        draft.facts[key] = f"{existing}; {value}"
    elif existing in (None, (), False):
        draft.facts[key] = value


def _read_list(list_id: str) -> Mapping[str, object]:
    text = resources.files("precursorwatch.registry").joinpath(f"data/{list_id}.yaml").read_text(
        encoding="utf-8"
    )
    data = yaml.load(text, Loader=_LOADER)
    if not isinstance(data, Mapping) or not isinstance(data.get("rows"), list):
        raise _fail(list_id, None, "expected a mapping with a 'rows' list")
    return data


def _citations(list_id: str, index: int, ids: tuple[str, ...],
               sources: Mapping[str, object]) -> tuple[Citation, ...]:
    if not ids:
        raise _fail(list_id, index, "cites no source")
    out = []
    for source_id in ids:
        if source_id not in sources:
            raise _fail(list_id, index, f"cites unknown source {source_id!r}")
        out.append(Citation(source_id, str(sources[source_id])))
    return tuple(out)


def build_registry(lists: Mapping[str, Mapping[str, object]]) -> Registry:
    """Merge parsed list files (list id -> YAML document) into one registry.

    Rows are merged by parent CAS number; a row whose CAS fails its check digit, cites no
    source, or gives a different HS code than another list for the same CAS is an error,
    because the registry is reviewed data and such a row means the review missed something.
    """
    drafts: dict[str, _Draft] = {}
    for list_id, data in lists.items():
        raw_sources = data.get("sources")
        sources: Mapping[str, object] = raw_sources if isinstance(raw_sources, Mapping) else {}
        rows = data["rows"]
        assert isinstance(rows, list)
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                raise _fail(list_id, index, "row is not a mapping")
            name, number = _str(row.get("name")), _str(row.get("cas"))
            if not name or not number:
                raise _fail(list_id, index, "row needs a name and a cas")
            if not cas_numbers.is_valid(number):
                raise _fail(list_id, index, f"{name}: CAS {number} fails its check digit")
            number = cas_numbers.format(number)
            draft = drafts.setdefault(number, _Draft(name=name, cas=number))
            if draft.name != name:
                draft.synonyms.append(name)
            hs_code = _str(row.get("hs_code"))
            if hs_code:
                hs_code = hs_code.replace(".", "").replace(" ", "")
                if draft.hs_code and draft.hs_code != hs_code:
                    raise _fail(list_id, index, f"{name}: HS {hs_code} differs from "
                                                f"{draft.hs_code} given by another list")
                draft.hs_code = hs_code
            draft.synonyms.extend(_strings(row.get("synonyms")))
            other = row.get("other_cas") or {}
            if not isinstance(other, Mapping):
                raise _fail(list_id, index, f"{name}: other_cas must map CAS to a form name")
            for salt_cas, form in other.items():
                if not cas_numbers.is_valid(str(salt_cas)):
                    raise _fail(list_id, index, f"{name}: CAS {salt_cas} fails its check digit")
                draft.other_cas.setdefault(cas_numbers.format(str(salt_cas)), str(form))
            raw_control = row.get("control")
            control: Mapping[str, object] = raw_control if isinstance(raw_control, Mapping) else {}
            jurisdiction, category, facts = _category_and_facts(list_id, control)
            details = tuple(
                (str(k), str(v)) for k, v in control.items() if v not in (None, "", [], {})
            )
            listing = Listing(
                list_id=list_id,
                jurisdiction=jurisdiction,
                category=category,
                covers=_strings(row.get("covers")),
                citations=_citations(list_id, index, _strings(row.get("source")), sources),
                verified=bool(row.get("verified", True)),
                note=_str(row.get("note")),
                details=details,
            )
            if list_id == "drugs":
                draft.listings.extend(_drug_listings(listing, control))
            else:
                draft.listings.append(listing)
            for key, value in facts.items():
                _merge_fact(draft, key, value)
    substances = tuple(sorted((d.freeze() for d in drafts.values()), key=lambda s: s.name))
    return Registry(substances)


@cache
def load_registry() -> Registry:
    """The registry shipped with the package, read once per process."""
    return build_registry({list_id: _read_list(list_id) for list_id in LIST_FILES})
