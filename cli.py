"""The `certeval` command line: parse, call the evaluator's public API, print, exit.

Exit statuses (SPEC §5): 0 evaluated, no major finding; 1 at least one major finding; 2 bad
input or usage; 3 rule pack invalid; 4 internal error (a bug: message and issue hint, the
traceback only with --debug).  Heavy modules are imported inside the commands so that
`certeval --help` and a single evaluation start fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
ISSUE_HINT = (
    "this is a bug in certeval: please report it with the case file (rerun with --debug for the traceback)"
)


# --------------------------------------------------------------------------------- plumbing
def emit(text: str) -> None:
    """Write UTF-8 to stdout whatever the locale."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def warn(text: str) -> None:
    sys.stderr.buffer.write((text.rstrip("\n") + "\n").encode("utf-8"))
    sys.stderr.flush()


def finish(status: int) -> NoReturn:
    sys.exit(int(status))


def guarded(func: F) -> F:
    """Map exceptions to exit statuses: 2 bad input, 3 bad pack, 4 internal error."""

    @functools.wraps(func)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        from evaluator.errors import ExitStatus, InputError, UsageError

        try:
            return func(*args, **kwargs)
        except InputError as e:
            for problem in e.problems:
                warn(str(problem))
            finish(e.status)
        except UsageError as e:
            warn(f"certeval: {e}")
            finish(ExitStatus.BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            warn("certeval: interrupted")
            finish(130)
        except Exception as e:  # a bug: say so briefly, the traceback only on request
            if debug:
                traceback.print_exc()
            warn(f"certeval: internal error: {type(e).__name__}: {e}\n{ISSUE_HINT}")
            finish(ExitStatus.INTERNAL)

    debug_option = click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
    return debug_option(wrapper)  # type: ignore[return-value]


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def pack_argument(value: str | None) -> str | Path | None:
    """--pack: a built-in pack id, or a directory holding pack.yaml."""
    if value is None:
        return None
    path = Path(value)
    return path if path.is_dir() else value


def version_text() -> str:
    from evaluator import __version__

    return __version__


pack_option = click.option("--pack", metavar="ID|DIR", help="Rule pack: a built-in id or a pack directory.")
lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en", "both"]),
    default="zh",
    show_default=True,
    help="Language of texts.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    version=None, package_name="certeval", prog_name="certeval", message="%(prog)s %(version)s"
)
def main() -> None:
    """certeval: evaluate after-sales service certification cases (商品售后服务认证, GB/T 27922-2011).

    The tool recommends; the certification body decides.
    """


# ---------------------------------------------------------------------------------- evaluate
@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@pack_option
@click.option(
    "--as-of",
    callback=parse_date,
    metavar="DATE",
    help="Evaluation date (default: the case's as_of, else today).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@lang_option
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), help="Write one file per case into DIR."
)
@click.option("--engine", type=click.Choice(["durable", "python"]), help="Rules engine (default durable).")
@guarded
def evaluate(
    cases: tuple[Path, ...],
    pack: str | None,
    as_of: dt.date | None,
    fmt: str,
    lang: str,
    out: Path | None,
    engine: str | None,
) -> None:
    """Evaluate case files (YAML or JSON) and print or write their results."""
    from evaluator.api import evaluate_full
    from evaluator.errors import ExitStatus, InputError
    from evaluator.formats import FORMATS, render
    from evaluator.output import safe_name, to_json, write_atomic

    status = ExitStatus.OK
    written: dict[str, Path] = {}
    several = len(cases) > 1
    for path in cases:
        try:
            evaluation = evaluate_full(path, pack=pack_argument(pack), as_of=as_of, engine=engine)
        except InputError as e:
            for problem in e.problems:
                warn(str(problem))
            status = max(status, e.status)
            continue
        major = any(f.severity == "major" for f in evaluation.findings)
        status = max(status, ExitStatus.MAJOR if major else ExitStatus.OK)
        if out is not None:
            target = out / (safe_name(evaluation.case.case_id) + FORMATS[fmt][0])
            if evaluation.case.case_id in written:
                first = written[evaluation.case.case_id]
                warn(f"{path}: case_id {evaluation.case.case_id} was already written from {first}")
                status = max(status, ExitStatus.BAD_INPUT)
                continue
            write_atomic(target, render(evaluation, fmt, lang))
            written[evaluation.case.case_id] = path
        elif fmt == "json" and several:
            emit(to_json(evaluation.result, pretty=False) + "\n")
        else:
            emit(render(evaluation, fmt, lang))
    finish(status)


# ------------------------------------------------------------------------------------ schema
@main.command()
@click.argument("what", type=click.Choice(["case", "result", "rules"]))
@pack_option
@guarded
def schema(what: str, pack: str | None) -> None:
    """Print the JSON Schema of case files, results or rule files."""
    from evaluator.output import to_json
    from evaluator.packs import load_pack
    from evaluator.schemas import schema_for

    emit(to_json(schema_for(what, load_pack(pack_argument(pack) or "gbt27922-2011"))))


# ------------------------------------------------------------------------------------- rules
@main.group()
def rules() -> None:
    """Rule maintainers' tools: list, lint, test and document rule packs."""


@rules.command("list")
@pack_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@guarded
def rules_list(pack: str | None, fmt: str) -> None:
    """List the rules of a pack: ID, severity, audience, stages, clause, title."""
    from evaluator.maintain import rule_table
    from evaluator.packs import load_pack

    emit(rule_table(load_pack(pack_argument(pack) or "gbt27922-2011"), fmt))


@rules.command("test")
@pack_option
@click.option(
    "--engine",
    "engines",
    multiple=True,
    type=click.Choice(["durable", "python"]),
    help="Engines to run (default both).",
)
@click.option("-v", "--verbose", is_flag=True, help="List passing fixture cases too.")
@guarded
def rules_test(pack: str | None, engines: tuple[str, ...], verbose: bool) -> None:
    """Run every rule's fixtures (a case that fires it, one that does not) on both engines."""
    from evaluator.errors import ExitStatus
    from evaluator.fixtures import run_fixtures
    from evaluator.packs import builtin_pack_ids, load_pack

    packs = [load_pack(pack_argument(pack))] if pack else [load_pack(p) for p in builtin_pack_ids()]
    failed = 0
    for loaded in packs:
        report = run_fixtures(loaded, engines or None)
        for outcome in report.outcomes:
            if not outcome.passed or verbose:
                emit(f"{'ok  ' if outcome.passed else 'FAIL'} {loaded.id} {outcome.label}\n")
                for problem in outcome.problems:
                    emit(f"       {problem}\n")
        failed += report.failed
        emit(f"{loaded.id}: {report.passed} passed, {report.failed} failed ({', '.join(report.engines)})\n")
    finish(ExitStatus.MAJOR if failed else ExitStatus.OK)


if __name__ == "__main__":  # pragma: no cover
    main()
