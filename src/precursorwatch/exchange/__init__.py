"""The exchange between agencies: sharing policy, notification rules and the audit chain.

Pure functions and values only; the store keeps the records and the API serves them.
"""

from precursorwatch.exchange.audit import (
    AuditEntry,
    Checkpoint,
    sign_checkpoint,
    verify_chain,
    verify_checkpoint,
)
from precursorwatch.exchange.notifications import Answer, NationRules, Status
from precursorwatch.exchange.policy import Caller, Marking, RecordAccess, Role, can_read

__all__ = [
    "Answer",
    "AuditEntry",
    "Caller",
    "Checkpoint",
    "Marking",
    "NationRules",
    "RecordAccess",
    "Role",
    "Status",
    "can_read",
    "sign_checkpoint",
    "verify_chain",
    "verify_checkpoint",
]
