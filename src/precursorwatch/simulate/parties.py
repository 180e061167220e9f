"""Party records with ground truth: companies and persons, Indian and US, each written the
several ways its filings write it, with the traps that make entity resolution hard.

The trade simulator's parties show how one firm is written across consignments; here the
records are filings of any kind (registrations, licences, declarations), one row each, with
the truth (``entity_id``) and the traps planted on purpose, so that a linker can be scored
on each trap alone. Names, addresses, phones and numbers come from the simulator's building
blocks (:mod:`.names`, :mod:`.geography`, :mod:`.registrations`); Hindi spellings from
``data/parties.yaml``.

Every entity is a company (70%) or a person (30%), Indian (55%) or US (45%), and files 1 to
8 times (1 + Poisson(2)) over up to two and a half years. Each filing writes it afresh:

* names: the legal form written another way (Pvt. Ltd / Private Limited / P. Ltd / (P) Ltd,
  LLP / L.L.P., Inc. / Incorporated, LLC / L.L.C., Corp. / Corporation), trade words
  abbreviated (Intl, Chem., Pharma, Labs), "M/s." before a firm, upper case, a one-letter
  typo, the legal form dropped (all from :func:`.names.name_variants`); for persons the
  name shortened or initialled (:func:`.names.person_names`), an honorific before it (35%
  of person filings: Shri, Mr., Ms., Dr. for doctors), a typo (5%); the first two words swapped,
  or a person's family name first (8% of filings); Indian names in Devanagari (15% of
  Indian filings where every word has a Hindi spelling);
* addresses abbreviated, upper-cased, with or without district or country
  (:func:`.geography.address_variants`), missing on 8% of filings; the postcode missing on
  15%, an Indian PIN written "393 002" on 20%;
* phones in E.164, international, national (trunk 0), "00" international or bare digits
  (libphonenumber's formats), missing on 20%;
* numbers: an Indian firm's GSTIN on 45% of its filings and its IEC (the PAN inside the
  GSTIN) on 35%; an Indian person's PAN on 50%; a US firm's EIN (with or without its dash)
  and, for the half that hold one, its DEA registration; a US doctor's DEA number on 50%
  (a fifth of persons are doctors).

The traps, as ``;``-joined tags ``trap=group/part`` in the ``hazards`` column. Two records
of one trap group but different parts are a must-link pair when their ``entity_id`` is the
same, a must-not-link (hard negative) pair when it differs:

* ``move``: 15% of entities filing twice or more move once: every filing from some date on
  has a new address, postcode and often (50%) a new phone. Parts ``0`` and ``1``.
* ``recycled_phone``: 5% of entities get a phone number an earlier, unrelated entity of the
  same country used until it stopped filing. Parts are the two entity ids.
* ``recycled_id``: 2% of companies get the registration number (IEC or EIN) of an earlier,
  unrelated company of their country. Parts are the two entity ids.
* ``old_address``: 6% of the companies that do not move are burned (stop filing); at each
  one's address a new company registers: half the time the same actor renamed
  (:func:`.names.successor_name`, new numbers, same premises, the old phone half the time;
  the same ``entity_id``, part ``successor``), else an unrelated tenant (new name, numbers
  and phone; a new entity, part ``tenant``). The burned firm's records are part ``old``.
* ``devanagari``: every record of an entity with at least one Devanagari filing; parts
  ``deva`` and ``latin``: the pairs a linker joins only by reading Hindi.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
import phonenumbers
import pyarrow as pa
import yaml
from phonenumbers import PhoneNumberFormat

from precursorwatch.exceptions import UsageError
from precursorwatch.simulate import registrations
from precursorwatch.simulate.geography import (
    Country,
    Place,
    address_variants,
    fill,
    load_world,
    phone_number,
)
from precursorwatch.simulate.names import (
    FirmName,
    NameBook,
    firm_name,
    load_names,
    name_variants,
    person_names,
    successor_name,
)

__all__ = [
    "COMPANY_SHARE",
    "DEVANAGARI_RATE",
    "INDIAN_SHARE",
    "MOVE_RATE",
    "OLD_ADDRESS_RATE",
    "PARTY_RECORD_COLUMNS",
    "RECYCLED_ID_RATE",
    "RECYCLED_PHONE_RATE",
    "SUCCESSOR_SHARE",
    "TRAPS",
    "party_records",
]

#: The columns of :func:`party_records`, truth (``entity_id``, ``hazards``) included.
PARTY_RECORD_COLUMNS = ("record_id", "entity_id", "kind", "name", "address", "postcode",
                        "country", "phone", "registration_number", "filed", "hazards")
#: The traps planted, as they are tagged in ``hazards``.
TRAPS = ("move", "recycled_phone", "recycled_id", "old_address", "devanagari")

#: Share of entities that are companies (the rest are persons).
COMPANY_SHARE = 0.7
#: Share of entities that are Indian (the rest are US).
INDIAN_SHARE = 0.55
#: Share of entities filing twice or more that move once.
MOVE_RATE = 0.15
#: Share of entities given a phone number an earlier, unrelated entity used.
RECYCLED_PHONE_RATE = 0.05
#: Share of companies given the registration number of an earlier, unrelated company.
RECYCLED_ID_RATE = 0.02
#: Share of companies (of those that do not move) burned, with a new company registered
#: at their address.
OLD_ADDRESS_RATE = 0.06
#: Share of the new companies at a burned firm's address that are the same actor renamed.
SUCCESSOR_SHARE = 0.5
#: Share of Indian filings written in Devanagari (where every word has a Hindi spelling).
DEVANAGARI_RATE = 0.15
HONORIFIC_RATE = 0.35
# Persons who are doctors: "Dr." is their honorific, and a US doctor holds a DEA number.
DOCTOR_SHARE = 0.2
SWAP_RATE = 0.08
PERSON_TYPO_RATE = 0.05
MISSING_ADDRESS = 0.08
MISSING_POSTCODE = 0.15
MISSING_PHONE = 0.2
SPACED_PIN = 0.2
# The first day filings are dated from, and the days over which entities start filing.
_EPOCH = date(2019, 1, 1)
_STARTS = 1800
_MAX_FILINGS = 8
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")

Kind = Literal["company", "person"]


@dataclass(frozen=True)
class _Extra:
    """``data/parties.yaml``: Hindi spellings and honorifics by style."""

    devanagari: Mapping[str, str]
    honorifics: Mapping[str, tuple[str, ...]]


@cache
def _extra() -> _Extra:
    text = resources.files("precursorwatch.simulate").joinpath("data/parties.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    return _Extra({str(k): str(v) for k, v in data["devanagari"].items()},
                  {str(k): tuple(str(x) for x in v) for k, v in data["honorifics"].items()})


@dataclass(frozen=True)
class _Site:
    """Where an entity is: its place and premises, written a few ways."""

    place: Place
    line: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class _Entity:
    """One true party and everything its filings may say about it."""

    id: str
    kind: Kind
    country: str
    names: tuple[str, ...]
    hindi: str | None
    site: _Site
    phones: tuple[str, ...]
    ids: Mapping[str, str]
    doctor: bool = False
    firm: FirmName | None = None
    person: tuple[str, str, str] = ("", "", "")


@dataclass
class _Record:
    """A filing while it is being built (the table is made from these at the end)."""

    entity: str
    kind: Kind
    name: str
    address: str | None
    postcode: str | None
    country: str
    phone: str | None
    registration: str | None
    day: int
    raw_phone: str | None = None
    raw_id: str | None = None
    tags: list[str] = field(default_factory=list)


class _Builder:
    """Makes entities and their filings from one seeded stream; a class only to keep the
    counters and the entities a later one may take a phone, number or address from."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        # The simulator's building blocks draw from a random.Random, seeded from ``rng``.
        self.r = random.Random(int(rng.integers(2**62)))
        self.world = load_world()
        self.book: NameBook = load_names()
        self.extra = _extra()
        self.entities = 0
        self.groups = 0
        self.records: list[_Record] = []
        # (entity, last day filed, records) of entities whose phone or number may be reused.
        self.donors: dict[tuple[str, Kind], list[tuple[_Entity, int, list[_Record]]]] = {}

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    # --- entities ---------------------------------------------------------------------

    def site(self, country: Country, kind: str, place: Place | None = None,
              line: str | None = None) -> _Site:
        r = self.r
        place = place or r.choice(country.places_of(kind))
        line = line or fill(r.choice(country.premises[kind]), r, country)
        return _Site(place, line, address_variants(country, place, line, r))

    def phones_at(self, country: Country, place: Place, person: bool) -> tuple[str, ...]:
        r = self.r
        if person and country.mobile:
            return (phone_number(r.choice(country.mobile), r),)
        phones = [phone_number(place.phone, r)]
        if country.mobile and self.chance(0.4):
            phones.append(phone_number(r.choice(country.mobile), r))
        return tuple(phones)

    def _firm_ids(self, country: Country, place: Place, name: FirmName) -> dict[str, str]:
        r = self.r
        if country.code == "IN":
            holder = "C" if "Limited" in name.form else "F"
            pan = registrations.pan(r, holder, name.head)
            return {"IEC": pan, "GSTIN": registrations.gstin(place.gst_state, pan)}
        ids = {"EIN": registrations.ein(r)}
        if self.chance(0.5):
            ids["DEA"] = registrations.dea(r, r.choice("PR"), name.head)
        return ids

    def _new_id(self) -> str:
        self.entities += 1
        return f"E{self.entities:06d}"

    def company(self, code: str, *, site: _Site | None = None, name: FirmName | None = None,
                entity_id: str | None = None) -> _Entity:
        r = self.r
        country = self.world[code]
        trade = r.choice(("pharma", "pharma", "chemical", "chemical", "trader", "logistics"))
        name = name or firm_name(self.book, country.style, trade, r, code)
        site = site or self.site(country, r.choice(("manufacturer", "office")))
        names = name_variants(self.book, name, r, 6)
        words = [*name.head.split(), *name.trade.split()]
        if name.form:
            words.append(name.form)
        return _Entity(entity_id or self._new_id(), "company", code, names,
                       self._hindi(words) if code == "IN" else None, site,
                       self.phones_at(country, site.place, False),
                       self._firm_ids(country, site.place, name), firm=name)

    def person(self, code: str) -> _Entity:
        r = self.r
        country = self.world[code]
        names = person_names(self.book, country.style, r)
        words = names[0].split()
        first, last = words[0], words[-1]
        middle = " ".join(words[1:-1])
        site = self.site(country, "office")
        doctor = self.chance(DOCTOR_SHARE)
        ids: dict[str, str] = {}
        if code == "IN":
            ids["PAN"] = registrations.pan(r, "P", last)
        elif doctor:
            ids["DEA"] = registrations.dea(r, "B", last)
        return _Entity(self._new_id(), "person", code, names,
                       self._hindi(words) if code == "IN" else None, site,
                       self.phones_at(country, site.place, True), ids, doctor=doctor,
                       person=(first, middle, last))

    def _hindi(self, words: Sequence[str]) -> str | None:
        spelt = [self.extra.devanagari.get(w) or self.book.devanagari.get(w) for w in words]
        if not all(spelt):
            return None
        return " ".join(s for s in spelt if s)

    # --- filings ----------------------------------------------------------------------

    def _name(self, entity: _Entity) -> str:
        r = self.r
        if entity.hindi and self.chance(DEVANAGARI_RATE):
            text = entity.hindi
            if entity.kind == "person" and self.chance(HONORIFIC_RATE):
                text = f"{self.extra.devanagari['Shri']} {text}"
            return text
        text = r.choice(entity.names)
        if entity.kind == "person":
            if self.chance(SWAP_RATE):
                first, _, last = entity.person
                text = f"{last} {first}"
            if self.chance(PERSON_TYPO_RATE):
                text = _typo(text, r)
            if self.chance(HONORIFIC_RATE):
                style = "indian" if entity.country == "IN" else "american"
                choices = ("Dr.",) if entity.doctor else tuple(
                    h for h in self.extra.honorifics[style] if h != "Dr.")
                text = f"{r.choice(choices)} {text}"
        elif self.chance(SWAP_RATE):
            words = text.replace(",", "").split()
            if len(words) > 2:
                words[0], words[1] = words[1], words[0]
                text = " ".join(words)
        return text

    def _registration(self, entity: _Entity) -> str | None:
        u = self.rng.random()
        ids = entity.ids
        if entity.kind == "person":
            number = ids.get("PAN") or ids.get("DEA")
            return number if number and u < 0.5 else None
        if entity.country == "IN":
            return ids["GSTIN"] if u < 0.45 else ids["IEC"] if u < 0.8 else None
        if u < 0.5:
            ein = ids["EIN"]
            return ein if self.chance(0.5) else ein.replace("-", "")
        if u < 0.75:
            return ids.get("DEA") or ids["EIN"]
        return None

    def _phone(self, e164: str) -> str:
        number = phonenumbers.parse(e164)
        national = phonenumbers.national_significant_number(number)
        code = number.country_code
        u = self.rng.random()
        if u < 0.2:
            return e164
        if u < 0.45:
            return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        if u < 0.7:
            return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if u < 0.85:
            if code == 1:
                return f"{national[:3]}.{national[3:6]}.{national[6:]}"
            return f"00{code}-{national[:5]}-{national[5:]}"
        return national

    def _postcode(self, site: _Site, country: str) -> str | None:
        postal = site.place.postal
        if not postal or self.chance(MISSING_POSTCODE):
            return None
        if country == "IN" and self.chance(SPACED_PIN):
            return f"{postal[:3]} {postal[3:]}"
        return postal

    def file(self, entity: _Entity, day: int, *, site: _Site | None = None,
             phones: Sequence[str] | None = None) -> _Record:
        """One filing of ``entity`` on ``day`` (at ``site``, with ``phones``, when given)."""
        r = self.r
        site = site or entity.site
        phones = phones or entity.phones
        raw_phone = None if self.chance(MISSING_PHONE) else r.choice(list(phones))
        registration = self._registration(entity)
        record = _Record(
            entity=entity.id, kind=entity.kind, name=self._name(entity),
            address=None if self.chance(MISSING_ADDRESS) else r.choice(site.addresses),
            postcode=self._postcode(site, entity.country), country=entity.country,
            phone=None if raw_phone is None else self._phone(raw_phone),
            registration=registration, day=day, raw_phone=raw_phone,
            raw_id=_id_key(registration))
        self.records.append(record)
        return record

    def days(self, start: int, count: int) -> list[int]:
        span = int(self.rng.integers(60, 900))
        return sorted(int(d) for d in self.rng.integers(start, start + span, count))

    def group(self, trap: str) -> str:
        self.groups += 1
        return f"{trap}={trap[0].upper()}{self.groups}"


