"""The intake (SPEC §10): a new case from the form or an uploaded YAML / JSON / XLSX file, and
the edit of a case's latest version.

Every save goes the way `certeval register import` goes: the loader's `build_case` validates,
the API's `run` evaluates, `register_record` + `record_all` add the version (why `form` or
`upload`, by the acting user) and its evaluation in one transaction.  The form carries the
version it started from; a save against a case that has moved on writes nothing and answers 409
with the difference, keeping what the officer typed."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from ..base.case_model import STAGES
from ..base.errors import CaseError, Problem
from ..base.limits import MAX_FILE_BYTES
from ..case.loader import build_case, read_document
from ..case.shape import case_spec
from ..packs import DEFAULT_PACK, Pack, builtin_pack_ids, load_pack
from ..register import (
    StaleVersion,
    connect,
    latest_version,
    record_all,
    register_record,
    version_document,
    yaml_diff,
)
from ..register.users import User
from .forms import ADD_ROW, REMOVE_ROW, add_row, build_form, read_form, remove_row
from .identity import require_role
from .intake_labels import intake_text
from .render import link, page
from .state import page_lang, workbench

router = APIRouter()
AsEvaluator = Annotated[User, Depends(require_role("evaluator"))]
UPLOAD_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
FORM_NAME = "form"  # the "file" the validator names for a form's problems


@router.get("/cases/new", response_class=HTMLResponse)
def new_case(
    request: Request, user: AsEvaluator, stage: str = Query("initial"), pack: str | None = None
) -> HTMLResponse:
    stage = _stage(stage)
    document: dict[str, Any] = {"stage": stage}
    if pack:
        document["pack"] = pack
    return _form_page(request, document, action="new")


@router.post("/cases/new", response_class=HTMLResponse)
async def create_case(request: Request, user: AsEvaluator, stage: str = Query("initial")) -> Response:
    form = await request.form()
    try:
        upload = form.get("file")
        if isinstance(upload, UploadFile):
            return await _upload(request, user, upload)
        document = _posted(form, _stage(stage))
        changed = _row_action(form, document)
        if changed:
            return _form_page(request, document, action="new")
        return _save(request, user, document, "form", based_on=None, action="new")
    finally:
        await form.close()


@router.get("/cases/{case_id}/edit", response_class=HTMLResponse)
def edit_case(request: Request, user: AsEvaluator, case_id: str) -> HTMLResponse:
    with workbench(request).reader() as conn:
        document = version_document(conn, case_id)
        number = latest_version(conn, case_id)
    document.pop("as_of", None)  # a save is evaluated today unless the officer says otherwise
    return _form_page(request, document, action="edit", based_on=number)


@router.post("/cases/{case_id}/edit", response_class=HTMLResponse)
async def save_edit(request: Request, user: AsEvaluator, case_id: str) -> Response:
    form = await request.form()
    try:
        with workbench(request).reader() as conn:
            stage = version_document(conn, case_id).get("stage")  # 404 for an unknown case
        based_on = _int(form.get("_based_on"))
        document = _posted(form, stage if isinstance(stage, str) else "initial")
        document["case_id"] = case_id  # an edit never renames a case
        if _row_action(form, document):
            return _form_page(request, document, action="edit", based_on=based_on)
        return _save(request, user, document, "form", based_on=based_on, action="edit")
    finally:
        await form.close()


# --------------------------------------------------------------------------------- the steps
def _stage(stage: str) -> str:
    if stage not in STAGES:
        raise LookupError(f"stage {stage!r} (one of {', '.join(STAGES)})")
    return stage


def _pack_of(document: dict[str, Any]) -> Pack:
    wanted = document.get("pack")
    return load_pack(wanted if isinstance(wanted, str) and wanted in builtin_pack_ids() else DEFAULT_PACK)


def _spec_of(document: dict[str, Any]) -> tuple[Any, Pack]:
    pack = _pack_of(document)
    stage = document.get("stage")
    return case_spec(pack, stage if stage in STAGES else "initial"), pack


def _posted(form: FormData, stage: str) -> dict[str, Any]:
    values = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    posted_stage = (values.get("stage") or [""])[0]
    chosen = posted_stage if posted_stage in STAGES else stage
    posted_pack = (values.get("pack") or [""])[0]
    spec, _ = _spec_of({"stage": chosen, "pack": posted_pack})
    return read_form(spec, values)


def _row_action(form: FormData, document: dict[str, Any]) -> bool:
    """Add or remove a row, or only recalculate the sums: the form again, nothing saved."""
    added, removed = form.get(ADD_ROW), form.get(REMOVE_ROW)
    if isinstance(added, str) and added:
        add_row(document, added)
        return True
    if isinstance(removed, str) and removed:
        remove_row(document, removed)
        return True
    return bool(form.get("recalc"))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _form_page(
    request: Request,
    document: dict[str, Any],
    action: str,
    based_on: int | None = None,
    problems: list[Problem] | None = None,
    status: int = 200,
    conflict: dict[str, Any] | None = None,
    upload_problems: list[str] | None = None,
    notes: list[str] | None = None,
) -> HTMLResponse:
    lang = page_lang(request)
    spec, pack = _spec_of(document)
    form = build_form(spec, pack, document, lang, problems or (), fresh=action == "new")
    case_id = document.get("case_id") if action == "edit" else None
    target = "/cases/new" if action == "new" else f"/cases/{case_id}/edit"
    return page(
        request,
        "intake.html.j2",
        status=status,
        it=intake_text(lang),
        form=form,
        action=action,
        case_id=case_id,
        stage_id=document.get("stage"),
        stages=STAGES,
        form_action=link(request, target, stage=document.get("stage") if action == "new" else None),
        upload_action=link(request, "/cases/new"),
        based_on=based_on,
        conflict=conflict,
        upload_problems=upload_problems or [],
        notes=notes or [],
        upload_limit=f"{MAX_FILE_BYTES / (1024 * 1024):g} MiB",
    )


def _save(
    request: Request,
    user: User,
    document: dict[str, Any],
    why: str,
    based_on: int | None,
    action: str,
    name: str = FORM_NAME,
    locate: Callable[[], Any] | None = None,
) -> Response:
    """Validate, evaluate and record; the form again with every problem otherwise."""
    from ..api import run

    day = workbench(request).day()  # the server's date, never the browser's
    dated_here = not document.get("as_of")
    if dated_here:
        document["as_of"] = day.isoformat()
    try:
        case, pack = build_case(document, name, today=day, locate=locate)
    except CaseError as error:
        if dated_here:
            del document["as_of"]  # the form shows what the officer typed: nothing
        return _invalid(request, document, action, based_on, error.problems, why)
    record = register_record(run(case, pack))
    conn = connect(workbench(request).db)
    try:
        record_all(conn, [record], by=user.name, why=why, based_on={case.case_id: based_on})
    except StaleVersion as stale:
        return _stale(request, document, action, stale)
    finally:
        conn.close()
    return RedirectResponse(link(request, f"/cases/{case.case_id}"), status_code=303)


def _invalid(
    request: Request,
    document: dict[str, Any],
    action: str,
    based_on: int | None,
    problems: list[Problem],
    why: str,
) -> HTMLResponse:
    listed = None
    if why == "upload":
        from ..case.messages import say

        lang = page_lang(request)
        listed = [f"{_where(p)}: {p.field + ': ' if p.field else ''}{say(p, lang)}" for p in problems]
    return _form_page(request, document, action, based_on, problems, status=422, upload_problems=listed)


def _where(problem: Problem) -> str:
    if problem.place:
        return f"{problem.file}:{problem.place}"
    return f"{problem.file}:{problem.line}" if problem.line else problem.file


def _stale(request: Request, document: dict[str, Any], action: str, stale: StaleVersion) -> HTMLResponse:
    it = intake_text(page_lang(request))
    if stale.based_on is None:  # a new case whose id is taken
        problem = Problem(FORM_NAME, None, "case_id", it("case_exists", case_id=stale.case_id))
        return _form_page(request, document, action, None, [problem], status=409)
    with workbench(request).reader() as conn:
        newer = version_document(conn, stale.case_id)
    diff = yaml_diff(newer, document, f"{stale.case_id} v{stale.latest}", it("conflict"))
    conflict = {"based_on": stale.based_on, "latest": stale.latest, "diff": diff}
    # the officer's input, now based on the newer version: saving again applies it over that one
    return _form_page(request, document, action, stale.latest, status=409, conflict=conflict)


async def _upload(request: Request, user: User, upload: UploadFile) -> Response:
    """An uploaded case file: its name shown, never used as a path; read as the command line
    reads it (the workbook through the sheets reader, with its bounds)."""
    it = intake_text(page_lang(request))
    name = safe_upload_name(upload.filename or "")
    suffix = Path(name).suffix.lower()
    stage = request.query_params.get("stage", "initial")
    blank: dict[str, Any] = {"stage": stage if stage in STAGES else "initial"}
    if not upload.filename:
        return _form_page(request, blank, "new", status=422, upload_problems=[it("no_file")])
    if suffix not in UPLOAD_SUFFIXES:
        return _form_page(
            request, blank, "new", status=422, upload_problems=[f"{name}: {it('bad_upload_type')}"]
        )
    raw = await upload.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        message = it("too_large", size=f"> {MAX_FILE_BYTES}", limit=MAX_FILE_BYTES)
        return _form_page(request, blank, "new", status=413, upload_problems=[f"{name}: {message}"])
    try:
        document, locate = _read_upload(raw, suffix, name)
        if not isinstance(document, dict):
            build_case(document, name)  # the loader's own problem: empty, or not a mapping
    except CaseError as error:
        return _invalid(request, blank, "new", None, error.problems, "upload")
    return _save(request, user, document, "upload", based_on=None, action="new", name=name, locate=locate)


def _read_upload(raw: bytes, suffix: str, name: str) -> tuple[Any, Callable[[], Any] | None]:
    """The parsed document of an upload and, for JSON, how to find its lines (the loader's
    `read_document` on a file of our own naming in a private folder)."""
    with tempfile.TemporaryDirectory(prefix="certeval-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(raw)
        return read_document(path, name)


def safe_upload_name(filename: str) -> str:
    """A client's file name as it may be shown: its last part only, plain characters, short."""
    last = re.split(r"[\\/]", filename)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", last).strip(" .")[:100]
    return cleaned or "upload"
