"""Every nonconformity across the register, its state recomputed on a date: the list the officer
who chases corrective-action replies works from (issue 13, SPEC 6.2/6.4).

The states come from the one lifecycle module (facts/lifecycle.py), applied to the case version
each case's latest evaluation was made from, with that evaluation's pack.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ..case.loader import build_case
from ..facts.lifecycle import item_json, pack_dues, tracked_items

COLUMNS = ("case_id", "organization", "id", "severity", "state", "respond_by", "verify_by", "overdue")


def _entries(row: sqlite3.Row, day: dt.date) -> list[dict[str, Any]]:
    if row["content"] is None:  # recorded before case versions (schema 1): the states as recorded
        return list(json.loads(row["result_json"]).get("nonconformities") or [])
    # the case is checked at its own as_of; the lifecycle ignores replies and verifications after `day`
    case, pack = build_case(json.loads(row["content"]), row["case_id"], pack_ref=row["pack_id"])
    if case.evaluation is None or case.evaluation.date > day:  # no items yet on that day
        return []
    return [item_json(item) for item in tracked_items(case.evaluation, day, pack_dues(pack.integer))]


def nonconformities(
    conn: sqlite3.Connection, day: dt.date, *, open_only: bool = False, overdue_only: bool = False
) -> list[dict[str, Any]]:
    """Each case's items (latest evaluation per case) as of `day`; `open_only` keeps the items
    not closed, `overdue_only` the replies overdue.  Sorted by case, then file order."""
    # only results marked when recorded hold nonconformities (record.py's on_worklist)
    rows = conn.execute(
        """SELECT e.case_id, e.org_name, e.pack_id, e.result_json, v.content
           FROM evaluations e JOIN cases k ON k.case_id = e.case_id AND k.evaluation_id = e.id
           LEFT JOIN case_versions v ON v.id = e.version_id
           WHERE e.on_worklist = 1 ORDER BY e.case_id"""
    )
    listed = []
    for row in rows:
        for item in _entries(row, day):
            if open_only and item["state"] == "closed":
                continue
            if overdue_only and not item["overdue"]:
                continue
            listed.append({"case_id": row["case_id"], "organization": row["org_name"], **item})
    return listed
