"""The regulator's column mapping: a data file, validated, never a table in code (SPEC §9)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import CaseError, Problem
from ..base.schema_language import INVALID, Bool, Ctx, Dict, Enum, Field, ListOf, Obj, Str
from ..base.yamlsafe import LoadError, decode, parse_yaml

ROWS = ("plans", "certificates", "results")
FIELDS = {
    "plans": (
        "plan.number",
        "organization.name",
        "organization.credit_code",
        "scheme",
        "evaluation.type",
        "evaluation.method",
        "evaluation.date",
    ),
    "certificates": (
        "certificate.number",
        "organization.name",
        "organization.credit_code",
        "scheme",
        "certificate.grade",
        "certificate.issued_on",
        "certificate.valid_until",
        "certificate.status",
    ),
    "results": (
        "plan.number",
        "certificate.number",
        "evaluation.type",
        "evaluation.date",
        "evaluation.grade",
        "evaluation.score",
        "evaluation.recommended_status",
    ),
}
ALL_FIELDS = tuple(sorted({f for fields in FIELDS.values() for f in fields}))
DEFAULT_MAPPING = Path(__file__).resolve().parent / "cnca-columns.yaml"  # travels in the wheel


@dataclass(frozen=True)
class ColumnMap:
    header: str
    field: str
    code: bool = False
    assumed: bool = False


@dataclass(frozen=True)
class SheetMap:
    name: str
    rows: str
    columns: tuple[ColumnMap, ...]


@dataclass(frozen=True)
class Mapping:
    source: str
    date_format: str
    codes: dict[str, dict[str, str]]
    sheets: tuple[SheetMap, ...]


_SPEC = Obj(
    {
        "source": Field(Str(), required=True),
        "date_format": Field(Str(pattern=r"[%A-Za-z0-9 ./-]{2,20}"), required=True),
        "codes": Field(Dict(Dict(Str(), key_pattern=r"[a-z_]+"), key_pattern=r"[a-z_.]+")),
        "sheets": Field(
            ListOf(
                Obj(
                    {
                        "name": Field(Str(max_length=31), required=True),
                        "rows": Field(Enum(ROWS), required=True),
                        "columns": Field(
                            ListOf(
                                Obj(
                                    {
                                        "header": Field(Str(max_length=200), required=True),
                                        "field": Field(Enum(ALL_FIELDS), required=True),
                                        "code": Field(Bool()),
                                        "assumed": Field(Bool()),
                                    },
                                    build=ColumnMap,
                                )
                            ),
                            required=True,
                        ),
                    },
                    build=SheetMap,
                )
            ),
            required=True,
        ),
    }
)


def load_mapping(path: Path | None = None) -> Mapping:
    """The mapping at `path`, else the default shipped with certeval; bad input is exit 2."""
    path = path or DEFAULT_MAPPING
    name = str(path)
    try:
        doc = parse_yaml(decode(path.read_bytes(), name), name)
    except OSError as e:
        raise CaseError([Problem(name, None, "", f"cannot read: {e.strerror}")]) from None
    except LoadError as e:
        raise CaseError([e.problem]) from None
    ctx = Ctx(name)
    data: Any = _SPEC.check(doc, ctx, "", 1)
    if data is INVALID:
        raise CaseError(ctx.problems)
    for sheet in data["sheets"]:
        for column in sheet.columns:
            if column.field not in FIELDS[sheet.rows]:
                problem = (
                    f"{column.field} is not a field of {sheet.rows} rows ({', '.join(FIELDS[sheet.rows])})"
                )
                ctx.error(f"sheets.{sheet.name}.{column.header}", None, problem)
    if ctx.problems:
        raise CaseError(ctx.problems)
    return Mapping(data["source"], data["date_format"], data.get("codes", {}), tuple(data["sheets"]))
