"""The case page: the latest evaluation's summary inline, each finding with explain's trace,
nonconformities, the recommendation and decision, the versions and a findings diff of any two."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..outputs.report import render_report
from ..outputs.text import decision_lines
from ..register import UnknownCase, version_findings_diff
from .case_forms import forms_context
from .casefile import case_view, explanations
from .downloads import download_links
from .render import page
from .state import page_lang, workbench

router = APIRouter()
BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def report_body(html: str) -> str:
    """The inside of a report's <body>: the page shows the report with the workbench's header."""
    match = BODY.search(html)
    return match.group(1) if match else html


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, a: int | None = Query(None, ge=1), b: int | None = Query(None, ge=1)
) -> HTMLResponse:
    lang = page_lang(request)
    with workbench(request).reader() as conn:
        view = case_view(conn, case_id)
        numbers = [v["version"] for v in view.versions]
        if a is None and b is None and len(numbers) >= 2:
            a, b = numbers[-2], numbers[-1]
        diff = _diff(conn, case_id, a, b)
    summary = why = None
    decision_text: list[str] = []
    if view.evaluation is not None:
        summary = report_body(str(render_report(view.evaluation, "summary", "html", lang)))
        why = explanations(view.evaluation, lang)
        # the recommendation and the decision in the words `certeval evaluate` prints
        decision_text = decision_lines(view.result, view.evaluation.pack, lang)
    return page(
        request,
        "case.html.j2",
        view=view,
        result=view.result,
        summary=summary,
        why=why or {},
        decision_text=decision_text,
        diff=diff,
        a=a,
        b=b,
        downloads=download_links(request, case_id, view.evaluation) if view.evaluation is not None else [],
        forms=forms_context(request, view),
    )


@router.get("/cases/{case_id}/diff", response_class=HTMLResponse)
def diff_fragment(request: Request, case_id: str, a: int = Query(ge=1), b: int = Query(ge=1)) -> HTMLResponse:
    """The findings diff alone, for htmx to swap in; the case page shows the same without it."""
    with workbench(request).reader() as conn:
        diff = _diff(conn, case_id, a, b)
    return page(request, "diff.html.j2", diff=diff, a=a, b=b)


def _diff(conn: Any, case_id: str, a: int | None, b: int | None) -> dict[str, Any] | None:
    if a is None or b is None:
        return None
    try:
        changes = version_findings_diff(conn, case_id, a, b)
    except UnknownCase as error:
        raise LookupError(str(error)) from None
    return {"never_evaluated": True} if changes is None else changes
