"""`certeval users`: the workbench's users (SPEC §10) and their API tokens."""

from __future__ import annotations

from pathlib import Path

import click

from .common import db_option, emit, guarded, warn

ROLE_CHOICE = click.Choice(["evaluator", "decision_maker", "admin"])


@click.group()
def users() -> None:
    """Users of the workbench (certeval serve): once one exists, every page needs a login."""


def _read_password(password_file: Path | None) -> str:
    from evaluator.base.errors import UsageError

    if password_file is None:
        try:
            value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        except click.Abort:  # end of input before two matching entries
            raise UsageError("no password entered (or the two entries differ)") from None
        return value
    try:
        lines = password_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{password_file}: cannot read the password: {type(error).__name__}") from None
    if not lines:
        raise UsageError(f"{password_file}: the file is empty (the password is its first line)")
    return lines[0]


@users.command("add")
@click.argument("name")
@click.option("--role", type=ROLE_CHOICE, required=True, help="What the user may do.")
@click.option(
    "--full-name", required=True, help="The person's name as evaluation.team and decision.by hold it."
)
@click.option(
    "--password-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Read the password from the first line of this file instead of prompting.",
)
@db_option
@guarded
def users_add(name: str, role: str, full_name: str, password_file: Path | None, db: Path) -> None:
    """Add the user NAME (the register is created if needed)."""
    from typing import cast

    from evaluator.register.users import Role, User
    from evaluator.web.accounts import add_user

    password = _read_password(password_file)
    add_user(db, User(name=name, full_name=full_name, role=cast(Role, role)), password)
    emit(f"added user {name} ({role}, {full_name.strip()}) to {db}\n")


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@guarded
def users_list(fmt: str, db: Path) -> None:
    """Every user: name, full name, role, when added, live tokens (never a hash)."""
    from evaluator.outputs.tables import render_rows
    from evaluator.web.accounts import list_users

    emit(render_rows(list_users(db), ("name", "full_name", "role", "created_at", "tokens"), fmt))


@users.command("remove")
@click.argument("name")
@db_option
@guarded
def users_remove(name: str, db: Path) -> None:
    """Remove the user NAME and its tokens; versions it recorded keep its name."""
    from evaluator.web.accounts import remove_user

    remove_user(db, name)
    emit(f"removed user {name}\n")


@users.command("token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke every token of NAME instead of issuing one.")
@db_option
@guarded
def users_token(name: str, revoke: bool, db: Path) -> None:
    """Issue an API token for NAME (shown once: `Authorization: Bearer TOKEN`), or --revoke."""
    from evaluator.web.accounts import issue_token, revoke_tokens

    if revoke:
        emit(f"revoked {revoke_tokens(db, name)} token(s) of {name}\n")
        return
    token = issue_token(db, name)
    warn("the token is shown once and cannot be recovered: store it now")
    emit(token + "\n")
