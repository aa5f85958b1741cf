"""Recording evaluations and the case versions they evaluated, in one transaction per call.

A record is built where the evaluation ran (a batch worker, or the CLI) and written by one
writer.  The log is append-only (SPEC §10): a case's content, when it differs from its latest
version, becomes a new version; an evaluation is a new row unless the same content was
evaluated under the same pack and as_of already (then nothing changes).  A corrected case file
(same case_id, pack and as_of, other content) is a new version and a new evaluation beside the
old one.  The certificates and organisations tables are projections: the latest evaluation by
as_of describes a certificate.  Only evaluated cases are recorded: a case that did not validate
never reaches the register.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..base.i18n import SEVERITIES
from ..base.version import certeval_version
from .projections import nc_rows, work_rows, write_case

if TYPE_CHECKING:
    from ..api import Evaluation


WHYS = ("import", "form", "upload", "response", "verification", "decision", "record")


def canonical_content(document: Any) -> str:
    """A case document's canonical form: JSON, keys sorted, dates as ISO strings; comments and
    layout are not content."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_sha256(document: Any) -> str:
    """sha256 of a case's canonical content."""
    return hashlib.sha256(canonical_content(document).encode("utf-8")).hexdigest()


def command_user() -> str:
    """`by` for what a command writes: cli:<OS user>."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli:unknown"


def add_version(
    conn: sqlite3.Connection, case_id: str, content: str, by: str, why: str
) -> tuple[int, int, bool]:
    """The case's version holding `content`: its latest version when that has the same content
    (identical content is no new version), else a new one.  Returns (id, number, added)."""
    if why not in WHYS:
        raise ValueError(f"unknown reason for a version: {why}")
    sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
    latest = conn.execute(
        "SELECT id, version, sha256 FROM case_versions WHERE case_id = ? ORDER BY version DESC LIMIT 1",
        (case_id,),
    ).fetchone()
    if latest is not None and latest["sha256"] == sha:
        return int(latest["id"]), int(latest["version"]), False
    number = 1 if latest is None else int(latest["version"]) + 1
    created = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    cursor = conn.execute(
        "INSERT INTO case_versions (case_id, version, content, sha256, created_at, by, why)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (case_id, number, content, sha, created, by, why),
    )
    return int(cursor.lastrowid or 0), number, True


def _name_en(document: Any) -> str | None:
    """organization.name_en (SPEC §7.1), for search in English; absent from older cases."""
    organization = document.get("organization") if isinstance(document, dict) else None
    name = organization.get("name_en") if isinstance(organization, dict) else None
    return name if isinstance(name, str) else None


def register_record(evaluation: Evaluation, version: str | None = None) -> dict[str, Any]:
    """What the register keeps of one evaluation, as plain data (it crosses process borders)."""
    case, result = evaluation.case, evaluation.result
    cert, section, surveillance = case.certificate, result["certificate"], result["surveillance"]
    score = result["score"]
    return {
        "case_id": case.case_id,
        "org_name": case.organization.name,
        "org_name_en": _name_en(case.document),
        "credit_code": case.organization.credit_code,
        "as_of": result["as_of"],
        "stage": case.stage,
        "pack_id": evaluation.pack.id,
        "pack_version": evaluation.pack.version,
        "pack_sha256": evaluation.pack.sha256,
        "case_sha256": content_sha256(case.document),
        "content": canonical_content(case.document),
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
        # what the dashboard lists from a result: nonconformities (SPEC §6.4), a decision (§7.2)
        "on_worklist": bool(result.get("nonconformities")) or bool(result.get("decision")),
        # the items' states over time, for `register ncs` on any date (projections.py)
        "nc_periods": nc_rows(case.evaluation, evaluation.pack.integer),
    }


class StaleVersion(Exception):
    """A write based on a version that is no longer the case's latest (another officer saved
    first): nothing was written."""

    def __init__(self, case_id: str, based_on: int | None, latest: int | None) -> None:
        self.case_id, self.based_on, self.latest = case_id, based_on, latest
        started = "a new case" if based_on is None else f"version {based_on}"
        super().__init__(
            f"{case_id}: the edit started from {started}, but the register holds version {latest}"
        )


def latest_version(conn: sqlite3.Connection, case_id: str) -> int | None:
    """The number of the case's latest version (None: the register holds no version of it)."""
    row = conn.execute("SELECT max(version) FROM case_versions WHERE case_id = ?", (case_id,)).fetchone()
    return None if row[0] is None else int(row[0])


@dataclass(frozen=True)
class Recorded:
    """What recording one evaluation did."""

    case_id: str
    version: int
    new_version: bool
    new_evaluation: bool


