"""`register cnca`: the monthly report to the regulator, one workbook (SPEC §9)."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ..base.errors import CaseError, UsageError
from ..sheets.writer import display_width, put
from .lint import lint_sheets
from .mapping import Mapping
from .rows import month_rows

MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
BODY_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}")


def report_name(body_id: str, month: str) -> str:
    if not BODY_ID.fullmatch(body_id):
        raise UsageError(f"body id {body_id!r}: upper-case letters, digits and '-' (at most 32)")
    if not MONTH.fullmatch(month):
        raise UsageError(f"month {month!r} is not YYYY-MM")
    return f"{body_id}-{month}-cnca.xlsx"


def _cell(value: Any, field: str, mapping: Mapping) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime(mapping.date_format)
    codes = mapping.codes.get(field)
    if codes and isinstance(value, str):
        return codes.get(value, value)
    return value if isinstance(value, (int, float)) else str(value)


def cnca_workbook(conn: sqlite3.Connection, month: str, mapping: Mapping, file: str) -> bytes:
    """The workbook's bytes; CaseError (exit 2) with every failing cell when a row fails the lint."""
    rows = month_rows(conn, month)
    sheets = [
        (sheet, [[_cell(r.get(c.field), c.field, mapping) for c in sheet.columns] for r in rows[sheet.rows]])
        for sheet in mapping.sheets
    ]
    numbers = {str(r["certificate.number"]) for r in rows["certificates"]}
    problems = lint_sheets(file, sheets, numbers)
    if problems:
        raise CaseError(problems)
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for sheet, cells in sheets:
        ws = wb.create_sheet(sheet.name)
        for col, column in enumerate(sheet.columns, start=1):
            put(ws, 1, col, column.header).font = Font(bold=True)
            width = max([display_width(column.header)] + [display_width(str(r[col - 1])) for r in cells])
            ws.column_dimensions[ws.cell(1, col).column_letter].width = min(60, width + 2)
        for number, row in enumerate(cells, start=2):
            for col, value in enumerate(row, start=1):
                put(ws, number, col, value)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_cnca(conn: sqlite3.Connection, month: str, mapping: Mapping, body_id: str, out: Path) -> Path:
    from ..outputs.files import write_atomic

    path = out / report_name(body_id, month)
    write_atomic(path, cnca_workbook(conn, month, mapping, str(path)))
    return path
