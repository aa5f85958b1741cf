"""The reference engine: the normalised condition of each rule, compiled to Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ..facts.derive import Fact
from ..packs.ir import Predicate, compile_python
from ..packs.model import Pack, Rule
from . import Firing


class PythonEngine:
    name = "python"

    def __init__(self, pack: Pack, rules: Sequence[Rule]) -> None:
        params = pack.param_values()
        self._by_type: dict[str, list[tuple[Rule, Predicate]]] = defaultdict(list)
        for rule in rules:
            self._by_type[rule.for_each].append((rule, compile_python(rule.normal, params)))

    def run(self, facts: Sequence[Fact]) -> list[Firing]:
        firings = []
        for fact in facts:
            for rule, holds in self._by_type.get(fact.type, ()):
                if holds(fact.values):
                    firings.append(Firing(rule, fact))
        return firings

    def run_many(self, cases: Sequence[Sequence[Fact]]) -> list[list[Firing]]:
        return [self.run(facts) for facts in cases]
