"""Case documents in the register: import files as versions, list them, export one as YAML, and
compare two (the document and the findings of their evaluations)."""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ..base.errors import CaseError, Problem
from .queries import findings_diff
from .record import Recorded, canonical_content, record_all, register_record

CASE_SUFFIXES = (".yaml", ".yml", ".json")
# The keys a reader looks for first; the rest follow in the canonical (sorted) order.
LEADING_KEYS = ("case_id", "as_of", "stage", "pack")


class UnknownCase(LookupError):
    """A case id, or a version of it, that the register does not hold."""


def case_files(paths: Iterable[Path]) -> list[Path]:
    """The case files named, directories searched for YAML and JSON files (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file()))
        else:
            files.append(path)
    return files


def import_cases(
    conn: sqlite3.Connection, paths: Iterable[Path], by: str | None = None, engine: str | None = None
) -> list[tuple[Path, Recorded]]:
    """Each file's content as a version (why: import), evaluated at its own as_of.  Every file
    is validated first: one bad file and nothing is written."""
    from ..api import evaluate_full

    evaluated, problems = [], []
    for path in case_files(paths):
        try:
            evaluated.append((path, evaluate_full(path, engine=engine)))
        except CaseError as error:
            problems.extend(error.problems)
    if not evaluated and not problems:
        problems.append(
            Problem(" ".join(str(p) for p in paths), None, "", "no case file (.yaml, .yml, .json)")
        )
    if problems:
        raise CaseError(problems)
    recorded = record_all(conn, [register_record(e) for _, e in evaluated], by, why="import")
    return [(path, outcome) for (path, _), outcome in zip(evaluated, recorded, strict=True)]


def versions(conn: sqlite3.Connection, case_id: str) -> list[dict[str, Any]]:
    """A case's versions, oldest first, each with its evaluations' count and the latest one."""
    rows = conn.execute(
        """SELECT v.version, v.created_at, v.by, v.why, v.sha256,
                  count(e.id) AS evaluations, max(e.id) AS latest_evaluation
           FROM case_versions v LEFT JOIN evaluations e ON e.version_id = v.id
           WHERE v.case_id = ? GROUP BY v.id ORDER BY v.version""",
        (case_id,),
    )
    return [dict(r) for r in rows]


def version_document(conn: sqlite3.Connection, case_id: str, number: int | None = None) -> dict[str, Any]:
    """A version's document (the latest without `number`); UnknownCase if there is none."""
    if number is None:
        row = conn.execute(
            "SELECT content FROM case_versions WHERE case_id = ? ORDER BY version DESC LIMIT 1", (case_id,)
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT content FROM case_versions WHERE case_id = ? AND version = ?", (case_id, number)
        ).fetchone()
    if row is None:
        which = "" if number is None else f" version {number}"
        raise UnknownCase(f"the register holds no case {case_id}{which}")
    document: dict[str, Any] = json.loads(row[0])
    return document


def to_yaml(document: dict[str, Any]) -> str:
    """A case document as YAML that `certeval evaluate` reads back to the same content."""
    ordered = {k: document[k] for k in LEADING_KEYS if k in document}
    ordered.update((k, v) for k, v in document.items() if k not in ordered)
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)


def document_diff(conn: sqlite3.Connection, case_id: str, before: int, after: int) -> str:
    """A unified diff of two versions' YAML."""
    return yaml_diff(
        version_document(conn, case_id, before),
        version_document(conn, case_id, after),
        f"{case_id} v{before}",
        f"{case_id} v{after}",
    )


def yaml_diff(old: dict[str, Any], new: dict[str, Any], old_name: str, new_name: str) -> str:
    """A unified diff of two case documents' YAML (each in its canonical content first, so that
    dates typed as text and dates read from YAML compare equal)."""
    lines = [to_yaml(json.loads(canonical_content(d))).splitlines(keepends=True) for d in (old, new)]
    return "".join(difflib.unified_diff(lines[0], lines[1], old_name, new_name))


def version_findings_diff(
    conn: sqlite3.Connection, case_id: str, before: int, after: int
) -> dict[str, list[dict[str, Any]]] | None:
    """Findings added and closed between the latest evaluations of two versions (None when one
    of them was never evaluated)."""
    by_number = {v["version"]: v for v in versions(conn, case_id)}
    for number in (before, after):
        if number not in by_number:
            raise UnknownCase(f"the register holds no case {case_id} version {number}")
    old, new = by_number[before]["latest_evaluation"], by_number[after]["latest_evaluation"]
    if old is None or new is None:
        return None
    return findings_diff(conn, old, new)
