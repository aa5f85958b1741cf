"""Downloads: every report kind `outputs.report` offers, in zh / en / both, as HTML, Markdown
and (with the pdf extra) PDF; and the YAML of any case version."""

from __future__ import annotations

import importlib.util
import urllib.parse
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..outputs import report
from ..outputs.files import safe_name
from ..register import UnknownCase, to_yaml, version_document
from .casefile import NoSuchCase, case_view
from .render import link
from .state import workbench

if TYPE_CHECKING:
    from ..api import Evaluation

router = APIRouter()
LANGS = ("zh", "en", "both")
MEDIA = {
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


def formats() -> list[str]:
    """The formats this installation renders: PDF only with the extra."""
    have_pdf = importlib.util.find_spec("weasyprint") is not None
    return [f for f in report.FORMATS if f != "pdf" or have_pdf]


def download_links(request: Request, case_id: str, evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per report kind that fits the case (SPEC 8.3): its links by language and format."""
    return [
        {
            "kind": kind,
            "links": [
                {
                    "lang": lang,
                    "fmt": fmt,
                    "url": link(request, f"/cases/{case_id}/reports/{kind}.{lang}.{fmt}"),
                }
                for lang in LANGS
                for fmt in formats()
            ],
        }
        for kind in report.KINDS
        if report.kind_problem(evaluation, kind) is None
    ]


def attachment(body: str | bytes, filename: str, media: str) -> Response:
    """A download: `Content-Disposition: attachment` with an ASCII fallback name and the real
    one as RFC 6266 / 5987 `filename*` (Chinese names survive); never sniffed as another type."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename)
    disposition = f'attachment; filename="{fallback}"'
    if fallback != filename:
        disposition += f"; filename*=UTF-8''{urllib.parse.quote(filename, safe='')}"
    headers = {"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=media, headers=headers)


@router.get("/cases/{case_id}/reports/{kind}.{lang}.{fmt}")
def report_download(request: Request, case_id: str, kind: str, lang: str, fmt: str) -> Response:
    if kind not in report.KINDS or lang not in LANGS or fmt not in formats():
        raise NoSuchCase(f"{kind}.{lang}.{fmt}")
    bench = workbench(request)
    with bench.reader() as conn:
        view = case_view(conn, case_id)
    if view.evaluation is None:
        raise NoSuchCase(case_id)
    try:
        body = report.render_report(view.evaluation, kind, fmt, lang, body=bench.profile)
    except report.ReportNotApplicable as error:  # a kind that does not fit this case
        raise NoSuchCase(str(error)) from None
    return attachment(body, report.report_filename(case_id, kind, fmt, lang), MEDIA[fmt])


@router.get("/cases/{case_id}/versions/{number}.yaml")
def version_yaml(request: Request, case_id: str, number: int) -> Response:
    with workbench(request).reader() as conn:
        try:
            document = version_document(conn, case_id, number)
        except UnknownCase as error:
            raise NoSuchCase(str(error)) from None
    name = f"{safe_name(case_id)}.v{number}.yaml"
    return attachment(to_yaml(document), name, "application/yaml; charset=utf-8")
