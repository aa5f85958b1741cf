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
