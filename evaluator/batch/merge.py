"""The outputs, built by merging sorted chunk files: memory stays flat however many cases.

Each journal segment is sorted into two runs (results by case_id, errors by file and line) by
the offsets of its lines; runs are merged MERGE_FANIN at a time with `heapq.merge`, one
buffered line per file, until one pass writes results.jsonl and summary.csv.  Of several
cases with one case_id the first in input order is kept, the others become errors, which
join the errors' merge.  Only the kept cases reach the register.
"""

from __future__ import annotations

import contextlib
import csv
import heapq
import json
import os
import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from ..base.errors import ExitStatus
from ..outputs.cells import neutralise_cell
from ..outputs.files import to_json
from .journal import SEGMENT_RECORDS, decode, encode, read_lines
from .summary import CSV_COLUMNS
from .units import BatchError, key_hash

MERGE_FANIN = 16  # files open at once in one merge pass
REGISTER_BATCH = 500  # evaluations recorded per transaction

Entry = tuple[Any, bytes, dict[str, Any], list[bytes]]  # sort key, line, header, result parts
KeyOf = Callable[[dict[str, Any]], Any]


def result_key(head: dict[str, Any]) -> Any:
    return (head["case_id"], head["index"])


def error_key(head: dict[str, Any]) -> Any:
    error = head["error"]
    return (error["file"], error.get("line") or 0, error["message"], head["index"])


@dataclass
class Merged:
    errors: int = 0
    majors: int = 0
    status: int = ExitStatus.OK


# --------------------------------------------------------------------------------------- runs
def _entries(path: Path, key: KeyOf) -> Iterator[Entry]:
    for number, _, line in read_lines(path):
        decoded = decode(line)
        if isinstance(decoded, str):
            raise BatchError(f"{path}:{number}: changed while the batch ran ({decoded}); run it again")
        head, rest = decoded
        yield key(head), line, head, rest


def _write_run(path: Path, lines: Iterator[bytes]) -> None:
    with path.open("wb") as handle:
        for line in lines:
            handle.write(line)


def _sort_segment(
    segment: Path, current: array[int], seen: bytearray, runs: Path, number: int
) -> tuple[Path | None, Path | None]:
    """The segment's current records as a sorted result run and a sorted error run.  Records
    of units that are no longer among the inputs (or changed since), and second copies, are
    left out."""
    results: list[tuple[Any, int, int]] = []
    errors: list[tuple[Any, int, int]] = []
    for line_number, offset, line in read_lines(segment):
        decoded = decode(line)
        if isinstance(decoded, str):
            raise BatchError(
                f"{segment}:{line_number}: changed while the batch ran ({decoded}); run it again"
            )
        head = decoded[0]
        index = head["index"]
        if index >= len(current) or current[index] != key_hash(head["key"]) or seen[index]:
            continue
        seen[index] = 1
        if "error" in head:
            errors.append((error_key(head), offset, len(line)))
        else:
            results.append((result_key(head), offset, len(line)))
    made: list[Path | None] = []
    with segment.open("rb") as source:
        for kind, entries in (("results", results), ("errors", errors)):
            if not entries:
                made.append(None)
                continue
            entries.sort(key=itemgetter(0))
            path = runs / f"{number}.{kind}"

            def lines(chosen: list[tuple[Any, int, int]] = entries) -> Iterator[bytes]:
                for _, offset, length in chosen:
                    source.seek(offset)
                    yield source.read(length)

            _write_run(path, lines())
            made.append(path)
    return made[0], made[1]


def _reduce(paths: list[Path], key: KeyOf, runs: Path, kind: str) -> list[Path]:
    """Merge runs MERGE_FANIN at a time until at most MERGE_FANIN are left."""
    generation = 0
    while len(paths) > MERGE_FANIN:
        generation += 1
        merged = []
        for start in range(0, len(paths), MERGE_FANIN):
            group = paths[start : start + MERGE_FANIN]
            target = runs / f"pass{generation}.{start // MERGE_FANIN}.{kind}"
            streams = [_entries(p, key) for p in group]
            _write_run(target, (entry[1] for entry in heapq.merge(*streams, key=itemgetter(0))))
            for p in group:
                p.unlink()
            merged.append(target)
        paths = merged
    return paths


def _merged(paths: list[Path], key: KeyOf) -> Iterator[Entry]:
    return heapq.merge(*(_entries(p, key) for p in paths), key=itemgetter(0))


