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
- A session costs more than the facts in it (≈ 14 µs for one fact alone, ≈ 4 µs a fact when
  they share one), so `run_many` asserts the facts of many cases into one session.  That is
  sound only because every rule tests one fact: facts of different cases never meet.  Each
  fact carries its case key `c`, and a firing goes to the case its fact names.  Whether every
  compiled rule really is a one-fact rule is checked when the ruleset is built
  (`joins_facts`); a ruleset with a join runs one session per case.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import durable_rules_engine as dre

from ..facts.derive import Fact
from ..packs.catalogue import CATALOGUE
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


# the keys an asserted fact carries for the engine; a fact field of the same name is renamed
ENGINE_KEYS = frozenset({"t", "id", "c", "sid"})


def asserted_name(field: str) -> str:
    return f"_{field}" if field in ENGINE_KEYS else field


def _compare(cond: Compare, params: Mapping[str, Any]) -> dict[str, Any]:
    op = OPERATORS[cond.op]
    name = asserted_name(cond.left.field)
    if isinstance(cond.right, FactRef):
        return {op.durable: {name: {"$m": asserted_name(cond.right.field)}}}
    value = resolve(cond.right, params)
    if op.name in ("in", "not_in"):
        word, test = ("$or", "$eq") if op.name == "in" else ("$and", "$neq")
        parts = [{test: {name: _encode(v)}} for v in value]
        return parts[0] if len(parts) == 1 else {word: parts}
    return {op.durable: {name: _encode(value)}}


def joins_facts(rule: Rule, definition: Mapping[str, Any]) -> bool:
    """Whether a compiled rule could match two facts together.  Only what this module compiles
    passes: one pattern, whose expression compares fields of its own fact (`$m`) with
    constants; anything else (a second pattern, `any`, another alias, state) counts as a join."""
    terms = definition.get("all")
    if set(definition) - {"all", "cap"} or not isinstance(terms, list) or len(terms) != 1:
        return True
    if any(ref.type != rule.for_each for ref in fact_refs(rule.normal)):
        return True
    (pattern,) = terms
    return not (
        isinstance(pattern, Mapping) and len(pattern) == 1 and _one_fact(next(iter(pattern.values())))
    )


_COMPARISONS = frozenset(op.durable for op in OPERATORS.values() if op.durable)


def _one_fact(expr: Any) -> bool:
    if not isinstance(expr, Mapping) or len(expr) != 1:
        return False
    ((key, body),) = expr.items()
    if key in ("$and", "$or"):
        return isinstance(body, list) and all(_one_fact(part) for part in body)
    if key in _COMPARISONS:
        return isinstance(body, Mapping) and len(body) == 1 and _own_operand(next(iter(body.values())))
    return not key.startswith("$") and _own_operand(body)  # {"t": "licence"}: equality


def _own_operand(value: Any) -> bool:
    """A constant, or a field of the fact itself."""
    if isinstance(value, Mapping):
        return set(value) == {"$m"} and isinstance(value["$m"], str)
    return not isinstance(value, list)


def fact_refs(cond: Cond) -> list[FactRef]:
    """Every fact field a normalised condition names, on either side of a comparison."""
    if isinstance(cond, (All, AnyOf)):
        return [ref for item in cond.items for ref in fact_refs(item)]
    if isinstance(cond, Compare):
        return [cond.left, cond.right] if isinstance(cond.right, FactRef) else [cond.left]
    raise TypeError(f"not a normalised condition: {cond!r}")


def _date_ordinal(value: Any) -> Any:
    """json's fallback for what it cannot encode: a date becomes its day number."""
    if isinstance(value, dt.date):
        return value.toordinal()
    raise TypeError(f"a {type(value).__name__} cannot be asserted as a fact field")


# no circular-reference bookkeeping: records are flat dicts built here
_dumps = json.JSONEncoder(default=_date_ordinal, separators=(",", ":"), check_circular=False).encode


RecordBuilder = Callable[[Mapping[str, Any], int, int, str], dict[str, Any]]


