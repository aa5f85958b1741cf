"""Reaching into a case document by path (`evaluation.scores`, `organization.licences`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MISSING: Any = object()  # the key is not in the document


def get_path(doc: Any, path: str) -> Any:
    """The value at a dotted path (no lists on the way), or MISSING."""
    node = doc
    for part in path.split(".") if path else ():
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def child_items(doc: Any, list_path: str) -> Iterator[Any]:
    """The entries of a list given by its path, `[]` marking the lists on the way."""
    head, _, rest = list_path.partition("[].")
    found = get_path(doc, head)
    if not isinstance(found, list):
        return
    if not rest:
        yield from found
        return
    for item in found:
        yield from child_items(item, rest)


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """Put a value at a dotted path, making the mappings on the way."""
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
