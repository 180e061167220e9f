"""The one exception hierarchy of precursorwatch.

Core code raises these; the edges (command line, HTTP API) turn them into a message and an
exit code, or a problem response. Nothing else should escape the core as a user-facing error.

* PrecursorwatchError     -- base class: something the user can act on went wrong
  + InputError            -- one bad value in an input: file, row, field and reason
    - RowErrors           -- every bad row of one input, collected before giving up
  + RegistryError         -- the shipped registry data is inconsistent (a packaging bug)
  + ModelError            -- a screening model cannot be trained, loaded or used
  + UsageError            -- a command or function was called with arguments that cannot work
  + AuthenticationError   -- no caller could be identified (missing, unknown or revoked token)
  + AccessDenied          -- the caller is known but may not do this (HTTP 403)
  + NotFound              -- no such record, or one the caller may not know exists (HTTP 404)
  + Conflict              -- the record changed or is in a state that forbids this (HTTP 409)
  + AuditError            -- the audit trail or a checkpoint does not verify
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AccessDenied",
    "AuditError",
    "AuthenticationError",
    "Conflict",
    "InputError",
    "ModelError",
    "NotFound",
    "PrecursorwatchError",
    "RegistryError",
    "RowErrors",
    "UsageError",
]


class PrecursorwatchError(Exception):
    """Base class of every error that precursorwatch raises on purpose."""


class InputError(PrecursorwatchError):
    """A value in an input file or request is wrong.

    ``str(err)`` reads ``FILE:ROW: FIELD: REASON``, leaving out the parts that are unknown, so
    that one line per problem can be shown to a person or grepped from a log.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        place = ":".join(str(p) for p in (self.file, self.row) if p is not None)
        parts = [p for p in (place, self.field) if p]
        return ": ".join([*parts, self.reason])


class RowErrors(InputError):  # noqa: N818 - a collection of InputErrors, not one error
    """Every bad row of one input: raised once, after the whole input has been checked."""

    def __init__(self, errors: Sequence[InputError], *, file: str | None = None) -> None:
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(f"{count} bad row{'s' if count != 1 else ''}", file=file)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class RegistryError(PrecursorwatchError):
    """The registry data shipped with the package contradicts itself."""


class ModelError(PrecursorwatchError):
    """A screening model cannot be trained, loaded or used: a damaged or foreign model file,
    or a model asked to score before it was trained."""


class UsageError(PrecursorwatchError):
    """Arguments that cannot work together, such as an output file with an unknown extension."""


class AuthenticationError(PrecursorwatchError):
    """No caller could be identified: the bearer token is missing, unknown or revoked."""


class AccessDenied(PrecursorwatchError):  # noqa: N818 - the name the API and docs use
    """The caller is known but their roles, agency or nation do not allow this action."""


class NotFound(PrecursorwatchError):  # noqa: N818 - the name the API and docs use
    """No such record, or one the caller may not learn exists (answered the same way)."""


class Conflict(PrecursorwatchError):  # noqa: N818 - the name the API and docs use
    """The record is in a state that forbids the action, or someone else changed it first."""


class AuditError(PrecursorwatchError):
    """The audit trail or a checkpoint of it does not verify: entries altered, removed,
    reordered, cut off or rewritten."""
