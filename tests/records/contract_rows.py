"""Builders of contract rows for tests: a valid row, and variations of it."""

from __future__ import annotations

from typing import Any

from precursorwatch.records.schema import CONTRACT_FIELDS

GOOD: dict[str, str] = {
    "shipment_id": "S1", "source": "IN-CBIC", "declared_at": "2026-03-02",
    "export_country": "IN", "import_country": "US", "transit_countries": "AE;SG",
    "exporter_name": "Sunrise Pharmachem Pvt. Ltd.", "exporter_address": "Ankleshwar 393002",
    "exporter_id": "0306012345", "importer_name": "Lakeside Generics LLC",
    "importer_address": "Piscataway, NJ 08854", "importer_id": "", "consignee_name": "",
    "hs_code": "2939.42", "product_description": "Pseudoephedrine HCl USP",
    "cas_number": "345-78-8", "quantity": "500", "unit": "kg", "concentration_pct": "",
    "declared_value": "61000", "currency": "USD", "transport_mode": "sea",
    "payment_method": "letter_of_credit", "end_use": "cold tablets", "pen_reference": "",
    "outcome": "",
}


def row(**changes: Any) -> dict[str, str]:
    """A valid contract row with some fields changed."""
    out = dict(GOOD)
    out.update({k: str(v) for k, v in changes.items()})
    return out


def rows(count: int, **changes: Any) -> list[dict[str, str]]:
    """``count`` valid rows with distinct shipment ids."""
    return [row(shipment_id=f"S{i + 1}", **changes) for i in range(count)]


assert set(GOOD) == set(CONTRACT_FIELDS)
