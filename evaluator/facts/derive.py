"""Derive the facts of one case, once, before any engine runs (ENGINEERING: architecture 2).

Dates stay `datetime.date` (the durable engine turns them into day numbers), numbers are
floats (both engines compare the same values), and every per-case threshold (the incident
window, notify_by, due_by, …) is computed here from the pack's parameters, so that a rule only
compares two fields of one fact.  Which fact types and fields exist is fixed by the catalogue.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Any

from ..base.case_model import Case
from ..base.dates import add_days, add_months
from ..base.i18n import Text
from ..packs.model import Pack
from .certificate_timeline import Timeline, timeline
from .credit_code import PROBLEM_TEXT, credit_code_problem
from .lifecycle import ItemState, TrackedItem, pack_dues, tracked_items
from .scoring import ScoreOutcome, score

INCIDENT_KIND_LABELS = {"accident": Text("事故", "accident"), "complaint": Text("投诉", "complaint")}
DEDUCTION_BASIS_LABELS = {
    "law": Text("法律法规", "laws and regulations"),
    "own_rules": Text("企业自身规定", "the organisation's own rules"),
    "industry": Text("行业规范", "industry norms"),
    "system": Text("体系要求", "management system requirements"),
}


@dataclass(frozen=True)
class Fact:
    type: str
    subject: str | None
    values: dict[str, Any]


@dataclass(frozen=True)
class DecisionBasis:
    """The recommendation as of decision.date (SPEC 7.2): what the recorded decision is compared with."""

    outcome: str
    grade: str | None
    blocking_ids: tuple[str, ...]


@dataclass
class Derived:
    """A case's facts, and the exact results the decision step reports."""

    facts: list[Fact] = field(default_factory=list)
    reference_date: dt.date | None = None
    score: ScoreOutcome | None = None
    timeline: Timeline | None = None
    items: list[TrackedItem] = field(default_factory=list)  # the lifecycle on as_of (SPEC 6.2)
    basis: DecisionBasis | None = None


APPROVING_OUTCOMES = ("grant", "renew", "maintain", "restore")


