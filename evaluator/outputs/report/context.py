"""What a report shows, as plain data for the templates (SPEC 1.9).

The NCR and the CAR carry only findings whose audience is the client organisation with severity
major or minor; client observations appear in the CAR as improvement opportunities.  Applicant
findings form the application-review list, body findings the decision sheet of the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...api import Evaluation
from ...base.i18n import SEVERITY_LABELS, STAGE_LABELS, STATUS_LABELS, SURVEILLANCE_STATE_LABELS, Text
from ...judge.findings import Finding, format_value
from . import charts
from .labels import AUDIENCE_SHORT, FACT_LABELS, FACT_VALUE_LABELS, LABELS

EVALUATION_TYPE_LABELS = {
    "initial": Text("初次评价", "Initial evaluation"),
    "surveillance": Text("监督评价", "Surveillance evaluation"),
    "recertification": Text("再认证评价", "Recertification evaluation"),
}
BUSINESS_TYPE_LABELS = {
    "production": Text("生产", "Production"),
    "sales": Text("销售", "Sales"),
    "service": Text("服务", "Service"),
}


@dataclass(frozen=True)
class Item:
    """One finding as a report shows it."""

    number: int
    rule: str
    title: Text
    severity: str
    severity_label: Text
    audience_label: Text
    clause: str
    subject: str | None
    statement: Text
    requirement: Text
    evidence: Text
    due: str | None
    action: Text | None


def _plain(text: str | None) -> Text:
    value = text or "—"
    return Text(value, value)


def _evidence(finding: Finding) -> Text:
    recorded = finding.values.get("evidence")
    if isinstance(recorded, str) and recorded.strip() and finding.rule.for_each == "nonconformity":
        return _plain(recorded)

    def fact(key: str, lang: str) -> str:
        label = FACT_LABELS[key].get(lang) if key in FACT_LABELS else key
        value = finding.values.get(FACT_VALUE_LABELS.get(key, key), finding.values.get(key))
        return f"{label}{'：' if lang == 'zh' else ': '}{format_value(value, lang)}"

    separator = {"zh": "；", "en": "; "}
    parts = {lang: separator[lang].join(fact(k, lang) for k in finding.facts) or "—" for lang in ("zh", "en")}
    return Text(parts["zh"], parts["en"])


def _requirement(finding: Finding) -> Text:
    recorded = finding.values.get("requirement")
    if isinstance(recorded, str) and recorded.strip() and finding.rule.for_each == "nonconformity":
        return _plain(recorded)
    title, clause = finding.rule.title, finding.rule.clause
    return Text(f"{title.zh}（{clause}）", f"{title.en} ({clause})")


def item(number: int, finding: Finding) -> Item:
    return Item(
        number=number,
        rule=finding.rule.id,
        title=finding.rule.title,
        severity=finding.severity,
        severity_label=SEVERITY_LABELS[finding.severity],
        audience_label=AUDIENCE_SHORT[finding.rule.audience],
        clause=finding.rule.clause,
        subject=finding.subject,
        statement=finding.message,
        requirement=_requirement(finding),
        evidence=_evidence(finding),
        due=finding.action.due.isoformat() if finding.action else None,
        action=finding.action.text if finding.action else None,
    )


def _items(findings: list[Finding]) -> list[Item]:
    return [item(n, f) for n, f in enumerate(findings, start=1)]


def _score(evaluation: Evaluation) -> dict[str, Any] | None:
    outcome, pack = evaluation.derived.score, evaluation.pack
    result = evaluation.result["score"]
    if outcome is None:
        return None
    rows = [(pack.categories[key].label, c.awarded, c.available) for key, c in outcome.by_category.items()]
    awarded = sum((c.awarded for c in outcome.by_category.values()), Fraction(0))
    available = sum((c.available for c in outcome.by_category.values()), Fraction(0))
    rows.append((LABELS["applicable_total"], awarded, available))
    grade = pack.grade_label(outcome.grade)
    return {
        "total": result["total"],
        "base": result["base"],
        "special_deductions": outcome.special_deductions,
        "special_bonus": outcome.special_bonus,
        "grade_label": grade,
        "chart": charts.score_bars(rows),
        "thresholds": [(g.label, g.min) for g in pack.grades],
        "scale": pack.param("scale"),
    }


def _timeline(evaluation: Evaluation) -> charts.Timeline | None:
    cert, timeline = evaluation.case.certificate, evaluation.derived.timeline
    if cert is None or timeline is None:
        return None
    points = [(cert.issued_on, LABELS["issued"], "issued")]
    points += [
        (d.date, LABELS["evaluated"], "evaluation") for d in timeline.dates if d.date != cert.issued_on
    ]
    points.append((timeline.due_by, LABELS["due_by"], "due"))
    if timeline.extended_until:
        points.append((timeline.extended_until, LABELS["extended_until"], "extension"))
    points.append((cert.valid_until, LABELS["valid_until"], "expiry"))
    points.append((evaluation.case.as_of, LABELS["as_of"], "today"))
    return charts.timeline(points)


def report_context(
    evaluation: Evaluation, kind: str, lang: str, stamp: str | None, version: str
) -> dict[str, Any]:
    case, pack, result = evaluation.case, evaluation.pack, evaluation.result
    findings = list(evaluation.findings)
    client = [f for f in findings if f.rule.audience == "client"]
    nonconformities = [f for f in client if f.severity in ("major", "minor")]
    cert = case.certificate
    certificate = None
    if cert is not None:
        section = result["certificate"]
        certificate = {
            "number": cert.number,
            "grade_label": pack.grade_label(cert.grade),
            "issued_on": cert.issued_on.isoformat(),
            "valid_until": cert.valid_until.isoformat(),
            "status_label": STATUS_LABELS[cert.status],
            "recommended_label": STATUS_LABELS[section["recommended_status"]],
            "changes_status": section["recommended_status"] != cert.status,
            "reasons": section["reasons"],
        }
    surveillance = None
    if result["surveillance"] is not None:
        surveillance = {
            **result["surveillance"],
            "state_label": SURVEILLANCE_STATE_LABELS[result["surveillance"]["state"]],
        }
    evaluation_info = None
    if case.evaluation is not None:
        evaluation_info = {
            "date": case.evaluation.date.isoformat(),
            "type_label": EVALUATION_TYPE_LABELS[case.evaluation.type],
        }
    return {
        "kind": kind,
        "lang": lang,
        "langs": ["zh", "en"] if lang == "both" else [lang],
        "L": LABELS,
        "title": LABELS[f"title_{kind}"],
        "case": {
            "case_id": case.case_id,
            "stage_label": STAGE_LABELS[case.stage],
            "as_of": case.as_of.isoformat(),
            "pack": f"{pack.id} {pack.version}",
            "engine": evaluation.engine,
        },
        "org": {
            "name": case.organization.name,
            "credit_code": case.organization.credit_code,
            "business_type": BUSINESS_TYPE_LABELS.get(case.organization.business_type or ""),
        },
        "certificate": certificate,
        "evaluation": evaluation_info,
        "eligible": result["eligible"],
        "grade_label": pack.grade_label(result["grade"]),
        "score": _score(evaluation),
        "surveillance": surveillance,
        "timeline": _timeline(evaluation),
        "nonconformities": _items(nonconformities),
        "observations": _items([f for f in client if f.severity == "observation"]),
        "applicant": _items([f for f in findings if f.rule.audience == "applicant"]),
        "body": _items([f for f in findings if f.rule.audience == "body"]),
        "findings": _items(findings),
        "summary": result["summary"],
        "notifications": [
            {**n, "label": pack.change_kinds[n["kind"]].label} for n in result["notifications_required"]
        ],
        "severity_labels": SEVERITY_LABELS,
        "stamp": stamp,
        "version": version,
    }
