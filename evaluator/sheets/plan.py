"""The workbook's plan: which blocks of rows and columns each sheet holds, read off the case shape.

Nothing here names a case field.  The shape of the pack and stage (evaluator/case/shape.py) is
walked; each scalar field becomes a row of a form, each list of mappings a table (a list inside a
list item becomes a child table whose rows name their item), each list of strings a one-column
table, and the indicator score sheet a table of the pack's indicators by category.  `layout`
says on which sheet each path goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..base.i18n import Text
from ..base.schema_language import Dict, Either, Field, ListOf, Obj, Spec
from ..case.shape import case_spec
from ..packs.model import Pack
from .labels import field_label
from .layout import EXCLUDED, SCALAR_KEY, SCORES, SHEETS, SheetDef, sheet_for


@dataclass(frozen=True)
class Column:
    key: str  # a form row: the full path; a table column: the path inside the item
    generic: str  # the full path with lists written `[]`, as labels and placement know it
    spec: Spec
    required: bool
    nullable: bool
    label: Text
    help: Text | None = None
    many: bool = False  # a list of strings kept in one cell, one per line
    always: bool = False  # required whenever the case is (its sections on the way are required too)


@dataclass(frozen=True)
class FormBlock:
    rows: tuple[Column, ...]


@dataclass(frozen=True)
class TableBlock:
    path: str  # the list's path, `[]` for the lists it sits in
    label: Text
    columns: tuple[Column, ...]
    parent: str | None = None  # the list whose items the rows belong to
    scalar: bool = False  # a list of strings: one column, keyed SCALAR_KEY


@dataclass(frozen=True)
class ScoreBlock:
    score: Obj  # the shape of one indicator's {awarded, available}
    exclusion: Obj | None  # the shape of one entry of the exclusions, folded into the rows


Block = FormBlock | TableBlock | ScoreBlock


@dataclass
class SheetPlan:
    sheet: SheetDef
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Plan:
    pack: Pack
    stage: str
    sheets: dict[str, SheetPlan]

    def tables(self) -> dict[str, TableBlock]:
        return {b.path: b for s in self.sheets.values() for b in s.blocks if isinstance(b, TableBlock)}

    def form_rows(self) -> dict[str, Column]:
        return {
            c.key: c
            for s in self.sheets.values()
            for b in s.blocks
            if isinstance(b, FormBlock)
            for c in b.rows
        }


def _column(key: str, generic: str, fld: Field, many: bool = False, always: bool = False) -> Column:
    label, help_text = field_label(generic, key if key != SCALAR_KEY else None)
    return Column(key, generic, fld.spec, fld.required, fld.nullable, label, help_text, many, always)


def _is_scalar(spec: Spec) -> bool:
    return not isinstance(spec, (Obj, Dict, ListOf)) or isinstance(spec, Either)


class _Walker:
    def __init__(self, pack: Pack, stage: str) -> None:
        self.plan = Plan(pack, stage, {s.key: SheetPlan(s) for s in SHEETS})

    def place(self, generic: str, block: Block) -> None:
        blocks = self.plan.sheets[sheet_for(generic)].blocks
        if isinstance(block, FormBlock) and blocks and isinstance(blocks[-1], FormBlock):
            blocks[-1] = FormBlock(blocks[-1].rows + block.rows)
        else:
            blocks.append(block)

    def form(self, obj: Obj, path: str, always: bool = True) -> None:
        for name, fld in obj.fields.items():
            here = f"{path}.{name}" if path else name
            spec = fld.spec
            if here == EXCLUDED:
                continue  # folded into the score sheet
            if isinstance(spec, Obj):
                self.form(spec, here, always and fld.required)
            elif isinstance(spec, Dict) and here == SCORES and isinstance(spec.value, Obj):
                self.place(here, ScoreBlock(spec.value, _exclusion(obj)))
            elif isinstance(spec, ListOf):
                self.table(spec, here, parent=None)
            elif _is_scalar(spec):
                self.place(here, FormBlock((_column(here, here, fld, always=always and fld.required),)))
            else:
                raise AssertionError(f"the workbook has no home for {here}")

    def table(self, spec: ListOf, path: str, parent: str | None) -> None:
        label, _ = field_label(path, path.replace("[]", ""))
        if not isinstance(spec.item, Obj):
            column = _column(SCALAR_KEY, f"{path}[]", Field(spec.item, required=True))
            self.place(path, TableBlock(path, label, (column,), parent, scalar=True))
            return
        columns: list[Column] = []
        self.columns(spec.item, path, "", columns)
        self.place(path, TableBlock(path, label, tuple(columns), parent))

    def columns(self, obj: Obj, list_path: str, prefix: str, out: list[Column]) -> None:
        for name, fld in obj.fields.items():
            key = f"{prefix}.{name}" if prefix else name
            generic = f"{list_path}[].{key}"
            spec = fld.spec
            if isinstance(spec, Obj):
                self.columns(spec, list_path, key, out)
            elif isinstance(spec, ListOf) and _is_scalar(spec.item):
                out.append(_column(key, generic, fld, many=True))
            elif isinstance(spec, ListOf):
                self.table(spec, generic, parent=list_path)
            elif _is_scalar(spec):
                out.append(_column(key, generic, fld))
            else:
                raise AssertionError(f"the workbook has no home for {generic}")


def _exclusion(evaluation: Obj) -> Obj | None:
    fld = evaluation.fields.get(EXCLUDED.rsplit(".", 1)[-1])
    if fld is not None and isinstance(fld.spec, ListOf) and isinstance(fld.spec.item, Obj):
        return fld.spec.item
    return None


def workbook_plan(pack: Pack, stage: str) -> Plan:
    """The sheets and blocks of a workbook for a case of `stage` under `pack`."""
    walker = _Walker(pack, stage)
    walker.form(case_spec(pack, stage), "")
    return walker.plan
