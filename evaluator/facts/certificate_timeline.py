"""The certificate's timeline (SPEC 1.6): evaluation dates, due_by, extension, state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..base.case_model import Case, SurveillanceRecord
from ..base.dates import add_days, add_months, period_end
from ..packs.model import Pack

CERTIFIED_STATUSES = ("valid", "suspended")


@dataclass(frozen=True)
class EvaluationDate:
    date: dt.date
    subject: str  # surveillance[i], evaluation, or certificate (the certifying evaluation)
    extension_until: dt.date | None  # of the surveillance record on that date


@dataclass(frozen=True)
class Timeline:
    certified: bool
    cycle_start: dt.date
    latest_allowed_valid_until: dt.date
    dates: tuple[EvaluationDate, ...]  # E: distinct dates, sorted
    last_evaluation: dt.date  # L
    due_by: dt.date
    extension_until: dt.date | None  # as given
    extension_limit: dt.date
    extended_until: dt.date | None  # the capped extension, when it counts
    state: str
    latest_surveillance: SurveillanceRecord | None
    recertification_evaluated: bool
    suspension_until: dt.date | None


def _evaluation_dates(case: Case) -> tuple[EvaluationDate, ...]:
    cert = case.certificate
    assert cert is not None
    by_date: dict[dt.date, EvaluationDate] = {}

    def add(day: dt.date, subject: str, extension: dt.date | None) -> None:
        if day not in by_date:  # the first source of a date names it: surveillance, evaluation, certificate
            by_date[day] = EvaluationDate(day, subject, extension)

    for i, record in enumerate(case.surveillance):
        add(record.date, f"surveillance[{i}]", record.extension_until)
    evaluation = case.evaluation
    if evaluation and evaluation.type in ("surveillance", "recertification"):
        add(evaluation.date, "evaluation", None)
    add(cert.evaluated_on or cert.issued_on, "certificate", None)
    return tuple(sorted(by_date.values(), key=lambda e: e.date))


def _state(
    case: Case,
    pack: Pack,
    certified: bool,
    valid_until: dt.date,
    due_by: dt.date,
    extended_until: dt.date | None,
) -> str:
    as_of = case.as_of
    if not certified or as_of > valid_until:
        return "not_applicable"
    if due_by >= add_days(valid_until, -pack.integer("recert_window_days")):
        return "recertification_due"
    if as_of < add_days(due_by, -pack.integer("due_soon_days")):
        return "not_due"
    if as_of <= due_by:
        return "due_soon"
    if extended_until is None:
        return "overdue"
    return "extended" if as_of <= extended_until else "extension_expired"


def timeline(case: Case, pack: Pack) -> Timeline | None:
    cert = case.certificate
    if cert is None:
        return None
    certified = cert.status in CERTIFIED_STATUSES
    cycle_start = cert.cycle_start or cert.issued_on
    dates = _evaluation_dates(case)
    last = dates[-1].date
    interval = pack.integer("surveillance_interval_months")
    due_by = add_months(last, interval)
    limit = min(add_months(due_by, pack.integer("max_extension_months")), cert.valid_until)
    extension_until = case.extension.until if case.extension else None
    extended_until = min(extension_until, limit) if extension_until and extension_until > due_by else None
    latest = max(reversed(case.surveillance), key=lambda r: r.date, default=None)
    evaluation = case.evaluation
    suspension_until = cert.suspension_until
    if suspension_until is None and cert.suspended_on is not None:
        suspension_until = add_months(cert.suspended_on, pack.integer("suspension_months"))
    return Timeline(
        certified=certified,
        cycle_start=cycle_start,
        latest_allowed_valid_until=period_end(cycle_start, pack.integer("validity_months")),
        dates=dates,
        last_evaluation=last,
        due_by=due_by,
        extension_until=extension_until,
        extension_limit=limit,
        extended_until=extended_until,
        state=_state(case, pack, certified, cert.valid_until, due_by, extended_until),
        latest_surveillance=latest,
        recertification_evaluated=bool(
            evaluation and evaluation.type == "recertification" and evaluation.date > cert.issued_on
        ),
        suspension_until=suspension_until,
    )
