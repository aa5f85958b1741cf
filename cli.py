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
from collections.abc import Callable, Iterator
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
db_option = click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="CERTEVAL_DB",
    default=Path("certeval.db"),
    show_default=True,
    help="The register (SQLite); or set CERTEVAL_DB.",
)
record_option = click.option("--record", is_flag=True, help="Store each evaluation in the register (--db).")
engine_option = click.option(
    "--engine", type=click.Choice(["durable", "python"]), help="Rules engine (default durable)."
)


def as_of_option(
    help_text: str = "Evaluation date (default: the case's as_of, else today).",
) -> Callable[[F], F]:
    return click.option("--as-of", callback=parse_date, metavar="DATE", help=help_text)


class WorstStatus:
    """The exit status of a command over many cases: the worst one seen wins."""

    def __init__(self) -> None:
        self.value = 0

    def note(self, status: int) -> None:
        self.value = max(self.value, int(status))


def evaluated(
    cases: tuple[Path, ...],
    pack: str | None,
    as_of: dt.date | None,
    engine: str | None,
    status: WorstStatus,
) -> Iterator[tuple[Path, Any]]:
    """Each case evaluated; a bad one is reported (one line per problem) and noted in status."""
    from evaluator.api import evaluate_full
    from evaluator.errors import InputError

    for path in cases:
        try:
            yield path, evaluate_full(path, pack=pack_argument(pack), as_of=as_of, engine=engine)
        except InputError as e:
            for problem in e.problems:
                warn(str(problem))
            status.note(e.status)


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
@as_of_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="text and json show the result; markdown and html the summary report.",
)
@lang_option
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), help="Write one file per case into DIR."
)
@engine_option
@record_option
@db_option
@guarded
def evaluate(
    cases: tuple[Path, ...],
    pack: str | None,
    as_of: dt.date | None,
    fmt: str,
    lang: str,
    out: Path | None,
    engine: str | None,
    record: bool,
    db: Path,
) -> None:
    """Evaluate case files (YAML or JSON) and print or write their results."""
    from evaluator.errors import ExitStatus
    from evaluator.formats import FORMATS, render
    from evaluator.output import safe_name, to_json, write_atomic

    status = WorstStatus()
    written: dict[str, Path] = {}
    several = len(cases) > 1
    connection = None
    if record:
        from evaluator.register import connect

        connection = connect(db)
    for path, evaluation in evaluated(cases, pack, as_of, engine, status):
        if any(f.severity == "major" for f in evaluation.findings):
            status.note(ExitStatus.MAJOR)
        if connection is not None:
            from evaluator.register import register_record, write_records

            write_records(connection, [register_record(evaluation)])
        if out is not None:
            target = out / (safe_name(evaluation.case.case_id) + FORMATS[fmt][0])
            if evaluation.case.case_id in written:
                first = written[evaluation.case.case_id]
                warn(f"{path}: case_id {evaluation.case.case_id} was already written from {first}")
                status.note(ExitStatus.BAD_INPUT)
                continue
            write_atomic(target, render(evaluation, fmt, lang))
            written[evaluation.case.case_id] = path
        elif fmt == "json" and several:
            emit(to_json(evaluation.result, pretty=False) + "\n")
        else:
            emit(render(evaluation, fmt, lang))
    finish(status.value)


# ------------------------------------------------------------------------------------ report
@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--kind", type=click.Choice(["ncr", "car", "summary"]), required=True, help="Which report.")
@click.option(
    "--format", "fmt", type=click.Choice(["html", "markdown", "pdf"]), default="html", show_default=True
)
@lang_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="Directory for the reports.",
)
@pack_option
@as_of_option("Evaluation date (default: the case's as_of).")
@click.option(
    "--stamp", is_flag=True, help="Print the generation time in the report (then it is not reproducible)."
)
@guarded
def report(
    cases: tuple[Path, ...],
    kind: str,
    fmt: str,
    lang: str,
    out: Path,
    pack: str | None,
    as_of: dt.date | None,
    stamp: bool,
) -> None:
    """Write the nonconformity report (ncr), the corrective-action request (car) or the summary
    of each case, as OUT/<case_id>.<kind>.<lang>.<html|md|pdf>."""
    from evaluator.errors import ExitStatus
    from evaluator.output import write_atomic
    from evaluator.report import ReportUnavailable, render_report, report_filename

    status = WorstStatus()
    moment = dt.datetime.now().astimezone().isoformat(timespec="seconds") if stamp else None
    for _, evaluation in evaluated(cases, pack, as_of, None, status):
        try:
            content = render_report(evaluation, kind, fmt, lang, moment)
        except ReportUnavailable as e:
            warn(f"certeval: {e}")
            finish(ExitStatus.BAD_INPUT)
        target = out / report_filename(evaluation.case.case_id, kind, fmt, lang)
        write_atomic(target, content)
        emit(f"{target}\n")
    finish(status.value)


