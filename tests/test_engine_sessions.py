"""Many cases in one durable_rules session (issue 18): the same bytes as one session per case and
as the python engine, a join detected when the ruleset is built, and one case's failure kept to
that case."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from evaluator import api
from evaluator.api import run, run_many
from evaluator.base.errors import CaseError
from evaluator.batch import work
from evaluator.batch.options import Options
from evaluator.batch.units import Unit
from evaluator.case.loader import build_case, load_case
from evaluator.engines import durable_engine, get_engine, rules_for_stage
from evaluator.engines.durable_engine import DurableEngine, DurableEngineError, joins_facts
from evaluator.facts.derive import Fact
from evaluator.maintain.fixtures import load_fixtures
from evaluator.maintain.synthetic import synthetic_case
from evaluator.outputs.files import to_json
from evaluator.packs import builtin_pack_ids, load_pack

ROOT = Path(__file__).resolve().parent.parent
PACKS = [load_pack(pack_id) for pack_id in builtin_pack_ids()]
STAGES = ("application", "initial", "surveillance", "recertification", "change")


def _all_cases():
    cases = [load_case(path) for path in sorted((ROOT / "examples").glob("*.yaml"))]
    cases += [build_case(synthetic_case(seed, PACKS[seed % len(PACKS)]), f"s{seed}") for seed in range(400)]
    for pack in PACKS:
        for fixture in load_fixtures(pack):
            with contextlib.suppress(CaseError):  # an invalid fixture is rules test's to report
                cases.append(build_case(fixture.doc, fixture.label, pack_ref=pack))
    return cases


CASES = _all_cases()


def _bytes(result, engine):
    assert result["engine"] == engine
    return to_json({**result, "engine": "-"})


def test_the_workload_mixes_packs_stages_and_decisions():
    # the differential below means something only if one call mixes what a batch mixes
    assert {pack.id for _, pack in CASES} == {pack.id for pack in PACKS}
    assert {case.stage for case, _ in CASES} == set(STAGES)
    assert sum(1 for case, _ in CASES if case.decision is not None) > 20
    assert len(CASES) > 600


@pytest.mark.parametrize("session_cases", [1000, 7])
def test_shared_sessions_give_the_bytes_of_one_session_per_case_and_of_the_python_engine(
    monkeypatch, session_cases
):
    monkeypatch.setattr(api, "SESSION_CASES", session_cases)
    per_case = [_bytes(run(case, pack, "durable").result, "durable") for case, pack in CASES]
    python = [_bytes(run(case, pack, "python").result, "python") for case, pack in CASES]
    chunked = [_bytes(e.result, "durable") for e in run_many(CASES, "durable")]
    assert chunked == per_case
    assert chunked == python


def _count_sessions(monkeypatch):
    calls = []
    real = durable_engine.dre.assert_facts

    def counting(handle, text):
        calls.append(handle)
        return real(handle, text)

    monkeypatch.setattr(durable_engine.dre, "assert_facts", counting)
    return calls


def test_the_cases_of_one_pack_and_stage_share_one_session_per_rule_stage(monkeypatch):
    pack = PACKS[0]
    docs = [synthetic_case(seed, pack) for seed in range(300)]
    cases = [
        build_case(doc, doc["case_id"])
        for doc in docs
        if doc["stage"] == "surveillance" and not doc.get("decision")
    ]
    assert len(cases) > 20
    get_engine("durable", pack, "surveillance")  # built before counting
    calls = _count_sessions(monkeypatch)
    outcomes = run_many(cases, "durable")
    assert all(not isinstance(o, Exception) for o in outcomes)
    stages = 1 + bool(rules_for_stage(pack, "surveillance", 2))
    assert len(calls) == stages


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.id)
@pytest.mark.parametrize("stage", STAGES)
def test_no_rule_of_a_builtin_pack_joins_two_facts(pack, stage):
    for level in (1, 2):
        rules = rules_for_stage(pack, stage, level)
        if rules:
            engine = DurableEngine(pack, rules, f"test-{stage}-{level}")
            assert engine.shares_sessions


def test_a_join_is_detected_in_the_compiled_rule():
    rule = PACKS[0].rules[0]
    t = rule.for_each
    one = {"all": [{"m": {"$and": [{"t": t}, {"$lt": {"a": {"$m": "b"}}}]}}], "cap": 10}
    assert not joins_facts(rule, one)
    two_patterns = {"all": [{"first": {"t": t}}, {"second": {"t": t}}]}
    assert joins_facts(rule, two_patterns)
    other_alias = {"all": [{"m": {"$and": [{"t": t}, {"$lt": {"a": {"first": "b"}}}]}}]}
    assert joins_facts(rule, other_alias)
    alternatives = {"any": [{"m": {"t": t}}], "all": [{"m": {"t": t}}]}
    assert joins_facts(rule, alternatives)
    state = {"all": [{"m": {"$lt": {"a": {"$s": "b"}}}}]}
    assert joins_facts(rule, state)


def test_a_ruleset_with_a_join_runs_one_session_per_case(monkeypatch):
    pack = PACKS[0]
    cases = [build_case(synthetic_case(seed, pack), str(seed)) for seed in range(40)]
    cases = [(c, p) for c, p in cases if c.stage == "initial" and c.decision is None][:6]
    assert len(cases) > 2
    engine = DurableEngine(pack, rules_for_stage(pack, "initial", 1), "test-join")
    facts = [api.derive(case, case_pack).facts for case, case_pack in cases]
    shared = engine.run_many(facts)
    engine.shares_sessions = False  # what a join found when the ruleset was built sets
    calls = _count_sessions(monkeypatch)
    alone = engine.run_many(facts)
    assert len(calls) == len(cases)
    key = lambda firings: sorted((f.rule.id, f.fact.subject or "") for f in firings)  # noqa: E731
    assert [key(f) for f in alone] == [key(f) for f in shared]


def _break_derivation(real, victim):
    def derive(case, pack, basis=None):
        if case.case_id == victim:
            raise ValueError("broken on purpose")
        return real(case, pack, basis)

    return derive


def _unencodable_fact(real, victim):
    def derive(case, pack, basis=None):
        derived = real(case, pack, basis)
        if case.case_id == victim:  # a value json cannot encode, in a field rules read
            derived.facts[0] = Fact("org", None, {**derived.facts[0].values, "legal_entity": object()})
        return derived

    return derive


def _break_judgement(real, victim):
    def judged(case, *rest):
        if case.case_id == victim:
            raise KeyError("broken on purpose")
        return real(case, *rest)

    return judged


@pytest.mark.parametrize(
    ("step", "breaker", "error"),
    [
        ("derive", _break_derivation, ValueError),
        ("derive", _unencodable_fact, DurableEngineError),  # the shared session itself fails
        ("judged", _break_judgement, KeyError),
    ],
    ids=["derivation", "durable-refuses-a-fact", "judgement"],
)
def test_a_case_that_fails_leaves_the_others_of_its_chunk_alone(monkeypatch, step, breaker, error):
    pack = PACKS[0]
    cases = [build_case(synthetic_case(seed, pack), f"s{seed}") for seed in range(60)]
    expected = [to_json(run(c, p, "durable").result) for c, p in cases]
    victim = 7
    monkeypatch.setattr(api, step, breaker(getattr(api, step), cases[victim][0].case_id))
    outcomes = run_many(cases, "durable")
    assert isinstance(outcomes[victim], error)
    others = [to_json(o.result) for i, o in enumerate(outcomes) if i != victim]
    assert others == expected[:victim] + expected[victim + 1 :]


def test_a_batch_chunk_keeps_each_units_own_record(tmp_path, monkeypatch):
    """The batch's records of a chunk equal those of each unit alone: a bad line, and a case
    that hits a bug, do not change their neighbours' records."""
    pack = PACKS[0]
    lines = [json.dumps(synthetic_case(seed, pack), default=str) for seed in range(12)]
    lines[4] = '{"case_id": "broken", '
    source = str(tmp_path / "cases.jsonl")
    units = [Unit(index=i, key=f"k{i}", source=source, line=i + 1, text=t) for i, t in enumerate(lines)]
    victim = json.loads(lines[8])["case_id"]
    real = api.judged

    def judged(case, *rest):
        if case.case_id == victim:
            raise RuntimeError("a bug")
        return real(case, *rest)

    monkeypatch.setattr(api, "judged", judged)
    options = Options(pack=None, as_of=None, today="2030-12-31", engine="durable")
    together = work.evaluate_chunk(units, options)
    alone = [work.evaluate_chunk([unit], options)[0] for unit in units]
    assert together == alone
    assert "error" in together[4] and together[8]["error"]["status"] == 4
    assert sum("result_json" in record for record in together) == 10


def test_records_carry_day_numbers_and_never_let_a_fact_field_shadow_an_engine_key():
    import datetime as dt

    from evaluator.engines.durable_engine import asserted_name, compile_condition, record_builder
    from evaluator.packs.ir import Compare, FactRef, Literal

    build = record_builder("nc_item", ["id", "respond_by", "state"])
    record = build({"id": "NC-1", "respond_by": dt.date(2026, 1, 2), "state": "open"}, 7, 3, "s")
    assert record == {
        "_id": "NC-1",
        "respond_by": dt.date(2026, 1, 2).toordinal(),
        "state": "open",
        "t": "nc_item",
        "id": 7,
        "c": 3,
        "sid": "s",
    }
    assert build({"id": "x", "respond_by": None, "state": "closed"}, 0, 0, "s")["respond_by"] is None
    condition = Compare(FactRef("nc_item", "id"), "eq", Literal("NC-1"))
    assert (
        compile_condition(condition, {}) == {"$eq": {asserted_name("id"): "NC-1"}} == {"$eq": {"_id": "NC-1"}}
    )
