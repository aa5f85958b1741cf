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
from ..packs.model import Pack, Rule

ENGINES = ("durable", "python")


class Firing(NamedTuple):
    rule: Rule
    fact: Fact


class Engine(Protocol):
    name: str

    def run(self, facts: Sequence[Fact]) -> list[Firing]: ...


class EngineUnavailable(Exception):
    pass


def rules_for_stage(pack: Pack, stage: str) -> list[Rule]:
    return [rule for rule in pack.rules if not rule.stages or stage in rule.stages]


def durable_available() -> bool:
    try:
        import durable_rules_engine  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=64)
def get_engine(name: str, pack: Pack, stage: str) -> Engine:
    """The engine `name` for `pack` at `stage`, built once per process."""
    if name == "python":
        from .python_engine import PythonEngine

        return PythonEngine(pack, stage)
    if name == "durable":
        if not durable_available():
            raise EngineUnavailable("durable_rules cannot be imported here; use --engine python")
        from .durable_engine import DurableEngine

        return DurableEngine(pack, stage)
    raise ValueError(f"unknown engine {name!r}")
