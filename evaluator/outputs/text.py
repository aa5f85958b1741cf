"""A short human summary of one result, in Chinese, English or both."""

from __future__ import annotations

import re
from typing import Any

from ..base.i18n import (
    AUDIENCE_LABELS,
    PUNCTUATION,
    SEVERITIES,
    SEVERITY_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    SURVEILLANCE_STATE_LABELS,
    Text,
)
from ..packs.model import Pack
from .report.documents import NC_STATE_LABELS
from .report.recommendation import OUTCOME_LABELS

WORDS = {
    "eligible": Text("申请资格", "Eligibility"),
    "yes": Text("符合", "eligible"),
    "no": Text("不符合", "not eligible"),
    "score": Text("评分", "Score"),
    "no_grade": Text("不能定级", "no grade"),
    "certificate": Text("证书", "Certificate"),
    "recommend": Text("建议", "recommended"),
    "valid_until": Text("有效期至", "valid until"),
    "surveillance": Text("监督", "Surveillance"),
    "last": Text("上次评价", "last evaluation"),
    "due": Text("应完成", "due by"),
    "extended": Text("延期至", "extended to"),
    "notify": Text("待通知变更", "Changes to notify"),
    "findings": Text("发现", "Findings"),
    "none": Text("无", "none"),
    "by": Text("期限", "due"),
    "ncs": Text("不符合项", "Nonconformities"),
    "respond_by": Text("回复期限", "respond by"),
    "verify_by": Text("验证期限", "verify by"),
    "verified_on": Text("验证于", "verified on"),
    "overdue": Text("逾期", "overdue"),
    "recommendation": Text("建议", "Recommendation"),
    "pending": Text("待定", "Pending"),
    "not_closed": Text("未关闭", "not closed"),
    "unresolved": Text("未解决", "unresolved"),
    "recorded": Text("已记录决定", "Decision recorded"),
    "sensitivity": Text("若删减不被接受", "If the exclusions are not accepted"),
    "next_is_recert": Text(
        "下次评价为再认证，应于 {date} 前完成",
        "the next evaluation is the recertification, to be completed by {date}",
    ),
}
# The recommendation with its grade, where the outcome has one (SPEC 7.2).
_GRADED = {
    "grant": Text("批准{grade}认证", "grant {grade}"),
    "renew": Text("再认证换发{grade}证书", "renew at {grade}"),
    "grade_change": Text("变更级别为{grade}", "change the grade to {grade}"),
}


# Control characters (ESC starts terminal escape sequences) and bidi controls (U+202E reverses
# the rest of the line) from case text must not act on the terminal: they are shown as \uXXXX.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every control and bidi character (except tab and LF) written as an escape."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _w(key: str, lang: str) -> str:
    return WORDS[key].get(lang)


def _grade(pack: Pack, grade: str | None, lang: str) -> str:
    label = pack.grade_label(grade)
    return label.get(lang) if label else _w("no_grade", lang)


def _nonconformity_lines(result: dict[str, Any], lang: str) -> list[str]:
    """The NC table (SPEC 6.4): one line per item with its state and dues."""
    items = result.get("nonconformities") or []
    if not items:
        return []
    lines = [f"{_w('ncs', lang)}{PUNCTUATION[lang].colon.rstrip()}"]
    for nc in items:
        cells = [nc["id"], SEVERITY_LABELS[nc["severity"]].get(lang), NC_STATE_LABELS[nc["state"]].get(lang)]
        cells.append(f"{_w('respond_by', lang)} {nc['respond_by']}")
        for key in ("verify_by", "verified_on"):
            if nc[key]:
                cells.append(f"{_w(key, lang)} {nc[key]}")
        if nc["overdue"]:
            cells.append(_w("overdue", lang))
        lines.append("  " + " · ".join(cells))
    return lines


def decision_lines(result: dict[str, Any], pack: Pack, lang: str) -> list[str]:
    """The recommendation at every stage, why it waits, and the decision recorded (SPEC 7.2)."""
    decision = result.get("decision")
    if not decision:
        return []
    mark = PUNCTUATION[lang]
    rec = decision["recommended"]
    items = {nc["id"] for nc in result.get("nonconformities") or []}
    blocked = [b for b in rec["blocked_by"] if b in items]
    rules = [b for b in rec["blocked_by"] if b not in items]
    waits = [
        f"{'、' if lang == 'zh' else ', '}".join(ids) + f" {_w(word, lang)}"
        for ids, word in ((blocked, "not_closed"), (rules, "unresolved"))
        if ids
    ]
    if rec["outcome"] == "pending":
        line = f"{_w('pending', lang)}{mark.colon}{mark.semicolon.join(waits)}"
    else:
        line = f"{_w('recommendation', lang)}{mark.colon}{_outcome(pack, rec['outcome'], rec['grade'], lang)}"
        if rec["reasons"]:
            line += f"{mark.open}{', '.join(rec['reasons'])}{mark.close}"
        if waits:
            line += mark.semicolon + mark.semicolon.join(waits)
    lines = [line]
    recorded = decision.get("recorded")
    if recorded:
        who = " ".join(str(recorded[k]) for k in ("date", "by") if recorded[k])
        what = _outcome(pack, recorded["outcome"], recorded["grade"], lang)
        lines.append(f"{_w('recorded', lang)}{mark.colon}{who} · {what}")
    return lines


