"""The audit trail as a hash chain, and signed checkpoints of its head; pure functions.

Each entry's hash covers its own fields and the previous entry's hash, so altering,
removing or reordering any entry breaks every hash after it. A chain cannot show that its
newest entries were cut off, or that the whole chain was rebuilt: a *checkpoint* signs the
head (sequence number and hash) with an ed25519 key kept away from the database, and
:func:`verify_checkpoint` checks that the chain still reaches that entry with that hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from precursorwatch.exceptions import AuditError

__all__ = [
    "GENESIS",
    "AuditEntry",
    "Checkpoint",
    "entry_hash",
    "new_signing_key",
    "public_key_of",
    "sign_checkpoint",
    "verify_chain",
    "verify_checkpoint",
]

#: The "previous hash" of the first entry.
GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit trail: who did what to which record, and what came of it."""

    seq: int
    at: datetime
    actor: str | None
    agency: str | None
    action: str
    record_kind: str | None
    record_id: int | None
    outcome: str
    detail: str
    prev_hash: str
    hash: str


def entry_hash(prev_hash: str, *, seq: int, at: datetime, actor: str | None,
               agency: str | None, action: str, record_kind: str | None,
               record_id: int | None, outcome: str, detail: str) -> str:
    """The SHA-256 of an entry's fields and its predecessor's hash (hex)."""
    # Canonical JSON (sorted keys, no spaces) so the same entry always hashes the same.
    body = json.dumps({
        "prev": prev_hash, "seq": seq, "at": at.isoformat(timespec="microseconds"),
        "actor": actor, "agency": agency, "action": action, "record_kind": record_kind,
        "record_id": record_id, "outcome": outcome, "detail": detail,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _recomputed(entry: AuditEntry) -> str:
    fields = asdict(entry)
    del fields["hash"]
    prev = fields.pop("prev_hash")
    return entry_hash(prev, **fields)


def verify_chain(entries: Iterable[AuditEntry]) -> tuple[int, str]:
    """Check the whole chain in order; return the head's (seq, hash), ``(0, GENESIS)`` when
    empty. Raises :class:`AuditError` naming the first entry that is altered, missing or
    out of order."""
    expected_seq = 1
    prev = GENESIS
    for entry in entries:
        if entry.seq != expected_seq:
            raise AuditError(f"entry {expected_seq} is missing or out of order "
                             f"(found entry {entry.seq} in its place)")
        if entry.prev_hash != prev:
            raise AuditError(f"entry {entry.seq} does not follow entry {entry.seq - 1}: "
                             "an entry before it was removed, reordered or altered")
        if _recomputed(entry) != entry.hash:
            raise AuditError(f"entry {entry.seq} was altered: its hash does not match")
        prev = entry.hash
        expected_seq += 1
    return expected_seq - 1, prev


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the chain's entry ``seq`` had hash ``head``."""

    seq: int
    head: str
    at: str
    signature: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        try:
            data = json.loads(text)
            return cls(seq=int(data["seq"]), head=str(data["head"]), at=str(data["at"]),
                       signature=str(data["signature"]))
        except (ValueError, KeyError, TypeError) as error:
            raise AuditError(f"not a checkpoint file: {error}") from error


def _message(seq: int, head: str, at: str) -> bytes:
    return f"precursorwatch-audit-checkpoint\n{seq}\n{head}\n{at}".encode()


def new_signing_key() -> bytes:
    """A fresh ed25519 private key (32 raw bytes)."""
    from cryptography.hazmat.primitives import serialization

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption())


def public_key_of(private_key: bytes) -> bytes:
    """The 32 raw bytes of the public key that verifies ``private_key``'s signatures."""
    from cryptography.hazmat.primitives import serialization

    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign_checkpoint(private_key: bytes, seq: int, head: str, at: datetime) -> Checkpoint:
    """Sign the chain head ``(seq, head)`` as of ``at``."""
    stamp = at.isoformat(timespec="seconds")
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(
        _message(seq, head, stamp))
    return Checkpoint(seq=seq, head=head, at=stamp, signature=signature.hex())


def verify_checkpoint(public_key: bytes, checkpoint: Checkpoint,
                      entries: Sequence[AuditEntry]) -> None:
    """Check the checkpoint's signature and that the chain still holds its entry unchanged.

    Run after :func:`verify_chain` on the same entries: a chain that is shorter than the
    checkpoint was cut off; one whose entry ``seq`` has another hash was rewritten.
    """
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(checkpoint.signature),
            _message(checkpoint.seq, checkpoint.head, checkpoint.at))
    except (InvalidSignature, ValueError) as error:
        raise AuditError("the checkpoint's signature does not verify with this public key"
                         ) from error
    if checkpoint.seq == 0:
        return
    if len(entries) < checkpoint.seq:
        raise AuditError(f"the chain ends at entry {len(entries)} but the checkpoint of "
                         f"{checkpoint.at} saw entry {checkpoint.seq}: entries were cut off")
    entry = entries[checkpoint.seq - 1]
    if entry.seq != checkpoint.seq or entry.hash != checkpoint.head:
        raise AuditError(f"entry {checkpoint.seq} differs from the checkpoint of "
                         f"{checkpoint.at}: the chain was rewritten")
