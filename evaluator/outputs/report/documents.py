"""What the documents a client, an applicant or the decision-maker receives show (SPEC 8.3).

Everything here reads plain data: the result dict and a dict view of the case (`case_view`,
`dataclasses.asdict` of the typed case).  Keys of SPEC Part II §6–§7 (`nonconformities`,
`decision`, `evaluation.team`, `responses`, …) are read with `.get()`: they render when
present and leave their blocks blank when absent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ...base.case_model import default_item_id
from ...base.i18n import SEVERITY_LABELS, Text
from ...body.profile import BodyProfile
from ...judge.findings import Finding, format_value
from ...packs.model import Pack
from .labels import FACT_LABELS, FACT_VALUE_LABELS

ITEM_PATH = re.compile(r"^evaluation\.(nonconformities|special_deductions)\[(\d+)\]$")
ROLE_ORDER = ("leader", "member", "technical_expert", "observer")
ROLE_LABELS = {
    "leader": Text("组长", "Team leader"),
    "member": Text("组员", "Member"),
    "technical_expert": Text("技术专家", "Technical expert"),
    "observer": Text("观察员", "Observer"),
}
SITE_KIND_LABELS = {
    "head_office": Text("总部", "Head office"),
    "outlet": Text("服务网点", "Service outlet"),
    "other": Text("其他", "Other"),
}
NC_STATE_LABELS = {
    "open": Text("待回复", "Open"),
    "responded": Text("已回复，待验证", "Responded, awaiting verification"),
    "rejected": Text("回复未被接受，须重新提交", "Response rejected: resubmit"),
    "closed": Text("已关闭", "Closed"),
}
VERIFICATION_LABELS = {
    "accepted": Text("接受", "Accepted"),
    "rejected": Text("不接受", "Rejected"),
    "document": Text("文件审查", "Document review"),
    "on_site": Text("现场验证", "On site"),
}


def _text(value: Any) -> Text:
    """Case text in both languages (it is written once)."""
    shown = "—" if value is None or (isinstance(value, str) and not value.strip()) else str(value)
    return Text(shown, shown)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else (str(value) if value else None)


# ---------------------------------------------------------------------------- identity (§8.3)
def body_header(profile: BodyProfile | None) -> dict[str, Any] | None:
    if profile is None:
        return None
    return {
        "name": profile.name,
        "approval": profile.approval,
        "address": profile.address,
        "contact": [profile.contact[k] for k in ("phone", "email", "website") if k in profile.contact],
        "logo": profile.logo_data_uri,
    }


def team_rows(evaluation: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The evaluation team, leader first (then members, experts, observers; file order within)."""
    team = list((evaluation or {}).get("team") or [])
    rank = {role: n for n, role in enumerate(ROLE_ORDER)}
    ordered = sorted(enumerate(team), key=lambda p: (rank.get(str(p[1].get("role")), len(rank)), p[0]))
    return [
        {"name": str(m.get("name") or "—"), "role": ROLE_LABELS.get(str(m.get("role")), _text(m.get("role")))}
        for _, m in ordered
    ]


