"""summary.csv: its columns and the row of one evaluated case."""

from __future__ import annotations

from typing import Any

from ..base.case_model import Case
from ..base.i18n import SEVERITIES, STATUS_LABELS, SURVEILLANCE_STATE_LABELS
from ..packs import Pack

CSV_COLUMNS = (
    "case_id",
    "organization",
    "stage",
    "eligible",
    "grade",
    "score",
    "certificate_status",
    "recommended_status",
    "reasons",
    "surveillance_state",
    "due_by",
    *SEVERITIES,
    "source",
    "grade_label",
    "recommended_status_label",
    "surveillance_state_label",
    "valid_until",
    "extended_until",
)


def summary_row(case: Case, pack: Pack, result: dict[str, Any], source: str) -> list[str]:
    """One case's row of summary.csv, in the order of CSV_COLUMNS."""
    cert, surv, score = result["certificate"] or {}, result["surveillance"] or {}, result["score"] or {}
    eligible = result["eligible"]
    return [
        case.case_id,
        case.organization.name,
        case.stage,
        "" if eligible is None else str(eligible).lower(),
        result["grade"] or "",
        "" if not score else str(score["total"]),
        cert.get("status", ""),
        cert.get("recommended_status", ""),
        " ".join(cert.get("reasons", [])),
        surv.get("state", ""),
        surv.get("due_by", ""),
        *(str(result["summary"][s]) for s in SEVERITIES),
        source,
        # readable twins of the ids above, and the dates an officer plans by (issue 14)
        getattr(pack.grade_label(result["grade"]), "zh", ""),
        STATUS_LABELS[cert["recommended_status"]].zh if cert else "",
        SURVEILLANCE_STATE_LABELS[surv["state"]].zh if surv else "",
        cert.get("valid_until") or "",
        surv.get("extended_until") or "",
    ]
