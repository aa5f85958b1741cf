"""What the case page needs for its reply, verification and decision forms: each tracked item
with its replies and verifications so far (evidence files as links), the roles of the user,
and the decision form prefilled from the latest evaluation's recommendation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request

from ..base.case_model import DECISION_OUTCOMES, GRADED_OUTCOMES
from ..base.names import same_person
from ..register.blobs import cited_file
from .case_writes import item_path, latest_version
from .casefile import CaseView
from .form_labels import form_text
from .identity import current_user, has_role
from .state import page_lang, workbench


def team_member(document: dict[str, Any], full_name: str) -> str | None:
    """The name in `evaluation.team` that is this person (SPEC §7.1: NFKC, case folded, no
    whitespace; any role), or None."""
    evaluation = document.get("evaluation")
    team = evaluation.get("team") if isinstance(evaluation, dict) else None
    for member in team if isinstance(team, list) else []:
        name = member.get("name") if isinstance(member, dict) else None
        if isinstance(name, str) and same_person(name, full_name):
            return name
    return None


def evidence_links(case_id: str, entries: object) -> list[dict[str, Any]]:
    """A response's evidence: stored files with their download link, descriptions as text."""
    shown = []
    for entry in entries if isinstance(entries, list) else []:
        text = str(entry)
        cited = cited_file(text)
        url = None if cited is None else f"/cases/{case_id}/files/{cited['sha256']}"
        shown.append({"text": text if cited is None else cited["name"], "url": url, "file": cited})
    return shown


def _item(case_id: str, document: dict[str, Any], nc: dict[str, Any]) -> dict[str, Any]:
    found = item_path(document, str(nc.get("id")))
    entry: dict[str, Any] = {}
    if found is not None:
        name, index = found
        entry = document["evaluation"][name][index]
    responses = [
        {**r, "evidence": evidence_links(case_id, r.get("evidence"))}
        for r in entry.get("responses") or []
        if isinstance(r, dict)
    ]
    verifications = [v for v in entry.get("verifications") or [] if isinstance(v, dict)]
    return {**nc, "responses": responses, "verifications": verifications}


def decision_prefill(view: CaseView, day: dt.date) -> dict[str, Any]:
    """The decision form's values before the officer changes them: the recommendation."""
    recommended = (view.result.get("decision") or {}).get("recommended") or {}
    outcomes = DECISION_OUTCOMES.get(view.latest["stage"], ())
    outcome = recommended.get("outcome") if recommended.get("outcome") in outcomes else ""
    return {
        "outcome": outcome,
        "grade": (recommended.get("grade") or "") if outcome in GRADED_OUTCOMES else "",
        "justification": "",
        "date": day.isoformat(),
    }


def decision_choices(view: CaseView) -> dict[str, Any]:
    """The outcomes the stage allows (SPEC §7.1) and the pack's grades."""
    assert view.evaluation is not None
    return {
        "outcomes": DECISION_OUTCOMES.get(view.latest["stage"], ()),
        "grades": [(g.id, g.label) for g in view.evaluation.pack.grades],
        "graded": GRADED_OUTCOMES,
        "recommended": (view.result.get("decision") or {}).get("recommended") or {},
    }


def forms_context(request: Request, view: CaseView) -> dict[str, Any]:
    """`forms` for case.html.j2: empty (no forms) for a case recorded before versions."""
    lang = page_lang(request)
    user = current_user(request)
    context: dict[str, Any] = {"ft": form_text(lang), "enabled": False, "items": []}
    if view.evaluation is None or user is None:
        return context
    with workbench(request).reader() as conn:
        base, document = latest_version(conn, view.case_id)
    day = workbench(request).day()
    context.update(
        enabled=True,
        base=base,
        day=day.isoformat(),
        can_reply=has_role(user, ("evaluator",)),
        can_decide=has_role(user, ("decision_maker",)),
        items=[_item(view.case_id, document, nc) for nc in view.result.get("nonconformities") or []],
        decision=decision_prefill(view, day),
        choices=decision_choices(view),
        on_team=team_member(document, user.full_name),
        errors={},
    )
    return context
