"""The lifecycle module (SPEC 6.2) and the Part II bad input (6.1, 7.1), at their edges."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluator.base.case_model import Response, Verification
from evaluator.base.errors import CaseError
from evaluator.case.loader import build_case
from evaluator.facts.derive import normal_name
from evaluator.facts.lifecycle import Dues, item_state

D = dt.date
DUES = Dues(major_days=30, minor_days=90, resubmit_days=30, verify_days=30)
EVAL = D(2026, 8, 27)


def reply(day: dt.date) -> Response:
    return Response(day, "原因", "纠正", "措施")


def test_open_on_respond_by_overdue_the_day_after():
    assert not item_state("major", EVAL, (), (), D(2026, 9, 26), DUES).overdue
    state = item_state("major", EVAL, (), (), D(2026, 9, 27), DUES)
    assert (state.state, state.respond_by, state.overdue, state.blocking) == (
        "open",
        D(2026, 9, 26),
        True,
        True,
    )


def test_a_response_on_its_respond_by_day_is_in_time():
    state = item_state("major", EVAL, (reply(D(2026, 9, 26)),), (), D(2026, 12, 1), DUES)
    assert (state.state, state.overdue, state.verify_by) == ("responded", False, D(2026, 10, 26))


def test_a_verification_on_the_day_of_the_response_closes_it():
    state = item_state(
        "major",
        EVAL,
        (reply(D(2026, 9, 1)),),
        (Verification(D(2026, 9, 1), "accepted", "李四"),),
        D(2026, 9, 1),
        DUES,
    )
    assert (state.state, state.blocking, state.verify_by, state.verified_by) == (
        "closed",
        False,
        None,
        "李四",
    )


def test_two_entries_on_one_date_the_later_in_the_list_is_the_latest():
    checks = (Verification(D(2026, 9, 5), "accepted", "A"), Verification(D(2026, 9, 5), "rejected", "B"))
    state = item_state("minor", EVAL, (reply(D(2026, 9, 1)),), checks, D(2026, 9, 10), DUES)
    assert (state.state, state.verified_by, state.respond_by) == ("rejected", "B", D(2026, 10, 5))


def test_a_rejection_replaces_respond_by_even_when_earlier():
    checks = (Verification(D(2026, 9, 1), "rejected", "A"),)
    state = item_state("minor", EVAL, (reply(D(2026, 8, 28)),), checks, D(2026, 9, 2), DUES)
    assert state.respond_by == D(2026, 10, 1)  # not evaluation.date + 90 = 2026-11-25


def test_entries_after_the_date_are_not_known_yet():
    state = item_state("major", EVAL, (reply(D(2026, 9, 10)),), (), D(2026, 9, 9), DUES)
    assert state.state == "open" and state.responded_on is None


def test_a_minor_item_stops_blocking_once_answered_a_major_one_once_verified():
    answered = (reply(D(2026, 9, 1)),)
    assert not item_state("minor", EVAL, answered, (), D(2026, 9, 2), DUES).blocking
    assert item_state("major", EVAL, answered, (), D(2026, 9, 2), DUES).blocking


def test_names_compare_after_nfkc_casefold_and_without_whitespace():
    assert normal_name("王　五") == normal_name("王五")
    assert normal_name("ＬＩ Si") == normal_name("lisi")
    assert normal_name("王五") != normal_name("王六")


BASE = {
    "case_id": "LC-1",
    "as_of": "2026-12-20",
    "stage": "initial",
    "organization": {
        "name": "测试",
        "credit_code": "91350200776049653A",
        "country": "CN",
        "legal_entity": True,
        "legal_compliance": True,
    },
    "service_system": {
        "operating_since": "2025-01-01",
        "rules_documented": True,
        "responsible_person": "张三",
        "dedicated_fund": True,
        "trained_managers": 2,
    },
    "evaluation": {"date": "2026-11-20", "type": "initial"},
}


def problems(**evaluation: object) -> list[str]:
    doc = {**BASE, "evaluation": {**BASE["evaluation"], **evaluation}}
    with pytest.raises(CaseError) as info:
        build_case(doc, "case.yaml")
    return [f"{p.field}: {p.message}" for p in info.value.problems]


NC = {"indicator": "staffing", "severity": "major", "statement": "x"}
R = {"received_on": "2026-12-01", "root_cause": "a", "correction": "b", "corrective_action": "c"}


def test_a_verification_without_an_earlier_response_is_bad_input():
    got = problems(
        nonconformities=[
            {
                **NC,
                "responses": [R],
                "verifications": [{"date": "2026-11-30", "by": "李四", "result": "accepted"}],
            }
        ]
    )
    assert got == [
        "evaluation.nonconformities[0].verifications[0]:"
        " verified on 2026-11-30 but no response was received on or before that date"
    ]


def test_responses_out_of_order_after_as_of_or_on_an_observation_are_bad_input():
    late = {**R, "received_on": "2026-12-21"}
    early = {**R, "received_on": "2026-11-25"}
    assert any("after as_of" in p for p in problems(nonconformities=[{**NC, "responses": [late]}]))
    assert any("oldest first" in p for p in problems(nonconformities=[{**NC, "responses": [R, early]}]))
    obs = {**NC, "severity": "observation", "responses": [R]}
    assert problems(nonconformities=[obs]) == [
        "evaluation.nonconformities[0].responses: an observation carries no responses or verifications"
    ]


def test_ids_are_unique_across_both_lists_given_or_default():
    got = problems(nonconformities=[NC], special_deductions=[{"item": "y", "id": "NC-1"}])
    assert got == [
        "evaluation.special_deductions[0].id: NC-1 is also the id of evaluation.nonconformities[0]"
    ]


def test_decision_dates_and_grades():
    doc = {**BASE, "decision": {"date": "2026-12-21", "by": "王五", "outcome": "grant"}}
    with pytest.raises(CaseError) as info:
        build_case(doc, "case.yaml")
    got = {p.field for p in info.value.problems}
    assert got == {"decision.date", "decision.grade"}
    doc = {**BASE, "decision": {"date": "2026-12-01", "by": "王五", "outcome": "maintain"}}
    with pytest.raises(CaseError):
        build_case(doc, "case.yaml")  # not an outcome of stage initial
