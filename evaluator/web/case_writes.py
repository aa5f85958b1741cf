"""The one way a workbench form writes: a new version of the case document, evaluated, recorded
with the acting user and the reason — the path `certeval register import` takes
(`register_record` then `record_all`), in one transaction with the evidence files it cites.

The document changed is the case's latest version.  The form names the version it was opened
on; when another version was added since, nothing is written (a conflict, HTTP 409), checked
again inside the writing transaction.  A document that no longer validates is not written: its
problems go back to the form, each next to its field when the field is the form's."""

from __future__ import annotations

import copy
import datetime as dt
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from ..base.case_model import ITEM_ID_PREFIXES, default_item_id
from ..base.errors import CaseError, Problem
from ..register import UnknownCase, connect, record_all, register_record, version_document
from ..register.blobs import EvidenceFile, store_files
from ..register.record import Recorded, StaleVersion
from ..register.record import latest_version as latest_version_number
from ..register.users import User
from .casefile import NoSuchCase
from .state import workbench

if TYPE_CHECKING:
    from ..api import Evaluation


class WriteConflict(Exception):
    """Another version was added after the form was opened."""

    def __init__(self, base: int, latest: int) -> None:
        super().__init__(f"the case is at version {latest}, not {base}")
        self.base = base
        self.latest = latest


@dataclass
class FormProblems(Exception):
    """What keeps a form from being saved: messages by form field ("" for the form as a whole)."""

    messages: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, []).append(message)


def latest_version(conn: sqlite3.Connection, case_id: str) -> tuple[int, dict[str, Any]]:
    """The number and document of a case's latest version; NoSuchCase (404) if it has none."""
    number = latest_version_number(conn, case_id)
    if number is None:
        raise NoSuchCase(case_id)
    try:
        return number, version_document(conn, case_id, number)
    except UnknownCase as error:
        raise NoSuchCase(str(error)) from None


def item_path(document: dict[str, Any], item_id: str) -> tuple[str, int] | None:
    """(list name, index) of the nonconformity or special deduction with this id (given, or the
    default NC-<n> / SD-<n> of SPEC §6.1) in the document."""
    evaluation = document.get("evaluation")
    if not isinstance(evaluation, dict):
        return None
    for name in ITEM_ID_PREFIXES:
        items = evaluation.get(name)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and (item.get("id") or default_item_id(name, index + 1)) == item_id:
                return name, index
    return None


def problems_by_field(problems: Sequence[Problem], prefix: str) -> FormProblems:
    """Case problems as form messages: a problem inside `prefix` (the entry the form wrote) goes
    next to its form field, any other one to the form as a whole, with its case field."""
    found = FormProblems()
    for problem in problems:
        if problem.field.startswith(prefix + "."):
            name = re.split(r"[.\[]", problem.field[len(prefix) + 1 :], maxsplit=1)[0]
            found.add(name, problem.message)
        else:
            found.add("", f"{problem.field}: {problem.message}" if problem.field else problem.message)
    return found


def parse_as_of(value: str, problems: FormProblems, not_a_date: str) -> dt.date | None:
    """The optional as_of field of a form (blank: the server's date)."""
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        problems.add("as_of", not_a_date)
        return None


def write_version(
    request: Request,
    case_id: str,
    base: int,
    change: Callable[[dict[str, Any]], str],
    user: User,
    why: str,
    as_of: dt.date | None = None,
    files: Sequence[EvidenceFile] = (),
    check: Callable[[Evaluation], None] | None = None,
) -> Recorded:
    """Apply `change` (which edits the document and returns the path of the entry it wrote) to
    the latest version, evaluate it as of `as_of` (else the server's date), and record it as a
    new version by `user.name` for `why`, once `check` accepts the evaluation.  FormProblems,
    WriteConflict or NoSuchCase otherwise, with nothing written."""
    from ..api import evaluate_full

    bench = workbench(request)
    with bench.reader() as conn:
        latest, document = latest_version(conn, case_id)
    if latest != base:
        raise WriteConflict(base, latest)
    document = copy.deepcopy(document)
    prefix = change(document)
    document["as_of"] = (as_of or bench.day()).isoformat()
    try:
        evaluation = evaluate_full(document)
    except CaseError as error:
        raise problems_by_field(error.problems, prefix) from None
    if check is not None:
        check(evaluation)  # what the form requires beyond a valid case (FormProblems)

    def alongside(conn: sqlite3.Connection) -> None:
        store_files(conn, list(files), user.name)

    conn = connect(bench.db)
    try:
        # based_on checks again inside the transaction: a version added since the check above
        [recorded] = record_all(
            conn,
            [register_record(evaluation)],
            by=user.name,
            why=why,
            also=alongside,
            based_on={case_id: base},
        )
    except StaleVersion as error:
        raise WriteConflict(base, error.latest or 0) from None
    finally:
        conn.close()
    return recorded
