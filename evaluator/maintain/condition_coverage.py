"""Condition coverage of a pack's fixtures: does each comparison of each rule ever decide it?

A comparison *decides* a rule on a fact when flipping that comparison alone would flip whether
the rule holds there (the unique-cause idea of MC/DC).  A comparison is covered when the
fixtures show it deciding the rule once while true and once while false: then a wrong operator,
threshold or field in it changes a fixture's outcome.  A comparison that never decides is one a
typo could hide in.  Every fixture case of the pack counts for every rule, and only at the
stages where the rule runs; the facts come from the evaluations `rules test` made anyway, and
`explain.trace` walks each rule over them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..api import Evaluation
from ..packs import Pack
from .explain import Step, stage_values, trace

Position = tuple[int, ...]  # child indices from the root of a rule's trace to one comparison


@dataclass
class ComparisonCoverage:
    text: str  # the comparison as `explain` shows it, e.g. `certificate.certified = true`
    decided_true: bool = False  # seen deciding the rule while it held
    decided_false: bool = False  # … while it did not

    @property
    def covered(self) -> bool:
        return self.decided_true and self.decided_false


@dataclass
class RuleCoverage:
    rule: str
    comparisons: dict[Position, ComparisonCoverage] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return sum(1 for c in self.comparisons.values() if c.covered)


def _leaves(step: Step, path: Position = ()) -> Iterable[tuple[Position, Step]]:
    if step.leaf is not None:
        yield path, step
    for index, child in enumerate(step.children):
        yield from _leaves(child, (*path, index))


def _held_with_flip(step: Step, flipped: Position, path: Position = ()) -> bool:
    """Whether `step` holds when the comparison at `flipped` gives the opposite answer."""
    if step.leaf is not None:
        return step.held != (path == flipped)
    if flipped[: len(path)] != path:
        return step.held  # the flipped comparison is not below this step
    results = (_held_with_flip(child, flipped, (*path, i)) for i, child in enumerate(step.children))
    return all(results) if step.conjunctive else any(results)


def measure(pack: Pack, evaluations: Iterable[Evaluation]) -> list[RuleCoverage]:
    """Coverage per rule of the pack (in pack order) over the fixtures' evaluations."""
    coverage = {rule.id: RuleCoverage(rule.id) for rule in pack.rules}
    for evaluation in evaluations:
        stage, facts = evaluation.case.stage, evaluation.derived.facts
        for rule in pack.rules:
            if rule.stages and stage not in rule.stages:
                continue
            seen = coverage[rule.id].comparisons
            for fact in facts:
                if fact.type != rule.for_each:
                    continue
                root = trace(rule.when, stage_values(evaluation, rule, fact), pack, "en")
                for path, leaf in _leaves(root):
                    entry = seen.setdefault(path, ComparisonCoverage(leaf.text))
                    if _held_with_flip(root, path) != root.held:
                        if leaf.held:
                            entry.decided_true = True
                        else:
                            entry.decided_false = True
    for rule in pack.rules:  # comparisons no fixture reached still count, as uncovered
        for path, leaf in _leaves(trace(rule.when, {}, pack, "en")):
            coverage[rule.id].comparisons.setdefault(path, ComparisonCoverage(leaf.text))
    return list(coverage.values())


def render(pack_id: str, rules: list[RuleCoverage]) -> str:
    """The report: the total, then each comparison that is not covered and which way it lacks."""
    total = sum(len(r.comparisons) for r in rules)
    covered = sum(r.covered for r in rules)
    shown = int(percent_covered(rules))  # cut, not rounded: 81.7 % must not read as a met 82 %
    lines = [f"{pack_id}: condition coverage {covered}/{total} comparisons ({shown} %)"]
    for rule in rules:
        for entry in rule.comparisons.values():
            if entry.covered:
                continue
            if entry.decided_true:
                missing = "never decided the rule while false"
            elif entry.decided_false:
                missing = "never decided the rule while true"
            else:
                missing = "never decided the rule"
            lines.append(f"  {rule.rule}: {entry.text}: {missing}")
    if covered < total:
        lines.append(
            "  (each one is untested - add a fixture where only it changes - or a guard the rule's other"
            " comparisons or case validation already imply)"
        )
    return "\n".join(lines) + "\n"


def percent_covered(rules: list[RuleCoverage]) -> float:
    total = sum(len(r.comparisons) for r in rules)
    return 100.0 * sum(r.covered for r in rules) / total if total else 100.0
