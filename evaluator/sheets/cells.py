"""One value between the case document and a worksheet cell, both ways (SPEC §9).

Reading tolerates what people type: blank cells, surrounding spaces, numbers typed as text
("5.5"), dates as Excel dates or `YYYY-MM-DD` text, 是/否 and Yes/No.  Anything else is passed
on as it was typed, so the case validation names it ("5或6" is not a number) at its cell.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..base.schema_language import Bool, Date, Int, Num, Spec, Str
from ..base.yamlsafe import SourceInt
from .layout import BOOL_WORDS, MORE_LINES

ABSENT: Any = object()  # an empty cell: the key is left out
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def text_of(value: str) -> str:
    """A cell's text as the case holds it: CRLF and CR become LF, no surrounding space."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


# --------------------------------------------------------------------------------------- write
def to_cell(value: Any, spec: Spec, many: bool = False) -> Any:
    """What a cell holds for a value of the case document."""
    if value is None:
        return None
    if many and isinstance(value, list):
        return MORE_LINES.join(str(to_cell(v, spec)) for v in value)
    if isinstance(value, SourceInt):
        return value.text if isinstance(spec, Str) else int(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(spec, Date) and isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


# ---------------------------------------------------------------------------------------- read
def from_cell(raw: Any, spec: Spec, many: bool = False) -> Any:
    """The case document's value for what a cell holds, or ABSENT for an empty cell."""
    if raw is None or (isinstance(raw, str) and not text_of(raw)):
        return ABSENT
    if many:
        lines = text_of(raw).split(MORE_LINES) if isinstance(raw, str) else [raw]
        return [from_cell(line, spec) for line in lines if not isinstance(line, str) or line.strip()]
    if isinstance(raw, str):
        return _from_text(text_of(raw), spec)
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat() if isinstance(spec, Str) else raw.date()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _from_number(raw, spec)
    return raw


def _from_text(text: str, spec: Spec) -> Any:
    if isinstance(spec, Bool):
        return BOOL_WORDS.get(text.lower(), text)
    if isinstance(spec, (Num, Int)) and _NUMBER.fullmatch(text):
        number = float(text)
        if isinstance(spec, Int) or (number.is_integer() and "." not in text):
            return int(number) if number.is_integer() else number
        return number
    return text


def _from_number(number: int | float, spec: Spec) -> Any:
    if isinstance(spec, Date):
        from openpyxl.utils.datetime import from_excel  # an Excel date the cell forgot to format

        try:
            return from_excel(number).date()
        except (ValueError, OverflowError):
            return number
    if isinstance(spec, Str):
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        return str(number)
    if isinstance(spec, Int) and isinstance(number, float) and number.is_integer():
        return int(number)
    if isinstance(spec, Bool) and number in (0, 1):
        return bool(number)
    return number