# ------------------------------------------------------------------------------------ outputs
class Staged:
    """Output files written under temporary names (`.NAME.<random>.tmp`, which a later run
    recognises as its own and removes) and published together, or not at all."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: list[tuple[Path, Path, IO[Any]]] = []

    def open(self, name: str, text: bool) -> IO[Any]:
        fd, tmp = tempfile.mkstemp(dir=self.out, prefix=f".{name}.", suffix=".tmp")
        handle: IO[Any] = os.fdopen(fd, "w", encoding="utf-8", newline="") if text else os.fdopen(fd, "wb")
        self.files.append((self.out / name, Path(tmp), handle))
        return handle

    def publish(self) -> None:
        mask = os.umask(0)
        os.umask(mask)
        for target, tmp, handle in self.files:
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as e:
                raise OSError(e.errno, e.strerror, str(target)) from None
            handle.close()
            os.chmod(tmp, 0o666 & ~mask)  # what open() would give: mkstemp's 0600 is for secrets
        for target, tmp, _ in self.files:
            os.replace(tmp, target)
        self.files = []

    def discard(self) -> None:
        for _, tmp, handle in self.files:
            with contextlib.suppress(OSError):  # a full disk: the bytes are thrown away anyway
                handle.close()
            tmp.unlink(missing_ok=True)
        self.files = []


def _duplicate(head: dict[str, Any], first_source: str) -> bytes:
    case_id, source = head["case_id"], head["source"]
    message = f"case_id {case_id} is also in {first_source}: duplicates are not merged"
    error = {
        "file": source,
        "line": None,
        "message": f"{source}: case_id: {message}",
        "problems": [{"line": None, "field": "case_id", "message": message}],
        "status": int(ExitStatus.BAD_INPUT),
    }
    return encode({"index": head["index"], "key": head["key"], "error": error})


def build_outputs(
    out: Path,
    segments: list[Path],
    current: array[int],
    runs: Path,
    record: Callable[[list[dict[str, Any]]], None] | None = None,
) -> Merged:
    """Write results.jsonl, summary.csv and errors.jsonl from the journal's segments."""
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir()
    seen = bytearray(len(current))
    result_runs: list[Path] = []
    error_runs: list[Path] = []
    for number, segment in enumerate(segments, start=1):
        if segment.exists():
            made_results, made_errors = _sort_segment(segment, current, seen, runs, number)
            result_runs += [made_results] if made_results else []
            error_runs += [made_errors] if made_errors else []
    merged = Merged()
    staged = Staged(out)
    try:
        results = staged.open("results.jsonl", text=False)
        summary = staged.open("summary.csv", text=True)
        summary.write("\ufeff")  # UTF-8 with BOM: Excel shows the Chinese names
        writer = csv.writer(summary)
        writer.writerow(CSV_COLUMNS)
        duplicates: list[tuple[Any, bytes]] = []
        pending: list[dict[str, Any]] = []
        last_id, first_source = None, ""
        for _, _, head, rest in _merged(_reduce(result_runs, result_key, runs, "results"), result_key):
            if head["case_id"] == last_id:
                line = _duplicate(head, first_source)
                duplicates.append((error_key(json.loads(line[9:-1])), line))
                if len(duplicates) >= SEGMENT_RECORDS:
                    error_runs.append(_spill(duplicates, runs, len(error_runs)))
                continue
            last_id, first_source = head["case_id"], head["source"]
            results.write(rest[0] + b"\n")
            writer.writerow([neutralise_cell(cell) for cell in head["csv"]])
            merged.majors += bool(head["major"])
            if record is not None and len(rest) > 1:
                pending.append({**json.loads(rest[1]), "result_json": rest[0].decode("utf-8")})
                if len(pending) >= REGISTER_BATCH:
                    record(pending)
                    pending = []
        if duplicates:
            error_runs.append(_spill(duplicates, runs, len(error_runs)))
        if record is not None and pending:
            record(pending)
        errors = staged.open("errors.jsonl", text=False)
        statuses = set()
        for _, _, head, _ in _merged(_reduce(error_runs, error_key, runs, "errors"), error_key):
            errors.write((to_json(head["error"], pretty=False) + "\n").encode("utf-8"))
            merged.errors += 1
            statuses.add(int(head["error"]["status"]))
        staged.publish()
    except BaseException:
        staged.discard()
        raise
    merged.status = max(statuses) if statuses else (ExitStatus.MAJOR if merged.majors else ExitStatus.OK)
    shutil.rmtree(runs, ignore_errors=True)
    return merged


def _spill(entries: list[tuple[Any, bytes]], runs: Path, number: int) -> Path:
    entries.sort(key=itemgetter(0))
    path = runs / f"duplicates.{number}.errors"
    _write_run(path, (line for _, line in entries))
    entries.clear()
    return path
