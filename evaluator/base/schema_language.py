"""A small declarative schema language for YAML/JSON documents.

One description of a document's shape serves twice: `check` validates a loaded document and
reports every problem with its field path and line (from `LocDict` / `LocList`), and
`json_schema` emits the same description as JSON Schema for `certeval schema` and for editors.
A hand-written validator rather than a JSON Schema library because every message must name the
field in the case's own words (`evaluation.scores.repair.awarded: must be a number, not the
string "5"`), unknown keys get a did-you-mean, and `import jsonschema` alone would cost half of
the start-up budget.  The test suite checks that the emitted JSON Schema accepts and rejects
what `check` does, using the jsonschema library.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .errors import Problem
from .limits import date_in_range, date_range_text
from .yamlsafe import BadDate, LocDict, LocList, SourceInt


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass
class Ctx:
    """Where problems are collected while one document is checked."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int | None, message: str, code: str = "", **values: Any) -> None:
        """`code` and `values` let a page say the message in its language (SPEC §10)."""
        self.problems.append(Problem(self.file, line, path, message, code=code, values=values))


def child_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def item_path(path: str, index: int) -> str:
    return f"{path}[{index}]"


def key_line(container: object, key: object, default: int | None) -> int | None:
    if isinstance(container, LocDict):
        return container.key_lines.get(key, default)
    return default


def item_line(container: object, index: int, default: int | None) -> int | None:
    if isinstance(container, LocList) and index < len(container.item_lines):
        return container.item_lines[index]
    return default


def own_line(value: object, default: int | None) -> int | None:
    line = getattr(value, "line", None)
    return line if isinstance(line, int) else default


# How a wrong value is named, by language: the English of every message, and the Chinese a
# page shows (evaluator/case/messages.py).
_DESCRIBED = {
    "en": {
        "null": "null",
        "bool": "the boolean {}",
        "bad_date": "{} (not a calendar date)",
        "str": 'the string "{}"',
        "number": "the number {}",
        "date": "the date {}",
        "mapping": "a mapping",
        "list": "a list",
    },
    "zh": {
        "null": "空值 null",
        "bool": "布尔值 {}",
        "bad_date": "{}（不是日历上存在的日期）",
        "str": "文本“{}”",
        "number": "数字 {}",
        "date": "日期 {}",
        "mapping": "一组字段（映射）",
        "list": "列表",
    },
}


def describe(value: object, lang: str = "en") -> str:
    """How a wrong value is named in a message."""
    words = _DESCRIBED[lang]
    if value is None:
        return words["null"]
    if isinstance(value, bool):
        return words["bool"].format(str(value).lower())
    if isinstance(value, BadDate):
        return words["bad_date"].format(value)
    if isinstance(value, str):
        return words["str"].format(value if len(value) <= 40 else value[:40] + "…")
    if isinstance(value, (int, float)):
        return words["number"].format(value)
    if isinstance(value, dt.date):
        return words["date"].format(value.isoformat())
    if isinstance(value, Mapping):
        return words["mapping"]
    if isinstance(value, list):
        return words["list"]
    return type(value).__name__


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib  # only when there is a problem to report

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


Docs = Callable[[str], tuple[str, str] | None]
"""(title, description) of the field at a path (`a.b`, list items `a[]`, map entries `a.<key>`)."""


