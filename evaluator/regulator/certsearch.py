"""`register certsearch`: the IAF CertSearch certificate fields as CSV (SPEC §9).

Statuses are as of the given date in CertSearch's vocabulary.  Every cell is neutralised against
formula injection: a text starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, so a spreadsheet shows it as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from typing import Any

from ..register.queries import CERTIFICATES, _status_on

COLUMNS = (
    "Certification Identity Number",
    "Certificate Number",
    "Certification Status",
    "Certification Standard",
    "Certification Scope",
    "Certification Original Issue Date",
    "Certification Issue Date",
    "Certification Expiry Date",
    "Certified Entity Name",
    "Certified Entity Address",
    "Country",
)
STATUS = {"valid": "active", "suspended": "suspended", "withdrawn": "withdrawn", "expired": "expired"}
STANDARD = "GB/T 27922-2011"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")


def neutralised(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def certsearch_csv(conn: sqlite3.Connection, day: dt.date, body_id: str) -> str:
    conn.row_factory = sqlite3.Row
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for c in conn.execute(CERTIFICATES + " ORDER BY c.number"):
        issued = c["issued_on"].replace("-", "")
        row = (
            f"{body_id}-{c['number']}",
            c["number"],
            STATUS[_status_on(c, day)],
            STANDARD,
            "",  # the register keeps no scope yet (certificate.scope comes with SPEC §7.1)
            issued,
            issued,
            c["valid_until"].replace("-", ""),
            c["org_name"],
            "",  # nor the address (organization.address, SPEC §7.1)
            "CN" if CREDIT_CODE.fullmatch(c["credit_code"] or "") else "",
        )
        writer.writerow([neutralised(v) for v in row])
    return buffer.getvalue()
