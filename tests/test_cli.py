"""The command line as a user sees it (SPEC 5)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import CONFORMANCE, EXAMPLES, TRACEBACK, run_cli

OVERDUE = EXAMPLES / "nj-surveillance-overdue.yaml"
CLEAN = EXAMPLES / "xm-application-eligible.yaml"


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("certeval ")


def test_text_is_the_default_format_in_chinese():
    result = run_cli("evaluate", OVERDUE)
    assert result.returncode == 1
    assert "监督：逾期" in result.stdout and "SURV-OVERDUE" in result.stdout


def test_text_in_english_and_both():
    english = run_cli("evaluate", OVERDUE, "--lang", "en").stdout
    assert "Surveillance: Overdue" in english and "监督" not in english
    both = run_cli("evaluate", OVERDUE, "--lang", "both").stdout
    assert "监督：逾期" in both and "Surveillance: Overdue" in both


def test_chinese_text_uses_chinese_punctuation_and_change_kind_names():
    chinese = run_cli("evaluate", EXAMPLES / "wh-change-unnotified.yaml").stdout
    assert "监督：未到期；上次评价 2026-07-02，应完成 2027-07-02" in chinese
    assert "待通知变更：地址 2026-09-15 → 2026-10-15，服务流程 2026-11-02 → 2026-12-02" in chinese
    assert "→ 受评组织（不符合项），期限 2026-12-23：向认证机构提交变更申请" in chinese
    english = run_cli("evaluate", EXAMPLES / "wh-change-unnotified.yaml", "--lang", "en").stdout
    assert "Changes to notify: Address 2026-09-15 → 2026-10-15, Service process" in english
    assert "Surveillance: Not due; last evaluation 2026-07-02, due by 2027-07-02" in english


def test_exit_status_0_without_major_finding():
    result = run_cli("evaluate", CLEAN, "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout)["findings"] == []


def test_json_for_one_case_goes_to_stdout():
    result = run_cli("evaluate", OVERDUE, "--format", "json")
    data = json.loads(result.stdout)
    assert data["certificate"]["recommended_status"] == "suspended"


def test_several_cases_give_one_json_object_per_line_and_the_highest_status():
    result = run_cli("evaluate", CLEAN, OVERDUE, "--format", "json")
    lines = result.stdout.strip().splitlines()
    assert [json.loads(line)["case_id"] for line in lines] == ["XM-2026-0042", "NJ-2024-0311"]
    assert result.returncode == 1


def test_out_writes_one_file_per_case_named_by_case_id(tmp_path):
    result = run_cli("evaluate", CLEAN, OVERDUE, "--format", "json", "--out", tmp_path)
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["NJ-2024-0311.json", "XM-2026-0042.json"]
    text = run_cli("evaluate", OVERDUE, "--out", tmp_path)
    assert (tmp_path / "NJ-2024-0311.txt").read_text(encoding="utf-8").startswith("NJ-2024-0311")
    assert text.returncode == 1


def test_as_of_option_wins_over_the_case_and_is_reported():
    result = run_cli("evaluate", OVERDUE, "--as-of", "2026-01-10", "--format", "json")
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-01-10"
    assert data["surveillance"]["state"] == "due_soon"
    assert result.returncode == 0


def test_bad_as_of_is_a_usage_error():
    result = run_cli("evaluate", OVERDUE, "--as-of", "2026-13-01")
    assert result.returncode == 2 and TRACEBACK not in result.stderr


def test_as_of_defaults_to_today_when_the_case_has_none(case_file):
    text = CLEAN.read_text(encoding="utf-8").replace("as_of: 2026-09-20\n", "")
    # the application date lies in the past of any machine running this test
    result = run_cli("evaluate", case_file(text), "--format", "json")
    import datetime as dt

    assert json.loads(result.stdout)["as_of"] == dt.date.today().isoformat()


def test_engine_option():
    python = json.loads(run_cli("evaluate", OVERDUE, "--format", "json", "--engine", "python").stdout)
    durable = json.loads(run_cli("evaluate", OVERDUE, "--format", "json").stdout)
    assert python["engine"] == "python" and durable["engine"] == "durable"
    python.pop("engine")
    durable.pop("engine")
    assert python == durable


def test_pack_option_takes_an_id_or_a_directory(tmp_path):
    import shutil

    from evaluator.packs import builtin_root

    copy = tmp_path / "my-pack"
    shutil.copytree(builtin_root() / "gbt27922-2011", copy)
    by_dir = json.loads(run_cli("evaluate", OVERDUE, "--format", "json", "--pack", copy).stdout)
    by_id = json.loads(run_cli("evaluate", OVERDUE, "--format", "json", "--pack", "gbt27922-2011").stdout)
    assert by_dir["pack"]["id"] == by_id["pack"]["id"] == "gbt27922-2011"
    assert by_dir["findings"] == by_id["findings"]


def test_unknown_pack_is_a_usage_error():
    result = run_cli("evaluate", OVERDUE, "--pack", "no-such-pack")
    assert result.returncode == 2 and "unknown rule pack" in result.stderr


def test_unknown_pack_named_in_the_case(case_file):
    result = run_cli(
        "evaluate",
        case_file(CLEAN.read_text(encoding="utf-8").replace("pack: gbt27922-2011", "pack: gbt-9999")),
    )
    assert result.returncode == 2 and ":5: pack: unknown rule pack" in result.stderr


@pytest.mark.parametrize("what", ["case", "result", "rules"])
def test_schema_prints_json_schema(what):
    result = run_cli("schema", what)
    assert result.returncode == 0
    assert "$schema" in json.loads(result.stdout)


def test_rules_list():
    table = run_cli("rules", "list").stdout
    assert "ELIG-LICENCE" in table and "CHG-CERT-REISSUE" in table
    rows = json.loads(run_cli("rules", "list", "--format", "json").stdout)
    assert len(rows) == 48  # SPEC Part I 36 + Part II 12


def test_internal_error_is_short_without_debug_and_has_a_traceback_with_it(monkeypatch):
    import cli
    import evaluator.api

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(evaluator.api, "run", broken)
    runner = CliRunner()
    quiet = runner.invoke(cli.main, ["evaluate", str(OVERDUE)])
    assert quiet.exit_code == 4
    assert "internal error: RuntimeError: simulated bug" in quiet.output
    assert "report it" in quiet.output and TRACEBACK not in quiet.output
    loud = runner.invoke(cli.main, ["evaluate", str(OVERDUE), "--debug"])
    assert loud.exit_code == 4 and TRACEBACK in loud.output


def test_conformance_case_through_the_cli():
    case = CONFORMANCE / "cases" / "04-initial-three-star-exclusions.yaml"
    if not case.exists():
        pytest.skip("the shared conformance suite is not next to this checkout")
    data = json.loads(run_cli("evaluate", case, "--format", "json").stdout)
    assert data["score"]["total"] == 84.61 and data["grade"] == "three_star"
