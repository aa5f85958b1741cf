"""What a report shows, as plain data for the templates (SPEC 1.9).

The NCR and the CAR carry only findings whose audience is the client organisation with severity
major or minor; client observations appear in the CAR as improvement opportunities.  Applicant
findings form the application-review list, body findings the decision sheet of the summary.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...api import Evaluation
from ...base.dates import period_end
from ...base.i18n import SEVERITY_LABELS, STAGE_LABELS, STATUS_LABELS, SURVEILLANCE_STATE_LABELS, Text
from ...body.profile import BodyProfile, report_number
from ...facts.scoring import json_number, truncate2
from ...judge.findings import Finding, format_value
from . import charts, documents
from .labels import AUDIENCE_SHORT, FACT_LABELS, FACT_VALUE_LABELS, LABELS
from .recommendation import CERTIFYING, OUTCOME_LABELS, recommended, recorded

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


def case_view_of(evaluation: Evaluation) -> dict[str, Any]:
    """The case as plain data: documents read Part II keys from it with .get()."""
    view: dict[str, Any] = dataclasses.asdict(evaluation.case)
    return view


def report_context(
    evaluation: Evaluation,
    kind: str,
    lang: str,
    stamp: str | None,
    version: str,
    body: BodyProfile | None = None,
    case_view: dict[str, Any] | None = None,
    draft: bool = False,
) -> dict[str, Any]:
    case, pack, result = evaluation.case, evaluation.pack, evaluation.result
    view = case_view if case_view is not None else case_view_of(evaluation)
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
    year = (case.evaluation.date if case.evaluation else case.as_of).year
    number = report_number(body, case.case_id, year, kind)
    type_label = EVALUATION_TYPE_LABELS[case.evaluation.type] if case.evaluation else STAGE_LABELS[case.stage]
    recommendation = _recommendation(result, pack)
    return {
        "kind": kind,
        "cb": documents.body_header(body),
        "ident": documents.identity(view, number, type_label),
        "entries": documents.client_entries(findings, result, view, pack, number),
        "recommendation": recommendation,
        "recorded": _recorded(result, pack),
        "indicators": _indicator_rows(evaluation),
        "sensitivity": _sensitivity(result, pack),
        "lifecycle": _lifecycle_rows(result),
        "review": _review(findings, number) if kind == "review" else None,
        "certificate_doc": _certificate_doc(evaluation, view, body, draft) if kind == "certificate" else None,
        "checks": _impartiality_checks(findings, pack),
        "draft": draft,
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
            "name_en": view["organization"].get("name_en"),
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


def _recommendation(result: dict[str, Any], pack: Any) -> dict[str, Any]:
    rec = recommended(result)
    outcome = str(rec.get("outcome"))
    grade = pack.grade_label(rec.get("grade"))
    label = OUTCOME_LABELS.get(outcome, Text(outcome, outcome))
    if grade is not None and outcome in ("grant", "renew", "grade_change"):
        sentence = Text(f"建议{label.zh}：{grade.zh}", f"Recommended: {label.en.lower()}, {grade.en.lower()}")
        if outcome == "grant":
            sentence = Text(f"建议批准{grade.zh}认证", f"Recommended: grant {grade.en.lower()} certification")
    else:
        sentence = Text(f"建议{label.zh}", f"Recommended: {label.en[0].lower()}{label.en[1:]}")
    return {
        "outcome": outcome,
        "label": label,
        "grade_label": grade,
        "sentence": sentence,
        "reasons": [_titled(pack, r) for r in rec.get("reasons") or []],
        "blocked_by": [str(b) for b in rec.get("blocked_by") or []],
    }


def _titled(pack: Any, rule_id: str) -> dict[str, Any]:
    rule = pack.rule(rule_id)
    return {"id": rule_id, "title": rule.title if rule else Text(rule_id, rule_id)}


def _recorded(result: dict[str, Any], pack: Any) -> dict[str, Any] | None:
    rec = recorded(result)
    if rec is None:
        return None
    outcome = str(rec.get("outcome"))
    return {
        **{k: rec.get(k) for k in ("date", "by", "justification")},
        "outcome": outcome,
        "label": OUTCOME_LABELS.get(outcome, Text(outcome, outcome)),
        "grade_label": pack.grade_label(rec.get("grade")),
    }


def _indicator_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The 15 indicators: category, indicator, available, awarded, ratio, excluded (§8.3)."""
    ev, pack, outcome = evaluation.case.evaluation, evaluation.pack, evaluation.derived.score
    if ev is None or ev.scores is None:
        return []
    excluded = {e.indicator: e for e in ev.excluded}
    rows = []
    for key, indicator in pack.indicators.items():
        sheet = ev.scores.get(key)
        applicable = outcome.applicable.get(key, True) if outcome else True
        exclusion = excluded.get(key)
        ratio = None
        if sheet is not None and applicable and sheet.available:
            ratio = (
                f"{int(Fraction(sheet.awarded) / Fraction(sheet.available) * 100)}%"  # truncated, as charts
            )
        rows.append(
            {
                "category": pack.categories[indicator.category].label,
                "indicator": indicator.label,
                "available": _points(sheet.available) if sheet else "—",
                "awarded": _points(sheet.awarded) if sheet else "—",
                "ratio": ratio or "—",
                "excluded": not applicable,
                "justification": (exclusion.justification if exclusion else None) or None,
            }
        )
    return rows


