"""Batch evaluation: thousands of cases, in parallel, resumable, never losing or doubling one.

    DIR/results.jsonl   one result per case, ordered by case_id
    DIR/summary.csv     one row per case (UTF-8 with BOM, for Excel)
    DIR/errors.jsonl    one line per bad case: file, line, message (and every problem)
    DIR/.batch/         the journal of a run in progress

How it survives being killed at any moment (SIGINT or SIGKILL): every finished chunk of cases
is appended to `.batch/journal.jsonl` and fsynced before the next is taken; a run that finds a
journal skips the units it records and drops a torn last line.  The three output files are
always rebuilt from the journal, sorted, written atomically: an interrupted and resumed run
ends with the same bytes as an uninterrupted one.  The options that shape results (pack, as_of,
engine) are fixed in `.batch/options.json` at the first run; `as_of` defaults to that day, not
the day of the resume.

Workers are processes (durable_rules holds the GIL and its host is process-global); each
builds its own rulesets once.  Cases travel in chunks; only the parent writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .api import evaluate_full
from .base.errors import CaseError, ExitStatus, InputError, PackError, Problem
from .base.i18n import SEVERITIES, STATUS_LABELS, SURVEILLANCE_STATE_LABELS
from .base.yamlsafe import LoadError, parse_json, parse_json_located
from .case.loader import build_case, read_document
from .outputs.files import to_json, write_atomic
from .packs import Pack, load_pack

CASE_SUFFIXES = (".yaml", ".yml", ".json")
JOURNAL_DIR = ".batch"
CHUNK = 64
CSV_COLUMNS = (
    "case_id",
    "organization",
    "stage",
    "eligible",
    "grade",
    "score",
    "certificate_status",
    "recommended_status",
    "reasons",
    "surveillance_state",
    "due_by",
    *SEVERITIES,
    "source",
    "grade_label",
    "recommended_status_label",
    "surveillance_state_label",
    "valid_until",
    "extended_until",
)


class BatchError(Exception):
    """The batch cannot start (bad usage): exit status 2."""


# ------------------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Unit:
    """One case to evaluate: a file, or one line of a JSON Lines file."""

    source: str  # as the user named it
    line: int | None  # 1-based line of a .jsonl file
    key: str  # identity for resuming: source, line and a fingerprint of the content
    text: str | None = None  # the line's text, for .jsonl


def _file_unit(path: Path) -> Unit:
    stat = path.stat()
    return Unit(str(path), None, f"{path}|{stat.st_size}|{stat.st_mtime_ns}")


def _jsonl_units(path: Path) -> Iterator[Unit]:
    with path.open("r", encoding="utf-8-sig", errors="surrogateescape") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]
                yield Unit(str(path), number, f"{path}:{number}|{digest}", text)


def collect_units(inputs: Iterable[Path]) -> list[Unit]:
    """Directories (recursively), case files and .jsonl files, in a stable order."""
    units: list[Unit] = []
    for path in inputs:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CASE_SUFFIXES)
            units += [_file_unit(p) for p in files if JOURNAL_DIR not in p.parts]
        elif path.suffix.lower() == ".jsonl":
            units += list(_jsonl_units(path))
        elif path.is_file():
            units.append(_file_unit(path))
        else:
            raise BatchError(f"{path}: no such file or directory")
    return units


# ----------------------------------------------------------------------------------- options
@dataclass(frozen=True)
class Options:
    pack: str | None  # id or directory; None: each case's own
    as_of: str | None  # ISO; None: each case's own, else the day the batch started
    today: str  # the day the batch started
    engine: str | None
    reports: tuple[str, ...] = ()  # report kinds written per case, as HTML
    lang: str = "zh"
    reports_dir: str = ""
    record: bool = False  # also build the register's record of each evaluation

    def as_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Options:
        data = json.loads(text)
        return cls(**{**data, "reports": tuple(data.get("reports", ()))})

    def replace(self, **changes: Any) -> Options:
        return Options(**{**self.__dict__, **changes})


# ------------------------------------------------------------------------------------ worker
_PACK_CACHE: dict[str, Pack] = {}


def _pack(options: Options) -> Pack | None:
    if options.pack is None:
        return None
    if options.pack not in _PACK_CACHE:
        path = Path(options.pack)
        _PACK_CACHE[options.pack] = load_pack(path if path.is_dir() else options.pack)
    return _PACK_CACHE[options.pack]


def _load(unit: Unit, options: Options) -> Any:
    if unit.text is None:
        doc, locate = read_document(Path(unit.source))
        name = unit.source
    else:
        name = f"{unit.source}:{unit.line}"
        try:
            doc = parse_json(unit.text, name)
        except LoadError as e:
            raise CaseError([_shift(e.problem, unit)]) from None
        text = unit.text

        def locate() -> Any:
            return parse_json_located(text, name)

    as_of = dt.date.fromisoformat(options.as_of) if options.as_of else None
    today = dt.date.fromisoformat(options.today)
    try:
        return build_case(doc, name, pack_ref=_pack(options), as_of=as_of, today=today, locate=locate)
    except CaseError as e:
        if unit.line is None:
            raise
        raise CaseError([_shift(p, unit) for p in e.problems]) from None


def _shift(problem: Problem, unit: Unit) -> Problem:
    """A problem in a JSON Lines line, named by the file and the line in it."""
    return Problem(unit.source, unit.line, problem.field, problem.message)


def evaluate_unit(unit: Unit, options: Options) -> dict[str, Any]:
    """One journal record: the result, or the error, of one unit."""
    try:
        case, pack = _load(unit, options)
        evaluation = evaluate_full(case, pack=pack, engine=options.engine)
        if options.reports:
            from .outputs.report import kind_problem, render_report, report_filename

            for kind in options.reports:
                if kind_problem(evaluation, kind):  # a kind that does not fit this case (SPEC 8.3)
                    continue
                name = report_filename(case.case_id, kind, "html", options.lang)
                write_atomic(
                    Path(options.reports_dir) / name, render_report(evaluation, kind, "html", options.lang)
                )
        result = evaluation.result
        register = None
        if options.record:
            from .register import register_record

            register = register_record(evaluation)
        cert, surv, score = result["certificate"] or {}, result["surveillance"] or {}, result["score"] or {}
        eligible = result["eligible"]
        return {
            "key": unit.key,
            "case_id": case.case_id,
            "source": unit.source,
            "major": result["summary"]["major"] > 0,
            "csv": [
                case.case_id,
                case.organization.name,
                case.stage,
                "" if eligible is None else str(eligible).lower(),
                result["grade"] or "",
                "" if not score else str(score["total"]),
                cert.get("status", ""),
                cert.get("recommended_status", ""),
                " ".join(cert.get("reasons", [])),
                surv.get("state", ""),
                surv.get("due_by", ""),
                *(str(result["summary"][s]) for s in SEVERITIES),
                unit.source,
                # readable twins of the ids above, and the dates an officer plans by (issue 14)
                getattr(evaluation.pack.grade_label(result["grade"]), "zh", ""),
                STATUS_LABELS[cert["recommended_status"]].zh if cert else "",
                SURVEILLANCE_STATE_LABELS[surv["state"]].zh if surv else "",
                cert.get("valid_until") or "",
                surv.get("extended_until") or "",
            ],
            "result_json": to_json(result, pretty=False),
            **({"register": register} if register else {}),
        }
    except InputError as e:
        return {"key": unit.key, "error": _error(unit, e.problems, int(e.status))}
    except Exception as e:  # a bug: recorded for this case, the batch goes on
        problem = Problem(unit.source, unit.line, "", f"internal error: {type(e).__name__}: {e}")
        return {"key": unit.key, "error": _error(unit, [problem], int(ExitStatus.INTERNAL))}


def _error(unit: Unit, problems: list[Problem], status: int) -> dict[str, Any]:
    first = problems[0] if problems else Problem(unit.source, unit.line, "", "invalid")
    return {
        "file": unit.source,
        "line": first.line if first.line is not None else unit.line,
        "message": str(first) if len(problems) == 1 else f"{first} (and {len(problems) - 1} more)",
        "problems": [{"line": p.line, "field": p.field, "message": p.message} for p in problems],
        "status": status,
    }


def _work(job: tuple[list[Unit], Options]) -> list[dict[str, Any]]:
    units, options = job
    return [evaluate_unit(unit, options) for unit in units]


def _worker_loop(tasks: Any, results: Any, options: Options) -> None:
    """A worker process: chunks in, journal records out, until it gets None."""
    # Ctrl-C is the parent's business: it stops the workers itself, the journal stays whole
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        chunk = tasks.get()
        if chunk is None:
            return
        results.put(_work((chunk, options)))


def _run_parallel(
    chunks: list[list[Unit]], options: Options, jobs: int, take: Callable[[list[dict[str, Any]]], None]
) -> None:
    """Spread chunks over `jobs` processes; the caller takes each chunk's records as it comes.

    Plain processes and queues rather than multiprocessing.Pool: the parent must be able to
    stop its workers at any moment (Pool.terminate() can deadlock when a worker dies holding
    the queue's lock) and to notice a worker that crashed instead of waiting forever."""
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    tasks, results = context.Queue(), context.Queue()
    workers = [
        context.Process(target=_worker_loop, args=(tasks, results, options), daemon=True) for _ in range(jobs)
    ]
    for worker in workers:
        worker.start()
    try:
        for chunk in chunks:
            tasks.put(chunk)
        for _ in workers:
            tasks.put(None)
        for _ in chunks:
            while True:
                try:
                    records = results.get(timeout=1.0)
                    break
                except queue.Empty:
                    failed = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
                    if failed:
                        raise RuntimeError(f"a batch worker process died (exit code {failed[0]})") from None
            take(records)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
        for channel in (tasks, results):
            channel.cancel_join_thread()  # never block the exit on undelivered chunks
            channel.close()


# ----------------------------------------------------------------------------------- journal
class Journal:
    """Append-only record of finished units; a torn last line (SIGKILL) is dropped.

    A line is `<header JSON>` TAB `<result JSON>`: the header holds what sorting and the CSV
    need, the result is kept as the exact text results.jsonl gets (JSON never holds a raw tab),
    so finishing a batch decodes small headers and never re-encodes a result."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "journal.jsonl"
        directory.mkdir(parents=True, exist_ok=True)
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            self._recover()
        self._handle = self.path.open("ab")

    def _recover(self) -> None:
        data = self.path.read_bytes()
        good = 0
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break
            head, _, result = line.rstrip(b"\n").partition(b"\t")
            try:
                record = json.loads(head)
            except ValueError:
                break
            if result:
                record["result_json"] = result.decode("utf-8")
            self.records[record["key"]] = record
            good += len(line)
        if good != len(data):  # a line cut short by a kill: drop it
            with self.path.open("r+b") as handle:
                handle.truncate(good)

    def append(self, records: list[dict[str, Any]]) -> None:
        lines = []
        for record in records:
            head = {k: v for k, v in record.items() if k != "result_json"}
            lines.append(
                to_json(head, pretty=False)
                + ("\t" + record["result_json"] if "result_json" in record else "")
            )
        payload = "".join(line + "\n" for line in lines).encode("utf-8")
        self._handle.write(payload)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        for record in records:
            self.records[record["key"]] = record

    def close(self) -> None:
        self._handle.close()


# ---------------------------------------------------------------------------------- outputs
@dataclass
class Totals:
    cases: int = 0
    errors: int = 0
    majors: int = 0
    status: int = ExitStatus.OK
    seconds: float = 0.0
    evaluated_now: int = 0
    skipped: int = 0


def finalize(out: Path, units: list[Unit], journal: Journal) -> Totals:
    """Write results.jsonl, summary.csv and errors.jsonl from the journal, sorted.  Of several
    cases with one case_id the first in input order is kept, the others are errors."""
    totals = Totals()
    records: list[tuple[str, int, dict[str, Any]]] = []
    errors: list[dict[str, Any]] = []
    for index, unit in enumerate(units):
        record = journal.records[unit.key]
        if "error" in record:
            errors.append(record["error"])
        else:
            records.append((record["case_id"], index, record))
    records.sort(key=lambda item: (item[0], item[1]))
    kept: list[dict[str, Any]] = []
    first_source: dict[str, str] = {}
    for case_id, _, record in records:
        if case_id in first_source:
            message = f"case_id {case_id} is also in {first_source[case_id]}: duplicates are not merged"
            errors.append(
                {
                    "file": record["source"],
                    "line": None,
                    "message": f"{record['source']}: case_id: {message}",
                    "problems": [{"line": None, "field": "case_id", "message": message}],
                    "status": int(ExitStatus.BAD_INPUT),
                }
            )
            continue
        first_source[case_id] = record["source"]
        kept.append(record)
    errors.sort(key=lambda e: (e["file"], e["line"] or 0, e["message"]))
    write_atomic(out / "results.jsonl", "".join(r["result_json"] + "\n" for r in kept))
    write_atomic(out / "errors.jsonl", "".join(to_json(e, pretty=False) + "\n" for e in errors))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for record in kept:
        writer.writerow(record["csv"])
    write_atomic(out / "summary.csv", "\ufeff" + buffer.getvalue())
    totals.cases = len(units)
    totals.errors = len(errors)
    totals.majors = sum(1 for r in kept if r["major"])
    statuses = [e["status"] for e in errors]
    totals.status = max(statuses) if statuses else (ExitStatus.MAJOR if totals.majors else ExitStatus.OK)
    return totals


# ------------------------------------------------------------------------------ orchestration
def _chunks(units: list[Unit], size: int) -> Iterator[list[Unit]]:
    for start in range(0, len(units), size):
        yield units[start : start + size]


def _check_options(directory: Path, options: Options) -> Options:
    """The options of the batch in `directory`: fixed by its first run."""
    path = directory / "options.json"
    if path.exists():
        previous = Options.from_json(path.read_text(encoding="utf-8"))
        # the day of the first run stays the default as_of; --as-of may be left out on resume
        wanted = options.replace(today=previous.today, as_of=options.as_of or previous.as_of)
        if wanted.replace(record=previous.record) != previous:
            raise BatchError(
                f"{directory.parent} holds a batch run with other options ({previous.as_json()});"
                " use another --out, or delete it to start again"
            )
        return previous.replace(record=options.record)  # recording is a side effect, not a result
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(path, options.as_json())
    return options


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
) -> Totals:
    """Evaluate every case of `inputs` into `out`; resumes a batch interrupted in `out`."""
    import time

    clock = clock or time.perf_counter
    started = clock()
    if pack is not None:
        load_pack(Path(pack) if Path(pack).is_dir() else pack)  # a broken pack fails before any work
    units = collect_units(inputs)
    state = out / JOURNAL_DIR
    options = _check_options(
        state,
        Options(
            pack=str(Path(pack).resolve()) if pack and Path(pack).is_dir() else pack,
            as_of=as_of.isoformat() if as_of else None,
            today=(today or dt.date.today()).isoformat(),
            engine=engine,
            reports=tuple(reports),
            lang=lang,
            reports_dir=str((out / "reports").resolve()) if reports else "",
            record=record_db is not None,
        ),
    )
    connection = None
    if record_db is not None:
        from .register import connect

        connection = connect(record_db)
    journal = Journal(state)
    try:
        todo = [u for u in units if u.key not in journal.records]
        totals_skipped = len(units) - len(todo)
        if progress:
            progress(totals_skipped, len(units))
        jobs = max(1, min(jobs, len(todo) // CHUNK + 1))
        work = ((chunk, options) for chunk in _chunks(todo, CHUNK))

        def take(records: list[dict[str, Any]]) -> None:
            registered = [r.pop("register") for r in records if "register" in r]
            if connection is not None and registered:
                from .register import write_records

                # recorded before journalled: a kill in between re-records the chunk, which is idempotent
                write_records(connection, registered)
            journal.append(records)
            if progress:
                progress(len(records), len(units))

        if jobs == 1:
            for job in work:
                take(_work(job))
        else:
            _run_parallel(list(_chunks(todo, CHUNK)), options, jobs, take)
        totals = finalize(out, units, journal)
    finally:
        journal.close()
        if connection is not None:
            connection.close()
    totals.skipped = totals_skipped
    totals.evaluated_now = len(todo)
    totals.seconds = clock() - started
    return totals


def evaluate_many(
    cases: Iterable[dict[str, Any] | str | Path],
    *,
    pack: str | Path | Pack | None = None,
    as_of: dt.date | None = None,
    engine: str | None = None,
) -> Iterator[dict[str, Any] | CaseError | PackError]:
    """Evaluate cases one after the other: each yields its result, or the error that made it
    bad.  The building block for other executors (a process pool, a cluster map)."""
    from .api import evaluate

    for case in cases:
        try:
            yield evaluate(case, pack=pack, as_of=as_of, engine=engine)
        except (CaseError, PackError) as e:
            yield e
