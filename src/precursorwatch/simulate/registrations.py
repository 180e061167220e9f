"""Registration and account numbers of simulated firms, with their real check characters.

Entity resolution leans on identifiers, so simulated ones must have the shape and the check
characters of real ones: a record linker that validates a GSTIN or a DEA number must accept
ours, and one that ignores a typo'd identifier must have real ones to compare against.

* PAN (India's Permanent Account Number, ``AAAPL1234C``) is also the IEC, India's
  import-export code, since 2020: the fourth letter says what holds it (C company, F firm or
  LLP, P person), the fifth is the first letter of the holder's name.
* GSTIN (15 characters): GST state code, PAN, entity number, ``Z`` and a check character
  computed mod 36 over the first fourteen (the GST Network's published algorithm).
* EIN (``NN-NNNNNNN``): the US employer identification number, its prefix an IRS campus code.
* DEA registration number: two letters (registrant type, initial of the name) and seven
  digits, the last one a check digit: (d1 + d3 + d5) + 2 * (d2 + d4 + d6), last digit.
* Bank accounts: Indian account numbers with IFSC branch codes, US accounts with a real ABA
  routing number (3-7-1 checksum), IBANs with their mod-97 check digits, Mexican CLABEs with
  their 3-7-1 check digit.

The GSTIN and DEA checks live in :mod:`precursorwatch.ids`, where entity resolution uses them
too; the bank-account checks here are the ones tests run (generation never calls them).
"""

from __future__ import annotations

import random
import string

from precursorwatch.ids import dea as dea_ids
from precursorwatch.ids import gstin as gstin_ids

__all__ = [
    "aba_is_valid",
    "belgian_bban",
    "clabe",
    "dea",
    "ein",
    "gstin",
    "iban",
    "iban_is_valid",
    "pan",
]

_BASE36 = string.digits + string.ascii_uppercase
_LETTERS = string.ascii_uppercase
# Prefixes the IRS assigns to its campuses and online applications (no 07-09, 17-19, 28-29,
# 49, 69-70, 78-79, 89, 96-97).
_EIN_PREFIXES = (
    "01", "02", "03", "04", "05", "06", "10", "11", "12", "13", "14", "15", "16", "20", "21",
    "22", "23", "24", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36", "37", "38",
    "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "50", "51", "52", "53", "54",
    "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "71",
    "72", "73", "74", "75", "76", "77", "80", "81", "82", "83", "84", "85", "86", "87", "88",
    "90", "91", "92", "93", "94", "95", "98", "99",
)
_IBAN_LENGTHS = {"AE": 23, "BE": 16, "DE": 22, "GB": 22, "NL": 18}


def _digits(r: random.Random, count: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(count))


def _initial(name: str) -> str:
    for char in name.upper():
        if char in _LETTERS:
            return char
    return "X"


def pan(r: random.Random, holder: str, name: str) -> str:
    """A PAN for a holder type (``C`` company, ``F`` firm or LLP, ``P`` person) and name."""
    return ("".join(r.choice(_LETTERS) for _ in range(3)) + holder + _initial(name)
            + _digits(r, 4) + r.choice(_LETTERS))


def gstin(state_code: str, pan_number: str, entity: int = 1) -> str:
    """The GSTIN of a PAN's ``entity``-th registration (1-35) in a state."""
    body = f"{state_code}{pan_number}{_BASE36[entity]}Z"
    return body + gstin_ids.check_char(body)


def ein(r: random.Random) -> str:
    """An EIN written the usual way, ``NN-NNNNNNN``."""
    return f"{r.choice(_EIN_PREFIXES)}-{_digits(r, 7)}"


def dea(r: random.Random, registrant: str, name: str) -> str:
    """A DEA registration number: registrant type letter, name initial, seven digits."""
    six = _digits(r, 6)
    return f"{registrant}{_initial(name)}{six}{dea_ids.check_digit(six)}"


def aba_is_valid(routing: str) -> bool:
    """Whether a nine-digit ABA routing number passes its 3-7-1 checksum."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    return sum(w * int(c) for w, c in zip((3, 7, 1) * 3, routing, strict=True)) % 10 == 0


def _iban_remainder(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


def iban(country: str, bban: str) -> str:
    """The IBAN of a domestic account number (BBAN), with its two check digits."""
    check = 98 - _iban_remainder(f"{bban}{country}00")
    return f"{country}{check:02d}{bban}"


def iban_is_valid(text: str) -> bool:
    """Whether ``text`` is an IBAN of the right length whose check digits are right."""
    value = text.replace(" ", "").upper()
    if len(value) != _IBAN_LENGTHS.get(value[:2], len(value)) or len(value) < 15:
        return False
    if not value.isalnum():
        return False
    return _iban_remainder(value[4:] + value[:4]) == 1


def clabe(bank_code: str, r: random.Random, account_digits: int = 11) -> str:
    """A Mexican CLABE: bank code, branch plaza, account, and the 3-7-1 check digit."""
    body = bank_code + _digits(r, 3) + _digits(r, account_digits)
    total = sum((int(c) * w) % 10 for c, w in zip(body, (3, 7, 1) * 6, strict=False))
    return body + str((10 - total % 10) % 10)


def belgian_bban(bank_code: str, r: random.Random) -> str:
    """A Belgian account number: bank code, seven digits and the national mod-97 check."""
    body = bank_code + _digits(r, 7)
    check = int(body) % 97 or 97
    return f"{body}{check:02d}"
