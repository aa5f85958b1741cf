"""Reports: nonconformity report (NCR), corrective-action request (CAR), the summary, the
application review notice, the decision sheet and the certificate, in HTML, Markdown or PDF,
Chinese, English or both (SPEC 1.9, 8.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..files import safe_name

if TYPE_CHECKING:
    from ...api import Evaluation
    from ...body.profile import BodyProfile

KINDS = ("ncr", "car", "summary", "review", "decision", "certificate")
FORMATS = {"html": ".html", "markdown": ".md", "pdf": ".pdf"}


class ReportUnavailable(Exception):
    """A format whose optional dependency is not installed."""


class ReportNotApplicable(Exception):
    """A kind that does not fit the case (SPEC 8.3): exit 2 with the reason."""


def kind_problem(evaluation: Evaluation, kind: str, draft: bool = False) -> str | None:
    """Why a kind of report does not fit the case, or None when it does (SPEC 8.3)."""
    case = evaluation.case
    if kind == "certificate":
        from .context import certificate_problem
        from .recommendation import recorded

        return certificate_problem(evaluation.result, recorded(evaluation.result), draft)
    if kind == "review" and case.application is None:
        return "a review notice needs an application section"
    no_client_finding = not any(f.rule.audience == "client" for f in evaluation.findings)
    if kind in ("ncr", "car") and case.evaluation is None and no_client_finding:
        return f"the {kind.upper()} needs an evaluation or a finding for the organisation"
    return None


def report_filename(case_id: str, kind: str, fmt: str, lang: str) -> str:
    return f"{safe_name(case_id)}.{kind}.{lang}{FORMATS[fmt]}"


def render_report(
    evaluation: Evaluation,
    kind: str,
    fmt: str,
    lang: str,
    stamp: str | None = None,
    *,
    body: BodyProfile | None = None,
    draft: bool = False,
) -> str | bytes:
    """The report as text (HTML, Markdown) or bytes (PDF); the same input gives the same output.
    A kind that does not fit the case raises ReportNotApplicable."""
    problem = kind_problem(evaluation, kind, draft) if kind != "certificate" else None
    if problem:
        raise ReportNotApplicable(problem)
    if fmt == "pdf":
        from .pdf import html_to_pdf

        return html_to_pdf(_render_text(evaluation, kind, "html", lang, stamp, body, draft))
    return _render_text(evaluation, kind, fmt, lang, stamp, body, draft)


def _render_text(
    evaluation: Evaluation,
    kind: str,
    fmt: str,
    lang: str,
    stamp: str | None,
    body: BodyProfile | None,
    draft: bool,
) -> str:
    from ...base.version import certeval_version
    from .context import CertificateUnavailable, report_context
    from .environment import environment

    try:
        context = report_context(evaluation, kind, lang, stamp, certeval_version(), body, draft=draft)
    except CertificateUnavailable as e:
        raise ReportNotApplicable(str(e)) from None
    template = environment().get_template(f"{kind}.{'html' if fmt == 'html' else 'md'}.j2")
    text = template.render(context)
    return text if fmt == "html" else tidy_markdown(text)


def tidy_markdown(text: str) -> str:
    """Blank lines between Markdown blocks (headings, tables, lists, paragraphs), never two in a
    row: Jinja's block tags eat the newlines the templates would otherwise need."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        kind = _block_kind(line)
        if kind == "blank":
            if out and out[-1]:
                out.append("")
            continue
        previous = _block_kind(out[-1]) if out else "blank"
        if previous != "blank" and (kind != previous or "heading" in (kind, previous)):
            out.append("")
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _block_kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if stripped.startswith("#"):
        return "heading"
    if stripped.startswith("|"):
        return "table"
    if stripped.startswith(("- ", "* ")) or (stripped[:1].isdigit() and ". " in stripped[:5]):
        return "list"
    if stripped == "---":
        return "rule"
    return "text"
