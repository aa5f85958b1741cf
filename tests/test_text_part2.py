"""`evaluate --format text` shows NC table, recommendation and sensitivity (SPEC 6.4, 7.2, 7.4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import EXAMPLES, run_cli

from evaluator import evaluate, load_pack
from evaluator.outputs.text import render_text

PART2 = Path(__file__).resolve().parents[3] / "shared/conformance/part2/cases"
needs_part2 = pytest.mark.skipif(not PART2.is_dir(), reason="the shared Part II cases are absent")


def text(path: Path, lang: str) -> str:
    return run_cli("evaluate", path, "--format", "text", "--lang", lang).stdout


def test_hz_shows_the_nc_table_what_blocks_and_the_sensitivity():
    zh = text(EXAMPLES / "hz-initial-three-star.yaml", "zh")
    assert "若删减不被接受：79.31 → 达标级\n" in zh
    row = "  {} · 一般 · 待回复 · 回复期限 2027-02-10\n"
    table = "不符合项：\n" + row.format("NC-1") + row.format("SD-1")
    assert table in zh
    assert "待定：NC-1、SD-1 未关闭；EXCL-UNJUSTIFIED 未解决\n" in zh
    en = text(EXAMPLES / "hz-initial-three-star.yaml", "en")
    assert "If the exclusions are not accepted: 79.31 → Compliant\n" in en
    assert "Pending: NC-1, SD-1 not closed; EXCL-UNJUSTIFIED unresolved\n" in en


def test_no_sensitivity_and_no_nc_table_where_there_is_none():
    en = text(EXAMPLES / "tj-initial-1000.yaml", "en")
    assert "If the exclusions" not in en and "Nonconformities" not in en
    assert "Recommendation: grant three-star\n" in en


@needs_part2
def test_pending_on_an_open_major():
    case = PART2 / "01-initial-open-major-pending.yaml"
    assert "待定：NC-1 未关闭\n" in text(case, "zh")
    assert "  NC-1 · Major · Open · respond by 2027-04-09\nPending: NC-1 not closed\n" in text(case, "en")


@needs_part2
def test_overdue_and_verify_by_columns_and_a_recommendation_with_its_blocker():
    en = text(PART2 / "04-surveillance-reply-overdue-suspend.yaml", "en")
    assert "  NC-1 · Major · Open · respond by 2027-03-26 · overdue\n" in en
    assert "· Responded, awaiting verification · respond by 2027-05-25 · verify by 2027-04-19\n" in en
    assert "Recommendation: suspend the certificate (NC-RESPONSE-OVERDUE); NC-1 not closed\n" in en
    assert "建议：暂停证书（NC-RESPONSE-OVERDUE）；NC-1 未关闭\n" in text(
        PART2 / "04-surveillance-reply-overdue-suspend.yaml", "zh"
    )


@needs_part2
def test_verified_on_and_the_recorded_decision():
    zh = text(PART2 / "02-initial-minor-responded-major-closed-grant.yaml", "zh")
    assert "  NC-1 · 严重 · 已关闭 · 回复期限 2027-05-26 · 验证于 2027-05-14\n" in zh
    assert "建议：批准四星级认证\n" in zh
    override = PART2 / "06-surveillance-grade-change-justified-override.yaml"
    assert "建议：变更级别为四星级（CERT-GRADE-MISMATCH）\n已记录决定：2027-07-05 罗明 · 保持认证\n" in text(
        override, "zh"
    )
    assert "Decision recorded: 2027-07-05 罗明 · maintain the certificate\n" in text(override, "en")


@pytest.mark.parametrize(
    "name, line",
    [
        ("xm-application-eligible.yaml", "Recommendation: accept the application\n"),
        ("sz-application-missing-documents.yaml", "Recommendation: return the application for completion"),
        ("cq-surveillance-extended.yaml", "Recommendation: maintain the certificate\n"),
        ("nj-surveillance-overdue.yaml", "Recommendation: suspend the certificate (SURV-OVERDUE)\n"),
    ],
)
def test_every_stage_states_its_recommendation(name, line):
    assert line in text(EXAMPLES / name, "en")


def test_recertification_due_reads_as_the_next_evaluation_not_an_alarm():
    pack = load_pack()
    result = evaluate(EXAMPLES / "cq-surveillance-extended.yaml")
    result["surveillance"]["state"] = "recertification_due"
    until = result["certificate"]["valid_until"]
    en = render_text(result, pack, "en")
    assert f"Surveillance: the next evaluation is the recertification, to be completed by {until};" in en
    assert f"监督：下次评价为再认证，应于 {until} 前完成；" in render_text(result, pack, "zh")
    assert "Recertification due" not in en