def _points(value: Fraction) -> str:
    return str(json_number(truncate2(Fraction(value))))


def _sensitivity(result: dict[str, Any], pack: Any) -> dict[str, Any] | None:
    score = result.get("score") or {}
    alt = score.get("if_exclusions_rejected")
    if not isinstance(alt, dict):
        return None
    return {"total": alt.get("total"), "grade_label": pack.grade_label(alt.get("grade"))}


def _lifecycle_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **{
                k: n.get(k)
                for k in ("id", "respond_by", "responded_on", "verify_by", "verified_on", "verified_by")
            },
            "severity_label": SEVERITY_LABELS.get(str(n.get("severity"))),
            "state_label": documents.NC_STATE_LABELS.get(str(n.get("state"))),
            "overdue": bool(n.get("overdue")),
        }
        for n in result.get("nonconformities") or []
    ]


def _review(findings: list[Finding], number: str) -> list[dict[str, Any]]:
    """The applicant's list: what to supplement, by when (§8.3 review)."""
    applicant = [f for f in findings if f.rule.audience == "applicant"]
    return [
        {
            "number": f"{number}-F{n}",
            "severity_label": SEVERITY_LABELS[f.severity],
            "title": f.rule.title,
            "requirement": f.rule.requirement or f.rule.title,
            "clause": f.rule.citation or Text(f.rule.clause, f.rule.clause),
            "statement": f.message,
            "action": f.action.text if f.action else None,
            "due": f.action.due.isoformat() if f.action else None,
        }
        for n, f in enumerate(applicant, start=1)
    ]


IMPARTIALITY_RULES = (
    "TEAM-NO-LEADER",
    "TEAM-QUALIFICATION",
    "TEAM-CONSULTANCY",
    "DECISION-IMPARTIALITY",
    "DECISION-OPEN-NC",
    "DECISION-OVERRIDE",
)


def _impartiality_checks(findings: list[Finding], pack: Any) -> list[dict[str, Any]]:
    """The checks of §7.3 the pack has, for the decision sheet: passed, or the finding's message.
    A check the pack does not define is not listed: it cannot have passed."""
    rows = []
    for rule_id in (r for r in IMPARTIALITY_RULES if pack.rule(r) is not None):
        fired = [f for f in findings if f.rule.id == rule_id]
        rows.append(
            {
                "id": rule_id,
                "title": pack.rule(rule_id).title,
                "passed": not fired,
                "messages": [f.message for f in fired],
            }
        )
    return rows


class CertificateUnavailable(Exception):
    """A certificate for a case whose recorded outcome issues none (exit 2 with the reason)."""


def certificate_problem(result: dict[str, Any], rec: dict[str, Any] | None, draft: bool) -> str | None:
    """Why no certificate (or no draft) can be issued for this result, or None (SPEC 8.3)."""
    if draft:
        outcome = recommended(result).get("outcome")
        if outcome not in CERTIFYING:
            return (
                f"the recommendation is {outcome}, not one of {', '.join(CERTIFYING)}: no draft certificate"
            )
        return None
    if rec is None or rec.get("outcome") not in CERTIFYING:
        what = "no decision is recorded" if rec is None else f"the recorded outcome is {rec.get('outcome')}"
        return (
            f"{what}; a certificate needs one of {', '.join(CERTIFYING)} (or --draft from the recommendation)"
        )
    return None


def _certificate_doc(
    evaluation: Evaluation, view: dict[str, Any], body: BodyProfile | None, draft: bool
) -> dict[str, Any]:
    case, pack, result = evaluation.case, evaluation.pack, evaluation.result
    rec = recorded(result) or (view.get("decision") if isinstance(view.get("decision"), dict) else None)
    problem = certificate_problem(result, rec, draft)
    if problem:
        raise CertificateUnavailable(problem)
    if draft:
        source = recommended(result)
        issue = case.as_of
    else:
        assert rec is not None
        source = rec
        issue = rec["date"] if isinstance(rec["date"], dt.date) else dt.date.fromisoformat(str(rec["date"]))
    cert = view.get("certificate") or {}
    grade = source.get("grade") or (cert.get("grade") if source.get("outcome") == "reissue" else None)
    number = cert.get("number") or None
    scope = cert.get("scope")
    products = (view.get("application") or {}).get("products") or []
    if isinstance(scope, dict):
        scope_text = Text(str(scope.get("zh") or "—"), str(scope.get("en") or scope.get("zh") or "—"))
    elif products:
        joined = "、".join(str(p) for p in products)
        scope_text = Text(
            f"{joined}的售后服务", f"After-sales service for {', '.join(str(p) for p in products)}"
        )
    else:
        scope_text = None
    return {
        "number": number,
        "grade_label": pack.grade_label(grade),
        "stars": _stars(grade),
        "issue_date": issue.isoformat(),
        "valid_until": period_end(issue, pack.integer("validity_months")).isoformat(),
        "scope": scope_text,
        "standard": pack.standard,
    }


def _stars(grade: Any) -> int:
    """Stars shown next to a grade called <n>_star (five_star → 5); other grades show none."""
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
    head = str(grade or "").split("_star")[0]
    return words.get(head, 0) if str(grade or "").endswith("_star") else 0
