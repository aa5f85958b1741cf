"""What a pack must hold beyond its schema, checked at load (exit 3 with file:line).

A pack can be well-formed and still absurd: a validity of -36 months, a grade threshold of 195
on a 100-point scale, category maxima that add up to 105, a predicate defined by itself.  Such a
pack is refused here, naming the file (the child's or the parent's, whichever set the value)
and the line, instead of failing deep in the engine or blaming the case file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

from ..base.errors import Problem
from ..base.schema_language import item_line, key_line
from .ir import All, AnyOf, Cond, Not, Ref
from .model import Category, Grade, Indicator, Parameter
from .spec import PYTHON_PARAMETERS, UNIT_RANGES, ParamRange

Docs = Sequence[tuple[str, Any]]  # (file name, its parsed document), the root pack first


def origin(docs: Docs, *keys: str | int) -> tuple[str, int | None]:
    """The file and line that set the value at `keys`: the last pack of the chain that has it."""
    for file, doc in reversed(docs):
        node, line = doc, None
        for key in keys:
            if isinstance(key, int) and isinstance(node, list) and key < len(node):
                line, node = item_line(node, key, line), node[key]
            elif isinstance(key, str) and isinstance(node, Mapping) and key in node:
                line, node = key_line(node, key, line), node[key]
            else:
                break
        else:
            return file, line
    return docs[-1][0], None


def parameter_problems(docs: Docs, parameters: Mapping[str, Parameter]) -> Iterator[Problem]:
    """Each parameter certeval reads is present, of its type and within its range; any other
    numeric parameter within the range of its unit."""
    top = scale_of(parameters)
    for name, param in sorted(parameters.items()):
        wanted = PYTHON_PARAMETERS.get(name) or UNIT_RANGES.get(param.unit or "")
        if wanted is None or isinstance(param.value, list):
            continue
        file, line = origin(docs, "parameters", name, "value")
        message = _out_of_range(param, wanted, top)
        if message:
            yield Problem(file, line, f"parameters.{name}", message)
        elif name in PYTHON_PARAMETERS and param.unit not in (None, wanted.unit):
            file, line = origin(docs, "parameters", name, "unit")
            yield Problem(file, line, f"parameters.{name}.unit", f"must be {wanted.unit}, not {param.unit}")
    for name in PYTHON_PARAMETERS:
        if name not in parameters:
            yield Problem(docs[-1][0], None, f"parameters.{name}", "missing: certeval needs this parameter")


def scale_of(parameters: Mapping[str, Parameter]) -> Fraction | None:
    """The pack's scale, if it is a number in its range (else it is reported on its own)."""
    scale = parameters.get("scale")
    number = _number(scale.value) if scale is not None else None
    wanted = PYTHON_PARAMETERS["scale"]
    if number is None or not wanted.minimum <= number <= (wanted.maximum or number):
        return None
    return number


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _out_of_range(param: Parameter, wanted: ParamRange, scale: Fraction | None) -> str | None:
    value = param.value
    number = _number(value)
    if number is None or (wanted.kind == "int" and not isinstance(value, int)):
        return f"must be {wanted.describe()}, not {value!r}"
    maximum = wanted.maximum if wanted.maximum is not None else scale
    if number < wanted.minimum or (maximum is not None and number > maximum):
        return f"{value} is out of range: must be {wanted.describe()}" + (
            f" ({maximum})" if wanted.maximum is None and maximum is not None else ""
        )
    return None


def scale_problems(
    docs: Docs,
    scale: Fraction,
    categories: Mapping[str, Category],
    indicators: Mapping[str, Indicator],
    grades: Sequence[Grade],
) -> Iterator[Problem]:
    """Grade thresholds within the scale; category maxima adding up to it; fixed indicator
    points within (and, when every indicator has them, adding up to) their category's maximum."""
    for index, grade in enumerate(grades):
        if not 0 <= grade.min <= scale:
            file, line = origin(docs, "tables", "grades", "rows", index, "min")
            yield Problem(
                file,
                line,
                f"tables.grades.rows.{grade.id}.min",
                f"{_fmt(grade.min)} is outside the scale of {_fmt(scale)} points",
            )
    total = sum((c.max for c in categories.values()), Fraction(0))
    if categories and total != scale:
        file, line = origin(docs, "tables", "categories", "rows")
        maxima = " + ".join(_fmt(c.max) for c in categories.values())
        yield Problem(
            file,
            line,
            "tables.categories.rows",
            f"the category maxima add up to {_fmt(total)} ({maxima}), not the scale of {_fmt(scale)}",
        )
    for category in categories.values():
        members = [i for i in indicators.values() if i.category == category.id]
        fixed = [i.points for i in members if i.points is not None]
        points = sum(fixed, Fraction(0))
        every = len(fixed) == len(members) and members
        if points > category.max or (every and points != category.max):
            file, line = origin(docs, "tables", "indicators", "rows")
            yield Problem(
                file,
                line,
                "tables.indicators.rows",
                f"the points of the {category.id} indicators add up to {_fmt(points)},"
                f" but the category's maximum is {_fmt(category.max)}",
            )


def _fmt(number: Fraction) -> str:
    return str(number.numerator) if number.denominator == 1 else str(float(number))


def _refs(cond: Cond) -> Iterator[Ref]:
    if isinstance(cond, Ref):
        yield cond
    elif isinstance(cond, (All, AnyOf)):
        for item in cond.items:
            yield from _refs(item)
    elif isinstance(cond, Not):
        yield from _refs(cond.item)


def predicate_cycles(
    docs: Docs, predicates: Mapping[str, tuple[str, Cond]], report: Callable[[Problem], None]
) -> bool:
    """Report each predicate that refers to itself, directly or through others; True if any."""
    found = False
    for name in sorted(predicates):
        path = _cycle_from(name, predicates)
        if path:
            found = True
            file, _ = origin(docs, "predicates", name)
            first = next(r for r in _refs(predicates[name][1]) if r.name == path[1])
            report(
                Problem(
                    file,
                    first.line,
                    f"predicates.{name}",
                    f"the predicate refers to itself: {' -> '.join(path)}",
                )
            )
    return found


def _cycle_from(start: str, predicates: Mapping[str, tuple[str, Cond]]) -> list[str] | None:
    """A path start -> ... -> start through `ref`s, or None (depth-first, each name once)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        if name not in predicates:
            continue
        for ref in _refs(predicates[name][1]):
            if ref.name == start:
                return [*path, start]
            if ref.name not in seen:
                seen.add(ref.name)
                stack.append((ref.name, [*path, ref.name]))
    return None
