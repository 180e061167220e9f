"""What each distinct declared product is: the registry's answer, once per product line.

Trade repeats itself, so the registry is asked once per distinct (description, CAS, HS) triple
and the answers travel to the rows as a small table joined in the backend. The facts here
are those screening needs beyond the substance names: whether the declaration contradicts
itself (misdeclaration), whether the description says nothing of what the goods are, the US
threshold to compare quantities with, and whether the goods are a designer precursor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa

from precursorwatch.registry.identify import Identification, Identifier
from precursorwatch.registry.substances import Substance
from precursorwatch.screening.numbers import numbered

__all__ = ["PRODUCT_KEYS", "DesignerCheck", "DesignerFinding", "product_facts"]

#: The columns that name a distinct product line ('' where the row has none).
PRODUCT_KEYS: tuple[str, ...] = ("product_description", "cas_number", "hs_code")

# Words that describe a class of goods rather than a chemical: declarations that use only
# these say nothing of what is inside (INCB: "vague or generic descriptions" of goods).
_VAGUE = re.compile(
    r"\b(intermediate|blend|reagent|n\.?\s*e\.?\s*s\.?|not elsewhere specified|"
    r"chemical products?|organic chemicals?|aroma chemicals?|industrial chemicals?|"
    r"laboratory chemicals?|mixture|compound|sample|raw material)\b", re.IGNORECASE)
_CHEMICAL_WORD = re.compile(r"[a-z]{4,}(ine|ol|one|ide|ate|ane|ene|yl|ic acid|ium)\b",
                            re.IGNORECASE)

_UNIT_TO_KG = {"kg": 1.0, "g": 0.001}


@dataclass(frozen=True)
class DesignerFinding:
    """A designer precursor recognised in a product line, with the reviewer's sentence."""

    name: str
    sentence: str


#: Looks at many (description, CAS) pairs at once and says which are designer precursors.
DesignerCheck = Callable[[Sequence[str], Sequence[str | None]], Sequence[DesignerFinding | None]]


def _threshold(substance: Substance | None) -> tuple[float | None, float | None]:
    """The US import/export threshold as (kg, litres); None where there is none."""
    if substance is None or substance.us_threshold is None:
        return None, None
    threshold = substance.us_threshold
    kg = threshold.amount * _UNIT_TO_KG[threshold.unit] if threshold.unit in _UNIT_TO_KG \
        else None
    litres = threshold.amount if threshold.unit == "L" else threshold.litres
    if kg == 0 and not litres:
        return None, None  # every transaction is regulated: nothing to stay under
    return kg, litres


def _misdeclared(result: Identification) -> str:
    """The sentence saying how the declaration contradicts itself, or ''."""
    for match in result.reported:
        for evidence in match.evidence:
            if evidence.kind == "conflict":
                return f"{match.substance.name}: {evidence.text}"
        kinds = {e.kind for e in match.evidence}
        if kinds == {"hs"}:
            return f"{match.substance.name}: " + "; ".join(e.text for e in match.evidence)
    return ""


def _vague(description: str) -> bool:
    """True when the description names a class of goods and no chemical."""
    return bool(_VAGUE.search(description)) and not _CHEMICAL_WORD.search(
        _VAGUE.sub(" ", description))


def product_facts(
    products: pa.Table,
    identifier: Identifier,
    designer: DesignerCheck | None = None,
) -> pa.Table:
    """One row of facts per distinct product line of ``products`` (columns
    :data:`PRODUCT_KEYS`, nulls as '').

    Adds ``substances`` (``;``-joined), ``primary`` (the most certain substance or ''),
    ``kind``, ``un_table``, ``threshold_kg`` and ``threshold_l`` (US import/export threshold of
    the primary substance), ``misdeclared`` (sentence, '' if none), ``vague`` and
    ``designer`` (sentence, '' if none).
    """
    columns = {k: products.column(k).to_pylist() for k in PRODUCT_KEYS}
    size = products.num_rows
    out: dict[str, list[object]] = {k: [] for k in (
        "substances", "primary", "kind", "un_table", "threshold_kg", "threshold_l",
        "misdeclared", "vague")}
    for description, cas, hs in zip(*columns.values(), strict=True):
        result = identifier.identify(description or "", cas or None, hs or None)
        reported = result.reported
        primary = reported[0].substance if reported else None
        kg, litres = _threshold(primary)
        out["substances"].append(";".join(m.substance.name for m in reported))
        out["primary"].append(primary.name if primary else "")
        out["kind"].append(primary.kind if primary else "")
        out["un_table"].append(next((m.substance.un_table for m in reported
                                     if m.substance.un_table), "") or "")
        out["threshold_kg"].append(kg)
        out["threshold_l"].append(litres)
        out["misdeclared"].append(_misdeclared(result))
        out["vague"].append(_vague(description or ""))
    designed: Sequence[DesignerFinding | None] = [None] * size
    if designer is not None and size:
        designed = designer(columns["product_description"], [c or None for c in
                                                             columns["cas_number"]])
    table = {k: pa.array([v or "" for v in columns[k]], pa.string()) for k in PRODUCT_KEYS}
    for name, values in out.items():
        kind = (pa.float64() if name.startswith("threshold") else
                pa.bool_() if name == "vague" else pa.string())
        table[name] = pa.array(values, kind)
    table["designer"] = pa.array(
        ["" if out["primary"][i] or d is None else d.sentence for i, d in enumerate(designed)],
        pa.string())
    # The product a row's sums are kept under (see :mod:`.features`): its substance, or
    # its HS heading where none is recognised; numbered for the engine.
    table["product_no"] = numbered(pa.array(
        [str(p) if p else "hs:" + (h or "")[:6] for p, h in
         zip(out["primary"], columns["hs_code"], strict=True)], pa.string()))
    return pa.table(table)