# ------------------------------------------------------------------------------------- batch
class ProgressBar:
    """click's progress bar on a terminal; nothing when stderr is not one."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="certeval batch", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def parse_reports(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in (value or "").split(",") if k.strip())
    unknown = [k for k in kinds if k not in ("ncr", "car", "summary")]
    if unknown:
        raise click.BadParameter(f"unknown report kind {', '.join(unknown)} (ncr, car, summary)")
    return kinds


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path, file_okay=False), help="Output directory."
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: the number of CPUs).")
@pack_option
@as_of_option("Evaluation date for every case.")
@engine_option
@click.option(
    "--reports",
    callback=parse_reports,
    metavar="KINDS",
    help="Also write HTML reports, e.g. ncr,car,summary.",
)
@lang_option
@record_option
@db_option
@guarded
def batch(
    inputs: tuple[Path, ...],
    out: Path,
    jobs: int | None,
    pack: str | None,
    as_of: dt.date | None,
    engine: str | None,
    reports: tuple[str, ...],
    lang: str,
    record: bool,
    db: Path,
) -> None:
    """Evaluate directories, case files and .jsonl files into OUT: results.jsonl, summary.csv,
    errors.jsonl.  Interrupted, it resumes where it stopped when run again with the same OUT.

    Exit status: 2 if any case was bad, else 1 if any had a major finding, else 0."""
    import os

    from evaluator.batch import BatchError, run_batch
    from evaluator.errors import UsageError

    bar = ProgressBar()
    try:
        totals = run_batch(
            inputs,
            out,
            jobs=jobs or os.cpu_count() or 1,
            pack=pack,
            as_of=as_of,
            engine=engine,
            reports=reports,
            lang=lang,
            progress=bar,
            record_db=db if record else None,
        )
    except BatchError as e:
        raise UsageError(str(e)) from None
    except KeyboardInterrupt:
        bar.close()
        warn("certeval batch: interrupted; run the same command again to resume")
        finish(130)
    bar.close()
    rate = totals.evaluated_now / totals.seconds if totals.seconds else 0.0
    resumed = f"; {totals.skipped} done by an earlier run" if totals.skipped else ""
    emit(
        f"batch: {totals.cases} cases, {totals.errors} errors, {totals.majors} with a major finding,"
        f" {rate:.0f} cases/s ({totals.evaluated_now} evaluated{resumed}) -> {out}\n"
    )
    finish(totals.status)


# ---------------------------------------------------------------------------------- register
@main.group()
def register() -> None:
    """The evaluation register: look certificates up, an organisation's history, what is due."""


format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True
)


@register.command("lookup")
@click.option("--number", help="Certificate number (exact).")
@click.option("--org", help="Part of the organisation's name.")
@as_of_option("Status as of this date (default today).")
@format_option
@db_option
@guarded
def register_lookup(number: str | None, org: str | None, as_of: dt.date | None, fmt: str, db: Path) -> None:
    """A certificate by number, or every certificate of organisations whose name contains ORG."""
    from evaluator.errors import UsageError
    from evaluator.register import lookup, open_existing
    from evaluator.tabular import render_rows

    if (number is None) == (org is None):
        raise UsageError("give --number or --org")
    rows = lookup(open_existing(db), number=number, org=org, day=as_of or dt.date.today())
    columns = (
        "number",
        "organization",
        "grade",
        "status",
        "recommended_status",
        "valid_until",
        "next_surveillance",
    )
    emit(render_rows(rows, columns if fmt == "table" else tuple(rows[0]) if rows else columns, fmt))
    finish(0 if rows else 1)


