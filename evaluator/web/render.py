"""Rendering a page: the workbench's templates, with the header's language switch and dates."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from ..base.i18n import SEVERITY_LABELS, STAGE_LABELS, STATUS_LABELS, Text
from ..outputs.report.documents import NC_STATE_LABELS
from ..outputs.report.labels import LABELS as REPORT_LABELS
from ..outputs.report.recommendation import OUTCOME_LABELS
from .identity import LOCAL_NAME, add_template_helpers, current_user, has_role
from .labels import FORMAT_NAMES, KIND_LABELS, LABELS, REPORT_LANGS, WHY_LABELS
from .state import page_lang, workbench

TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value from a case is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    add_template_helpers(env)  # csrf_field() for every form
    return env


def _text(labels: dict[str, Text], lang: str) -> Any:
    def get(key: str | None, **values: Any) -> str:
        if key is None:
            return ""
        label = labels.get(key)
        text = key if label is None else label.get(lang)
        return text.format(**values) if values else text

    return get


def link(request: Request, path: str, **query: Any) -> str:
    """A link that keeps the page's language."""
    lang = page_lang(request)
    params = {k: v for k, v in query.items() if v is not None}
    if lang != "zh":
        params["lang"] = lang
    return path + ("?" + urlencode(params) if params else "")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    other = "en" if lang == "zh" else "zh"
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    if other != "zh":
        query["lang"] = other
    bench = getattr(request.app.state, "workbench", None)
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,  # csrf_field() reads the session's token from it
            viewer=_viewer(request),
            lang=lang,
            html_lang="zh-CN" if lang == "zh" else "en",
            t=_text(LABELS, lang),
            kind_label=_text(KIND_LABELS, lang),
            why_label=_text(WHY_LABELS, lang),
            report_lang=_text(REPORT_LANGS, lang),
            report_title=lambda kind: _text(REPORT_LABELS, lang)(f"title_{kind}"),
            format_name=FORMAT_NAMES.get,
            severity=_text(SEVERITY_LABELS, lang),
            stage=_text(STAGE_LABELS, lang),
            status_label=_text(STATUS_LABELS, lang),
            nc_state=_text(NC_STATE_LABELS, lang),
            outcome_label=_text(OUTCOME_LABELS, lang),
            switch_url=request.url.path + ("?" + urlencode(query) if query else ""),
            link=lambda path, **q: link(request, path, **q),
            day=workbench(request).day().isoformat() if bench else "",
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def _viewer(request: Request) -> dict[str, Any] | None:
    """Who the header names, with a logout button, and whether it offers the intake: None for
    an anonymous request."""
    user = current_user(request)
    if user is None:
        return None
    return {
        "full_name": user.full_name,
        "signed_in": user.name != LOCAL_NAME,
        "may_intake": has_role(user, ("evaluator",)),
    }
