"""Issue 17's real-browser test: officers with users and roles take a nonconformity from its
finding to the certificate in Debian's chromium (Selenium), and the register holds one version
per write, each with its user.

An evaluator sees the findings of an initial case with one major NC, records the organisation's
reply with an evidence PDF and then the verification; a decision_maker records the grant and
downloads the NCR and the certificate as PDF; a decision_maker who is on the evaluation team is
refused.  CI sets CERTEVAL_REQUIRE_CHROMIUM=1 (no skipping there)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from browser_steps import NC_STATEMENT, TEAM, create_case_from_form
from browser_support import chrome, click_and_wait, downloaded, log_in, log_out, served, snapshot
from helpers import run_cli
from lifecycle_support import PDF

DAY = "2026-12-01"  # the server's date: the case is evaluated (and decided) as of it
USERS = {  # name: (role, full name, password); tina is on the case's evaluation team (TEAM)
    "eva": ("evaluator", TEAM[0][0], "eva-browser-pw-1"),
    "dora": ("decision_maker", "王五", "dora-browser-pw-2"),
    "tina": ("decision_maker", TEAM[1][0], "tina-browser-pw-3"),
}


def _add_users(db: Path, tmp_path: Path) -> None:
    for name, (role, full_name, password) in USERS.items():
        secret = tmp_path / f"{name}.pw"
        secret.write_text(password + "\n", encoding="utf-8")
        added = run_cli(
            "users",
            "add",
            name,
            "--role",
            role,
            "--full-name",
            full_name,
            "--password-file",
            secret,
            "--db",
            db,
        )
        assert added.returncode == 0, added.stderr


def _nc_state(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    row = driver.find_element(By.CSS_SELECTOR, "#nonconformities table.list tbody tr")
    cell = row.find_elements(By.TAG_NAME, "td")[1]
    assert cell.text.strip(), "the state is shown by its label"
    return str(cell.get_attribute("data-state"))


def _open_form(driver: Any, form_id: str) -> Any:
    """A form of the case page, its <details> opened as a person clicks it."""
    from selenium.webdriver.common.by import By

    form = driver.find_element(By.ID, form_id)
    details = form.find_element(By.XPATH, "./ancestor::details")
    if details.get_attribute("open") is None:
        details.find_element(By.TAG_NAME, "summary").click()
    return form


def _record_reply(driver: Any, evidence: Path) -> None:
    from selenium.webdriver.common.by import By

    form = _open_form(driver, "reply-NC-1")
    form.find_element(By.NAME, "root_cause").send_keys("投诉登记未设答复时限提醒")
    form.find_element(By.NAME, "correction").send_keys("逐一回复 5 份超期投诉")
    form.find_element(By.NAME, "corrective_action").send_keys("投诉系统增加 7 日到期提醒")
    form.find_element(By.NAME, "evidence_files").send_keys(str(evidence))
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def _record_verification(driver: Any) -> None:
    from selenium.webdriver.common.by import By

    form = _open_form(driver, "verification-NC-1")
    form.find_element(By.NAME, "note").send_keys("提醒记录与回复记录齐全")
    click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def _download(driver: Any, kind: str, case_id: str) -> bytes:
    from selenium.webdriver.common.by import By

    link = driver.find_element(
        By.CSS_SELECTOR, f'a.download[data-kind="{kind}"][data-lang="zh"][data-fmt="pdf"]'
    )
    link.click()
    return downloaded(driver, f"{case_id}.{kind}.zh.pdf").read_bytes()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str | None:
    """The text of a PDF by poppler's pdftotext, None where it is not installed."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def register(tmp_path: Path) -> Path:
    db = tmp_path / "register.db"
    _add_users(db, tmp_path)
    return db


def test_a_nonconformity_from_its_finding_to_the_certificate(register: Path, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    evidence = tmp_path / "投诉回复记录.pdf"
    evidence.write_bytes(PDF)
    with served(register, DAY) as url, chrome(tmp_path) as driver:
        log_in(driver, url, "eva", USERS["eva"][2])
        case_id = create_case_from_form(driver, url)

        # the findings: the major NC, open, blocks the decision
        findings = driver.find_element(By.ID, "findings").text
        assert "AUDIT-NC" in findings and NC_STATEMENT in findings
        assert _nc_state(driver) == "open"
        assert not driver.find_elements(By.ID, "decision-form")  # an evaluator does not decide

        _record_reply(driver, evidence)
        assert driver.current_url.endswith(f"/cases/{case_id}#nc-NC-1")
        assert _nc_state(driver) == "responded"
        link = driver.find_element(By.CSS_SELECTOR, "#nc-NC-1 a.evidence-file")
        assert link.text == "投诉回复记录.pdf"
        snapshot(driver, "case-after-reply")

        _record_verification(driver)
        assert _nc_state(driver) == "closed"
        log_out(driver, url)

        log_in(driver, url, "dora", USERS["dora"][2])
        driver.get(f"{url}/cases/{case_id}")
        form = driver.find_element(By.ID, "decision-form")
        # prefilled from the recommendation, now that NC-1 is closed
        assert (
            Select(form.find_element(By.NAME, "outcome")).first_selected_option.get_attribute("value")
            == "grant"
        )
        assert (
            Select(form.find_element(By.NAME, "grade")).first_selected_option.get_attribute("value")
            == "three_star"
        )
        click_and_wait(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        recorded = driver.find_element(By.ID, "decision").text
        assert f"{DAY} 王五 · 批准三星级认证" in recorded

        ncr = _download(driver, "ncr", case_id)
        certificate = _download(driver, "certificate", case_id)
        assert ncr.startswith(b"%PDF") and certificate.startswith(b"%PDF")
        text = _pdf_text(ncr, tmp_path)
        if text is not None:
            assert "NC-1" in text and NC_STATEMENT in text.replace("\n", "")
        log_out(driver, url)

        log_in(driver, url, "tina", USERS["tina"][2])
        driver.get(f"{url}/cases/{case_id}")
        assert "评价组成员" in driver.find_element(By.ID, "decision").text  # warned before submitting
        click_and_wait(
            driver, _open_form(driver, "decision-form").find_element(By.CSS_SELECTOR, "button[type=submit]")
        )
        snapshot(driver, "decision-refused")
        refusal = driver.find_element(By.ID, "refusal").text
        assert TEAM[1][0] in refusal and "未记录任何内容" in refusal

    listed = run_cli("register", "versions", case_id, "--format", "json", "--db", register)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(row["version"], row["why"]) for row in rows] == [
        (1, "form"),
        (2, "response"),
        (3, "verification"),
        (4, "decision"),
    ]
    assert [row["by"] for row in rows] == ["eva", "eva", "eva", "dora"]
    assert all(row["evaluations"] == 1 for row in rows)