class Spec:
    """A node of the schema."""

    description = ""

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        raise NotImplementedError

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        raise NotImplementedError

    def _with_description(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.description:
            schema["description"] = self.description
        return schema


def annotated(schema: dict[str, Any], docs: Docs | None, path: str) -> dict[str, Any]:
    """`schema` with the title and description `docs` gives the field at `path`, if any."""
    found = docs(path) if docs is not None else None
    if found is not None:
        schema["title"], schema["description"] = found
    return schema


# ------------------------------------------------------------------------------------- scalars
class Str(Spec):
    def __init__(
        self,
        description: str = "",
        *,
        pattern: str | None = None,
        pattern_hint: str = "",
        digits_ok: bool = False,
        max_length: int = 10_000,
    ) -> None:
        self.description = description
        self.pattern = re.compile(pattern) if pattern else None
        self.pattern_hint = pattern_hint
        self.digits_ok = digits_ok  # an unquoted all-digit identifier is taken as its digits
        self.max_length = max_length

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if self.digits_ok and isinstance(value, SourceInt) and value.text.isdigit():
            value = value.text
        if not isinstance(value, str) or isinstance(value, BadDate):
            ctx.error(path, line, f"must be a string, not {describe(value)}", "type.string", value=value)
            return INVALID
        if len(value) > self.max_length:
            ctx.error(
                path,
                line,
                f"is {len(value)} characters long, over the limit of {self.max_length}",
                "string.too_long",
                length=len(value),
                limit=self.max_length,
            )
            return INVALID
        if self.pattern and not self.pattern.fullmatch(value):
            hint = f" ({self.pattern_hint})" if self.pattern_hint else ""
            ctx.error(
                path,
                line,
                f"{describe(value)} is not allowed here{hint}",
                "string.pattern",
                value=value,
                hint=self.pattern_hint,
            )
            return INVALID
        return str(value)

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern.pattern})$"
        if self.digits_ok:
            schema = {"anyOf": [schema, {"type": "integer", "minimum": 0}]}
        return self._with_description(schema)


class Enum(Spec):
    def __init__(self, values: Iterable[str], description: str = "") -> None:
        self.values = tuple(values)
        self.description = description

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if not isinstance(value, str) or value not in self.values:
            hint = did_you_mean(value, self.values) if isinstance(value, str) else ""
            ctx.error(
                path,
                line,
                f"{describe(value)} is not one of: {', '.join(self.values)}{hint}",
                "enum.unknown",
                value=value,
                choices=self.values,
                suggestion=hint,
            )
            return INVALID
        return str(value)

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return self._with_description({"enum": list(self.values)})


class Bool(Spec):
    def __init__(self, description: str = "") -> None:
        self.description = description

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if not isinstance(value, bool):
            ctx.error(
                path, line, f"must be true or false, not {describe(value)}", "type.boolean", value=value
            )
            return INVALID
        return value

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return self._with_description({"type": "boolean"})


class Int(Spec):
    def __init__(self, description: str = "", *, minimum: int | None = None) -> None:
        self.description = description
        self.minimum = minimum

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            ctx.error(
                path, line, f"must be a whole number, not {describe(value)}", "type.integer", value=value
            )
            return INVALID
        if self.minimum is not None and value < self.minimum:
            return _below_minimum(ctx, path, line, value, self.minimum)
        return int(value)

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return self._with_description(schema)


def _below_minimum(ctx: Ctx, path: str, line: int | None, value: int | float, minimum: int) -> Any:
    ctx.error(
        path,
        line,
        f"{value} is below the minimum {minimum}",
        "number.below_minimum",
        number=value,
        minimum=minimum,
    )
    return INVALID


def exact_number(value: int | float) -> Fraction:
    """The number the author wrote: floats go through their shortest repr (3.5 -> 7/2, 0.1 -> 1/10)."""
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


class Num(Spec):
    """A finite number, returned exactly as a Fraction."""

    def __init__(self, description: str = "", *, minimum: int | None = None) -> None:
        self.description = description
        self.minimum = minimum

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            ctx.error(path, line, f"must be a number, not {describe(value)}", "type.number", value=value)
            return INVALID
        if isinstance(value, float) and not math.isfinite(value):
            ctx.error(path, line, f"must be a finite number, not {value}", "number.not_finite", number=value)
            return INVALID
        number = exact_number(value)
        if self.minimum is not None and number < self.minimum:
            return _below_minimum(ctx, path, line, value, self.minimum)
        return number

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        return self._with_description(schema)