def _id_key(value: str | None) -> str | None:
    """A number as the generator knows it (a GSTIN's PAN, an EIN without its dash), so that
    records carrying a recycled number are found whichever form they wrote."""
    if value is None:
        return None
    code = re.sub(r"[^0-9A-Z]", "", value.upper())
    return code[2:12] if len(code) == 15 else code


def _typo(text: str, r: random.Random) -> str:
    """One letter of the longest word dropped or doubled."""
    words = text.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 5:
        return text
    at = r.randrange(1, len(word) - 1)
    words[i] = word[:at] + word[at + 1:] if r.random() < 0.5 else word[:at] + word[at] + \
        word[at:]
    return " ".join(words)


def _tag(records: Sequence[_Record], tag: str) -> None:
    for record in records:
        record.tags.append(tag)


def _plant(b: _Builder) -> None:
    """One new entity with its filings, and the traps that fall on it."""
    rng = b.rng
    code = "IN" if b.chance(INDIAN_SHARE) else "US"
    kind: Kind = "company" if b.chance(COMPANY_SHARE) else "person"
    entity = b.company(code) if kind == "company" else b.person(code)
    count = min(1 + int(rng.poisson(2.0)), _MAX_FILINGS)
    start = int(rng.integers(0, _STARTS))
    donors = b.donors.setdefault((code, kind), [])
    if donors and b.chance(RECYCLED_PHONE_RATE):
        # The number an unrelated entity stopped using, given out again after a while.
        donor, last, donor_records = donors[int(rng.integers(len(donors)))]
        start = max(start, last + int(rng.integers(30, 400)))
        entity = replace(entity, phones=(donor.phones[0],))
        group = b.group("recycled_phone")
        _tag([d for d in donor_records if d.raw_phone == donor.phones[0]],
             f"{group}/{donor.id}")
        pending_phone: tuple[str, str] | None = (group, donor.phones[0])
    else:
        pending_phone = None
    pending_id: tuple[str, str] | None = None
    if kind == "company" and donors and b.chance(RECYCLED_ID_RATE):
        donor, last, donor_records = donors[int(rng.integers(len(donors)))]
        start = max(start, last + int(rng.integers(30, 400)))
        key = "IEC" if code == "IN" else "EIN"
        number = donor.ids[key]
        ids = dict(entity.ids)
        ids[key] = number
        if code == "IN":
            ids["GSTIN"] = registrations.gstin(entity.site.place.gst_state, number)
        entity = replace(entity, ids=ids)
        group = b.group("recycled_id")
        target = _id_key(number)
        _tag([d for d in donor_records if d.raw_id == target], f"{group}/{donor.id}")
        pending_id = (group, target or "")
    days = b.days(start, count)
    moving = count >= 2 and b.chance(MOVE_RATE)
    burned = not moving and kind == "company" and b.chance(OLD_ADDRESS_RATE)
    records: list[_Record] = []
    if moving:
        at = int(rng.integers(1, count))
        country = b.world[code]
        kind_of_site = "office" if kind == "person" else b.r.choice(("manufacturer", "office"))
        new_site = b.site(country, kind_of_site)
        new_phones = b.phones_at(country, new_site.place, kind == "person") if b.chance(
            0.5) else entity.phones
        group = b.group("move")
        before = [b.file(entity, d) for d in days[:at]]
        after = [b.file(entity, d, site=new_site, phones=new_phones) for d in days[at:]]
        _tag(before, f"{group}/0")
        _tag(after, f"{group}/1")
        records = before + after
    else:
        records = [b.file(entity, d) for d in days]
    if pending_phone is not None:
        group, phone = pending_phone
        _tag([x for x in records if x.raw_phone == phone], f"{group}/{entity.id}")
    if pending_id is not None:
        group, target = pending_id
        _tag([x for x in records if x.raw_id == target], f"{group}/{entity.id}")
    _devanagari(entity.id, records)
    if burned:
        _reoccupy(b, entity, records, days[-1])
    elif not moving:
        donors.append((entity, days[-1], records))


