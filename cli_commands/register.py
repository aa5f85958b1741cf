"""`certeval register`: the evaluation register's queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from evaluator.base.limits import MAX_PERIOD_DAYS

from .common import as_of_option, db_option, emit, finish, guarded


@click.group()
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
    from evaluator.base.errors import UsageError
    from evaluator.outputs.tables import render_rows
    from evaluator.register import lookup, open_existing

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
    from evaluator.base.errors import UsageError
    from evaluator.outputs.tables import render_rows
    from evaluator.register import findings_diff, history, open_existing

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
        emit(f"\nfindings from evaluation {before} to {after}:\n")
        _emit_findings_diff(findings_diff(conn, before, after))


@register.command("due")
@click.option(
    "--within",
    type=click.IntRange(min=0, max=MAX_PERIOD_DAYS),
    default=60,
    show_default=True,
    help="Days ahead.",
)
@as_of_option("Plan from this date (default today).")
@format_option
@db_option
@guarded
def register_due(within: int, as_of: dt.date | None, fmt: str, db: Path) -> None:
    """The planning list: surveillance due or overdue, extensions running, recertifications due."""
    from evaluator.outputs.tables import render_rows
    from evaluator.register import due, open_existing

    rows = due(open_existing(db), as_of or dt.date.today(), within)
    columns = ("date", "kind", "number", "organization", "grade", "due_by", "extended_until", "valid_until")
    emit(render_rows(rows, columns if fmt == "table" else tuple(rows[0]) if rows else columns, fmt))


@register.command("ncs")
@click.option("--open", "open_only", is_flag=True, help="Only items not closed.")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only replies overdue.")
@as_of_option("States as of this date (default today).")
@format_option
@db_option
@guarded
def register_ncs(open_only: bool, overdue_only: bool, as_of: dt.date | None, fmt: str, db: Path) -> None:
    """Every nonconformity (latest evaluation per case) with its state and dues on a date."""
    from evaluator.outputs.tables import render_rows
    from evaluator.register import nonconformities, open_existing
    from evaluator.register.ncs import COLUMNS

    day = as_of or dt.date.today()
    rows = nonconformities(open_existing(db), day, open_only=open_only, overdue_only=overdue_only)
    emit(render_rows(rows, COLUMNS, fmt))


# ------------------------------------------------------------ exports for the regulator (SPEC §9)
body_id_option = click.option(
    "--body-id", help="The body's upper-case code (default: the --body profile's id, else BODY)."
)
body_profile_option = click.option(
    "--body",
    "body_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The certification body's profile: its id and its cnca_columns (default: $CERTEVAL_BODY).",
)


def body_defaults(
    body_path: Path | None, body_id: str | None, mapping: Path | None
) -> tuple[str, Path | None]:
    """The body id and the regulator's column file: as given, else the profile's, else BODY and
    the shipped columns."""
    from evaluator.body.profile import load_profile, profile_path

    where = profile_path(body_path)
    profile = load_profile(where) if where else None
    if profile is None:
        return body_id or "BODY", mapping
    return body_id or profile.id, mapping or profile.cnca_columns


@register.command("cnca")
@click.option(
    "--month", required=True, metavar="YYYY-MM", help="Plans, evaluations and certificates of this month."
)
@click.option(
    "-o", "--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False), metavar="DIR"
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The regulator's sheets and columns (default: the one shipped; check it against the template).",
)
@body_id_option
@body_profile_option
@db_option
@guarded
def register_cnca(
    month: str, out: Path, mapping: Path | None, body_id: str | None, body_path: Path | None, db: Path
) -> None:
    """The monthly report to the regulator: <body id>-<YYYY-MM>-cnca.xlsx, linted before writing."""
    from evaluator.register import open_existing
    from evaluator.regulator.cnca import report_name, write_cnca
    from evaluator.regulator.mapping import load_mapping

    body_id, mapping = body_defaults(body_path, body_id, mapping)
    report_name(body_id, month)  # bad usage before the register is opened
    path = write_cnca(open_existing(db), month, load_mapping(mapping), body_id, out)
    emit(f"{path}\n")
    finish(0)


@register.command("certsearch")
@as_of_option("Statuses as of this date (default today).")
@click.option(
    "-o", "--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False), metavar="FILE.csv"
)
@body_id_option
@body_profile_option
@db_option
@guarded
def register_certsearch(
    as_of: dt.date | None, out: Path, body_id: str | None, body_path: Path | None, db: Path
) -> None:
    """The IAF CertSearch certificate fields as CSV (active, suspended, withdrawn, expired)."""
    from evaluator.outputs.files import write_atomic
    from evaluator.register import open_existing
    from evaluator.regulator.certsearch import certsearch_csv

    body_id, _ = body_defaults(body_path, body_id, None)
    write_atomic(out, certsearch_csv(open_existing(db), as_of or dt.date.today(), body_id))
    finish(0)


@register.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@db_option
@guarded
def register_import(paths: tuple[Path, ...], db: Path) -> None:
    """Add case files (or the YAML and JSON files under directories) as case versions, each
    evaluated at its own as_of; identical content adds nothing."""
    from evaluator.register import connect, import_cases

    for path, done in import_cases(connect(db), paths):
        state = "new version" if done.new_version else "unchanged"
        emit(f"{path}: {done.case_id} v{done.version} ({state})\n")


@register.command("export")
@click.argument("case_id")
@click.option(
    "--version", "number", type=click.IntRange(min=1), help="A version number (default: the latest)."
)
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@db_option
@guarded
def register_export(case_id: str, number: int | None, out: Path | None, db: Path) -> None:
    """A case version's document as YAML."""
    from evaluator.outputs.files import write_atomic
    from evaluator.register import open_existing, to_yaml, version_document

    text = to_yaml(_known(lambda: version_document(open_existing(db), case_id, number)))
    if out is None:
        emit(text)
    else:
        write_atomic(out, text)


