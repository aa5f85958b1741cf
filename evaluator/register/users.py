"""The workbench's users and their API tokens, kept in the register's SQLite file.

Only hashes are stored: a password as its scrypt string, a token as its sha256.  A user's
recorded versions name the user in text, so removing a user deletes their credentials (the
user row and its tokens) and nothing else."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from ..base.errors import UsageError
from .store import connect, open_existing

Role = Literal["evaluator", "decision_maker", "admin"]
ROLES: tuple[Role, ...] = ("evaluator", "decision_maker", "admin")
NAME_MAX = 64

# CREATE … IF NOT EXISTS: ensure_users_tables may run on a register that already has them.
USERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('evaluator', 'decision_maker', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens(user_name);
"""


@dataclass(frozen=True)
class User:
    name: str  # the login name
    full_name: str  # what evaluation.team and decision.by hold
    role: Role


def ensure_users_tables(conn: sqlite3.Connection) -> None:
    for statement in USERS_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def open_users(path: Path, *, create: bool = False) -> sqlite3.Connection:
    """The register with its users tables; `create` lets `users add` start a new register."""
    conn = connect(path) if create else open_existing(path)
    ensure_users_tables(conn)
    return conn


def check_name(name: str) -> str:
    """A login name: printable, no whitespace, at most NAME_MAX characters."""
    if not name or len(name) > NAME_MAX or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise UsageError(
            f"a user name must be 1 to {NAME_MAX} printable characters without spaces, not {name!r}"
        )
    return name


@contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (the register's connections are in autocommit mode)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _user(row: sqlite3.Row | None) -> User | None:
    if row is None:
        return None
    return User(name=row["name"], full_name=row["full_name"], role=cast(Role, row["role"]))


def add_user(conn: sqlite3.Connection, user: User, password_hash: str) -> None:
    check_name(user.name)
    if not user.full_name.strip():
        raise UsageError("--full-name must not be empty: it is what evaluation.team and decision.by hold")
    if user.role not in ROLES:
        raise UsageError(f"unknown role {user.role!r} (one of {', '.join(ROLES)})")
    try:
        with _writing(conn):
            conn.execute(
                "INSERT INTO users (name, full_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                (user.name, user.full_name.strip(), user.role, password_hash, _now()),
            )
    except sqlite3.IntegrityError:
        raise UsageError(f"user {user.name} exists already (remove it first to change it)") from None


def remove_user(conn: sqlite3.Connection, name: str) -> bool:
    """Delete the user and its tokens; versions recorded by the user keep the name."""
    with _writing(conn):
        conn.execute("DELETE FROM api_tokens WHERE user_name = ?", (name,))
        return conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0


def list_users(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Every user with the number of its live tokens; never a hash."""
    rows = conn.execute(
        "SELECT u.name, u.full_name, u.role, u.created_at,"
        " (SELECT count(*) FROM api_tokens t WHERE t.user_name = u.name AND t.revoked_at IS NULL)"
        " AS tokens FROM users u ORDER BY u.name"
    ).fetchall()
    return [dict(row) for row in rows]


def get_user(conn: sqlite3.Connection, name: str) -> User | None:
    return _user(conn.execute("SELECT name, full_name, role FROM users WHERE name = ?", (name,)).fetchone())


def password_hash_of(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    return None if row is None else str(row[0])


def any_user(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None


def add_token(conn: sqlite3.Connection, name: str, token_sha256: str) -> None:
    if get_user(conn, name) is None:
        raise UsageError(f"no user {name} (see: certeval users list)")
    with _writing(conn):
        conn.execute(
            "INSERT INTO api_tokens (token_sha256, user_name, created_at) VALUES (?, ?, ?)",
            (token_sha256, name, _now()),
        )


def revoke_tokens(conn: sqlite3.Connection, name: str) -> int:
    """Revoke every live token of the user; the rows stay, marked, for the record."""
    if get_user(conn, name) is None:
        raise UsageError(f"no user {name} (see: certeval users list)")
    with _writing(conn):
        return conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL",
            (_now(), name),
        ).rowcount


def user_for_token(conn: sqlite3.Connection, token_sha256: str) -> User | None:
    """The user of a live token.  The lookup is by the digest (the primary key), so no stored
    secret is compared byte by byte: an attacker's timing learns nothing about a token."""
    return _user(
        conn.execute(
            "SELECT u.name, u.full_name, u.role FROM api_tokens t JOIN users u ON u.name = t.user_name"
            " WHERE t.token_sha256 = ? AND t.revoked_at IS NULL",
            (token_sha256,),
        ).fetchone()
    )