def normal_name(name: str) -> str:
    """A person's name as compared (SPEC 7.1): NFKC, case-folded, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def reference_date(case: Case) -> dt.date:
    """R: application.date, else evaluation.date, else as_of."""
    if case.application and case.application.date:
        return case.application.date
    if case.evaluation:
        return case.evaluation.date
    return case.as_of


def derive(case: Case, pack: Pack, basis: DecisionBasis | None = None) -> Derived:
    """The facts of `case`; `basis` is the recommendation as of decision.date, when one is recorded."""
    derived = Derived(reference_date=reference_date(case), basis=basis)
    derived.score = score(case.evaluation, pack) if case.evaluation else None
    derived.timeline = timeline(case, pack)
    derived.items = tracked_items(case.evaluation, case.as_of, pack_dues(pack.integer))
    for producer in (
        _organization,
        _system,
        _licences,
        _incidents,
        _documents,
        _evaluation,
        _evidence,
        _certificate,
        _changes,
        _items,
        _team,
        _decision,
    ):
        derived.facts.extend(producer(case, pack, derived))
    return derived


def _number(value: Any) -> float:
    if type(value) is Fraction:  # what float() does for a Fraction, without numbers.Rational's detour
        return value.numerator / value.denominator
    return float(value)


def _ratio(awarded: Any, available: Any) -> float:
    """float(awarded / available) without building the Fraction: int / int is correctly
    rounded, so the float is the same."""
    if type(awarded) is Fraction and type(available) is Fraction:
        return (awarded.numerator * available.denominator) / (awarded.denominator * available.numerator)
    return _number(awarded / available)


# ------------------------------------------------------------------------------- eligibility
def _organization(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    org = case.organization
    problem = credit_code_problem(org.credit_code)
    yield Fact(
        "org",
        None,
        {
            "name": org.name,
            "legal_entity": org.legal_entity,
            "part_of_legal_entity": org.part_of_legal_entity,
            "country": org.country,
            "legal_compliance": org.legal_compliance,
            "credit_code": org.credit_code,
            "credit_code_valid": problem == "none",
            "credit_code_problem": problem,
            "credit_code_problem_text": PROBLEM_TEXT[problem],
        },
    )


def _system(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    system = case.service_system
    if system is None:
        return
    since = system.operating_since
    person = system.responsible_person
    yield Fact(
        "system",
        None,
        {
            "operating_since": since,
            "reference_date": d.reference_date,
            "ready_on": add_months(since, pack.integer("min_operating_months")) if since else None,
            "rules_documented": system.rules_documented,
            "has_responsible_person": bool(person and person.strip()),
            "responsible_person": person,
            "dedicated_fund": system.dedicated_fund,
            "trained_managers": system.trained_managers,
        },
    )


def _licences(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    for i, licence in enumerate(case.organization.licences):
        yield Fact(
            "licence",
            f"organization.licences[{i}]",
            {
                "name": licence.name,
                "required": licence.required,
                "long_term": licence.long_term,
                "has_valid_until": licence.valid_until is not None,
                "valid_until": licence.valid_until,
                "reference_date": d.reference_date,
            },
        )


def _incidents(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    assert d.reference_date is not None
    window_start = add_months(d.reference_date, -pack.integer("incident_window_months"))
    t = d.timeline
    for i, incident in enumerate(case.incidents):
        yield Fact(
            "incident",
            f"incidents[{i}]",
            {
                "date": incident.date,
                "kind": incident.kind,
                "kind_label": INCIDENT_KIND_LABELS[incident.kind],
                "severity": incident.severity,
                "service_related": incident.service_related,
                "authority_confirmed": incident.authority_confirmed,
                "summary": incident.summary,
                "window_start": window_start,
                "as_of": case.as_of,
                "certified": bool(t and t.certified),
                "last_evaluation": t.last_evaluation if t else None,
            },
        )


def _documents(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    if case.application is None or case.application.documents is None:
        return
    given = set(case.application.documents)
    licence_required = any(licence.required for licence in case.organization.licences)
    for key, doc in pack.documents.items():
        required = doc.required == "always" or (doc.required == "licence_required" and licence_required)
        yield Fact(
            "document", key, {"key": key, "label": doc.label, "required": required, "present": key in given}
        )


# --------------------------------------------------------------------------------- evaluation
def _evaluation(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    evaluation = case.evaluation
    if evaluation is None:
        return
    outcome = d.score
    if outcome is not None and evaluation.scores is not None:
        cert = case.certificate
        yield Fact(
            "score",
            None,
            {
                "base": _number(outcome.base),
                "final": _number(outcome.final),
                "below_pass": outcome.below_pass,
                "has_grade": outcome.grade is not None,
                "grade": outcome.grade,
                "grade_label": pack.grade_label(outcome.grade),
                "special_deductions": outcome.special_deductions,
                "special_bonus": outcome.special_bonus,
                "evaluation_date": evaluation.date,
                "certified": bool(d.timeline and d.timeline.certified),
                "certificate_grade": cert.grade if cert else None,
                "certificate_grade_label": pack.grade_label(cert.grade) if cert else None,
                "issued_on": cert.issued_on if cert else None,
            },
        )
        for key, indicator in pack.indicators.items():
            sheet = evaluation.scores[key]
            yield Fact(
                "indicator",
                key,
                {
                    "id": key,
                    "label": indicator.label,
                    "category": indicator.category,
                    "awarded": _number(sheet.awarded),
                    "available": _number(sheet.available),
                    "applicable": outcome.applicable[key],
                    "ratio": _ratio(sheet.awarded, sheet.available) if sheet.available else None,
                },
            )
    for exclusion in evaluation.excluded:
        justification = exclusion.justification
        yield Fact(
            "exclusion",
            exclusion.indicator,
            {
                "indicator": exclusion.indicator,
                "label": pack.indicators[exclusion.indicator].label,
                "allowed": pack.indicators[exclusion.indicator].excludable,
                "justified": bool(justification and justification.strip()),
                "justification": justification,
            },
        )
    points = _number(pack.number("special_deduction_points"))
    states = {item.subject: item.status for item in d.items}
    for i, (deduction, sd_id) in enumerate(
        zip(evaluation.special_deductions, evaluation.special_deduction_ids(), strict=True)
    ):
        subject = f"evaluation.special_deductions[{i}]"
        yield Fact(
            "special_deduction",
            subject,
            {
                "item": deduction.item,
                "basis": deduction.basis,
                "basis_label": DEDUCTION_BASIS_LABELS.get(deduction.basis or ""),
                "points": points,
                **_lifecycle_brief(sd_id, states.get(subject)),
            },
        )
    for i, (nc, nc_id) in enumerate(
        zip(evaluation.nonconformities, evaluation.nonconformity_ids(), strict=True)
    ):
        subject = f"evaluation.nonconformities[{i}]"
        yield Fact(
            "nonconformity",
            subject,
            {
                "indicator": nc.indicator,
                "indicator_label": pack.indicators[nc.indicator].label,
                "severity": nc.severity,
                "statement": nc.statement,
                "evidence": nc.evidence,
                "requirement": nc.requirement,
                **_lifecycle_brief(nc_id, states.get(subject)),
            },
        )


def _lifecycle_brief(item_id: str, status: ItemState | None) -> dict[str, Any]:
    """id, state and respond_by of an item (an observation has its id only, SPEC 6.2)."""
    return {
        "id": item_id,
        "state": status.state if status else None,
        "respond_by": status.respond_by if status else None,
        "closed": bool(status and status.state == "closed"),
    }


def _evidence(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    if case.evidence is None:
        return
    given = {entry.item: entry for entry in case.evidence}
    scope = list(dict.fromkeys(case.application.products or ())) if case.application else []
    for key, item in pack.evidence.items():
        entry = given.get(key)
        missing = [p for p in scope if p not in entry.products] if entry and item.covers_scope else []
        yield Fact(
            "evidence",
            key,
            {
                "item": key,
                "label": item.label,
                "present": entry is not None,
                "count": entry.count if entry else 0,
                "minimum": item.minimum,
                "covers_scope": item.covers_scope,
                "missing_products": missing,
                "missing_products_count": len(missing),
            },
        )


# -------------------------------------------------------------------------------- certificate
def _certificate(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    cert, t = case.certificate, d.timeline
    if cert is None or t is None:
        return
    latest = t.latest_surveillance
    yield Fact(
        "certificate",
        None,
        {
            "number": cert.number,
            "status": cert.status,
            "certified": t.certified,
            "grade": cert.grade,
            "issued_on": cert.issued_on,
            "cycle_start": t.cycle_start,
            "valid_until": cert.valid_until,
            "latest_allowed_valid_until": t.latest_allowed_valid_until,
            "as_of": case.as_of,
            "days_to_expiry": (cert.valid_until - case.as_of).days,
            "last_evaluation": t.last_evaluation,
            "due_by": t.due_by,
            "has_extension": t.extension_until is not None,
            "extension_until": t.extension_until,
            "extension_limit": t.extension_limit,
            "extended_until": t.extended_until,
            "surveillance_state": t.state,
            "latest_surveillance_result": latest.result if latest else None,
            "latest_surveillance_date": latest.date if latest else None,
            "recertification_evaluated": t.recertification_evaluated,
            "suspended_on": cert.suspended_on,
            "suspension_until": t.suspension_until,
            # SPEC 7.4: a body that decides after the last date an extension can reach cannot extend
            "overdue_decide_by": min(add_days(case.as_of, pack.integer("major_days")), t.extension_limit),
            "evaluated_since_suspension": _evaluated_since_suspension(case),
            "blocking_items": sum(1 for item in d.items if item.status.blocking),
        },
    )
    interval = pack.integer("surveillance_interval_months")
    extension = pack.integer("max_extension_months")
    for earlier, later in pairwise(t.dates):
        yield Fact(
            "interval",
            later.subject,
            {
                "start": earlier.date,
                "end": later.date,
                "limit": add_months(earlier.date, interval),
                "has_extension": later.extension_until is not None,
                "extension_until": later.extension_until,
                "extension_limit": add_months(earlier.date, interval + extension),
                "certified": t.certified,
            },
        )


def _evaluated_since_suspension(case: Case) -> bool:
    evaluation, cert = case.evaluation, case.certificate
    return bool(
        evaluation
        and cert
        and cert.suspended_on
        and evaluation.type in ("surveillance", "recertification")
        and evaluation.date >= cert.suspended_on
    )


def _changes(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    days = pack.integer("notify_days")
    for i, change in enumerate(case.changes or ()):
        yield Fact(
            "change",
            f"changes[{i}]",
            {
                "kind": change.kind,
                "label": pack.change_kinds[change.kind].label,
                "date": change.date,
                "significant": change.significant,
                "notified": change.notified_on is not None,
                "notified_on": change.notified_on,
                "notify_by": add_days(change.date, days),
                "as_of": case.as_of,
                "description": change.description,
            },
        )


# ---------------------------------------------------------------------- lifecycle, team, decision
def _items(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    for item in d.items:
        s = item.status
        yield Fact(
            "nc_item",
            item.subject,
            {
                "id": item.id,
                "kind": item.kind,
                "severity": item.severity,
                "text": item.text,
                "state": s.state,
                "respond_by": s.respond_by,
                "responded_on": s.responded_on,
                "verify_by": s.verify_by,
                "verified_on": s.verified_on,
                "verified_by": s.verified_by,
                "overdue": s.overdue,
                "blocking": s.blocking,
                "as_of": case.as_of,
            },
        )


def _team(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    evaluation = case.evaluation
    if evaluation is None or evaluation.team is None:
        return
    yield Fact(
        "team",
        None,
        {"size": len(evaluation.team), "has_leader": any(m.role == "leader" for m in evaluation.team)},
    )
    cooling_start = add_months(evaluation.date, -pack.integer("consultancy_cooling_months"))
    for i, member in enumerate(evaluation.team):
        yield Fact(
            "team_member",
            f"evaluation.team[{i}]",
            {
                "name": member.name,
                "role": member.role,
                "qualified_until": member.qualified_until,
                "consulted_client_on": member.consulted_client_on,
                "evaluation_date": evaluation.date,
                "cooling_start": cooling_start,
            },
        )


def _decision(case: Case, pack: Pack, d: Derived) -> Iterator[Fact]:
    decision, basis = case.decision, d.basis
    if decision is None or basis is None:
        return
    team = case.evaluation.team if case.evaluation and case.evaluation.team else ()
    justified = bool(decision.justification and decision.justification.strip())
    yield Fact(
        "decision",
        None,
        {
            "date": decision.date,
            "by": decision.by,
            "outcome": decision.outcome,
            "grade": decision.grade,
            "justification": decision.justification,
            "justified": justified,
            "by_team_member": normal_name(decision.by) in {normal_name(m.name) for m in team},
            "approves": decision.outcome in APPROVING_OUTCOMES,
            "recommended_outcome": basis.outcome,
            "recommended_grade": basis.grade,
            "differs": (decision.outcome, decision.grade) != (basis.outcome, basis.grade),
            "blocking_on_date": len(basis.blocking_ids),
            "blocking_ids": list(basis.blocking_ids),
        },
    )
