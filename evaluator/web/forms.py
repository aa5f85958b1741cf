"""The intake form, built from the case shape (`case_spec(pack, stage)`) and the field labels
(`field_doc`), never from a list of fields of its own (SPEC §10).

One walk of the schema serves three jobs: `read_form` turns what a browser posted into a case
document (typed just enough for the validator: numbers as numbers, yes/no as booleans, the rest
as the officer typed it, so the validator's messages are the command line's); `build_form`
turns a document back into a tree of `Node`s for the template, with each problem's message on
the node of its field; rows are added and removed on the document, so no script is needed.

Input names are the validator's field paths (`organization.licences[0].name`,
`evaluation.scores.repair.awarded`), so a problem finds its input by its `field`.  A hidden
`_rows` input names every list row shown, so an all-blank row survives a round trip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..base.errors import Problem
from ..base.i18n import SEVERITY_LABELS, STAGE_LABELS, STATUS_LABELS, Text
from ..base.limits import MAX_NUMBER_CHARS
from ..base.schema_language import (
    Bool,
    Date,
    Dict,
    Enum,
    Int,
    ListOf,
    Num,
    Obj,
    Spec,
    child_path,
    item_path,
)
from ..case.field_docs import field_doc
from ..case.messages import say
from ..packs.model import Pack

ROWS = "_rows"  # the hidden input naming each list row shown
DEFAULT = "_default"  # hidden inputs naming the values the form offered (name=value)
ADD_ROW, REMOVE_ROW = "add_row", "remove_row"
_EMPTY: Any = object()
_INT = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LAST_STEP = re.compile(r"\.[^.\[\]]+$|\[[0-9]+\]$|^[^.\[\]]+$")


# ------------------------------------------------------------------------------- form -> case
def read_form(spec: Obj, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The case document a posted form describes (`form`: name -> every value posted)."""
    rows = set(form.get(ROWS, ()))
    document = _read_obj(spec, "", form, rows, keep_empty=True)
    return document if isinstance(document, dict) else {}


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or ("",)
    return values[0].replace("\r\n", "\n")


def _read_obj(
    spec: Obj, path: str, form: Mapping[str, Sequence[str]], rows: set[str], keep_empty: bool
) -> dict[str, Any] | Any:
    out: dict[str, Any] = {}
    for name, fld in spec.fields.items():
        where = child_path(path, name)
        value = _read(fld.spec, where, form, rows, keep_empty=fld.required)
        if value is _EMPTY:
            if fld.required and fld.nullable and not isinstance(fld.spec, (Obj, ListOf, Dict)):
                out[name] = None  # asked for and left blank: the blank is the finding
            continue
        out[name] = value
    return out if out or keep_empty else _EMPTY


def _read(spec: Spec, path: str, form: Mapping[str, Sequence[str]], rows: set[str], keep_empty: bool) -> Any:
    if isinstance(spec, Obj):
        return _read_obj(spec, path, form, rows, keep_empty)
    if isinstance(spec, ListOf):
        if isinstance(spec.item, Obj):
            shown = sorted(
                int(m.group(1)) for r in rows if (m := re.fullmatch(re.escape(path) + r"\[([0-9]+)\]", r))
            )
            items = [_read_obj(spec.item, item_path(path, i), form, rows, keep_empty=True) for i in shown]
            return items or _EMPTY
        if isinstance(spec.item, Enum):
            chosen = [v for v in form.get(path, ()) if v]
            return chosen or _EMPTY
        lines = [line.strip() for line in _first(form, path).split("\n") if line.strip()]
        return lines or _EMPTY
    if isinstance(spec, Dict):
        entries = {key: _read(spec.value, child_path(path, key), form, rows, True) for key in spec.keys or ()}
        touched = any(_typed(form, child_path(path, key)) for key in spec.keys or ())
        return entries if touched else _EMPTY
    return _scalar(spec, _first(form, path))


def _typed(form: Mapping[str, Sequence[str]], prefix: str) -> bool:
    """Whether the officer typed anything under `prefix` besides the defaults the form offered
    (posted back as `_default` = `name=value`)."""
    offered = set(form.get(DEFAULT, ()))
    return any(
        name.startswith(prefix + ".") and v.strip() and f"{name}={v.strip()}" not in offered
        for name, values in form.items()
        for v in values
    )


