"""Evidence files served back from the register (issue 17): `GET /cases/{id}/files/{sha256}`,
only a file that a version of that case cites, always as an attachment of the type read from
its bytes, never rendered by the browser (nosniff, and a sandbox should one be opened)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..register.blobs import stored_file
from .casefile import NoSuchCase
from .downloads import attachment
from .state import workbench

router = APIRouter()


@router.get("/cases/{case_id}/files/{sha256}")
def evidence_download(request: Request, case_id: str, sha256: str) -> Response:
    with workbench(request).reader() as conn:
        found = stored_file(conn, case_id, sha256)
    if found is None:
        raise NoSuchCase(f"{case_id}: no evidence file {sha256[:64]}")
    response = attachment(found.content, found.name, found.media_type)
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
