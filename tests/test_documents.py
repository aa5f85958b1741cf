"""Documents for the client, the applicant and the decision-maker (SPEC 8.1, 8.3; issue 14)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, TRACEBACK, base_text, run_cli

from evaluator.api import evaluate_full
from evaluator.base.errors import CaseError
from evaluator.body.profile import load_profile
from evaluator.outputs.report import ReportNotApplicable, kind_problem, render_report
from evaluator.outputs.report.context import case_view_of, report_context
from evaluator.outputs.report.environment import environment
from evaluator.packs import load_pack
from evaluator.packs.loader import builtin_root


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "gbt27922-2011"
    shutil.copytree(builtin_root() / "gbt27922-2011", target)
    return target


PROFILE = REPO / "profiles" / "example" / "body.yaml"
CLIENT_KINDS = ("ncr", "car", "review", "certificate")
ENGINE_NAMES = re.compile(r"\b(durable|python)\b")
FIELD_PATH = re.compile(r"\b(evaluation|certificate|organization|changes|application)\.[a-z_]+")


def _rule_ids() -> set[str]:
    return {r.id for pack in ("gbt27922-2011", "gbt27922-1000") for r in load_pack(pack).rules}


def _visible(html: str) -> str:
    """The text a reader sees: no tags, no style sheet."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _squash(html: str) -> str:
    return re.sub(r"</?bdi>", "", html)


def _fitting(evaluation, kind: str, draft: bool = False):
    if kind_problem(evaluation, kind):
        return None
    try:
        return render_report(evaluation, kind, "html", "both", body=load_profile(PROFILE), draft=draft)
    except ReportNotApplicable:
        return None


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_client_documents_carry_the_body_identity_and_no_internal_identifiers(example):
    evaluation = evaluate_full(EXAMPLES / example)
    rendered = 0
    for kind in CLIENT_KINDS:
        html = _fitting(evaluation, kind, draft=kind == "certificate")
        if html is None:
            continue
        rendered += 1
        text = _visible(html)
        assert "示例认证有限公司" in text and "CNCA-R-2099-099" in text, kind
        assert evaluation.case.organization.name in text
        if kind != "certificate":
            for label in ("报告编号", "签发日期", "评价类型", "评价日期", "评价场所", "评价组", "地址"):
                assert label in text, (kind, label)
        leaked = sorted(i for i in _rule_ids() if re.search(rf"\b{re.escape(i)}\b", text))
        assert not leaked, (kind, leaked)
        assert not FIELD_PATH.search(text), (kind, FIELD_PATH.search(text))
        assert evaluation.pack.id not in text and not ENGINE_NAMES.search(text), kind
    assert rendered or example.startswith(("cq", "nj")), (
        "every example but the quiet surveillances fits a client kind"
    )