def _scalar(spec: Spec, raw: str) -> Any:
    text = raw.strip()
    if not text:
        return _EMPTY
    if isinstance(spec, Bool):
        return {"true": True, "false": False}.get(text, text)
    if isinstance(spec, (Int, Num)) and len(text) <= MAX_NUMBER_CHARS:
        if _INT.fullmatch(text):
            return int(text)
        if isinstance(spec, Num) and _NUMBER.fullmatch(text):
            return float(text)
    if isinstance(spec, (Int, Num, Date, Enum)):
        return text  # not a number / date / choice: the validator says so, in its words
    return raw.replace("\r\n", "\n")


# ----------------------------------------------------------------------------- rows, no script
def add_row(document: dict[str, Any], path: str) -> bool:
    """Append a blank row to the list at `path` (`organization.licences`,
    `evaluation.nonconformities[0].responses`); False when `path` names no list of rows."""
    parent, key = _parent(document, path)
    if parent is None:
        return False
    rows = parent.setdefault(key, [])
    if not isinstance(rows, list) or len(rows) >= 200:
        return False
    rows.append({})
    return True


def remove_row(document: dict[str, Any], path: str) -> bool:
    """Remove the row at `path` (`organization.licences[2]`, or `organization.licences.2`)."""
    found = re.fullmatch(r"(.+?)(?:\[([0-9]+)\]|\.([0-9]+))", path)
    if not found:
        return False
    parent, key = _parent(document, found.group(1))
    rows = parent.get(key) if parent is not None else None
    index = int(found.group(2) or found.group(3))
    if not isinstance(rows, list) or index >= len(rows):
        return False
    del rows[index]
    return True