def _outcome(pack: Pack, outcome: str, grade: str | None, lang: str) -> str:
    label = pack.grade_label(grade)
    if label is not None and outcome in _GRADED:
        return _GRADED[outcome].get(lang).format(grade=label.get(lang).lower() if lang == "en" else label.zh)
    text = OUTCOME_LABELS[outcome].get(lang)
    return text if lang == "zh" else text[0].lower() + text[1:]


def render_text(result: dict[str, Any], pack: Pack, lang: str = "zh") -> str:
    if lang == "both":
        return render_text(result, pack, "zh") + "\n" + render_text(result, pack, "en")
    mark = PUNCTUATION[lang]
    s, semi, comma = mark.colon, mark.semicolon, mark.comma
    stage = STAGE_LABELS[result["stage"]].get(lang)
    pack_id = f"{result['pack']['id']} {result['pack']['version']}"
    lines = [f"{result['case_id']} · {stage} · {result['as_of']} · {pack_id} ({result['engine']})"]
    if result["eligible"] is not None:
        lines.append(f"{_w('eligible', lang)}{s}{_w('yes' if result['eligible'] else 'no', lang)}")
    score = result["score"]
    if score is not None:
        grade = _grade(pack, result["grade"], lang)
        categories = " · ".join(
            f"{pack.categories[k].label.get(lang)} {v['awarded']}/{v['available']}"
            for k, v in score["by_category"].items()
        )
        lines.append(f"{_w('score', lang)}{s}{score['total']} → {grade} ({categories})")
        sensitivity = score.get("if_exclusions_rejected")
        if sensitivity:
            worse = _grade(pack, sensitivity["grade"], lang)
            lines.append(f"{_w('sensitivity', lang)}{s}{sensitivity['total']} → {worse}")
    cert = result["certificate"]
    if cert is not None:
        status = STATUS_LABELS[cert["status"]].get(lang)
        recommended = STATUS_LABELS[cert["recommended_status"]].get(lang)
        reasons = f" ({', '.join(cert['reasons'])})" if cert["reasons"] else ""
        lines.append(
            f"{_w('certificate', lang)}{s}{cert['number']} {status} →"
            f" {_w('recommend', lang)} {recommended}{reasons}{semi}"
            f"{_w('valid_until', lang)} {cert['valid_until']}"
        )
    surv = result["surveillance"]
    if surv is not None:
        state = SURVEILLANCE_STATE_LABELS[surv["state"]].get(lang)
        if surv["state"] == "recertification_due" and cert is not None:
            state = _w("next_is_recert", lang).format(date=cert["valid_until"])
        extended = f"{semi}{_w('extended', lang)} {surv['extended_until']}" if surv["extended_until"] else ""
        lines.append(
            f"{_w('surveillance', lang)}{s}{state}{semi}{_w('last', lang)} {surv['last_evaluation']}{comma}"
            f"{_w('due', lang)} {surv['due_by']}{extended}"
        )
    if result["notifications_required"]:
        kinds = comma.join(
            f"{pack.change_kinds[n['kind']].label.get(lang)} {n['date']} → {n['notify_by']}"
            for n in result["notifications_required"]
        )
        lines.append(f"{_w('notify', lang)}{s}{kinds}")
    lines.extend(_nonconformity_lines(result, lang))
    lines.extend(decision_lines(result, pack, lang))
    counts = " · ".join(f"{SEVERITY_LABELS[k].get(lang)} {result['summary'][k]}" for k in SEVERITIES)
    lines.append(f"{_w('findings', lang)}{s}{counts}")
    for f in result["findings"]:
        subject = f" [{f['subject']}]" if f["subject"] else ""
        lines.append(
            f"  {SEVERITY_LABELS[f['severity']].get(lang)} {f['rule']}{subject} {f['message'][lang]}"
        )
        if f["action"]:
            who = AUDIENCE_LABELS[f["audience"]].get(lang)
            lines.append(f"      → {who}{comma}{_w('by', lang)} {f['action']['due']}{s}{f['action'][lang]}")
    return terminal_safe("\n".join(lines)) + "\n"
