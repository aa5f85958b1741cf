"""The JSON API beside the pages (SPEC §10): the same queries, evaluation and lookups."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ..base.errors import InputError, Problem
from ..register import latest_evaluation, lookup, version_document, versions
from .casefile import NoSuchCase
from .intake import evaluate_body
from .state import workbench

router = APIRouter(prefix="/api/v1", tags=["api"])
BODY_NAME = "<body>"


def problems_response(problems: list[Problem]) -> JSONResponse:
    rows = [{"line": p.line, "field": p.field, "message": p.message} for p in problems]
    return JSONResponse({"problems": rows}, status_code=422)


@router.post(
    "/evaluate",
    summary="Evaluate a case (JSON or YAML body) and return the §4 result",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}, "application/yaml": {}},
            "required": True,
        }
    },
)
async def evaluate(
    request: Request,
    as_of: Annotated[dt.date | None, Query()] = None,
    pack: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    raw = await request.body()
    try:
        evaluation = evaluate_body(raw, request.headers.get("content-type", ""), BODY_NAME, as_of, pack)
    except InputError as error:
        return problems_response(list(error.problems))
    return JSONResponse(evaluation.result)


@router.get("/cases/{case_id}", summary="A case's latest version and its result")
def case(request: Request, case_id: str) -> dict[str, Any]:
    with workbench(request).reader() as conn:
        latest = latest_evaluation(conn, case_id)
        if latest is None:
            raise NoSuchCase(case_id)
        rows = versions(conn, case_id)
        document = version_document(conn, case_id) if rows else None
    return {
        "case_id": case_id,
        "version": rows[-1]["version"] if rows else None,
        "document": document,
        "evaluated_version": latest["version"],
        "result": json.loads(latest["result_json"]),
    }


@router.get("/cases/{case_id}/versions", summary="A case's versions: who, when, why")
def case_versions(request: Request, case_id: str) -> list[dict[str, Any]]:
    with workbench(request).reader() as conn:
        rows = versions(conn, case_id)
        if not rows and latest_evaluation(conn, case_id) is None:
            raise NoSuchCase(case_id)  # a case of release-1 evaluations only has no versions, and is known
    return rows


@router.get("/certificates/{number}", summary="A certificate as `register lookup` shows it")
def certificate(request: Request, number: str) -> dict[str, Any]:
    bench = workbench(request)
    with bench.reader() as conn:
        rows = lookup(conn, number=number, org=None, day=bench.day())
    if not rows:
        raise NoSuchCase(number)
    return rows[0]
