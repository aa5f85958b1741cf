"""Safe YAML / JSON loading that keeps line numbers (SPEC §2, §3).

PyYAML on its own silently keeps the last of duplicate keys, forgets where values came from and
resolves YAML 1.1 scalars (`yes` is true, `1:20` is 80, `0123` is octal).  This loader:

- resolves plain scalars with the YAML 1.2 core schema, plus `YYYY-MM-DD` dates;
- returns `LocDict` / `LocList` containers that remember the line of every key and item;
- rejects duplicate keys (reporting the line of the second occurrence), documents over the
  size limit, non-UTF-8 text (a BOM is tolerated), more than one document and alias bombs;
- keeps the source text of integers (`SourceInt.text`) so identifiers written without quotes
  can be taken as their digits;
- turns impossible dates such as `2026-02-30` into `BadDate` values for the validator to report
  with their field, instead of failing the whole parse.

JSON files take a fast path (`json.loads`); only when something is wrong is the text parsed
again with marks so that each problem can name its line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

from .errors import Problem

MAX_BYTES = 5 * 1024 * 1024
# Expanded size of a document whose aliases point at shared subtrees; a 5 MB case legitimately
# holds far fewer nodes, a "billion laughs" document far more.
MAX_EXPANDED_NODES = 200_000

try:  # the C parser is ~6x faster; the Python one is the fallback on exotic platforms
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class LocDict(dict[Any, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}


class LocList(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int | None = None) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


class SourceInt(int):
    """An integer that remembers how it was written (`0123` keeps its leading zero)."""

    text: str

    def __new__(cls, value: int, text: str) -> SourceInt:
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


class BadDate(str):
    """A scalar shaped like a date that is not a calendar date (2026-02-30)."""


class LoadError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


# --------------------------------------------------------------------------- YAML 1.2 core schema
class _Resolver(yaml.resolver.Resolver):
    pass


_Resolver.yaml_implicit_resolvers = {}
_IMPLICIT = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
    ("tag:yaml.org,2002:timestamp", r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", list("0123456789")),
]
for _tag, _pattern, _first in _IMPLICIT:
    _Resolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_loc_mapping(self, node: yaml.MappingNode) -> Any:
        data = LocDict(node.start_mark.line + 1)
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain scalar", key_node.start_mark
                ) from None
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {data.key_lines[key]})",
                    key_node.start_mark,
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = line

    def construct_loc_sequence(self, node: yaml.SequenceNode) -> Any:
        data = LocList(node.start_mark.line + 1)
        yield data
        for item in node.value:
            data.append(self.construct_object(item, deep=True))
            data.item_lines.append(item.start_mark.line + 1)

    def construct_core_int(self, node: yaml.ScalarNode) -> SourceInt:
        text = str(self.construct_scalar(node))
        if text.startswith("0o"):
            return SourceInt(int(text[2:], 8), text)
        if text.startswith("0x"):
            return SourceInt(int(text[2:], 16), text)
        return SourceInt(int(text), text)

    def construct_core_float(self, node: yaml.ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        if text.endswith(".inf"):
            return float("-inf") if text.startswith("-") else float("inf")
        if text == ".nan":
            return float("nan")
        return float(text)

    def construct_core_date(self, node: yaml.ScalarNode) -> dt.date | BadDate:
        text = str(self.construct_scalar(node))
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return BadDate(text)


for _tag, _method in (
    ("map", _Constructor.construct_loc_mapping),
    ("seq", _Constructor.construct_loc_sequence),
    ("int", _Constructor.construct_core_int),
    ("float", _Constructor.construct_core_float),
    ("timestamp", _Constructor.construct_core_date),
):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _method)  # type: ignore[type-var]


class _Loader(_BaseLoader, _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        _BaseLoader.__init__(self, stream)


# ------------------------------------------------------------------------------------- helpers
def decode(raw: bytes, name: str) -> str:
    """UTF-8 text of a file, BOM tolerated; a size or encoding problem names its line."""
    if len(raw) > MAX_BYTES:
        raise LoadError(Problem(name, None, "", f"file is {len(raw)} bytes, over the {MAX_BYTES} byte limit"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise LoadError(
            Problem(name, line, "", f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})")
        ) from None


def _expanded_size(root: yaml.Node, name: str) -> int:
    """Nodes the document would have with every alias expanded; rejects cycles."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise LoadError(
                Problem(name, node.start_mark.line + 1, "", "an alias refers to its own ancestor")
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        if total > MAX_EXPANDED_NODES:
            raise LoadError(
                Problem(
                    name,
                    node.start_mark.line + 1,
                    "",
                    f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (alias bomb)",
                )
            )
        return total

    size(root)
    return sizes[id(root)]


def parse_yaml(text: str, name: str) -> Any:
    """One YAML document as LocDict / LocList / scalars; every problem is a LoadError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text:  # only a document with aliases can expand beyond its text
            _expanded_size(node, name)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        context = e.context
        if context and e.context_mark and e.problem_mark and e.context_mark.line != e.problem_mark.line:
            context += f" (which began on line {e.context_mark.line + 1})"
        what = " ".join(part for part in (context, e.problem) if part) or "YAML error"
        if not isinstance(e, yaml.constructor.ConstructorError):
            what = f"YAML syntax: {what}"
        raise LoadError(Problem(name, line, "", what)) from None
    except yaml.YAMLError as e:
        raise LoadError(Problem(name, None, "", f"YAML syntax: {e}")) from None
    finally:
        loader.dispose()


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


def parse_json(text: str, name: str) -> Any:
    """A JSON document; syntax errors carry their line, duplicate keys are rejected.

    The result has plain dicts (no lines): callers that find a problem re-parse with
    `parse_json_located` to say where it is.
    """
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise LoadError(Problem(name, e.lineno, "", f"JSON syntax: {e.msg} (column {e.colno})")) from None
    except _DuplicateKey as e:
        parse_json_located(text, name)  # raises with the line of the second occurrence
        raise LoadError(Problem(name, None, "", f"duplicate key {e.args[0]!r}")) from None


def parse_json_located(text: str, name: str) -> Any:
    """The same JSON document with line numbers (JSON is YAML 1.2 flow syntax)."""
    return parse_yaml(text, name)


def load_document(raw: bytes, name: str, *, as_json: bool) -> Any:
    text = decode(raw, name)
    return parse_json(text, name) if as_json else parse_yaml(text, name)
