"""What the real-browser tests share: Selenium driving Debian's chromium through chromium-driver,
and a `certeval serve` of a test's register on a free port.

CI sets CERTEVAL_REQUIRE_CHROMIUM=1: then a missing browser or driver fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
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
    raise RuntimeError("no free port in 8610-8649")


def serve(db: Path, *extra: str) -> Iterator[str]:
    """`certeval serve` over `db` until the generator is closed; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [CERTEVAL, "serve", "--db", str(db), "--port", str(port), *extra],
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


def chromium(tmp_path: Path) -> Iterator[Any]:
    """A headless chromium under Selenium that downloads into tmp_path/downloads (skipped, or
    failed under CERTEVAL_REQUIRE_CHROMIUM=1, where there is none)."""
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
