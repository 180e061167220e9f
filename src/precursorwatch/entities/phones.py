"""Phone numbers in E.164, so that one line written the Indian and the US way meets.

A shared phone number links firms that share nothing else, which is how shell companies
behind one operator show; but "+91 98200 12345", "098200 12345" and "0091-98200-12345" must
first be one string. Google's libphonenumber (the ``phonenumbers`` port) knows each
country's trunk prefix, international prefix and number plan, so it is used for parsing and
validation rather than rules of our own. A number valid in no plan is returned as None: it
was mistyped or invented, and two records sharing it prove nothing.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberMatcher

__all__ = ["phone_region", "phones_in", "to_e164"]


def to_e164(text: str | None, default_region: str | None = None) -> str | None:
    """The number as E.164 ("+919820012345"); ``default_region`` (ISO alpha-2) is the
    country of a number written without its country code, usually the party's country.
    None when the text is missing, unparsable or not a valid number of any plan.
    Extensions are dropped: they name a desk, not a firm."""
    if not text or not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, (default_region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    number.extension = None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phones_in(text: str | None, default_region: str | None = None) -> tuple[str, ...]:
    """Every valid number in a free-text field ("022-2345 6789 / 98200 12345"), in E.164,
    in order and without repeats."""
    if not text:
        return ()
    region = (default_region or "").upper() or None
    found: dict[str, None] = {}
    for match in PhoneNumberMatcher(text, region):
        number = match.number
        number.extension = None
        found[phonenumbers.format_number(number, PhoneNumberFormat.E164)] = None
    return tuple(found)


def phone_region(e164: str | None) -> str | None:
    """The ISO alpha-2 country whose plan a valid number belongs to ("IN"); None if none."""
    number = to_e164(e164)
    if number is None:
        return None
    return phonenumbers.region_code_for_number(phonenumbers.parse(number))
