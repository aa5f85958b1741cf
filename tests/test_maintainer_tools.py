"""Rule maintainers' tools: lint, test --junit, docs, explain, diff (issue 5)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, TRACEBACK, base_text, run_cli

from evaluator import load_pack
from evaluator.api import run
from evaluator.case.loader import build_case
from evaluator.maintain.docs import facts_page, pack_page
from evaluator.maintain.explain import explain
from evaluator.maintain.synthetic import synthetic_case
from evaluator.packs import builtin_pack_ids, builtin_root


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "gbt27922-2011"
    shutil.copytree(builtin_root() / "gbt27922-2011", target)
    return target


def append_rule(pack_dir: Path, rule_yaml: str) -> None:
    path = pack_dir / "rules" / "evidence.yaml"
    path.write_text(path.read_text(encoding="utf-8") + rule_yaml, encoding="utf-8")


# ---------------------------------------------------------------------------------------- lint
def test_lint_passes_on_the_built_in_packs():
    result = run_cli("rules", "lint")
    assert result.returncode == 0, result.stdout
    assert "lint: 0 error(s), 0 warning(s)" in result.stdout


def test_lint_names_each_problem_of_a_broken_pack(pack_copy):
    rules = pack_copy / "rules"
    for name, old, new in [
        ("eligibility.yaml", "fact: org.legal_compliance,", "fact: org.legal_complience,"),
        (
            "documents.yaml",
            '      en: "Application document missing: {document.label}."\n',
            "",
        ),
        ("evidence.yaml", "  - id: EVID-COVERAGE", "  - id: EVID-COUNT"),
    ]:
        text = (rules / name).read_text(encoding="utf-8")
        (rules / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    result = run_cli("rules", "lint", "--pack", pack_copy)
    assert result.returncode == 3 and TRACEBACK not in result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(problems) == 3, result.stdout
    assert all(line.startswith(str(rules)) and line.split(":")[1].isdigit() for line in problems), problems


UNREACHABLE = """
  - id: EVID-NEVER
    title: {zh: 永不, en: Never}
    clause: test
    severity: observation
    audience: applicant
    for_each: evidence
    when:
      all:
        - {fact: evidence.count, op: lt, value: 3}
        - {fact: evidence.count, op: gt, value: 5}
    message: {zh: 永不, en: Never}
  - id: EVID-NEVER-KIND
    title: {zh: 永不, en: Never}
    clause: test
    severity: observation
    audience: applicant
    for_each: evidence
    when:
      all:
        - {fact: evidence.item, op: eq, value: price_list}
        - {fact: evidence.item, op: in, value: [repair_records, supplier_list]}
    message: {zh: 永不, en: Never}
  - id: EVID-SOMETIMES
    title: {zh: 有时, en: Sometimes}
    clause: test
    severity: observation
    audience: applicant
    for_each: evidence
    when:
      any:
        - all:
            - {fact: evidence.count, op: lt, value: 3}
            - {fact: evidence.count, op: gt, value: 5}
        - {fact: evidence.count, op: eq, value: 4}
    message: {zh: 有时, en: Sometimes}
"""


def test_lint_finds_conditions_that_can_never_hold_and_rules_without_fixtures(pack_copy):
    append_rule(pack_copy, UNREACHABLE)
    result = run_cli("rules", "lint", "--pack", pack_copy)
    assert result.returncode == 3
    out = result.stdout
    assert "EVID-NEVER: the condition can never hold" in out
    assert "EVID-NEVER-KIND: the condition can never hold" in out
    assert "EVID-SOMETIMES: the condition can never hold" not in out
    assert "EVID-SOMETIMES: no fixture that fires it and none that does not" in out


def test_lint_warns_about_unguarded_negation_of_a_nullable_fact_and_unused_parameters(pack_copy):
    append_rule(
        pack_copy,
        """
  - id: EVID-NULLABLE
    title: {zh: 空值, en: Nullable}
    clause: test
    severity: info
    audience: body
    for_each: licence
    when:
      not: {fact: licence.valid_until, op: lt, value: {fact: licence.reference_date}}
    message: {zh: 空值, en: Nullable}
