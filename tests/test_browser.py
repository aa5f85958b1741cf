"""The workbench in a real browser (issue 16): Selenium driving Debian's chromium through
chromium-driver.  Imports the examples, opens the dashboard, follows an overdue surveillance to
its case, expands a finding's "why", downloads the NCR and checks it, switches the language.

CI sets CERTEVAL_REQUIRE_CHROMIUM=1: then a missing browser or driver fails instead of skipping."""

from __future__ import annotations

import pytest
from browser_support import downloaded, served
from helpers import EXAMPLES, run_cli


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "register.db"
    assert run_cli("register", "import", EXAMPLES, "--db", db).returncode == 0
    with served(db, "2026-12-01") as url:
        yield url


def test_an_officer_follows_an_overdue_surveillance_to_its_ncr(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server + "/")
    assert "工作概览" in browser.title
    overdue = browser.find_element(By.CSS_SELECTOR, "tr.due-surveillance_overdue")
    assert "监督逾期" in overdue.text and "FW-NJ-2024-0311" in overdue.text
    overdue.find_element(By.LINK_TEXT, "NJ-2024-0311").click()
    assert browser.current_url.endswith("/cases/NJ-2024-0311")

    why = browser.find_element(By.CSS_SELECTOR, "details.why")
    trace = why.find_element(By.TAG_NAME, "pre")
    assert not trace.is_displayed()
    why.find_element(By.TAG_NAME, "summary").click()
    assert trace.is_displayed() and "SURV-OVERDUE" in trace.text

    # NJ's findings are all the body's: no NCR for it (SPEC 8.3); HZ's evaluation has one
    assert not browser.find_elements(By.CSS_SELECTOR, 'a.download[data-kind="ncr"]')
    browser.get(server + "/search?q=HZ-2026-0301")
    browser.find_element(By.LINK_TEXT, "HZ-2026-0301").click()
    browser.find_element(
        By.CSS_SELECTOR, 'a.download[data-kind="ncr"][data-lang="both"][data-fmt="html"]'
    ).click()
    target = downloaded(browser, "HZ-2026-0301.ncr.both.html")
    ncr = target.read_text(encoding="utf-8")
    assert "不符合项报告 / Nonconformity report" in ncr and "HZ-2026-0301" in ncr
    # the same report the command line writes for that case file
    cli_out = browser.downloads.parent / "cli"
    run_cli(
        "report",
        EXAMPLES / "hz-initial-three-star.yaml",
        "--kind",
        "ncr",
        "--lang",
        "both",
        "--out",
        cli_out,
    )
    assert ncr == (cli_out / target.name).read_text(encoding="utf-8")

    browser.back()
    browser.back()  # the NJ case page again
    browser.find_element(By.ID, "lang-switch").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "Findings and why" in browser.page_source and browser.current_url.endswith("?lang=en")
    browser.find_element(By.LINK_TEXT, "Dashboard").click()
    assert "Surveillance overdue" in browser.find_element(By.CSS_SELECTOR, "tr.due-surveillance_overdue").text
