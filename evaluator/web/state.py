"""What every page shares: the register it reads, the planning date and the page's language."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from ..register import open_reader

if TYPE_CHECKING:
    from ..body.profile import BodyProfile

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Workbench:
    db: Path
    body: Path | None = None
    as_of: dt.date | None = None
    profile: BodyProfile | None = None  # the body's identity on every document served

    def day(self) -> dt.date:
        """The planning date: --as-of, else the server's local date (never the browser's)."""
        return self.as_of or dt.date.today()

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        conn = open_reader(self.db)
        try:
            yield conn
        finally:
            conn.close()


def workbench(request: Request) -> Workbench:
    bench: Workbench = request.app.state.workbench
    return bench


def page_lang(request: Request) -> str:
    """Chinese unless the page asks for English (?lang=en)."""
    lang = request.query_params.get("lang", "zh")
    return lang if lang in LANGS else "zh"
