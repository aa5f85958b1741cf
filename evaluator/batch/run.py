"""`run_batch`: evaluate every case of the inputs into an output directory, resumably.

    DIR/results.jsonl   one result per case, ordered by case_id
    DIR/summary.csv     one row per case (UTF-8 with BOM, for Excel)
    DIR/errors.jsonl    one line per bad case: file, line, message (and every problem)
    DIR/.batch/         the journal of the run, its options and its lock

How it survives being killed at any moment (SIGINT, SIGTERM, SIGHUP or SIGKILL): every
finished chunk of cases is appended to the journal and fsynced before the next is taken; a
run that finds a journal verifies it line by line and skips the units it records.  The three
output files are always rebuilt from the journal by a merge, written under temporary names
and renamed: an interrupted and resumed run ends with the same bytes as an uninterrupted one.
The options that shape results (pack, as_of, engine) are fixed in `.batch/options.json` at
the first run; `as_of` defaults to that day, not the day of the resume.  One batch at a time
writes into a directory (`.batch/lock`).  Workers are processes (durable_rules holds the GIL
and its host is process-global); each builds its own rulesets once; only the parent writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import shutil
import signal
import sys
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from ..base.errors import ExitStatus
from ..packs import load_pack
from .journal import Journal, segment_paths
from .merge import build_outputs
from .options import Options, fixed_options
from .units import JOURNAL_DIR, BatchError, Unit, check_inputs, iter_units, key_hash
from .work import evaluate_chunk
from .workers import run_parallel

CHUNK = 64  # cases per task and per fsync of the journal
OUTPUTS = ("results.jsonl", "summary.csv", "errors.jsonl")


class BatchInterrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, stopping the batch as Ctrl-C does; `signum` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class Totals:
    cases: int = 0
    errors: int = 0
    majors: int = 0
    status: int = ExitStatus.OK
    seconds: float = 0.0
    evaluated_now: int = 0
    skipped: int = 0


def _stderr(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """SIGTERM and SIGHUP raise BatchInterrupted, so the batch stops as on Ctrl-C: workers
    stopped, journal whole, the caller says how to resume."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise BatchInterrupted(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _lock(state: Path) -> int:
    """Hold `.batch/lock` for the whole run: a second batch into the same --out is refused."""
    fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BatchError(
            f"another certeval batch is writing into {state.parent} (it holds {state / 'lock'});"
            " wait for it to finish, or use another --out"
        ) from None
    return fd


def _remove_stale(out: Path, state: Path) -> None:
    """Temporary files of our own naming that a killed run left behind (under the lock: no
    live run owns them)."""
    patterns = [(out, f".{name}.*.tmp") for name in OUTPUTS]
    patterns += [(state, ".*.tmp"), (out / "reports", ".*.html.*.tmp")]
    for directory, pattern in patterns:
        if directory.is_dir():
            for path in directory.glob(pattern):
                if path.is_file():
                    path.unlink()
    shutil.rmtree(state / "runs", ignore_errors=True)


def _describe(error: OSError, out: Path) -> str:
    name = errno.errorcode.get(error.errno or 0, "")
    reason = f"{error.strerror or error}" + (f" ({name})" if name else "")
    return f"{error.filename or out}: {reason}; the batch into {out} stopped: run it again once fixed"


def _chunks(units: Iterable[Unit], size: int) -> Iterator[list[Unit]]:
    chunk: list[Unit] = []
    for unit in units:
        chunk.append(unit)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_batch(
    inputs: Iterable[Path],
    out: Path,
    *,
    jobs: int = 1,
    pack: str | None = None,
    as_of: dt.date | None = None,
    engine: str | None = None,
    reports: tuple[str, ...] = (),
    lang: str = "zh",
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] | None = None,
    record_db: Path | None = None,
    warn: Callable[[str], None] = _stderr,
) -> Totals:
    """Evaluate every case of `inputs` into `out`; resumes a batch interrupted in `out`."""
    clock = clock or time.perf_counter
    started = clock()
    if pack is not None:
        load_pack(Path(pack) if Path(pack).is_dir() else pack)  # a broken pack fails before any work
    paths = check_inputs(inputs)
    options = Options(
        pack=str(Path(pack).resolve()) if pack and Path(pack).is_dir() else pack,
        as_of=as_of.isoformat() if as_of else None,
        today=(today or dt.date.today()).isoformat(),
        engine=engine,
        reports=tuple(reports),
        lang=lang,
        reports_dir=str((out / "reports").resolve()) if reports else "",
        record=record_db is not None,
    )
    state = out / JOURNAL_DIR
    lock = -1
    try:
        with _interrupts():
            state.mkdir(parents=True, exist_ok=True)
            lock = _lock(state)
            _remove_stale(out, state)
            totals = _run(paths, out, state, options, jobs, progress, record_db, warn)
    except OSError as e:
        raise BatchError(_describe(e, out)) from None
    finally:
        if lock >= 0:
            os.close(lock)
    totals.seconds = clock() - started
    return totals


def _run(
    paths: list[Path],
    out: Path,
    state: Path,
    options: Options,
    jobs: int,
    progress: Callable[[int, int], None] | None,
    record_db: Path | None,
    warn: Callable[[str], None],
) -> Totals:
    if not state.is_dir():
        raise BatchError(f"{state} is not a directory")
    options = fixed_options(state, options, has_journal=bool(segment_paths(state)))
    connection = None
    if record_db is not None:
        from ..register import connect

        connection = connect(record_db)
    # first pass: what the inputs are now (8 bytes a case), and what is left to do
    current = array("Q", (key_hash(unit.key) for unit in iter_units(paths)))
    journal = Journal(state, warn, len(current))
    try:
        todo = sum(1 for index, value in enumerate(current) if not journal.is_done_as(index, value))
        totals = Totals(cases=len(current), evaluated_now=todo, skipped=len(current) - todo)
        if progress:
            progress(totals.skipped, totals.cases)

        def take(records: list[dict[str, Any]]) -> None:
            fatal = next((r["fatal"] for r in records if "fatal" in r), None)
            if fatal is not None:
                raise BatchError(f"cannot write a report: {fatal}")
            journal.append(records)
            if progress:
                progress(len(records), totals.cases)

        def remaining() -> Iterator[Unit]:
            for unit in iter_units(paths):
                if unit.index >= len(current):  # the inputs grew since the first pass
                    current.append(0)
                current[unit.index] = key_hash(unit.key)
                if not journal.is_done(unit):
                    yield unit

        chunks = _chunks(remaining(), CHUNK)
        jobs = max(1, min(jobs, todo // CHUNK + 1))
        if jobs == 1:
            for chunk in chunks:
                take(evaluate_chunk(chunk, options))
        else:
            run_parallel(chunks, options, jobs, take)
        journal.close()
        record = None
        if connection is not None:
            from ..register import write_records

            def record(registered: list[dict[str, Any]]) -> None:
                write_records(connection, registered)

        merged = build_outputs(out, journal.segments, current, state / "runs", record)
    finally:
        journal.close()
        if connection is not None:
            connection.close()
    totals.errors, totals.majors, totals.status = merged.errors, merged.majors, merged.status
    return totals
