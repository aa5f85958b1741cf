"""The login page (GET/POST /login) and POST /logout.

A failed login says the same for an unknown name and a wrong password, and costs the same
scrypt work either way; past the limit of failures for one name it answers 429."""

from __future__ import annotations

import logging
import urllib.parse
from pathlib import Path

import jinja2
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..base.i18n import Text
from .credentials import burn_password_check, verify_password
from .identity import AuthState, add_template_helpers, context_of

log = logging.getLogger("certeval.web.auth")

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEXTS = {
    "title": Text("登录", "Log in"),
    "name": Text("用户名", "User name"),
    "password": Text("密码", "Password"),
    "submit": Text("登录", "Log in"),
    "failed": Text("用户名或密码错误。", "Wrong user name or password."),
    "throttled": Text(
        "该用户名登录失败次数过多，请稍后再试。", "Too many failed logins for this name: try again later."
    ),
    "no_users": Text(
        "尚未设置用户：本机工作台以本地评价人员身份使用，无需登录。",
        "No users are defined: on this computer the workbench needs no login.",
    ),
    "logged_in_as": Text("已登录：", "Logged in as "),
    "logout": Text("退出登录", "Log out"),
    "switch": Text("English", "中文"),
}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
)
add_template_helpers(_environment)


def page_lang(value: object) -> str:
    return "en" if value == "en" else "zh"


def safe_next(value: object) -> str:
    """Where to go after login: a path on this site only, never another host."""
    target = value if isinstance(value, str) else ""
    parts = urllib.parse.urlsplit(target)
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or parts.scheme
        or parts.netloc
        or any(ord(ch) < 32 for ch in target)
    ):
        return "/"
    return target


def _text(form_value: object) -> str:
    return form_value if isinstance(form_value, str) else ""


def add_login_routes(app: FastAPI, state: AuthState) -> None:
    def render(
        request: Request, lang: str, next_path: str, *, name: str = "", error: str = "", status: int = 200
    ) -> HTMLResponse:
        context = context_of(request.scope)
        other = "zh" if lang == "en" else "en"
        html = _environment.get_template("login.html.j2").render(
            request=request,
            lang=lang,
            t={key: text.get(lang) for key, text in TEXTS.items()},
            switch_href="/login?" + urllib.parse.urlencode({"lang": other, "next": next_path}),
            user=None if context is None or context.via != "session" else context.user,
            users_exist=state.users_exist(),
            name=name,
            next=next_path,
            error=error,
        )
        headers = {"Cache-Control": "no-store"}
        if status == 429:
            headers["Retry-After"] = str(int(state.throttle.window_s))
        return HTMLResponse(html, status_code=status, headers=headers)

    async def login_page(request: Request) -> Response:
        params = request.query_params
        return render(request, page_lang(params.get("lang")), safe_next(params.get("next")))

    async def login_submit(request: Request) -> Response:
        form = await request.form()
        name, password = _text(form.get("name")), _text(form.get("password"))
        lang, next_path = page_lang(form.get("lang")), safe_next(form.get("next"))
        if state.throttle.blocked(name):
            return render(request, lang, next_path, name=name, error=TEXTS["throttled"].get(lang), status=429)
        stored = state.password_hash(name)
        if stored is None:
            await run_in_threadpool(burn_password_check, password)
            accepted = False
        else:
            accepted = await run_in_threadpool(verify_password, password, stored)
        if not accepted:
            state.throttle.failed(name)
            log.warning("failed login for the name %r from %s", name, _client(request))
            return render(request, lang, next_path, name=name, error=TEXTS["failed"].get(lang), status=401)
        state.throttle.succeeded(name)
        context = context_of(request.scope)
        if context is None:
            raise RuntimeError("the login route runs only behind the authentication middleware")
        context.start_session(name)
        log.info("login: %s from %s", name, _client(request))
        return RedirectResponse(next_path, status_code=303)

    async def logout(request: Request) -> Response:
        context = context_of(request.scope)
        if context is not None:
            context.end_session()
        return RedirectResponse("/login", status_code=303)

    app.add_api_route("/login", login_page, methods=["GET"], include_in_schema=False)
    app.add_api_route("/login", login_submit, methods=["POST"], include_in_schema=False)
    app.add_api_route("/logout", logout, methods=["POST"], include_in_schema=False)


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"
