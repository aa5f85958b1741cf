"""The recommendation a document states (SPEC 7.2): the result's `decision`, with the outcomes'
labels, so that every stage states one (an initial evaluation: "建议批准三星级认证" or why not)."""

from __future__ import annotations

from typing import Any

from ...base.i18n import Text

OUTCOME_LABELS = {
    "accept_application": Text("受理申请", "Accept the application"),
    "return_application": Text("退回补充资料", "Return the application for completion"),
    "reject_application": Text("不予受理", "Reject the application"),
    "grant": Text("批准认证", "Grant certification"),
    "renew": Text("换发证书（再认证）", "Renew the certificate"),
    "refuse": Text("不予认证", "Refuse certification"),
    "pending": Text("暂缓决定", "Decision pending"),
    "maintain": Text("保持认证", "Maintain the certificate"),
    "suspend": Text("暂停证书", "Suspend the certificate"),
    "restore": Text("恢复证书", "Restore the certificate"),
    "withdraw": Text("撤销证书", "Withdraw the certificate"),
    "expire": Text("注销证书（到期）", "Record the certificate as expired"),
    "grade_change": Text("变更级别", "Change the grade"),
    "reissue": Text("换发证书", "Reissue the certificate"),
}
CERTIFYING = ("grant", "renew", "grade_change", "reissue")


def recommended(result: dict[str, Any]) -> dict[str, Any]:
    """`decision.recommended` of the result (SPEC 7.2, decided in judge/recommend.py)."""
    return dict(result["decision"]["recommended"])


def recorded(result: dict[str, Any]) -> dict[str, Any] | None:
    decision = result.get("decision")
    value = decision.get("recorded") if isinstance(decision, dict) else None
    return dict(value) if isinstance(value, dict) else None
