"""The workbench's users, login, sessions, CSRF, roles and API tokens (SPEC §10), on a tiny
application of the test's own with `install_auth` on it."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sqlite3
from pathlib import Path
from typing import Annotated, Any

import jinja2
import pytest
from fastapi import Depends, FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from helpers import csrf_of, run_cli

from evaluator.base.errors import UsageError
from evaluator.base.names import same_person
from evaluator.register.users import User
from evaluator.web import accounts, credentials, login
from evaluator.web.auth import (
    add_template_helpers,
    check_bind_host,
    current_user,
    install_auth,
    require_role,
    users_exist,
)

PASSWORDS = {"eva": "eva-secret-pw-1", "dora": "dora-secret-pw-2", "adam": "adam-secret-pw-3"}
ROLES = {"eva": "evaluator", "dora": "decision_maker", "adam": "admin"}
FULL_NAMES = {"eva": "李四", "dora": "王五", "adam": "赵六"}
IDLE = 1800.0


class Clock:
    """A clock the test moves: no test waits for real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


FORM_PAGE = jinja2.Environment(autoescape=True)
add_template_helpers(FORM_PAGE)
FORM = FORM_PAGE.from_string(
    '<form method="post" action="/cases">{{ csrf_field() }}<input name="title"></form>'
)


AsEvaluator = Annotated[User, Depends(require_role("evaluator"))]
AsDecisionMaker = Annotated[User, Depends(require_role("decision_maker"))]
AsAdmin = Annotated[User, Depends(require_role("admin"))]


