"""The intake form in a real browser (issue 17): an officer creates an initial case from the
form, adding rows with the form's own buttons, and lands on its case page with its findings."""

from __future__ import annotations

import sqlite3

import pytest
from browser_steps import create_case_from_form
from browser_support import served


@pytest.fixture
def register(tmp_path):
    return tmp_path / "register.db"


@pytest.fixture
def server(register):
    with served(register, "2026-12-01") as url:
        yield url


def test_an_officer_creates_a_case_from_the_form(server, browser, register):
    from selenium.webdriver.common.by import By

    case_id = create_case_from_form(browser, server)
    assert browser.current_url == f"{server}/cases/{case_id}"
    findings = browser.find_element(By.ID, "findings").text
    assert "严重" in findings and "evaluation.nonconformities[0]" in findings
    conn = sqlite3.connect(register)
    try:
        rows = conn.execute(
            "SELECT version, by, why FROM case_versions WHERE case_id = ?", (case_id,)
        ).fetchall()
        content = conn.execute("SELECT content FROM case_versions WHERE case_id = ?", (case_id,)).fetchone()[
            0
        ]
    finally:
        conn.close()
    assert rows == [(1, "local", "form")]
    assert '"name":"李四","role":"leader"' in content and '"name":"赵六","role":"member"' in content
