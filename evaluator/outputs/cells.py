"""Cells for spreadsheets: text that Excel, LibreOffice or Sheets cannot take for a formula.

A CSV cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
when the file is opened (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`).  As OWASP recommends, such a
cell gets a leading apostrophe, which spreadsheets show as text and do not display.

A plain number (`-5`, `+3`, `-0.5`) is left alone: a spreadsheet reads it as that number and
runs nothing, and an apostrophe would turn a column of numbers into text.  JSON output is never
touched: it carries the exact value.
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?")


def neutralise_cell(text: str) -> str:
    """`text` as a spreadsheet cell that cannot start a formula."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
