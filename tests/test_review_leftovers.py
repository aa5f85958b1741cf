"""Leftovers of the last round's review: each a small fix with the behaviour it restores."""

from __future__ import annotations

import click
from click.testing import CliRunner

from cli_commands.common import guarded


def test_an_abort_at_a_prompt_is_a_usage_error_not_an_internal_one():
    """click raises Abort when a prompt meets Ctrl-C or the end of input."""

    @click.command()
    @guarded
    def asks() -> None:
        click.prompt("Name")

    result = CliRunner().invoke(asks, [], input="")
    assert result.exit_code == 2
    assert "aborted" in result.output and "internal error" not in result.output


def test_the_default_item_id_prefixes_have_one_source():
    """NC-<n> / SD-<n> are spelled in base/case_model.py only; documents and workbooks use it."""
    import ast
    from pathlib import Path

    import evaluator

    spelled = []
    for path in Path(evaluator.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in ("NC", "SD"):
                spelled.append(path.name)
    assert spelled == ["case_model.py", "case_model.py"]


def test_the_dashboard_shows_a_waiting_decisions_grade_by_its_label(tmp_path):
    import datetime as dt

    from fastapi.testclient import TestClient
    from helpers import EXAMPLES

    from evaluator.register import connect, import_cases
    from evaluator.web import create_app

    db = tmp_path / "register.db"
    import_cases(connect(db), [EXAMPLES / "tj-initial-1000.yaml"])  # recommends grant, three_star
    client = TestClient(create_app(db, as_of=dt.date(2026, 12, 1)))
    for lang, label in (("zh", "三星级"), ("en", "Three-star")):
        page = client.get("/", params={"lang": lang}).text
        block = page.split('id="decisions_waiting"')[1].split("</section>")[0]
        assert label in block and "three_star" not in block, lang


def test_batch_refuses_an_empty_out(tmp_path):
    """Already refused on main (output_dir callback); kept here since no test covered batch."""
    from helpers import EXAMPLES, run_cli

    result = run_cli("batch", EXAMPLES / "hz-initial-three-star.yaml", "--out", "", cwd=tmp_path)
    assert result.returncode == 2 and "--out" in result.stderr
    assert list(tmp_path.iterdir()) == []
