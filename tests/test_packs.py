"""Rule packs load all or nothing; a broken pack names every problem (exit status 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLES, TRACEBACK, run_cli

from evaluator import PackError, load_pack
from evaluator.packs import builtin_root

CASE = EXAMPLES / "xm-application-eligible.yaml"


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "gbt27922-2011"
    shutil.copytree(builtin_root() / "gbt27922-2011", target)
    return target


def break_file(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_broken_pack_names_each_problem_with_file_and_line(pack_copy):
    rules = pack_copy / "rules"
    typo_line = break_file(
        rules / "eligibility.yaml", "fact: org.legal_compliance,", "fact: org.legal_complience,"
    )
    break_file(
        rules / "documents.yaml",
        '      en: "Application document missing: {document.label}."\n',
        "",
    )
    dup_line = break_file(rules / "evidence.yaml", "  - id: EVID-COVERAGE", "  - id: EVID-COUNT")
    result = run_cli("evaluate", CASE, "--pack", pack_copy)
    assert result.returncode == 3
    assert result.stdout == "" and TRACEBACK not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines
    typo = "unknown fact org.legal_complience (did you mean 'legal_compliance'?)"
    assert any(f"eligibility.yaml:{typo_line}: ELIG-LEGAL-COMPLIANCE: {typo}" in line for line in lines), (
        lines
    )
    assert any(
        "documents.yaml:" in line and "rules[0].message.en: missing required key" in line for line in lines
    ), lines
    assert any(f"evidence.yaml:{dup_line}: id: duplicate rule id EVID-COUNT" in line for line in lines), lines


def test_a_broken_pack_is_never_half_loaded(pack_copy):
    break_file(pack_copy / "rules" / "scoring.yaml", "severity: major", "severity: catastrophic")
    with pytest.raises(PackError):
        load_pack(pack_copy)


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "pack.yaml",
            '    value: 12\n    unit: months\n    source: "《商品售后服务认证实施规则》 申请条件 d)',
            '    value: twelve\n    unit: months\n    source: "《商品售后服务认证实施规则》 申请条件 d)',
            "must be a number or a list",
        ),
        ("pack.yaml", "  scale:\n", "  scael:\n", "parameters.scale: missing"),
        (
            "rules/eligibility.yaml",
            "value: {param: min_trained_managers}",
            "value: {param: min_trained_manager}",
            "unknown parameter 'min_trained_manager'",
        ),
        (
            "rules/eligibility.yaml",
            "{fact: org.country, op: ne, value: CN}",
            "{fact: org.country, op: lt, value: CN}",
            "`lt` needs a number or a date",
        ),
        (
            "rules/eligibility.yaml",
            "{fact: incident.severity, op: eq, value: major}",
            "{fact: incident.severity, op: eq, value: majr}",
            "incident.severity is never 'majr'",
        ),
        (
            "rules/eligibility.yaml",
            "message:\n      zh: 申请组织应为",
            "message:\n      zh: 申请组织{org.nmae}应为",
            "placeholder {org.nmae} names no field",
        ),
        (
            "rules/changes.yaml",
            "{ref: triggering_change}",
            "{ref: triggering_changes}",
            "unknown predicate 'triggering_changes'",
        ),
        (
            "rules/scoring.yaml",
            "    facts: [score.final, score.base]",
            "    facts: [score.final, score.bsae]",
            "'score.bsae' is not a field",
        ),
        (
            "rules/eligibility.yaml",
            "title: {zh: 法人资格, en: Legal entity registered in China}",
            "title: {zh: 法人资格, en: '  '}",
            "must not be blank",
        ),
        (
            "rules/surveillance.yaml",
            "    action:\n      zh: 认证机构应决定",
            "    acton:\n      zh: 认证机构应决定",
            "unknown key (did you mean 'action'?)",
        ),
    ],
)
def test_pack_problems(pack_copy, file, old, new, expected):
    break_file(pack_copy / file, old, new)
    with pytest.raises(PackError) as info:
        load_pack(pack_copy)
    assert any(expected in str(p) for p in info.value.problems), [str(p) for p in info.value.problems]


def test_yaml_syntax_error_in_a_rule_file(pack_copy):
    line = break_file(pack_copy / "rules" / "changes.yaml", "  - id: CHG-NOTIFY", "  - id: [CHG-NOTIFY")
    result = run_cli("rules", "test", "--pack", pack_copy)
    # reported where the parser notices it, naming where the unclosed sequence began
    assert result.returncode == 3 and f"changes.yaml:{line + 1}" in result.stderr
    assert f"began on line {line}" in result.stderr


def test_child_pack_inherits_every_rule_and_overrides_data():
    parent, child = load_pack("gbt27922-2011"), load_pack("gbt27922-1000")
    assert [r.id for r in child.rules] == [r.id for r in parent.rules]
    assert child.lineage == ("gbt27922-2011", "gbt27922-1000")
    assert child.param("scale") == 1000 and parent.param("scale") == 100
    assert child.param("incident_window_months") == parent.param("incident_window_months")
    assert [g.id for g in child.grades] == ["five_star", "four_star", "three_star", "two_star"]
    assert (
        child.categories["system"].max == 400
        and child.categories["system"].label == parent.categories["system"].label
    )
    assert child.sha256 != parent.sha256


def test_child_redefining_a_parent_rule_is_an_error(tmp_path):
    shutil.copytree(builtin_root() / "gbt27922-1000", tmp_path / "child")
    (tmp_path / "child" / "rules").mkdir()
    shutil.copy(
        builtin_root() / "gbt27922-2011" / "rules" / "documents.yaml",
        tmp_path / "child" / "rules" / "documents.yaml",
    )
    with (tmp_path / "child" / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write("rule_files: [documents.yaml]\n")
    with pytest.raises(PackError) as info:
        load_pack(tmp_path / "child")
    assert any("duplicate rule id DOC-MISSING" in str(p) for p in info.value.problems)


def test_extends_a_missing_pack(tmp_path):
    (tmp_path / "orphan").mkdir()
    (tmp_path / "orphan" / "pack.yaml").write_text(
        "id: orphan\nversion: 1.0.0\ntitle: {zh: 孤儿, en: Orphan}\nextends: nowhere\n"
    )
    with pytest.raises(PackError) as info:
        load_pack(tmp_path / "orphan")
    assert "no pack 'nowhere' to extend" in str(info.value)


def test_sha256_covers_rules_but_not_fixtures(pack_copy):
    before = load_pack(pack_copy).sha256
    fixture = pack_copy / "fixtures" / "DOC-MISSING.yaml"
    fixture.write_text(fixture.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    from evaluator.packs import loader

    loader._load.cache_clear()
    assert load_pack(pack_copy).sha256 == before
    rule_file = pack_copy / "rules" / "documents.yaml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    loader._load.cache_clear()
    assert load_pack(pack_copy).sha256 != before
