"""The units of a batch: one case file, or one line of a JSON Lines file, streamed in a stable
order so that a batch of any size never holds all its inputs at once."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CASE_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
JOURNAL_DIR = ".batch"


class BatchError(Exception):
    """The batch cannot start or go on (bad usage, or the environment's fault): exit status 2."""


@dataclass(frozen=True)
class Unit:
    """One case to evaluate: a file, or one line of a JSON Lines file."""

    index: int  # position in the input order, 0-based: ties and duplicates are settled by it
    source: str  # as the user named it
    line: int | None  # 1-based line of a .jsonl file
    key: str  # identity for resuming: source, line and a fingerprint of the content
    text: str | None = None  # the line's text, for .jsonl


def key_hash(key: str) -> int:
    """A unit's key in 64 bits, never 0 (0 marks "not done" in the journal's table)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") | 1


def check_inputs(inputs: Iterable[Path]) -> list[Path]:
    """The inputs, refused before any work if one is missing."""
    paths = list(inputs)
    for path in paths:
        if not (path.is_dir() or path.is_file()):
            raise BatchError(f"{path}: no such file or directory")
    return paths


def iter_units(inputs: Iterable[Path]) -> Iterator[Unit]:
    """Directories (recursively), case files and .jsonl files, in a stable order."""
    index = 0
    for path in inputs:
        if path.is_dir():
            # names only, as str: a directory of 100k cases costs a few MB, not a Path each.  NUL
            # for the separator sorts them as paths sort (part by part), the order of earlier runs
            names = sorted(
                str(p).replace(os.sep, "\0")
                for p in path.rglob("*")
                if p.suffix.lower() in CASE_SUFFIXES and JOURNAL_DIR not in p.parts and p.is_file()
            )
            for name in names:
                yield _file_unit(index, Path(name.replace("\0", os.sep)))
                index += 1
        elif path.suffix.lower() == ".jsonl":
            for unit in _jsonl_units(index, path):
                yield unit
                index += 1
        else:
            yield _file_unit(index, path)
            index += 1


def _file_unit(index: int, path: Path) -> Unit:
    stat = path.stat()
    return Unit(index, str(path), None, f"{path}|{stat.st_size}|{stat.st_mtime_ns}")


def _jsonl_units(start: int, path: Path) -> Iterator[Unit]:
    index = start
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]
                yield Unit(index, str(path), number, f"{path}:{number}|{digest}", text)
                index += 1
