"""The dashboard: what falls due (the `register due` query), nonconformities, verifications and
decisions waiting — each linking to its case."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..base.errors import InputError
from ..register.queries import due_plan, worklist, worklist_totals
from .render import page
from .state import page_lang, workbench

router = APIRouter()
DEFAULT_WITHIN = 60  # days: what `register due` plans by default
SHOWN = 200  # rows per list: a page of 12,000 rows is no use to read (the command lists them all)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, within: int = Query(DEFAULT_WITHIN, ge=0, le=3660)) -> HTMLResponse:
    bench = workbench(request)
    with bench.reader() as conn:
        plan, plan_total = due_plan(conn, bench.day(), within, limit=SHOWN)
        work, totals = worklist(conn, limit=SHOWN), worklist_totals(conn)
        _label_grades(conn, work["decisions_waiting"], page_lang(request))
    totals["plan"] = plan_total
    return page(request, "dashboard.html.j2", plan=plan, within=within, work=work, totals=totals, shown=SHOWN)


def _label_grades(conn: sqlite3.Connection, entries: list[dict[str, Any]], lang: str) -> None:
    """Each entry's grade by its label in the page's language, from the pack that evaluated the
    case (the labels the documents use); the id when that pack is not at hand."""
    from ..packs import load_pack

    cases = [entry["case_id"] for entry in entries]
    packs = dict(
        conn.execute(
            f"""SELECT k.case_id, e.pack_id FROM cases k JOIN evaluations e ON e.id = k.evaluation_id
                WHERE k.case_id IN ({", ".join("?" * len(cases))})""",
            cases,
        ).fetchall()
    )
    for entry in entries:
        try:
            label = load_pack(packs[entry["case_id"]]).grade_label(entry.get("grade"))
        except (InputError, KeyError):
            label = None
        entry["grade_label"] = label.get(lang) if label is not None else entry.get("grade")
