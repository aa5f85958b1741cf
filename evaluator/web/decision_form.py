"""Recording the certification decision (SPEC §7.1) as a new case version (why `decision`), by
a decision_maker, with `decision.by` the user's full name.

Refused — 403, the reason on the page, nothing written — when that name is on the case's
evaluation team (SPEC §7.1's name match, any role): DECISION-IMPARTIALITY enforced at the
source (SPEC §10).  A decision whose outcome or grade differs from the recommendation as of its
date needs a justification: the candidate version is evaluated, and when DECISION-OVERRIDE
fires on it (the rule that says exactly that) the form comes back with the message by the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..base.case_model import GRADED_OUTCOMES
from ..register.users import User
from .case_forms import decision_choices, decision_prefill, team_member
from .case_writes import FormProblems, WriteConflict, latest_version, write_version
from .casefile import case_view
from .form_labels import form_text
from .identity import require_role
from .lifecycle_forms import base_version, conflict_page, text_fields
from .render import link, page
from .state import page_lang, workbench

if TYPE_CHECKING:
    from ..api import Evaluation

router = APIRouter()
DecisionMaker = Annotated[User, Depends(require_role("decision_maker"))]
FIELDS = ("outcome", "grade", "justification", "date")
OVERRIDE_RULE = "DECISION-OVERRIDE"


def _form(
    request: Request,
    case_id: str,
    user: User,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    bench = workbench(request)
    with bench.reader() as conn:
        view = case_view(conn, case_id)
        base, document = latest_version(conn, case_id)
    if view.evaluation is None:
        raise LookupError(f"{case_id}: no case version to record a decision in")
    return page(
        request,
        "lifecycle_form.html.j2",
        status=status,
        ft=form_text(page_lang(request)),
        kind="decision",
        case_id=case_id,
        item=None,
        base=base,
        values=values or decision_prefill(view, bench.day()),
        errors=errors or {},
        choices=decision_choices(view),
        on_team=team_member(document, user.full_name),
    )


def impartiality_refusal(request: Request, case_id: str, user: User) -> Response | None:
    """The refusal page when the user is on the case's evaluation team, else None."""
    with workbench(request).reader() as conn:
        _, document = latest_version(conn, case_id)
    member = team_member(document, user.full_name)
    if member is None:
        return None
    ft = form_text(page_lang(request))
    listed = "" if member == user.full_name else ft("listed_as", member=member)
    return page(
        request,
        "refused.html.j2",
        status=403,
        case_id=case_id,
        heading=ft("refused"),
        reason=ft("impartiality", name=user.full_name, listed=listed),
        back=ft("back"),
    )


@router.get("/cases/{case_id}/decision")
def decision_page(request: Request, case_id: str, user: DecisionMaker) -> Response:
    return _form(request, case_id, user)


@router.post("/cases/{case_id}/decision")
async def record_decision(request: Request, case_id: str, user: DecisionMaker) -> Response:
    refusal = impartiality_refusal(request, case_id, user)
    if refusal is not None:
        return refusal
    ft = form_text(page_lang(request))
    form = await request.form()
    values = text_fields(form, FIELDS)
    decision: dict[str, Any] = {"date": values["date"], "by": user.full_name, "outcome": values["outcome"]}
    if values["grade"] or values["outcome"] in GRADED_OUTCOMES:
        decision["grade"] = values["grade"]
    if values["justification"]:
        decision["justification"] = values["justification"]

    def change(document: dict[str, Any]) -> str:
        document["decision"] = decision  # a later decision replaces it; the earlier stays in its version
        return "decision"

    try:
        write_version(request, case_id, base_version(form), change, user, "decision", check=_justified(ft))
    except FormProblems as refused:
        return _form(request, case_id, user, values, refused.messages, 422)
    except WriteConflict as conflict:
        return conflict_page(request, case_id, conflict)
    return RedirectResponse(link(request, f"/cases/{case_id}") + "#decision", status_code=303)


def _justified(ft: Callable[..., str]) -> Callable[[Evaluation], None]:
    """The check on the evaluated candidate: an override needs its justification."""

    def check(evaluation: Evaluation) -> None:
        if any(f.rule.id == OVERRIDE_RULE for f in evaluation.findings):
            raise FormProblems({"justification": [ft("override_unjustified")]})

    return check