def make_app(db: Path, clock: Clock, written: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.get("/")
    def home(request: Request) -> dict[str, Any]:
        user = current_user(request)
        return {"user": None if user is None else user.name}

    @app.get("/form", response_class=HTMLResponse)
    def form(request: Request) -> str:
        return FORM.render(request=request)

    @app.post("/cases")
    def create_case(user: AsEvaluator, title: Annotated[str, Form()]) -> dict[str, str]:
        written.append({"what": "case", "title": title, "by": user.name})
        return {"by": user.name}

    @app.post("/evidence")
    async def upload(user: AsEvaluator, file: UploadFile) -> dict[str, Any]:
        content = await file.read()
        written.append({"what": "evidence", "size": len(content), "by": user.name})
        return {"size": len(content)}

    @app.post("/decisions")
    def decide(user: AsDecisionMaker) -> dict[str, str]:
        written.append({"what": "decision", "by": user.full_name})
        return {"by": user.full_name}

    @app.post("/admin/users")
    def administer(user: AsAdmin) -> dict[str, str]:
        written.append({"what": "admin", "by": user.name})
        return {"by": user.name}

    @app.get("/api/v1/ping")
    def ping(request: Request) -> dict[str, Any]:
        user = current_user(request)
        return {"user": None if user is None else user.name}

    @app.post("/api/v1/evaluate")
    async def evaluate(request: Request) -> dict[str, Any]:
        user = current_user(request)
        return {"user": None if user is None else user.name, "body": (await request.body()).decode()}

    install_auth(app, db, clock=clock, idle_timeout_s=IDLE)
    return app


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "register.db"
    for name, password in PASSWORDS.items():
        accounts.add_user(path, User(name, FULL_NAMES[name], ROLES[name]), password)  # type: ignore[arg-type]
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def written() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def app(db: Path, clock: Clock, written: list[dict[str, Any]]) -> FastAPI:
    return make_app(db, clock, written)


def client_of(app: FastAPI, **kwargs: Any) -> TestClient:
    return TestClient(app, follow_redirects=False, **kwargs)


def log_in(client: TestClient, name: str, password: str | None = None, **extra: str) -> Any:
    token = csrf_of(client.get("/login").text)
    data = {"name": name, "password": PASSWORDS.get(name, "x") if password is None else password}
    return client.post("/login", data={**data, "csrf_token": token, **extra})


def logged_in(app: FastAPI, name: str) -> TestClient:
    client = client_of(app)
    assert log_in(client, name).status_code == 303
    return client


def form_token(client: TestClient) -> str:
    return csrf_of(client.get("/form").text)


def error_text(html: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', html)
    assert found, html
    return found.group(1)


def register_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


# ---------------------------------------------------------------------------------- CSRF
def test_a_post_without_a_csrf_token_is_refused(app: FastAPI, written: list[dict[str, Any]]) -> None:
    client = logged_in(app, "eva")
    response = client.post("/cases", data={"title": "t"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert written == []


def test_a_post_with_a_wrong_csrf_token_is_refused(app: FastAPI, written: list[dict[str, Any]]) -> None:
    client = logged_in(app, "eva")
    real = form_token(client)
    for wrong in ("x" * len(real), real[:-1], ""):
        assert client.post("/cases", data={"title": "t", "csrf_token": wrong}).status_code == 403
        assert client.post("/cases", data={"title": "t"}, headers={"X-CSRF-Token": wrong}).status_code == 403
    assert written == []


def test_another_sessions_csrf_token_is_refused(app: FastAPI, written: list[dict[str, Any]]) -> None:
    mine, theirs = logged_in(app, "eva"), logged_in(app, "eva")
    response = mine.post("/cases", data={"title": "t", "csrf_token": form_token(theirs)})
    assert response.status_code == 403
    assert written == []


def test_the_right_csrf_token_passes_by_field_header_or_multipart(
    app: FastAPI, written: list[dict[str, Any]]
) -> None:
    client = logged_in(app, "eva")
    token = form_token(client)
    assert client.post("/cases", data={"title": "by field", "csrf_token": token}).json() == {"by": "eva"}
    assert (
        client.post("/cases", data={"title": "by header"}, headers={"X-CSRF-Token": token}).status_code == 200
    )
    # the form is read for the token and handed on intact: the route still gets the whole file
    blob = bytes(range(256)) * 5000
    response = client.post("/evidence", data={"csrf_token": token}, files={"file": ("a.pdf", blob)})
    assert response.json() == {"size": len(blob)}
    assert [w.get("title", w.get("size")) for w in written] == ["by field", "by header", len(blob)]


def test_the_login_form_itself_needs_its_csrf_token(app: FastAPI) -> None:
    client = client_of(app)
    response = client.post("/login", data={"name": "eva", "password": PASSWORDS["eva"]})
    assert response.status_code == 403
    assert client.get("/").status_code == 303  # not logged in


def test_logout_needs_its_csrf_token_and_ends_the_session(app: FastAPI) -> None:
    client = logged_in(app, "eva")
    assert client.post("/logout").status_code == 403
    assert client.get("/").json() == {"user": "eva"}
    assert client.post("/logout", data={"csrf_token": form_token(client)}).headers["location"] == "/login"
    assert client.get("/").status_code == 303


# ---------------------------------------------------------------------------------- roles
ALLOWED = {"eva": "/cases", "dora": "/decisions", "adam": "/admin/users"}


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_role_is_refused_the_others_actions(
    app: FastAPI, name: str, written: list[dict[str, Any]]
) -> None:
    client = logged_in(app, name)
    token = form_token(client)
    for other, path in ALLOWED.items():
        response = client.post(path, data={"title": "t", "csrf_token": token})
        assert response.status_code == (200 if other == name else 403), (name, path)
    assert [w["what"] for w in written] == [{"eva": "case", "dora": "decision", "adam": "admin"}[name]]


def test_every_logged_in_role_may_read(app: FastAPI) -> None:
    for name in ALLOWED:
        client = logged_in(app, name)
        assert client.get("/").json() == {"user": name}
        assert client.get("/api/v1/ping").json() == {"user": name}


def test_a_decision_records_the_full_name_that_impartiality_compares(app: FastAPI) -> None:
    client = logged_in(app, "dora")
    by = client.post("/decisions", data={"csrf_token": form_token(client)}).json()["by"]
    assert by == "王五" and same_person(by, "王　五")


# ------------------------------------------------------------------------- anonymous access
def test_anonymous_pages_redirect_to_login_once_users_exist(app: FastAPI) -> None:
    client = client_of(app)
    response = client.get("/form?stage=initial")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fform%3Fstage%3Dinitial"
    assert client.post("/cases", data={"title": "t"}).status_code == 303
    assert client.get("/login").status_code == 200


def test_anonymous_api_calls_get_401_once_users_exist(app: FastAPI) -> None:
    client = client_of(app)
    response = client.get("/api/v1/ping")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.post("/api/v1/evaluate", json={}).status_code == 401


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(app: FastAPI) -> None:
    assert log_in(client_of(app), "eva", next="/form?x=1").headers["location"] == "/form?x=1"
    for outside in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        assert log_in(client_of(app), "eva", next=outside).headers["location"] == "/"


def test_without_users_everyone_is_the_local_officer_in_every_role(
    tmp_path: Path, clock: Clock, written: list[dict[str, Any]]
) -> None:
    db = tmp_path / "none.db"
    client = client_of(make_app(db, clock, written))
    assert client.get("/").json() == {"user": "local"}
    assert client.get("/api/v1/ping").json() == {"user": "local"}
    token = form_token(client)
    for path in ALLOWED.values():
        assert client.post(path, data={"title": "t", "csrf_token": token}).status_code == 200
    assert client.post("/decisions").status_code == 403  # CSRF still guards the local officer
    # a script's JSON or YAML needs no token; a form-like body (what a hostile page can send) does
    assert client.post("/api/v1/evaluate", json={"a": 1}).json()["user"] == "local"
    yaml_headers = {"content-type": "application/yaml"}
    assert client.post("/api/v1/evaluate", content="a: 1", headers=yaml_headers).status_code == 200
    assert (
        client.post("/api/v1/evaluate", content="a", headers={"content-type": "text/plain"}).status_code
        == 403
    )
    assert client.post("/api/v1/evaluate", data={"a": "1"}).status_code == 403
    assert not db.exists()  # serving without users does not create a register


def test_without_users_a_remote_client_is_refused(
    tmp_path: Path, clock: Clock, written: list[dict[str, Any]]
) -> None:
    app = make_app(tmp_path / "none.db", clock, written)
    assert client_of(app, client=("192.0.2.7", 4000)).get("/").status_code == 403
    assert client_of(app, client=("127.0.0.1", 4000)).get("/").json() == {"user": "local"}


def test_binding_wide_needs_users(tmp_path: Path, db: Path) -> None:
    empty = tmp_path / "empty.db"
    with pytest.raises(UsageError, match="certeval users add"):
        check_bind_host("0.0.0.0", empty)
    with pytest.raises(UsageError, match="certeval users add"):
        check_bind_host("192.168.1.20", empty)
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"):
        check_bind_host(host, empty)
    check_bind_host("0.0.0.0", db)
    assert users_exist(db) and not users_exist(empty) and not empty.exists()


# ----------------------------------------------------------------------------- login abuse
def test_ten_failed_logins_for_a_name_give_429(app: FastAPI, clock: Clock) -> None:
    client = client_of(app)
    for _ in range(10):
        assert log_in(client, "eva", "wrong-password").status_code == 401
        clock.now += 50
    blocked = log_in(client, "eva")  # even the right password, for now
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "600"
    assert log_in(client_of(app), "ＥＶＡ").status_code == 429  # the same name, written otherwise
    assert log_in(client_of(app), "dora").status_code == 303  # other names are not affected
    clock.now += 101  # the first failure has left the ten-minute window
    assert log_in(client_of(app), "eva").status_code == 303


def test_nine_failures_then_success_is_not_blocked(app: FastAPI) -> None:
    client = client_of(app)
    for _ in range(9):
        assert log_in(client, "eva", "wrong-password").status_code == 401
    assert log_in(client, "eva").status_code == 303


def test_an_unknown_name_and_a_wrong_password_look_the_same(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    burned: list[str] = []
    real_burn = credentials.burn_password_check
    monkeypatch.setattr(login, "burn_password_check", lambda pw: burned.append(pw) or real_burn(pw))
    unknown = log_in(client_of(app), "nobody", "some-password")
    wrong = log_in(client_of(app), "eva", "some-password")
    assert unknown.status_code == wrong.status_code == 401
    assert error_text(unknown.text) == error_text(wrong.text) == "用户名或密码错误。"
    assert burned == ["some-password"]  # the unknown name cost one scrypt too, as a real check does
    assert (
        error_text(log_in(client_of(app), "nobody", "pw", lang="en").text) == "Wrong user name or password."
    )


def test_passwords_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = credentials.hmac.compare_digest
    monkeypatch.setattr(
        credentials.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )
    stored = credentials.hash_password("a-good-password")
    assert credentials.verify_password("a-good-password", stored)
    assert not credentials.verify_password("a-bad-password", stored)
    assert len(compared) == 2


def test_a_password_hash_is_salted_scrypt_with_its_parameters() -> None:
    first, second = credentials.hash_password("same-password"), credentials.hash_password("same-password")
    assert first != second
    scheme, n, r, p, _, _ = first.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert credentials.verify_password("same-password", second)
    for broken in ("", "scrypt$1$2", "md5$1$1$1$AA==$AA==", first.replace("scrypt", "bcrypt")):
        assert not credentials.verify_password("same-password", broken)


# -------------------------------------------------------------------------------- sessions
def test_login_issues_a_new_session_id(app: FastAPI) -> None:
    client = client_of(app)
    client.get("/login")
    before = client.cookies["certeval_session"]
    assert log_in(client, "eva").status_code == 303
    after = client.cookies["certeval_session"]
    assert after != before
    assert before.split(".")[0] != after.split(".")[0]
    # the id known before the login (a planted one, say) never carries it
    planted = client_of(app, cookies={"certeval_session": before})
    assert planted.get("/").status_code == 303


def test_a_cookie_not_signed_by_the_server_is_ignored(app: FastAPI) -> None:
    client = logged_in(app, "eva")
    session_id = client.cookies["certeval_session"].split(".")[0]
    forged = client_of(app, cookies={"certeval_session": session_id + ".AAAA"})
    assert forged.get("/").status_code == 303


def test_an_idle_session_expires(app: FastAPI, clock: Clock) -> None:
    client = logged_in(app, "eva")
    clock.now += IDLE * 0.9
    assert client.get("/").json() == {"user": "eva"}  # activity keeps it alive …
    clock.now += IDLE * 0.9
    assert client.get("/").json() == {"user": "eva"}
    clock.now += IDLE + 1  # … idleness ends it
    assert client.get("/").status_code == 303
    assert client.get("/api/v1/ping").status_code == 401


def test_the_session_cookie_is_httponly_and_samesite_lax(app: FastAPI) -> None:
    cookie = client_of(app).get("/login").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    secure = client_of(app, base_url="https://testserver").get("/login").headers["set-cookie"]
    assert "HttpOnly" in secure and "SameSite=Lax" in secure and "Secure" in secure


def test_a_removed_user_is_logged_out_and_loses_its_tokens(app: FastAPI, db: Path) -> None:
    client = logged_in(app, "eva")
    token = accounts.issue_token(db, "eva")
    accounts.remove_user(db, "eva")
    assert client.get("/").status_code == 303
    assert client_of(app).get("/api/v1/ping", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# ---------------------------------------------------------------------------------- tokens
def test_a_bearer_token_works_and_a_revoked_one_does_not(
    app: FastAPI, db: Path, written: list[dict[str, Any]]
) -> None:
    token = accounts.issue_token(db, "dora")
    bearer = {"Authorization": f"Bearer {token}"}
    client = client_of(app)
    assert client.get("/api/v1/ping", headers=bearer).json() == {"user": "dora"}
    assert client.post("/decisions", headers=bearer).status_code == 200  # no cookie, so no CSRF to forge
    assert client.post("/cases", data={"title": "t"}, headers=bearer).status_code == 403  # still her role
    assert client.get("/api/v1/ping", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    assert accounts.revoke_tokens(db, "dora") == 1
    refused = client.get("/api/v1/ping", headers=bearer)
    assert refused.status_code == 401
    assert "invalid_token" in refused.headers["www-authenticate"]
    assert [w["what"] for w in written] == ["decision"]


def test_a_token_is_stored_only_as_its_sha256(db: Path) -> None:
    token = accounts.issue_token(db, "eva")
    assert token.encode() not in register_bytes(db)
    with sqlite3.connect(db) as conn:
        stored = [row[0] for row in conn.execute("SELECT token_sha256 FROM api_tokens")]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


# ---------------------------------------------------------------------- secrets stay secret
def test_a_password_is_neither_in_the_register_nor_in_any_log(
    tmp_path: Path, clock: Clock, written: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "r.db"
    password = "Pa55-word-🐉-unique"
    (tmp_path / "pw").write_text(password + "\n", encoding="utf-8")
    added = run_cli("users", "add", "wu", "--role", "evaluator", "--full-name", "吴", "--password-file",
                    tmp_path / "pw", "--db", db)  # fmt: skip
    assert added.returncode == 0, added.stderr
    app = make_app(db, clock, written)
    assert log_in(client_of(app), "wu", password + "-wrong").status_code == 401
    assert log_in(client_of(app), "wu", password).status_code == 303
    listed = run_cli("users", "list", "--format", "json", "--db", db)
    outputs = added.stdout + added.stderr + listed.stdout + listed.stderr + caplog.text
    assert "failed login" in caplog.text  # the failure was logged, without its password
    assert password not in outputs
    assert password.encode() not in register_bytes(db)
    assert "scrypt$" not in listed.stdout


# ------------------------------------------------------------------------------ hostile data
XSS = '"><script>alert(1)</script>'


def test_a_hostile_login_name_is_escaped_on_the_page(app: FastAPI) -> None:
    page = log_in(client_of(app), XSS, "whatever").text
    assert "<script>alert(1)</script>" not in page
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_hostile_full_name_is_escaped_on_the_login_page(tmp_path: Path, db: Path, app: FastAPI) -> None:
    accounts.add_user(db, User("mallory", "<img src=x onerror=alert(1)>", "evaluator"), "mallory-pw-123")
    client = client_of(app)
    assert log_in(client, "mallory", "mallory-pw-123").status_code == 303
    page = client.get("/login").text
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_sql_metacharacter_in_a_name_is_harmless(app: FastAPI, db: Path) -> None:
    for name in ("' OR '1'='1", "eva' --", 'eva"; DROP TABLE users; --'):
        assert log_in(client_of(app), name, "x' OR '1'='1").status_code == 401
    odd = "o'brien);DROP--"
    accounts.add_user(db, User(odd, "O'Brien", "evaluator"), "obrien-pw-123")
    assert log_in(client_of(app), odd, "obrien-pw-123").status_code == 303
    assert [u["name"] for u in accounts.list_users(db)] == ["adam", "dora", "eva", odd]


def test_reserved_and_malformed_names_are_refused(db: Path) -> None:
    for name in ("local", "cli:root", "two words", "", "x" * 65, "tab\there"):
        with pytest.raises(UsageError):
            accounts.add_user(db, User(name, "某人", "evaluator"), "long-enough-pw")
    with pytest.raises(UsageError, match="at least 8"):
        accounts.add_user(db, User("shorty", "某人", "evaluator"), "short")
    with pytest.raises(UsageError, match="exists already"):
        accounts.add_user(db, User("eva", "某人", "evaluator"), "long-enough-pw")


def test_names_match_as_spec_7_1_compares_them() -> None:
    assert same_person("王　五", "王五")
    assert same_person(" Li  Si ", "lisi")
    assert same_person("ＬＩＳＩ", "lisi")  # full-width letters, NFKC
    assert not same_person("王五", "王六")


# ------------------------------------------------------------------------------------- CLI
def test_users_commands(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    pw = tmp_path / "pw"
    pw.write_text("cli-password-1\n", encoding="utf-8")
    add = run_cli("users", "add", "wang", "--role", "decision_maker", "--full-name", "王五",
                  "--password-file", pw, "--db", db)  # fmt: skip
    assert add.returncode == 0, add.stderr
    assert "wang" in add.stdout and "cli-password-1" not in add.stdout + add.stderr
    again = run_cli(
        "users", "add", "wang", "--role", "admin", "--full-name", "x", "--password-file", pw, "--db", db
    )
    assert again.returncode == 2 and "exists already" in again.stderr

    table = run_cli("users", "list", "--db", db)
    assert table.returncode == 0 and "wang" in table.stdout and "王五" in table.stdout
    assert "decision_maker" in table.stdout

    issued = run_cli("users", "token", "wang", "--db", db)
    assert issued.returncode == 0 and "shown once" in issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("cev_") and len(token) > 40
    listed = json.loads(run_cli("users", "list", "--format", "json", "--db", db).stdout)
    assert listed[0]["name"] == "wang" and listed[0]["tokens"] == 1
    assert set(listed[0]) == {"name", "full_name", "role", "created_at", "tokens"}  # never a hash
    revoked = run_cli("users", "token", "wang", "--revoke", "--db", db)
    assert revoked.returncode == 0 and "revoked 1 token" in revoked.stdout
    assert json.loads(run_cli("users", "list", "--format", "json", "--db", db).stdout)[0]["tokens"] == 0
    assert run_cli("users", "token", "nobody", "--db", db).returncode == 2

    removed = run_cli("users", "remove", "wang", "--db", db)
    assert removed.returncode == 0
    assert json.loads(run_cli("users", "list", "--format", "json", "--db", db).stdout) == []
    gone = run_cli("users", "remove", "wang", "--db", db)
    assert gone.returncode == 2 and "no user wang" in gone.stderr
    assert run_cli("users", "list", "--db", tmp_path / "missing.db").returncode == 2


def test_users_add_prompts_twice_for_the_password(tmp_path: Path) -> None:
    import subprocess

    from helpers import CERTEVAL

    db = tmp_path / "prompt.db"
    command = [CERTEVAL, "users", "add", "zhao", "--role", "admin", "--full-name", "赵六", "--db", str(db)]

    def add(typed: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, input=typed, capture_output=True, text=True, encoding="utf-8")

    differ = add("prompted-pw-1\nprompted-pw-2\n")
    assert differ.returncode == 2 and "no password entered" in differ.stderr
    assert not users_exist(db)
    same = add("prompted-pw-1\nprompted-pw-1\n")
    assert same.returncode == 0, same.stderr
    assert log_in(client_of(make_app(db, Clock(), [])), "zhao", "prompted-pw-1").status_code == 303


def test_users_add_reads_the_environment_register(tmp_path: Path) -> None:
    import os
    import subprocess

    from helpers import CERTEVAL

    db = tmp_path / "env.db"
    pw = tmp_path / "pw"
    pw.write_text("env-password-1", encoding="utf-8")
    done = subprocess.run(
        [
            CERTEVAL,
            "users",
            "add",
            "li",
            "--role",
            "evaluator",
            "--full-name",
            "李四",
            "--password-file",
            str(pw),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "CERTEVAL_DB": str(db)},
    )
    assert done.returncode == 0, done.stderr
    assert users_exist(db)