class Date(Spec):
    """A YAML date or an ISO `YYYY-MM-DD` string, within the meaningful range of `limits`."""

    def __init__(self, description: str = "") -> None:
        self.description = description

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        day = self._parse(value, ctx, path, line)
        if day is not INVALID and not date_in_range(day):
            ctx.error(
                path,
                line,
                f"{day.isoformat()} is outside the meaningful range {date_range_text()}",
                "date.out_of_range",
                day=day,
                range=date_range_text(),
            )
            return INVALID
        return day

    @staticmethod
    def _parse(value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and not isinstance(value, BadDate):
            try:
                if len(value) == 10:
                    return dt.date.fromisoformat(value)
            except ValueError:
                if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                    ctx.error(
                        path, line, f'"{value}" is not a calendar date', "date.not_calendar", text=value
                    )
                else:
                    ctx.error(
                        path,
                        line,
                        f'"{value}" is not a date: dates are written YYYY-MM-DD',
                        "date.format",
                        text=value,
                    )
                return INVALID
        if isinstance(value, BadDate):
            ctx.error(path, line, f"{value} is not a calendar date", "date.impossible", text=str(value))
        else:
            ctx.error(
                path, line, f"must be a date (YYYY-MM-DD), not {describe(value)}", "type.date", value=value
            )
        return INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return self._with_description(
            {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
        )


# ---------------------------------------------------------------------------------- containers
@dataclass
class Field:
    spec: Spec
    required: bool = False
    nullable: bool = False
    required_note: str = ""  # why the key is required, appended to the message


class Obj(Spec):
    """A mapping with known keys; unknown keys are errors (typo protection)."""

    def __init__(
        self,
        fields: Mapping[str, Field],
        build: Callable[..., Any] | None = None,
        description: str = "",
    ) -> None:
        self.fields = dict(fields)
        self.build = build
        self.description = description

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        line = own_line(value, line)
        if not isinstance(value, Mapping):
            ctx.error(path, line, f"must be a mapping, not {describe(value)}", "type.mapping", value=value)
            return INVALID
        ok = True
        for key in value:
            if not isinstance(key, str):
                ctx.error(
                    path,
                    key_line(value, key, line),
                    f"key {describe(key)} must be a string",
                    "key.not_string",
                    key=key,
                )
                ok = False
            elif key not in self.fields:
                hint = did_you_mean(key, self.fields)
                ctx.error(
                    child_path(path, key),
                    key_line(value, key, line),
                    f"unknown key{hint}",
                    "key.unknown",
                    suggestion=hint,
                )
                ok = False
        out: dict[str, Any] = {}
        for name, fld in self.fields.items():
            where = child_path(path, name)
            if name not in value:
                if fld.required:
                    note = f" ({fld.required_note})" if fld.required_note else ""
                    ctx.error(
                        where, line, f"missing required key{note}", "key.missing", note=fld.required_note
                    )
                    ok = False
                continue
            item = value[name]
            if item is None and fld.nullable:
                out[name] = None
                continue
            checked = fld.spec.check(item, ctx, where, key_line(value, name, line))
            if checked is INVALID:
                ok = False
            else:
                out[name] = checked
        if not ok:
            return INVALID
        return self.build(**out) if self.build else out

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        properties = {}
        for name, fld in self.fields.items():
            where = child_path(path, name)
            schema = fld.spec.json_schema(docs, where)
            if fld.nullable:
                schema = {"anyOf": [schema, {"type": "null"}]}
            properties[name] = annotated(schema, docs, where)
        required = [name for name, fld in self.fields.items() if fld.required]
        schema = {"type": "object", "properties": properties, "additionalProperties": False}
        if required:
            schema["required"] = required
        return self._with_description(schema)


class ListOf(Spec):
    def __init__(self, item: Spec, description: str = "") -> None:
        self.item = item
        self.description = description

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        line = own_line(value, line)
        if not isinstance(value, list):
            ctx.error(path, line, f"must be a list, not {describe(value)}", "type.list", value=value)
            return INVALID
        out = []
        ok = True
        for index, item in enumerate(value):
            checked = self.item.check(item, ctx, item_path(path, index), item_line(value, index, line))
            if checked is INVALID:
                ok = False
            out.append(checked)
        return tuple(out) if ok else INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return self._with_description({"type": "array", "items": self.item.json_schema(docs, f"{path}[]")})


class Either(Spec):
    """The first alternative that accepts the value (used where a value may be written two ways)."""

    def __init__(self, *alternatives: Spec, description: str = "", expected: str = "") -> None:
        self.alternatives = alternatives
        self.description = description
        self.expected = expected

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        for alternative in self.alternatives:
            trial = Ctx(ctx.file)
            checked = alternative.check(value, trial, path, line)
            if checked is not INVALID:
                return checked
        if len(self.alternatives) and self.expected:
            ctx.error(
                path,
                line,
                f"must be {self.expected}, not {describe(value)}",
                "type.either",
                expected=self.expected,
                value=value,
            )
        else:
            self.alternatives[-1].check(value, ctx, path, line)
        return INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return self._with_description({"anyOf": [a.json_schema(docs, path) for a in self.alternatives]})


class Dict(Spec):
    """A mapping to values of one kind, order kept.  Its keys come from a closed set (`keys`;
    with `all_required` every one must be given) or are identifiers matching `key_pattern`."""

    def __init__(
        self,
        value: Spec,
        *,
        keys: Iterable[str] | None = None,
        key_pattern: str = r"[a-z][a-z0-9_]*",
        all_required: bool = False,
        key_name: str = "key",
        description: str = "",
    ) -> None:
        self.value = value
        self.keys = tuple(keys) if keys is not None else None
        self.key_pattern = re.compile(key_pattern)
        self.all_required = all_required
        self.key_name = key_name
        self.description = description

    def _key_problem(self, key: Any) -> tuple[str, str, dict[str, Any]] | None:
        """(message, code, values) when `key` may not be a key here."""
        if self.keys is None:
            if isinstance(key, str) and self.key_pattern.fullmatch(key):
                return None
            return f"{describe(key)} is not a valid identifier", "dict.key_invalid", {"key": key}
        if isinstance(key, str) and key in self.keys:
            return None
        hint = did_you_mean(key, self.keys) if isinstance(key, str) else ""
        values = {"key_name": self.key_name, "suggestion": hint}
        return f"unknown {self.key_name}{hint}", "dict.key_unknown", values

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        line = own_line(value, line)
        if not isinstance(value, Mapping):
            ctx.error(path, line, f"must be a mapping, not {describe(value)}", "type.mapping", value=value)
            return INVALID
        ok = True
        out: dict[str, Any] = {}
        for key, item in value.items():
            where = child_path(path, key)
            problem = self._key_problem(key)
            if problem:
                message, code, values = problem
                ctx.error(where, key_line(value, key, line), message, code, **values)
                ok = False
                continue
            checked = self.value.check(item, ctx, where, key_line(value, key, line))
            if checked is INVALID:
                ok = False
            else:
                out[key] = checked
        if self.all_required and self.keys is not None:
            for key in self.keys:
                if key not in value:
                    ctx.error(
                        child_path(path, key),
                        line,
                        f"missing: every {self.key_name} must be given",
                        "dict.key_missing",
                        key_name=self.key_name,
                    )
                    ok = False
        return out if ok else INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        entry = f"{path}.<{self.key_name}>"
        value = annotated(self.value.json_schema(docs, entry), docs, entry)
        if self.keys is None:
            schema: dict[str, Any] = {
                "type": "object",
                "propertyNames": {"pattern": f"^(?:{self.key_pattern.pattern})$"},
                "additionalProperties": value,
            }
        else:
            schema = {
                "type": "object",
                "properties": {key: value for key in self.keys},
                "additionalProperties": False,
            }
            if self.all_required:
                schema["required"] = list(self.keys)
        return self._with_description(schema)
