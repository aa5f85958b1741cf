"""What officers ask the register: look a certificate up, an organisation's history, what is due."""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from typing import Any

from ..base.errors import PackError
from .projections import WORKLISTS

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


# The planning list's kind and date of each certificate held; ISO dates compare as text.  A
# certificate whose kind is null falls due after the horizon.
_PLAN = """
    WITH windows(pack_id, days) AS (VALUES {windows}),
    held AS (
        SELECT c.*, o.credit_code,
               date(c.valid_until, '-' || coalesce(w.days, :default_window) || ' days') AS recert_from
        FROM certificates c JOIN organizations o ON o.id = c.organization_id
        LEFT JOIN windows w ON w.pack_id = c.pack_id
        WHERE c.status IN ('valid', 'suspended')
    ),
    planned AS (
        SELECT *, CASE
            WHEN :day > valid_until THEN 'expired'
            -- the recertification replaces the last surveillance
            WHEN due_by IS NULL OR due_by >= recert_from
                THEN CASE WHEN recert_from > :horizon THEN NULL ELSE 'recertification_due' END
            WHEN due_by > :horizon THEN NULL
            WHEN :day <= due_by THEN 'surveillance_due'
            WHEN extended_until IS NOT NULL AND :day <= extended_until THEN 'extension_running'
            WHEN extended_until IS NOT NULL THEN 'extension_expired'
            ELSE 'surveillance_overdue'
        END AS kind FROM held
    )
    SELECT CASE WHEN kind IN ('expired', 'recertification_due') THEN valid_until
                WHEN kind IN ('extension_running', 'extension_expired') THEN extended_until
                ELSE due_by END AS date,
           kind, number, org_name AS organization, credit_code, grade, status, last_evaluation,
           due_by, extended_until, valid_until, case_id, count(*) OVER () AS total
    FROM planned WHERE kind IS NOT NULL ORDER BY date, number LIMIT :limit
"""


PLAN_KEYS = (
    "date",
    "kind",
    "number",
    "organization",
    "credit_code",
    "grade",
    "status",
    "last_evaluation",
    "due_by",
    "extended_until",
    "valid_until",
    "case_id",
)


def due_plan(
    conn: sqlite3.Connection, day: dt.date, within: int, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The planning list (see `due`), its first `limit` rows (all without one), and its length."""
    packs = [row[0] for row in conn.execute("SELECT DISTINCT pack_id FROM certificates")]
    windows = ", ".join(f"(:pack{i}, :window{i})" for i in range(len(packs))) or "(NULL, NULL)"
    values: dict[str, Any] = {
        "day": day.isoformat(),
        "horizon": (day + dt.timedelta(days=within)).isoformat(),
        "default_window": DEFAULT_RECERT_WINDOW_DAYS,
        "limit": -1 if limit is None else limit,
    }
    for i, pack_id in enumerate(packs):
        values.update({f"pack{i}": pack_id, f"window{i}": _recert_window(pack_id)})
    rows = conn.execute(_PLAN.format(windows=windows), values).fetchall()
    plan = [{k: row[k] for k in PLAN_KEYS} for row in rows]
    return plan, int(rows[0]["total"]) if rows else 0


def due(conn: sqlite3.Connection, day: dt.date, within: int) -> list[dict[str, Any]]:
    """The planning list: surveillance due within `within` days or overdue, extensions running,
    recertifications falling due, certificates past their validity - sorted by date."""
    return due_plan(conn, day, within)[0]


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


def worklist(conn: sqlite3.Connection, limit: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """From each case's latest evaluation: nonconformities open, overdue and awaiting
    verification (SPEC §6.4), and decisions waiting (§7.2: a final recommendation, no decision
    recorded) — the first `limit` of each list (all without one), from the worklist projection."""
    return {
        name: [
            json.loads(row[0])
            for row in conn.execute(
                "SELECT entry FROM worklist WHERE list = ? ORDER BY sort_key, case_id, position LIMIT ?",
                (name, -1 if limit is None else limit),
            )
        ]
        for name in WORKLISTS
    }


def worklist_totals(conn: sqlite3.Connection) -> dict[str, int]:
    """How many entries each of the worklist's lists holds."""
    counts = dict(conn.execute("SELECT list, count(*) FROM worklist GROUP BY list").fetchall())
    return {name: int(counts.get(name, 0)) for name in WORKLISTS}
