"""One unit evaluated into one journal record (in a worker process, or in the parent)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..api import Evaluation, run_many
from ..base.case_model import Case
from ..base.errors import CaseError, ExitStatus, InputError, Problem
from ..base.yamlsafe import LoadError
from ..case.loader import build_case, parse_case_text, read_document
from ..outputs.files import to_json, write_atomic
from ..packs import Pack, load_pack
from .options import Options
from .summary import summary_row
from .units import Unit

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
            doc, locate = parse_case_text(unit.text, name, as_json=True)
        except LoadError as e:
            raise CaseError([_shift(e.problem, unit)]) from None
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


def evaluate_chunk(units: list[Unit], options: Options) -> list[dict[str, Any]]:
    """The journal records of a chunk of units, in order.  The cases that load are evaluated
    together (`run_many`: shared engine sessions); each unit's record is its own result or
    error, whatever happens to the others."""
    loaded: list[tuple[Case, Pack] | Exception] = []
    for unit in units:
        try:
            loaded.append(_load(unit, options))
        except Exception as e:
            loaded.append(e)
    good = [item for item in loaded if not isinstance(item, Exception)]
    evaluations = iter(run_many(good, options.engine))
    return [
        _record(unit, item if isinstance(item, Exception) else next(evaluations), options)
        for unit, item in zip(units, loaded, strict=True)
    ]


def _record(unit: Unit, outcome: Evaluation | Exception, options: Options) -> dict[str, Any]:
    """The journal record of one unit.  A report that cannot be written (a full disk) is the
    environment's fault, not the case's: a `fatal` record stops the batch."""
    ident = {"index": unit.index, "key": unit.key}
    try:
        if isinstance(outcome, Exception):
            raise outcome
        evaluation = outcome
        case = evaluation.case
        if options.reports:
            from ..outputs.report import kind_problem, render_report, report_filename

            for kind in options.reports:
                if kind_problem(evaluation, kind):  # a kind that does not fit this case (SPEC 8.3)
                    continue
                target = Path(options.reports_dir) / report_filename(case.case_id, kind, "html", options.lang)
                try:
                    write_atomic(target, render_report(evaluation, kind, "html", options.lang))
                except OSError as e:
                    return {**ident, "fatal": f"{e.filename or target}: {e.strerror or e}"}
        result = evaluation.result
        register = None
        if options.record:
            from ..register import register_record

            register = register_record(evaluation)
        return {
            **ident,
            "case_id": case.case_id,
            "source": unit.source,
            "major": result["summary"]["major"] > 0,
            "csv": summary_row(case, evaluation.pack, result, unit.source),
            "result_json": to_json(result, pretty=False),
            **({"register": register} if register else {}),
        }
    except InputError as e:
        return {**ident, "error": _error(unit, e.problems, int(e.status))}
    except Exception as e:  # a bug: recorded for this case, the batch goes on
        problem = Problem(unit.source, unit.line, "", f"internal error: {type(e).__name__}: {e}")
        return {**ident, "error": _error(unit, [problem], int(ExitStatus.INTERNAL))}


def _error(unit: Unit, problems: list[Problem], status: int) -> dict[str, Any]:
    first = problems[0] if problems else Problem(unit.source, unit.line, "", "invalid")
    return {
        "file": unit.source,
        "line": first.line if first.line is not None else unit.line,
        "message": str(first) if len(problems) == 1 else f"{first} (and {len(problems) - 1} more)",
        "problems": [{"line": p.line, "field": p.field, "message": p.message} for p in problems],
        "status": status,
    }
