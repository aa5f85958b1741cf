"""Every class of bad input of SPEC 3: one clear line with file:line and field, exit status 2,
no traceback, nothing on stdout and nothing written."""

from __future__ import annotations

import re

import pytest
from helpers import TRACEBACK, base_text, run_cli

APPLICATION = base_text("application")
INITIAL = base_text("initial")
SURVEILLANCE = base_text("surveillance")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


BAD = {
    "yaml-syntax": (APPLICATION.replace("  country: CN\n", "  country: [CN\n"), "YAML syntax", None),
    "duplicate-key": (
        edit(APPLICATION, "  country: CN\n", "  country: CN\n  country: HK\n"),
        "duplicate key 'country'",
        None,
    ),
    "string-is-not-a-number": (
        edit(INITIAL, "staffing: {awarded: 6,", 'staffing: {awarded: "6",'),
        "evaluation.scores.staffing.awarded: must be a number",
        "staffing",
    ),
    "yes-is-not-a-date": (
        edit(APPLICATION, "  date: 2026-08-17", "  date: yes"),
        "application.date: must be a date",
        "  date: yes",
    ),
    "impossible-date": (
        edit(APPLICATION, "  date: 2026-08-17", "  date: 2026-02-30"),
        "application.date: 2026-02-30 is not a calendar date",
        "2026-02-30",
    ),
    "date-after-as-of": (
        edit(APPLICATION, "  date: 2026-08-17", "  date: 2026-09-09"),
        "application.date: 2026-09-09 is after as_of 2026-09-08",
        "2026-09-09",
    ),
    "unknown-indicator": (
        edit(INITIAL, "    recycling:", "    recycle:"),
        "evaluation.scores.recycle: unknown indicator (did you mean 'recycling'?)",
        "recycle:",
    ),
    "unknown-document-key": (
        edit(APPLICATION, "system_documents, permits]", "system_documents, permits, tax_clearance]"),
        "is not one of",
        None,
    ),
    "unknown-evidence-item": (
        edit(APPLICATION, "item: price_list", "item: price_lists"),
        "evidence[4].item",
        "price_lists",
    ),
    "unknown-change-kind": (
        edit(
            SURVEILLANCE,
            "surveillance:\n",
            "changes: [{kind: phone, date: 2026-05-01, significant: true}]\nsurveillance:\n",
        ),
        "changes[0].kind",
        "kind: phone",
    ),
    "score-sheet-does-not-add-up": (
        edit(INITIAL, "staffing: {awarded: 6, available: 6}", "staffing: {awarded: 6, available: 7}"),
        "system indicators add up to 41, not the category maximum 40",
        None,
    ),
    "awarded-exceeds-available": (
        edit(INITIAL, "norms: {awarded: 5, available: 6}", "norms: {awarded: 7, available: 6}"),
        "evaluation.scores.norms.awarded: 7 exceeds available 6",
        "norms:",
    ),
    "missing-required-field": (
        edit(APPLICATION, "  legal_compliance: true\n", ""),
        "organization.legal_compliance: missing required key",
        None,
    ),
    "unknown-key-typo": (
        edit(APPLICATION, "  dedicated_fund: true", "  dedicated_fnd: true"),
        "service_system.dedicated_fnd: unknown key (did you mean 'dedicated_fund'?)",
        "dedicated_fnd",
    ),
    "case-id-escaping-the-output-directory": (
        edit(APPLICATION, "case_id: FX-APPLICATION", "case_id: ../../etc/passwd"),
        "case_id:",
        "case_id:",
    ),
    "excluded-twice": (
        INITIAL
        + "  excluded: [{indicator: delivery, justification: x}, {indicator: delivery, justification: y}]\n",
        "delivery is excluded twice",
        None,
    ),
    "evidence-listed-twice": (
        edit(
            APPLICATION,
            "  - {item: price_list, count: 2}\n",
            "  - {item: price_list, count: 2}\n  - {item: price_list, count: 3}\n",
        ),
        "price_list is listed twice",
        None,
    ),
    "surveillance-before-issue": (
        edit(SURVEILLANCE, "{date: 2026-01-10, result: pass}", "{date: 2025-01-10, result: pass}"),
        "surveillance[0].date: 2025-01-10 is before certificate.issued_on",
        "2025-01-10",
    ),
    "boolean-word-yes": (
        edit(APPLICATION, "  legal_entity: true", "  legal_entity: yes"),
        "organization.legal_entity: must be true or false",
        "legal_entity: yes",
    ),
    "stage-needs-its-section": (
        edit(SURVEILLANCE, "certificate:\n", "certificate_:\n"),
        "certificate: missing required key (at stage surveillance)",
        None,
    ),
    "top-level-not-a-mapping": ("- just\n- a list\n", "not a mapping", None),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_case_is_one_clear_message(name, case_file, tmp_path):
    text, expected, line_needle = BAD[name]
    path = case_file(text)
    out = tmp_path / "out"
    result = run_cli("evaluate", path, "--out", out, "--format", "json")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert TRACEBACK not in result.stderr
    assert not out.exists() or not any(out.iterdir())
    lines = result.stderr.strip().splitlines()
    assert any(expected in line for line in lines), result.stderr
    for line in lines:
        assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", line), line
    if line_needle:
        want = line_of(text, line_needle)
        assert any(line.startswith(f"{path}:{want}: ") for line in lines), (want, result.stderr)


def test_problems_are_all_reported_at_once(case_file):
    text = edit(
        edit(APPLICATION, "  legal_entity: true", "  legal_entity: yes"),
        "  trained_managers: 2",
        "  trained_managers: two",
    )
    result = run_cli("evaluate", case_file(text))
    assert result.returncode == 2
    assert "organization.legal_entity" in result.stderr and "service_system.trained_managers" in result.stderr


def test_json_case_problems_have_lines(case_file):
    path = case_file(
        '{\n  "case_id": "J-1",\n  "stage": "application",\n  "organization": 5\n}\n', "case.json"
    )
    result = run_cli("evaluate", path)
    assert result.returncode == 2
    assert f"{path}:4: organization: must be a mapping" in result.stderr


def test_files_over_5_mb(case_file):
    result = run_cli("evaluate", case_file(APPLICATION + "#" * (5 * 1024 * 1024) + "\n"))
    assert result.returncode == 2 and "byte limit" in result.stderr


def test_alias_bomb(case_file):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    result = run_cli("evaluate", case_file("\n".join(lines) + "\n"))
    assert result.returncode == 2 and "alias bomb" in result.stderr


def test_non_utf8(case_file):
    result = run_cli(
        "evaluate", case_file(APPLICATION.encode("utf-8").replace("刘建国".encode(), "刘建国".encode("gbk")))
    )
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_a_bad_case_does_not_stop_the_others(case_file, tmp_path):
    good = case_file(APPLICATION, "good.yaml")
    bad = case_file(edit(APPLICATION, "  legal_entity: true", "  legal_entity: 1"), "bad.yaml")
    result = run_cli("evaluate", bad, good, "--format", "json")
    assert result.returncode == 2
    assert len(result.stdout.strip().splitlines()) == 1  # the good case's result
    assert "bad.yaml" in result.stderr


def test_missing_file(tmp_path):
    result = run_cli("evaluate", tmp_path / "nope.yaml")
    assert result.returncode == 2 and TRACEBACK not in result.stderr