@register.command("history")
@click.argument("key", metavar="CASE_ID|CREDIT_CODE")
@click.option(
    "--diff", "show_diff", is_flag=True, help="Findings added and closed since the previous evaluation."
)
@click.option(
    "--between", nargs=2, type=int, metavar="ID ID", help="Findings added and closed between two evaluations."
)
@format_option
@db_option
@guarded
def register_history(key: str, show_diff: bool, between: tuple[int, int] | None, fmt: str, db: Path) -> None:
    """Every recorded evaluation of a case, or of an organisation (by credit code)."""
    from evaluator.errors import UsageError
    from evaluator.register import findings_diff, history, open_existing
    from evaluator.tabular import render_rows

    conn = open_existing(db)
    rows = history(conn, key)
    if not rows:
        raise UsageError(f"no recorded evaluation of {key}")
    columns = (
        "id",
        "as_of",
        "case_id",
        "stage",
        "pack",
        "grade",
        "score",
        "major",
        "minor",
        "recommended_status",
    )
    emit(render_rows(rows, columns, fmt))
    if between or show_diff:
        if between:
            before, after = between
        elif len(rows) < 2:
            raise UsageError("--diff needs two recorded evaluations")
        else:
            before, after = rows[-2]["id"], rows[-1]["id"]
        changes = findings_diff(conn, before, after)
        emit(f"\nfindings from evaluation {before} to {after}:\n")
        for kind, sign in (("added", "+"), ("closed", "-")):
            for f in changes[kind]:
                emit(f"  {sign} {f['severity']} {f['rule']} {f['subject'] or ''} {f['message_zh']}\n")
        if not changes["added"] and not changes["closed"]:
            emit("  (no change)\n")


@register.command("due")
@click.option("--within", type=click.IntRange(min=0), default=60, show_default=True, help="Days ahead.")
@as_of_option("Plan from this date (default today).")
@format_option
@db_option
@guarded
def register_due(within: int, as_of: dt.date | None, fmt: str, db: Path) -> None:
    """The planning list: surveillance due or overdue, extensions running, recertifications due."""
    from evaluator.register import due, open_existing
    from evaluator.tabular import render_rows

    rows = due(open_existing(db), as_of or dt.date.today(), within)
    columns = ("date", "kind", "number", "organization", "grade", "due_by", "extended_until", "valid_until")
    emit(render_rows(rows, columns if fmt == "table" else tuple(rows[0]) if rows else columns, fmt))


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


def packs_for(pack: str | None) -> list[Any]:
    """The pack named by --pack, else every built-in pack."""
    from evaluator.packs import builtin_pack_ids, load_pack

    return [load_pack(pack_argument(pack))] if pack else [load_pack(p) for p in builtin_pack_ids()]


@rules.command("test")
@pack_option
@click.option(
    "--engine",
    "engines",
    multiple=True,
    type=click.Choice(["durable", "python"]),
    help="Engines to run (default both).",
)
@click.option(
    "--junit", type=click.Path(path_type=Path, dir_okay=False), help="Also write a JUnit XML report."
)
@click.option("-v", "--verbose", is_flag=True, help="List passing fixture cases too.")
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Also report condition coverage: comparisons the fixtures never show deciding a rule.",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Fail (exit 1) when a pack's condition coverage is below PERCENT; implies --coverage.",
)
@guarded
def rules_test(
    pack: str | None,
    engines: tuple[str, ...],
    junit: Path | None,
    verbose: bool,
    show_coverage: bool,
    min_coverage: float | None,
) -> None:
    """Run every rule's fixtures (a case that fires it, one that does not) on both engines."""
    from evaluator.errors import ExitStatus
    from evaluator.fixtures import junit_xml, run_fixtures
    from evaluator.output import write_atomic

    reports = []
    below_minimum = False
    for loaded in packs_for(pack):
        report = run_fixtures(loaded, engines or None)
        reports.append((loaded.id, report))
        for outcome in report.outcomes:
            if not outcome.passed or verbose:
                emit(f"{'ok  ' if outcome.passed else 'FAIL'} {loaded.id} {outcome.label}\n")
                for problem in outcome.problems:
                    emit(f"       {problem}\n")
        emit(f"{loaded.id}: {report.passed} passed, {report.failed} failed ({', '.join(report.engines)})\n")
        if show_coverage or min_coverage is not None:
            from evaluator.condition_coverage import measure, percent_covered, render

            rules = measure(loaded, (o.evaluation for o in report.outcomes if o.evaluation))
            emit(render(loaded.id, rules))
            if min_coverage is not None and percent_covered(rules) < min_coverage:
                emit(f"{loaded.id}: condition coverage below the minimum {min_coverage:g} %\n")
                below_minimum = True
    if junit is not None:
        write_atomic(junit, junit_xml(reports))
    failed = below_minimum or any(r.failed for _, r in reports)
    finish(ExitStatus.MAJOR if failed else ExitStatus.OK)


