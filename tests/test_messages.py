"""The catalogue of validation messages keyed by problem code (issue 17, SPEC §10): every code
the case validator can emit has a Chinese and an English template, every problem it makes
carries a code, and the English template rebuilds the very English the command line prints."""

from __future__ import annotations

import ast
import copy
import dataclasses
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import EXAMPLES

from evaluator.base.errors import CaseError, Problem
from evaluator.base.yamlsafe import parse_yaml
from evaluator.case.loader import build_case
from evaluator.case.messages import CATALOGUE, say
from evaluator.packs import load_pack

ROOT = Path(__file__).resolve().parents[1] / "evaluator"
VALIDATOR = [ROOT / "base" / "schema_language.py", ROOT / "case" / "checks.py", ROOT / "case" / "loader.py"]
# where each maker of problems takes its code: (position, prefix) — `dated` takes the relation
CODE_ARGUMENT = {
    ("ctx", "error"): (3, ""),
    ("self", "error"): (2, ""),
    ("self", "_once"): (4, ""),
    ("self", "dated"): (1, "date."),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _codes_in(path: Path) -> tuple[set[str], list[str]]:
    """The codes a validator file passes, and every call that makes a problem without one."""
    codes: set[str] = set()
    missing: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 3:
            code = node.value.elts[1]  # Dict._key_problem: (message, code, values)
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                codes.add(code.value)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
        prefix = ""
        if isinstance(func, ast.Name) and func.id == "Problem":
            argument = keyword
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in CODE_ARGUMENT
        ):
            position, prefix = CODE_ARGUMENT[(func.value.id, func.attr)]
            argument = keyword or (node.args[position] if len(node.args) > position else None)
        else:
            continue
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str) and argument.value:
            codes.add(prefix + argument.value)
        elif isinstance(argument, ast.JoinedStr) and func.attr == "error" and _inside_dated(argument):
            pass  # `dated` makes its code from the relation its callers name (counted there)
        elif not isinstance(argument, ast.Name):  # a name forwards a code made elsewhere
            missing.append(f"{path.name}:{node.lineno}")
    return codes, missing


def _inside_dated(code: ast.JoinedStr) -> bool:
    first = code.values[0] if code.values else None
    return isinstance(first, ast.Constant) and first.value == "date."


def emitted_codes() -> set[str]:
    return {code for path in VALIDATOR for code in _codes_in(path)[0]}


def test_every_problem_the_validator_makes_carries_a_code() -> None:
    assert [where for path in VALIDATOR for where in _codes_in(path)[1]] == []


def test_every_code_has_a_chinese_and_an_english_template_and_no_entry_is_dead() -> None:
    codes = emitted_codes()
    assert len(codes) > 35
    assert codes == set(CATALOGUE)
    for code, text in CATALOGUE.items():
        assert text.en and text.zh and CJK.search(text.zh), code
        # the names a template uses are filled in the tests below: a missing one would fall back
        # to the English, which the Chinese check of _said_the_same refuses


# ------------------------------------------------------------- English rebuilt, Chinese said
Mutation = Callable[[dict[str, Any]], Any]


def _hz() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "hz-initial-three-star.yaml").read_text(encoding="utf-8"))


def _nj() -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / "nj-surveillance-overdue.yaml").read_text(encoding="utf-8"))


def _set(path: str, value: Any) -> Mutation:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


_DELETE = object()
NC = {"indicator": "repair", "severity": "minor", "statement": "s"}
RESPONSE = {"received_on": "2026-11-14", "root_cause": "r", "correction": "c", "corrective_action": "a"}

CASES: list[tuple[str, Callable[[], dict[str, Any]], Mutation]] = [
    ("type.string", _hz, _set("organization.name", 5)),
    ("string.too_long", _hz, _set("organization.credit_code", "9" * 65)),
    ("string.pattern", _hz, _set("case_id", "../x")),
    ("enum.unknown", _hz, _set("organization.business_type", "salse")),
    ("type.boolean", _hz, _set("organization.legal_entity", "yes")),
    ("type.integer", _hz, _set("service_system.trained_managers", "3")),
    ("number.below_minimum", _hz, _set("service_system.trained_managers", -1)),
    ("type.number", _hz, _set("evaluation.scores.repair.awarded", "5")),
    ("number.not_finite", _hz, _set("evaluation.scores.repair.awarded", float("inf"))),
    ("date.out_of_range", _hz, _set("application.date", "1800-01-01")),
    ("date.not_calendar", _hz, _set("application.date", "2026-02-30")),
    ("date.format", _hz, _set("application.date", "2026/09/14")),
    ("type.date", _hz, _set("application.date", 5)),
    ("type.mapping", _hz, _set("organization", "x")),
    ("type.list", _hz, _set("incidents", "x")),
    ("key.not_string", _hz, lambda doc: doc["organization"].update({1: "x"})),
    ("key.unknown", _hz, _set("organization.nmae", "x")),
    ("key.missing", _hz, _set("service_system.dedicated_fund", _DELETE)),
    ("dict.key_unknown", _hz, _set("evaluation.scores.repiar", {"awarded": 1, "available": 2})),
    ("dict.key_missing", _hz, _set("evaluation.scores.repair", _DELETE)),
    ("pack.unknown", _hz, _set("pack", "gbt-nope")),
    ("date.after", _hz, _set("application.date", "2026-11-30")),
    ("date.before", _nj, _set("certificate.valid_until", "2020-01-01")),
    ("needs_certificate", _hz, _set("surveillance", [{"date": "2026-01-01", "result": "pass"}])),
    ("certificate.suspended_on", _nj, _set("certificate.status", "suspended")),
    ("score.exceeds_available", _hz, _set("evaluation.scores.repair.awarded", 9)),
    ("score.category_sum", _hz, _set("evaluation.scores.repair.available", 70)),
    ("item.listed_twice", _hz, _set("evidence", [{"item": "repair_records", "count": 1}] * 2)),
    ("item.excluded_twice", _hz, _set("evaluation.excluded", [{"indicator": "delivery"}] * 2)),
    ("item.id_taken", _hz, _set("evaluation.nonconformities", [{**NC, "id": "N1"}, {**NC, "id": "N1"}])),
    ("site.unknown", _hz, _set("evaluation.nonconformities", [{**NC, "site": "x"}])),
    (
        "observation.no_replies",
        _hz,
        _set("evaluation.nonconformities", [{**NC, "severity": "observation", "responses": [RESPONSE]}]),
    ),
    (
        "verification.before_response",
        _hz,
        _set(
            "evaluation.nonconformities",
            [{**NC, "verifications": [{"date": "2026-11-20", "by": "x", "result": "accepted"}]}],
        ),
    ),
    (
        "date.out_of_order",
        _hz,
        _set(
            "evaluation.nonconformities",
            [{**NC, "responses": [RESPONSE, {**RESPONSE, "received_on": "2026-11-13"}]}],
        ),
    ),
    ("decision.needs_grade", _hz, _set("decision", {"date": "2026-11-20", "by": "x", "outcome": "grant"})),
    (
        "decision.takes_no_grade",
        _hz,
        _set("decision", {"date": "2026-11-20", "by": "x", "outcome": "refuse", "grade": "three_star"}),
    ),
    (
        "date.after_decision",
        _hz,
        lambda doc: (
            _set("application.date", "2026-11-13")(doc),
            _set("decision", {"date": "2026-11-12", "by": "x", "outcome": "refuse"})(doc),
        ),
    ),
]


