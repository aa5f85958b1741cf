"""The dashboard: what falls due (the `register due` query), nonconformities, verifications and
decisions waiting — each linking to its case."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..register.queries import due_plan, worklist, worklist_totals
from .render import page
from .state import workbench

router = APIRouter()
DEFAULT_WITHIN = 60  # days: what `register due` plans by default
SHOWN = 200  # rows per list: a page of 12,000 rows is no use to read (the command lists them all)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, within: int = Query(DEFAULT_WITHIN, ge=0, le=3660)) -> HTMLResponse:
    bench = workbench(request)
    with bench.reader() as conn:
        plan, plan_total = due_plan(conn, bench.day(), within, limit=SHOWN)
        work, totals = worklist(conn, limit=SHOWN), worklist_totals(conn)
    totals["plan"] = plan_total
    return page(request, "dashboard.html.j2", plan=plan, within=within, work=work, totals=totals, shown=SHOWN)
