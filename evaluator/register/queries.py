"""What officers ask the register: look a certificate up, an organisation's history, what is due."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from typing import Any

from ..base.errors import PackError

CERTIFIED = ("valid", "suspended")
CERTIFICATES = """
    SELECT c.*, o.credit_code FROM certificates c JOIN organizations o ON o.id = c.organization_id
"""
DEFAULT_RECERT_WINDOW_DAYS = 180


@functools.lru_cache(maxsize=16)
def _recert_window(pack_id: str) -> int:
    """The recertification window of the pack that evaluated a certificate (its parameter)."""
    from ..packs import load_pack

    try:
        return load_pack(pack_id).integer("recert_window_days")
    except (PackError, KeyError):
        return DEFAULT_RECERT_WINDOW_DAYS


def _status_on(row: sqlite3.Row, day: dt.date) -> str:
    if row["status"] in CERTIFIED and day > dt.date.fromisoformat(row["valid_until"]):
        return "expired"
    return str(row["status"])


def lookup(
    conn: sqlite3.Connection, *, number: str | None, org: str | None, day: dt.date
) -> list[dict[str, Any]]:
    """Certificates by exact number or by a substring of the organisation's name."""
    if number is not None:
        rows = conn.execute(CERTIFICATES + " WHERE c.number = ?", (number,))
    else:
        pattern = f"%{org}%"
        rows = conn.execute(
            CERTIFICATES + " WHERE c.org_name LIKE ? OR o.name LIKE ? ORDER BY c.number",
            (pattern, pattern),
        )
    return [
        {
            "number": r["number"],
            "organization": r["org_name"],
            "credit_code": r["credit_code"],
            "grade": r["grade"],
            "status": _status_on(r, day),
            "recommended_status": r["recommended_status"],
            "valid_until": r["valid_until"],
            "next_surveillance": r["extended_until"] or r["due_by"],
            "last_evaluation": r["last_evaluation"],
            "evaluated_as_of": r["as_of"],
        }
        for r in rows
    ]


def history(conn: sqlite3.Connection, key: str) -> list[dict[str, Any]]:
    """Every recorded evaluation of a case_id, or of an organisation by its credit code."""
    rows = conn.execute(
        "SELECT e.* FROM evaluations e JOIN organizations o ON o.id = e.organization_id"
        " WHERE e.case_id = ? OR o.credit_code = ? ORDER BY e.as_of, e.id",
        (key, key),
    )
    return [
        {
            "id": r["id"],
            "as_of": r["as_of"],
            "case_id": r["case_id"],
            "stage": r["stage"],
            "pack": f"{r['pack_id']} {r['pack_version']}",
            "grade": r["grade"],
            "score": _score(r["score"]),
            "major": r["major"],
            "minor": r["minor"],
            "recommended_status": r["recommended_status"],
        }
        for r in rows
    ]


