"""Know the law: controlled substances, their identification in trade, and the rules.

Data lives in ``data/*.yaml`` (one file per legal list, every row citing its source); this
package turns it into typed values and answers three questions: what is this substance
(:func:`load_registry`), what does this declared product contain (:func:`default_identifier`),
and is this consignment regulated (:func:`judge`).
"""

from precursorwatch.registry.batch import check_table, identify_table
from precursorwatch.registry.identify import (
    Evidence,
    Identification,
    Identifier,
    Match,
    default_identifier,
)
from precursorwatch.registry.rules import Consignment, RuleResult, Verdict, judge
from precursorwatch.registry.substances import (
    Citation,
    Listing,
    Registry,
    Substance,
    Threshold,
    build_registry,
    load_registry,
)
from precursorwatch.registry.tables import REGISTRY_COLUMNS, registry_table

__all__ = [
    "REGISTRY_COLUMNS",
    "Citation",
    "Consignment",
    "Evidence",
    "Identification",
    "Identifier",
    "Listing",
    "Match",
    "Registry",
    "RuleResult",
    "Substance",
    "Threshold",
    "Verdict",
    "build_registry",
    "check_table",
    "default_identifier",
    "identify_table",
    "judge",
    "load_registry",
    "registry_table",
]