@rules.command("lint")
@pack_option
@guarded
def rules_lint(pack: str | None) -> None:
    """Check packs: everything loading checks, plus unreachable conditions, missing fixtures,
    negations over nullable facts and unused parameters.  Exit 3 on any error."""
    from evaluator.errors import ExitStatus, PackError
    from evaluator.lint import lint_pack, problems_as_messages

    try:
        packs = packs_for(pack)
    except PackError as e:
        messages = problems_as_messages(e.problems)
        packs = []
    else:
        messages = [m for loaded in packs for m in lint_pack(loaded)]
    messages = list(dict.fromkeys(messages))
    for message in messages:
        emit(f"{message}\n")
    errors = sum(1 for m in messages if m.level == "error")
    names = ", ".join(p.id for p in packs) or "the pack"
    emit(f"lint: {errors} error(s), {len(messages) - errors} warning(s) in {names}\n")
    finish(ExitStatus.BAD_PACK if errors else ExitStatus.OK)


@rules.command("docs")
@pack_option
@click.option(
    "--out", type=click.Path(path_type=Path, file_okay=False), default=Path("docs/rules"), show_default=True
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a committed page is stale.")
@guarded
def rules_docs(pack: str | None, out: Path, check: bool) -> None:
    """Write one Markdown page per pack, and the fact catalogue, into DIR."""
    from evaluator.docs import facts_page, pack_page
    from evaluator.errors import ExitStatus
    from evaluator.output import write_atomic

    pages = {out / f"{loaded.id}.md": pack_page(loaded) for loaded in packs_for(pack)}
    pages[out / "facts.md"] = facts_page()
    stale = [
        path for path, text in pages.items() if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    for path in stale:
        if check:
            emit(f"stale: {path} (run: certeval rules docs)\n")
        else:
            write_atomic(path, pages[path])
            emit(f"wrote {path}\n")
    if check and not stale:
        emit(f"up to date: {', '.join(str(p) for p in pages)}\n")
    finish(ExitStatus.MAJOR if check and stale else ExitStatus.OK)


@rules.command("diff")
@click.option("--old", "old", required=True, metavar="ID|DIR", help="The pack before the change.")
@click.option("--new", "new", required=True, metavar="ID|DIR", help="The pack after the change.")
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@engine_option
@guarded
def rules_diff(old: str, new: str, cases: tuple[Path, ...], engine: str | None) -> None:
    """Evaluate CASES (files or directories) under both packs and print what changed.

    Exit 1 if anything changed, 0 if nothing did.  Cases that name another pack are skipped."""
    from evaluator.diff import case_files, diff_cases
    from evaluator.errors import ExitStatus
    from evaluator.packs import load_pack

    before, after = load_pack(pack_argument(old) or old), load_pack(pack_argument(new) or new)
    diffs = diff_cases(before, after, case_files(cases), engine)
    changed = [d for d in diffs if d.changes]
    for entry in diffs:
        if entry.changes:
            emit(f"{entry.file} ({entry.case_id}):\n" + "".join(f"  {c}\n" for c in entry.changes))
        elif entry.note:
            warn(f"{entry.file}: {entry.note}")
    emit(f"rules diff: {len(changed)} of {len(diffs)} case(s) changed\n")
    finish(ExitStatus.MAJOR if changed else ExitStatus.OK)


# ----------------------------------------------------------------------------------- explain
@main.command()
@click.argument("case", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("rule_id")
@pack_option
@as_of_option()
@lang_option
@guarded
def explain(case: Path, rule_id: str, pack: str | None, as_of: dt.date | None, lang: str) -> None:
    """Why RULE_ID fired on CASE, or why it did not: each condition with its fact values."""
    from evaluator.api import evaluate_full
    from evaluator.errors import UsageError
    from evaluator.explain import explain as explain_rule

    evaluation = evaluate_full(case, pack=pack_argument(pack), as_of=as_of, engine="python")
    rule = evaluation.pack.rule(rule_id)
    if rule is None:
        raise UsageError(f"{rule_id} is not a rule of {evaluation.pack.id} (see: certeval rules list)")
    emit(explain_rule(evaluation, rule, lang))


if __name__ == "__main__":  # pragma: no cover
    main()
