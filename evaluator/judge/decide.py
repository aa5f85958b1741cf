"""The decision step: eligibility, certificate recommendation, result sections (SPEC 1, 4).

Plain functions of the derived facts and the findings; the data they use (status precedence,
which changes need notifying) comes from the pack.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from ..base.case_model import Case
from ..facts.certificate_timeline import CERTIFIED_STATUSES, Timeline
from ..facts.derive import Derived
from ..facts.scoring import ScoreOutcome, json_number, truncate2
from ..packs.ir import compile_python
from ..packs.model import Pack
from .findings import Finding

ELIGIBILITY_AREA = "eligibility"


@functools.lru_cache(maxsize=16)
def _eligibility_stages(pack: Pack) -> frozenset[str]:
    return frozenset(stage for rule in pack.rules if rule.area == ELIGIBILITY_AREA for stage in rule.stages)


@functools.lru_cache(maxsize=16)
def _notification_test(pack: Pack) -> Callable[[dict[str, Any]], bool]:
    return compile_python(pack.notifications_when, pack.param_values())


def eligible(case: Case, pack: Pack, findings: Sequence[Finding]) -> bool | None:
    """True iff no eligibility rule fired; null at stages where none of them runs."""
    if case.stage not in _eligibility_stages(pack):
        return None
    return not any(f.rule.area == ELIGIBILITY_AREA for f in findings)


def recommendation(case: Case, pack: Pack, findings: Sequence[Finding]) -> tuple[str, list[str]]:
    """The recommended certificate status and the rule IDs of the deciding tier.

    Tiers follow the pack's status_precedence; a certificate already in a tier's status stays
    there (a suspended certificate stays suspended) with only that tier's reasons, unless a
    finding recommends a later tier (CERT-RESTORE recommends `valid`).  A
    certificate that is no longer certified (withdrawn, expired) keeps its status.
    """
    assert case.certificate is not None
    current = case.certificate.status
    if current not in CERTIFIED_STATUSES:
        return current, []
    precedence = pack.status_precedence
    for rank, status in enumerate(precedence):
        reasons = sorted({f.rule.id for f in findings if f.recommends == status})
        # a status already held stays, unless a later tier lifts it (CERT-RESTORE, SPEC 7.3)
        lifted = any(f.recommends in precedence[rank + 1 :] for f in findings)
        if reasons or (status == current and not lifted):
            return status, reasons
    return current, []


def certificate_section(case: Case, pack: Pack, findings: Sequence[Finding]) -> dict[str, Any] | None:
    cert = case.certificate
    if cert is None:
        return None
    recommended, reasons = recommendation(case, pack, findings)
    return {
        "number": cert.number,
        "status": cert.status,
        "recommended_status": recommended,
        "reasons": reasons,
        "valid_until": cert.valid_until.isoformat(),
    }


def surveillance_section(timeline: Timeline | None) -> dict[str, Any] | None:
    if timeline is None:
        return None
    return {
        "last_evaluation": timeline.last_evaluation.isoformat(),
        "due_by": timeline.due_by.isoformat(),
        "extended_until": timeline.extended_until.isoformat() if timeline.extended_until else None,
        "state": timeline.state,
    }


def score_section(
    outcome: ScoreOutcome | None, sensitivity: ScoreOutcome | None = None
) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "if_exclusions_rejected": None
        if sensitivity is None
        else {"total": json_number(truncate2(sensitivity.final)), "grade": sensitivity.grade},
        "total": json_number(truncate2(outcome.final)),
        "base": json_number(truncate2(outcome.base)),
        "by_category": {
            key: {"awarded": json_number(c.awarded), "available": json_number(c.available)}
            for key, c in outcome.by_category.items()
        },
        "special_deductions": outcome.special_deductions,
        "special_bonus": outcome.special_bonus,
    }


def notifications_required(pack: Pack, derived: Derived) -> list[dict[str, Any]]:
    """Triggering changes not yet notified (the pack's notifications_required), by date then index."""
    holds = _notification_test(pack)
    changes = [
        (i, f) for i, f in enumerate(f for f in derived.facts if f.type == "change") if holds(f.values)
    ]
    changes.sort(key=lambda item: (item[1].values["date"], item[0]))
    return [
        {
            "kind": f.values["kind"],
            "date": f.values["date"].isoformat(),
            "notify_by": f.values["notify_by"].isoformat(),
            "subject": f.subject,
        }
        for _, f in changes
    ]
