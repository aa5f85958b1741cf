"""`certeval rules lint`: what loading a pack does not already refuse.

Loading rejects everything that would make a pack wrong (unknown facts, operators, parameters,
predicates and placeholders, bad types, duplicate IDs, missing texts); lint adds what makes a
pack suspicious or incomplete:

- error: a rule whose condition can never hold (`x < 3` and `x > 5`; `kind = a` and `kind = b`);
- error: a rule without a fixture that fires it and one that does not;
- warning: a negated comparison on a nullable field (with null, neither the comparison nor its
  negation holds, so `not` does not mean "otherwise");
- error: a rule without `requirement {zh, en}` or whose clause is free text rather than
  `{source, ref}` (client documents quote both, SPEC 8.2; an unknown source fails loading);
- warning: a parameter that nothing uses.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..base.errors import PackError, Problem
from ..packs.catalogue import CATALOGUE
from ..packs.ir import (
    OPERATORS,
    All,
    AnyOf,
    Compare,
    Cond,
    FactRef,
    Literal,
    Not,
    Param,
    Ref,
    expand,
    resolve,
)
from ..packs.loader import PYTHON_PARAMETERS
from ..packs.model import Pack, Rule
from .fixtures import coverage, load_fixtures

MAX_CONJUNCTIONS = 512  # beyond this a condition is assumed satisfiable rather than expanded


@dataclass(frozen=True, order=True)
class LintMessage:
    file: str
    line: int | None
    level: str  # error | warning
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level}: {self.rule}: {self.message}"


# ------------------------------------------------------------------------------ satisfiability
def _conjunctions(cond: Cond) -> Iterator[list[Compare]] | None:
    """The condition (normalised) as a disjunction of conjunctions, or None if too large."""
    if isinstance(cond, Compare):
        return iter([[cond]])
    if isinstance(cond, AnyOf):
        parts = [_conjunctions(c) for c in cond.items]
        if any(p is None for p in parts):
            return None
        return itertools.chain.from_iterable(p for p in parts if p is not None)
    if isinstance(cond, All):
        lists = []
        size = 1
        for item in cond.items:
            sub = _conjunctions(item)
            if sub is None:
                return None
            options = list(sub)
            size *= max(1, len(options))
            if size > MAX_CONJUNCTIONS:
                return None
            lists.append(options)
        return ([c for part in combo for c in part] for combo in itertools.product(*lists))
    raise TypeError(f"not a normalised condition: {cond!r}")


def _satisfiable(conjunction: list[Compare], params: dict[str, Any]) -> bool:
    """Whether comparisons of fields with constants can all hold at once (fact-to-fact
    comparisons are assumed satisfiable)."""
    by_field: dict[str, list[tuple[str, Any]]] = {}
    for compare in conjunction:
        if isinstance(compare.right, FactRef):
            continue
        by_field.setdefault(compare.left.field, []).append((compare.op, resolve(compare.right, params)))
    for field_name, tests in by_field.items():
        fact_type = conjunction[0].left.type
        fdef = CATALOGUE[fact_type].fields.get(field_name)
        # a field outside the catalogue is a stage-2 "rule X fired" flag
        candidates = _candidates(tests, fdef.type, fdef.values) if fdef else [True, False]
        if not any(
            all(OPERATORS[op].test(value, constant) for op, constant in tests) for value in candidates
        ):
            return False
    return True


def _candidates(tests: list[tuple[str, Any]], kind: str, values: tuple[str, ...]) -> list[Any]:
    """Values worth trying: every constant, and just above and below each number."""
    if kind == "bool":
        return [True, False]
    constants: list[Any] = []
    for _op, constant in tests:
        constants.extend(constant if isinstance(constant, tuple) else [constant])
    if kind in ("int", "number"):
        numbers = [c for c in constants if isinstance(c, (int, float)) and not isinstance(c, bool)]
        step = 1 if kind == "int" else 1e-9
        return [n + d for n in numbers for d in (-step, 0, step)] or [0]
    return list(values) + constants + ["\0unlisted"]


def unreachable(rule: Rule, pack: Pack) -> bool:
    conjunctions = _conjunctions(rule.normal)
    if conjunctions is None:
        return False
    params = pack.param_values()
    return not any(_satisfiable(c, params) for c in conjunctions)


# ------------------------------------------------------------------------------------ warnings
def _guarded(group: All | AnyOf) -> bool:
    """A group that also tests a `has_…` flag guards its nullable comparisons."""
    return any(
        isinstance(item, Compare) and item.left.field.startswith("has_") and isinstance(item.right, Literal)
        for item in group.items
    )


def _negated_nullable(
    cond: Cond, predicates: dict[str, tuple[str, Cond]], negated: bool = False
) -> Iterator[FactRef]:
    if isinstance(cond, Not):
        yield from _negated_nullable(cond.item, predicates, not negated)
    elif isinstance(cond, (All, AnyOf)):
        if negated and _guarded(cond):
            return
        for item in cond.items:
            yield from _negated_nullable(item, predicates, negated)
    elif isinstance(cond, Ref):
        yield from _negated_nullable(predicates[cond.name][1], predicates, negated)
    elif negated and isinstance(cond, Compare):
        refs = [cond.left] + ([cond.right] if isinstance(cond.right, FactRef) else [])
        for ref in refs:
            if CATALOGUE[ref.type].fields[ref.field].nullable:
                yield ref


def _parameters_used(pack: Pack) -> set[str]:
    used = set(PYTHON_PARAMETERS)
    for fact in CATALOGUE.values():
        for fdef in fact.fields.values():
            used.update(fdef.params)

    def walk(cond: Cond) -> None:
        if isinstance(cond, (All, AnyOf)):
            for item in cond.items:
                walk(item)
        elif isinstance(cond, Not):
            walk(cond.item)
        elif isinstance(cond, Compare) and isinstance(cond.right, Param):
            used.add(cond.right.name)

    predicates = {name: (p.for_each, p.when) for name, p in pack.predicates.items()}
    for rule in pack.rules:
        walk(expand(rule.when, predicates))
        if rule.due_days:
            used.add(rule.due_days)
        texts = [rule.message.zh, rule.message.en] + ([rule.action.zh, rule.action.en] if rule.action else [])
        for text in texts:
            used.update(part.split("}")[0] for part in text.split("{param.")[1:])
    walk(pack.notifications_when)
    return used


# -------------------------------------------------------------------------------------- lint
def _citation_messages(rule: Rule) -> list[LintMessage]:
    messages = []
    if rule.requirement is None:
        messages.append(
            LintMessage(
                rule.file, rule.line, "error", rule.id, "no requirement {zh, en}: what the rule requires"
            )
        )
    if rule.clause_ref is None:
        messages.append(
            LintMessage(
                rule.file,
                rule.line,
                "error",
                rule.id,
                "clause is free text: cite {source, ref} with a source of the pack's `sources`",
            )
        )
    return messages


def lint_pack(pack: Pack) -> list[LintMessage]:
    messages: list[LintMessage] = []
    predicates = {name: (p.for_each, p.when) for name, p in pack.predicates.items()}
    for rule in pack.rules:
        messages += _citation_messages(rule)
        if unreachable(rule, pack):
            messages.append(
                LintMessage(rule.file, rule.line, "error", rule.id, "the condition can never hold")
            )
        for ref in dict.fromkeys(_negated_nullable(rule.when, predicates)):
            messages.append(
                LintMessage(
                    rule.file,
                    rule.line,
                    "warning",
                    rule.id,
                    f"`not` over {ref}, which may be null: with null neither the test nor its negation holds;"
                    " test a has_… flag first",
                )
            )
    try:
        cases = load_fixtures(pack)
    except PackError as e:
        messages += [
            LintMessage(p.file, p.line, "error", "fixtures", f"{p.field}: {p.message}") for p in e.problems
        ]
        cases = []
    counts = coverage(pack, cases)
    for rule in pack.rules:
        firing, quiet = counts[rule.id]
        missing = [what for what, n in (("that fires it", firing), ("that does not", quiet)) if not n]
        if missing:
            messages.append(
                LintMessage(
                    rule.file, rule.line, "error", rule.id, f"no fixture {' and none '.join(missing)}"
                )
            )
    pack_file = str(pack.directory / "pack.yaml")
    for name in sorted(set(pack.parameters) - _parameters_used(pack)):
        messages.append(
            LintMessage(pack_file, None, "warning", "parameters", f"parameter {name} is not used")
        )
    return sorted(messages)


def problems_as_messages(problems: list[Problem]) -> list[LintMessage]:
    return [LintMessage(p.file, p.line, "error", p.field or "pack", p.message) for p in problems]
