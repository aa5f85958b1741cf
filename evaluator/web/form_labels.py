"""The words of the reply, verification and decision forms, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..base.i18n import Text
from ..base.limits import MAX_EVIDENCE_FILE_BYTES

FORM_LABELS: dict[str, Text] = {
    "reply": Text("记录整改回复", "Record a reply"),
    "verification": Text("记录验证", "Record a verification"),
    "decision": Text("记录认证决定", "Record the decision"),
    "received_on": Text("收到日期", "Received on"),
    "root_cause": Text("原因分析", "Root cause"),
    "correction": Text("纠正", "Correction"),
    "corrective_action": Text("纠正措施", "Corrective action"),
    "evidence_files": Text("证据文件", "Evidence files"),
    "evidence_hint": Text(
        f"PDF、PNG、JPEG 或 Office 文档，每个不超过 {MAX_EVIDENCE_FILE_BYTES // (1024 * 1024)} MB",
        f"PDF, PNG, JPEG or Office documents, at most {MAX_EVIDENCE_FILE_BYTES // (1024 * 1024)} MB each",
    ),
    "evidence_text": Text("其他证据（每行一项）", "Other evidence (one per line)"),
    "date": Text("日期", "Date"),
    "result": Text("结论", "Result"),
    "accepted": Text("接受", "accepted"),
    "rejected": Text("不接受", "rejected"),
    "method": Text("方式", "Method"),
    "document": Text("文件审核", "document review"),
    "on_site": Text("现场验证", "on site"),
    "note": Text("说明", "Note"),
    "outcome": Text("决定", "Outcome"),
    "grade": Text("等级", "Grade"),
    "no_grade": Text("（无）", "(none)"),
    "choose": Text("（请选择）", "(choose)"),
    "justification": Text("理由", "Justification"),
    "justification_hint": Text(
        "决定或等级与建议不同时必须说明理由",
        "Required when the outcome or grade differs from the recommendation",
    ),
    "override_unjustified": Text(
        "决定或等级与建议不同：请说明理由",
        "The outcome or grade differs from the recommendation: give a justification",
    ),
    "as_of": Text("评价日期（留空：服务器当日）", "Evaluate as of (blank: the server's date)"),
    "save": Text("保存（新增案例版本）", "Save (adds a case version)"),
    "back": Text("返回案例", "Back to the case"),
    "responses": Text("整改回复", "Replies"),
    "verifications": Text("验证", "Verifications"),
    "none_yet": Text("尚无", "None yet"),
    "problems": Text("未保存：请更正以下问题", "Not saved: correct what follows"),
    "refused": Text("认证决定被拒绝", "Decision refused"),
    "impartiality": Text(
        "您（{name}）是本案例评价组成员{listed}，不能作出认证决定（ISO/IEC 17065 7.6.2）。未记录任何内容。",
        "You ({name}) are on this case's evaluation team{listed} and may not make its decision"
        " (ISO/IEC 17065 7.6.2). Nothing was recorded.",
    ),
    "listed_as": Text("（名单中写作“{member}”）", " (listed as {member})"),
    "on_team_warning": Text(
        "您是本案例评价组成员：您作出的认证决定将被拒绝。",
        "You are on this case's evaluation team: a decision by you will be refused.",
    ),
    "conflict": Text("案例已有更新的版本", "The case has a newer version"),
    "conflict_detail": Text(
        "您打开表单时案例为版本 {base}，现在已是版本 {latest}：未保存任何内容。请重新打开案例并再次提交。",
        "The case was at version {base} when you opened the form and is now at version {latest}:"
        " nothing was saved. Reopen the case and submit again.",
    ),
    "no_item": Text("没有此不符合项", "No such nonconformity"),
    "observation": Text(
        "观察项没有整改回复或验证（SPEC 6.1）",
        "An observation carries no replies or verifications (SPEC 6.1)",
    ),
    "not_a_date": Text("不是日期（YYYY-MM-DD）", "not a date (YYYY-MM-DD)"),
    "too_many_files": Text("一次最多 {n} 个文件", "at most {n} files at once"),
    "recommended": Text("建议", "Recommended"),
}


def form_text(lang: str) -> Callable[..., str]:
    """`ft(key, **values)` for the templates and the routes."""

    def get(key: str, **values: Any) -> str:
        text = FORM_LABELS[key].get(lang)
        return text.format(**values) if values else text

    return get