def _reoccupy(b: _Builder, old: _Entity, records: list[_Record], last: int) -> None:
    """A new company at a burned firm's address: the same actor renamed, or a tenant."""
    rng = b.rng
    assert old.firm is not None
    group = b.group("old_address")
    _tag(records, f"{group}/old")
    country = b.world[old.country]
    site = b.site(country, "office", place=old.site.place, line=old.site.line)
    count = min(1 + int(rng.integers(1, 4)), _MAX_FILINGS)
    days = b.days(last + int(rng.integers(30, 365)), count)
    if b.chance(SUCCESSOR_SHARE):
        trade = b.r.choice(("pharma", "chemical", "trader"))
        name = successor_name(b.book, old.firm, trade, b.r, old.country)
        new = b.company(old.country, site=site, name=name, entity_id=old.id)
        if b.chance(0.5):
            new = replace(new, phones=old.phones[:1] + new.phones[1:])
        part = "successor"
    else:
        new = b.company(old.country, site=site)
        part = "tenant"
    later = [b.file(new, d) for d in days]
    _tag(later, f"{group}/{part}")
    _devanagari(new.id, later)


def _devanagari(entity: str, records: Sequence[_Record]) -> None:
    written = [bool(_DEVANAGARI.search(x.name)) for x in records]
    if any(written):
        for record, hindi in zip(records, written, strict=True):
            record.tags.append(f"devanagari=D{entity}/{'deva' if hindi else 'latin'}")


