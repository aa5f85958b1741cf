"""The decision form (issue 17, SPEC §7.1, §10): decision_makers only, prefilled from the
recommendation, a justification for an override, `decision.by` the user's full name, and
refused — nothing written — when that person is on the case's evaluation team."""

from __future__ import annotations

import re
from typing import Any

import pytest
from helpers import csrf_of
from lifecycle_support import CASE, REPLY, VERIFY, form_of, latest_document, reply, verify, versions_in

DECIDE = f"{CASE}/decision"


def closed(workbench_as: Any) -> None:
    """Reply to and verify NC-1 as the evaluator: the recommendation becomes grant three_star."""
    eva = workbench_as("eva")
    assert reply(eva).status_code == 303 and verify(eva).status_code == 303


def decide(client: Any, **fields: str) -> Any:
    return client.post(DECIDE, data={**form_of(client), "date": "2027-03-25", **fields})


def selected(page: str, name: str) -> str | None:
    select = page.split(f'name="{name}"')[1].split("</select>")[0]
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else None


def test_the_form_is_prefilled_from_the_recommendation(workbench_as):
    dora = workbench_as("dora")
    pending = dora.get(CASE).text  # NC-1 blocks: pending is no outcome a body records
    assert 'id="decision-form"' in pending and selected(pending, "outcome") is None
    closed(workbench_as)
    for page in (dora.get(CASE).text, dora.get(DECIDE).text):
        assert selected(page, "outcome") == "grant" and selected(page, "grade") == "three_star"
        assert 'name="date" value="2027-03-25"' in page  # the server's date
        options = page.split('name="outcome"')[1].split("</select>")[0]
        assert re.findall(r'<option value="(\w+)"', options) == ["grant", "refuse"]  # the initial stage's


def test_a_grant_is_one_version_by_its_user_with_the_full_name_as_decision_by(workbench_as, lifecycle_db):
    closed(workbench_as)
    dora = workbench_as("dora")
    response = decide(dora, outcome="grant", grade="three_star")
    assert response.status_code == 303 and response.headers["location"] == f"{CASE}#decision"
    assert [(v["by"], v["why"]) for v in versions_in(lifecycle_db)][1:] == [
        ("eva", "response"),
        ("eva", "verification"),
        ("dora", "decision"),
    ]
    assert latest_document(lifecycle_db)["decision"] == {
        "date": "2027-03-25",
        "by": "王五",
        "outcome": "grant",
        "grade": "three_star",
    }
    page = dora.get(CASE).text
    recorded = page.split('<section id="decision">')[1].split("</table>")[0]
    assert "2027-03-25 王五 · 批准三星级认证" in recorded and 'data-outcome="grant"' in recorded
    assert "DECISION-" not in page


def test_an_override_without_a_justification_is_refused_by_its_field(workbench_as, lifecycle_db):
    closed(workbench_as)
    dora = workbench_as("dora")
    for fields in ({"outcome": "grant", "grade": "four_star"}, {"outcome": "refuse"}):
        response = decide(dora, **fields)
        assert response.status_code == 422, fields
        row = response.text.split('name="justification"')[1].split("</tr>")[0]
        assert 'class="field-error"' in row and "理由" in row
        assert selected(response.text, "outcome") == fields["outcome"]  # the form keeps the choice
    assert len(versions_in(lifecycle_db)) == 3
    assert decide(dora, outcome="refuse", justification="投诉处理体系运行不足三个月").status_code == 303
    assert latest_document(lifecycle_db)["decision"]["justification"] == "投诉处理体系运行不足三个月"


def test_a_grade_the_outcome_needs_is_asked_for_by_its_field(workbench_as, lifecycle_db):
    closed(workbench_as)
    response = decide(workbench_as("dora"), outcome="grant", grade="")
    assert response.status_code == 422
    assert 'class="field-error"' in response.text.split('name="grade"')[1].split("</tr>")[0]
    assert len(versions_in(lifecycle_db)) == 3


def test_a_team_member_is_refused_with_the_reason_and_nothing_written(workbench_as, lifecycle_db):
    closed(workbench_as)
    tina = workbench_as("tina")  # 钱　慧敏: 钱慧敏 of the team, an ideographic space apart
    assert "a decision by you will be refused" in tina.get(CASE + "?lang=en").text
    before = versions_in(lifecycle_db)
    response = decide(tina, outcome="grant", grade="three_star")
    assert response.status_code == 403
    reason = response.text.split('id="refusal">')[1].split("</p>")[0]
    assert "钱慧敏" in reason and "7.6.2" in reason and "未记录任何内容" in reason
    assert versions_in(lifecycle_db) == before
    assert "decision" not in latest_document(lifecycle_db)


@pytest.mark.parametrize(
    ("name", "url"),
    [("eva", DECIDE), ("dora", REPLY), ("dora", VERIFY), ("tina", REPLY)],
)
def test_each_role_is_refused_the_others_forms(workbench_as, lifecycle_db, name, url):
    closed(workbench_as)
    client = workbench_as(name)
    before = versions_in(lifecycle_db)
    data = {
        **form_of(client),
        "outcome": "grant",
        "grade": "three_star",
        "date": "2027-03-25",
        "received_on": "2027-03-25",
        "root_cause": "r",
        "correction": "c",
        "corrective_action": "a",
        "result": "accepted",
    }
    assert client.post(url, data=data).status_code == 403
    assert client.get(url).status_code == 403
    assert versions_in(lifecycle_db) == before


def test_each_role_sees_only_its_own_forms(workbench_as):
    closed(workbench_as)
    eva, dora = workbench_as("eva").get(CASE).text, workbench_as("dora").get(CASE).text
    assert 'id="reply-NC-1"' in eva and 'id="decision-form"' not in eva
    assert 'id="decision-form"' in dora and 'id="reply-NC-1"' not in dora
    assert csrf_of(dora)  # every form carries the token
