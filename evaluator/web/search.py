"""Search: organisation (Chinese or English), credit code, certificate number or case id."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..register import search
from .render import page
from .state import workbench

router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=200)) -> HTMLResponse:
    rows = []
    if q.strip():
        with workbench(request).reader() as conn:
            rows = search(conn, q)
    return page(request, "search.html.j2", q=q, rows=rows)
