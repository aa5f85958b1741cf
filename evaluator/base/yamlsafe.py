"""Safe YAML / JSON loading that keeps line numbers (SPEC §2, §3).

PyYAML on its own silently keeps the last of duplicate keys, forgets where values came from and
resolves YAML 1.1 scalars (`yes` is true, `1:20` is 80, `0123` is octal).  This loader:

- resolves plain scalars with the YAML 1.2 core schema, plus `YYYY-MM-DD` dates;
- returns `LocDict` / `LocList` containers that remember the line of every key and item;
- rejects duplicate keys (reporting the line of the second occurrence), documents over the
  size limit, non-UTF-8 text (a BOM is tolerated), more than one document and alias bombs;
- enforces the input limits of `limits` (nesting depth, list length, string length, the length
  of a number) and refuses control characters other than tab and LF, C1 controls and lone
  surrogates (also when written as escapes), each with its line; CRLF becomes LF;
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
from .limits import (
    MAX_EXPANDED_NODES,
    MAX_FILE_BYTES,
    MAX_LIST_ITEMS,
    MAX_NESTING_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_STRING_CHARS,
)

MAX_BYTES = MAX_FILE_BYTES  # the name the tests and callers know


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
# The tree is built straight from the C parser's events: PyYAML's generic constructor calls a
# Python resolver and constructor for every node, which made loading the largest share of a
# batch.  Plain scalars are resolved here with the YAML 1.2 core schema plus dates.
try:
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.loader import BaseLoader as _Parser  # type: ignore[assignment]

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMERIC_START = frozenset("-+0123456789.")
_PLAIN_SPECIAL_START = _NUMERIC_START | frozenset("~nNtTfF")  # what may be a number, date, null or bool
_CORE = "tag:yaml.org,2002:"


def _date(text: str) -> dt.date | BadDate:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return BadDate(text)


class NumberTooLong(ValueError):
    """A number written with more characters than `MAX_NUMBER_CHARS`."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"a number of {len(text)} characters is too long (at most {MAX_NUMBER_CHARS};"
            " quote it if it is a code)"
        )


