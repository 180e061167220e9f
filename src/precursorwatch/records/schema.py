"""The shipment contract (shared/contracts/shipments.md) as types the code can check against.

One place says which fields exist, which are required, which values a closed field accepts
and what Arrow type a validated value has, so that readers, validation, the store and the
simulator cannot disagree about the format that outside evaluators feed us.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa
from rigour.territories import get_territories

__all__ = [
    "CONTRACT_FIELDS",
    "OUTCOMES",
    "PAYMENT_METHODS",
    "REQUIRED_FIELDS",
    "TRANSPORT_MODES",
    "UNITS",
    "VALIDATED_SCHEMA",
    "country_codes",
]

#: Every field of the contract, in the contract's order.
CONTRACT_FIELDS: tuple[str, ...] = (
    "shipment_id", "source", "declared_at", "export_country", "import_country",
    "transit_countries", "exporter_name", "exporter_address", "exporter_id", "importer_name",
    "importer_address", "importer_id", "consignee_name", "hs_code", "product_description",
    "cas_number", "quantity", "unit", "concentration_pct", "declared_value", "currency",
    "transport_mode", "payment_method", "end_use", "pen_reference", "outcome",
)
REQUIRED_FIELDS: frozenset[str] = frozenset({
    "shipment_id", "source", "declared_at", "export_country", "import_country",
    "exporter_name", "importer_name", "hs_code", "product_description", "quantity", "unit",
})
UNITS: frozenset[str] = frozenset({"kg", "g", "t", "L", "mL", "units"})
TRANSPORT_MODES: frozenset[str] = frozenset({"sea", "air", "road", "rail", "post", "courier"})
PAYMENT_METHODS: frozenset[str] = frozenset({
    "wire", "letter_of_credit", "cash", "third_party", "crypto", "other",
})
OUTCOMES: frozenset[str] = frozenset({"diverted", "legitimate"})

_DECIMALS = {"quantity", "concentration_pct", "declared_value"}

#: Arrow types of validated contract rows. Text stays text (normalised: HS digits only, CAS
#: in N-NN-N form, countries upper case); decimals are float64; the date is a timestamp.
VALIDATED_SCHEMA: pa.Schema = pa.schema([
    pa.field(name, pa.float64() if name in _DECIMALS
             else pa.timestamp("us") if name == "declared_at" else pa.string(),
             nullable=name not in REQUIRED_FIELDS)
    for name in CONTRACT_FIELDS
])


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes in force (and XK), upper case, from rigour's territory data."""
    return frozenset(
        t.code.upper() for t in get_territories()
        if len(t.code) == 2 and t.alpha3 and not t.is_historical
    )
