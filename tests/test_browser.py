"""The workbench in a real browser (issue 16): Selenium driving Debian's chromium through
chromium-driver.  Imports the examples, opens the dashboard, follows an overdue surveillance to
its case, expands a finding's "why", downloads the NCR and checks it, switches the language.

CI sets CERTEVAL_REQUIRE_CHROMIUM=1: then a missing browser or driver fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import CERTEVAL, CHROMIUM, CHROMIUM_FLAGS, EXAMPLES, run_cli

CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
REQUIRED = os.environ.get("CERTEVAL_REQUIRE_CHROMIUM") == "1"
PORTS = range(8610, 8650)  # the range this project's tests may bind
FLAGS = (*CHROMIUM_FLAGS, "--disable-dev-shm-usage")


def _selenium_or_reason() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the test extra)"
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "no chromium / chromedriver (Debian: chromium chromium-driver)"
    return None


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8610-8649")


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "register.db"
    assert run_cli("register", "import", EXAMPLES, "--db", db).returncode == 0
    port = _free_port()
    process = subprocess.Popen(
        [CERTEVAL, "serve", "--db", str(db), "--port", str(port), "--as-of", "2026-12-01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"certeval serve exited: {process.stdout.read().decode()}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    reason = _selenium_or_reason()
    if reason:
        if REQUIRED:
            pytest.fail(f"CERTEVAL_REQUIRE_CHROMIUM=1 but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.add_argument("--window-size=1280,1600")
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


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
    target = browser.downloads / "HZ-2026-0301.ncr.both.html"
    for _ in range(100):
        if target.exists() and target.stat().st_size:
            break
        time.sleep(0.1)
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