def resolve_plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar under the YAML 1.2 core schema, plus dates."""
    if not text or text[0] not in _PLAIN_SPECIAL_START:  # most scalars: words, names, Chinese
        return text or None
    if len(text) > MAX_NUMBER_CHARS and text[0] in _NUMERIC_START:
        return _long_numeric(text)
    if text in _NULLS:
        return None
    boolean = _BOOLS.get(text)
    if boolean is not None:
        return boolean
    if text[0] not in _NUMERIC_START:
        return text
    if _INT.fullmatch(text):
        return SourceInt(int(text), text)
    if _DATE.fullmatch(text):
        return _date(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _OCT.fullmatch(text):
        return SourceInt(int(text[2:], 8), text)
    if _HEX.fullmatch(text):
        return SourceInt(int(text[2:], 16), text)
    if _INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def _long_numeric(text: str) -> Any:
    """A long plain scalar that starts like a number: a string, unless it is a number."""
    if any(p.fullmatch(text) for p in (_INT, _FLOAT, _OCT, _HEX)):
        raise NumberTooLong(text)
    return text


def _tagged(tag: str, text: str, mark: Any, name: str) -> Any:
    """A scalar with an explicit core tag (`!!str 5`); any other tag is refused."""
    kind = tag[len(_CORE) :] if tag.startswith(_CORE) else None
    if kind == "str":
        return text
    value = resolve_plain(text) if text else None
    wanted = {"int": int, "float": float, "bool": bool, "null": type(None), "timestamp": dt.date}.get(
        kind or ""
    )
    if wanted is None:
        raise LoadError(
            Problem(name, mark.line + 1, "", f"the tag {tag} is not allowed in a case or pack file")
        )
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, wanted) or (kind == "int" and isinstance(value, bool)):
        raise LoadError(Problem(name, mark.line + 1, "", f"{text!r} is not a valid {tag}"))
    return value


class _Frame:
    """A mapping or sequence being built, with the expanded size of what it holds so far."""

    __slots__ = ("anchor", "container", "key", "key_line", "size")

    def __init__(self, container: LocDict | LocList, anchor: str | None) -> None:
        self.container = container
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.size = 1


class _NoKey:
    pass


_NO_KEY = _NoKey()


class _Builder:
    """Events in, LocDict / LocList / scalars out."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.expanded = 0
        self.root: Any = None
        self.mark: Any = None  # of the scalar being resolved

    def fail(self, mark: Any, message: str) -> LoadError:
        return LoadError(Problem(self.name, mark.line + 1 if mark else None, "", message))

    def fail_at(self, line: int, message: str) -> LoadError:
        return LoadError(Problem(self.name, line, "", message))

    def add(self, value: Any, size: int, line: int, is_scalar: bool, new_nodes: int) -> None:
        """Attach a finished value, which starts on `line`, to its parent.  `new_nodes` are the
        nodes not counted yet: an alias counts its whole expansion again, a closing collection
        nothing more (its nodes were counted as they came)."""
        self.expanded += new_nodes
        if self.expanded > MAX_EXPANDED_NODES:
            raise self.fail_at(line, f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (alias bomb)")
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        container = frame.container
        if isinstance(container, LocList):
            if len(container) >= MAX_LIST_ITEMS:
                raise self.fail_at(line, f"a list of more than {MAX_LIST_ITEMS} items is too long")
            container.append(value)
            container.item_lines.append(line)
        elif frame.key is _NO_KEY:
            if not is_scalar:
                raise self.fail_at(line, "a mapping key must be a plain scalar")
            try:
                hash(value)
            except TypeError:
                raise self.fail_at(line, "a mapping key must be a plain scalar") from None
            if value in container:
                raise self.fail_at(
                    line, f"duplicate key {value!r} (first at line {container.key_lines[value]})"
                )
            frame.key, frame.key_line = value, line
        else:
            container[frame.key] = value
            container.key_lines[frame.key] = frame.key_line
            frame.key = _NO_KEY

    def start(self, container: LocDict | LocList, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag not in (f"{_CORE}map", f"{_CORE}seq", "!"):
            raise self.fail(event.start_mark, f"the tag {tag} is not allowed in a case or pack file")
        if len(self.stack) >= MAX_NESTING_DEPTH:
            raise self.fail(event.start_mark, f"nested more than {MAX_NESTING_DEPTH} levels deep")
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.expanded += 1
        self.stack.append(_Frame(container, event.anchor))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.container, frame.size)
        line = frame.container.line
        assert line is not None
        self.add(frame.container, frame.size, line, False, 0)

    def scalar(self, event: Any) -> None:
        if event.style == '"':  # escapes (\\e, \\x00, \\u202e) are resolved only in double quotes
            bad = first_bad_character(event.value)
            if bad is not None:
                raise self.fail(event.start_mark, bad_character_message(event.value[bad]))
        if event.tag is None or event.tag == "!":
            value = resolve_plain(event.value) if event.implicit[0] else event.value
        else:
            value = _tagged(event.tag, event.value, event.start_mark, self.name)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self.add(value, 1, event.start_mark.line + 1, True, 1)

    def alias(self, event: Any) -> None:
        if event.anchor in self.open_anchors:
            raise self.fail(event.start_mark, "an alias refers to its own ancestor")
        if event.anchor not in self.anchors:
            raise self.fail(event.start_mark, f"unknown alias *{event.anchor}")
        value, size = self.anchors[event.anchor]
        self.add(value, size, event.start_mark.line + 1, not isinstance(value, (LocDict, LocList)), size)


def _build(parser: Any, name: str) -> Any:
    builder = _Builder(name)
    try:
        return _events(parser, builder)
    except NumberTooLong as e:
        raise builder.fail(builder.mark, str(e)) from None


def _events(parser: Any, builder: _Builder) -> Any:
    documents = 0
    get_event, add, scalar_event = parser.get_event, builder.add, yaml.ScalarEvent  # hot loop
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            builder.mark = event.start_mark
            if len(event.value) > MAX_STRING_CHARS:
                raise builder.fail(event.start_mark, f"a text of more than {MAX_STRING_CHARS} characters")
            if event.tag is None and not event.anchor and event.style != '"':  # most nodes: right here
                value = resolve_plain(event.value) if event.implicit[0] else event.value
                add(value, 1, event.start_mark.line + 1, True, 1)
            else:
                builder.scalar(event)
        elif kind is yaml.MappingStartEvent:
            builder.start(LocDict(event.start_mark.line + 1), event)
        elif kind is yaml.SequenceStartEvent:
            builder.start(LocList(event.start_mark.line + 1), event)
        elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            builder.end()
        elif kind is yaml.AliasEvent:
            builder.alias(event)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise builder.fail(event.start_mark, "YAML syntax: expected a single document, found another")
        elif kind is yaml.StreamEndEvent:
            return builder.root


# ------------------------------------------------------------------------------------- helpers
# C0 controls other than tab and LF, DEL and C1 controls (terminal escapes, NUL, bells) have no
# place in a case or a pack; a surrogate can only come from an escape (UTF-8 cannot hold one).
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def first_bad_character(text: str) -> int | None:
    """The index of the first character a case or pack may not hold, or None."""
    match = _BAD_CHARACTER.search(text)
    return match.start() if match else None


def bad_character_message(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X} is not a character"
    return f"the control character U+{code:04X} is not allowed (only tab and line feed)"


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text of a file, BOM tolerated, CRLF as LF; a size, encoding or control-character
    problem names its line."""
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError(
            Problem(name, None, "", f"file is {len(raw)} bytes, over the {MAX_FILE_BYTES} byte limit")
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise LoadError(
            Problem(name, line, "", f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start})")
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    bad = first_bad_character(text)
    if bad is not None:
        line = text.count("\n", 0, bad) + 1
        raise LoadError(Problem(name, line, "", bad_character_message(text[bad])))
    return text


def parse_yaml(text: str, name: str) -> Any:
    """One YAML document as LocDict / LocList / scalars; every problem is a LoadError."""
    parser = _Parser(text)
    try:
        return _build(parser, name)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        context = e.context
        if context and e.context_mark and e.problem_mark and e.context_mark.line != e.problem_mark.line:
            context += f" (which began on line {e.context_mark.line + 1})"
        what = " ".join(part for part in (context, e.problem) if part) or "YAML error"
        raise LoadError(Problem(name, line, "", f"YAML syntax: {what}")) from None
    except yaml.YAMLError as e:
        raise LoadError(Problem(name, None, "", f"YAML syntax: {e}")) from None
    finally:
        parser.dispose()


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKey(key)
        data[key] = value
    return data


class _OverLimit(Exception):
    pass


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _OverLimit
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _OverLimit
    return float(text)


def parse_json(text: str, name: str) -> Any:
    """A JSON document; syntax errors carry their line, duplicate keys are rejected.

    The result has plain dicts (no lines): callers that find a problem re-parse with
    `parse_json_located` to say where it is.  So do the input limits: a document over one of
    them is parsed again with marks, where the limit is reported with its line.
    """
    if "\\" in text:
        _check_json_escapes(text, name)
    try:
        data = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_int=_json_int, parse_float=_json_float
        )
    except json.JSONDecodeError as e:
        raise LoadError(Problem(name, e.lineno, "", f"JSON syntax: {e.msg} (column {e.colno})")) from None
    except _DuplicateKey as e:
        parse_json_located(text, name)  # raises with the line of the second occurrence
        raise LoadError(Problem(name, None, "", f"duplicate key {e.args[0]!r}")) from None
    except (_OverLimit, RecursionError):
        data = None
    if data is None or not _within_limits(data):
        parse_json_located(text, name)  # raises at the line where the limit is passed
        raise LoadError(Problem(name, None, "", "the document is over an input limit"))
    if "\\r\\n" in text:
        data = _crlf_to_lf(data)
    return data


def _within_limits(data: Any) -> bool:
    """Nesting depth, list length and string length of a parsed JSON document."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING_CHARS:
                return False
        elif isinstance(value, (dict, list)):
            if depth > MAX_NESTING_DEPTH or len(value) > MAX_LIST_ITEMS:
                return False
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items if isinstance(item, (str, dict, list)))
    return True