def record_all(
    conn: sqlite3.Connection,
    records: Iterable[dict[str, Any]],
    by: str | None = None,
    why: str = "record",
    also: Callable[[sqlite3.Connection], None] | None = None,
    based_on: Mapping[str, int | None] | None = None,
) -> list[Recorded]:
    """Write records and their case versions in one transaction.  `by` defaults to the OS user
    of the command (cli:<user>); `also` writes what the versions need (their evidence files) in
    the same transaction.  `based_on` (case id -> the version an edit started from, None for a
    new case) refuses the whole write with StaleVersion when a case has moved on since: checked
    inside the transaction, so two writers cannot both pass."""
    done = []
    by = by or command_user()
    conn.execute("BEGIN IMMEDIATE")
    try:
        if also is not None:
            also(conn)
        for record in records:
            if based_on is not None and record["case_id"] in based_on:
                latest = latest_version(conn, record["case_id"])
                if latest != based_on[record["case_id"]]:
                    raise StaleVersion(record["case_id"], based_on[record["case_id"]], latest)
            version_id, number, added = add_version(conn, record["case_id"], record["content"], by, why)
            evaluated = _write(conn, record, version_id)
            done.append(Recorded(record["case_id"], number, added, evaluated))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")  # a crash leaves no half-recorded evaluation
        raise
    return done


def write_records(conn: sqlite3.Connection, records: Iterable[dict[str, Any]], by: str | None = None) -> int:
    """Record evaluations (why: record); returns how many were new."""
    return sum(r.new_evaluation for r in record_all(conn, records, by))


def _write(conn: sqlite3.Connection, r: dict[str, Any], version_id: int) -> bool:
    key = (r["case_id"], r["pack_sha256"], r["as_of"], r["case_sha256"])
    if conn.execute(
        "SELECT 1 FROM evaluations WHERE case_id = ? AND pack_sha256 = ? AND as_of = ? AND case_sha256 = ?",
        key,
    ).fetchone():
        return False  # recorded already: idempotent
    conn.execute(
        "INSERT INTO organizations (credit_code, name, name_en) VALUES (?, ?, ?)"
        " ON CONFLICT(credit_code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en",
        (r["credit_code"], r["org_name"], r.get("org_name_en")),
    )
    org_id = conn.execute(
        "SELECT id FROM organizations WHERE credit_code = ?", (r["credit_code"],)
    ).fetchone()[0]
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
        version_id,
        int(bool(r.get("on_worklist"))),
    )
    columns = """
        case_id, organization_id, org_name, as_of, stage, pack_id, pack_version, pack_sha256,
        case_sha256, engine, certeval_version, eligible, grade, score, major, minor, observation, info,
        certificate_number, recommended_status, result_json, version_id, on_worklist
    """
    placeholders = ", ".join("?" * len(values))
    cursor = conn.execute(f"INSERT INTO evaluations ({columns}) VALUES ({placeholders})", values)
    evaluation_id = cursor.lastrowid
    conn.executemany(
        """INSERT INTO findings
           (evaluation_id, position, rule, severity, audience, subject, message_zh, message_en, due)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(evaluation_id, i, *row) for i, row in enumerate(r["findings"])],
    )
    conn.execute(  # the case's latest evaluation: the one just written
        "INSERT INTO cases (case_id, evaluation_id, organization_id, org_name, certificate_number)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(case_id) DO UPDATE SET evaluation_id = excluded.evaluation_id,"
        " organization_id = excluded.organization_id, org_name = excluded.org_name,"
        " certificate_number = excluded.certificate_number",
        (r["case_id"], evaluation_id, org_id, r["org_name"], cert["number"] if cert else None),
    )
    # the result is read back only when it holds something the dashboard lists
    work = (
        work_rows(r["case_id"], r["org_name"], r["as_of"], json.loads(r["result_json"]))
        if r.get("on_worklist")
        else []
    )
    write_case(conn, r["case_id"], r["nc_periods"], work)
    if cert is not None:
        conn.execute(
            # the latest evaluation (by as_of) describes the certificate
            """INSERT INTO certificates
               (number, organization_id, org_name, pack_id, grade, issued_on, valid_until, status,
                recommended_status, last_evaluation, due_by, extended_until, as_of, evaluation_id, case_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(number) DO UPDATE SET
                 organization_id = excluded.organization_id, org_name = excluded.org_name,
                 pack_id = excluded.pack_id, grade = excluded.grade, issued_on = excluded.issued_on,
                 valid_until = excluded.valid_until, status = excluded.status,
                 recommended_status = excluded.recommended_status,
                 last_evaluation = excluded.last_evaluation, due_by = excluded.due_by,
                 extended_until = excluded.extended_until, as_of = excluded.as_of,
                 evaluation_id = excluded.evaluation_id, case_id = excluded.case_id
               WHERE excluded.as_of >= certificates.as_of""",  # a projection: rewritten
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
                r["case_id"],
            ),
        )
    return True
