"""The plumbing of the real-browser tests: `certeval serve` on a free port of the tests' range,
Selenium driving Debian's chromium through chromium-driver, downloads, and logging in.

CI sets CERTEVAL_REQUIRE_CHROMIUM=1: then a missing browser, driver or Selenium fails the test
instead of skipping it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers import CERTEVAL, CHROMIUM, CHROMIUM_FLAGS

CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
REQUIRED = os.environ.get("CERTEVAL_REQUIRE_CHROMIUM") == "1"
PORTS = range(8610, 8650)  # the range this project's tests may bind
FLAGS = (*CHROMIUM_FLAGS, "--disable-dev-shm-usage")


def selenium_or_reason() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the test extra)"
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "no chromium / chromedriver (Debian: chromium chromium-driver)"
    return None


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@contextmanager
def served(db: Path, as_of: str) -> Iterator[str]:
    """`certeval serve --db DB --as-of AS_OF` on a free port until the block ends; its URL."""
    port = free_port()
    process = subprocess.Popen(
        [CERTEVAL, "serve", "--db", str(db), "--port", str(port), "--as-of", as_of],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/login", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None:
                    assert process.stdout is not None
                    pytest.fail(f"certeval serve exited: {process.stdout.read().decode()}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def chrome(tmp_path: Path) -> Iterator[Any]:
    """A headless chromium under Selenium, downloading into tmp_path/downloads without asking
    (`driver.downloads`); skips (or fails, in CI) when there is no browser."""
    reason = selenium_or_reason()
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


def downloaded(driver: Any, name: str) -> Path:
    """The file the browser is downloading into its downloads directory, once it is complete."""
    target, partial = driver.downloads / name, driver.downloads / f"{name}.crdownload"
    for _ in range(300):
        if target.exists() and target.stat().st_size and not partial.exists():
            return target
        time.sleep(0.1)
    pytest.fail(f"{name} was not downloaded: {sorted(p.name for p in driver.downloads.iterdir())}")


def click_and_wait(driver: Any, element: Any) -> None:
    """Click what submits a form or follows a link, and wait until the next page has replaced
    this one (a click returns before the browser has navigated)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(page))


def log_in(driver: Any, base_url: str, name: str, password: str) -> None:
    """Through the login page, as a person does."""
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/login")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    assert "/login" not in driver.current_url, driver.page_source


def log_out(driver: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/login")
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
    assert driver.current_url.endswith("/login")


def snapshot(driver: Any, name: str) -> None:
    """With CERTEVAL_SCREENSHOTS=DIR, the page as the browser shows it, full length, saved as
    DIR/NAME.png for a person to look at (the tests assert; the pictures are for review)."""
    folder = os.environ.get("CERTEVAL_SCREENSHOTS")
    if not folder:
        return
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(int(height), 800), 6000))
    Path(folder).mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(Path(folder) / f"{name}.png"))
    driver.set_window_size(1280, 1600)
