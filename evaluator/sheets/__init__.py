"""Spreadsheets in and out (SPEC §9): a workbook to fill in, a case read back from one, a case
written into one.  The layout is read off the pack's case shape (see `plan` and `layout`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from ..base.case_model import Case
from ..case.loader import build_case, load_case, read_document
from ..packs import DEFAULT_PACK, Pack, load_pack
from .reader import read_workbook
from .writer import workbook_bytes


def blank_workbook(stage: str, pack_ref: str | Path | None = None) -> bytes:
    """The .xlsx of an empty workbook for a case of `stage`."""
    return workbook_bytes(load_pack(pack_ref or DEFAULT_PACK), stage)


def export_case(path: Path, pack_ref: str | Path | None = None) -> bytes:
    """The .xlsx of a valid case file (a case that does not validate is refused, CaseError)."""
    case, pack = load_case(path, pack_ref=pack_ref)
    doc, _ = read_document(path, fast=False)  # the cells want how numbers were written (SourceInt)
    return workbook_bytes(pack, case.stage, doc)


def import_workbook(
    path: Path, pack_ref: str | Path | None = None, *, today: dt.date | None = None
) -> tuple[Case, Pack, str]:
    """The validated case of a workbook, and its document as YAML (CaseError with cells)."""
    name = str(path)
    doc, _ = read_workbook(path, name)
    case, pack = build_case(doc, name, pack_ref=pack_ref, today=today)
    return case, pack, case_yaml(doc)


def case_yaml(doc: Any) -> str:
    """A case document as YAML, in the order of the workbook."""
    return yaml.safe_dump(_plain(doc), allow_unicode=True, sort_keys=False, width=100)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
