"""``precursorwatch admin``: nations, agencies, users and API tokens of the exchange server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from precursorwatch.commands._console import EXIT_CODES_HELP, err
from precursorwatch.commands._db import DbOption
from precursorwatch.exceptions import UsageError
from precursorwatch.exchange.notifications import NationRules, default_nation_rules
from precursorwatch.exchange.policy import Marking, Role
from precursorwatch.settings import DEFAULT_DB
from precursorwatch.store import audit, identity
from precursorwatch.store.session import Store, migrate

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, rich_markup_mode="markdown",
                  help="Create nations, agencies, users and API tokens of the exchange "
                  "server.\n\nEach change is written to the audit trail. The store is "
                  "migrated first, so these work on a new database.\n\n" + EXIT_CODES_HELP)
nation_app = typer.Typer(no_args_is_help=True, help="Nations and their response windows.")
agency_app = typer.Typer(no_args_is_help=True, help="Agencies of a nation.")
user_app = typer.Typer(no_args_is_help=True, help="Users of an agency, with roles.")
token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens (stored hashed).")
app.add_typer(nation_app, name="nation")
app.add_typer(agency_app, name="agency")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


@contextmanager
def _session(db: str, action: str, detail: str) -> Iterator[Session]:
    store = Store(db, pool_size=1)
    try:
        migrate(store.engine)
        with store.write() as session:
            yield session
            audit.append(session, caller=None, action=f"admin {action}", outcome="ok",
                         detail=detail)
    finally:
        store.dispose()


@nation_app.command("add")
def nation_add(
    code: Annotated[str, typer.Argument(help="Two-letter ISO 3166 code, such as US or IN.")],
    db: DbOption = DEFAULT_DB,
    name: Annotated[str | None, typer.Option(help="Name. Default: the shipped one for US "
                                             "and IN.")] = None,
    response_days: Annotated[int | None, typer.Option(
        min=1, help="Days the importing nation has to answer this nation's notifications. "
        "Default: the shipped rule (US 15 calendar days, IN 21 working days).")] = None,
    working_days: Annotated[bool | None, typer.Option(
        "--working-days/--calendar-days", help="Count the window in working days "
        "(Monday to Friday) or calendar days. Default: the shipped rule.")] = None,
    silence_is_no_objection: Annotated[bool, typer.Option(
        "--silence-is-no-objection/--silence-expires",
        help="Whether an unanswered notification counts as no objection when its window "
        "closes. Default: it expires (silence is never consent).")] = False,
) -> None:
    """Add a nation (or change its response window).

    Example: `precursorwatch admin nation add IN`
    """
    defaults = default_nation_rules().get(code)
    if defaults is None and (name is None or response_days is None or working_days is None):
        raise UsageError(f"no shipped rules for {code}: give --name, --response-days and "
                         "--working-days or --calendar-days")
    source = defaults.source if defaults else "set by an administrator"
    if defaults and (response_days is not None or working_days is not None
                     or silence_is_no_objection):
        source = "set by an administrator; shipped default: " + defaults.source
    rules = NationRules(
        code=code, name=name or (defaults.name if defaults else code),
        response_days=response_days or (defaults.response_days if defaults else 1),
        day_kind=("working" if working_days else "calendar") if working_days is not None
        else (defaults.day_kind if defaults else "calendar"),
        silence_is_no_objection=silence_is_no_objection, source=source)
    with _session(db, "nation add", f"{code} {rules.response_days} {rules.day_kind} days") as s:
        identity.add_nation(s, rules)
    err.print(f"Nation {code}: {rules.response_days} {rules.day_kind} days to answer")


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="Short code, such as DEA or NCB.")],
    nation: Annotated[str, typer.Option(help="The agency's nation (added first).")],
    db: DbOption = DEFAULT_DB,
    name: Annotated[str | None, typer.Option(help="Full name. Default: the code.")] = None,
    default_marking: Annotated[str, typer.Option(
        help="TLP marking its records get when created without one: TLP:RED, "
        "TLP:AMBER+STRICT, TLP:AMBER or TLP:GREEN (never TLP:CLEAR). Default: TLP:AMBER.")
    ] = Marking.AMBER.value,
) -> None:
    """Add an agency of a nation.

    Example: `precursorwatch admin agency add NCB --nation IN --name "Narcotics Control Bureau"`
    """
    try:
        marking = Marking(default_marking)
    except ValueError as error:
        raise UsageError(f"unknown marking {default_marking!r}") from error
    with _session(db, "agency add", f"{code} of {nation}") as s:
        identity.add_agency(s, code, name or code, nation, marking)
    err.print(f"Agency {code} of {nation}, default marking {marking.value}")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    agency: Annotated[str, typer.Option(help="The user's agency code.")],
    role: Annotated[list[Role], typer.Option(
        help="A role: viewer, analyst, supervisor or admin (repeatable).")],
    db: DbOption = DEFAULT_DB,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read a password from standard input (stored as an "
        "argon2id hash). Default: no password; the user works with tokens.")] = False,
) -> None:
    """Add a user of an agency with one or more roles.

    Example: `precursorwatch admin user add asha --agency NCB --role analyst`
    """
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and not password:
        raise UsageError("--password-stdin given but standard input is empty")
    with _session(db, "user add", f"{username} of {agency}: "
                  + ",".join(sorted(r.value for r in role))) as s:
        identity.add_user(s, username, agency, role, password)
    err.print(f"User {username} of {agency}")


@token_app.command("issue")
def token_issue(
    username: Annotated[str, typer.Argument(help="The user the token acts for.")],
    db: DbOption = DEFAULT_DB,
    label: Annotated[str, typer.Option(help="What the token is for. Default: api.")] = "api",
) -> None:
    """Issue a bearer token and print it once on standard output (only its hash is kept).

    Example: `precursorwatch admin token issue asha > asha.token`
    """
    with _session(db, "token issue", f"{username}: {label}") as s:
        token = identity.issue_token(s, username, label)
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    username: Annotated[str, typer.Argument(help="The user whose tokens stop working.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Revoke every token of a user.

    Example: `precursorwatch admin token revoke asha`
    """
    with _session(db, "token revoke", username) as s:
        count = identity.revoke_tokens(s, username)
    err.print(f"Revoked {count} token{'s' if count != 1 else ''} of {username}")