def _crlf_to_lf(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    if isinstance(value, dict):
        return {key: _crlf_to_lf(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_crlf_to_lf(item) for item in value]
    return value


# Escapes that may stand for a character a case may not hold; most JSON has none of them.
_SUSPICIOUS_ESCAPE = re.compile(r"\\(?:u(?:00[0189]|007[fF]|[dD][89a-fA-F])|[bfr])")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))", re.S)
_SHORT_ESCAPES = {"b": "\b", "f": "\f", "r": "\r"}


def _check_json_escapes(text: str, name: str) -> None:
    """Refuse escapes of control characters and of lone surrogates, with their line."""
    if not _SUSPICIOUS_ESCAPE.search(text):
        return
    high: re.Match[str] | None = None  # a high surrogate waiting for its low half
    for match in _ESCAPE.finditer(text):
        code = int(match.group(1), 16) if match.group(1) else None
        if high is not None:
            if code is not None and 0xDC00 <= code <= 0xDFFF and match.start() == high.end():
                high = None
                continue
            break
        char = chr(code) if code is not None else _SHORT_ESCAPES.get(match.group(2), "")
        if char == "\r" and text.startswith("\\n", match.end()):
            continue  # CRLF inside a string: becomes LF
        if code is not None and 0xD800 <= code <= 0xDBFF:
            high = match
            continue
        if char and _BAD_CHARACTER.match(char):
            _fail_at(text, name, match.start(), char)
    if high is not None:
        _fail_at(text, name, high.start(), chr(int(high.group(1), 16)))


def _fail_at(text: str, name: str, index: int, char: str) -> None:
    line = text.count("\n", 0, index) + 1
    raise LoadError(Problem(name, line, "", bad_character_message(char)))


def parse_json_located(text: str, name: str) -> Any:
    """The same JSON document with line numbers (JSON is YAML 1.2 flow syntax)."""
    return parse_yaml(text, name)


def load_document(raw: bytes, name: str, *, as_json: bool) -> Any:
    text = decode(raw, name)
    return parse_json(text, name) if as_json else parse_yaml(text, name)
