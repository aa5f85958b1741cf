"""The nonconformity lifecycle (SPEC 6.2): the state of one item on a date D, and its dues.

The one place that knows these rules.  Derivation calls it with D = as_of; the recommendation
and the DECISION-* facts call it with D = decision.date.  A pure function of the item, the
evaluation date, the pack's day counts and D.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..base.case_model import Evaluation, Response, Verification
from ..base.dates import add_days

STATES = ("open", "responded", "rejected", "closed")


@dataclass(frozen=True)
class Dues:
    """The pack's day counts the lifecycle uses."""

    major_days: int
    minor_days: int
    resubmit_days: int
    verify_days: int


@dataclass(frozen=True)
class ItemState:
    state: str
    respond_by: dt.date
    responded_on: dt.date | None
    verify_by: dt.date | None  # only while `responded`
    verified_on: dt.date | None
    verified_by: str | None
    overdue: bool
    blocking: bool


def _latest(dated: Sequence[tuple[dt.date, int]], on: dt.date) -> int | None:
    """Index of the latest entry dated on or before `on`; of two on one date, the later in the list."""
    best: int | None = None
    for day, index in dated:
        if day <= on:
            best = index
    return best


def item_state(
    severity: str,
    evaluation_date: dt.date,
    responses: Sequence[Response],
    verifications: Sequence[Verification],
    day: dt.date,
    dues: Dues,
) -> ItemState:
    """The state of a major or minor item on `day` (SPEC 6.2)."""
    r_index = _latest([(r.received_on, i) for i, r in enumerate(responses)], day)
    v_index = _latest([(v.date, i) for i, v in enumerate(verifications)], day)
    r = responses[r_index] if r_index is not None else None
    v = verifications[v_index] if v_index is not None else None
    if r is None:
        state = "open"
    elif v is None or v.date < r.received_on:
        state = "responded"  # no verification on or after the latest response
    elif v.result == "accepted":
        state = "closed"
    else:
        state = "rejected"
    rejections = [x.date for x in verifications if x.result == "rejected" and x.date <= day]
    if rejections:
        respond_by = add_days(max(rejections), dues.resubmit_days)
    else:
        respond_by = add_days(evaluation_date, dues.major_days if severity == "major" else dues.minor_days)
    verify_by = add_days(r.received_on, dues.verify_days) if r is not None and state == "responded" else None
    # a major item blocks until verified, a minor one until answered
    blocking = state != "closed" if severity == "major" else state in ("open", "rejected")
    return ItemState(
        state=state,
        respond_by=respond_by,
        responded_on=r.received_on if r is not None else None,
        verify_by=verify_by,
        verified_on=v.date if v is not None else None,
        verified_by=v.by if v is not None else None,
        overdue=state in ("open", "rejected") and day > respond_by,
        blocking=blocking,
    )


@dataclass(frozen=True)
class TrackedItem:
    """A major or minor item of an evaluation with its state on a date (an entry of SPEC 6.4)."""

    id: str
    subject: str  # evaluation.nonconformities[i] / evaluation.special_deductions[i]
    kind: str  # nonconformity | special_deduction
    severity: str
    indicator: str | None
    text: str  # the statement, or the deducted item
    status: ItemState


def pack_dues(param: Callable[[str], int]) -> Dues:
    return Dues(param("major_days"), param("minor_days"), param("resubmit_days"), param("verify_days"))


@dataclass(frozen=True)
class _Source:
    """A tracked item's identity and the records its state is computed from."""

    id: str
    subject: str
    kind: str
    severity: str
    indicator: str | None
    text: str
    responses: Sequence[Response]
    verifications: Sequence[Verification]

    def on(self, evaluation_date: dt.date, day: dt.date, dues: Dues) -> TrackedItem:
        status = item_state(self.severity, evaluation_date, self.responses, self.verifications, day, dues)
        return TrackedItem(self.id, self.subject, self.kind, self.severity, self.indicator, self.text, status)


def _sources(evaluation: Evaluation) -> list[_Source]:
    """Nonconformities in file order, then special deductions (each a minor item).

    Observations get an id and nothing else (SPEC 6.2), so they are not tracked.
    """
    sources = []
    for i, (nc, nc_id) in enumerate(
        zip(evaluation.nonconformities, evaluation.nonconformity_ids(), strict=True)
    ):
        if nc.severity == "observation":
            continue
        subject = f"evaluation.nonconformities[{i}]"
        sources.append(
            _Source(
                nc_id,
                subject,
                "nonconformity",
                nc.severity,
                nc.indicator,
                nc.statement,
                nc.responses,
                nc.verifications,
            )
        )
    for i, (sd, sd_id) in enumerate(
        zip(evaluation.special_deductions, evaluation.special_deduction_ids(), strict=True)
    ):
        subject = f"evaluation.special_deductions[{i}]"
        sources.append(
            _Source(
                sd_id, subject, "special_deduction", "minor", None, sd.item, sd.responses, sd.verifications
            )
        )
    return sources


def tracked_items(evaluation: Evaluation | None, day: dt.date, dues: Dues) -> list[TrackedItem]:
    """Every major or minor item on `day`: nonconformities in file order, then special deductions."""
    if evaluation is None:
        return []
    return [source.on(evaluation.date, day, dues) for source in _sources(evaluation)]


@dataclass(frozen=True)
class Period:
    """An item's state from `start` up to the day before `end` (None: for ever)."""

    start: dt.date
    end: dt.date | None
    item: TrackedItem


def tracked_periods(evaluation: Evaluation | None, dues: Dues) -> list[list[Period]]:
    """Each tracked item's states from the evaluation date on, as periods (in tracked_items'
    order), so that a register can answer "the state on D" without re-reading the case.

    item_state is a step function of the day: what it reads changes only on a response or a
    verification date, and the only other date it compares the day with is respond_by (overdue
    from the day after).  So the state is computed here, by item_state, on each of those days.
    """
    if evaluation is None:
        return []
    return [_periods(source, evaluation.date, dues) for source in _sources(evaluation)]


def _periods(source: _Source, start: dt.date, dues: Dues) -> list[Period]:
    events = {start} | {r.received_on for r in source.responses} | {v.date for v in source.verifications}
    days = sorted(d for d in events if d >= start)
    periods: list[Period] = []

    def add(begin: dt.date, end: dt.date | None, item: TrackedItem) -> None:
        if periods and periods[-1].item == item:  # no change: the period goes on
            periods[-1] = Period(periods[-1].start, end, item)
        else:
            periods.append(Period(begin, end, item))

    for begin, end in zip(days, [*days[1:], None], strict=True):
        item = source.on(start, begin, dues)
        respond_by = item.status.respond_by
        late = add_days(respond_by, 1) if respond_by < dt.date.max else None
        if late is not None and begin < late and (end is None or late < end):
            add(begin, late, item)  # respond_by passes inside the period: split it there
            begin, item = late, source.on(start, late, dues)
        add(begin, end, item)
    return periods


def item_json(item: TrackedItem) -> dict[str, Any]:
    """An entry of the result's `nonconformities` (SPEC 6.4)."""
    s = item.status

    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "id": item.id,
        "subject": item.subject,
        "severity": item.severity,
        "indicator": item.indicator,
        "state": s.state,
        "respond_by": s.respond_by.isoformat(),
        "responded_on": iso(s.responded_on),
        "verify_by": iso(s.verify_by),
        "verified_on": iso(s.verified_on),
        "verified_by": s.verified_by,
        "overdue": s.overdue,
    }
