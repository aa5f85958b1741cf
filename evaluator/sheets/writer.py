"""Writing a workbook: blank for a stage (`sheet new`) or filled from a case (`sheet export`).

Every sheet carries its marker in A1 and the field keys in hidden column A (forms) or a hidden
row (tables), so the visible labels may change without breaking the import.  Text goes into
string cells, never formulas; the only formulas are the score sheet's category sums, for the
auditor's eye (certeval computes its own).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..base.i18n import SEVERITY_LABELS, Text
from ..base.schema_language import Bool, Date, Enum, Int, Num, Spec
from ..packs.model import Pack
from .cells import to_cell
from .labels import bilingual
from .layout import (
    BOOL_CHOICES,
    FORMAT,
    ID_PREFIXES,
    LISTS_SHEET,
    NONE_MARK,
    PARENT_COLUMN,
    PARENT_LABEL,
    SHEETS,
)
from .plan import Column, FormBlock, Plan, ScoreBlock, SheetPlan, TableBlock, workbook_plan
from .tree import MISSING, child_items, get_path

BLANK_ROWS_NEW = 8  # empty rows offered under each table of a blank workbook
BLANK_ROWS_FILLED = 2
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TITLE_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
THIN = Side(style="thin", color="A0A0A0")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"
MAX_WIDTH = 48
LINE_HEIGHT = 15  # points per line of text


def display_width(text: str) -> int:
    """Columns a line needs: a Chinese character takes two."""
    return max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.split("\n")), default=0)


def put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """A cell with its value; a string stays a string even when it starts with '='."""
    cell = ws.cell(row=row, column=col)
    assert isinstance(cell, Cell)  # certeval writes no merged cells
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


class _Choices:
    """Drop-down lists, kept on a hidden sheet (an inline list is limited to 255 characters)."""

    def __init__(self, wb: Workbook) -> None:
        self.ws = wb.create_sheet(LISTS_SHEET)
        self.ws.sheet_state = "hidden"
        put(self.ws, 1, 1, f"{FORMAT} {LISTS_SHEET}")
        self.refs: dict[tuple[str, ...], str] = {}

    def ref(self, values: tuple[str, ...]) -> str:
        if values not in self.refs:
            col = len(self.refs) + 1
            for i, value in enumerate(values, start=2):
                put(self.ws, i, col, value)
            letter = get_column_letter(col)
            self.refs[values] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        return self.refs[values]


def _validation(spec: Spec, choices: _Choices) -> DataValidation | None:
    if isinstance(spec, Enum):
        return DataValidation(type="list", formula1=choices.ref(spec.values), allow_blank=True)
    if isinstance(spec, Bool):
        return DataValidation(type="list", formula1=f'"{",".join(BOOL_CHOICES)}"', allow_blank=True)
    if isinstance(spec, Date):
        # a warning, not a stop: a date typed as YYYY-MM-DD text is accepted on import
        return DataValidation(
            type="date", operator="greaterThan", formula1="1", allow_blank=True, errorStyle="warning"
        )
    if isinstance(spec, (Num, Int)):
        low = spec.minimum if spec.minimum is not None else -(10**9)
        return DataValidation(
            type="whole" if isinstance(spec, Int) else "decimal",
            operator="greaterThanOrEqual",
            formula1=str(low),
            allow_blank=True,
        )
    return None


def _labels(pack: Pack) -> dict[str, Text]:
    """The pack's labels of its closed sets, to explain a drop-down's choices."""
    found: dict[str, Text] = {k: v for k, v in SEVERITY_LABELS.items()}
    for group in (pack.documents, pack.evidence, pack.change_kinds, pack.indicators):
        found.update({key: item.label for key, item in group.items()})
    found.update({g.id: g.label for g in pack.grades})
    return found


class _SheetWriter:
    def __init__(self, ws: Worksheet, plan: SheetPlan, pack: Pack, choices: _Choices, filled: bool) -> None:
        self.ws, self.plan, self.pack, self.choices, self.filled = ws, plan, pack, choices, filled
        self.row = 3
        self.widths: dict[int, int] = {2: 16}
        self.freeze: int | None = None
        self.pack_labels = _labels(pack)

    def width(self, col: int, text: str) -> None:
        self.widths[col] = min(MAX_WIDTH, max(self.widths.get(col, 8), display_width(text) + 2))

    def header(self, row: int, col: int, text: str) -> None:
        cell = put(self.ws, row, col, text)
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, WRAP, BOX
        self.width(col, text)

    def value(self, row: int, col: int, value: Any, spec: Spec, many: bool = False) -> None:
        cell = put(self.ws, row, col, to_cell(value, spec, many))
        cell.alignment, cell.border = WRAP, BOX
        if isinstance(spec, Date):
            cell.number_format = DATE_FORMAT
        if isinstance(cell.value, str):
            self.width(col, cell.value)

    def validate(self, spec: Spec, ref: str) -> None:
        rule = _validation(spec, self.choices)
        if rule is not None:
            rule.add(ref)
            self.ws.add_data_validation(rule)

    def start(self) -> None:
        sheet = self.plan.sheet
        put(self.ws, 1, 1, f"{FORMAT} {sheet.key}")
        title = put(self.ws, 1, 2, f"{sheet.name}  {sheet.label_en}")
        title.font = TITLE_FONT

    # -------------------------------------------------------------------------------- blocks
    def form(self, block: FormBlock, doc: Any) -> None:
        put(self.ws, self.row, 1, "#form")
        for col, text in enumerate(("字段\nField", "内容\nValue", "说明\nNote"), start=2):
            self.header(self.row, col, text)
        self.freeze = self.freeze or self.row + 1
        self.row += 1
        for column in block.rows:
            put(self.ws, self.row, 1, column.key)
            label = put(self.ws, self.row, 2, bilingual(column.label))
            label.alignment, label.border = WRAP, BOX
            self.width(2, bilingual(column.label))
            value = get_path(doc, column.key) if self.filled else MISSING
            self.value(self.row, 3, None if value is MISSING else value, column.spec)
            self.validate(column.spec, f"C{self.row}")
            note = put(self.ws, self.row, 4, self.note(column))
            note.alignment = WRAP
            self.row += 1
        self.widths[3] = max(self.widths.get(3, 0), 24)
        self.widths[4] = MAX_WIDTH
        self.row += 1

    def note(self, column: Column) -> str:
        parts = ["必填 required"] if column.always else []
        spec = column.spec
        if isinstance(spec, Enum):
            shown = [f"{v} {self.pack_labels[v].zh}" if v in self.pack_labels else v for v in spec.values]
            parts.append("可选 choices: " + ", ".join(shown))
        elif isinstance(spec, Bool):
            parts.append("是 / 否")
        elif isinstance(spec, Date):
            parts.append("日期 date YYYY-MM-DD")
        elif isinstance(spec, (Num, Int)):
            parts.append("数字 number")
        if column.help is not None:
            parts.append(bilingual(column.help))
        return "\n".join(parts)

    def table(self, block: TableBlock, doc: Any) -> None:
        title = put(self.ws, self.row, 2, bilingual(block.label))
        title.font = BOLD
        put(self.ws, self.row, 1, "#table")
        self.row += 1
        columns = list(block.columns)
        keys = ([PARENT_COLUMN] if block.parent else []) + [c.key for c in columns]
        put(self.ws, self.row, 1, f"#keys {block.path}")
        for col, key in enumerate(keys, start=2):
            put(self.ws, self.row, col, key)
        self.ws.row_dimensions[self.row].hidden = True
        self.row += 1
        put(self.ws, self.row, 1, "#labels")
        labels = ([PARENT_LABEL] if block.parent else []) + [c.label for c in columns]
        for col, label in enumerate(labels, start=2):
            self.header(self.row, col, bilingual(label))
        self.freeze = self.freeze or self.row + 1
        self.row += 1
        first = self.row
        offset = 3 if block.parent else 2
        rows = list(table_items(block, doc)) if self.filled else []
        for parent_id, item in rows:
            if block.parent:
                self.value(self.row, 2, parent_id, Enum(()))
            if item is MISSING:  # a list given with no entries
                put(self.ws, self.row, offset, NONE_MARK)
            for col, column in enumerate(columns, start=offset):
                if item is MISSING:
                    continue
                value = item if block.scalar else get_path(item, column.key)
                self.value(self.row, col, None if value is MISSING else value, column.spec, column.many)
            self.row += 1
        for _ in range(BLANK_ROWS_FILLED if self.filled else BLANK_ROWS_NEW):
            for col in range(2, offset + len(columns)):
                self.ws.cell(row=self.row, column=col).border = BOX
            self.row += 1
        last = self.row - 1
        for col, column in enumerate(columns, start=offset):
            if not column.many:
                letter = get_column_letter(col)
                self.validate(column.spec, f"{letter}{first}:{letter}{last}")
            self.widths[col] = max(self.widths.get(col, 0), 12)
        self.row += 1

    def scores(self, block: ScoreBlock, doc: Any) -> None:
        pack, ws = self.pack, self.ws
        put(ws, self.row, 1, "#keys evaluation.scores")
        keys = ("category", "indicator", "available", "awarded", "excluded", "justification")
        for col, key in enumerate(keys, start=2):
            put(ws, self.row, col, key)
        ws.row_dimensions[self.row].hidden = True
        self.row += 1
        put(ws, self.row, 1, "#labels")
        heads = ("类别\nCategory", "指标\nIndicator", "应得分\nAvailable", "实得分\nAwarded")
        for col, text in enumerate((*heads, "删减\nExcluded", "删减理由\nJustification"), start=2):
            self.header(self.row, col, text)
        self.freeze = self.freeze or self.row + 1
        self.row += 1
        scores = get_path(doc, "evaluation.scores") if self.filled else MISSING
        excluded = _exclusions(get_path(doc, "evaluation.excluded") if self.filled else MISSING)
        available, awarded = block.score.fields["available"].spec, block.score.fields["awarded"].spec
        subtotals: list[int] = []
        for category in pack.categories.values():
            first = self.row
            for indicator in (i for i in pack.indicators.values() if i.category == category.id):
                put(ws, self.row, 1, indicator.id)
                put(ws, self.row, 2, bilingual(category.label)).alignment = WRAP
                put(ws, self.row, 3, bilingual(indicator.label)).alignment = WRAP
                self.width(3, bilingual(indicator.label))
                score = scores.get(indicator.id, {}) if isinstance(scores, Mapping) else {}
                self.value(self.row, 4, score.get("available"), available)
                self.value(self.row, 5, score.get("awarded"), awarded)
                self.validate(available, f"D{self.row}")
                rule = DataValidation(
                    type="decimal",
                    operator="between",
                    formula1="0",
                    formula2=f"D{self.row}",
                    allow_blank=True,
                )
                rule.error = "0 ≤ 实得分 awarded ≤ 应得分 available"
                rule.add(f"E{self.row}")
                ws.add_data_validation(rule)
                if indicator.id in excluded:
                    self.value(self.row, 6, True, Bool())
                    self.value(self.row, 7, excluded[indicator.id], Enum(()))
                else:
                    self.value(self.row, 6, None, Bool())
                    self.value(self.row, 7, None, Enum(()))
                self.validate(Bool(), f"F{self.row}")
                self.row += 1
            self.subtotal(
                f"小计 {category.label.zh}\nSubtotal {category.label.en} (max {category.max})", first
            )
            subtotals.append(self.row - 1)
        put(ws, self.row, 1, "#sum")
        put(ws, self.row, 3, "合计\nTotal").font = BOLD
        for letter in ("D", "E"):
            ws[f"{letter}{self.row}"] = "=" + "+".join(f"{letter}{r}" for r in subtotals)
            ws[f"{letter}{self.row}"].font = BOLD
        self.row += 2
        self.widths.update({2: max(self.widths.get(2, 0), 26), 3: max(self.widths.get(3, 0), 28)})
        self.widths.update({4: 16, 5: 12, 6: 10, 7: 30})

    def subtotal(self, label: str, first: int) -> None:
        ws = self.ws
        put(ws, self.row, 1, "#sum")
        cell = put(ws, self.row, 3, label)
        cell.font, cell.alignment = BOLD, WRAP
        for col in ("D", "E"):
            ws[f"{col}{self.row}"] = f"=SUM({col}{first}:{col}{self.row - 1})"
            ws[f"{col}{self.row}"].font = BOLD
        self.row += 1

    def finish(self) -> None:
        ws = self.ws
        ws.column_dimensions["A"].hidden = True
        for col, width in self.widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        self.row_heights()
        if self.freeze:
            ws.freeze_panes = f"A{self.freeze}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if len(self.widths) > 4 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = False

    def row_heights(self) -> None:
        """Spreadsheet programs do not grow a row for wrapped text on their own: say how tall."""
        for number, row in enumerate(self.ws.iter_rows(min_row=2, min_col=2), start=2):
            lines = max(
                (
                    _lines(c.value, self.widths.get(col, 8))
                    for col, c in enumerate(row, start=2)
                    if isinstance(c.value, str)
                ),
                default=1,
            )
            if lines > 1:
                self.ws.row_dimensions[number].height = min(LINE_HEIGHT * lines, 8 * LINE_HEIGHT)


def table_items(block: TableBlock, doc: Any) -> Iterable[tuple[str, Any]]:
    """(id of the item a row belongs to, the row's entry) for every entry of the list."""
    if block.parent is None:
        found = get_path(doc, block.path)
        if isinstance(found, list):
            yield from (("", item) for item in found) if found else [("", MISSING)]
        return
    prefix = ID_PREFIXES.get(block.parent, "")
    child = block.path.rsplit("[].", 1)[1]
    for index, parent in enumerate(child_items(doc, block.parent)):
        given = parent.get("id") if isinstance(parent, Mapping) else None
        parent_id = given if isinstance(given, str) else f"{prefix}-{index + 1}" if prefix else str(index + 1)
        entries = parent.get(child) if isinstance(parent, Mapping) else None
        if isinstance(entries, list):
            yield from ((parent_id, e) for e in entries) if entries else [(parent_id, MISSING)]


def _lines(text: str, width: int) -> int:
    """Lines a wrapped text takes in a column `width` characters wide."""
    return sum(max(1, -(-display_width(line) // max(1, width - 1))) for line in text.split("\n"))


def _exclusions(found: Any) -> dict[str, Any]:
    if not isinstance(found, list):
        return {}
    return {str(e.get("indicator")): e.get("justification") for e in found if isinstance(e, Mapping)}


def build_workbook(plan: Plan, doc: Any = None) -> Workbook:
    """The workbook of `plan`, filled from the case document `doc` when one is given."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    filled = doc is not None
    sheets = [
        p
        for p in plan.sheets.values()
        if p.blocks and (plan.stage in p.sheet.stages or (filled and _has_data(p, doc)))
    ]
    choices = _Choices(wb)
    for sheet_plan in sheets:
        ws = wb.create_sheet(sheet_plan.sheet.name)
        writer = _SheetWriter(ws, sheet_plan, plan.pack, choices, filled)
        writer.start()
        for block in sheet_plan.blocks:
            if isinstance(block, FormBlock):
                writer.form(block, doc)
            elif isinstance(block, TableBlock):
                writer.table(block, doc)
            else:
                writer.scores(block, doc)
        writer.finish()
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb.active = 0
    return wb


def _has_data(plan: SheetPlan, doc: Any) -> bool:
    for block in plan.blocks:
        if isinstance(block, FormBlock) and any(get_path(doc, c.key) is not MISSING for c in block.rows):
            return True
        if isinstance(block, TableBlock) and any(True for _ in table_items(block, doc)):
            return True
        if isinstance(block, ScoreBlock) and (
            get_path(doc, "evaluation.scores") is not MISSING
            or get_path(doc, "evaluation.excluded") is not MISSING
        ):
            return True
    return False


def workbook_bytes(pack: Pack, stage: str, doc: Any = None) -> bytes:
    """The .xlsx file of a blank workbook for `stage`, or of the case document `doc`."""
    buffer = io.BytesIO()
    build_workbook(workbook_plan(pack, stage), doc).save(buffer)
    return buffer.getvalue()


def sheet_names() -> list[str]:
    return [s.name for s in SHEETS]
