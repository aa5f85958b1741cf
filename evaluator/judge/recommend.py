"""The recommendation (SPEC 7.2, result key `decision`): what the body should decide.

A pure function of the case, its findings and the lifecycle on the case's date.  The recorded
decision is compared with the recommendation *as of decision.date*, which `api` obtains by
evaluating the case again as of that date; this module only reads what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..base.case_model import Case
from ..facts.lifecycle import TrackedItem
from ..facts.scoring import ScoreOutcome
from .findings import Finding

TEAM_AND_EXCLUSION_BLOCKERS = ("EXCL-UNJUSTIFIED", "TEAM-QUALIFICATION", "TEAM-CONSULTANCY")
REFUSAL_REASONS = ("SCORE-BELOW-PASS", "SCORE-SPECIAL-DEDUCTIONS")
STATUS_OUTCOMES = {"expired": "expire", "withdrawn": "withdraw", "suspended": "suspend"}


def recommended(
    case: Case,
    findings: Sequence[Finding],
    items: Sequence[TrackedItem],
    eligible: bool | None,
    outcome: ScoreOutcome | None,
    certificate: dict[str, Any] | None,
) -> dict[str, Any]:
    """`decision.recommended`: outcome, grade, reasons and blocked_by (SPEC 7.2)."""
    fired = {f.rule.id for f in findings}
    blocking = [item for item in items if item.status.blocking]
    blocked_by = [item.id for item in blocking]
    if case.stage in ("initial", "recertification"):
        blocked_by += sorted(fired & set(TEAM_AND_EXCLUSION_BLOCKERS))
    blocked_by = list(dict.fromkeys(blocked_by))
    decided, grade, reasons = _by_stage(
        case, findings, fired, blocking, eligible, outcome, certificate, blocked_by
    )
    return {"outcome": decided, "grade": grade, "reasons": sorted(set(reasons)), "blocked_by": blocked_by}


def _by_stage(
    case: Case,
    findings: Sequence[Finding],
    fired: set[str],
    blocking: Sequence[TrackedItem],
    eligible: bool | None,
    outcome: ScoreOutcome | None,
    certificate: dict[str, Any] | None,
    blocked_by: list[str],
) -> tuple[str, str | None, list[str]]:
    if case.stage == "application":
        elig = [r for r in fired if r.startswith("ELIG-")]
        if elig:
            return "reject_application", None, elig
        others = [
            f.rule.id for f in findings if f.audience == "applicant" and f.severity in ("major", "minor")
        ]
        return ("return_application", None, others) if others else ("accept_application", None, [])
    if case.stage in ("initial", "recertification"):
        overdue_blockers = {item.id for item in blocking if item.status.overdue}
        refusal = [r for r in fired if r.startswith("ELIG-") or r in REFUSAL_REASONS]
        refusal += [
            f.rule.id
            for f in findings
            if f.rule.id == "NC-RESPONSE-OVERDUE" and f.values.get("id") in overdue_blockers
        ]
        if eligible is False or overdue_blockers:
            return "refuse", None, refusal
        if outcome is None:
            return "pending", None, []
        if outcome.grade is None:
            return "refuse", None, refusal
        if blocked_by:
            return "pending", None, []
        return ("grant" if case.stage == "initial" else "renew"), outcome.grade, []
    status = certificate["recommended_status"] if certificate else None
    reasons = list(certificate["reasons"]) if certificate else []
    if status in STATUS_OUTCOMES:
        return STATUS_OUTCOMES[status], None, reasons
    if "CERT-RESTORE" in fired:
        return "restore", None, reasons
    if "CERT-GRADE-MISMATCH" in fired and outcome is not None:
        return "grade_change", outcome.grade, ["CERT-GRADE-MISMATCH"]
    if "CHG-CERT-REISSUE" in fired:
        return "reissue", None, ["CHG-CERT-REISSUE"]
    return "maintain", None, []


def recorded(case: Case) -> dict[str, Any] | None:
    """`decision.recorded`: the case's values unchanged, null where it leaves one out."""
    d = case.decision
    if d is None:
        return None
    return {
        "date": d.date.isoformat(),
        "by": d.by,
        "outcome": d.outcome,
        "grade": d.grade,
        "justification": d.justification,
    }
