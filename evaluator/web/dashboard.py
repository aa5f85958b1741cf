"""The dashboard: what falls due (the `register due` query), nonconformities, verifications and
decisions waiting — each linking to its case."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..register import due, worklist
from .render import page
from .state import workbench

router = APIRouter()
DEFAULT_WITHIN = 60  # days: what `register due` plans by default
SHOWN = 200  # rows per list: a page of 12,000 rows is no use to read (the command lists them all)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, within: int = Query(DEFAULT_WITHIN, ge=0, le=3660)) -> HTMLResponse:
    bench = workbench(request)
    with bench.reader() as conn:
        plan = due(conn, bench.day(), within)
        work = worklist(conn)
    return page(request, "dashboard.html.j2", plan=plan, within=within, work=work, shown=SHOWN)
