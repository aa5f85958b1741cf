"""A case as it was known on an earlier date (SPEC 7.2): the basis of "as of decision.date".

Every dated list entry (incidents, surveillance records, changes, responses, verifications)
dated after the date is left out, a change notified after it counts as not yet notified, and
the recorded decision itself is dropped.  Undated facts (validity ends, suspension_until, the
score sheet) stay as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TypeVar

from ..base.case_model import Case, Evaluation

T = TypeVar("T")


def _lifecycle_known_on(item: T, day: dt.date) -> T:
    responses = tuple(r for r in item.responses if r.received_on <= day)  # type: ignore[attr-defined]
    verifications = tuple(v for v in item.verifications if v.date <= day)  # type: ignore[attr-defined]
    return replace(item, responses=responses, verifications=verifications)  # type: ignore[type-var]


def _evaluation_known_on(evaluation: Evaluation | None, day: dt.date) -> Evaluation | None:
    if evaluation is None:
        return None
    return replace(
        evaluation,
        nonconformities=tuple(_lifecycle_known_on(nc, day) for nc in evaluation.nonconformities),
        special_deductions=tuple(_lifecycle_known_on(sd, day) for sd in evaluation.special_deductions),
    )


def known_on(case: Case, day: dt.date) -> Case:
    """`case` with as_of = `day`, restricted to what was known then, without its decision."""
    changes = None
    if case.changes is not None:
        changes = tuple(
            c if c.notified_on is None or c.notified_on <= day else replace(c, notified_on=None)
            for c in case.changes
            if c.date <= day
        )
    return replace(
        case,
        as_of=day,
        incidents=tuple(i for i in case.incidents if i.date <= day),
        surveillance=tuple(s for s in case.surveillance if s.date <= day),
        changes=changes,
        evaluation=_evaluation_known_on(case.evaluation, day),
        decision=None,
    )