def test_without_a_profile_documents_say_no_body_is_configured():
    html = render_report(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"), "ncr", "html", "zh")
    assert "未配置认证机构信息" in html and "示例认证" not in html


def test_nc_numbers_are_report_number_and_item_id_other_findings_F_n():
    evaluation = evaluate_full(EXAMPLES / "hz-initial-three-star.yaml")
    ncr = render_report(evaluation, "ncr", "html", "en", body=load_profile(PROFILE))
    assert "EXCB-2026-HZ-2026-0301-NC-1" in ncr and "EXCB-2026-HZ-2026-0301-SD-1" in ncr
    wh = evaluate_full(EXAMPLES / "wh-change-unnotified.yaml")
    assert re.search(r"WH-2025-0716-F1\b", render_report(wh, "car", "html", "en"))


@pytest.mark.parametrize(
    ("example", "kind", "reason"),
    [
        ("nj-surveillance-overdue.yaml", "review", "needs an application section"),
        ("xm-application-eligible.yaml", "ncr", "needs an evaluation or a finding"),
        ("hz-initial-three-star.yaml", "certificate", "no decision is recorded"),
    ],
)
def test_a_kind_that_does_not_fit_the_case_exits_2_with_the_reason(example, kind, reason, tmp_path):
    result = run_cli("report", EXAMPLES / example, "--kind", kind, "--out", tmp_path)
    assert result.returncode == 2 and reason in result.stderr and TRACEBACK not in result.stderr
    assert not list(tmp_path.iterdir())


def test_draft_certificate_from_the_recommendation_carries_a_watermark(tmp_path):
    result = run_cli(
        "report",
        EXAMPLES / "tj-initial-1000.yaml",
        "--kind",
        "certificate",
        "--draft",
        "--out",
        tmp_path,
        "--body",
        PROFILE,
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "TJ-2026-0188.certificate.zh.html").read_text(encoding="utf-8")
    assert 'class="watermark"' in html and "草稿" in html and "编号待分配" in html
    assert "2029-11-22" in html  # as_of 2026-11-23 + 36 months - 1 day
    assert "本证书在有效期内须接受认证机构的监督评价" in html


def test_review_notice_states_the_recommendation_and_what_to_supplement_by_when():
    evaluation = evaluate_full(EXAMPLES / "sz-application-missing-documents.yaml")
    html = render_report(evaluation, "review", "html", "zh")
    assert "建议退回补充资料" in html and "补充期限" in html
    assert re.search(r"SZ-2026-0517-F1\b", html)
    zz = render_report(evaluate_full(EXAMPLES / "zz-application-ineligible.yaml"), "review", "html", "en")
    assert "Recommended: reject the application" in zz


def test_summary_states_the_recommendation_and_the_indicator_table():
    summary = render_report(evaluate_full(EXAMPLES / "tj-initial-1000.yaml"), "summary", "html", "zh")
    assert "建议批准三星级认证" in summary
    assert summary.count("<tr", summary.index('class="indicators"')) >= 16  # header + 15 indicators
    hz = render_report(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"), "summary", "html", "en")
    assert "Recommended: decision pending" in hz and "NC-1, SD-1, EXCL-UNJUSTIFIED" in _squash(hz)
    assert "excluded" in hz.split('class="indicators"')[1]


# ---------------------------------------------------------- Part II blocks, from plain data
def _lifecycle(evaluation):
    """The case and result as SPEC §6.1/§6.4/§7.1/§7.2 shape them (another branch adds them)."""
    view = case_view_of(evaluation)
    nc = view["evaluation"]["nonconformities"][0]
    nc.update(
        id="NC-7",
        site="西湖服务网点",
        responses=[
            {
                "received_on": "2026-12-01",
                "root_cause": "培训计划遗漏<b>",
                "correction": "补充讲解",
                "corrective_action": "修订培训程序",
                "evidence": ["培训签到表.pdf"],
            }
        ],
        verifications=[
            {
                "date": "2026-12-10",
                "by": "李四",
                "result": "accepted",
                "method": "on_site",
                "note": "证据充分",
            }
        ],
    )
    view["evaluation"].update(
        start="2026-11-10",
        team=[{"name": "赵六", "role": "member"}, {"name": "李四\u202e", "role": "leader"}],
        sites=[
            {"name": "总部", "kind": "head_office", "address": "杭州市西湖区1号"},
            {"name": "西湖服务网点", "kind": "outlet"},
        ],
    )
    view["organization"]["address"] = "杭州市西湖区文三路<script>"
    view["certificate"] = {
        "number": "EXCB-SC-2026-0001",
        "grade": "three_star",
        "scope": {"zh": "净水器的售后服务", "en": "After-sales service for water purifiers"},
    }
    result = dict(evaluation.result)
    result["nonconformities"] = [
        {
            "id": "NC-7",
            "subject": "evaluation.nonconformities[0]",
            "severity": "minor",
            "indicator": "technical_support",
            "state": "closed",
            "respond_by": "2027-02-10",
            "responded_on": "2026-12-01",
            "verify_by": None,
            "verified_on": "2026-12-10",
            "verified_by": "李四",
            "overdue": False,
        },
    ]
    result["decision"] = {
        "recommended": {"outcome": "grant", "grade": "three_star", "reasons": [], "blocked_by": []},
        "recorded": {
            "date": "2026-12-20",
            "by": "王五",
            "outcome": "grant",
            "grade": "three_star",
            "justification": None,
        },
    }
    return dataclasses.replace(evaluation, result=result), view


def _render(evaluation, view, kind, lang="zh", body=None):
    from evaluator.base.version import certeval_version

    context = report_context(evaluation, kind, lang, None, certeval_version(), body, case_view=view)
    return environment().get_template(f"{kind}.html.j2").render(context)


def test_ncr_and_car_print_state_response_verification_team_and_sites_when_present():
    evaluation, view = _lifecycle(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"))
    ncr = _render(evaluation, view, "ncr")
    assert "HZ-2026-0301-NC-7" in ncr and "已关闭" in ncr and "西湖服务网点" in ncr
    assert "修订培训程序" in ncr and "培训签到表.pdf" in ncr and "现场验证" in ncr and "证据充分" in ncr
    assert "2026-11-10 – 2026-11-12" in ncr
    team = ncr.split("评价组")[1]
    assert team.index("李四") < team.index("赵六")  # leader first
    assert "<bdi>李四\u202e</bdi>" in ncr  # isolated against the override
    assert "&lt;script&gt;" in ncr and "<script>" not in ncr and "&lt;b&gt;" in ncr
    car = _render(evaluation, view, "car", "en")
    assert "修订培训程序" in car and "Accepted" in car
    assert car.count("to be filled in by the organisation") == 3  # only the deduction is still open


def test_summary_shows_the_nc_table_and_decision_sheet_shows_the_recorded_decision():
    evaluation, view = _lifecycle(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"))
    summary = _render(evaluation, view, "summary")
    assert "不符合项处理状态" in summary and "2026-12-10 · 李四" in _squash(summary)
    assert "建议批准三星级认证" in summary
    decision = _render(evaluation, view, "decision")
    assert "王五" in decision and "已记录的认证决定" in decision and "认证决定人（签字）" in decision


def test_certificate_from_a_recorded_grant():
    evaluation, view = _lifecycle(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"))
    cert = _render(evaluation, view, "certificate", "both", load_profile(PROFILE))
    assert "EXCB-SC-2026-0001" in cert and "净水器的售后服务" in cert and "★★★" in cert
    assert "2026-12-20" in cert and "2029-12-19" in cert and "watermark" not in cert.split("</style>")[1]


def test_sensitivity_block_reads_score_if_exclusions_rejected():
    evaluation = evaluate_full(EXAMPLES / "hz-initial-three-star.yaml")
    result = dict(evaluation.result)
    result["score"] = {**result["score"], "if_exclusions_rejected": {"total": 79.31, "grade": "compliant"}}
    html = _render(dataclasses.replace(evaluation, result=result), case_view_of(evaluation), "summary")
    assert "得分敏感性" in html and "79.31" in html and "达标级" in html


def test_a_nonconformity_without_evidence_or_requirement_shows_no_field_names(case_file):
    text = base_text("initial") + (
        "  nonconformities:\n"
        "    - {indicator: complaint_handling, severity: minor, statement: 投诉未在时限内处理}\n"
    )
    evaluation = evaluate_full(case_file(text))
    for kind in ("ncr", "car"):
        for fmt in ("html", "markdown"):
            out = render_report(evaluation, kind, fmt, "both")
            for raw in ("indicator：", "statement：", "evidence：", "indicator: complaint", "statement:"):
                assert raw not in out, (kind, fmt, raw)
    ncr = render_report(evaluation, "ncr", "html", "zh")
    assert "组织的售后服务应符合评价指标的要求" in ncr  # the rule's requirement in words


# ------------------------------------------------------------------------------ body profile
@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (lambda t: t + "colour: blue\n", 12, "unknown key"),
        (lambda t: t.replace("logo: logo.png", "logo: missing.png"), 8, "no file 'missing.png'"),
        (
            lambda t: t.replace('report: "{body}-{year}-{case_id}"', 'report: "{body}-{month}"'),
            10,
            "unknown field {month}",
        ),
        (lambda t: t.replace("logo: logo.png", "logo: ../../README.md"), 8, "outside the profile"),
    ],
)
def test_a_bad_profile_is_bad_input_with_file_and_line(tmp_path, edit, line, message):
    folder = tmp_path / "body"
    shutil.copytree(PROFILE.parent, folder)
    path = folder / "body.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CaseError) as e:
        load_profile(path)
    assert any(p.line == line and message in p.message for p in e.value.problems), e.value.problems
    result = run_cli(
        "report", EXAMPLES / "hz-initial-three-star.yaml", "--kind", "ncr", "--body", path, "--out", tmp_path
    )
    assert result.returncode == 2 and f"{path}:{line}:" in result.stderr and TRACEBACK not in result.stderr


def test_profile_from_the_environment_and_its_logo_embedded(tmp_path):
    result = run_cli(
        "report",
        EXAMPLES / "hz-initial-three-star.yaml",
        "--kind",
        "ncr",
        "--out",
        tmp_path,
        env={"CERTEVAL_BODY": str(PROFILE)},
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "HZ-2026-0301.ncr.zh.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in html and "logo.png" not in html
    assert "EXCB-2026-HZ-2026-0301" in html


def test_hostile_profile_strings_are_escaped(tmp_path):
    folder = tmp_path / "body"
    shutil.copytree(PROFILE.parent, folder)
    path = folder / "body.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "approval: CNCA-R-2099-099", "approval: '<script>x</script>\u202e'"
    )
    path.write_text(text, encoding="utf-8")
    html = render_report(
        evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"), "car", "html", "both", body=load_profile(path)
    )
    assert (
        "<script>x" not in html
        and "&lt;script&gt;x" in html
        and "<bdi>&lt;script&gt;x&lt;/script&gt;\u202e</bdi>" in html
    )


# ------------------------------------------------------------------------------------ layout
def test_car_columns_the_organisation_writes_in_take_at_least_30_percent():
    css = (REPO / "templates" / "report.css").read_text(encoding="utf-8")
    widths = {m[0]: float(m[1]) for m in re.findall(r"table\.car col\.(\w+) \{ width: ([\d.]+)%", css)}
    car = (REPO / "templates" / "car.html.j2").read_text(encoding="utf-8")
    cols = re.findall(r'<col class="(\w+)">', car)
    assert sum(widths[c] for c in cols) == pytest.approx(100)
    assert sum(widths[c] for c in cols if c == "fill") >= 30


def test_both_languages_side_by_side_only_on_a_wide_screen():
    css = (REPO / "templates" / "report.css").read_text(encoding="utf-8")
    wide = css.split("@media screen and (min-width: 1000px)")[1].split("}\n}")[0]
    assert "grid-template-columns: 1fr 1fr" in wide
    assert ".bi { display: block; }" in css.split("@media print")[1]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
@pytest.mark.parametrize("example", ["hz-initial-three-star.yaml", "wh-change-unnotified.yaml"])
def test_pdf_signatures_stay_on_the_page_of_the_last_row(example, tmp_path):
    pytest.importorskip("weasyprint")
    evaluation = evaluate_full(EXAMPLES / example)
    for kind in ("car", "ncr"):
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(render_report(evaluation, kind, "pdf", "en", body=load_profile(PROFILE)))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        signed = [n for n, page in enumerate(pages) if "Organisation representative" in page]
        if kind == "car":  # the signatures share the page of the table's last row (its due date)
            last_due = re.findall(
                r"\d{4}-\d{2}-\d{2}", text.split("Verification")[-1].split("Opportunities")[0]
            )
            assert signed == [len(pages) - 1] and last_due and last_due[-1] in pages[-1], kind
        else:  # each nonconformity's signatures on the page of its last row
            with_due = [n for n, page in enumerate(pages) if "Respond by" in page]
            assert with_due and signed == with_due, kind


def test_both_languages_label_the_charts():
    html = render_report(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"), "summary", "html", "both")
    chart = html.split('<svg class="chart"')[1]
    assert "售后服务体系" in chart and "After-sales service system" in chart


def test_results_carry_the_citation_and_its_reference():
    result = json.loads(
        run_cli("evaluate", EXAMPLES / "wh-change-unnotified.yaml", "--format", "json").stdout
    )
    finding = next(f for f in result["findings"] if f["rule"] == "CHG-UNNOTIFIED")
    assert finding["clause_ref"] == {"source": "cb-rules", "ref": "变更"}
    assert finding["clause"] == "《商品售后服务认证实施规则》 变更"


# ------------------------------------------------------------------------- sources (SPEC 8.2)
SEED = re.compile(r"(?<![\w.-])(?:00[0-4])(?![\w.-])|\bseed\b", re.I)


def test_no_citation_requirement_or_parameter_source_refers_to_a_seed_page():
    for pack_id in ("gbt27922-2011", "gbt27922-1000"):
        pack = load_pack(pack_id)
        texts = [p.source for p in pack.parameters.values()] + [t.source for t in pack.tables.values()]
        for rule in pack.rules:
            assert rule.clause_ref is not None and rule.requirement is not None, rule.id
            texts += [rule.clause, rule.citation.en, rule.requirement.zh, rule.requirement.en]
        assert not [t for t in texts if SEED.search(t)], pack_id
    for page in (REPO / "docs" / "rules").glob("*.md"):
        assert not SEED.search(page.read_text(encoding="utf-8")), page
    for example in EXAMPLES.glob("*.yaml"):
        evaluation = evaluate_full(example)
        assert not [f["clause"] for f in evaluation.result["findings"] if SEED.search(f["clause"])]


def test_lint_fails_on_a_rule_without_requirement_or_with_an_unknown_source(pack_copy):
    rules = pack_copy / "rules" / "changes.yaml"
    text = rules.read_text(encoding="utf-8")
    first = text.index("    requirement:")
    end = text.index("\n    severity:", first)
    rules.write_text(text[:first] + text[end + 1 :], encoding="utf-8")
    result = run_cli("rules", "lint", "--pack", pack_copy)
    assert result.returncode == 3 and "CHG-NOTIFY: no requirement" in result.stdout
    text = rules.read_text(encoding="utf-8").replace(
        '{source: cb-rules, ref: "变更"}', "{source: cb-ruels, ref: x}", 1
    )
    rules.write_text(text, encoding="utf-8")
    result = run_cli("rules", "lint", "--pack", pack_copy)
    assert result.returncode == 3 and "unknown source 'cb-ruels'" in result.stdout + result.stderr


def test_rules_diff_sees_a_changed_action_due(pack_copy):
    pack_yaml = pack_copy / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    pack_yaml.write_text(
        text.replace("  minor_days:\n    value: 90", "  minor_days:\n    value: 60"), encoding="utf-8"
    )
    result = run_cli(
        "rules", "diff", "--old", "gbt27922-2011", "--new", pack_copy, EXAMPLES / "hz-initial-three-star.yaml"
    )
    assert "1 of 1 case(s) changed" in result.stdout
    assert "AUDIT-NC evaluation.nonconformities[0]: action.due: 2027-02-10 → 2027-01-11" in result.stdout


def test_surveillance_failed_names_its_own_date_and_spares_a_suspended_certificate(case_file):
    text = base_text("surveillance").replace("result: pass", "result: fail")
    result = json.loads(run_cli("evaluate", case_file(text), "--format", "json").stdout)
    finding = next(f for f in result["findings"] if f["rule"] == "SURV-FAILED")
    date = finding["facts"]["latest_surveillance_date"]
    assert f"（{date}）结论为不通过" in finding["message"]["zh"] and "前）" not in finding["message"]["zh"]
    assert "已暂停的，应维持暂停" in finding["action"]["zh"]


def test_a_date_written_with_slashes_says_how_dates_are_written(case_file):
    text = base_text("initial").replace("  date: 2026-08-27", "  date: 2026/10/22", 1)
    result = run_cli("evaluate", case_file(text))
    assert result.returncode == 2 and "dates are written YYYY-MM-DD" in result.stderr


def test_the_readme_console_blocks_are_real_output():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    checked = 0
    for block in re.findall(r"```console\n(.*?)```", readme, flags=re.S):
        for command, output in re.findall(r"^\$ (certeval [^\n]+)\n((?:(?!\$ ).*\n)*)", block, flags=re.M):
            if "…" in output:  # an abridged JSON sample
                continue
            args = command.split()[1:]
            result = run_cli(*args, cwd=REPO)
            assert result.stdout == output, command
            checked += 1
    assert checked >= 2


def test_the_readme_stands_alone():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        if not link.startswith("http"):
            assert (REPO / link).exists(), link