def _parent(document: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The mapping holding the last key of `path`, made on the way where missing."""
    steps = re.findall(r"[^.\[\]]+|\[[0-9]+\]", path)
    node: Any = document
    for step in steps[:-1]:
        if step.startswith("["):
            index = int(step[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        elif isinstance(node, dict):
            node = node.setdefault(step, {})
        else:
            node = None
        if node is None:
            return None, ""
    if not steps or not isinstance(node, dict) or steps[-1].startswith("["):
        return None, ""
    return node, steps[-1]


# ------------------------------------------------------------------------------- case -> form
@dataclass
class Node:
    """One place of the form: an input (text, number, date, select, yes/no, lines, choices), a
    group of fields, a list of rows, or the score sheet."""

    kind: str
    path: str
    label: str
    help: str = ""
    required: bool = False
    value: Any = ""
    options: tuple[tuple[str, str], ...] = ()
    children: list[Node] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path or "case")

    def walk(self) -> list[Node]:
        return [self, *(n for child in self.children for n in child.walk())]


@dataclass
class Form:
    root: Node
    unplaced: list[str]  # messages with no input to stand beside
    defaults: list[str]  # `name=value` of inputs the form prefilled, not the officer


def _option_labels(pack: Pack) -> dict[str, Text]:
    labels: dict[str, Text] = {**STAGE_LABELS, **SEVERITY_LABELS, **STATUS_LABELS}
    for table in (pack.indicators, pack.documents, pack.evidence, pack.change_kinds):
        labels.update((key, item.label) for key, item in table.items())
    labels.update((g.id, g.label) for g in pack.grades)
    return labels


class _Builder:
    def __init__(self, pack: Pack, lang: str, fresh: bool) -> None:
        self.pack, self.lang, self.fresh = pack, lang, fresh
        self.labels = _option_labels(pack)
        self.defaults: list[str] = []

    def label(self, path: str) -> tuple[str, str]:
        found = field_doc(path)
        if found is None:
            key = re.sub(r"\[[0-9]+\]$", "", path).rsplit(".", 1)[-1]
            return key, ""
        return found[0].get(self.lang), found[1].get(self.lang)

    def options(self, values: Sequence[str]) -> tuple[tuple[str, str], ...]:
        def text(value: str) -> str:
            found = self.labels.get(value)
            return f"{found.get(self.lang)} ({value})" if found else value

        return tuple((v, text(v)) for v in values)

    def node(self, spec: Spec, path: str, value: Any, required: bool) -> Node:
        label, help_text = self.label(path)
        made = Node("text", path, label, help_text, required)
        if isinstance(spec, Obj):
            made.kind = "group"
            mapping = value if isinstance(value, Mapping) else {}
            made.children = [
                self.node(f.spec, child_path(path, k), mapping.get(k), f.required)
                for k, f in spec.fields.items()
            ]
        elif isinstance(spec, ListOf) and isinstance(spec.item, Obj):
            made.kind = "list"
            items = value if isinstance(value, list) else []
            for i, item in enumerate(items):
                row = self.node(spec.item, item_path(path, i), item, True)
                row.kind, row.label = "row", f"{label} {i + 1}"
                made.children.append(row)
        elif isinstance(spec, ListOf) and isinstance(spec.item, Enum):
            made.kind, made.options = "choices", self.options(spec.item.values)
            made.value = [str(v) for v in value] if isinstance(value, list) else []
        elif isinstance(spec, ListOf):
            made.kind = "lines"
            made.value = "\n".join(str(v) for v in value) if isinstance(value, list) else _shown(value)
        elif isinstance(spec, Dict) and spec.key_name == "indicator":
            self.score_sheet(made, spec, value)
        elif isinstance(spec, Enum):
            made.kind, made.options, made.value = "select", self.options(spec.values), _shown(value)
        elif isinstance(spec, Bool):
            made.kind, made.value = "yesno", _shown(value)
        elif isinstance(spec, (Int, Num)):
            made.kind, made.value = "number", _shown(value)
            made.extra["step"] = "1" if isinstance(spec, Int) else "any"
        elif isinstance(spec, Date):
            made.kind, made.value = "date", _shown(value)
        else:
            made.kind, made.value = ("textarea" if _long_text(path) else "text"), _shown(value)
        return made

    def score_sheet(self, made: Node, spec: Dict, value: Any) -> None:
        """One table: a row per indicator (awarded, available), grouped by category, each
        category with its sums and the sheet with its totals."""
        made.kind = "scores"
        scores = value if isinstance(value, Mapping) else {}
        categories = []
        for category in self.pack.categories.values():
            rows, awarded, available = [], Fraction(0), Fraction(0)
            for key in spec.keys or ():
                indicator = self.pack.indicators[key]
                if indicator.category != category.id:
                    continue
                row = self.node(spec.value, child_path(made.path, key), scores.get(key), True)
                row.kind, row.label = "score", indicator.label.get(self.lang)
                available_cell = row.children[1]
                if self.fresh and not available_cell.value and indicator.points is not None:
                    available_cell.value = _number(indicator.points)
                    self.defaults.append(f"{available_cell.path}={available_cell.value}")
                awarded += _as_number(row.children[0].value)
                available += _as_number(available_cell.value)
                rows.append(row)
            made.children.extend(rows)
            categories.append(
                {
                    "label": category.label.get(self.lang),
                    "rows": rows,
                    "awarded": _number(awarded),
                    "available": _number(available),
                    "max": _number(category.max),
                }
            )
        made.extra["categories"] = categories
        made.extra["awarded"] = _number(sum((_as_number(c["awarded"]) for c in categories), Fraction(0)))
        made.extra["available"] = _number(sum((_as_number(c["available"]) for c in categories), Fraction(0)))


def build_form(
    spec: Obj,
    pack: Pack,
    document: Mapping[str, Any],
    lang: str,
    problems: Sequence[Problem] = (),
    fresh: bool = False,
) -> Form:
    """The form for `document` under `spec`, each problem's message beside its field (in `lang`);
    `fresh`: a new case, whose score sheet offers the pack's fixed points as available."""
    builder = _Builder(pack, lang, fresh)
    root = builder.node(spec, "", document, True)
    places = {n.path: n for n in root.walk()}
    unplaced = []
    for problem in problems:
        node = _nearest(places, problem.field)
        text = say(problem, lang)
        if node is None or node is root:
            unplaced.append(f"{problem.field}: {text}" if problem.field else text)
        else:
            node.messages.append(text)
    return Form(root, unplaced, builder.defaults)


def _nearest(places: Mapping[str, Node], path: str) -> Node | None:
    while path:
        if path in places:
            return places[path]
        shorter = _LAST_STEP.sub("", path)
        if shorter == path:
            break
        path = shorter
    return None


def _long_text(path: str) -> bool:
    return bool(
        re.search(
            r"(statement|evidence|requirement|justification|summary|description|root_cause|correction|corrective_action|note|address)$",
            path,
        )
    )


def _shown(value: Any) -> str:
    """A value as its input shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return _number(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _number(value: Fraction | int | float) -> str:
    number = Fraction(value)
    return str(number.numerator) if number.denominator == 1 else f"{float(number):g}"


def _as_number(text: Any) -> Fraction:
    """A typed number for the running sums; what is not one counts nothing (the validator says why)."""
    try:
        return Fraction(str(text)) if str(text).strip() else Fraction(0)
    except (ValueError, ZeroDivisionError):
        return Fraction(0)
