"""`create_app`: the workbench's FastAPI application over one register (SPEC §10).

Pages and the JSON API call the register's queries, the reports and `explain` — the code the
commands call; no business rule lives in a route.  Every page works without JavaScript; htmx,
vendored under static/, only swaps the findings diff in place.  Auth (users, sessions, CSRF)
comes from `auth.install_auth`; without users the server acts as the single local officer and
binds 127.0.0.1 only (the command enforces that)."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from ..base.errors import UsageError
from ..base.version import certeval_version
from ..outputs.report.environment import templates_root
from ..register import UnknownCase
from . import (
    api,
    cases,
    dashboard,
    decision_form,
    downloads,
    evidence_files,
    intake_pages,
    lifecycle_forms,
    search,
)
from .auth import install_auth
from .casefile import NoSuchCase
from .render import page
from .state import Workbench

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("certeval.web")


def create_app(db: Path, body: Path | None = None, as_of: dt.date | None = None) -> FastAPI:
    app = FastAPI(
        title="certeval workbench",
        version=certeval_version(),
        description="The register of certification cases: pages for officers and a JSON API (SPEC §10).",
        # the framework's interactive docs load their scripts from a CDN: only the schema is served
        docs_url=None,
        redoc_url=None,
    )
    from ..body.profile import load_profile, profile_path

    where = profile_path(body)  # --body, else $CERTEVAL_BODY: documents carry the body's identity
    app.state.workbench = Workbench(Path(db), where, as_of, load_profile(where) if where else None)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (dashboard, search, intake_pages, cases, downloads, api):  # /cases/new before /cases/{id}
        app.include_router(module.router)
    for module in (lifecycle_forms, decision_form, evidence_files):  # issue 17: replies, decisions
        app.include_router(module.router)

    @app.get("/report.css", include_in_schema=False)
    def report_css() -> FileResponse:
        """The reports' stylesheet: the case page shows the summary report inline."""
        return FileResponse(templates_root() / "report.css", media_type="text/css")

    _install_errors(app)
    install_auth(app, Path(db))  # login, sessions, CSRF and roles in front of every route
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_errors(app: FastAPI) -> None:
    def not_found(request: Request, what: str) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": f"not found: {what}"}, status_code=404)
        return page(request, "error.html.j2", status=404, title_key="not_found", detail=what)

    @app.exception_handler(NoSuchCase)
    @app.exception_handler(UnknownCase)
    @app.exception_handler(LookupError)
    async def unknown(request: Request, error: Exception) -> Response:
        return not_found(request, str(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            return not_found(request, request.url.path)
        return JSONResponse({"detail": error.detail}, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def bad_query(request: Request, error: RequestValidationError) -> Response:
        problems = [
            {"line": None, "field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        return JSONResponse({"problems": problems}, status_code=422)

    @app.exception_handler(sqlite3.Error)
    @app.exception_handler(UsageError)
    async def broken_register(request: Request, error: Exception) -> Response:
        """A register that cannot be read: a clear page, status 500, never a traceback."""
        log.error("register %s: %s", request.app.state.workbench.db, error)
        detail = f"{request.app.state.workbench.db}: {error}"
        if _is_api(request):
            return JSONResponse({"detail": detail}, status_code=500)
        return page(request, "error.html.j2", status=500, title_key="error", detail=detail)

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        detail = f"internal error: {type(error).__name__}: {error}"
        if _is_api(request):
            return JSONResponse({"detail": detail}, status_code=500)
        return page(request, "error.html.j2", status=500, title_key="error", detail=detail)
