"""The rule IR: condition trees over one fact, an operator registry, and type checks.

A condition is written in YAML as

    all: [ … ]            any: [ … ]            not: { … }            ref: predicate_name
    {fact: incident.date, op: gte, value: {fact: incident.window_start}}
    {fact: system.trained_managers, op: lt, value: {param: min_trained_managers}}
    {fact: change.kind, op: in, value: [name, address]}

Both engines run the same *normalised* tree: predicates inlined and negations pushed down to
the comparisons (De Morgan; `eq`↔`ne`, `lt`↔`gte`, `in`↔`not_in`), because durable_rules
refuses `$not` and because a comparison with a null value is false in both engines — even
`ne` — so `not` must mean the same thing to both.  The original tree is kept for `explain`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from ..base.records import record
from ..base.schema_language import (
    INVALID,
    Ctx,
    Docs,
    Spec,
    child_path,
    describe,
    did_you_mean,
    item_line,
    item_path,
    key_line,
    own_line,
)
from .catalogue import CATALOGUE, COMPARABLE, FieldDef


# ------------------------------------------------------------------------------------ operators
@record
class Operator:
    name: str
    negation: str
    symbol: str
    ordered: bool  # only for numbers and dates
    takes_list: bool  # the right-hand side is a list
    test: Callable[[Any, Any], bool]
    durable: str  # the durable_rules operator ("" for the list operators, compiled to $or/$and)


def _in(left: Any, right: Any) -> bool:
    return left in right


def _not_in(left: Any, right: Any) -> bool:
    return left not in right


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", "ne", "=", False, False, operator.eq, "$eq"),
        Operator("ne", "eq", "≠", False, False, operator.ne, "$neq"),
        Operator("lt", "gte", "<", True, False, operator.lt, "$lt"),
        Operator("lte", "gt", "≤", True, False, operator.le, "$lte"),
        Operator("gt", "lte", ">", True, False, operator.gt, "$gt"),
        Operator("gte", "lt", "≥", True, False, operator.ge, "$gte"),
        Operator("in", "not_in", "∈", False, True, _in, ""),
        Operator("not_in", "in", "∉", False, True, _not_in, ""),
    )
}


# ------------------------------------------------------------------------------------- the tree
@record
class FactRef:
    type: str
    field: str

    def __str__(self) -> str:
        return f"{self.type}.{self.field}"


@record
class Param:
    name: str


@record
class Literal:
    value: Any


Operand = FactRef | Param | Literal


@record
class Compare:
    left: FactRef
    op: str
    right: Operand
    line: int | None = None


@record
class All:
    items: tuple[Cond, ...]
    line: int | None = None


@record
class AnyOf:
    items: tuple[Cond, ...]
    line: int | None = None


@record
class Not:
    item: Cond
    line: int | None = None


@record
class Ref:
    name: str
    line: int | None = None


@record
class Fired:
    """Stage 2 (SPEC 6.3): some of `rules` fired in stage 1 for the same case (`fired`), or
    none of them did (`not_fired`)."""

    rules: tuple[str, ...]
    negated: bool = False
    line: int | None = None


Cond = Compare | All | AnyOf | Not | Ref | Fired
TRUE = All(())
FIRED_PREFIX = "fired__"  # the synthetic field that carries "rule X fired" into a stage-2 fact


def fired_field(rule_id: str) -> str:
    return FIRED_PREFIX + rule_id.replace("-", "_")


def fired_rules(cond: Cond) -> set[str]:
    """The rule IDs a condition tests with fired / not_fired (empty: a stage-1 condition)."""
    if isinstance(cond, Fired):
        return set(cond.rules)
    if isinstance(cond, (All, AnyOf)):
        return set().union(*(fired_rules(c) for c in cond.items)) if cond.items else set()
    if isinstance(cond, Not):
        return fired_rules(cond.item)
    return set()


# -------------------------------------------------------------------------------------- parsing
def parse_fact_name(text: str) -> FactRef | None:
    parts = text.split(".")
    if len(parts) != 2 or not all(parts):
        return None
    return FactRef(parts[0], parts[1])


class ConditionSpec(Spec):
    """Parses a condition tree (structure only; `check_condition` checks names and types)."""

    description = "a condition: all / any / not / ref, or {fact, op, value}"

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        line = own_line(value, line)
        if not isinstance(value, Mapping):
            ctx.error(path, line, f"a condition must be a mapping, not {describe(value)}")
            return INVALID
        keys = set(value)
        for word in ("all", "any"):
            if keys == {word}:
                return self._group(word, value, ctx, path, line)
        if keys == {"not"}:
            inner = self.check(value["not"], ctx, child_path(path, "not"), key_line(value, "not", line))
            return INVALID if inner is INVALID else Not(inner, line)
        if keys == {"ref"}:
            if not isinstance(value["ref"], str):
                ctx.error(child_path(path, "ref"), line, "must name a predicate of the pack")
                return INVALID
            return Ref(value["ref"], line)
        if "fact" in keys:
            return self._compare(value, ctx, path, line)
        for word in ("fired", "not_fired"):
            if keys == {word}:
                return self._fired(word, value[word], ctx, child_path(path, word), line)
        ctx.error(
            path,
            line,
            f"unknown condition with keys {sorted(map(str, keys))}:"
            " use all, any, not, ref, fired, not_fired or fact/op/value",
        )
        return INVALID

    def _group(self, word: str, value: Mapping[str, Any], ctx: Ctx, path: str, line: int | None) -> Any:
        items = value[word]
        where = child_path(path, word)
        if not isinstance(items, list):
            ctx.error(where, line, f"must be a list of conditions, not {describe(items)}")
            return INVALID
        if word == "any" and not items:
            ctx.error(where, line, "an empty `any` can never hold")
            return INVALID
        parsed = [
            self.check(item, ctx, item_path(where, i), item_line(items, i, line))
            for i, item in enumerate(items)
        ]
        if any(p is INVALID for p in parsed):
            return INVALID
        return All(tuple(parsed), line) if word == "all" else AnyOf(tuple(parsed), line)

    def _fired(self, word: str, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            ctx.error(path, line, f"must be a rule ID or a non-empty list of rule IDs, not {describe(value)}")
            return INVALID
        return Fired(tuple(str(i) for i in ids), word == "not_fired", line)

    def _compare(self, value: Mapping[str, Any], ctx: Ctx, path: str, line: int | None) -> Any:
        ok = True
        extra = set(value) - {"fact", "op", "value"}
        for key in sorted(map(str, extra)):
            ctx.error(
                child_path(path, key),
                key_line(value, key, line),
                "unknown key in a comparison (fact, op, value)",
            )
            ok = False
        left = parse_fact_name(value["fact"]) if isinstance(value["fact"], str) else None
        if left is None:
            ctx.error(
                child_path(path, "fact"), line, f"{describe(value['fact'])} is not a fact name (type.field)"
            )
            ok = False
        op = value.get("op")
        if op not in OPERATORS:
            hint = did_you_mean(op, OPERATORS) if isinstance(op, str) else ""
            ctx.error(
                child_path(path, "op"),
                key_line(value, "op", line),
                f"{describe(op)} is not an operator ({', '.join(OPERATORS)}){hint}",
            )
            ok = False
        if "value" not in value:
            ctx.error(
                child_path(path, "value"), line, "missing: a literal, {param: name} or {fact: type.field}"
            )
            return INVALID
        right = self._operand(value["value"], ctx, child_path(path, "value"), key_line(value, "value", line))
        if not ok or right is INVALID or left is None:
            return INVALID
        return Compare(left, str(op), right, line)

    def _operand(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if isinstance(value, Mapping):
            if set(value) == {"param"} and isinstance(value["param"], str):
                return Param(value["param"])
            if set(value) == {"fact"} and isinstance(value["fact"], str):
                ref = parse_fact_name(value["fact"])
                if ref is None:
                    ctx.error(path, line, f"{value['fact']!r} is not a fact name (type.field)")
                    return INVALID
                return ref
            ctx.error(path, line, "a mapping operand must be {param: name} or {fact: type.field}")
            return INVALID
        if isinstance(value, list):
            if not value:
                ctx.error(path, line, "an empty list can never match")
                return INVALID
            if not all(_scalar(v) for v in value):
                ctx.error(path, line, "list items must be strings or numbers")
                return INVALID
            return Literal(tuple(str(v) if isinstance(v, str) else v for v in value))
        if _scalar(value):
            return Literal(str(value) if isinstance(value, str) else value)
        ctx.error(path, line, f"{describe(value)} cannot be compared")
        return INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return {"$ref": "#/$defs/condition"}


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float))  # bool is an int: true/false count too


CONDITION_JSON_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "object",
            "properties": {"all": {"type": "array", "items": {"$ref": "#/$defs/condition"}}},
            "required": ["all"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}}},
            "required": ["any"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"not": {"$ref": "#/$defs/condition"}},
            "required": ["not"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"ref": {"type": "string"}},
            "required": ["ref"],
            "additionalProperties": False,
        },
        *(
            {
                "type": "object",
                "properties": {
                    word: {
                        "anyOf": [
                            {"type": "string"},
                            {"type": "array", "minItems": 1, "items": {"type": "string"}},
                        ]
                    }
                },
                "required": [word],
                "additionalProperties": False,
            }
            for word in ("fired", "not_fired")
        ),
        {
            "type": "object",
            "properties": {
                "fact": {"type": "string", "pattern": r"^[a-z_]+\.[a-z_0-9]+$"},
                "op": {"enum": list(OPERATORS)},
                "value": {
                    "anyOf": [
                        {"type": ["string", "number", "boolean"]},
                        {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
                        {
                            "type": "object",
                            "properties": {"param": {"type": "string"}},
                            "required": ["param"],
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {"fact": {"type": "string"}},
                            "required": ["fact"],
                            "additionalProperties": False,
                        },
                    ]
                },
            },
            "required": ["fact", "op", "value"],
            "additionalProperties": False,
        },
    ]
}


# ---------------------------------------------------------------------------------- type checks
_KIND = {"bool": "bool", "int": "number", "number": "number", "date": "date", "str": "str"}


def _value_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, Fraction)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dt.date):
        return "date"
    return None


def check_condition(
    cond: Cond,
    fact_type: str,
    params: Mapping[str, Any],
    predicates: Mapping[str, tuple[str, Cond]],
    report: Callable[[int | None, str], None],
) -> None:
    """Report every unknown name and type mismatch in a condition over `fact_type` facts."""
    if isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            check_condition(item, fact_type, params, predicates, report)
    elif isinstance(cond, Not):
        check_condition(cond.item, fact_type, params, predicates, report)
    elif isinstance(cond, Fired):
        pass  # the rule IDs are checked against the pack by the loader
    elif isinstance(cond, Ref):
        if cond.name not in predicates:
            report(cond.line, f"unknown predicate {cond.name!r}{did_you_mean(cond.name, predicates)}")
        elif predicates[cond.name][0] != fact_type:
            report(
                cond.line,
                f"predicate {cond.name!r} is about {predicates[cond.name][0]} facts, not {fact_type}",
            )
    else:
        _check_compare(cond, fact_type, params, report)


def field_def(ref: FactRef) -> FieldDef | None:
    fact = CATALOGUE.get(ref.type)
    return fact.fields.get(ref.field) if fact else None


def _check_ref(
    ref: FactRef, fact_type: str, line: int | None, report: Callable[[int | None, str], None]
) -> FieldDef | None:
    if ref.type not in CATALOGUE:
        report(line, f"unknown fact type {ref.type!r} in {ref}{did_you_mean(ref.type, CATALOGUE)}")
        return None
    fdef = CATALOGUE[ref.type].fields.get(ref.field)
    if fdef is None:
        report(line, f"unknown fact {ref}{did_you_mean(ref.field, CATALOGUE[ref.type].fields)}")
        return None
    if ref.type != fact_type:
        report(
            line, f"{ref} is not a field of the rule's {fact_type} facts (a rule tests one fact at a time)"
        )
        return None
    if fdef.type not in COMPARABLE:
        report(line, f"{ref} is {fdef.type}, which is shown but never compared")
        return None
    return fdef


def _check_compare(
    cond: Compare, fact_type: str, params: Mapping[str, Any], report: Callable[[int | None, str], None]
) -> None:
    op = OPERATORS[cond.op]
    left = _check_ref(cond.left, fact_type, cond.line, report)
    if left is None:
        return
    kind = _KIND[left.type]
    if op.ordered and kind not in ("number", "date"):
        report(cond.line, f"{cond.left} is {left.type}: `{op.name}` needs a number or a date")
        return
    right = cond.right
    if isinstance(right, FactRef):
        rdef = _check_ref(right, fact_type, cond.line, report)
        if rdef is None:
            return
        if op.takes_list:
            report(cond.line, f"`{op.name}` needs a list, not the fact {right}")
        elif _KIND[rdef.type] != kind:
            report(cond.line, f"{cond.left} ({left.type}) cannot be compared with {right} ({rdef.type})")
        return
    if isinstance(right, Param):
        if right.name not in params:
            report(cond.line, f"unknown parameter {right.name!r}{did_you_mean(right.name, params)}")
            return
        value = params[right.name]
    else:
        value = right.value
    _check_value(cond, left, kind, op, value, report)


def _check_value(
    cond: Compare,
    left: FieldDef,
    kind: str,
    op: Operator,
    value: Any,
    report: Callable[[int | None, str], None],
) -> None:
    if kind == "date":
        report(cond.line, f"{cond.left} is a date: compare it with another date fact, not a literal")
        return
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if op.takes_list != isinstance(value, (list, tuple)):
        report(
            cond.line,
            f"`{op.name}` needs {'a list' if op.takes_list else 'a single value'}, not {describe(value)}",
        )
        return
    for item in values:
        if _value_kind(item) != kind:
            report(cond.line, f"{cond.left} is {left.type}, {describe(item)} is not")
        elif left.values and item not in left.values:
            report(cond.line, f"{cond.left} is never {item!r} (values: {', '.join(left.values)})")


# ------------------------------------------------------------------------------- normalisation
def expand(cond: Cond, predicates: Mapping[str, tuple[str, Cond]]) -> Cond:
    """The condition with every `ref` replaced by its predicate's condition."""
    if isinstance(cond, Ref):
        return expand(predicates[cond.name][1], predicates)
    if isinstance(cond, All):
        return All(tuple(expand(c, predicates) for c in cond.items), cond.line)
    if isinstance(cond, AnyOf):
        return AnyOf(tuple(expand(c, predicates) for c in cond.items), cond.line)
    if isinstance(cond, Not):
        return Not(expand(cond.item, predicates), cond.line)
    return cond


