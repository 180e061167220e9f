"""The hash chain catches altered, removed and reordered entries; checkpoints catch a chain
cut short or rebuilt."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from precursorwatch.exceptions import AuditError
from precursorwatch.exchange.audit import (
    GENESIS,
    AuditEntry,
    entry_hash,
    new_signing_key,
    public_key_of,
    sign_checkpoint,
    verify_chain,
    verify_checkpoint,
)

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def chain(count: int, actor: str = "asha") -> list[AuditEntry]:
    entries = []
    prev = GENESIS
    for seq in range(1, count + 1):
        fields = dict(seq=seq, at=START + timedelta(seconds=seq), actor=actor, agency="NCB",
                      action="read", record_kind="notification", record_id=seq,
                      outcome="ok", detail="")
        digest = entry_hash(prev, **fields)  # type: ignore[arg-type]
        entries.append(AuditEntry(prev_hash=prev, hash=digest, **fields))  # type: ignore[arg-type]
        prev = digest
    return entries


def test_whole_chain_verifies_to_its_head() -> None:
    entries = chain(5)
    assert verify_chain(entries) == (5, entries[-1].hash)
    assert verify_chain([]) == (0, GENESIS)


def test_altered_entry_is_caught() -> None:
    entries = chain(5)
    entries[2] = dataclasses.replace(entries[2], actor="mallory")
    with pytest.raises(AuditError, match="entry 3 was altered"):
        verify_chain(entries)


def test_removed_entry_is_caught() -> None:
    entries = chain(5)
    del entries[1]
    with pytest.raises(AuditError, match="entry 2 is missing"):
        verify_chain(entries)


def test_reordered_entries_are_caught() -> None:
    entries = chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    with pytest.raises(AuditError, match="missing or out of order"):
        verify_chain(entries)


def test_renumbered_after_removal_is_caught() -> None:
    entries = chain(5)
    del entries[1]
    entries = [dataclasses.replace(e, seq=i) for i, e in enumerate(entries, start=1)]
    with pytest.raises(AuditError, match="entry 2"):
        verify_chain(entries)


def test_checkpoint_catches_truncation_that_the_chain_alone_cannot() -> None:
    key = new_signing_key()
    entries = chain(6)
    signed = sign_checkpoint(key, 6, entries[-1].hash, START)
    verify_checkpoint(public_key_of(key), signed, entries)
    cut = entries[:4]
    assert verify_chain(cut) == (4, cut[-1].hash)  # the chain alone looks fine
    with pytest.raises(AuditError, match="cut off"):
        verify_checkpoint(public_key_of(key), signed, cut)


def test_checkpoint_catches_a_rebuilt_chain() -> None:
    key = new_signing_key()
    signed = sign_checkpoint(key, 4, chain(6)[3].hash, START)
    rebuilt = chain(6, actor="someone-else")
    assert verify_chain(rebuilt)[0] == 6
    with pytest.raises(AuditError, match="rewritten"):
        verify_checkpoint(public_key_of(key), signed, rebuilt)


def test_checkpoint_with_a_forged_signature_fails() -> None:
    key, other = new_signing_key(), new_signing_key()
    entries = chain(3)
    signed = sign_checkpoint(other, 3, entries[-1].hash, START)
    with pytest.raises(AuditError, match="signature"):
        verify_checkpoint(public_key_of(key), signed, entries)
    tampered = dataclasses.replace(sign_checkpoint(key, 3, entries[-1].hash, START), seq=2)
    with pytest.raises(AuditError, match="signature"):
        verify_checkpoint(public_key_of(key), tampered, entries)
