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
