"""The firms and people of simulated trade: Indian, US and third-country manufacturers,
distributors, traders, freight forwarders and front companies, with the registration numbers,
addresses, phones, e-mails, bank accounts and directors that tie their records together.

Each firm has one registered identity (``names[0]``, ``addresses[0]``) and the other ways its
documents write it; every trade row and incident report picks one of those ways, and the
truth (which firm a row names) is kept in the labels by the firm's ``id``.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Literal

from unidecode import unidecode

from precursorwatch.simulate import registrations
from precursorwatch.simulate.geography import (
    Country,
    Place,
    World,
    address_variants,
    fill,
    phone_number,
)
from precursorwatch.simulate.names import (
    FirmName,
    NameBook,
    firm_name,
    name_variants,
    person_names,
    successor_name,
)

__all__ = [
    "Account",
    "Firm",
    "FirmFactory",
    "Person",
    "Role",
    "Sector",
]

Role = Literal["manufacturer", "distributor", "trader", "forwarder", "front", "research"]
Sector = Literal["pharma", "chemical", "logistics"]

# National company or tax numbers of third countries, as their registries print them:
# "#" a digit, "A" a capital letter.
_OTHER_IDS = {
    "MX": "AAA######AA#", "CA": "#########RT0001", "GB": "########", "DE": "HRB ######",
    "NL": "########", "BE": "0###.###.###", "AE": "DED-######", "SG": "20#####A",
    "HK": "########", "NG": "RC ######", "GH": "CS#########", "TG": "TG-LOM 20## B ####",
    "BR": "##.###.###/0001-##", "CO": "900.###.###-#", "ZA": "20##/######/07",
    "KE": "PVT-AAA####", "BD": "C-######", "LK": "PV #####", "NP": "######/07#/07#",
    "PH": "CS20########", "AU": "## ### ### ###", "GT": "#######-#", "HN": "0801##########",
    "PA": "155######-2-20##",
}


@dataclass(frozen=True)
class Account:
    """A bank account: ``number`` as the bank writes it, ``iban`` where the country has one,
    ``branch`` the IFSC or ABA routing number where it has those."""

    id: str
    country: str
    bank: str
    bic: str
    number: str
    iban: str = ""
    branch: str = ""


@dataclass(frozen=True)
class Person:
    """A director, owner or contact person."""

    id: str
    country: str
    names: tuple[str, ...]
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    address: str


@dataclass(frozen=True)
class Firm:
    """A firm as registered, with the ways its documents write it.

    ``ids`` are the identifiers its declarations carry, most used first (India: IEC then
    GSTIN; US: EIN then DEA registration; elsewhere a national company number), ``id_kinds``
    say which is which. ``size`` scales how much trade it does.
    """

    id: str
    country: str
    role: Role
    sector: Sector
    name: FirmName
    names: tuple[str, ...]
    addresses: tuple[str, ...]
    premises: str
    place: Place
    ids: tuple[str, ...]
    id_kinds: tuple[str, ...]
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    accounts: tuple[Account, ...]
    directors: tuple[Person, ...]
    founded: int
    size: float

    def identifier(self, kind: str) -> str:
        """The identifier of one kind (``IEC``, ``GSTIN``, ``EIN``, ``DEA``, ``ID``), or ""."""
        for value, which in zip(self.ids, self.id_kinds, strict=True):
            if which == kind:
                return value
        return ""


def _shape(pattern: str, r: random.Random) -> str:
    return "".join(str(r.randrange(10)) if c == "#" else r.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
                   if c == "A" else c for c in pattern)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unidecode(text).lower())


def _trade_kind(role: Role, sector: Sector) -> str:
    if role == "forwarder":
        return "logistics"
    if role in ("trader", "front"):
        return "trader"
    return "pharma" if sector == "pharma" else "chemical"


class FirmFactory:
    """Makes firms, people and accounts with running ids, from one random stream.

    A class only to keep the counters; every firm it makes is a frozen value.
    """

    def __init__(self, world: World, book: NameBook, r: random.Random) -> None:
        self.world = world
        self.book = book
        self.r = r
        self._firms = 0
        self._people = 0
        self._accounts = 0

    # --- parts ---------------------------------------------------------------------------

    def account(self, country: str) -> Account:
        """A new account at one of the country's banks."""
        r = self.r
        self._accounts += 1
        account_id = f"A{self._accounts:06d}"
        banks = self.world[country].banks or self.world["US"].banks
        bank = r.choice(banks)
        digits = "".join(str(r.randrange(10)) for _ in range(bank.digits))
        if bank.scheme == "ifsc":
            branch = f"{bank.code}0{r.randrange(1000, 999999):06d}"
            return Account(account_id, bank.country, bank.name, bank.bic, digits, branch=branch)
        if bank.scheme == "aba":
            return Account(account_id, bank.country, bank.name, bank.bic, digits,
                           branch=bank.code)
        if bank.scheme == "iban":
            if bank.country == "BE":
                bban = registrations.belgian_bban(bank.code, r)
            else:
                bban = bank.code + digits
            number = registrations.iban(bank.country, bban)
            return Account(account_id, bank.country, bank.name, bank.bic, bban, iban=number)
        if bank.scheme == "clabe":
            return Account(account_id, bank.country, bank.name, bank.bic,
                           registrations.clabe(bank.code, r, bank.digits))
        number = f"{bank.code}-{digits}" if bank.code else digits
        return Account(account_id, bank.country, bank.name, bank.bic, number)

    def person(self, country: str, *, shady: bool = False) -> Person:
        """A new person of a country, with a mobile (or office) number and e-mail."""
        r = self.r
        self._people += 1
        c = self.world[country]
        names = person_names(self.book, c.style, r)
        place = r.choice(c.places)
        pattern = r.choice(c.mobile) if c.mobile else place.phone
        phones = (phone_number(pattern, r),)
        first, *_rest = names[0].split()
        last = names[0].split()[-1]
        mail = self.book.free_mail["shady" if shady else
                                   (country if country in self.book.free_mail else "default")]
        emails = (f"{_slug(first)}.{_slug(last)}{r.randrange(1, 99)}@{r.choice(mail)}",)
        address = fill(r.choice(c.premises["office"]), r, c)
        return Person(f"P{self._people:06d}", country, names, phones, emails,
                      f"{address}, {place.city}")

    def _ids(self, country: Country, place: Place, name: FirmName, role: Role,
             sector: Sector) -> tuple[tuple[str, ...], tuple[str, ...]]:
        r = self.r
        if country.code == "IN":
            holder = "C" if "Limited" in name.form or "Ltd" in name.form else "F"
            pan = registrations.pan(r, holder, name.head)
            entity = 1 if r.random() < 0.85 else r.randrange(2, 4)
            return (pan, registrations.gstin(place.gst_state, pan, entity)), ("IEC", "GSTIN")
        if country.code == "US":
            ein = registrations.ein(r)
            licensed = role in ("manufacturer", "distributor", "research") and (
                sector == "pharma" or r.random() < 0.6)
            if licensed and role != "front":
                letter = "R" if role == "distributor" else "P"
                return (ein, registrations.dea(r, letter, name.head)), ("EIN", "DEA")
            return (ein,), ("EIN",)
        pattern = _OTHER_IDS.get(country.code, "########")
        return (_shape(pattern, r),), ("ID",)

    def _contacts(self, country: Country, place: Place, name: FirmName,
                  free_mail: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        r = self.r
        phones = [phone_number(place.phone, r)]
        if country.mobile and r.random() < 0.6:
            phones.append(phone_number(r.choice(country.mobile), r))
        head = _slug(name.head)[:14] or "trade"
        if free_mail:
            mail = self.book.free_mail.get(country.code, self.book.free_mail["default"])
            emails = [f"{head}{r.randrange(1, 999)}@{r.choice(mail)}"]
        else:
            tlds = self.book.tld.get(country.code, self.book.tld["default"])
            trade = _slug(name.trade.split()[0])[:8]
            domain = f"{head}{trade}.{r.choice(tlds)}"
            emails = [f"{r.choice(('info', 'sales', 'exports', 'contact', 'accounts'))}@{domain}"]
            if r.random() < 0.4:
                emails.append(f"{r.choice(('purchase', 'regulatory', 'admin', 'logistics'))}"
                              f"@{domain}")
        return tuple(phones), tuple(emails)

    # --- firms ---------------------------------------------------------------------------

    def firm(self, country_code: str, role: Role, sector: Sector, *,
             founded: int | None = None, size: float | None = None,
             place: Place | None = None, free_mail: bool | None = None,
             name: FirmName | None = None) -> Firm:
        """A new firm of a country, role and sector."""
        r = self.r
        self._firms += 1
        country = self.world[country_code]
        if place is None:
            kind = "manufacturer" if role in ("manufacturer", "research") else "office"
            place = r.choice(country.places_of(kind))
        if name is None:
            name = firm_name(self.book, country.style, _trade_kind(role, sector), r,
                             country_code)
        premises_kind = "manufacturer" if role in ("manufacturer", "research") else "office"
        line = fill(r.choice(country.premises[premises_kind]), r, country)
        addresses = address_variants(country, place, line, r)
        ids, id_kinds = self._ids(country, place, name, role, sector)
        if free_mail is None:
            free_mail = role in ("trader", "front") and r.random() < 0.6
        phones, emails = self._contacts(country, place, name, free_mail)
        accounts = tuple(self.account(country_code) for _ in range(1 + (r.random() < 0.3)))
        directors = tuple(self.person(country_code) for _ in range(1 + (r.random() < 0.4)))
        variants = name_variants(self.book, name, r, r.choice((2, 3, 3, 4, 5, 6)))
        return Firm(
            id=f"F{self._firms:06d}",
            country=country_code,
            role=role,
            sector=sector,
            name=name,
            names=variants,
            addresses=addresses,
            premises=line,
            place=place,
            ids=ids,
            id_kinds=id_kinds,
            phones=phones,
            emails=emails,
            accounts=accounts,
            directors=directors,
            founded=founded if founded is not None else r.randrange(1972, 2023),
            size=size if size is not None else r.paretovariate(1.3),
        )

    def successor(self, old: Firm, founded: int) -> Firm:
        """The firm a burned firm's owners register under a new name: same premises (the
        address written afresh), same directors and phones, new registration numbers."""
        r = self.r
        name = successor_name(self.book, old.name, _trade_kind(old.role, old.sector), r,
                              old.country)
        fresh = self.firm(old.country, old.role, old.sector, founded=founded, size=old.size,
                          place=old.place, name=name, free_mail=True)
        country = self.world[old.country]
        addresses = address_variants(country, old.place, old.premises, r)
        return replace(fresh, addresses=addresses, premises=old.premises,
                       phones=old.phones[:1] + fresh.phones[1:],
                       directors=old.directors, accounts=fresh.accounts[:1])