def lower_fired(cond: Cond, fact_type: str) -> Cond:
    """`fired` / `not_fired` as comparisons on the synthetic fields the stage-2 run adds to a
    fact: "some of A, B fired" = any(fired__A = true, fired__B = true)."""
    if isinstance(cond, Fired):
        tests = tuple(
            Compare(FactRef(fact_type, fired_field(r)), "eq", Literal(not cond.negated), cond.line)
            for r in cond.rules
        )
        return All(tests, cond.line) if cond.negated else AnyOf(tests, cond.line)
    if isinstance(cond, All):
        return All(tuple(lower_fired(c, fact_type) for c in cond.items), cond.line)
    if isinstance(cond, AnyOf):
        return AnyOf(tuple(lower_fired(c, fact_type) for c in cond.items), cond.line)
    if isinstance(cond, Not):
        return Not(lower_fired(cond.item, fact_type), cond.line)
    return cond


def negation_normal_form(cond: Cond, negate: bool = False) -> Cond:
    """Push every `not` down to the comparisons (the tree must have no `ref`)."""
    if isinstance(cond, Not):
        return negation_normal_form(cond.item, not negate)
    if isinstance(cond, (All, AnyOf)):
        items = tuple(negation_normal_form(c, negate) for c in cond.items)
        flip = negate
        is_all = isinstance(cond, All) != flip
        return All(items, cond.line) if is_all else AnyOf(items, cond.line)
    if isinstance(cond, Compare):
        if not negate:
            return cond
        return Compare(cond.left, OPERATORS[cond.op].negation, cond.right, cond.line)
    raise TypeError(f"unexpanded condition {cond!r}")