def party_records(rows: int, seed: int) -> pa.Table:
    """``rows`` filings of Indian and US companies and persons, the same for the same seed,
    with the truth in ``entity_id`` and the traps each record belongs to in ``hazards``
    (see the module's description)."""
    if rows < 1:
        raise UsageError(f"write at least one party record (asked for {rows:,})")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    builder = _Builder(rng)
    while len(builder.records) < rows:
        _plant(builder)
    records = builder.records[:rows]
    order = rng.permutation(len(records))
    chosen = [records[int(i)] for i in order]
    return pa.table({
        "record_id": [f"R{i + 1:07d}" for i in range(len(chosen))],
        "entity_id": [x.entity for x in chosen],
        "kind": [x.kind for x in chosen],
        "name": [x.name for x in chosen],
        "address": pa.array([x.address for x in chosen], pa.string()),
        "postcode": pa.array([x.postcode for x in chosen], pa.string()),
        "country": [x.country for x in chosen],
        "phone": pa.array([x.phone for x in chosen], pa.string()),
        "registration_number": pa.array([x.registration for x in chosen], pa.string()),
        "filed": pa.array([_EPOCH + timedelta(days=x.day) for x in chosen], pa.date32()),
        "hazards": [";".join(x.tags) for x in chosen],
    })
