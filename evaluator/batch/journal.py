"""The journal: what a batch has finished, checksummed line by line, in segments of bounded size.

A line is `<crc32 of the payload, 8 hex digits> SP <payload> LF`, the payload being
`<header JSON> [TAB <result JSON> [TAB <register JSON>]]` (JSON never holds a raw tab).  The
header holds what sorting, the CSV and errors.jsonl need; the result is kept as the exact
text results.jsonl gets, so finishing a batch never re-encodes a result.

Segments are `journal.jsonl`, `journal.2.jsonl`, … of at most SEGMENT_RECORDS records each:
they are the chunk files the outputs are merged from.  On opening, every line is verified: a
line that is cut short (a kill), fails its checksum (a NUL block, CRLF endings) or is not a
record of ours is dropped with a warning on stderr, and its case is evaluated again.  Nothing
is ever copied to an output that did not come, checksum intact, from an evaluation.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..outputs.files import to_json
from .units import BatchError, Unit, key_hash

SEGMENT_RECORDS = 4096  # 100k cases make 25 segments; a segment is sorted in memory by offsets
_SEGMENT_NAME = re.compile(r"journal(?:\.(\d+))?\.jsonl")
_WARN_LINES = 5  # per segment; the rest are counted


# ------------------------------------------------------------------------------------- lines
def encode(record: dict[str, Any]) -> bytes:
    """A record as one checksummed journal line."""
    head = {k: v for k, v in record.items() if k not in ("result_json", "register")}
    payload = to_json(head, pretty=False)
    if "result_json" in record:
        payload += "\t" + record["result_json"]
        if "register" in record:  # its result_json is the one just written: not kept twice
            payload += "\t" + to_json(
                {k: v for k, v in record["register"].items() if k != "result_json"}, pretty=False
            )
    data = payload.encode("utf-8")
    return b"%08x " % zlib.crc32(data) + data + b"\n"


def decode(line: bytes) -> tuple[dict[str, Any], list[bytes]] | str:
    """(header, [result, register]) of a verified line, or why the line cannot be trusted."""
    if not line.endswith(b"\n"):
        return "cut short (the batch was stopped while writing it)"
    body = line[:-1]
    if len(body) < 10 or body[8:9] != b" " or not re.fullmatch(rb"[0-9a-f]{8}", body[:8]):
        return "not a checksummed record"
    payload = body[9:]
    if int(body[:8], 16) != zlib.crc32(payload):
        return "checksum mismatch (the line was changed or damaged)"
    head_bytes, *rest = payload.split(b"\t")
    try:
        head = json.loads(head_bytes)
    except ValueError:
        return "checksummed but not JSON"
    if not _is_record(head, len(rest)):
        return "checksummed but not a batch record"
    return head, rest


def _is_record(head: Any, parts: int) -> bool:
    """Whether a checksummed header has every field the merge reads, of the right type."""
    if not (isinstance(head, dict) and isinstance(head.get("key"), str)):
        return False
    index = head.get("index")
    if not (type(index) is int and index >= 0):
        return False
    if "error" in head:
        error = head["error"]
        return (
            parts == 0
            and isinstance(error, dict)
            and isinstance(error.get("file"), str)
            and (error.get("line") is None or type(error.get("line")) is int)
            and isinstance(error.get("message"), str)
            and type(error.get("status")) is int
        )
    return (
        parts in (1, 2)
        and isinstance(head.get("case_id"), str)
        and isinstance(head.get("source"), str)
        and isinstance(head.get("major"), bool)
        and isinstance(head.get("csv"), list)
    )


def read_lines(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(line number, offset, raw line) of a file, one buffered line at a time."""
    offset = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, offset, line
            offset += len(line)


# ----------------------------------------------------------------------------------- journal
def segment_paths(directory: Path) -> list[Path]:
    """The journal's segments in order."""
    found = []
    for path in directory.iterdir():
        match = _SEGMENT_NAME.fullmatch(path.name)
        if match:
            found.append((int(match.group(1) or 1), path))
    return [path for _, path in sorted(found)]


def segment_path(directory: Path, number: int) -> Path:
    return directory / ("journal.jsonl" if number == 1 else f"journal.{number}.jsonl")


class Journal:
    """Append-only, fsynced record of finished units; which units are done, in 8 bytes each."""

    def __init__(self, directory: Path, warn: Callable[[str], None], units: int) -> None:
        """`units`: how many units the inputs hold now; records beyond them are of other inputs."""
        self.directory = directory
        self.units = units
        self.done = array("Q")  # by unit index: the key hash of the unit recorded, 0 if none
        self.segments = segment_paths(directory)
        self._in_last = 0
        for path in self.segments:
            self._in_last = self._recover(path, warn)
        self._handle: Any = None
        if not self.segments:
            self.segments.append(segment_path(directory, 1))

    def _recover(self, path: Path, warn: Callable[[str], None]) -> int:
        """Learn what `path` records; rewrite it without the lines that cannot be trusted."""
        if not path.is_file():
            raise BatchError(
                f"{path} is not a journal file: delete {self.directory} to start the batch again"
            )
        good, dropped = 0, []
        for number, _, line in read_lines(path):
            decoded = decode(line)
            if isinstance(decoded, str):
                dropped.append((number, decoded))
                continue
            head = decoded[0]
            if head["index"] < self.units:  # else of inputs since removed: kept, never used
                self._mark(head["index"], key_hash(head["key"]))
            good += 1
        if dropped:
            for number, why in dropped[:_WARN_LINES]:
                warn(f"certeval batch: {path}:{number}: dropped a journal line, {why}; its case is redone")
            if len(dropped) > _WARN_LINES:
                warn(f"certeval batch: {path}: dropped {len(dropped) - _WARN_LINES} more journal lines")
            _keep_verified(path)
        return good

    def _mark(self, index: int, value: int) -> None:
        if index >= len(self.done):
            self.done.extend([0] * (index + 1 - len(self.done)))
        self.done[index] = value

    def is_done(self, unit: Unit) -> bool:
        return self.is_done_as(unit.index, key_hash(unit.key))

    def is_done_as(self, index: int, value: int) -> bool:
        return index < len(self.done) and self.done[index] == value

    def append(self, records: list[dict[str, Any]]) -> None:
        """Write `records` and fsync them before the batch goes on."""
        payload = b"".join(encode(record) for record in records)
        if self._in_last >= SEGMENT_RECORDS:
            self._close_handle()
            number = int(_SEGMENT_NAME.fullmatch(self.segments[-1].name).group(1) or 1)  # type: ignore[union-attr]
            self.segments.append(segment_path(self.directory, number + 1))
            self._in_last = 0
        path = self.segments[-1]
        if self._handle is None:
            self._handle = path.open("ab")
        start = self._handle.tell()
        try:
            self._handle.write(payload)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as e:  # a full disk: take back the part written, never leave half a record
            with contextlib.suppress(OSError):  # else the checksums drop it on resume
                self._handle.truncate(start)
            raise OSError(e.errno, e.strerror, str(path)) from None
        self._in_last += len(records)
        for record in records:
            self._mark(record["index"], key_hash(record["key"]))

    def _close_handle(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def close(self) -> None:
        self._close_handle()


def _keep_verified(path: Path) -> None:
    """Rewrite `path` with only its verified lines, atomically."""
    tmp = path.with_name(f".{path.name}.rewrite.tmp")
    with tmp.open("wb") as out:
        for _, _, line in read_lines(path):
            if not isinstance(decode(line), str):
                out.write(line)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
