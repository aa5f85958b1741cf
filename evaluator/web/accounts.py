"""What `certeval users` does to the register: add and remove users, issue and revoke tokens."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from ..base.errors import UsageError
from ..register import users
from .credentials import check_password_strength, hash_password, new_token, token_digest
from .identity import LOCAL_NAME


def add_user(db_path: Path, user: users.User, password: str) -> None:
    """A new user; the register is created if it is not there yet."""
    users.check_name(user.name)
    if user.name == LOCAL_NAME or ":" in user.name:
        # `local` and `cli:<OS user>` are what versions record without a logged-in user
        raise UsageError(f"{user.name!r} is reserved: choose another user name (no ':')")
    try:
        check_password_strength(password)
    except ValueError as error:
        raise UsageError(str(error)) from None
    with closing(users.open_users(db_path, create=True)) as conn:
        users.add_user(conn, user, hash_password(password))


def remove_user(db_path: Path, name: str) -> None:
    with closing(users.open_users(db_path)) as conn:
        if not users.remove_user(conn, name):
            raise UsageError(f"no user {name} (see: certeval users list)")


def list_users(db_path: Path) -> list[dict[str, object]]:
    with closing(users.open_users(db_path)) as conn:
        return users.list_users(conn)


def issue_token(db_path: Path, name: str) -> str:
    """A new API token for the user, returned once: the register keeps only its sha256."""
    token = new_token()
    with closing(users.open_users(db_path)) as conn:
        users.add_token(conn, name, token_digest(token))
    return token


def revoke_tokens(db_path: Path, name: str) -> int:
    with closing(users.open_users(db_path)) as conn:
        return users.revoke_tokens(conn, name)
