"""Authentication for the workbench: `install_auth(app, db_path)` adds the login page, the
session cookie, the CSRF check on every state-changing request, and the gate that sends an
anonymous visitor to /login (pages) or answers 401 (the API) once users exist.

Routes then ask `current_user(request)` who acts, and guard writes with
`Depends(require_role("evaluator"))`; templates put `{{ csrf_field() }}` in every form."""

from __future__ import annotations

import secrets
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..register.users import open_users
from .credentials import burn_password_check
from .csrf import SIMPLE_TYPES, BodyTooLarge, media_type, state_changing, supplied_token, tokens_match
from .identity import (
    COOKIE,
    LOCAL_USER,
    STATE_KEY,
    AuthContext,
    AuthState,
    add_template_helpers,
    check_bind_host,
    csrf_field,
    csrf_token,
    current_user,
    has_role,
    remote_client,
    require_role,
    users_exist,
)
from .login import add_login_routes
from .sessions import CookieSigner, SessionStore
from .throttle import LoginThrottle

__all__ = [
    "LOCAL_USER",
    "add_template_helpers",
    "check_bind_host",
    "csrf_field",
    "csrf_token",
    "current_user",
    "has_role",
    "install_auth",
    "require_role",
    "users_exist",
]

IDLE_TIMEOUT_S = 30 * 60
LOGIN_FAILURES_LIMIT = 10
LOGIN_FAILURES_WINDOW_S = 10 * 60
MAX_BODY = 100 * 1024 * 1024  # a form with several 20 MB evidence files still fits
PUBLIC_PATHS = frozenset({"/login", "/logout"})
PUBLIC_PREFIXES = ("/static/",)


def install_auth(
    app: FastAPI,
    db_path: Path,
    *,
    secret: bytes | None = None,
    idle_timeout_s: float = IDLE_TIMEOUT_S,
    login_failures_limit: int = LOGIN_FAILURES_LIMIT,
    login_failures_window_s: float = LOGIN_FAILURES_WINDOW_S,
    max_body: int = MAX_BODY,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Call once, before the application serves.  Without `secret` a random one is drawn:
    sessions then end when the server stops."""
    if db_path.is_file():
        open_users(db_path).close()  # the users tables exist before the first request
    burn_password_check("")  # the dummy hash is made now, not during the first failed login
    state = AuthState(
        db_path=db_path,
        signer=CookieSigner(secret or secrets.token_bytes(32)),
        sessions=SessionStore(idle_timeout_s, clock),
        throttle=LoginThrottle(login_failures_limit, login_failures_window_s, clock),
        max_body=max_body,
    )
    add_login_routes(app, state)
    app.add_middleware(AuthMiddleware, state=state)


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _refuse(path: str, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _is_api(path):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return PlainTextResponse(message, status_code=status, headers=headers)


def bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


class AuthMiddleware:
    """Identify the request, refuse what it may not do, then pass it on (setting the session
    cookie when the session changed)."""

    def __init__(self, app: ASGIApp, state: AuthState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        identified = self._identify(scope)
        if isinstance(identified, Response):
            await identified(scope, receive, send)
            return
        context = identified
        scope.setdefault("state", {})[STATE_KEY] = context
        refusal = self._anonymous_refusal(scope, context)
        if refusal is None and state_changing(scope["method"]) and context.via != "token":
            refusal, receive = await self._csrf_refusal(scope, receive, context)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, self._setting_cookie(scope, context, send))

    def _identify(self, scope: Scope) -> AuthContext | Response:
        state = self.state
        request = Request(scope)
        token = bearer_token(request.headers)
        if token is not None:  # a token is never second-guessed by a cookie
            user = state.user_for_token(token)
            if user is None:
                return _refuse(
                    scope["path"],
                    401,
                    "invalid or revoked token",
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            return AuthContext(state, user, "token", None)
        session = state.sessions.get(state.signer.unsign(request.cookies.get(COOKIE)))
        session_id = None if session is None else session.id
        if not state.users_exist():
            if remote_client(scope):  # the server was bound wide, then the last user removed
                return _refuse(
                    scope["path"],
                    403,
                    "no users are defined: this workbench serves this computer only (certeval users add)",
                )
            return AuthContext(state, LOCAL_USER, "local", session_id, session)
        user = state.user(session.user_name) if session is not None and session.user_name else None
        return AuthContext(state, user, None if user is None else "session", session_id, session)

    def _anonymous_refusal(self, scope: Scope, context: AuthContext) -> Response | None:
        path: str = scope["path"]
        if context.user is not None or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if _is_api(path):
            return _refuse(path, 401, "login required", {"WWW-Authenticate": "Bearer"})
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + ("?" + query if query else "")
        return RedirectResponse("/login?" + urllib.parse.urlencode({"next": target}), status_code=303)

    async def _csrf_refusal(
        self, scope: Scope, receive: Receive, context: AuthContext
    ) -> tuple[Response | None, Receive]:
        headers = Headers(scope=scope)
        if context.via == "local" and _is_api(scope["path"]) and media_type(headers) not in SIMPLE_TYPES:
            # a script on this computer; a browser cannot send such a body to another site
            # without a CORS preflight, which this server never grants
            return None, receive
        try:
            supplied, receive = await supplied_token(scope, receive, self.state.max_body)
        except BodyTooLarge as error:
            return _refuse(scope["path"], 413, str(error)), receive
        expected = None if context.session is None else context.session.csrf
        if tokens_match(supplied, expected):
            return None, receive
        return _refuse(
            scope["path"], 403, "CSRF token missing or wrong: reload the page and try again"
        ), receive

    def _setting_cookie(self, scope: Scope, context: AuthContext, send: Send) -> Send:
        secure = "; Secure" if scope.get("scheme") in ("https", "wss") else ""

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = context.session
                cookie = None
                if session is not None and session.id != context.cookie_session_id:
                    cookie = f"{COOKIE}={self.state.signer.sign(session.id)}"
                elif context.clear_cookie:
                    cookie = f"{COOKIE}=; Max-Age=0"
                if cookie is not None:
                    MutableHeaders(scope=message).append(
                        "set-cookie", f"{cookie}; Path=/; HttpOnly; SameSite=Lax{secure}"
                    )
            await send(message)

        return sending
