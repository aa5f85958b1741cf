"""Reading a workbook back into a case document (SPEC §9).

The workbook is opened defensively: a file that is not an .xlsx, an encrypted (password-protected)
one, one that unpacks past MAX_UNCOMPRESSED_BYTES or holds over MAX_CELLS cells is refused before
openpyxl builds it; openpyxl parses with defusedxml, evaluates nothing and ignores external links.
Formula cells are read as the values the saving program stored; one without a stored value is an
error, never a silent zero.

The result is a `SheetDocument`: the case document plus, for every field path, the cell it was
typed in.  The case loader validates it like any other document and renders each problem with
that cell instead of a line (`hz.xlsx:评分表!E7: evaluation.scores.repair.awarded: …`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..base.errors import CaseError, Problem
from ..base.limits import MAX_WORKBOOK_CELLS as MAX_CELLS
from ..base.limits import MAX_WORKBOOK_UNCOMPRESSED_BYTES as MAX_UNCOMPRESSED_BYTES
from ..base.schema_language import Bool, Spec, Str
from ..packs import DEFAULT_PACK, builtin_pack_ids, load_pack
from ..packs.model import Pack
from .cells import ABSENT, from_cell, text_of
from .layout import (
    EXCLUDED,
    FORMAT,
    ID_PREFIXES,
    LISTS_SHEET,
    NONE_MARKS,
    PARENT_COLUMN,
    SCALAR_KEY,
    SCORES,
    SHEETS,
    sheet_def,
)
from .plan import ScoreBlock, TableBlock, workbook_plan
from .tree import get_path, set_path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")
_KEYS = re.compile(r"#keys (\S+)")


class SheetDocument(dict[str, Any]):
    """A case document read from a workbook: where each field was typed, and what did not read."""

    def __init__(self, *items: Any) -> None:
        super().__init__(*items)  # dataclasses.asdict rebuilds it from its items
        self.places: dict[str, str] = {}
        self.problems: list[Problem] = []


def _refuse(name: str, message: str) -> CaseError:
    return CaseError([Problem(name, None, "", message)])


def _check_container(raw: bytes, path: Path, name: str) -> None:
    if raw.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in raw:
            raise _refuse(
                name, "the workbook is password-protected (encrypted): save a copy without a password"
            )
        raise _refuse(name, "an Excel 97-2003 (.xls) file, not an .xlsx workbook: save it as .xlsx")
    if not zipfile.is_zipfile(path):
        raise _refuse(name, "not a workbook: an .xlsx file is a zip archive, this file is not")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            raise _refuse(name, "not an .xlsx workbook (the archive has no xl/workbook.xml)")
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            raise _refuse(
                name,
                f"the workbook unpacks to {unpacked} bytes, over the limit of {MAX_UNCOMPRESSED_BYTES}",
            )


def _open(path: Path, name: str, **options: Any) -> Workbook:
    try:
        return load_workbook(path, keep_links=False, keep_vba=False, rich_text=False, **options)
    except CaseError:
        raise
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise _refuse(name, f"not a readable workbook: {type(e).__name__}: {e}") from None


def _count_cells(path: Path, name: str) -> None:
    """Stream the sheets once and refuse a workbook with too many cells, before building it."""
    wb = _open(path, name, read_only=True)
    try:
        count = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                count += sum(1 for v in row if v is not None)
                if count > MAX_CELLS:
                    raise _refuse(
                        name, f"the workbook has over {MAX_CELLS} cells with a value: too big to be a case"
                    )
    finally:
        wb.close()


def open_workbook(path: Path, name: str) -> tuple[Workbook, Workbook]:
    """(stored values, formulas) of a workbook that passed the checks above."""
    try:
        if path.stat().st_size > MAX_UNCOMPRESSED_BYTES:  # a zip is never larger than its contents
            raise _refuse(name, f"the file is over the limit of {MAX_UNCOMPRESSED_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as e:
        raise _refuse(name, f"cannot read: {e.strerror}") from None
    _check_container(raw, path, name)
    _count_cells(path, name)
    return _open(path, name, data_only=True), _open(path, name)


@dataclass
class _Row:
    sheet: str
    number: int
    cells: tuple[Any, ...]  # stored values, column A first
    formulas: tuple[Any, ...]

    def place(self, col: int) -> str:
        return f"{self.sheet}!{get_column_letter(col)}{self.number}"

    def key(self) -> str | None:
        first = self.cells[0] if self.cells else None
        return first.strip() if isinstance(first, str) and first.strip() else None

    def value(self, col: int) -> Any:
        return self.cells[col - 1] if col - 1 < len(self.cells) else None

    def empty(self, start: int = 2) -> bool:
        return all(self.value(c) is None or self.value(c) == "" for c in range(start, len(self.cells) + 1))


class _Reader:
    def __init__(self, name: str, pack: Pack, stage: str) -> None:
        self.name = name
        self.plan = workbook_plan(pack, stage)
        self.forms = self.plan.form_rows()
        self.tables = self.plan.tables()
        self.scores = next(
            (b for p in self.plan.sheets.values() for b in p.blocks if isinstance(b, ScoreBlock)), None
        )
        self.doc = SheetDocument()
        self.children: list[tuple[TableBlock, list[_Entry]]] = []
        self.nulls: list[tuple[str, str]] = []

    def problem(self, place: str, field: str, message: str) -> None:
        self.doc.problems.append(Problem(self.name, None, field, message, place=place))

    def cell(self, row: _Row, col: int, path: str, spec: Spec | None, many: bool = False) -> Any:
        """The document's value of one cell; ABSENT when empty or unreadable."""
        raw = row.value(col)
        formula = row.formulas[col - 1] if col - 1 < len(row.formulas) else None
        if raw is None and isinstance(formula, str) and formula.startswith("="):
            self.problem(
                row.place(col),
                path,
                f"the formula {formula} has no stored result (the program that saved the file did not"
                " compute it): open the file in Excel or LibreOffice and save it, or type the value",
            )
            return ABSENT
        if spec is None:  # a key the case shape does not know: the validation names it
            return text_of(raw) if isinstance(raw, str) else raw
        return from_cell(raw, spec, many)

    # ---------------------------------------------------------------------------------- sheets
    def sheet(self, ws: Worksheet, formulas: Worksheet) -> None:
        mode: str | None = None
        keys: list[str] = []
        entries: list[_Entry] = []
        block: TableBlock | None = None
        for row in _rows(ws, formulas):
            key = row.key()
            if row.number == 1 or key in ("#table", "#labels", "#sum"):
                continue
            if key == "#form":
                mode = "form"
                continue
            found = _KEYS.fullmatch(key) if key else None
            if found:
                self.flush(block, entries)
                path = found.group(1)
                keys = [k.strip() if isinstance(k, str) else "" for k in row.cells[1:]]
                mode, block, entries = ("scores", None, []) if path == SCORES else ("table", None, [])
                if mode == "table":
                    block = self.tables.get(path)
                    if block is None:
                        self.problem(row.place(1), path, "a table the case shape does not have")
                        mode = None
                continue
            if mode == "form" and key:
                self.form_row(row, key)
            elif mode == "form" and not row.empty():
                self.problem(
                    row.place(2), "", "a row without a field key (hidden column A): add rows to tables only"
                )
            elif mode == "table" and block is not None and not row.empty():
                entry = self.table_row(row, block, keys, len(entries))
                if entry is not None:
                    entries.append(entry)
            elif mode == "scores" and key and self.scores is not None:
                self.score_row(row, key, keys)
        self.flush(block, entries)

    def form_row(self, row: _Row, key: str) -> None:
        column = self.forms.get(key)
        value = self.cell(row, 3, key, column.spec if column else None)
        self.doc.places[key] = row.place(3)
        for cut in _prefixes(key):
            self.doc.places.setdefault(cut, row.place(3))
        if value is ABSENT:
            if column is not None and column.required and column.nullable:
                parent = key.rpartition(".")[0]
                self.nulls.append((parent, key))
            return
        set_path(self.doc, key, value)

    def table_row(self, row: _Row, block: TableBlock, keys: list[str], index: int) -> _Entry | None:
        columns = {c.key: c for c in block.columns}
        parent_id = ""
        item: dict[str, Any] = {}
        places: dict[str, str] = {}
        values = [(col, key) for col, key in enumerate(keys, start=2) if key]
        first = next((row.value(col) for col, key in values if key != PARENT_COLUMN), None)
        if isinstance(first, str) and text_of(first).lower() in NONE_MARKS:
            return _Entry("", None, row, {})
        for col, key in values:
            if key == PARENT_COLUMN:
                raw = row.value(col)
                parent_id = text_of(str(raw)) if raw is not None else ""
                continue
            column = columns.get(key)
            places[key] = row.place(col)
            here = f"{block.path}[{index}].{key}"
            value = self.cell(
                row, col, here, column.spec if column else None, column.many if column else False
            )
            if value is ABSENT:
                if column is not None and column.required and column.nullable:
                    item[key] = None
                continue
            if key == SCALAR_KEY:
                item[key] = value
            else:
                set_path(item, key, value)
        return _Entry(parent_id, item, row, places)

    def flush(self, block: TableBlock | None, entries: list[_Entry]) -> None:
        if block is None or not entries:
            return
        if block.parent is not None:
            self.children.append((block, list(entries)))
            return
        set_path(self.doc, block.path, _items(block, entries, self.doc, block.path))

    def score_row(self, row: _Row, indicator: str, keys: list[str]) -> None:
        col = {key: i for i, key in enumerate(keys, start=2)}
        base = f"{SCORES}.{indicator}"
        self.doc.places.setdefault(SCORES, row.place(col["available"]))
        score: dict[str, Any] = {}
        assert self.scores is not None  # a `#keys evaluation.scores` row needs the shape's score sheet
        for field in ("available", "awarded"):
            spec = self.scores.score.fields[field].spec
            value = self.cell(row, col[field], f"{base}.{field}", spec)
            self.doc.places[f"{base}.{field}"] = row.place(col[field])
            if value is not ABSENT:
                score[field] = value
        self.doc.places[base] = row.place(col["available"])
        if score:
            scores = get_path(self.doc, SCORES)
            if not isinstance(scores, dict):
                scores = {}
                set_path(self.doc, SCORES, scores)
            scores[indicator] = score
        exclusion = self.scores.exclusion
        justification_spec = exclusion.fields["justification"].spec if exclusion else Str()
        index = len(self.doc.get("evaluation", {}).get("excluded", []))
        where = f"{EXCLUDED}[{index}]"
        excluded = self.cell(row, col["excluded"], where, Bool())
        if excluded is ABSENT or excluded is False:
            return
        self.doc.places[where] = row.place(col["excluded"])
        entry: dict[str, Any] = {"indicator": indicator}
        if excluded is not True:
            entry["excluded"] = excluded  # neither 是 nor 否: the validation names the cell
        self.doc.places[f"{where}.indicator"] = row.place(col["excluded"])
        justification = self.cell(row, col["justification"], f"{where}.justification", justification_spec)
        self.doc.places[f"{where}.justification"] = row.place(col["justification"])
        if justification is not ABSENT:
            entry["justification"] = justification
        evaluation = self.doc.setdefault("evaluation", {})
        evaluation.setdefault("excluded", []).append(entry)

    def attach_children(self) -> None:
        for block, entries in self.children:
            assert block.parent is not None
            found = get_path(self.doc, block.parent)
            parents = found if isinstance(found, list) else []
            ids = _ids(parents, ID_PREFIXES.get(block.parent, ""))
            child = block.path.rsplit("[].", 1)[1]
            grouped: dict[int, list[_Entry]] = {}
            for entry in entries:
                if entry.parent_id not in ids:
                    self.problem(
                        entry.row.place(2), block.path, f"no item {entry.parent_id!r} in {block.parent}"
                    )
                    continue
                grouped.setdefault(ids[entry.parent_id], []).append(entry)
            for index, group in grouped.items():
                parents[index][child] = _items(block, group, self.doc, f"{block.parent}[{index}].{child}")


