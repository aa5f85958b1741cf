"""The YAML fast path (SPEC §11: line numbers cost only on error).

`parse_yaml_fast` reads a case with the compiled parser yaml-rs (Rust, saphyr) into plain dicts,
lists and scalars — about six times faster than `yamlsafe.parse_yaml`, but without lines.  It
returns None wherever it cannot vouch that `parse_yaml` would give the same values, and the
caller then uses `parse_yaml`; when the document it gave is refused by validation, the caller
re-reads the text with `parse_yaml` for the messages.  So a fast document is one that the exact
loader reads to equal values, in the same key order, and refuses nothing in.

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

# Anywhere in the text, comments included: tabs, escapes, line and paragraph separators, a BOM
# after the start, non-characters.
_RISKY_CHARACTER = re.compile("[\t\\\\\u2028\u2029\ufeff\ufffe\uffff]")
# A comment: from a `#` at the start of a line or after a space to the end of the line, where no
# quote stands before it on that line (a ` #` inside a quoted string is not a comment).
_COMMENT = re.compile(r"^([^\"'#\n]*?)(?:(?<= )|^)#[^\n]*", re.M)
# Outside comments: a node starts at the start of a line, after white space, or after a flow
# indicator or the `:` of a JSON-like key ("a":1); each alternative is a token that may start there.
_RISKY = re.compile(
    r"^(?:---|\.\.\.|%)"  # document markers, directives
    r"""|["']\s*[0-9]{1,4}[-:]"""  # quoted, yet a date, a timestamp or a time to yaml-rs
    r"|(?:^|(?<=[\s\[{,:]))(?:"
    r"[&*!|>?@`%]"  # anchors, aliases, tags, block scalars, complex keys, reserved
    r"|[-+]?_|[-+]?[0-9.][^\s,\[\]{}#]*_"  # underscores in numbers: numbers to yaml-rs, strings here
    r"|[-+]?0[xXoObB]"  # base prefixes (yaml-rs also takes 0X, 0O, 0b and a sign)
    r"|[-+]?\.[A-Za-z]"  # .inf / .nan and the spellings only yaml-rs takes (.Nan)
    rf"|[-+]?[0-9.][^\s,\[\]{{}}#]{{{MAX_NUMBER_CHARS - 1},}}"  # as long as the number limit
    r")",
    re.M,
)
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
    if _loads is None or _RISKY_CHARACTER.search(text) or _RISKY.search(_COMMENT.sub(r"\1", text)):
        return None
    try:
        doc = _loads(text, parse_datetime=True)
    except Exception:  # a syntax error, a duplicate key, a nesting limit: the exact loader says
        return None
    if not isinstance(doc, dict):  # several documents come as a list; an empty one as None
        return None
    return doc if _vouched(doc) else None


class _Refused(Exception):
    pass


def _vouched(doc: dict[str, Any]) -> bool:
    counter = [0]
    try:
        _walk(doc, 1, counter)
    except _Refused:
        return False
    return True


def _walk(value: Any, depth: int, counter: list[int]) -> None:
    kind = type(value)
    if kind is dict:
        if depth > _MAX_DEPTH:
            raise _Refused
        counter[0] += 1 + 2 * len(value)
        if counter[0] > _MAX_NODES:
            raise _Refused
        for key, item in value.items():
            if type(key) is not str or len(key) > _MAX_KEY_CHARS or _DATE_SHAPED.fullmatch(key):
                raise _Refused
            if type(item) in _CONTAINERS_OR_STR:
                _walk(item, depth + 1, counter)
            elif type(item) not in _SAFE_SCALARS:
                raise _Refused
    elif kind is list:
        if depth > _MAX_DEPTH or len(value) >= MAX_LIST_ITEMS:
            raise _Refused
        counter[0] += 1 + len(value)
        if counter[0] > _MAX_NODES:
            raise _Refused
        for item in value:
            if type(item) in _CONTAINERS_OR_STR:
                _walk(item, depth + 1, counter)
            elif type(item) not in _SAFE_SCALARS:
                raise _Refused
    elif kind is str:
        if len(value) > MAX_STRING_CHARS or (len(value) == 10 and _DATE_SHAPED.fullmatch(value)):
            raise _Refused
    else:  # pragma: no cover - callers pass containers and strings only
        raise _Refused


_CONTAINERS_OR_STR = frozenset((dict, list, str))
# A `datetime` (a timestamp to yaml-rs, a string here) is not among them: `type(x) is dt.date`.
_SAFE_SCALARS = frozenset((int, float, bool, type(None), dt.date))