def site_rows(evaluation: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [
        {
            "name": str(s.get("name") or "—"),
            "kind": SITE_KIND_LABELS.get(str(s.get("kind"))),
            "address": s.get("address"),
        }
        for s in (evaluation or {}).get("sites") or []
    ]


def identity(case_view: dict[str, Any], report_number: str, type_label: Text | None) -> dict[str, Any]:
    """The labelled block every client document carries."""
    org = case_view["organization"]
    evaluation = case_view.get("evaluation")
    start = _iso((evaluation or {}).get("start"))
    end = _iso((evaluation or {}).get("date"))
    return {
        "report_number": report_number,
        "org_name": org["name"],
        "org_name_en": org.get("name_en"),
        "credit_code": org["credit_code"],
        "address": org.get("address"),
        "type_label": type_label,
        "dates": (f"{start} – {end}" if start and start != end else end) if end else None,
        "sites": site_rows(evaluation),
        "team": team_rows(evaluation),
        "issue_date": _iso(case_view["as_of"]),
    }


# ------------------------------------------------------------------------- entries (§8.3, §6.4)
@dataclass(frozen=True)
class Entry:
    """One nonconformity or other client finding as a client document shows it."""

    number: str
    severity: str
    severity_label: Text
    indicator: Text | None
    site: str | None
    clause: Text
    requirement: Text
    evidence: Text
    statement: Text
    respond_by: str | None
    action: Text | None
    state: Text | None
    overdue: bool
    responses: tuple[dict[str, Any], ...]
    verifications: tuple[dict[str, Any], ...]


def _evidence_in_words(finding: Finding) -> Text:
    """The finding's facts as labelled values; a fact without a label is left out, so no field
    name ever reaches the client (SPEC 8.3)."""

    def words(lang: str) -> str:
        parts = []
        for key in finding.facts:
            if key not in FACT_LABELS:
                continue
            value = finding.values.get(FACT_VALUE_LABELS.get(key, key), finding.values.get(key))
            colon = "：" if lang == "zh" else ": "
            parts.append(f"{FACT_LABELS[key].get(lang)}{colon}{format_value(value, lang)}")
        return ("；" if lang == "zh" else "; ").join(parts) or "—"

    return Text(words("zh"), words("en"))


def _recorded(item: dict[str, Any] | None, key: str) -> str | None:
    value = (item or {}).get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _rule_requirement(finding: Finding) -> Text:
    rule = finding.rule
    return rule.requirement if rule.requirement is not None else rule.title


def item_id(list_name: str, index: int, item: dict[str, Any] | None) -> str:
    """The item's id as recorded, else NC-<n> / SD-<n> (SPEC 6.1)."""
    given = (item or {}).get("id")
    return str(given) if given else default_item_id(list_name, index + 1)


def client_entries(
    findings: list[Finding],
    result: dict[str, Any],
    case_view: dict[str, Any],
    pack: Pack,
    report_number: str,
) -> list[Entry]:
    """One entry per §6.4 item (nonconformities, then special deductions, file order) and one per
    other client finding of severity major or minor, numbered <report>-F<n>."""
    evaluation = case_view.get("evaluation") or {}
    by_subject: dict[str, list[Finding]] = {}
    others: list[Finding] = []
    for finding in findings:
        if finding.rule.audience != "client" or finding.severity not in ("major", "minor"):
            continue
        if finding.subject and ITEM_PATH.match(finding.subject):
            by_subject.setdefault(finding.subject, []).append(finding)
        else:
            others.append(finding)
    lifecycle = {str(n.get("subject")): n for n in result.get("nonconformities") or []}
    entries: list[Entry] = []
    for list_name in ("nonconformities", "special_deductions"):
        for index, item in enumerate(evaluation.get(list_name) or []):
            subject = f"evaluation.{list_name}[{index}]"
            state = lifecycle.get(subject)
            fired = by_subject.get(subject, [])
            if not fired and state is None:
                continue
            entries.append(_item_entry(list_name, index, item, fired, state, pack, report_number))
    for n, finding in enumerate(others, start=1):
        entries.append(
            Entry(
                number=f"{report_number}-F{n}",
                severity=finding.severity,
                severity_label=SEVERITY_LABELS[finding.severity],
                indicator=None,
                site=None,
                clause=finding.rule.citation or _text(finding.rule.clause),
                requirement=_rule_requirement(finding),
                evidence=_evidence_in_words(finding),
                statement=finding.message,
                respond_by=finding.action.due.isoformat() if finding.action else None,
                action=finding.action.text if finding.action else None,
                state=None,
                overdue=False,
                responses=(),
                verifications=(),
            )
        )
    return entries


def _item_entry(
    list_name: str,
    index: int,
    item: dict[str, Any],
    fired: list[Finding],
    state: dict[str, Any] | None,
    pack: Pack,
    report_number: str,
) -> Entry:
    # the base finding (AUDIT-NC / SCORE-SPECIAL-DEDUCTION) carries the texts; NC-* findings of
    # the same item are its state, not entries of their own
    base = next((f for f in fired if f.rule.for_each in ("nonconformity", "special_deduction")), None)
    main = base or (fired[0] if fired else None)
    severity = str(
        (state or {}).get("severity") or (main.severity if main else item.get("severity") or "minor")
    )
    indicator_key = item.get("indicator")
    indicator = pack.indicators[indicator_key].label if indicator_key in pack.indicators else None
    requirement = _recorded(item, "requirement")
    evidence = _recorded(item, "evidence")
    if list_name == "nonconformities":
        statement = _text(item.get("statement"))
    else:
        statement = main.message if main else _text(item.get("item"))
    respond_by = (state or {}).get("respond_by") or (
        main.action.due.isoformat() if main and main.action else None
    )
    state_key = (state or {}).get("state")
    return Entry(
        number=f"{report_number}-{item_id(list_name, index, item)}",
        severity=severity,
        severity_label=SEVERITY_LABELS.get(severity, _text(severity)),
        indicator=indicator,
        site=_recorded(item, "site"),
        clause=(
            main.rule.citation if main and main.rule.citation else _text(main.rule.clause if main else None)
        ),
        requirement=_text(requirement) if requirement else (_rule_requirement(main) if main else _text(None)),
        evidence=_text(evidence)
        if evidence
        else (_evidence_in_words(main) if main and list_name != "nonconformities" else _text(None)),
        statement=statement,
        respond_by=str(respond_by) if respond_by else None,
        action=main.action.text if main and main.action else None,
        state=NC_STATE_LABELS.get(str(state_key)) if state_key else None,
        overdue=bool((state or {}).get("overdue")),
        responses=tuple(_response(r) for r in item.get("responses") or []),
        verifications=tuple(_verification(v) for v in item.get("verifications") or []),
    )


def _response(response: dict[str, Any]) -> dict[str, Any]:
    return {
        "received_on": _iso(response.get("received_on")),
        "root_cause": _text(response.get("root_cause")),
        "correction": _text(response.get("correction")),
        "corrective_action": _text(response.get("corrective_action")),
        "evidence": [str(e) for e in response.get("evidence") or []],
    }


def _verification(verification: dict[str, Any]) -> dict[str, Any]:
    return {
        "date": _iso(verification.get("date")),
        "by": str(verification.get("by") or "—"),
        "result": VERIFICATION_LABELS.get(str(verification.get("result")), _text(verification.get("result"))),
        "method": VERIFICATION_LABELS.get(str(verification.get("method") or "document")),
        "note": verification.get("note"),
    }
