"""Beyond one machine: `evaluate_many` over a Dask bag (the optional extra `certeval[dask]`).

Evaluation is a pure function of (case, pack, as_of), so any engine that maps a function over
partitions spreads it; Dask does the scheduling, certeval has no scheduler of its own.

    import dask.bag as db
    from distributed import Client
    from evaluator.batch.dask_bag import evaluate_bag

    client = Client("scheduler:8786")                  # or LocalCluster() on one machine
    cases = db.from_sequence(paths, npartitions=64)    # file paths, or parsed documents
    lines = evaluate_bag(cases, pack="gbt27922-2011", as_of=datetime.date(2026, 11, 30))
    lines.to_textfiles("results/*.jsonl")              # or .compute() for a list

Each element of the result bag is one JSON line: a result exactly as `batch` writes it to
results.jsonl, or `{"error": …}` for a bad case.  The pack is named by id or directory (the
workers load it once per process), never shipped as an object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..base.errors import InputError
from ..outputs.files import to_json
from .many import evaluate_many


def evaluate_partition(
    cases: Iterable[dict[str, Any] | str | Path],
    pack: str | None = None,
    as_of: dt.date | None = None,
    engine: str | None = None,
) -> list[str]:
    """One partition's cases as JSON lines (results, or errors)."""
    lines = []
    for outcome in evaluate_many(cases, pack=pack, as_of=as_of, engine=engine):
        if isinstance(outcome, InputError):
            problems = [
                {"file": p.file, "line": p.line, "field": p.field, "message": p.message}
                for p in outcome.problems
            ]
            lines.append(
                to_json({"error": {"problems": problems, "status": int(outcome.status)}}, pretty=False)
            )
        else:
            lines.append(to_json(outcome, pretty=False))
    return lines


def evaluate_bag(
    cases: Any, *, pack: str | None = None, as_of: dt.date | None = None, engine: str | None = None
) -> Any:
    """A dask.bag of cases → a dask.bag of JSON lines, one per case, in the bag's order."""
    return cases.map_partitions(evaluate_partition, pack=pack, as_of=as_of, engine=engine)
