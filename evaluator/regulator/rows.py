"""The register's rows for one month, as the fields a mapping can name (SPEC §9).

Plans and results are the evaluations recorded with an as_of in the month (the register keeps the
evaluation's as_of, not its site dates); results are those of certified organisations (an
evaluation with a certificate number).  Certificates are those issued in the month, those whose
recorded evaluation in the month recommends another status, and every certificate a result row
refers to (the regulator's sheets depend on each other).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any

from ..register.queries import CERTIFICATES, _status_on

Row = dict[str, Any]
SCHEME = "商品售后服务认证"


def month_end(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:7])
    first_next = dt.date(year + number // 12, number % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _standard(pack_id: str) -> str:
    return f"{SCHEME}（{pack_id}）"


def month_rows(conn: sqlite3.Connection, month: str) -> dict[str, list[Row]]:
    conn.row_factory = sqlite3.Row
    evaluations = conn.execute(
        """SELECT e.*, o.credit_code FROM evaluations e JOIN organizations o ON o.id = e.organization_id
           WHERE substr(e.as_of, 1, 7) = ? ORDER BY e.as_of, e.case_id, e.id""",
        (month,),
    ).fetchall()
    plans = [_plan(e) for e in evaluations]
    results = [{**_plan(e), **_result(e)} for e in evaluations if e["certificate_number"] is not None]
    wanted = {r["certificate.number"] for r in results}
    end = month_end(month)
    certificates = [
        _certificate(c, end)
        for c in conn.execute(CERTIFICATES + " ORDER BY c.number").fetchall()
        if c["number"] in wanted
        or c["issued_on"][:7] == month
        or (c["as_of"][:7] == month and c["recommended_status"] != c["status"])
    ]
    return {"plans": plans, "certificates": certificates, "results": results}


def _plan(e: sqlite3.Row) -> Row:
    return {
        "plan.number": e["case_id"],
        "organization.name": e["org_name"],
        "organization.credit_code": e["credit_code"],
        "scheme": _standard(e["pack_id"]),
        "evaluation.type": e["stage"],
        "evaluation.method": "on_site",
        "evaluation.date": dt.date.fromisoformat(e["as_of"]),
    }


def _result(e: sqlite3.Row) -> Row:
    result = json.loads(e["result_json"])
    return {
        "certificate.number": e["certificate_number"],
        "evaluation.grade": e["grade"],
        "evaluation.score": e["score"],
        "evaluation.recommended_status": (result.get("certificate") or {}).get("recommended_status"),
    }


def _certificate(c: sqlite3.Row, day: dt.date) -> Row:
    return {
        "certificate.number": c["number"],
        "organization.name": c["org_name"],
        "organization.credit_code": c["credit_code"],
        "scheme": _standard(c["pack_id"]),
        "certificate.grade": c["grade"],
        "certificate.issued_on": dt.date.fromisoformat(c["issued_on"]),
        "certificate.valid_until": dt.date.fromisoformat(c["valid_until"]),
        "certificate.status": _status_on(c, day),
    }
