"""The registry as one flat table, for files, spreadsheets and other tools."""

from __future__ import annotations

import pyarrow as pa

from precursorwatch.registry.substances import Registry, Substance

__all__ = ["REGISTRY_COLUMNS", "registry_table"]

REGISTRY_COLUMNS: tuple[str, ...] = (
    "name", "cas", "hs_code", "kind", "un_table", "un_drug_schedule", "us_list", "us_schedule",
    "us_threshold", "us_export_threshold", "us_mixture_exempt_pct", "in_control", "covers",
    "synonyms", "other_cas", "verified", "notes", "sources",
)


def _row(substance: Substance) -> dict[str, object]:
    covers = sorted({c for listing in substance.listings for c in listing.covers})
    notes = [f"{x.jurisdiction} {x.category}: {x.note}" for x in substance.listings if x.note]
    return {
        "name": substance.name,
        "cas": substance.cas,
        "hs_code": substance.hs_code,
        "kind": substance.kind,
        "un_table": substance.un_table,
        "un_drug_schedule": substance.un_drug_schedule,
        "us_list": substance.us_list,
        "us_schedule": substance.us_schedule,
        "us_threshold": substance.us_threshold.describe() if substance.us_threshold else None,
        "us_export_threshold": "; ".join(t.describe() for t in substance.us_export_thresholds)
        or None,
        "us_mixture_exempt_pct": substance.us_mixture_exempt_pct,
        "in_control": substance.in_control,
        "covers": ";".join(covers),
        "synonyms": ";".join(substance.synonyms),
        "other_cas": ";".join(f"{number} {form}" for number, form in substance.other_cas),
        "verified": substance.verified,
        "notes": " | ".join(notes),
        "sources": ";".join(c.text for c in substance.citations),
    }


def registry_table(registry: Registry) -> pa.Table:
    """One row per substance, columns as :data:`REGISTRY_COLUMNS`."""
    rows = [_row(s) for s in registry.substances]
    return pa.Table.from_pylist(rows, schema=pa.schema([
        (name, pa.bool_() if name == "verified" else
         pa.float64() if name == "us_mixture_exempt_pct" else pa.string())
        for name in REGISTRY_COLUMNS
    ]))
