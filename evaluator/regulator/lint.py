"""The regulator's rules for every cell, checked before anything is written (SPEC §9)."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..base.errors import Problem
from .mapping import SheetMap

INVISIBLE = {"\u00a0", "\u3000", "\ufeff"}  # no-break and ideographic spaces, BOM


def _invisible(text: str) -> bool:
    return any(ch in INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def lint_cell(value: Any, code: bool) -> list[str]:
    if not isinstance(value, str):
        return []
    found = []
    if value != value.strip():
        found.append("spaces before or after the text")
    if _invisible(value):
        found.append("an invisible character")
    if code and (value != value.upper() or any(ch.isspace() for ch in value)):
        found.append("a code must be upper case, without spaces")
    return found


def lint_sheets(
    file: str, sheets: list[tuple[SheetMap, list[list[Any]]]], certificate_numbers: set[str]
) -> list[Problem]:
    """Every problem of every cell (sheet, row, column); result rows must name a certificate row."""
    from openpyxl.utils import get_column_letter

    problems: list[Problem] = []
    for sheet, rows in sheets:
        for number, row in enumerate(rows, start=2):
            for col, (column, value) in enumerate(zip(sheet.columns, row, strict=True), start=1):
                place = f"{sheet.name}!{get_column_letter(col)}{number}"
                for message in lint_cell(value, column.code):
                    problems.append(
                        Problem(file, None, column.header, f"row {number}: {message}", place=place)
                    )
                refers = sheet.rows == "results" and column.field == "certificate.number"
                if refers and value not in certificate_numbers:
                    problems.append(
                        Problem(
                            file,
                            None,
                            column.header,
                            f"row {number}: {value} has no row in 证书信息表",
                            place=place,
                        )
                    )
    return problems