def record_builder(fact_type: str, fields: Sequence[str]) -> RecordBuilder:
    """The asserted record of a fact of `fact_type`: the fields rules read (dates as day
    numbers), its type, its id in the session, its case key and the session.  Generated once
    per ruleset as one dict display (as namedtuple generates its methods): three times faster
    than a loop over the fields, and this runs for every fact of every case.  Names and the type
    go in as repr() literals; a date the catalogue does not announce still meets `_dumps`'s
    fallback."""
    declared = CATALOGUE[fact_type].fields if fact_type in CATALOGUE else {}
    items = []
    for name in fields:
        value = f"v[{name!r}]"
        if name in declared and declared[name].type == "date":
            value = f"(None if (x := {value}) is None else x.toordinal())"
        items.append(f"{asserted_name(name)!r}: {value}, ")
    source = f"lambda v, i, c, sid: {{{''.join(items)}'t': {fact_type!r}, 'id': i, 'c': c, 'sid': sid}}"
    builder: RecordBuilder = eval(source, {})  # built from catalogue names, repr-quoted
    return builder


class DurableEngine:
    name = "durable"

    def __init__(self, pack: Pack, rules: Sequence[Rule], label: str) -> None:
        params = pack.param_values()
        self._rules: dict[str, Rule] = {}
        fields: dict[str, set[str]] = {}
        definition: dict[str, Any] = {}
        joins = False
        for index, rule in enumerate(rules):
            key = f"r{index}"
            self._rules[key] = rule
            fields.setdefault(rule.for_each, set()).update(fields_used(rule.normal))
            condition = compile_condition(rule.normal, params)
            pattern = (
                {"t": rule.for_each} if condition is None else {"$and": [{"t": rule.for_each}, condition]}
            )
            # cap: all of a rule's matches in one action, not one round trip per firing
            definition[key] = {"all": [{"m": pattern}], "cap": CAP}
            joins = joins or joins_facts(rule, definition[key])
        definition[SENTINEL_RULE] = {"all": [{"m": {"t": SENTINEL_TYPE}}], "cap": CAP}
        # per fact type, once: a function that builds its record from the fields rules read
        self._records = {t: record_builder(t, sorted(names)) for t, names in fields.items()}
        self.shares_sessions = not joins
        name = f"certeval-{pack.id}-{label}-{next(_ruleset_names)}"
        self._handle = dre.create_ruleset(name, json.dumps(definition))

    def run(self, facts: Sequence[Fact]) -> list[Firing]:
        return self._session([facts])[0]

    def run_many(self, cases: Sequence[Sequence[Fact]]) -> list[list[Firing]]:
        """The firings of each case; one session for all of them where the rules allow it."""
        if not self.shares_sessions:
            return [self._session([facts])[0] for facts in cases]
        return self._session(cases)

    def _records_of(
        self, cases: Sequence[Sequence[Fact]], sid: str, flat: list[Fact]
    ) -> list[dict[str, Any]]:
        """The records to assert, the sentinel last; `flat` gets each asserted fact."""
        asserted = []
        records = self._records
        for case_key, facts in enumerate(cases):
            for fact in facts:
                build = records.get(fact.type)
                if build is None:
                    continue  # no rule of this stage reads this fact type
                asserted.append(build(fact.values, len(flat), case_key, sid))
                flat.append(fact)
        asserted.append({"t": SENTINEL_TYPE, "id": len(flat), "sid": sid})
        return asserted

    def _session(self, cases: Sequence[Sequence[Fact]]) -> list[list[Firing]]:
        sid = str(next(_session_ids))
        flat: list[Fact] = []  # a fact's id is its place here, unique in the session
        try:
            encoded = _dumps(self._records_of(cases, sid, flat))
            _code, state = dre.assert_facts(self._handle, encoded)
        except Exception as e:  # the C extension raises bare exceptions with error codes
            raise DurableEngineError(f"durable_rules could not assert the facts: {e}") from e
        firings: list[list[Firing]] = [[] for _ in cases]
        seen: set[tuple[str, int]] = set()
        rules = self._rules
        try:
            # _code 1 only means that some fact matched no rule
            result = dre.start_action_for_state(self._handle, state)
            message = json.loads(result[1]) if result else None
            while message:
                for key, frames in message.items():
                    if key == SENTINEL_RULE:
                        continue
                    for frame in frames if isinstance(frames, list) else [frames]:
                        matched = frame["m"]
                        fact_id = matched["id"]
                        if (key, fact_id) not in seen:
                            seen.add((key, fact_id))
                            firings[matched["c"]].append(Firing(rules[key], flat[fact_id]))
                nxt = dre.complete_and_start_action(self._handle, state)
                message = json.loads(nxt) if nxt else None
        except Exception as e:
            raise DurableEngineError(f"durable_rules failed while firing: {e}") from e
        finally:
            dre.delete_state(self._handle, sid)
        return firings
