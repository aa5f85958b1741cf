"""The `certeval` command line: parse, call the evaluator's public API, print, exit.

Exit statuses (SPEC §5): 0 evaluated, no major finding; 1 at least one major finding; 2 bad
input or usage; 3 rule pack invalid; 4 internal error (a bug: message and issue hint, the
traceback only with --debug).  Heavy modules are imported inside the commands so that
`certeval --help` and a single evaluation start fast.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from cli_commands.common import (
    WorstStatus,
    as_of_option,
    db_option,
    emit,
    engine_option,
    evaluated,
    finish,
    guarded,
    lang_option,
    output_dir,
    pack_argument,
    pack_option,
    record_option,
    warn,
)

# The command groups of cli_commands/, imported only when named (or when --help lists them):
# their options and the wings they name stay off the path of `certeval evaluate`.
LAZY_GROUPS = {
    "register": "cli_commands.register",
    "rules": "cli_commands.rules",
    "serve": "cli_commands.serve",
    "sheet": "cli_commands.sheet",
    "users": "cli_commands.users",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands in LAZY_GROUPS are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_GROUPS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_GROUPS and cmd_name not in self.commands:
            import importlib

            command = getattr(importlib.import_module(LAZY_GROUPS[cmd_name]), cmd_name)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    "--out",
    type=click.Path(file_okay=False),
    callback=output_dir,
    help="Write one file per case into DIR.",
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
    from evaluator.base.errors import ExitStatus
    from evaluator.outputs.files import safe_name, to_json, write_atomic
    from evaluator.outputs.formats import FORMATS, render

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
@click.option(
    "--kind",
    type=click.Choice(["ncr", "car", "summary", "review", "decision", "certificate"]),
    required=True,
    help="Which report.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["html", "markdown", "pdf"]), default="html", show_default=True
)
@lang_option
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    callback=output_dir,
    default=".",
    show_default=True,
    help="Directory for the reports.",
)
@pack_option
@as_of_option("Evaluation date (default: the case's as_of).")
@click.option(
    "--stamp", is_flag=True, help="Print the generation time in the report (then it is not reproducible)."
)
@click.option("--draft", is_flag=True, help="certificate: a draft from the recommendation, watermarked.")
@click.option(
    "--body",
    "body_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The certification body's profile (default: $CERTEVAL_BODY; none: no body header).",
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
    draft: bool,
    body_path: Path | None,
) -> None:
    """Write the nonconformity report (ncr), the corrective-action request (car), the summary,
    the application review notice (review), the decision sheet (decision) or the certificate of
    each case, as OUT/<case_id>.<kind>.<lang>.<html|md|pdf>.  A kind that does not fit a case
    exits 2 with the reason."""
    from evaluator.base.errors import ExitStatus
    from evaluator.body.profile import load_profile, profile_path
    from evaluator.outputs.files import write_atomic
    from evaluator.outputs.report import (
        ReportNotApplicable,
        ReportUnavailable,
        render_report,
        report_filename,
    )

    if draft and kind != "certificate":
        raise click.UsageError("--draft is for --kind certificate")
    where = profile_path(body_path)
    body = load_profile(where) if where else None
    status = WorstStatus()
    moment = dt.datetime.now().astimezone().isoformat(timespec="seconds") if stamp else None
    for _, evaluation in evaluated(cases, pack, as_of, None, status):
        try:
            content = render_report(evaluation, kind, fmt, lang, moment, body=body, draft=draft)
        except ReportUnavailable as e:
            warn(f"certeval: {e}")
            finish(ExitStatus.BAD_INPUT)
        except ReportNotApplicable as e:
            warn(f"certeval: {evaluation.case.case_id}: no {kind} report: {e}")
            status.note(ExitStatus.BAD_INPUT)
            continue
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
    "--out", required=True, type=click.Path(file_okay=False), callback=output_dir, help="Output directory."
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

    from evaluator.base.errors import UsageError
    from evaluator.batch import BatchError, run_batch

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
            progress=bar if sys.stderr.isatty() else None,
            record_db=db if record else None,
            warn=warn,
        )
    except BatchError as e:
        raise UsageError(str(e)) from None
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM / SIGHUP (BatchInterrupted): 128 + the signal
        bar.close()
        warn("certeval batch: interrupted; run the same command again to resume")
        finish(128 + getattr(e, "signum", 2))
    bar.close()
    rate = totals.evaluated_now / totals.seconds if totals.seconds else 0.0
    resumed = f"; {totals.skipped} done by an earlier run" if totals.skipped else ""
    emit(
        f"batch: {totals.cases} cases, {totals.errors} errors, {totals.majors} with a major finding,"
        f" {rate:.0f} cases/s ({totals.evaluated_now} evaluated{resumed}) -> {out}\n"
    )
    finish(totals.status)


# ------------------------------------------------------------------------------------ schema
@main.command()
@click.argument("what", type=click.Choice(["case", "result", "rules"]))
@pack_option
@guarded
def schema(what: str, pack: str | None) -> None:
    """Print the JSON Schema of case files, results or rule files."""
    from evaluator.outputs.files import to_json
    from evaluator.outputs.json_schemas import schema_for
    from evaluator.packs import load_pack

    emit(to_json(schema_for(what, load_pack(pack_argument(pack) or "gbt27922-2011"))))


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
    from evaluator.base.errors import UsageError
    from evaluator.maintain.explain import explain as explain_rule
    from evaluator.outputs.text import terminal_safe

    evaluation = evaluate_full(case, pack=pack_argument(pack), as_of=as_of, engine="python")
    rule = evaluation.pack.rule(rule_id)
    if rule is None:
        raise UsageError(f"{rule_id} is not a rule of {evaluation.pack.id} (see: certeval rules list)")
    emit(terminal_safe(explain_rule(evaluation, rule, lang)))  # fact values may hold case text


if __name__ == "__main__":  # pragma: no cover
    main()