def _score(value: float | None) -> int | float | None:
    """The score as `evaluate` prints it: SQLite keeps REAL, so 84 reads back as 84.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def findings_diff(conn: sqlite3.Connection, before: int, after: int) -> dict[str, list[dict[str, Any]]]:
    """Findings added and closed from one recorded evaluation to another (by rule and subject)."""

    def findings(evaluation_id: int) -> dict[tuple[str, str], dict[str, Any]]:
        rows = conn.execute(
            "SELECT * FROM findings WHERE evaluation_id = ? ORDER BY position", (evaluation_id,)
        )
        return {(r["rule"], r["subject"] or ""): dict(r) for r in rows}

    old, new = findings(before), findings(after)
    keys = ("rule", "subject", "severity", "message_zh", "message_en")
    return {
        "added": [{k: new[key][k] for k in keys} for key in new if key not in old],
        "closed": [{k: old[key][k] for k in keys} for key in old if key not in new],
    }


def due(conn: sqlite3.Connection, day: dt.date, within: int) -> list[dict[str, Any]]:
    """The planning list: surveillance due within `within` days or overdue, extensions running,
    recertifications falling due, certificates past their validity - sorted by date."""
    horizon = day + dt.timedelta(days=within)
    rows = conn.execute(CERTIFICATES + " WHERE c.status IN ('valid', 'suspended')")
    plan = []
    for r in rows:
        valid_until = dt.date.fromisoformat(r["valid_until"])
        due_by = dt.date.fromisoformat(r["due_by"]) if r["due_by"] else None
        extended = dt.date.fromisoformat(r["extended_until"]) if r["extended_until"] else None
        recert_from = valid_until - dt.timedelta(days=_recert_window(r["pack_id"]))
        if day > valid_until:
            kind, date = "expired", valid_until
        elif due_by is None or due_by >= recert_from:  # the recertification replaces the last surveillance
            if recert_from > horizon:
                continue
            kind, date = "recertification_due", valid_until
        elif due_by > horizon:
            continue
        elif day <= due_by:
            kind, date = "surveillance_due", due_by
        elif extended is not None and day <= extended:
            kind, date = "extension_running", extended
        elif extended is not None:
            kind, date = "extension_expired", extended
        else:
            kind, date = "surveillance_overdue", due_by
        plan.append(
            {
                "date": date.isoformat(),
                "kind": kind,
                "number": r["number"],
                "organization": r["org_name"],
                "credit_code": r["credit_code"],
                "grade": r["grade"],
                "status": r["status"],
                "last_evaluation": r["last_evaluation"],
                "due_by": r["due_by"],
                "extended_until": r["extended_until"],
                "valid_until": r["valid_until"],
                "case_id": r["case_id"],
            }
        )
    plan.sort(key=lambda p: (p["date"], p["number"]))
    return plan


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its % _ and \\ taken literally (ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(conn: sqlite3.Connection, text: str, limit: int = 100) -> list[dict[str, Any]]:
    """Cases whose organisation (Chinese or English name, credit code), certificate number or
    case id contains `text`, by their latest evaluation."""
    pattern = _like(text.strip())
    # the small projections are filtered first; only the matches' evaluations are read
    rows = conn.execute(
        """SELECT k.case_id, k.org_name, o.name_en, o.credit_code, k.certificate_number, e.stage,
                  e.as_of, e.grade, e.recommended_status
           FROM cases k JOIN organizations o ON o.id = k.organization_id
           JOIN evaluations e ON e.id = k.evaluation_id
           WHERE k.case_id LIKE :p ESCAPE '\\' OR k.org_name LIKE :p ESCAPE '\\'
              OR k.certificate_number LIKE :p ESCAPE '\\' OR o.name LIKE :p ESCAPE '\\'
              OR o.name_en LIKE :p ESCAPE '\\' OR o.credit_code LIKE :p ESCAPE '\\'
           ORDER BY k.case_id LIMIT :limit""",
        {"p": pattern, "limit": limit},
    )
    return [dict(r) for r in rows]


def latest_evaluation(conn: sqlite3.Connection, case_id: str) -> dict[str, Any] | None:
    """A case's latest recorded evaluation with its version number (None if never recorded)."""
    row = conn.execute(
        """SELECT e.*, v.version FROM evaluations e LEFT JOIN case_versions v ON v.id = e.version_id
           WHERE e.case_id = ? ORDER BY e.id DESC LIMIT 1""",
        (case_id,),
    ).fetchone()
    return None if row is None else dict(row)


def evaluations_of(conn: sqlite3.Connection, case_id: str) -> list[dict[str, Any]]:
    """Every recorded evaluation of a case, oldest first, with its version number."""
    rows = conn.execute(
        """SELECT e.id, e.as_of, e.stage, e.grade, e.score, e.major, e.minor, e.observation, e.info,
                  e.recommended_status, e.pack_id, e.pack_version, v.version
           FROM evaluations e LEFT JOIN case_versions v ON v.id = e.version_id
           WHERE e.case_id = ? ORDER BY e.id""",
        (case_id,),
    )
    return [dict(r) for r in rows]


def worklist(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """From each case's latest evaluation: nonconformities open, overdue and awaiting
    verification (SPEC §6.4), and decisions waiting (§7.2: a final recommendation, no decision
    recorded).  Results without those keys contribute nothing."""
    lists: dict[str, list[dict[str, Any]]] = {
        "nc_open": [],
        "nc_overdue": [],
        "verifications_due": [],
        "decisions_waiting": [],
    }
    # only results marked when recorded are read: parsing every result's JSON is too slow
    rows = conn.execute(
        """SELECT e.case_id, e.org_name, e.as_of, e.result_json
           FROM evaluations e JOIN cases k ON k.case_id = e.case_id AND k.evaluation_id = e.id
           WHERE e.on_worklist = 1 ORDER BY e.case_id"""
    )
    for row in rows:
        result = json.loads(row["result_json"])
        case = {"case_id": row["case_id"], "organization": row["org_name"], "as_of": row["as_of"]}
        for item in result.get("nonconformities") or []:
            entry = {**case, **item}
            if item.get("overdue"):
                lists["nc_overdue"].append(entry)
            elif item.get("state") in ("open", "rejected"):
                lists["nc_open"].append(entry)
            if item.get("state") == "responded":
                lists["verifications_due"].append(entry)
        decision = result.get("decision") or {}
        recommended = decision.get("recommended") or {}
        if recommended.get("outcome") not in (None, "pending") and decision.get("recorded") is None:
            lists["decisions_waiting"].append({**case, **recommended})
    lists["verifications_due"].sort(key=lambda e: (e.get("verify_by") or "", e["case_id"]))
    return lists
