"""The YAML fast path (SPEC §11: line numbers cost only on error).

`parse_yaml_fast` reads a case with the compiled parser yaml-rs (Rust, saphyr) into plain dicts,
lists and scalars — about six times faster than `yamlsafe.parse_yaml`, but without lines.  It
returns None wherever it cannot vouch that `parse_yaml` would give the same values, and the
caller then uses `parse_yaml`; when the document it gave is refused by validation, the caller
re-reads the text with `parse_yaml` for the messages.  So a fast document is one that the exact
loader reads to equal values, in the same key order, and refuses nothing in.  One difference is
left to validation: an integer is a plain `int`, not a `SourceInt` that remembers how it was
written, so an unquoted all-digit `credit_code` fails validation here and is read exactly; a
caller that uses the document without validating it (the workbook export) asks for the exact one.

What yaml-rs does differently (benchmarks/README.md lists each quirk, tests/test_fast_path.py
holds them) is refused here in two passes:

- before parsing, on the text (`_RISKY`): syntax whose reading could differ or that the exact
  loader refuses — tabs, backslash escapes, anchors, aliases, tags, block scalars, complex keys,
  directives and document markers, reserved indicators, line and paragraph separators,
  non-characters — plain scalars that start like a number but are not decimal (`1_000`, `_1`,
  `0b1`, `0X1F`, `+0x1`, `.Nan`) or are long enough to pass the number limit, and quoted
  strings that start like a date or a time (yaml-rs makes `'2026-02-28'` a date, `"12:00:00"`
  a time: strings to the exact loader);
- after parsing, on the values (`_vouched`): date-shaped strings (an impossible date such as
  2026-02-30 is a string to yaml-rs, a `BadDate` to the exact loader), timestamps, keys that
  are not strings, and anything near a limit of `limits` (depth, list length, string length,
  node count).

The text pass over-refuses on purpose (an `&` after a space in a quoted name costs a fallback,
not a wrong answer): both passes only ever send a case to the exact loader.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .limits import (
    MAX_EXPANDED_NODES,
    MAX_LIST_ITEMS,
    MAX_NESTING_DEPTH,
    MAX_NUMBER_CHARS,
    MAX_STRING_CHARS,
)

try:
    import yaml_rs

    _loads: Any = yaml_rs.loads
except ImportError:  # pragma: no cover - the dependency is declared; without it: exact only
    _loads = None

# Each check is a search `re` runs quickly (a literal first character, or one rare character
# class), most of them without token boundaries: over-refusing costs a fallback, never an answer.
# Anywhere in the text: tabs, escapes, line and paragraph separators, a BOM after the start,
# non-characters.
_RISKY_CHARACTERS = ("\t", "\\", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff")
# Outside comments:
_DOCUMENT_MARKER = re.compile(r"\n(?:---|\.\.\.|%)")  # and at the start: documents, directives
# anchors, aliases, tags, block scalars, complex keys, reserved: at the start of a node, which is
# after white space, a flow indicator or the `:` of a JSON-like key ("a":1)
_INDICATORS = "&*!|>?@`%"
_NODE_START = frozenset(" \n[{,:")
_CHECKS = (
    re.compile(r"\.(?:(?<=[\s\[{,:]\.)|(?<=[\s\[{,:][-+]\.))[A-Za-z]"),  # .inf, .nan, and .Nan
    # quoted, yet a date, a timestamp or a time to yaml-rs ('2026-02-28', "12:00:00")
    re.compile(r'"\s*[0-9]{1,4}[-:]'),
    re.compile(r"'\s*[0-9]{1,4}[-:]"),
)
# Inside a token that starts like a number (after a sign: a digit, a point or an underscore):
_IN_NUMBERS = (
    re.compile(r"_(?:[0-9._]|(?<=[0-9.]_))"),  # 1_000, _1, 1_.5: numbers to yaml-rs, strings here
    re.compile(r"0[xXoObB]"),  # base prefixes: yaml-rs also takes 0X, 0O, 0b and a sign
)
_NUMBER_START = frozenset("0123456789._")
# A number as long as the number limit is made of digits, at most one point, one exponent and
# two signs (0x and _ are refused above), so it holds a run of eight digits: the token around each
# such run is measured.
_DIGIT_RUN = re.compile("[0-9]" * 8)  # spelt out: `re` scans this faster than [0-9]{8}
_TOKEN_END = frozenset(" \n,[]{}#")
_DATE_SHAPED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_DEPTH = MAX_NESTING_DEPTH // 2
_MAX_NODES = MAX_EXPANDED_NODES // 2
_MAX_KEY_CHARS = 256  # libyaml refuses an implicit key over 1024 characters; no real key is long


def fast_path_available() -> bool:
    return _loads is not None


def parse_yaml_fast(text: str) -> Any | None:
    """The document, as plain data equal to what `parse_yaml` gives, or None (not vouched for).

    `text` is what `yamlsafe.decode` returned: size, encoding and control characters checked.
    """
    if _loads is None or refused_by_text(text):
        return None
    try:
        doc = _loads(text, parse_datetime=True)
    except Exception:  # a syntax error, a duplicate key, a nesting limit: the exact loader says
        return None
    if not isinstance(doc, dict):  # several documents come as a list; an empty one as None
        return None
    return doc if _vouched(doc) else None


def refused_by_text(text: str) -> bool:
    """Whether the text holds syntax or a scalar the fast path does not vouch for."""
    if any(c in text for c in _RISKY_CHARACTERS):
        return True
    return _suspicious(text) and _suspicious(_without_comments(text))  # comments: often prose


def _suspicious(text: str) -> bool:
    if text.startswith(("---", "...", "%")) or _DOCUMENT_MARKER.search(text):
        return True
    if any(_at_node_start(text, indicator) for indicator in _INDICATORS):
        return True
    if any(check.search(text) for check in _CHECKS):
        return True
    in_numbers = (m.start() for check in _IN_NUMBERS for m in check.finditer(text))
    return any(_starts_number(text, index) for index in in_numbers) or _long_number(text)


def _at_node_start(text: str, char: str) -> bool:
    index = text.find(char)  # str.find: far quicker than a regular expression of a class
    while index >= 0:
        if index == 0 or text[index - 1] in _NODE_START:
            return True
        index = text.find(char, index + 1)
    return False


def _starts_number(text: str, index: int) -> bool:
    """Whether the token holding text[index] starts like a number (a credit code does not)."""
    while index and text[index - 1] not in _NODE_START:
        index -= 1
    if text[index] in "+-":
        index += 1
    return index < len(text) and text[index] in _NUMBER_START


def _long_number(text: str) -> bool:
    for run in _DIGIT_RUN.finditer(text):
        start, end = run.start(), run.end()
        while start and text[start - 1] not in _TOKEN_END:
            start -= 1
        while end < len(text) and text[end] not in _TOKEN_END:
            end += 1
        if end - start >= MAX_NUMBER_CHARS:
            return True
    return False


def _without_comments(text: str) -> str:
    """The text less its comments: a line that starts with `#`, and from ` #` to the end of a line
    with no quote before it (a ` #` inside a quoted string is not a comment)."""
    kept = []
    for line in text.split("\n"):
        if "#" in line:
            if line.lstrip(" ").startswith("#"):
                continue
            cut = line.find(" #")
            if cut >= 0 and '"' not in line[:cut] and "'" not in line[:cut]:
                line = line[:cut]
        kept.append(line)
    return "\n".join(kept)


def _vouched(doc: dict[str, Any]) -> bool:
    """No value the exact loader would read otherwise or refuse (a loop, not recursion: fast)."""
    nodes = 0
    stack: list[tuple[Any, int]] = [(doc, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        container, depth = pop()
        if depth > _MAX_DEPTH:
            return False
        items: Any
        if type(container) is dict:
            nodes += 1 + 2 * len(container)
            for key in container:
                if type(key) is not str or len(key) > _MAX_KEY_CHARS or _date_shaped(key):
                    return False
            items = container.values()
        else:
            if len(container) >= MAX_LIST_ITEMS:
                return False
            nodes += 1 + len(container)
            items = container
        for value in items:
            kind = type(value)
            if kind is str:
                if len(value) > MAX_STRING_CHARS or _date_shaped(value):
                    return False
            elif kind is dict or kind is list:
                push((value, depth + 1))
            elif kind not in _SAFE_SCALARS:
                return False
        if nodes > _MAX_NODES:
            return False
    return True


def _date_shaped(text: str) -> bool:
    """Shaped like a date: one that yaml-rs left a string is not a calendar date (2026-02-30)."""
    return len(text) == 10 and text[4] == "-" and _DATE_SHAPED.fullmatch(text) is not None


# A `datetime` or a `time` (a timestamp to yaml-rs, a string here) is not among them.
_SAFE_SCALARS = frozenset((int, float, bool, type(None), dt.date))
