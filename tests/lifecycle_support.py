"""What the tests of the workbench's reply, verification and decision forms share (issue 17):
their URLs, a valid reply and verification posted through the case page's forms, and the
register read back."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from helpers import LIFECYCLE_ID, csrf_of

from evaluator.register import open_reader, version_document, versions

CASE = f"/cases/{LIFECYCLE_ID}"
REPLY = f"{CASE}/ncs/NC-1/reply"
VERIFY = f"{CASE}/ncs/NC-1/verification"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def versions_in(db: Path) -> list[dict[str, Any]]:
    conn = open_reader(db)
    try:
        return versions(conn, LIFECYCLE_ID)
    finally:
        conn.close()


def latest_document(db: Path) -> dict[str, Any]:
    conn = open_reader(db)
    try:
        return version_document(conn, LIFECYCLE_ID)
    finally:
        conn.close()


def stored_files(db: Path) -> list[tuple[str, int, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT sha256, size, media_type, name FROM evidence_files").fetchall()


def form_of(client: Any) -> dict[str, str]:
    """The CSRF token and the version the case page's forms were opened on."""
    page = client.get(CASE).text
    return {"csrf_token": csrf_of(page), "base": re.search(r'name="base" value="(\d+)"', page).group(1)}


def reply(client: Any, files: list[tuple[str, bytes]] = (), **fields: str) -> Any:
    data = {
        **form_of(client),
        "received_on": "2027-03-23",
        "root_cause": "投诉登记未设答复时限提醒",
        "correction": "逐一回复超期投诉",
        "corrective_action": "投诉系统增加 7 日提醒",
        **fields,
    }
    uploads = [("evidence_files", (name, content, "application/pdf")) for name, content in files]
    return client.post(REPLY, data=data, files=uploads or None)


def verify(client: Any, **fields: str) -> Any:
    data = {**form_of(client), "date": "2027-03-24", "result": "accepted", "method": "document", **fields}
    return client.post(VERIFY, data=data)