@dataclass
class _Entry:
    """One table row: the item it belongs to (child tables), its fields (None: the list is empty)."""

    parent_id: str
    item: dict[str, Any] | None
    row: _Row
    places: dict[str, str]


def _ids(parents: list[Any], prefix: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    for index, item in enumerate(parents):
        given = item.get("id") if isinstance(item, dict) else None
        ids[given if isinstance(given, str) else f"{prefix}-{index + 1}" if prefix else str(index + 1)] = (
            index
        )
    return ids


def _items(block: TableBlock, entries: list[_Entry], doc: SheetDocument, path: str) -> list[Any]:
    """The list a table's rows make, each field's cell recorded under its final path."""
    doc.places.setdefault(path, entries[0].row.place(2))
    if len(entries) == 1 and entries[0].item is None:
        return []
    out: list[Any] = []
    for index, entry in enumerate(e for e in entries if e.item is not None):
        assert entry.item is not None
        here = f"{path}[{index}]"
        doc.places[here] = entry.row.place(2)
        for key, place in entry.places.items():
            doc.places[here if key == SCALAR_KEY else f"{here}.{key}"] = place
        out.append(entry.item.get(SCALAR_KEY) if block.scalar else entry.item)
    return out


def _prefixes(path: str) -> Iterator[str]:
    while "." in path:
        path = path.rsplit(".", 1)[0]
        yield path


def _rows(ws: Worksheet, formulas: Worksheet) -> Iterator[_Row]:
    values = ws.iter_rows(values_only=True)
    written = formulas.iter_rows(values_only=True)
    for number, (cells, formula_cells) in enumerate(zip(values, written, strict=False), start=1):
        yield _Row(ws.title, number, tuple(cells), tuple(formula_cells))


def _marker(ws: Worksheet) -> str | None:
    first = ws.cell(row=1, column=1).value
    if isinstance(first, str) and first.startswith(FORMAT + " "):
        return first[len(FORMAT) + 1 :].strip()
    return None


def _pack_and_stage(wb: Workbook) -> tuple[Pack, str]:
    pack_id, stage = DEFAULT_PACK, ""
    for ws in wb.worksheets:
        if _marker(ws) != "basic":
            continue
        for row in ws.iter_rows(min_col=1, max_col=3, values_only=True):
            key, value = row[0], row[2] if len(row) > 2 else None
            if key == "pack" and isinstance(value, str) and value.strip() in builtin_pack_ids():
                pack_id = value.strip()
            if key == "stage" and isinstance(value, str):
                stage = value.strip()
    return load_pack(pack_id), stage


def read_workbook(path: Path, name: str | None = None) -> tuple[SheetDocument, None]:
    """The case document of a certeval workbook (the case loader's reader for .xlsx)."""
    name = name or str(path)
    values, formulas = open_workbook(path, name)
    sheets = [ws for ws in values.worksheets if ws.title != LISTS_SHEET]
    known = {s.key for s in SHEETS}
    if not any(_marker(ws) in known for ws in sheets):
        raise _refuse(
            name,
            "not a certeval workbook: no sheet has certeval's hidden key column (A1 and column A);"
            " it was made by another tool. Start from `certeval sheet new`",
        )
    pack, stage = _pack_and_stage(values)
    reader = _Reader(name, pack, stage)
    for ws in sheets:
        key = _marker(ws)
        if key not in known:
            reader.problem(f"{ws.title}!A1", "", "not a certeval sheet (no marker in the hidden column A)")
            continue
        expected = sheet_def(key).name
        if ws.title != expected:
            reader.problem(f"{ws.title}!A1", "", f"the sheet was renamed: it must be called {expected}")
        reader.sheet(ws, formulas[ws.title])
    for parent, key in reader.nulls:
        if not parent or isinstance(get_path(reader.doc, parent), dict):
            set_path(reader.doc, key, None)
    reader.attach_children()
    return reader.doc, None
