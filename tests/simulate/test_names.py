"""Firm and person names, and the ways documents write them."""

from __future__ import annotations

import random

from precursorwatch.simulate.names import (
    FirmName,
    firm_name,
    load_names,
    name_variants,
    person_names,
    successor_name,
)

BOOK = load_names()


def test_registered_name_comes_first_and_variants_differ() -> None:
    name = FirmName("indian", "Shree Ganesh", "Chemicals", "Private Limited")
    variants = name_variants(BOOK, name, random.Random(1), 6)
    assert variants[0] == "Shree Ganesh Chemicals Private Limited"
    assert len(set(variants)) == len(variants) == 6


def test_indian_variants_include_clerks_habits() -> None:
    name = FirmName("indian", "Shree Ganesh", "Chemicals", "Private Limited")
    seen = {v for seed in range(60) for v in name_variants(BOOK, name, random.Random(seed), 6)}
    assert any(v.startswith(("M/s.", "M/S")) for v in seen)
    assert any("Pvt" in v for v in seen)
    assert any(v.startswith(("Shri", "Sri")) for v in seen)
    assert any(v.isupper() for v in seen)
    assert "श्री गणेश केमिकल्स प्राइवेट लिमिटेड" in seen


def test_legal_forms_fit_the_country() -> None:
    r = random.Random(2)
    for _ in range(200):
        assert firm_name(BOOK, "english", "trader", r, "HK").form not in ("Pty Ltd", "Pte. Ltd.")
        assert firm_name(BOOK, "latin", "trader", r, "GT").form not in ("S.A. de C.V.", "Ltda.")


def test_successor_keeps_a_word_of_the_old_name_and_changes_the_rest() -> None:
    old = FirmName("indian", "Shree Ganesh", "Chemicals", "Private Limited")
    for seed in range(50):
        new = successor_name(BOOK, old, "chemical", random.Random(seed), "IN")
        assert new.written() != old.written()
        assert set(new.head.split()) & set(old.head.split())
        assert new.trade != old.trade


def test_person_names_registered_form_first() -> None:
    names = person_names(BOOK, "indian", random.Random(4))
    assert len(names) >= 2 and len(set(names)) == len(names)
    last = names[0].split()[-1]
    assert all(last.lower() in n.lower() for n in names)