def _with_sites(doc: dict[str, Any]) -> dict[str, Any]:
    doc["evaluation"]["sites"] = [{"name": "总部"}]
    return doc


def _problems(document: Any, pack: Any = None) -> list[Problem]:
    with pytest.raises(CaseError) as caught:
        build_case(document, "case.yaml", pack_ref=pack)
    return caught.value.problems


def _mutated(base: Callable[[], dict[str, Any]], mutation: Mutation, code: str) -> dict[str, Any]:
    doc = copy.deepcopy(base())
    if code == "site.unknown":
        _with_sites(doc)
    mutation(doc)
    return doc


def _said_the_same(problems: list[Problem]) -> None:
    for problem in problems:
        assert say(problem, "en") == problem.message, problem.code
        if problem.code:
            assert CJK.search(say(problem, "zh")), problem.code


@pytest.mark.parametrize(("code", "base", "mutation"), CASES, ids=[c[0] for c in CASES])
def test_the_english_template_rebuilds_the_command_lines_message(
    code: str, base: Any, mutation: Mutation
) -> None:
    problems = _problems(_mutated(base, mutation, code))
    assert code in {p.code for p in problems}
    _said_the_same(problems)


def test_the_rest_of_the_codes_rebuild_their_messages_too() -> None:
    reached: set[str] = set()
    for document in (None, [1]):
        problems = _problems(document)
        reached |= {p.code for p in problems}
        _said_the_same(problems)
    impossible = parse_yaml(
        (EXAMPLES / "hz-initial-three-star.yaml")
        .read_text(encoding="utf-8")
        .replace("2026-09-14", "2026-02-30"),
        "case.yaml",
    )
    problems = _problems(impossible)
    _said_the_same(problems)
    reached |= {p.code for p in problems}
    hz = _hz()
    del hz["evaluation"]
    hz["decision"] = {"date": "2026-11-20", "by": "x", "outcome": "refuse"}
    problems = _problems(hz)
    _said_the_same(problems)
    reached |= {p.code for p in problems}
    zero = _hz()
    for score in zero["evaluation"]["scores"].values():
        score.update(awarded=0, available=0)
    problems = _problems(zero)
    _said_the_same(problems)
    reached |= {p.code for p in problems}
    pack = load_pack()
    fixed = dataclasses.replace(pack.indicators["repair"], points=Fraction(8))
    problems = _problems(_hz(), dataclasses.replace(pack, indicators={**pack.indicators, "repair": fixed}))
    _said_the_same(problems)
    reached |= {p.code for p in problems}
    unreadable = _unreadable()
    _said_the_same([unreadable])
    reached.add(unreadable.code)
    assert reached >= {
        "document.empty",
        "document.not_mapping",
        "date.impossible",
        "decision.needs_evaluation",
        "score.none_available",
        "score.available_differs",
    }
    covered = reached | {code for code, _, _ in CASES}
    # no case shape uses Either, nor a Dict of free keys: the pack files do (same schema language)
    assert set(CATALOGUE) - covered == {"type.either", "dict.key_invalid"}


def _unreadable() -> Problem:
    from evaluator.case.loader import read_document

    with pytest.raises(CaseError) as caught:
        read_document(Path("/nonexistent/case.yaml"))
    return caught.value.problems[0]


def test_chinese_names_the_field_the_date_is_compared_with() -> None:
    problems = _problems(_mutated(_nj, _set("certificate.valid_until", "2020-01-01"), "date.before"))
    before = next(p for p in problems if p.code == "date.before")
    assert say(before, "zh").startswith("2020-01-01 早于") and "（certificate.issued_on）" in say(
        before, "zh"
    )


def test_a_problem_without_a_code_is_said_in_its_english() -> None:
    plain = Problem("case.yaml", 3, "x", "YAML syntax: something")
    assert say(plain, "zh") == say(plain, "en") == "YAML syntax: something"
