"""`evaluate_many`: evaluation as a pure function over any iterable, for other executors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..api import evaluate
from ..base.errors import CaseError, PackError
from ..packs import Pack


def evaluate_many(
    cases: Iterable[dict[str, Any] | str | Path],
    *,
    pack: str | Path | Pack | None = None,
    as_of: dt.date | None = None,
    engine: str | None = None,
) -> Iterator[dict[str, Any] | CaseError | PackError]:
    """Evaluate cases one after the other: each yields its result, or the error that made it
    bad.  The building block for other executors (a process pool, a cluster map)."""
    for case in cases:
        try:
            yield evaluate(case, pack=pack, as_of=as_of, engine=engine)
        except (CaseError, PackError) as e:
            yield e