""",
    )
    pack_yaml = pack_copy / "pack.yaml"
    pack_yaml.write_text(
        pack_yaml.read_text(encoding="utf-8").replace(
            "parameters:\n", "parameters:\n  forgotten: {value: 7, source: nowhere}\n", 1
        ),
        encoding="utf-8",
    )
    out = run_cli("rules", "lint", "--pack", pack_copy).stdout
    assert "warning: EVID-NULLABLE: `not` over licence.valid_until, which may be null" in out
    assert "warning: parameters: parameter forgotten is not used" in out


# ---------------------------------------------------------------------------- test and docs
def test_rules_test_writes_junit(tmp_path):
    report = tmp_path / "fixtures.xml"
    result = run_cli("rules", "test", "--pack", "gbt27922-2011", "--junit", report)
    assert result.returncode == 0
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None and int(suite.get("tests")) > 150 and suite.get("failures") == "0"


def test_committed_rule_docs_are_up_to_date():
    for pack_id in builtin_pack_ids():
        committed = (REPO / "docs" / "rules" / f"{pack_id}.md").read_text(encoding="utf-8")
        assert committed == pack_page(load_pack(pack_id)), f"run: certeval rules docs ({pack_id})"
    assert (REPO / "docs" / "rules" / "facts.md").read_text(encoding="utf-8") == facts_page()


def test_rule_docs_show_parameters_with_sources_and_every_rule():
    page = pack_page(load_pack("gbt27922-2011"))
    assert "| `incident_window_months` | 12 | months | 《商品售后服务认证实施规则》 申请条件 d)" in page
    for rule in load_pack("gbt27922-2011").rules:
        assert f"### {rule.id} — " in page
    # the full citation and the requirement in words (SPEC 8.2)
    assert "| 《商品售后服务认证实施规则》 变更 |" in page
    assert "- Requirement: 获证组织应在变更发生后30日内通知认证机构。" in page
    assert "- Clause (en): Implementation rules for after-sales service certification 变更" in page


# ------------------------------------------------------------------------------------ explain
def test_explain_why_surveillance_overdue_did_not_fire_while_an_extension_runs():
    result = run_cli("explain", EXAMPLES / "cq-surveillance-extended.yaml", "SURV-OVERDUE", "--lang", "en")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "did not fire" in out
    assert (
        "certificate.surveillance_state = 'overdue' does not hold: certificate.surveillance_state is extended"
        in out
    )
    assert "extended_until 2026-12-20" in out and "due_by 2026-09-25" in out


def test_explain_why_a_non_significant_process_change_triggers_nothing(case_file):
    text = base_text("change").replace(
        "changes: []", "changes: [{kind: service_process, date: 2026-10-01, significant: false}]"
    )
    out = run_cli("explain", case_file(text), "CHG-NOTIFY", "--lang", "en").stdout
    assert "changes[0]: does not hold" in out
    assert "change.kind ∈ always_notify_kinds" in out and "change.kind is service_process" in out
    assert "change.significant = true does not hold: change.significant is no" in out
    zh = run_cli("explain", case_file(text), "CHG-NOTIFY").stdout
    assert "未触发" in zh and "不触发的原因" in zh
    assert "（对服务有重大影响）" in zh and "significant for the service" not in zh  # the catalogue in zh
    assert "changes[0]：不成立" in zh and "不触发的原因：" in zh  # Chinese punctuation


def test_explain_a_rule_with_nothing_to_test_says_what_it_tests_in_each_language():
    case = EXAMPLES / "hz-initial-three-star.yaml"  # no changes listed
    zh = run_cli("explain", case, "CHG-NOTIFY").stdout
    assert "本案例没有 change 事实" in zh and "`changes` 的每一项一个" in zh and "One per entry" not in zh
    en = run_cli("explain", case, "CHG-NOTIFY", "--lang", "en").stdout
    assert "the case has no change facts" in en and "One per entry of `changes`." in en


def test_explain_a_rule_that_fired():
    out = run_cli("explain", EXAMPLES / "nj-surveillance-overdue.yaml", "SURV-OVERDUE", "--lang", "en").stdout
    assert "— fired" in out and "certificate: holds" in out


def test_explain_a_rule_that_does_not_run_at_the_stage():
    out = run_cli("explain", EXAMPLES / "nj-surveillance-overdue.yaml", "ELIG-LICENCE", "--lang", "en").stdout
    assert "does not run at this stage" in out


def test_explain_an_unknown_rule_is_a_usage_error():
    result = run_cli("explain", EXAMPLES / "nj-surveillance-overdue.yaml", "ELIG-NOPE")
    assert result.returncode == 2 and "not a rule of gbt27922-2011" in result.stderr


def test_explain_agrees_with_the_engine_on_generated_cases():
    # explain raises if its trace disagrees with the findings
    pack = load_pack()
    for seed in range(150):
        case, _ = build_case(synthetic_case(seed, pack), str(seed))
        evaluation = run(case, pack, "python")
        for rule in pack.rules:
            explain(evaluation, rule, "both")


# --------------------------------------------------------------------------------------- diff
def test_diff_lists_exactly_the_cases_a_shorter_incident_window_affects(pack_copy):
    pack_yaml = pack_copy / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    old = "  incident_window_months:\n    value: 12\n"
    assert old in text
    pack_yaml.write_text(text.replace(old, "  incident_window_months:\n    value: 6\n"), encoding="utf-8")
    result = run_cli("rules", "diff", "--old", "gbt27922-2011", "--new", pack_copy, EXAMPLES)
    assert result.returncode == 1
    changed = [line for line in result.stdout.splitlines() if line.endswith("):")]
    assert changed == [f"{EXAMPLES / 'zz-application-ineligible.yaml'} (ZZ-2026-0188):"]
    assert "  - ELIG-MAJOR-INCIDENT incidents[0] (major)" in result.stdout
    cases = len(list(EXAMPLES.glob("*.yaml")))
    assert f"rules diff: 1 of {cases} case(s) changed" in result.stdout


def test_diff_of_identical_packs_changes_nothing(pack_copy):
    result = run_cli("rules", "diff", "--old", "gbt27922-2011", "--new", pack_copy, EXAMPLES)
    cases = len(list(EXAMPLES.glob("*.yaml")))
    assert result.returncode == 0 and f"0 of {cases} case(s) changed" in result.stdout


def test_diff_skips_cases_of_another_pack_and_reports_unreadable_ones(pack_copy, tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(EXAMPLES / "tj-initial-1000.yaml", cases)
    shutil.copy(EXAMPLES / "hz-initial-three-star.yaml", cases)
    (cases / "broken.yaml").write_text("case_id: [unclosed\n", encoding="utf-8")
    result = run_cli("rules", "diff", "--old", "gbt27922-2011", "--new", pack_copy, cases)
    assert result.returncode == 0, result.stderr
    assert f"{cases / 'tj-initial-1000.yaml'}: skipped: the case names pack gbt27922-1000" in result.stderr
    assert f"{cases / 'broken.yaml'}: not valid under either pack:" in result.stderr
    assert "0 of 3 case(s) changed" in result.stdout
    assert TRACEBACK not in result.stderr