@register.command("versions")
@click.argument("case_id")
@click.option(
    "--diff", nargs=2, type=int, metavar="N M", help="The document and findings diff of two versions."
)
@format_option
@db_option
@guarded
def register_versions(case_id: str, diff: tuple[int, int] | None, fmt: str, db: Path) -> None:
    """A case's versions (who, when, why), or the diff of two of them."""
    from evaluator.outputs.tables import render_rows
    from evaluator.register import document_diff, open_existing, version_findings_diff, versions

    conn = open_existing(db)
    rows = _known(lambda: versions(conn, case_id) or None)
    if diff is None:
        columns = ("version", "created_at", "by", "why", "sha256", "evaluations")
        emit(render_rows(rows, columns, fmt))
        return
    before, after = diff
    changes = _known(lambda: version_findings_diff(conn, case_id, before, after))
    emit(document_diff(conn, case_id, before, after) or "(the documents are identical)\n")
    emit(f"\nfindings from version {before} to {after}:\n")
    if changes is None:
        emit("  (a version was never evaluated)\n")
        return
    _emit_findings_diff(changes)


def _emit_findings_diff(changes: dict[str, list[dict[str, Any]]]) -> None:
    for kind, sign in (("added", "+"), ("closed", "-")):
        for f in changes[kind]:
            emit(f"  {sign} {f['severity']} {f['rule']} {f['subject'] or ''} {f['message_zh']}\n")
    if not changes["added"] and not changes["closed"]:
        emit("  (no change)\n")


T = TypeVar("T")


def _known(get: Callable[[], T | None]) -> T:
    """The answer, or bad usage naming the case the register does not hold."""
    from evaluator.base.errors import UsageError
    from evaluator.register import UnknownCase

    try:
        answer = get()
    except UnknownCase as error:
        raise UsageError(str(error)) from None
    if answer is None:
        raise UsageError("the register holds no such case")
    return answer
