"""The projections the dashboard and `register ncs` read (issue 18, SPEC §10–§11), kept for each
case's latest evaluation: written when an evaluation is recorded, rebuilt from the log when the
schema migrates and by `register rebuild`.  They may be rewritten; the log never is.

- nc_periods: each tracked item's state over periods of days, computed by the lifecycle
  (facts/lifecycle.tracked_periods), so "the states on D" is a range filter in SQL instead of
  re-validating every case on every query.
- worklist: what the dashboard lists from a latest result (SPEC §6.4, §7.2): nonconformities
  open, overdue and awaiting verification as the result recorded them, and decisions waiting.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from ..base.case_model import Evaluation
from ..facts.lifecycle import item_json, pack_dues, tracked_periods

# item_json's keys: an entry of the result's `nonconformities` (SPEC 6.4)
ITEM_KEYS = (
    "id",
    "subject",
    "severity",
    "indicator",
    "state",
    "respond_by",
    "responded_on",
    "verify_by",
    "verified_on",
    "verified_by",
    "overdue",
)
ALWAYS = ""  # a period's start before every date: the states recorded before case versions
WORKLISTS = ("nc_open", "nc_overdue", "verifications_due", "decisions_waiting")
NcRow = tuple[Any, ...]  # position, start, end, *ITEM_KEYS
WorkRow = tuple[str, str, int, str]  # list, sort key, position, entry (JSON)


def nc_rows(evaluation: Evaluation | None, integer: Callable[[str], int]) -> list[NcRow]:
    """The periods of each tracked item of a case's evaluation (`integer`: the pack's parameters)."""
    rows = []
    for position, periods in enumerate(tracked_periods(evaluation, pack_dues(integer))):
        for period in periods:
            item = item_json(period.item)
            end = period.end.isoformat() if period.end else None
            rows.append((position, period.start.isoformat(), end, *(item[k] for k in ITEM_KEYS)))
    return rows


def recorded_nc_rows(result: dict[str, Any]) -> list[NcRow]:
    """A result recorded without its case document (schema 1): its items as recorded, on every day."""
    items = result.get("nonconformities") or []
    return [(i, ALWAYS, None, *(item.get(k) for k in ITEM_KEYS)) for i, item in enumerate(items)]


def work_rows(case_id: str, organization: str, as_of: str, result: dict[str, Any]) -> list[WorkRow]:
    """The dashboard's entries of one result; results without the keys give none."""
    case = {"case_id": case_id, "organization": organization, "as_of": as_of}
    rows: list[WorkRow] = []

    def add(name: str, entry: dict[str, Any], sort_key: str = "") -> None:
        text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        rows.append((name, sort_key, len(rows), text))

    for item in result.get("nonconformities") or []:
        entry = {**case, **item}
        if item.get("overdue"):
            add("nc_overdue", entry)
        elif item.get("state") in ("open", "rejected"):
            add("nc_open", entry)
        if item.get("state") == "responded":
            add("verifications_due", entry, item.get("verify_by") or "")
    decision = result.get("decision") or {}
    recommended = decision.get("recommended") or {}
    if recommended.get("outcome") not in (None, "pending") and decision.get("recorded") is None:
        add("decisions_waiting", {**case, **recommended})
    return rows


def write_case(conn: sqlite3.Connection, case_id: str, ncs: list[NcRow], work: list[WorkRow]) -> None:
    """Replace a case's rows by those of its latest evaluation."""
    conn.execute("DELETE FROM nc_periods WHERE case_id = ?", (case_id,))
    conn.execute("DELETE FROM worklist WHERE case_id = ?", (case_id,))
    marks = ", ".join("?" * (4 + len(ITEM_KEYS)))
    conn.executemany(
        f"INSERT INTO nc_periods (case_id, position, start, until, {', '.join(ITEM_KEYS)}) VALUES ({marks})",
        [(case_id, *row) for row in ncs],
    )
    conn.executemany(
        "INSERT INTO worklist (case_id, list, sort_key, position, entry) VALUES (?, ?, ?, ?, ?)",
        [(case_id, *row) for row in work],
    )


def rebuild(conn: sqlite3.Connection) -> int:
    """Both projections again from the log (inside the caller's transaction); returns the number of
    cases.  Each case document is checked again at its own as_of with the pack of its evaluation."""
    from ..base.errors import InputError
    from ..case.loader import build_case

    conn.execute("DELETE FROM nc_periods")
    conn.execute("DELETE FROM worklist")
    rows = conn.execute(
        """SELECT k.case_id, e.org_name, e.as_of, e.pack_id, e.on_worklist, e.result_json, v.content
           FROM cases k JOIN evaluations e ON e.id = k.evaluation_id
           LEFT JOIN case_versions v ON v.id = e.version_id ORDER BY k.case_id"""
    )
    count = 0
    for row in rows:
        count += 1
        if not row["on_worklist"]:
            continue  # no nonconformities, no decision (record.py's mark)
        result = json.loads(row["result_json"])
        ncs = recorded_nc_rows(result)
        if row["content"] is not None:
            try:
                case, pack = build_case(json.loads(row["content"]), row["case_id"], pack_ref=row["pack_id"])
                ncs = nc_rows(case.evaluation, pack.integer)
            except InputError:  # no longer valid under today's pack: the states as recorded
                pass
        work = work_rows(row["case_id"], row["org_name"], row["as_of"], result)
        write_case(conn, row["case_id"], ncs, work)
    return count
