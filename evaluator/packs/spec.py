"""The shape of pack files: `pack.yaml` and rule files (schema language of `evaluator.schema`).

A child pack (`extends`) is checked twice: its own `pack.yaml` alone with `partial=True` (every
key optional, so each problem points at the child's own line), then the merged document with
`partial=False`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..base.case_model import STAGES
from ..base.i18n import AUDIENCES, SEVERITIES, Text
from ..base.limits import MAX_PACK_COUNT, MAX_PERIOD_DAYS, MAX_PERIOD_MONTHS
from ..base.schema_language import (
    INVALID,
    Bool,
    Ctx,
    Dict,
    Docs,
    Either,
    Enum,
    Field,
    Int,
    ListOf,
    Num,
    Obj,
    Spec,
    Str,
    describe,
)
from .catalogue import CATALOGUE
from .ir import ConditionSpec

RULE_ID = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+"
PACK_ID = r"[a-z0-9][a-z0-9.-]{0,63}"
FACT_NAME = r"[a-z_]+\.[a-z_0-9]+"
RECOMMENDABLE = ("suspended", "withdrawn", "expired", "valid")  # valid: a suspension lifted
RULE_FILE = r"[a-z0-9][a-z0-9_-]*\.ya?ml"
UNITS = ("days", "months", "points", "ratio", "count", "kinds")


@dataclass(frozen=True)
class ParamRange:
    """The type and sane range of a numeric parameter.  `maximum` None for points: they are
    bounded by the pack's `scale`, which the loader checks."""

    kind: str  # "int" or "number"
    unit: str
    minimum: int
    maximum: int | Fraction | None

    def describe(self) -> str:
        kind = "a whole number" if self.kind == "int" else "a number"
        top = "the scale" if self.maximum is None else str(self.maximum)
        return f"{kind} of {self.unit} from {self.minimum} to {top}"


# What any parameter of a unit may be: periods stay within what date arithmetic may add (limits).
UNIT_RANGES = {
    "days": ParamRange("int", "days", 0, MAX_PERIOD_DAYS),
    "months": ParamRange("int", "months", 0, MAX_PERIOD_MONTHS),
    "points": ParamRange("number", "points", 0, None),
    "ratio": ParamRange("number", "ratio", 0, 1),
    "count": ParamRange("int", "count", 0, MAX_PACK_COUNT),
}


def _positive(unit: str) -> ParamRange:
    base = UNIT_RANGES[unit]
    return ParamRange(base.kind, unit, 1, base.maximum)


# The parameters certeval's Python reads (derivation, scoring, due dates): every pack must have
# them, of this type and within this range.  A period that must pass time is at least 1.
PYTHON_PARAMETERS: dict[str, ParamRange] = {
    "major_days": _positive("days"),
    "minor_days": _positive("days"),
    "incident_window_months": _positive("months"),
    "min_operating_months": UNIT_RANGES["months"],
    "scale": ParamRange("number", "points", 1, MAX_PACK_COUNT),
    "special_deduction_points": UNIT_RANGES["points"],
    "special_bonus_points": UNIT_RANGES["points"],
    "max_special_deductions": UNIT_RANGES["count"],
    "validity_months": _positive("months"),
    "surveillance_interval_months": _positive("months"),
    "max_extension_months": UNIT_RANGES["months"],
    "due_soon_days": UNIT_RANGES["days"],
    "recert_window_days": UNIT_RANGES["days"],
    "suspension_months": _positive("months"),
    "notify_days": UNIT_RANGES["days"],
    "resubmit_days": _positive("days"),
    "verify_days": _positive("days"),
    "consultancy_cooling_months": UNIT_RANGES["months"],
}

NON_BLANK = Str(pattern=r"[\s\S]*\S[\s\S]*", pattern_hint="must not be blank")


def text_spec(description: str = "") -> Obj:
    return Obj(
        {"zh": Field(NON_BLANK, required=True), "en": Field(NON_BLANK, required=True)},
        build=Text,
        description=description or "bilingual text {zh, en}",
    )


