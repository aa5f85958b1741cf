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


def tracked_items(evaluation: Evaluation | None, day: dt.date, dues: Dues) -> list[TrackedItem]:
    """Every major or minor item on `day`: nonconformities in file order, then special deductions.

    Observations get an id and nothing else (SPEC 6.2), so they are not tracked.
    """
    if evaluation is None:
        return []
    items = []
    for i, (nc, nc_id) in enumerate(
        zip(evaluation.nonconformities, evaluation.nonconformity_ids(), strict=True)
    ):
        if nc.severity == "observation":
            continue
        status = item_state(nc.severity, evaluation.date, nc.responses, nc.verifications, day, dues)
        subject = f"evaluation.nonconformities[{i}]"
        items.append(
            TrackedItem(nc_id, subject, "nonconformity", nc.severity, nc.indicator, nc.statement, status)
        )
    for i, (sd, sd_id) in enumerate(
        zip(evaluation.special_deductions, evaluation.special_deduction_ids(), strict=True)
    ):
        status = item_state("minor", evaluation.date, sd.responses, sd.verifications, day, dues)
        subject = f"evaluation.special_deductions[{i}]"
        items.append(TrackedItem(sd_id, subject, "special_deduction", "minor", None, sd.item, status))
    return items


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
