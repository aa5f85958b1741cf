"""Every nonconformity across the register, its state on a date: the list the officer who chases
corrective-action replies works from (issue 13, SPEC 6.2/6.4).

The states come from the one lifecycle module (facts/lifecycle.py): it computed, when each
case's latest evaluation was recorded (or the projection was rebuilt from the log), the periods
over which each item keeps one state; the query only picks the period holding the date asked.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from .projections import ITEM_KEYS

COLUMNS = ("case_id", "organization", "id", "severity", "state", "respond_by", "verify_by", "overdue")


def nonconformities(
    conn: sqlite3.Connection, day: dt.date, *, open_only: bool = False, overdue_only: bool = False
) -> list[dict[str, Any]]:
    """Each case's items (latest evaluation per case) as of `day`; `open_only` keeps the items
    not closed, `overdue_only` the replies overdue.  Sorted by case, then file order."""
    where = ["n.start <= :day", "(n.until IS NULL OR n.until > :day)"]
    if open_only:
        where.append("n.state IS NOT 'closed'")
    if overdue_only:
        where.append("n.overdue")
    rows = conn.execute(
        f"""SELECT k.org_name, n.* FROM nc_periods n JOIN cases k ON k.case_id = n.case_id
            WHERE {" AND ".join(where)} ORDER BY n.case_id, n.position""",
        {"day": day.isoformat()},
    )
    return [
        {
            "case_id": r["case_id"],
            "organization": r["org_name"],
            **{k: r[k] for k in ITEM_KEYS},
            "overdue": None if r["overdue"] is None else bool(r["overdue"]),
        }
        for r in rows
    ]
