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
}


# Control characters (ESC starts terminal escape sequences) and bidi controls (U+202E reverses
# the rest of the line) from case text must not act on the terminal: they are shown as \uXXXX.
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every control and bidi character (except tab and LF) written as an escape."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _w(key: str, lang: str) -> str:
    return WORDS[key].get(lang)


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
        label = pack.grade_label(result["grade"])
        grade = label.get(lang) if label else _w("no_grade", lang)
        categories = " · ".join(
            f"{pack.categories[k].label.get(lang)} {v['awarded']}/{v['available']}"
            for k, v in score["by_category"].items()
        )
        lines.append(f"{_w('score', lang)}{s}{score['total']} → {grade} ({categories})")
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
