"""Checks that need several fields of a case at once (SPEC §1.1, §1.3-1.5, §3).

The schema has already checked each field on its own; these checks find dates after as_of,
score sheets that do not add up, items listed twice, and sections that make no sense without
the certificate.  Each problem names the field and its line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from ..base.case_model import GRADED_OUTCOMES, Case
from ..base.errors import Problem
from ..base.schema_language import item_path
from ..base.yamlsafe import LocDict, LocList
from ..packs.model import Pack


def line_at(doc: Any, *path: str | int) -> int | None:
    """The line of the deepest existing node on `path` in a located document."""
    node, line = doc, getattr(doc, "line", None)
    for part in path:
        if isinstance(part, int) and isinstance(node, LocList) and 0 <= part < len(node):
            line, node = node.item_lines[part], node[part]
        elif isinstance(part, str) and isinstance(node, LocDict) and part in node:
            line, node = node.key_lines.get(part, line), node[part]
        else:
            break
    return line


def _fmt(number: Fraction) -> str:
    return str(number.numerator) if number.denominator == 1 else f"{float(number):g}"


class _Checker:
    def __init__(self, case: Case, pack: Pack, doc: Any, file: str) -> None:
        self.case, self.pack, self.doc, self.file = case, pack, doc, file
        self.problems: list[Problem] = []

    def error(self, path: tuple[str | int, ...], message: str, code: str = "", **values: Any) -> None:
        """`code` and `values` let a page say the message in its language (messages.py)."""
        field = ""
        for part in path:
            field = (
                item_path(field, part) if isinstance(part, int) else (f"{field}.{part}" if field else part)
            )
        self.problems.append(
            Problem(self.file, line_at(self.doc, *path), field, message, code=code, values=values)
        )

    def dated(
        self,
        path: tuple[str | int, ...],
        relation: str,
        day: dt.date,
        other: str,
        other_day: dt.date,
        other_path: str = "",
    ) -> None:
        """`day` lies `relation` ("before" or "after") the date `other` names, as it may not."""
        values: dict[str, Any] = {"day": day, "other": other, "other_day": other_day}
        if other_path:
            values["other_path"] = other_path
        self.error(path, f"{day} is {relation} {other} {other_day}", f"date.{relation}", **values)

    def run(self) -> list[Problem]:
        self.dates_not_after_as_of()
        self.certificate_dates()
        self.scores()
        self.listed_once()
        self.lifecycle()
        self.team_and_decision()
        return self.problems

    # ------------------------------------------------------------------------------------ dates
    def _dated(self) -> Iterator[tuple[tuple[str | int, ...], dt.date | None]]:
        """Every date SPEC 1.1 forbids after as_of, with its path."""
        c = self.case
        for i, incident in enumerate(c.incidents):
            yield ("incidents", i, "date"), incident.date
        if c.application:
            yield ("application", "date"), c.application.date
        if c.evaluation:
            yield ("evaluation", "date"), c.evaluation.date
        for i, record in enumerate(c.surveillance):
            yield ("surveillance", i, "date"), record.date
        if c.certificate:
            yield ("certificate", "issued_on"), c.certificate.issued_on
            yield ("certificate", "suspended_on"), c.certificate.suspended_on
            yield ("certificate", "evaluated_on"), c.certificate.evaluated_on
        if c.service_system:
            yield ("service_system", "operating_since"), c.service_system.operating_since
        for i, change in enumerate(c.changes or ()):
            yield ("changes", i, "date"), change.date
            yield ("changes", i, "notified_on"), change.notified_on

    def dates_not_after_as_of(self) -> None:
        for path, day in self._dated():
            if day is not None and day > self.case.as_of:
                self.dated(path, "after", day, "as_of", self.case.as_of)

    def certificate_dates(self) -> None:
        c, cert = self.case, self.case.certificate
        if cert is None:
            for name, present in (
                ("surveillance", bool(c.surveillance)),
                ("extension", c.extension is not None),
            ):
                if present:
                    self.error(
                        (name,),
                        "needs a certificate: only a certified organisation has one",
                        "needs_certificate",
                    )
            return
        for i, record in enumerate(c.surveillance):
            if record.date < cert.issued_on:
                self.dated(
                    ("surveillance", i, "date"),
                    "before",
                    record.date,
                    "certificate.issued_on",
                    cert.issued_on,
                )
        if cert.evaluated_on and cert.evaluated_on > cert.issued_on:
            self.dated(
                ("certificate", "evaluated_on"),
                "after",
                cert.evaluated_on,
                "issued_on",
                cert.issued_on,
                "certificate.issued_on",
            )
        if cert.valid_until < cert.issued_on:
            self.dated(
                ("certificate", "valid_until"),
                "before",
                cert.valid_until,
                "issued_on",
                cert.issued_on,
                "certificate.issued_on",
            )
        if cert.status == "suspended" and cert.suspended_on is None:
            self.error(
                ("certificate", "suspended_on"),
                "status suspended needs suspended_on",
                "certificate.suspended_on",
            )
        if cert.suspended_on and cert.suspension_until and cert.suspension_until < cert.suspended_on:
            self.dated(
                ("certificate", "suspension_until"),
                "before",
                cert.suspension_until,
                "suspended_on",
                cert.suspended_on,
                "certificate.suspended_on",
            )

    # ----------------------------------------------------------------------------------- scores
    def scores(self) -> None:
        evaluation = self.case.evaluation
        if evaluation is None:
            return
        self._once(
            ("evaluation", "excluded"),
            [e.indicator for e in evaluation.excluded],
            "indicator",
            "is excluded twice",
            "item.excluded_twice",
        )
        if evaluation.scores is None:
            return
        scores = evaluation.scores
        for key, score in scores.items():
            if score.awarded > score.available:
                self.error(
                    ("evaluation", "scores", key, "awarded"),
                    f"{_fmt(score.awarded)} exceeds available {_fmt(score.available)}",
                    "score.exceeds_available",
                    awarded=_fmt(score.awarded),
                    available=_fmt(score.available),
                )
            fixed = self.pack.indicators[key].points
            if fixed is not None and score.available != fixed:
                self.error(
                    ("evaluation", "scores", key, "available"),
                    f"{_fmt(score.available)} differs from the pack's {_fmt(fixed)} points",
                    "score.available_differs",
                    available=_fmt(score.available),
                    points=_fmt(fixed),
                )
        for category in self.pack.categories.values():
            total = sum(
                (s.available for k, s in scores.items() if self.pack.indicators[k].category == category.id),
                Fraction(0),
            )
            if total != category.max:
                self.error(
                    ("evaluation", "scores"),
                    f"available points of the {category.id} indicators add up to {_fmt(total)},"
                    f" not the category maximum {_fmt(category.max)}",
                    "score.category_sum",
                    category=category.id,
                    category_label=category.label,
                    total=_fmt(total),
                    maximum=_fmt(category.max),
                )
        excluded = {e.indicator for e in evaluation.excluded if self.pack.indicators[e.indicator].excludable}
        if sum((s.available for k, s in scores.items() if k not in excluded), Fraction(0)) == 0:
            self.error(
                ("evaluation", "scores"),
                "the applicable indicators have no available points",
                "score.none_available",
            )

    # ----------------------------------------------------------------------------- duplicates
    def listed_once(self) -> None:
        c = self.case
        if c.application and c.application.documents:
            self._once(
                ("application", "documents"),
                list(c.application.documents),
                None,
                "is listed twice",
                "item.listed_twice",
            )
        self._once(
            ("evidence",), [e.item for e in c.evidence or ()], "item", "is listed twice", "item.listed_twice"
        )

    def _once(
        self, path: tuple[str, ...], keys: list[str], field: str | None, message: str, code: str
    ) -> None:
        seen: set[str] = set()
        for i, key in enumerate(keys):
            if key in seen:
                self.error((*path, i, field) if field else (*path, i), f"{key} {message}", code, item=key)
            seen.add(key)

    # ---------------------------------------------------------------------- lifecycle (SPEC 6.1)
    def lifecycle(self) -> None:
        evaluation = self.case.evaluation
        if evaluation is None:
            return
        sites = {s.name.strip() for s in evaluation.sites} if evaluation.sites is not None else None
        lists: list[tuple[str, tuple[Any, ...], list[str]]] = [
            ("nonconformities", evaluation.nonconformities, evaluation.nonconformity_ids()),
            ("special_deductions", evaluation.special_deductions, evaluation.special_deduction_ids()),
        ]
        first: dict[str, str] = {}
        for name, items, ids in lists:
            for i, (item, item_id) in enumerate(zip(items, ids, strict=True)):
                where = ("evaluation", name, i)
                if item_id in first:
                    self.error(
                        (*where, "id"),
                        f"{item_id} is also the id of {first[item_id]}",
                        "item.id_taken",
                        id=item_id,
                        other=first[item_id],
                    )
                else:
                    first[item_id] = f"evaluation.{name}[{i}]"
                if sites is not None and item.site is not None and item.site.strip() not in sites:
                    self.error(
                        (*where, "site"),
                        f'"{item.site}" is not a name in evaluation.sites',
                        "site.unknown",
                        site=item.site,
                    )
                if getattr(item, "severity", "minor") == "observation":
                    for key in ("responses", "verifications"):
                        if getattr(item, key):
                            self.error(
                                (*where, key),
                                "an observation carries no responses or verifications",
                                "observation.no_replies",
                            )
                    continue
                self._replies(where, item.responses, item.verifications, evaluation.date)

    def _replies(
        self,
        where: tuple[str | int, ...],
        responses: tuple[Any, ...],
        verifications: tuple[Any, ...],
        start: dt.date,
    ) -> None:
        for key, entries, field in (
            ("responses", responses, "received_on"),
            ("verifications", verifications, "date"),
        ):
            previous: dt.date | None = None
            for j, entry in enumerate(entries):
                day = getattr(entry, field)
                path = (*where, key, j, field)
                if day < start:
                    self.dated(path, "before", day, "evaluation.date", start)
                elif day > self.case.as_of:
                    self.dated(path, "after", day, "as_of", self.case.as_of)
                if previous is not None and day < previous:
                    self.error(
                        path,
                        f"{day} is before the entry above it ({previous}): list them oldest first",
                        "date.out_of_order",
                        day=day,
                        previous=previous,
                    )
                previous = day
        for j, verification in enumerate(verifications):
            if not any(r.received_on <= verification.date for r in responses):
                self.error(
                    (*where, "verifications", j),
                    f"verified on {verification.date} but no response was received on or before that date",
                    "verification.before_response",
                    day=verification.date,
                )

    # -------------------------------------------------------------- team and decision (SPEC 7.1)
    def team_and_decision(self) -> None:
        c, evaluation, decision = self.case, self.case.evaluation, self.case.decision
        if evaluation is not None and evaluation.start is not None and evaluation.start > evaluation.date:
            self.dated(("evaluation", "start"), "after", evaluation.start, "evaluation.date", evaluation.date)
        if decision is None:
            return
        if decision.date > c.as_of:
            self.dated(("decision", "date"), "after", decision.date, "as_of", c.as_of)
        if evaluation is not None and decision.date < evaluation.date:
            self.dated(("decision", "date"), "before", decision.date, "evaluation.date", evaluation.date)
        if evaluation is None and c.stage in ("initial", "recertification"):
            self.error(
                ("decision",),
                f"a decision at stage {c.stage} needs the evaluation it decides on",
                "decision.needs_evaluation",
                stage=c.stage,
            )
        graded = decision.outcome in GRADED_OUTCOMES
        if graded and decision.grade is None:
            self.error(
                ("decision", "grade"),
                f"outcome {decision.outcome} needs the grade decided",
                "decision.needs_grade",
                outcome=decision.outcome,
            )
        elif not graded and decision.grade is not None:
            self.error(
                ("decision", "grade"),
                f"outcome {decision.outcome} takes no grade",
                "decision.takes_no_grade",
                outcome=decision.outcome,
            )
        later: list[tuple[tuple[str | int, ...], dt.date | None]] = []
        if c.certificate:
            cert = c.certificate
            later += [
                (("certificate", "issued_on"), cert.issued_on),
                (("certificate", "evaluated_on"), cert.evaluated_on),
                (("certificate", "suspended_on"), cert.suspended_on),
            ]
        if c.application:
            later.append((("application", "date"), c.application.date))
        for path, day in later:
            if day is not None and day > decision.date:
                self.error(
                    path,
                    f"{day} is after decision.date {decision.date}: the decision cannot know it",
                    "date.after_decision",
                    day=day,
                    decision_day=decision.date,
                )


def check_case(case: Case, pack: Pack, doc: Any, file: str) -> list[Problem]:
    return _Checker(case, pack, doc, file).run()
