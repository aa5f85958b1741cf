"""Rule engines: each fires a pack's rules for one stage over one case's facts.

`python` interprets the normalised IR directly; `durable` compiles it to a durable_rules
ruleset.  Both return the same firings (the differential tests hold them to it); the durable
engine is the default, the python engine the reference, the engine behind `explain`, and the
fallback where durable_rules cannot be imported.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from ..facts.derive import Fact
from ..packs.ir import fired_field
from ..packs.model import Pack, Rule

ENGINES = ("durable", "python")


class Firing(NamedTuple):
    rule: Rule
    fact: Fact


class Engine(Protocol):
    name: str

    def run(self, facts: Sequence[Fact]) -> list[Firing]: ...

    def run_many(self, cases: Sequence[Sequence[Fact]]) -> list[list[Firing]]:
        """The firings of each of several cases' facts: the same as `run` on each (a case's
        firings never depend on another case's facts); all-or-nothing: it raises if any fails."""
        ...


class EngineUnavailable(Exception):
    pass


def rules_for_stage(pack: Pack, stage: str, level: int = 1) -> list[Rule]:
    """The rules of a case stage, of rule stage 1 (facts only) or 2 (fired / not_fired)."""
    return [
        rule
        for rule in pack.rules
        if (not rule.stages or stage in rule.stages) and bool(rule.depends_on) == (level == 2)
    ]


class TwoStages:
    """Stage 1 over the facts, then stage 2 over the same facts with "rule X fired" added to
    the fact types stage-2 rules read (SPEC 6.3).  Lint keeps stage 2 free of chains."""

    def __init__(self, name: str, first: Engine, second: Engine | None, second_rules: Sequence[Rule]) -> None:
        self.name = name
        self._first, self._second = first, second
        self._types = {rule.for_each for rule in second_rules}
        self._tested = sorted({r for rule in second_rules for r in rule.depends_on})

    def run(self, facts: Sequence[Fact]) -> list[Firing]:
        firings = self._first.run(facts)
        if self._second is None:
            return firings
        return firings + self._second.run(with_fired(facts, firings, self._types, self._tested))

    def run_many(self, cases: Sequence[Sequence[Fact]]) -> list[list[Firing]]:
        firsts = self._first.run_many(cases)
        if self._second is None:
            return firsts
        seconds = self._second.run_many(
            [with_fired(facts, f, self._types, self._tested) for facts, f in zip(cases, firsts, strict=True)]
        )
        return [first + second for first, second in zip(firsts, seconds, strict=True)]


def with_fired(
    facts: Sequence[Fact], firings: Sequence[Firing], types: set[str], tested: Sequence[str]
) -> list[Fact]:
    fired = {f.rule.id for f in firings}
    extra = {fired_field(rule_id): rule_id in fired for rule_id in tested}
    return [Fact(f.type, f.subject, {**f.values, **extra}) if f.type in types else f for f in facts]


def durable_available() -> bool:
    try:
        import durable_rules_engine  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=64)
def get_engine(name: str, pack: Pack, stage: str) -> Engine:
    """The engine `name` for `pack` at `stage` (both rule stages), built once per process."""
    second_rules = rules_for_stage(pack, stage, 2)
    first = _single(name, pack, rules_for_stage(pack, stage, 1), f"{stage}-1")
    second = _single(name, pack, second_rules, f"{stage}-2") if second_rules else None
    return TwoStages(name, first, second, second_rules)


def _single(name: str, pack: Pack, rules: list[Rule], label: str) -> Engine:
    if name == "python":
        from .python_engine import PythonEngine

        return PythonEngine(pack, rules)
    if name == "durable":
        if not durable_available():
            raise EngineUnavailable("durable_rules cannot be imported here; use --engine python")
        from .durable_engine import DurableEngine

        return DurableEngine(pack, rules, label)
    raise ValueError(f"unknown engine {name!r}")
