"""Fixtures shared by the tests; plain helpers live in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def case_file(tmp_path: Path):
    """Write case text to a file in tmp_path and return its path."""

    def write(text: str | bytes, name: str = "case.yaml") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


# ------------------------------------------------------------- the workbench's forms (issue 17)
# (login name, role, full name, password); 钱　慧敏 is on the case's team, written with an
# ideographic space that SPEC 7.1's name match ignores
WORKBENCH_USERS = (
    ("eva", "evaluator", "李四", "eva-secret-pw-1"),
    ("dora", "decision_maker", "王五", "dora-secret-pw-2"),
    ("tina", "decision_maker", "钱　慧敏", "tina-secret-pw-3"),
)
WORKBENCH_DAY = "2027-03-25"  # the server's --as-of: after the case's as_of, 2027-03-22


@pytest.fixture
def lifecycle_db(tmp_path: Path) -> Path:
    """A register holding the lifecycle case (one open major NC) and the three users."""
    from helpers import LIFECYCLE_CASE

    from evaluator.register import connect, import_cases
    from evaluator.register.users import User
    from evaluator.web import accounts

    db = tmp_path / "register.db"
    conn = connect(db)
    import_cases(conn, [LIFECYCLE_CASE])
    conn.close()
    for name, role, full_name, password in WORKBENCH_USERS:
        accounts.add_user(db, User(name, full_name, role), password)  # type: ignore[arg-type]
    return db


@pytest.fixture
def workbench_as(lifecycle_db: Path):
    """`workbench_as("eva")`: a test client of the workbench over lifecycle_db, logged in."""
    import datetime as dt

    from fastapi.testclient import TestClient
    from helpers import csrf_of

    from evaluator.web import create_app

    app = create_app(lifecycle_db, as_of=dt.date.fromisoformat(WORKBENCH_DAY))
    passwords = {name: password for name, _, _, password in WORKBENCH_USERS}

    def client(name: str | None) -> TestClient:
        test_client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
        if name is not None:
            token = csrf_of(test_client.get("/login").text)
            login = {"name": name, "password": passwords[name], "csrf_token": token}
            assert test_client.post("/login", data=login).status_code == 303
        return test_client

    return client


@pytest.fixture(autouse=True, scope="session")
def _pack_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory):
    """The pack cache of this test run (and of the commands it starts) in a temporary directory,
    not the user's ~/.cache: tests copy packs to fresh directories by the hundred."""
    import os

    before = os.environ.get("CERTEVAL_CACHE_DIR")
    os.environ["CERTEVAL_CACHE_DIR"] = str(tmp_path_factory.mktemp("pack-cache"))
    yield
    if before is None:
        os.environ.pop("CERTEVAL_CACHE_DIR", None)
    else:
        os.environ["CERTEVAL_CACHE_DIR"] = before


@pytest.fixture
def browser(tmp_path: Path):
    """A headless chromium under Selenium for the real-browser tests (browser_support.chrome)."""
    from browser_support import chrome

    with chrome(tmp_path) as driver:
        yield driver
