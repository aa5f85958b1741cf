"""The durable_rules engine, driven synchronously through its C API.

What this module does about durable_rules' traps (ENGINEERING.md):
- No `durable.engine.Host`: its timer threads run actions later, on another thread, and lose
  findings when the state is deleted.  Actions are pulled here, one by one, with
  `start_action_for_state` / `complete_and_start_action`, in the calling thread.
- Nothing runs inside an action, so no exception can be swallowed there: a firing is only the
  rule name and the fact id, turned into a finding afterwards.
- Every fact carries the case's own `sid` and a unique `id`; the state is deleted in
  `finally`, so sessions never pile up (durable_rules allows ~1,024 live ones).
- The ruleset is compiled once per (pack, stage) and process; its JSON is built fresh (the
  engine mutates what it is given).
- `not` is compiled away (negation normal form, in `ir`); comparisons with null are false in
  durable_rules and in the python engine alike.
- Only the fields some rule reads are asserted: facts stay small (durable_rules crashes on
  very wide facts) and encoding stays cheap.
- durable_rules 2.0.28 never initialises a new session's action context
  (`createStateNode` leaves `context.messages` / `context.stateFact` unset) and
  `delete_state` frees them when non-null: deleting a session in which no action ran frees
  garbage and crashes the process, depending on what the heap held before.  Completing an
  action NULLs both, so every session asserts a sentinel fact that one sentinel rule always
  matches: at least one action runs, and the state is deleted only after the action loop has
  drained.  If asserting fails, the session is left alone (one leaked slot) rather than deleted.
- durable_rules activates a rule once per satisfied branch of an `$or`: a fact that meets
  both alternatives fires the rule twice.  A rule fires once per fact, so firings are kept
  once per (rule, fact) — found by the differential test against the python engine.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import durable_rules_engine as dre

from ..facts.derive import Fact
from ..packs.ir import OPERATORS, All, AnyOf, Compare, Cond, FactRef, fields_used, resolve
from ..packs.model import Pack, Rule
from . import Firing

_ruleset_names = itertools.count()
_session_ids = itertools.count()
CAP = 1000  # matches per action; more simply arrive in further actions
SENTINEL_RULE = "sentinel"
SENTINEL_TYPE = "$sentinel"


class DurableEngineError(RuntimeError):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def compile_condition(cond: Cond, params: Mapping[str, Any]) -> dict[str, Any] | None:
    """A normalised condition as a durable_rules expression; None means "always"."""
    if isinstance(cond, All):
        parts = [p for p in (compile_condition(c, params) for c in cond.items) if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}
    if isinstance(cond, AnyOf):
        alternatives = [compile_condition(c, params) for c in cond.items]
        either = [p for p in alternatives if p is not None]
        if len(either) < len(alternatives):  # one alternative always holds
            return None
        return either[0] if len(either) == 1 else {"$or": either}
    if isinstance(cond, Compare):
        return _compare(cond, params)
    raise TypeError(f"not a normalised condition: {cond!r}")


def _compare(cond: Compare, params: Mapping[str, Any]) -> dict[str, Any]:
    op = OPERATORS[cond.op]
    name = cond.left.field
    if isinstance(cond.right, FactRef):
        return {op.durable: {name: {"$m": cond.right.field}}}
    value = resolve(cond.right, params)
    if op.name in ("in", "not_in"):
        word, test = ("$or", "$eq") if op.name == "in" else ("$and", "$neq")
        parts = [{test: {name: _encode(v)}} for v in value]
        return parts[0] if len(parts) == 1 else {word: parts}
    return {op.durable: {name: _encode(value)}}


class DurableEngine:
    name = "durable"

    def __init__(self, pack: Pack, rules: Sequence[Rule], label: str) -> None:
        params = pack.param_values()
        self._rules: dict[str, Rule] = {}
        self._fields: dict[str, set[str]] = {}
        definition: dict[str, Any] = {}
        for index, rule in enumerate(rules):
            key = f"r{index}"
            self._rules[key] = rule
            self._fields.setdefault(rule.for_each, set()).update(fields_used(rule.normal))
            condition = compile_condition(rule.normal, params)
            pattern = (
                {"t": rule.for_each} if condition is None else {"$and": [{"t": rule.for_each}, condition]}
            )
            # cap: all of a rule's matches in one action, not one round trip per firing
            definition[key] = {"all": [{"m": pattern}], "cap": CAP}
        definition[SENTINEL_RULE] = {"all": [{"m": {"t": SENTINEL_TYPE}}], "cap": CAP}
        name = f"certeval-{pack.id}-{label}-{next(_ruleset_names)}"
        self._handle = dre.create_ruleset(name, json.dumps(definition))

    def run(self, facts: Sequence[Fact]) -> list[Firing]:
        sid = str(next(_session_ids))
        asserted = []
        for index, fact in enumerate(facts):
            fields = self._fields.get(fact.type)
            if fields is None:
                continue  # no rule of this stage reads this fact type
            record = {name: _encode(fact.values[name]) for name in fields}
            record.update(t=fact.type, id=index, sid=sid)
            asserted.append(record)
        asserted.append({"t": SENTINEL_TYPE, "id": len(facts), "sid": sid})
        seen: set[tuple[str, int]] = set()
        firings: list[Firing] = []
        try:
            _code, state = dre.assert_facts(self._handle, json.dumps(asserted))
        except Exception as e:  # the C extension raises bare exceptions with error codes
            raise DurableEngineError(f"durable_rules could not assert the facts: {e}") from e
        try:
            # _code 1 only means that some fact matched no rule
            result = dre.start_action_for_state(self._handle, state)
            message = json.loads(result[1]) if result else None
            while message:
                for key, frames in message.items():
                    if key == SENTINEL_RULE:
                        continue
                    for frame in frames if isinstance(frames, list) else [frames]:
                        fact_id = frame["m"]["id"]
                        if (key, fact_id) not in seen:
                            seen.add((key, fact_id))
                            firings.append(Firing(self._rules[key], facts[fact_id]))
                nxt = dre.complete_and_start_action(self._handle, state)
                message = json.loads(nxt) if nxt else None
        except Exception as e:
            raise DurableEngineError(f"durable_rules failed while firing: {e}") from e
        finally:
            dre.delete_state(self._handle, sid)
        return firings
