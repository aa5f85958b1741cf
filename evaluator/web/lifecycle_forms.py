"""Recording an organisation's reply to a nonconformity and the body's verification of it (SPEC
§6.1), each as a new case version (why `response` / `verification`), by an evaluator.

GET shows the form on its own page (the case page shows the same forms inline); POST writes and
sends the officer back to the case page (303), or shows the form again with each problem by its
field (422), the conflict (409), nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from ..base.limits import MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_FILES
from ..register.blobs import EvidenceFile, RefusedFile, evidence_file
from ..register.users import User
from .case_writes import FormProblems, WriteConflict, item_path, parse_as_of, write_version
from .casefile import NoSuchCase, case_view
from .form_labels import form_text
from .identity import require_role
from .render import link, page
from .state import page_lang, workbench

router = APIRouter()
Evaluator = Annotated[User, Depends(require_role("evaluator"))]
REPLY_FIELDS = ("received_on", "root_cause", "correction", "corrective_action", "evidence_text", "as_of")
VERIFICATION_FIELDS = ("date", "result", "method", "note", "as_of")


def text_fields(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """The form's text values (what is not text counts as blank), surrounding spaces trimmed."""
    return {name: value.strip() if isinstance(value := form.get(name), str) else "" for name in names}


def base_version(form: FormData) -> int:
    value = form.get("base")
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _item(request: Request, case_id: str, nc_id: str) -> tuple[dict[str, Any], int]:
    """The tracked item as the case page shows it (state, severity), and the latest version."""
    with workbench(request).reader() as conn:
        view = case_view(conn, case_id)
    item = next((nc for nc in view.result.get("nonconformities") or [] if nc.get("id") == nc_id), None)
    if item is None or not view.versions:
        raise NoSuchCase(f"{case_id} {nc_id}")
    return item, int(view.versions[-1]["version"])


def form_page(
    request: Request,
    kind: str,
    case_id: str,
    nc_id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    item, base = _item(request, case_id, nc_id)
    return page(
        request,
        "lifecycle_form.html.j2",
        status=status,
        ft=form_text(page_lang(request)),
        kind=kind,
        case_id=case_id,
        item=item,
        base=base,
        values=values or {},
        errors=errors or {},
        on_team=None,
    )


def conflict_page(request: Request, case_id: str, conflict: WriteConflict) -> Response:
    ft = form_text(page_lang(request))
    return page(
        request,
        "refused.html.j2",
        status=409,
        case_id=case_id,
        heading=ft("conflict"),
        reason=ft("conflict_detail", base=conflict.base, latest=conflict.latest),
        back=ft("back"),
    )


def item_entry(
    case_id: str, nc_id: str, key: str, entry: dict[str, Any], observation_text: str
) -> Callable[[dict[str, Any]], str]:
    """A change that appends `entry` to the item's `key` list (responses or verifications) and
    returns the path of the entry it wrote."""

    def change(document: dict[str, Any]) -> str:
        found = item_path(document, nc_id)
        if found is None:
            raise NoSuchCase(f"{case_id} {nc_id}")
        name, index = found
        item = document["evaluation"][name][index]
        if item.get("severity") == "observation":
            raise FormProblems({"": [observation_text]})
        entries = item.setdefault(key, [])
        entries.append(entry)
        return f"evaluation.{name}[{index}].{key}[{len(entries) - 1}]"

    return change


async def uploaded_files(form: FormData, problems: FormProblems, too_many: str) -> list[EvidenceFile]:
    """The evidence files of a reply, each checked (size, type by its bytes, name sanitised);
    every refusal is a message by the field."""
    uploads = [
        u for u in form.getlist("evidence_files") if isinstance(u, UploadFile) and (u.filename or u.size)
    ]
    if len(uploads) > MAX_EVIDENCE_FILES:
        problems.add("evidence_files", too_many)
        return []
    files = []
    for upload in uploads:
        content = await upload.read(MAX_EVIDENCE_FILE_BYTES + 1)  # one byte over tells it is too large
        try:
            files.append(evidence_file(content, upload.filename or ""))
        except RefusedFile as error:
            problems.add("evidence_files", str(error))
    return files


def _response(values: dict[str, str], files: list[EvidenceFile], user: User) -> dict[str, Any]:
    """A reply entry (SPEC §6.1): the stored files cited first, then the other evidence lines."""
    evidence = [f.entry() for f in files] + [line.strip() for line in values["evidence_text"].splitlines()]
    response: dict[str, Any] = {
        "received_on": values["received_on"],
        "root_cause": values["root_cause"],
        "correction": values["correction"],
        "corrective_action": values["corrective_action"],
    }
    if any(evidence):
        response["evidence"] = [e for e in evidence if e]
    return response


def _verification(values: dict[str, str], files: list[EvidenceFile], user: User) -> dict[str, Any]:
    """A verification entry (SPEC §6.1), by the verifier's full name as evaluation.team names people."""
    verification: dict[str, Any] = {
        "date": values["date"],
        "by": user.full_name,
        "result": values["result"],
        "method": values["method"] or "document",
    }
    if values["note"]:
        verification["note"] = values["note"]
    return verification


Entry = Callable[[dict[str, str], list[EvidenceFile], User], dict[str, Any]]
# form kind: (its text fields, the case list it appends to, the version's why, the entry it builds)
KINDS: dict[str, tuple[tuple[str, ...], str, str, Entry]] = {
    "reply": (REPLY_FIELDS, "responses", "response", _response),
    "verification": (VERIFICATION_FIELDS, "verifications", "verification", _verification),
}


async def _submit(request: Request, kind: str, case_id: str, nc_id: str, user: User) -> Response:
    fields, key, why, build = KINDS[kind]
    ft = form_text(page_lang(request))
    form = await request.form()
    values = text_fields(form, fields)
    problems = FormProblems()
    files = await uploaded_files(form, problems, ft("too_many_files", n=MAX_EVIDENCE_FILES))
    as_of = parse_as_of(values["as_of"], problems, ft("not_a_date"))
    if problems.messages:
        return form_page(request, kind, case_id, nc_id, values, problems.messages, 422)
    change = item_entry(case_id, nc_id, key, build(values, files, user), ft("observation"))
    try:
        write_version(request, case_id, base_version(form), change, user, why, as_of, files)
    except FormProblems as refused:
        return form_page(request, kind, case_id, nc_id, values, refused.messages, 422)
    except WriteConflict as conflict:
        return conflict_page(request, case_id, conflict)
    return RedirectResponse(link(request, f"/cases/{case_id}") + f"#nc-{nc_id}", status_code=303)


@router.get("/cases/{case_id}/ncs/{nc_id}/{kind}")
def item_form_page(request: Request, case_id: str, nc_id: str, kind: str, user: Evaluator) -> Response:
    """The reply or verification form on its own page."""
    if kind not in KINDS:
        raise NoSuchCase(f"{case_id} {nc_id} {kind}")
    return form_page(request, kind, case_id, nc_id)


@router.post("/cases/{case_id}/ncs/{nc_id}/reply")
async def record_reply(request: Request, case_id: str, nc_id: str, user: Evaluator) -> Response:
    return await _submit(request, "reply", case_id, nc_id, user)


@router.post("/cases/{case_id}/ncs/{nc_id}/verification")
async def record_verification(request: Request, case_id: str, nc_id: str, user: Evaluator) -> Response:
    return await _submit(request, "verification", case_id, nc_id, user)
