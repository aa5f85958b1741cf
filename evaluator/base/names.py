"""Person names as SPEC §7.1 compares them: Unicode NFKC, case folding, all whitespace removed,
so "王　五" (an ideographic space) and "王五" are one person."""

from __future__ import annotations

import unicodedata


def person_key(name: str) -> str:
    """The form two names are compared in."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if not ch.isspace())


def same_person(a: str, b: str) -> bool:
    return person_key(a) == person_key(b)
