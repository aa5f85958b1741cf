"""Recording evaluations: one plain record per evaluation, written in one transaction per call.

A record is built where the evaluation ran (a batch worker, or the CLI) and written by one
writer.  Recording the same case + pack + as_of again changes nothing; a corrected case file
(same case_id, pack and as_of, other content) replaces the earlier record.  Only evaluated
cases are recorded: a case that did not validate never reaches the register.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..base.i18n import SEVERITIES
from ..base.version import certeval_version

if TYPE_CHECKING:
    from ..api import Evaluation


def content_sha256(document: Any) -> str:
    """sha256 of a case's canonical content: keys sorted, comments and layout ignored."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def register_record(evaluation: Evaluation, version: str | None = None) -> dict[str, Any]:
    """What the register keeps of one evaluation, as plain data (it crosses process borders)."""
    case, result = evaluation.case, evaluation.result
    cert, section, surveillance = case.certificate, result["certificate"], result["surveillance"]
    score = result["score"]
    return {
        "case_id": case.case_id,
        "org_name": case.organization.name,
        "credit_code": case.organization.credit_code,
        "as_of": result["as_of"],
        "stage": case.stage,
        "pack_id": evaluation.pack.id,
        "pack_version": evaluation.pack.version,
        "pack_sha256": evaluation.pack.sha256,
        "case_sha256": content_sha256(case.document),
        "engine": evaluation.engine,
        "certeval_version": version or certeval_version(),
        "eligible": result["eligible"],
        "grade": result["grade"],
        "score": score["total"] if score else None,
        "summary": result["summary"],
        "certificate": None
        if cert is None
        else {
            "number": cert.number,
            "grade": cert.grade,
            "issued_on": cert.issued_on.isoformat(),
            "valid_until": cert.valid_until.isoformat(),
            "status": cert.status,
            "recommended_status": section["recommended_status"],
            "last_evaluation": surveillance["last_evaluation"] if surveillance else None,
            "due_by": surveillance["due_by"] if surveillance else None,
            "extended_until": surveillance["extended_until"] if surveillance else None,
        },
        "findings": [
            (
                f["rule"],
                f["severity"],
                f["audience"],
                f["subject"],
                f["message"]["zh"],
                f["message"]["en"],
                (f["action"] or {}).get("due"),
            )
            for f in result["findings"]
        ],
        "result_json": json.dumps(result, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    }


def write_records(conn: sqlite3.Connection, records: Iterable[dict[str, Any]]) -> int:
    """Write records in one transaction; returns how many were new or changed."""
    written = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for record in records:
            written += _write(conn, record)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")  # a crash leaves no half-recorded evaluation
        raise
    return written


def _write(conn: sqlite3.Connection, r: dict[str, Any]) -> int:
    existing = conn.execute(
        "SELECT id, case_sha256 FROM evaluations WHERE case_id = ? AND pack_sha256 = ? AND as_of = ?",
        (r["case_id"], r["pack_sha256"], r["as_of"]),
    ).fetchone()
    if existing is not None and existing["case_sha256"] == r["case_sha256"]:
        return 0  # recorded already: idempotent
    conn.execute(
        "INSERT INTO organizations (credit_code, name) VALUES (?, ?)"
        " ON CONFLICT(credit_code) DO UPDATE SET name = excluded.name",
        (r["credit_code"], r["org_name"]),
    )
    org_id = conn.execute(
        "SELECT id FROM organizations WHERE credit_code = ?", (r["credit_code"],)
    ).fetchone()[0]
    if existing is not None:  # a corrected case: the upsert below keeps the row, its findings are redone
        conn.execute("DELETE FROM findings WHERE evaluation_id = ?", (existing["id"],))
    summary = r["summary"]
    cert = r["certificate"]
    values = (
        r["case_id"],
        org_id,
        r["org_name"],
        r["as_of"],
        r["stage"],
        r["pack_id"],
        r["pack_version"],
        r["pack_sha256"],
        r["case_sha256"],
        r["engine"],
        r["certeval_version"],
        None if r["eligible"] is None else int(r["eligible"]),
        r["grade"],
        r["score"],
        *(summary[s] for s in SEVERITIES),
        cert["number"] if cert else None,
        cert["recommended_status"] if cert else None,
        r["result_json"],
    )
    columns = """
        case_id, organization_id, org_name, as_of, stage, pack_id, pack_version, pack_sha256,
        case_sha256, engine, certeval_version, eligible, grade, score, major, minor, observation, info,
        certificate_number, recommended_status, result_json
    """
    placeholders = ", ".join("?" * len(values))
    conn.execute(  # no RETURNING: it needs SQLite 3.35, older Pythons bundle older
        f"INSERT INTO evaluations ({columns}) VALUES ({placeholders})"
        f" ON CONFLICT(case_id, pack_sha256, as_of) DO UPDATE SET ({columns}) = ({placeholders})",
        values + values,
    )
    evaluation_id = conn.execute(
        "SELECT id FROM evaluations WHERE case_id = ? AND pack_sha256 = ? AND as_of = ?",
        (r["case_id"], r["pack_sha256"], r["as_of"]),
    ).fetchone()[0]
    conn.executemany(
        """INSERT INTO findings
           (evaluation_id, position, rule, severity, audience, subject, message_zh, message_en, due)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(evaluation_id, i, *row) for i, row in enumerate(r["findings"])],
    )
    if cert is not None:
        conn.execute(
            # the latest evaluation (by as_of) describes the certificate
            """INSERT INTO certificates
               (number, organization_id, org_name, pack_id, grade, issued_on, valid_until, status,
                recommended_status, last_evaluation, due_by, extended_until, as_of, evaluation_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(number) DO UPDATE SET
                 organization_id = excluded.organization_id, org_name = excluded.org_name,
                 pack_id = excluded.pack_id, grade = excluded.grade, issued_on = excluded.issued_on,
                 valid_until = excluded.valid_until, status = excluded.status,
                 recommended_status = excluded.recommended_status,
                 last_evaluation = excluded.last_evaluation, due_by = excluded.due_by,
                 extended_until = excluded.extended_until, as_of = excluded.as_of,
                 evaluation_id = excluded.evaluation_id
               WHERE excluded.as_of >= certificates.as_of""",
            (
                cert["number"],
                org_id,
                r["org_name"],
                r["pack_id"],
                cert["grade"],
                cert["issued_on"],
                cert["valid_until"],
                cert["status"],
                cert["recommended_status"],
                cert["last_evaluation"],
                cert["due_by"],
                cert["extended_until"],
                r["as_of"],
                evaluation_id,
            ),
        )
    return 1
