"""The CSRF synchroniser token: one per session, sent back by every state-changing request in
the form field `csrf_token` or the header `X-CSRF-Token`.

The body of a form has to be read to find the field; it is spooled (to disk past a megabyte)
and replayed to the application unchanged."""

from __future__ import annotations

import hmac
import tempfile
from typing import IO, Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# what a browser may send to another site without asking it first (a CORS "simple" request)
SIMPLE_TYPES = FORM_TYPES | {"text/plain", ""}
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


class BodyTooLarge(Exception):
    pass


def media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def state_changing(method: str) -> bool:
    return method.upper() not in SAFE_METHODS


def tokens_match(supplied: str | None, expected: str | None) -> bool:
    if not supplied or not expected:
        return False
    return hmac.compare_digest(supplied.encode("utf-8"), expected.encode("utf-8"))


async def _spool(receive: Receive, limit: int) -> IO[bytes]:
    # no `with`: the spool outlives this function, and the last replay closes it
    body = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            body.close()
            raise BodyTooLarge(f"the request body is over {limit} bytes")
        body.write(chunk)
        more = message.get("more_body", False)
    return body


def _replay(body: IO[bytes], after: Receive, *, last: bool) -> Receive:
    """A receive that yields the spooled body from its start, then hands over to the real one;
    the `last` replay closes the spool."""
    size = body.seek(0, 2)
    body.seek(0)
    finished = False

    async def receive() -> Message:
        nonlocal finished
        if finished:
            return await after()
        chunk = body.read(CHUNK)
        finished = body.tell() >= size
        if finished and last:
            body.close()
        return {"type": "http.request", "body": chunk, "more_body": not finished}

    return receive


async def supplied_token(scope: Scope, receive: Receive, limit: int) -> tuple[str | None, Receive]:
    """The token a request sends (header first, else the form field) and the receive that the
    application must use from now on."""
    headers = Headers(scope=scope)
    if HEADER in headers:
        return headers[HEADER], receive
    if media_type(headers) not in FORM_TYPES:
        return None, receive
    body = await _spool(receive, limit)
    try:
        form = await Request(scope, _replay(body, receive, last=False)).form()
    except (MultiPartException, HTTPException):  # a malformed form carries no token
        return None, _replay(body, receive, last=True)
    try:
        value: Any = form.get(FIELD)
    finally:
        await form.close()
    return (value if isinstance(value, str) else None), _replay(body, receive, last=True)