def fields_used(cond: Cond) -> set[str]:
    """Names of the fields a normalised condition reads."""
    if isinstance(cond, (All, AnyOf)):
        out: set[str] = set()
        for item in cond.items:
            out |= fields_used(item)
        return out
    if isinstance(cond, Compare):
        used = {cond.left.field}
        if isinstance(cond.right, FactRef):
            used.add(cond.right.field)
        return used
    raise TypeError(f"not a normalised condition: {cond!r}")


def resolve(operand: Operand, params: Mapping[str, Any]) -> Any:
    if isinstance(operand, Param):
        value = params[operand.name]
        return tuple(value) if isinstance(value, list) else value
    if isinstance(operand, Literal):
        return operand.value
    raise TypeError("a fact operand has no constant value")


# ------------------------------------------------------------------------ the Python evaluator
Predicate = Callable[[Mapping[str, Any]], bool]


def compile_python(cond: Cond, params: Mapping[str, Any]) -> Predicate:
    """A normalised condition as a Python function of one fact's values."""
    if isinstance(cond, All):
        parts = [compile_python(c, params) for c in cond.items]
        return lambda values: all(part(values) for part in parts)
    if isinstance(cond, AnyOf):
        parts = [compile_python(c, params) for c in cond.items]
        return lambda values: any(part(values) for part in parts)
    if isinstance(cond, Compare):
        test = OPERATORS[cond.op].test
        name = cond.left.field
        if isinstance(cond.right, FactRef):
            other = cond.right.field

            def compare_fields(values: Mapping[str, Any]) -> bool:
                left, right = values[name], values[other]
                return left is not None and right is not None and test(left, right)

            return compare_fields
        constant = resolve(cond.right, params)

        def compare_constant(values: Mapping[str, Any]) -> bool:
            left = values[name]
            return left is not None and test(left, constant)

        return compare_constant
    raise TypeError(f"not a normalised condition: {cond!r}")
