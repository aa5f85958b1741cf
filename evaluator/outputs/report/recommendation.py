"""The recommendation a document states (SPEC 7.2): the result's `decision` when it has one,
else the same outcome worked out here from the findings of Part I, so that every stage states
one (an initial evaluation: "建议批准三星级认证" or why not)."""

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
_STATUS_OUTCOME = {"expired": "expire", "withdrawn": "withdraw", "suspended": "suspend"}
_BLOCKING_RULES = ("EXCL-UNJUSTIFIED", "TEAM-QUALIFICATION", "TEAM-CONSULTANCY")
_REFUSE_RULES = ("SCORE-BELOW-PASS", "SCORE-SPECIAL-DEDUCTIONS")


def recommended(result: dict[str, Any]) -> dict[str, Any]:
    """`decision.recommended` of the result, or the local reading of §7.2 without it."""
    decision = result.get("decision")
    if isinstance(decision, dict) and isinstance(decision.get("recommended"), dict):
        return dict(decision["recommended"])
    return _local(result)


def recorded(result: dict[str, Any]) -> dict[str, Any] | None:
    decision = result.get("decision")
    value = decision.get("recorded") if isinstance(decision, dict) else None
    return dict(value) if isinstance(value, dict) else None


def _local(result: dict[str, Any]) -> dict[str, Any]:
    findings = result["findings"]
    fired = {f["rule"] for f in findings}
    stage = result["stage"]
    blocked_by = [*_items_blocking(findings), *sorted(fired & set(_BLOCKING_RULES))]
    grade = None
    if stage == "application":
        elig = sorted(r for r in fired if r.startswith("ELIG-"))
        others = sorted(
            {
                f["rule"]
                for f in findings
                if f["audience"] == "applicant"
                and f["severity"] in ("major", "minor")
                and f["rule"] not in elig
            }
        )
        outcome, reasons = (
            ("reject_application", elig)
            if elig
            else ("return_application", others)
            if others
            else ("accept_application", [])
        )
        blocked_by = []
    elif stage in ("initial", "recertification"):
        refusals = sorted(r for r in fired if r.startswith("ELIG-") or r in _REFUSE_RULES)
        if result["eligible"] is False:
            outcome, reasons = "refuse", refusals
        elif result["score"] is None:
            outcome, reasons = "pending", []
        elif result["grade"] is None:
            outcome, reasons = "refuse", refusals
        elif blocked_by:
            outcome, reasons = "pending", []
        else:
            outcome, reasons = ("grant" if stage == "initial" else "renew"), []
            grade = result["grade"]
    else:
        cert = result.get("certificate") or {}
        status = cert.get("recommended_status")
        blocked_by = list(_items_blocking(findings))
        if status in _STATUS_OUTCOME:
            outcome, reasons = _STATUS_OUTCOME[status], list(cert.get("reasons") or [])
        elif "CERT-RESTORE" in fired:
            outcome, reasons = "restore", list(cert.get("reasons") or [])
        elif "CERT-GRADE-MISMATCH" in fired:
            outcome, reasons = "grade_change", ["CERT-GRADE-MISMATCH"]
            grade = result["grade"]
        elif "CHG-CERT-REISSUE" in fired:
            outcome, reasons = "reissue", ["CHG-CERT-REISSUE"]
        else:
            outcome, reasons = "maintain", []
    return {"outcome": outcome, "grade": grade, "reasons": reasons, "blocked_by": blocked_by}


def _items_blocking(findings: list[dict[str, Any]]) -> list[str]:
    """Without the lifecycle every recorded item is open, so each major or minor one blocks; its
    default id (NC-<n> / SD-<n>) stands for it."""
    items = set()
    for f in findings:
        subject = f.get("subject") or ""
        if f["rule"] in ("AUDIT-NC", "SCORE-SPECIAL-DEDUCTION") and f["severity"] in ("major", "minor"):
            prefix = "NC" if "nonconformities" in subject else "SD"
            items.add((prefix != "NC", int(subject.rsplit("[", 1)[1].rstrip("]")) + 1, prefix))
    return [f"{prefix}-{n}" for _, n, prefix in sorted(items)]
