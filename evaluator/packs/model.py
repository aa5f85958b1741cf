"""What a loaded rule pack is: policy data, parameters with their sources, and rules."""

from __future__ import annotations

import functools
from dataclasses import field
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..base.i18n import Text
from ..base.records import record
from .ir import Cond, FactRef


@record
class Parameter:
    name: str
    value: Any  # int, float or a list of strings
    source: str
    unit: str | None = None
    description: Text | None = None


@record
class Category:
    id: str
    max: Fraction
    label: Text


@record
class Indicator:
    id: str
    category: str
    label: Text
    excludable: bool
    points: Fraction | None = None  # fixed available points, when the pack knows them


@record
class Grade:
    id: str
    min: Fraction
    label: Text


@record
class DocumentDef:
    key: str
    label: Text
    required: str  # always | licence_required | optional


@record
class EvidenceDef:
    key: str
    label: Text
    minimum: int
    covers_scope: bool


@record
class ChangeKind:
    key: str
    label: Text


@record
class Table:
    """A table of pack data with the source it comes from (shown by `rules docs`)."""

    name: str
    source: str
    rows: tuple[Any, ...]


@record
class Predicate:
    name: str
    for_each: str
    when: Cond
    description: Text | None = None


@record
class Recommendation:
    """The certificate status a finding of the rule argues for (SPEC 1.6)."""

    status: str
    when: Cond | None = None  # on the finding's fact; None: always


@record
class ClauseRef:
    """Where a rule's requirement is written: a key of the pack's sources and a locator."""

    source: str
    ref: str

    def as_dict(self) -> dict[str, str]:
        return {"ref": self.ref, "source": self.source}


@record
class Rule:
    id: str
    title: Text
    area: str
    clause: str  # the rendered citation (Chinese), as the result JSON carries it
    severity: str  # a severity, or "recorded" when it comes from the fact
    audience: str
    stages: tuple[str, ...]
    for_each: str
    when: Cond  # as written (for explain and docs)
    normal: Cond  # predicates inlined, negations pushed down (what the engines run)
    message: Text
    action: Text | None
    anchor: str  # as_of | evaluation: what the action's due date counts from
    facts: tuple[FactRef, ...]
    severity_fact: FactRef | None = None
    recommends: Recommendation | None = None
    description: Text | None = None
    clause_ref: ClauseRef | None = None  # None: a legacy free-text clause (lint refuses it)
    citation: Text | None = None  # the rendered citation per language
    requirement: Text | None = None
    due_fact: FactRef | None = None  # the action is due on this date field of the fact
    due_days: str | None = None  # else: anchor + this parameter (default major_days / minor_days)
    depends_on: tuple[str, ...] = ()  # stage 2 (SPEC 6.3): the rules its fired / not_fired tests name
    pack: str = ""
    file: str = ""
    line: int | None = None


@record
class Area:
    name: str
    title: Text
    file: str


@record(eq=False)  # identity: a pack is loaded once per process and cached
class Pack:
    id: str
    version: str
    title: Text
    standard: str
    description: Text | None
    directory: Path
    lineage: tuple[str, ...]  # pack ids from the root ancestor to this pack
    sha256: str
    parameters: dict[str, Parameter]
    tables: dict[str, Table]
    categories: dict[str, Category]
    indicators: dict[str, Indicator]
    grades: tuple[Grade, ...]  # highest threshold first
    documents: dict[str, DocumentDef]
    evidence: dict[str, EvidenceDef]
    change_kinds: dict[str, ChangeKind]
    predicates: dict[str, Predicate]
    notifications_when: Cond  # normalised; over change facts
    status_precedence: tuple[str, ...]
    areas: tuple[Area, ...]
    rules: tuple[Rule, ...]
    sources: dict[str, Text] = field(default_factory=dict)
    fixture_dirs: tuple[Path, ...] = field(default=())  # this pack's first, then its ancestors'

    def param(self, name: str) -> Any:
        return self.parameters[name].value

    def integer(self, name: str) -> int:
        value = self.parameters[name].value
        assert isinstance(value, int) and not isinstance(value, bool), name
        return value

    def number(self, name: str) -> Fraction:
        return self._numbers[name]

    @functools.cached_property
    def _numbers(self) -> dict[str, Fraction]:
        """Every numeric parameter as the exact number written in the pack."""
        return {
            name: Fraction(p.value) if isinstance(p.value, int) else Fraction(repr(p.value))
            for name, p in self.parameters.items()
            if isinstance(p.value, (int, float)) and not isinstance(p.value, bool)
        }

    def param_values(self) -> dict[str, Any]:
        return self._param_values

    @functools.cached_property
    def _param_values(self) -> dict[str, Any]:
        # computed once: findings read parameters for every message they render
        return {name: p.value for name, p in self.parameters.items()}

    @property
    def stage1_rules(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if not r.depends_on)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def grade_label(self, grade: str | None) -> Text | None:
        return next((g.label for g in self.grades if g.id == grade), None)
