"""The result contract (SPEC 4): shape, order, determinism; the published JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import EXAMPLES, run_cli

from evaluator import CaseError, evaluate, load_pack
from evaluator.base.i18n import SEVERITIES
from evaluator.base.yamlsafe import parse_yaml
from evaluator.case.loader import build_case
from evaluator.case.shape import case_json_schema
from evaluator.judge.findings import subject_key
from evaluator.maintain.fixtures import load_fixtures
from evaluator.maintain.synthetic import synthetic_case
from evaluator.outputs.json_schemas import result_json_schema, rules_json_schema

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
PART2_CASES = sorted((Path(__file__).resolve().parents[3] / "shared/conformance/part2/cases").glob("*.yaml"))
RESULT_SCHEMA = jsonschema.Draft202012Validator(result_json_schema(load_pack()))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_same_case_same_bytes(path):
    first = run_cli("evaluate", path, "--format", "json")
    second = run_cli("evaluate", path, "--format", "json")
    assert first.stdout == second.stdout and first.stdout


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_results_validate_against_the_published_schema(path):
    RESULT_SCHEMA.validate(evaluate(path))


@pytest.mark.skipif(not PART2_CASES, reason="the shared Part II conformance cases are not on this machine")
@pytest.mark.parametrize("path", PART2_CASES, ids=lambda p: p.name)
def test_part2_results_validate_against_the_published_schema(path):
    RESULT_SCHEMA.validate(evaluate(path))


def test_schema_describes_the_part2_keys():
    """Nonconformities, decision and the score sensitivity are checked, not merely allowed (SPEC 6.4, 7.2)."""
    result = evaluate(EXAMPLES / "hz-initial-three-star.yaml")
    assert result["nonconformities"] and result["score"]["if_exclusions_rejected"]
    RESULT_SCHEMA.validate(result)

    def spoiled(edit):
        copy = json.loads(json.dumps(result))
        edit(copy)
        return not RESULT_SCHEMA.is_valid(copy)

    assert spoiled(lambda r: r["nonconformities"][0].pop("overdue"))
    assert spoiled(lambda r: r["nonconformities"][0].update(state="pending"))
    assert spoiled(lambda r: r["decision"]["recommended"].update(outcome="approve"))
    assert spoiled(lambda r: r["decision"].update(recorded={"date": "2027-01-01"}))
    assert spoiled(lambda r: r["score"].update(if_exclusions_rejected={"total": 79.31}))
    assert spoiled(lambda r: r["findings"][0].update(clause_ref={"source": "GB/T 27922-2011"}))


def test_generated_results_validate_and_are_ordered():
    pack = load_pack()
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    for seed in range(300):
        result = evaluate(synthetic_case(seed, pack), engine="python")
        RESULT_SCHEMA.validate(result)
        keys = [(rank[f["severity"]], f["rule"], subject_key(f["subject"])) for f in result["findings"]]
        assert keys == sorted(keys)
        assert result["summary"] == {
            s: sum(f["severity"] == s for f in result["findings"]) for s in SEVERITIES
        }
        for finding in result["findings"]:
            assert (finding["action"] is None) == (finding["severity"] in ("observation", "info"))
        dates = [(n["date"], n["subject"]) for n in result["notifications_required"]]
        assert [d for d, _ in dates] == sorted(d for d, _ in dates)


def test_json_keys_are_sorted():
    text = run_cli("evaluate", EXAMPLES / "wh-change-unnotified.yaml", "--format", "json").stdout

    def check(pairs):
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys)
        return dict(pairs)

    json.loads(text, object_pairs_hook=check)


def test_sections_that_do_not_apply_are_null():
    result = evaluate(EXAMPLES / "xm-application-eligible.yaml")
    assert result["grade"] is result["score"] is result["certificate"] is result["surveillance"] is None
    assert result["notifications_required"] == [] and result["eligible"] is True


def test_subjects_order_list_indices_as_numbers():
    assert sorted(["changes[10]", "changes[2]", None], key=subject_key) == [None, "changes[2]", "changes[10]"]


def test_case_schema_agrees_with_the_validator():
    """The published case schema accepts every valid case and rejects what the validator rejects."""
    pack = load_pack()
    schema = jsonschema.Draft202012Validator(case_json_schema(pack))
    docs = [synthetic_case(seed, pack) for seed in range(200)]
    docs += [case.doc for case in load_fixtures(pack)]
    for doc in docs:
        as_json = json.loads(json.dumps(doc, default=str))
        schema.validate(as_json)
    bad = dict(docs[0])
    bad["organisation"] = bad.pop("organization")
    with pytest.raises(CaseError):
        build_case(bad, "bad")
    with pytest.raises(jsonschema.ValidationError):
        schema.validate(json.loads(json.dumps(bad, default=str)))


def test_rules_schema_accepts_the_built_in_pack_files():
    from evaluator.packs import builtin_root

    schema = jsonschema.Draft202012Validator(rules_json_schema())
    for path in sorted(builtin_root().glob("*/pack.yaml")) + sorted(builtin_root().glob("*/rules/*.yaml")):
        doc = json.loads(json.dumps(parse_yaml(path.read_text(encoding="utf-8"), str(path)), default=str))
        schema.validate(doc)
