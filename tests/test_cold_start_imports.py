"""What `certeval evaluate CASE --format json` and `certeval --help` import (issue 18, cold start).

Each command imports its wings inside the command function, and `evaluator/__init__` re-exports
lazily, so a single evaluation never loads the report, register, workbook, web or maintainer
wings or their libraries.  The check runs the real command in a fresh interpreter and reads
`sys.modules` afterwards: a top-level import added back anywhere on the way fails it.  No time
is measured here (benchmarks/targets.py does that).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES

# Libraries (and our wings) that an evaluation printed as JSON has no use for.
NOT_ON_THE_EVALUATE_PATH = [
    "jinja2",
    "openpyxl",
    "sqlite3",
    "fastapi",
    "starlette",
    "weasyprint",
    "importlib.metadata",  # ~50 ms: only --version and reports read the distribution
    "tempfile",  # with shutil, random, bz2, lzma: only when a file is written
    "evaluator.outputs.report",
    "evaluator.register",
    "evaluator.sheets",
    "evaluator.web",
    "evaluator.maintain",
    "evaluator.batch",
    "evaluator.regulator",
    "evaluator.body",
    # the command groups: imported when named (cli.LAZY_GROUPS)
    "cli_commands.register",
    "cli_commands.rules",
    "cli_commands.serve",
    "cli_commands.sheet",
    "cli_commands.users",
]

RUN = """
import json, sys
sys.argv = ["certeval", *json.loads(sys.argv[1])]
import cli
try:
    cli.main()
except SystemExit as exit:
    status = exit.code
with open(OUT, "w") as out:
    json.dump({"status": status, "modules": sorted(sys.modules)}, out)
"""


def imported_by(args: list[str], tmp_path: Path) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    code = RUN.replace("OUT", repr(str(out)))
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)], capture_output=True, check=True, cwd=tmp_path
    )
    done = json.loads(out.read_text(encoding="utf-8"))
    return done["status"], set(done["modules"])


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("warm", [False, True], ids=["pack from files", "pack from the cache"])
def test_evaluate_json_imports_only_what_it_uses(tmp_path, monkeypatch, warm):
    monkeypatch.setenv("CERTEVAL_CACHE_DIR", str(tmp_path / "cache"))
    args = ["evaluate", str(EXAMPLES / "hz-initial-three-star.yaml"), "--format", "json"]
    if warm:
        imported_by(args, tmp_path)
    status, modules = imported_by(args, tmp_path)
    assert status == 0
    assert "evaluator.api" in modules and "durable_rules_engine" in modules  # it did evaluate
    assert [name for name in NOT_ON_THE_EVALUATE_PATH if loaded(modules, name)] == []


def test_help_imports_no_evaluator_wing(tmp_path):
    status, modules = imported_by(["--help"], tmp_path)
    assert status == 0
    wings = sorted(m for m in modules if m.startswith("evaluator.") and m.count(".") == 1)
    assert wings == ["evaluator.base"]  # evaluator.base.limits, for an option's range
    assert not loaded(modules, "yaml") and not loaded(modules, "durable_rules_engine")


def test_importing_a_submodule_does_not_load_the_facade(tmp_path):
    code = "import sys, evaluator.base.limits; print('evaluator.api' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_help_still_lists_every_command():
    import click
    from click.testing import CliRunner

    import cli

    runner = CliRunner()
    top = runner.invoke(cli.main, ["--help"])
    assert top.exit_code == 0
    names = cli.main.list_commands(click.Context(cli.main))
    assert set(cli.LAZY_GROUPS) < set(names) and {"evaluate", "batch", "report"} < set(names)
    for name in names:
        command = cli.main.get_command(click.Context(cli.main), name)
        assert command is not None and name in top.output
        page = runner.invoke(cli.main, [name, "--help"])
        assert page.exit_code == 0, name
        assert command.get_short_help_str() and "Usage:" in page.output
        for sub in getattr(command, "commands", {}):
            assert runner.invoke(cli.main, [name, sub, "--help"]).exit_code == 0, f"{name} {sub}"