class ParamValue(Spec):
    """A parameter's value: a number or a list of identifiers."""

    description = "a number, or a list of identifiers"

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if isinstance(value, bool):
            ctx.error(path, line, "must be a number or a list, not a boolean")
            return INVALID
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                ctx.error(path, line, f"must be finite, not {value}")
                return INVALID
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [str(v) for v in value]
        ctx.error(path, line, f"must be a number or a list of identifiers, not {describe(value)}")
        return INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return {"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "string"}}]}


def _fields(partial: bool, **fields: Field) -> dict[str, Field]:
    if partial:
        return {name: Field(f.spec, False, f.nullable) for name, f in fields.items()}
    return fields


def parameter_spec() -> Obj:
    return Obj(
        {
            "value": Field(ParamValue(), required=True),
            "source": Field(NON_BLANK, required=True),
            "unit": Field(Enum(UNITS)),
            "description": Field(text_spec()),
        },
        description="a pack parameter: its value and where it comes from",
    )


def _table(rows: Spec, partial: bool) -> Obj:
    return Obj(_fields(partial, source=Field(NON_BLANK, required=True), rows=Field(rows, required=True)))


def _row(partial: bool, **fields: Field) -> Obj:
    return Obj(_fields(partial, **fields))


def tables_spec(partial: bool) -> Obj:
    label = Field(text_spec(), required=True)
    return Obj(
        _fields(
            partial,
            categories=Field(
                _table(Dict(_row(partial, max=Field(Num(minimum=0), required=True), label=label)), partial),
                required=True,
            ),
            indicators=Field(
                _table(
                    Dict(
                        _row(
                            partial,
                            category=Field(Str(), required=True),
                            label=label,
                            excludable=Field(Bool(), required=True),
                            points=Field(Num(minimum=0)),
                        )
                    ),
                    partial,
                ),
                required=True,
            ),
            grades=Field(
                _table(
                    ListOf(
                        _row(
                            False,
                            id=Field(Str(pattern=r"[a-z][a-z0-9_]*"), required=True),
                            min=Field(Num(minimum=0), required=True),
                            label=label,
                        )
                    ),
                    partial,
                ),
                required=True,
            ),
            documents=Field(
                _table(
                    Dict(
                        _row(
                            partial,
                            required=Field(Enum(("always", "licence_required", "optional")), required=True),
                            label=label,
                        )
                    ),
                    partial,
                ),
                required=True,
            ),
            evidence=Field(
                _table(
                    Dict(
                        _row(
                            partial,
                            minimum=Field(Int(minimum=0), required=True),
                            covers_scope=Field(Bool(), required=True),
                            label=label,
                        )
                    ),
                    partial,
                ),
                required=True,
            ),
            change_kinds=Field(_table(Dict(_row(partial, label=label)), partial), required=True),
        )
    )


def pack_spec(partial: bool) -> Obj:
    fact_types = tuple(CATALOGUE)
    return Obj(
        {
            "id": Field(
                Str(pattern=PACK_ID, pattern_hint="lower-case letters, digits, '.' and '-'"), required=True
            ),
            "version": Field(Str(pattern=r"[0-9]+(?:\.[0-9]+)*(?:[-+][0-9A-Za-z.]+)?"), required=True),
            "title": Field(text_spec(), required=True),
            "extends": Field(Str(pattern=PACK_ID)),
            # The pack's own rule files in rules/: loading fails when these and the files found
            # differ, so a lost, emptied or renamed file cannot silently shrink the policy.
            "rule_files": Field(
                ListOf(Str(pattern=RULE_FILE, pattern_hint="a file name in rules/ ending in .yaml or .yml"))
            ),
            **_fields(
                partial,
                standard=Field(NON_BLANK, required=True),
                description=Field(text_spec()),
                sources=Field(
                    Dict(
                        text_spec("a cited document's title: the documents rules cite"),
                        key_pattern=SOURCE_KEY,
                    )
                ),
                parameters=Field(Dict(parameter_spec()), required=True),
                tables=Field(tables_spec(partial), required=True),
                predicates=Field(
                    Dict(
                        Obj(
                            {
                                "for_each": Field(Enum(fact_types), required=True),
                                "when": Field(ConditionSpec(), required=True),
                                "description": Field(text_spec()),
                            }
                        )
                    )
                ),
                notifications_required=Field(
                    Obj({"when": Field(ConditionSpec(), required=True)}), required=True
                ),
                status_precedence=Field(ListOf(Enum(RECOMMENDABLE)), required=True),
            ),
        },
        description="pack.yaml: a rule pack's identity, parameters and policy data",
    )


SOURCE_KEY = r"[a-z][a-z0-9-]{0,31}"


def clause_spec() -> Either:
    """A rule's citation: `{source, ref}` (a key of the pack's `sources` and a locator in it), or
    the legacy free string, which loads but fails `rules lint` (SPEC 8.2)."""
    return Either(
        Obj(
            {
                "source": Field(
                    Str(pattern=SOURCE_KEY, pattern_hint="a key of the pack's sources"), required=True
                ),
                "ref": Field(NON_BLANK, required=True),
            },
            description="a citation: the source key and the locator in it",
        ),
        NON_BLANK,
        expected="a citation {source, ref}",
    )


def rule_spec() -> Obj:
    fact_types = tuple(CATALOGUE)
    return Obj(
        {
            "id": Field(
                Str(pattern=RULE_ID, pattern_hint="upper-case words joined by '-', e.g. ELIG-LICENCE"),
                required=True,
            ),
            "title": Field(text_spec(), required=True),
            "clause": Field(clause_spec(), required=True),
            "requirement": Field(text_spec("the requirement in words, as a client document quotes it")),
            "severity": Field(Enum((*SEVERITIES, "recorded")), required=True),
            "severity_fact": Field(Str(pattern=FACT_NAME)),
            "audience": Field(Enum(AUDIENCES), required=True),
            "stages": Field(ListOf(Enum(STAGES))),
            "for_each": Field(Enum(fact_types), required=True),
            "when": Field(ConditionSpec()),
            "message": Field(text_spec(), required=True),
            "action": Field(text_spec()),
            "anchor": Field(Enum(("as_of", "evaluation"))),
            "due": Field(
                Obj(
                    {
                        "fact": Field(Str(pattern=FACT_NAME)),
                        "days": Field(Str(pattern=r"[a-z][a-z0-9_]*")),
                    },
                    description="the action's due: a date field of the fact, or anchor + a days parameter",
                )
            ),
            "facts": Field(ListOf(Str(pattern=FACT_NAME))),
            "recommends": Field(
                Obj({"status": Field(Enum(RECOMMENDABLE), required=True), "when": Field(ConditionSpec())})
            ),
            "description": Field(text_spec()),
        },
        description="one rule",
    )


def rule_file_spec() -> Obj:
    return Obj(
        {
            "area": Field(Str(pattern=r"[a-z][a-z0-9_]*"), required=True),
            "title": Field(text_spec(), required=True),
            "stages": Field(ListOf(Enum(STAGES))),
            "rules": Field(ListOf(rule_spec()), required=True),
        },
        description="a rule file: one area of the policy",
    )
