"""`certeval sheet`: score sheets as Excel workbooks (SPEC §9)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import emit, finish, guarded, pack_argument, pack_option

STAGES = ("application", "initial", "surveillance", "recertification", "change")
out_file = click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE.xlsx",
)


@click.group()
def sheet() -> None:
    """Workbooks for auditors: a blank one per stage, a case read from one, a case written into one."""


@sheet.command("new")
@click.option("--stage", required=True, type=click.Choice(STAGES))
@pack_option
@out_file
@guarded
def sheet_new(stage: str, pack: str | None, output: Path) -> None:
    """A workbook to fill in for a case of STAGE: drop-downs from the pack, labels zh / en."""
    from evaluator.outputs.files import write_atomic
    from evaluator.sheets import blank_workbook

    write_atomic(output, blank_workbook(stage, pack_argument(pack)))
    finish(0)


@sheet.command("import")
@click.argument("workbook", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    default="-",
    show_default=True,
    metavar="CASE.yaml|-",
    help="Where the case goes.",
)
@pack_option
@guarded
def sheet_import(workbook: Path, output: str, pack: str | None) -> None:
    """Read a filled workbook back into a case file, validated; problems name their cells."""
    from evaluator.outputs.files import write_atomic
    from evaluator.sheets import import_workbook

    _, _, text = import_workbook(workbook, pack_argument(pack))
    if output == "-":
        emit(text)
    else:
        write_atomic(Path(output), text)
    finish(0)


@sheet.command("export")
@click.argument("case", type=click.Path(path_type=Path, dir_okay=False))
@pack_option
@out_file
@guarded
def sheet_export(case: Path, pack: str | None, output: Path) -> None:
    """Write a valid case file (YAML, JSON or .xlsx) into a filled workbook."""
    from evaluator.outputs.files import write_atomic
    from evaluator.sheets import export_case

    write_atomic(output, export_case(case, pack_argument(pack)))
    finish(0)
