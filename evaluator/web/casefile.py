"""One case as the workbench shows it: its latest evaluation, re-run from the version it
evaluated so the summary report and `explain` speak for it, and its versions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..base.errors import CaseError, PackError
from ..maintain.explain import explain
from ..register import evaluations_of, latest_evaluation, version_document, versions

if TYPE_CHECKING:
    from ..api import Evaluation


class NoSuchCase(LookupError):
    """A case id the register does not hold (404)."""


@dataclass(frozen=True)
class CaseView:
    case_id: str
    latest: dict[str, Any]  # the latest recorded evaluation's row
    result: dict[str, Any]  # its §4 result, as recorded
    versions: list[dict[str, Any]]
    evaluations: list[dict[str, Any]]
    evaluation: Evaluation | None  # None for an evaluation recorded before case versions
    pack_changed: bool  # the pack today is not the one the evaluation used


def case_view(conn: sqlite3.Connection, case_id: str) -> CaseView:
    latest = latest_evaluation(conn, case_id)
    if latest is None:
        raise NoSuchCase(case_id)
    evaluation = None
    if latest["version"] is not None:
        evaluation = reevaluate(version_document(conn, case_id, latest["version"]))
    return CaseView(
        case_id=case_id,
        latest=latest,
        result=json.loads(latest["result_json"]),
        versions=versions(conn, case_id),
        evaluations=evaluations_of(conn, case_id),
        evaluation=evaluation,
        pack_changed=evaluation is not None and evaluation.pack.sha256 != latest["pack_sha256"],
    )


def reevaluate(document: dict[str, Any]) -> Evaluation | None:
    """A version evaluated again at its own as_of, with the python engine (the one `explain`
    traces); None when it no longer validates under today's pack."""
    from ..api import evaluate_full

    try:
        return evaluate_full(document, engine="python")
    except (CaseError, PackError):
        return None


def explanations(evaluation: Evaluation, lang: str) -> dict[str, str]:
    """`explain`'s trace for each rule that fired, by rule id."""
    rules = {f.rule.id: f.rule for f in evaluation.findings}
    return {rule_id: explain(evaluation, rule, lang) for rule_id, rule in rules.items()}
