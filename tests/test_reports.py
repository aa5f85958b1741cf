"""Reports (issue 6): content per SPEC 1.9, escaping, determinism, golden files, Chromium.

Golden files live in tests/golden/; after an intended change, regenerate them with
    CERTEVAL_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_reports.py
and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner
from helpers import CHROMIUM, CHROMIUM_FLAGS, EXAMPLES, REPO, TRACEBACK, base_text, run_cli

from evaluator.api import evaluate_full
from evaluator.base.i18n import Text
from evaluator.outputs.report import render_report
from evaluator.outputs.report.charts import score_bars
from evaluator.outputs.report.environment import environment, markdown_escape

GOLDEN = REPO / "tests" / "golden"
UPDATE = os.environ.get("CERTEVAL_UPDATE_GOLDEN") == "1"
HZ = EXAMPLES / "hz-initial-three-star.yaml"
GOLDEN_CASES = [
    (HZ.name, kind, fmt, lang)
    for kind in ("ncr", "car", "summary")
    for fmt in ("html", "markdown")
    for lang in ("zh", "en", "both")
] + [
    (name, "summary", "html", "zh")
    for name in (
        "nj-surveillance-overdue.yaml",
        "wh-change-unnotified.yaml",
        "zz-application-ineligible.yaml",
    )
]


@pytest.mark.parametrize(
    ("case", "kind", "fmt", "lang"), GOLDEN_CASES, ids=["-".join(c) for c in GOLDEN_CASES]
)
def test_golden(case, kind, fmt, lang):
    rendered = render_report(evaluate_full(EXAMPLES / case), kind, fmt, lang)
    assert isinstance(rendered, str)
    path = GOLDEN / f"{Path(case).stem}.{kind}.{lang}.{'html' if fmt == 'html' else 'md'}"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"differs from {path}; see this module's docstring"


def test_reports_are_byte_identical_and_stamped_only_on_request(tmp_path):
    first, second, stamped = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out in (first, second):
        assert run_cli("report", HZ, "--kind", "car", "--out", out).returncode == 0
    assert (first / "HZ-2026-0301.car.zh.html").read_bytes() == (
        second / "HZ-2026-0301.car.zh.html"
    ).read_bytes()
    run_cli("report", HZ, "--kind", "car", "--out", stamped, "--stamp")
    assert " · 生成 20" in (stamped / "HZ-2026-0301.car.zh.html").read_text(encoding="utf-8")
    assert " · 生成 " not in (first / "HZ-2026-0301.car.zh.html").read_text(encoding="utf-8")


def audiences_case(case_file):
    """A case with findings for every audience: client (AUDIT-NC, special deduction, weak
    indicator), applicant (DOC-MISSING via documents, EXCL-UNJUSTIFIED), body (EXCL-NOT-ALLOWED)."""
    text = base_text("initial") + (
        "  excluded: [{indicator: norms, justification: x}, {indicator: recycling}]\n"
        "  special_deductions: [{item: 未公示收费标准}]\n"
        "  nonconformities:\n"
        "    - {indicator: staffing, severity: minor, statement: 新员工无岗前培训记录,\n"
        "       evidence: 抽查3人档案, requirement: 服务人员应经培训上岗}\n"
        "    - {indicator: improvement, severity: observation, statement: 未参加标准化工作}\n"
    )
    text = text.replace(
        "    improvement: {awarded: 4, available: 5}", "    improvement: {awarded: 2, available: 5}"
    )
    text = text.replace(
        "  products: [燃气灶, 吸油烟机]\n",
        "  products: [燃气灶, 吸油烟机]\n  documents: [application_form]\n",
    )
    return case_file(text)


def test_ncr_and_car_carry_only_the_client_nonconformities(case_file):
    evaluation = evaluate_full(audiences_case(case_file))
    rules = {f.rule.id: f.rule.audience for f in evaluation.findings}
    assert {
        "AUDIT-NC",
        "SCORE-SPECIAL-DEDUCTION",
        "DOC-MISSING",
        "EXCL-NOT-ALLOWED",
        "EXCL-UNJUSTIFIED",
        "SCORE-INDICATOR-WEAK",
    } <= set(rules)
    ncr = render_report(evaluation, "ncr", "html", "en")
    car = render_report(evaluation, "car", "html", "en")
    summary = render_report(evaluation, "summary", "html", "en")
    for text in (ncr, car):
        # client documents number items <report>-<id> and name no rule (SPEC 8.3)
        assert "FX-INITIAL-NC-1" in text and "FX-INITIAL-SD-1" in text
        for rule in (
            "AUDIT-NC",
            "SCORE-SPECIAL-DEDUCTION",
            "DOC-MISSING",
            "EXCL-NOT-ALLOWED",
            "EXCL-UNJUSTIFIED",
        ):
            assert rule not in text, rule
        assert "Explain in detail why the indicator does not apply" not in text  # an applicant action
    assert ncr.count('class="page"') == 2  # one page per nonconformity (minor AUDIT-NC, deduction)
    assert "新员工无岗前培训记录" in ncr and "服务人员应经培训上岗" in ncr and "抽查3人档案" in ncr
    # observations: in the CAR as improvement opportunities, never as nonconformities
    improvements = car.split("Opportunities for improvement")[1]
    assert "below a ratio of" in improvements and "未参加标准化工作" in improvements
    assert "未参加标准化工作" not in car.split("Opportunities for improvement")[0]
    assert "SCORE-INDICATOR-WEAK" not in ncr
    # applicant findings form the application review, body findings the decision sheet
    review = summary.split("Application review")[1].split("Technical annex")[0]
    assert "DOC-MISSING" in review and "EXCL-UNJUSTIFIED" in review and "AUDIT-NC" not in review


def test_car_leaves_cause_correction_and_action_to_the_organisation(case_file):
    car = render_report(evaluate_full(audiences_case(case_file)), "car", "html", "en")
    assert car.count("to be filled in by the organisation") == 3 * 2  # three columns, two nonconformities
    assert car.count("to be filled in by the body") == 2


HOSTILE_NAME = '<script>alert("x")</script> 厦门\u202e“引号”公司 ' + "长" * 300
HOSTILE_STATEMENT = "{{ 7*7 }} {% if true %}if{% endif %} <img src=x onerror=alert(1)> *bold* | pipe"


def hostile_case(case_file):
    text = base_text("initial").replace("  name: 测试厨卫电器有限公司", f"  name: '{HOSTILE_NAME}'")
    text += "  nonconformities:\n"
    text += f"    - {{indicator: staffing, severity: minor, statement: '{HOSTILE_STATEMENT}',\n"
    text += "       evidence: '<b>e</b>'}\n"
    return case_file(text)


@pytest.mark.parametrize("kind", ["ncr", "car", "summary"])
def test_hostile_strings_are_escaped_in_html(case_file, kind):
    html = render_report(evaluate_full(hostile_case(case_file)), kind, "html", "both")
    assert "<script>" not in html and "<img" not in html and "<b>e</b>" not in html
    assert "&lt;script&gt;" in html
    assert "{{ 7*7 }} {% if true %}if{% endif %}" in html  # case text is never a template
    assert "\u202e" in html  # kept, but inside escaped text
    assert "长" * 300 in html


def test_hostile_strings_are_escaped_in_markdown(case_file):
    md = render_report(evaluate_full(hostile_case(case_file)), "ncr", "markdown", "zh")
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "\\*bold\\*" in md and "\\| pipe" in md and "{{ 7\\*7 }}" in md


def test_markdown_escape():
    assert markdown_escape("a|b *c* <d> [e](f)\nnext") == "a\\|b \\*c\\* &lt;d&gt; \\[e\\](f) next"


def test_templates_refuse_undefined_variables():
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ nothing_here }}").render()


def test_report_command_writes_named_files_into_out(tmp_path):
    result = run_cli(
        "report",
        HZ,
        EXAMPLES / "nj-surveillance-overdue.yaml",
        "--kind",
        "summary",
        "--format",
        "markdown",
        "--lang",
        "en",
        "--out",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "HZ-2026-0301.summary.en.md",
        "NJ-2024-0311.summary.en.md",
    ]
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_report_default_out_is_the_current_directory(tmp_path):
    assert run_cli("report", HZ, "--kind", "ncr", cwd=tmp_path).returncode == 0
    assert (tmp_path / "HZ-2026-0301.ncr.zh.html").is_file()


def test_report_of_a_bad_case_writes_nothing(case_file, tmp_path):
    out = tmp_path / "out"
    result = run_cli("report", case_file("case_id: X\nstage: nope\n"), "--kind", "ncr", "--out", out)
    assert result.returncode == 2 and TRACEBACK not in result.stderr
    assert not out.exists()


def test_evaluate_prints_the_summary_as_html_or_markdown():
    html = run_cli("evaluate", HZ, "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "评价结果汇总" in html
    md = run_cli("evaluate", HZ, "--format", "markdown", "--lang", "en").stdout
    assert md.startswith("# Evaluation summary")


def test_pdf_without_the_extra_says_how_to_get_it(monkeypatch, tmp_path):
    import cli

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    result = CliRunner().invoke(
        cli.main, ["report", str(HZ), "--kind", "ncr", "--format", "pdf", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "pip install 'certeval[pdf]'" in result.output
    assert not list(tmp_path.iterdir())


def test_pdf_with_the_extra_is_reproducible(tmp_path):
    pytest.importorskip("weasyprint")
    for out in ("a", "b"):
        assert (
            run_cli("report", HZ, "--kind", "ncr", "--format", "pdf", "--out", tmp_path / out).returncode == 0
        )
    first = (tmp_path / "a" / "HZ-2026-0301.ncr.zh.pdf").read_bytes()
    assert first.startswith(b"%PDF") and first == (tmp_path / "b" / "HZ-2026-0301.ncr.zh.pdf").read_bytes()


# ------------------------------------------------------------------------------ in Chromium
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CERTEVAL_REQUIRE_CHROMIUM") != "1",
    reason="no headless Chromium (Debian: chromium fonts-noto-cjk); CI sets CERTEVAL_REQUIRE_CHROMIUM=1",
)


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "CERTEVAL_REQUIRE_CHROMIUM=1 but no chromium on PATH"
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_chromium
@pytest.mark.parametrize("kind", ["ncr", "car", "summary"])
def test_reports_render_in_chromium(kind, tmp_path):
    from PIL import Image

    assert run_cli("report", HZ, "--kind", kind, "--lang", "both", "--out", tmp_path).returncode == 0
    page = tmp_path / f"HZ-2026-0301.{kind}.both.html"
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri(), profile=tmp_path / "p1")
    image = Image.open(shot).convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:128])  # pixels of text, rules and bars
    assert dark > 0.005 * image.width * image.height, "the screenshot is (nearly) blank"
    dom = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "p2").stdout
    assert "杭州西溪净水设备有限公司" in dom
    assert "未进行现场服务后培训讲解" in dom or (kind == "summary" and "SCORE-INDICATOR-WEAK" in dom)


def test_score_bar_labels_cut_scores_to_two_decimals_like_the_result():
    chart = score_bars(
        [
            (Text("甲", "A"), Fraction(2, 3), Fraction(1)),
            (Text("乙", "B"), Fraction(19999, 200), Fraction(100)),
        ]
    )
    assert chart.bars[0].text.startswith("0.66/1 ")
    assert chart.bars[1].text.startswith("99.99/100 ")
