"""`certeval rules`: the rule maintainers' tools."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import emit, engine_option, finish, guarded, pack_argument, pack_option, warn


@click.group()
def rules() -> None:
    """Rule maintainers' tools: list, lint, test and document rule packs."""


@rules.command("list")
@pack_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@guarded
def rules_list(pack: str | None, fmt: str) -> None:
    """List the rules of a pack: ID, severity, audience, stages, clause, title."""
    from evaluator.maintain.rule_table import rule_table
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
    from evaluator.base.errors import ExitStatus
    from evaluator.maintain.fixtures import junit_xml, run_fixtures
    from evaluator.outputs.files import write_atomic

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
            from evaluator.maintain.condition_coverage import measure, percent_covered, render

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
    from evaluator.base.errors import ExitStatus, PackError
    from evaluator.maintain.lint import lint_pack, problems_as_messages

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
    from evaluator.base.errors import ExitStatus
    from evaluator.maintain.docs import facts_page, pack_page
    from evaluator.outputs.files import write_atomic

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
    from evaluator.base.errors import ExitStatus
    from evaluator.maintain.diff import case_files, diff_cases
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
