"""Who is asking: the user of a request, the roles it may act in, and whether users exist at all.

With no user in the register the workbench is one local officer (`local`, every role) on
127.0.0.1; once a user exists, every page and the API need a login."""

from __future__ import annotations

import ipaddress
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
from fastapi import HTTPException, Request
from starlette.types import Scope

from ..base.errors import UsageError
from ..register.users import Role, User, any_user, get_user, password_hash_of, user_for_token
from .credentials import token_digest
from .sessions import CookieSigner, Session, SessionStore
from .throttle import LoginThrottle

STATE_KEY = "certeval_auth"
LOCAL_NAME = "local"
LOCAL_USER = User(name=LOCAL_NAME, full_name=LOCAL_NAME, role="admin")
COOKIE = "certeval_session"


@dataclass
class AuthState:
    """What one application's authentication keeps: the register, sessions, failed logins."""

    db_path: Path
    signer: CookieSigner
    sessions: SessionStore
    throttle: LoginThrottle
    max_body: int

    def users_exist(self) -> bool:
        return users_exist(self.db_path)

    def user(self, name: str) -> User | None:
        found: User | None = read_register(self.db_path, lambda conn: get_user(conn, name), None)
        return found

    def user_for_token(self, token: str) -> User | None:
        digest = token_digest(token)
        found: User | None = read_register(self.db_path, lambda conn: user_for_token(conn, digest), None)
        return found

    def password_hash(self, name: str) -> str | None:
        found: str | None = read_register(self.db_path, lambda conn: password_hash_of(conn, name), None)
        return found


@dataclass
class AuthContext:
    """One request's identity, kept in the ASGI scope's state."""

    state: AuthState
    user: User | None
    via: str | None  # "session", "token", "local" or None (anonymous)
    cookie_session_id: str | None  # the session id the request's cookie named, if live
    session: Session | None = None
    clear_cookie: bool = field(default=False)

    def ensure_session(self) -> Session:
        """The request's session, made now if it has none (a form needs its CSRF token)."""
        if self.session is None:
            self.session = self.state.sessions.new()
        return self.session

    def start_session(self, user_name: str | None) -> Session:
        """A new session id (at login, at logout): an id known before never carries a login."""
        if self.session is not None:
            self.state.sessions.drop(self.session.id)
        self.session = self.state.sessions.new(user_name)
        return self.session

    def end_session(self) -> None:
        if self.session is not None:
            self.state.sessions.drop(self.session.id)
        self.session = None
        self.clear_cookie = True


def context_of(scope: Scope) -> AuthContext | None:
    found = scope.get("state", {}).get(STATE_KEY)
    return found if isinstance(found, AuthContext) else None


def current_user(request: Request) -> User | None:
    """The logged-in user, LOCAL_USER without users, None for an anonymous request."""
    context = context_of(request.scope)
    return None if context is None else context.user


def has_role(user: User, roles: tuple[Role, ...]) -> bool:
    """The local officer (no users defined) acts in every role."""
    return user == LOCAL_USER or user.role in roles


def require_role(*roles: Role) -> Callable[[Request], User]:
    """A FastAPI dependency: the user, if it has one of `roles`; 401 anonymous, 403 otherwise."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            raise HTTPException(status_code=401, detail="login required")
        if not has_role(user, roles):
            raise HTTPException(status_code=403, detail=f"this needs the role {' or '.join(roles)}")
        return user

    return dependency


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for a form or a script's X-CSRF-Token header."""
    context = context_of(request.scope)
    if context is None:
        raise RuntimeError("install_auth() was not called on this application")
    return context.ensure_session().csrf


@jinja2.pass_context
def csrf_field(context: jinja2.runtime.Context) -> markupsafe.Markup:
    """`{{ csrf_field() }}` in a form: the hidden input carrying the token."""
    token = csrf_token(context["request"])
    return markupsafe.Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def add_template_helpers(env: jinja2.Environment) -> None:
    """Give an application's templates `csrf_field()` (and `csrf_token` for scripts)."""
    env.globals["csrf_field"] = csrf_field
    env.globals["csrf_token"] = jinja2.pass_context(lambda context: csrf_token(context["request"]))


def read_register(db_path: Path, query: Callable[[sqlite3.Connection], Any], default: Any) -> Any:
    """A short read of the register; a register not there yet, or without the users table,
    has no users.  Any other failure raises: access is never opened by an error."""
    if not db_path.is_file():
        return default
    conn = sqlite3.connect(db_path, timeout=60)
    conn.row_factory = sqlite3.Row
    try:
        return query(conn)
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return default
        raise
    finally:
        conn.close()


def users_exist(db_path: Path) -> bool:
    """Whether the register at db_path has any user (a missing register has none)."""
    return bool(read_register(db_path, any_user, False))


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind_host(host: str, db_path: Path) -> None:
    """Without users the workbench is one unauthenticated officer: it may listen on this
    computer only."""
    if not is_loopback(host) and not users_exist(db_path):
        raise UsageError(
            f"cannot serve on {host}: the register {db_path} has no users, and without users the"
            " workbench lets anyone in as the local officer; add one first with"
            " `certeval users add NAME --role admin --full-name …`, or serve on 127.0.0.1"
        )


def remote_client(scope: Scope) -> bool:
    """A request from another machine (a client address that is an IP and not loopback)."""
    client = scope.get("client")
    if not client:
        return False
    try:
        return not ipaddress.ip_address(client[0]).is_loopback
    except ValueError:  # a unix socket peer or a test client's name
        return False
