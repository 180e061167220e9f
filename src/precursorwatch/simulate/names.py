"""Names of firms and people, and the many ways one name is written, from ``names.yaml``.

Entity resolution exists because one firm appears on documents as ``Shree Ganesh Chemicals
Pvt. Ltd.``, ``SHRI GANESHA CHEMICALS PVT LTD``, ``M/s. Shree Ganesh Chem.`` and ``श्री गणेश
केमिकल्स``. The variants here are the ones clerks produce: legal forms written out or
abbreviated, transliteration spellings, abbreviated trade words, upper case, a dropped legal
form, a one-letter typo, Hindi script.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

# libyaml's loader when installed: the data files load ten times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "FirmName",
    "NameBook",
    "Style",
    "firm_name",
    "load_names",
    "name_variants",
    "person_names",
    "successor_name",
]


@dataclass(frozen=True)
class Style:
    """How firms of one naming tradition are called."""

    heads: tuple[str, ...]
    trades: Mapping[str, tuple[str, ...]]
    forms: Mapping[str, tuple[str, ...]]
    form_weights: Mapping[str, float]
    form_countries: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class NameBook:
    """Everything ``names.yaml`` holds."""

    styles: Mapping[str, Style]
    spellings: Mapping[str, tuple[str, ...]]
    abbreviations: Mapping[str, tuple[str, ...]]
    devanagari: Mapping[str, str]
    people: Mapping[str, Mapping[str, tuple[str, ...]]]
    free_mail: Mapping[str, tuple[str, ...]]
    tld: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class FirmName:
    """A firm's name in parts: distinctive head, trade words, legal form (canonical)."""

    style: str
    head: str
    trade: str
    form: str

    def written(self, form: str | None = None) -> str:
        """The name with the canonical legal form, or with ``form`` as written."""
        suffix = self.form if form is None else form
        base = f"{self.head} {self.trade}".strip()
        if not suffix:
            return base
        return f"{base}{suffix}" if suffix.startswith(",") else f"{base} {suffix}"


