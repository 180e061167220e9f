"""``precursorwatch audit``: verify the audit trail, and sign checkpoints of its head."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from precursorwatch.commands._console import EXIT_CHECK, EXIT_CODES_HELP, err, out
from precursorwatch.commands._db import DbOption
from precursorwatch.exceptions import AuditError, UsageError
from precursorwatch.exchange.audit import (
    Checkpoint,
    new_signing_key,
    public_key_of,
    sign_checkpoint,
    verify_chain,
    verify_checkpoint,
)
from precursorwatch.settings import DEFAULT_DB
from precursorwatch.store import audit as stored
from precursorwatch.store.session import Store

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, rich_markup_mode="markdown",
                  help="Check that the audit trail is whole, and publish signed checkpoints "
                  "of it.\n\n" + EXIT_CODES_HELP)


def _read_key(path: Path, what: str) -> bytes:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError) as error:
        raise UsageError(f"{path}: not a {what} key file: {error}") from error
    if len(key) != 32:
        raise UsageError(f"{path}: not a {what} key file: expected 32 bytes")
    return key


@app.command("keygen")
def keygen(
    key: Annotated[Path, typer.Option(help="Where to write the private signing key (hex); "
                                      "keep it away from the database server.")],
    public_key: Annotated[Path, typer.Option(help="Where to write the public key (hex) "
                                             "that verifiers use.")],
) -> None:
    """Make an ed25519 key pair for signing checkpoints.

    Example: `precursorwatch audit keygen --key audit.key --public-key audit.pub`
    """
    if key.exists():
        raise UsageError(f"{key} exists; refusing to overwrite a signing key")
    private = new_signing_key()
    key.touch(mode=0o600)
    key.write_text(private.hex() + "\n", encoding="ascii")
    public_key.write_text(public_key_of(private).hex() + "\n", encoding="ascii")
    err.print(f"Wrote {key} (private) and {public_key} (public)")


@app.command("checkpoint")
def checkpoint(
    key: Annotated[Path, typer.Option(help="The private key from `audit keygen`.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the signed "
                                           "checkpoint (JSON); publish it off the server.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Sign the chain's head (after checking the chain) and write it as a checkpoint.

    Publish checkpoints where the database's administrators cannot change them; `audit
    verify --checkpoint` then catches a chain cut short or rewritten since.

    Example: `precursorwatch audit checkpoint --key audit.key --out checkpoint.json`
    """
    private = _read_key(key, "private")
    store = Store(db, pool_size=1)
    try:
        with store.read() as session:
            seq, head = verify_chain(stored.entries(session))
    finally:
        store.dispose()
    signed = sign_checkpoint(private, seq, head, datetime.now(UTC))
    out_file.write_text(signed.to_json(), encoding="utf-8")
    err.print(f"Checkpoint of entry {seq} written to {out_file}")


@app.command("verify")
def verify(
    db: DbOption = DEFAULT_DB,
    checkpoint_file: Annotated[Path | None, typer.Option(
        "--checkpoint", help="A checkpoint from `audit checkpoint` (repeat the command per "
        "checkpoint). Default: the chain alone.")] = None,
    public_key: Annotated[Path | None, typer.Option(
        help="The public key that verifies the checkpoint; needed with --checkpoint.")] = None,
) -> None:
    """Check that no audit entry was altered, removed or reordered; with a checkpoint, also
    that none was cut off and the chain was not rebuilt. Exit code 4 when a check fails.

    Example: `precursorwatch audit verify --checkpoint checkpoint.json --public-key audit.pub`
    """
    if checkpoint_file is not None and public_key is None:
        raise UsageError("--checkpoint needs --public-key")
    store = Store(db, pool_size=1)
    try:
        with store.read() as session:
            entries = list(stored.entries(session))
    finally:
        store.dispose()
    try:
        seq, head = verify_chain(entries)
        if checkpoint_file is not None and public_key is not None:
            signed = Checkpoint.from_json(checkpoint_file.read_text(encoding="utf-8"))
            verify_checkpoint(_read_key(public_key, "public"), signed, entries)
    except AuditError as error:
        err.print(f"[red]Audit trail does not verify:[/red] {error}")
        raise typer.Exit(EXIT_CHECK) from error
    note = f", including checkpoint entry {signed.seq}" if checkpoint_file else ""
    out.print(f"Audit trail verified: {seq} entries{note}; head {head}")