def _tuples(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {str(k): tuple(str(x) for x in v) for k, v in raw.items()}


@cache
def load_names() -> NameBook:
    """The name parts of ``data/names.yaml`` (read once)."""
    text = resources.files("precursorwatch.simulate").joinpath("data/names.yaml").read_text(
        encoding="utf-8")
    data = yaml.load(text, Loader=_LOADER)
    styles = {
        name: Style(
            heads=tuple(raw["heads"]),
            trades=_tuples(raw["trades"]),
            forms=_tuples(raw["forms"]),
            form_weights={str(k): float(v) for k, v in raw["form_weights"].items()},
            form_countries=_tuples(raw.get("form_countries") or {}),
        )
        for name, raw in data["styles"].items()
    }
    return NameBook(
        styles=styles,
        spellings=_tuples(data["spellings"]),
        abbreviations=_tuples(data["abbreviations"]),
        devanagari={str(k): str(v) for k, v in data["devanagari"].items()},
        people={style: _tuples(parts) for style, parts in data["people"].items()},
        free_mail=_tuples(data["free_mail"]),
        tld=_tuples(data["tld"]),
    )


def firm_name(book: NameBook, style: str, trade_kind: str, r: random.Random,
              country: str = "") -> FirmName:
    """A new firm name of a style; ``trade_kind`` is pharma, chemical, trader or logistics,
    and the legal form is one that exists in ``country``."""
    s = book.styles[style]
    forms = [f for f in s.form_weights
             if f not in s.form_countries or country in s.form_countries[f]]
    form = r.choices(forms, weights=[s.form_weights[f] for f in forms])[0]
    return FirmName(style, r.choice(s.heads), r.choice(s.trades[trade_kind]), form)


def successor_name(book: NameBook, old: FirmName, trade_kind: str, r: random.Random,
                   country: str = "") -> FirmName:
    """The name a burned firm's owners register next: one word of the old head kept (owners
    keep their family deity or surname), new trade words and often a new legal form."""
    s = book.styles[old.style]
    kept = r.choice(old.head.split())
    head = f"{kept} {r.choice(s.heads).split()[-1]}" if r.random() < 0.5 else kept
    if head == old.head:
        head = f"New {head}"
    trades = [t for t in s.trades[trade_kind] if t != old.trade] or list(s.trades[trade_kind])
    forms = [f for f in s.form_weights if f != old.form and (
        f not in s.form_countries or country in s.form_countries[f])] or [old.form]
    return FirmName(old.style, head, r.choice(trades), r.choice(forms))


def _respell(text: str, book: NameBook, r: random.Random) -> str:
    words = text.split()
    options = [i for i, w in enumerate(words) if w in book.spellings]
    if not options:
        return text
    i = r.choice(options)
    words[i] = r.choice(book.spellings[words[i]])
    return " ".join(words)


def _abbreviate(text: str, book: NameBook, r: random.Random) -> str:
    for long, shorts in book.abbreviations.items():
        if long in text:
            return text.replace(long, r.choice(shorts), 1)
    return text


def _typo(text: str, r: random.Random) -> str:
    words = text.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 6 or not word.isalpha():
        return text
    i = r.randrange(1, len(word) - 2)
    kind = r.randrange(3)
    if kind == 0:
        word = word[:i] + word[i + 1:]
    elif kind == 1:
        word = word[:i] + word[i] + word[i:]
    else:
        word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    words[longest] = word
    return " ".join(words)


def _devanagari(name: FirmName, book: NameBook) -> str | None:
    words: list[str] = []
    for part in (*name.head.split(), *name.trade.split()):
        if part not in book.devanagari:
            return None
        words.append(book.devanagari[part])
    if name.form:
        if name.form not in book.devanagari:
            return None
        words.append(book.devanagari[name.form])
    return " ".join(words)


def name_variants(book: NameBook, name: FirmName, r: random.Random,
                  count: int) -> tuple[str, ...]:
    """``count`` ways of writing a firm's name, the registered form first."""
    style = book.styles[name.style]
    forms = style.forms.get(name.form, (name.form,))
    canonical = name.written()
    found = [canonical]

    def one() -> str:
        text = name.written(r.choice(forms))
        ops = r.sample(range(8), k=r.choice((1, 1, 2)))
        for op in ops:
            if op == 0:
                text = _respell(text, book, r)
            elif op == 1:
                text = _abbreviate(text, book, r)
            elif op == 2:
                text = f"{name.head} {name.trade}".strip()
            elif op == 3 and name.style == "indian":
                text = f"M/s. {text}" if r.random() < 0.7 else f"M/S {text}"
            elif op == 4:
                text = text.upper()
            elif op == 5:
                text = _typo(text, r)
            elif op == 6:
                text = re.sub(r"\s*&\s*", " and ", text) if "&" in text else text.replace(
                    ".", "")
            elif op == 7 and name.style == "indian" and r.random() < 0.3:
                text = _devanagari(name, book) or text
        return re.sub(r"\s+", " ", text).strip()

    for _ in range(count * 4):
        if len(found) >= count:
            break
        text = one()
        if text and text not in found:
            found.append(text)
    return tuple(found)


def person_names(book: NameBook, style: str, r: random.Random) -> tuple[str, ...]:
    """A person's name as registered, then two or three ways documents write it."""
    parts = book.people.get(style) or book.people["english"]
    first, middle, last = r.choice(parts["first"]), r.choice(parts["middle"]), r.choice(
        parts["last"])
    full = " ".join(p for p in (first, middle, last) if p)
    variants = [full, f"{first} {last}", f"{first[0]}. {last}",
                f"{last.upper()} {first}", f"{first} {middle[:1]}. {last}" if middle else full]
    if style == "indian" and middle:
        variants.append(f"{first[0]}. {middle[0]}. {last}")
    out: list[str] = []
    for v in [full, *r.sample(variants[1:], k=min(3, len(variants) - 1))]:
        if v not in out:
            out.append(v)
    return tuple(out)
