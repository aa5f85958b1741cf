"""A case sent to the API (JSON or YAML bytes) through the loader the command line uses."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..base.errors import CaseError
from ..base.yamlsafe import LoadError, decode
from ..case.loader import build_case, parse_case_text

if TYPE_CHECKING:
    from ..api import Evaluation


def evaluate_body(
    raw: bytes, content_type: str, name: str, as_of: dt.date | None, pack: str | None
) -> Evaluation:
    """Parse (JSON when the content type says so, else YAML), validate, evaluate; CaseError with
    every problem otherwise."""
    from ..api import run

    as_json = "json" in content_type.lower()
    try:
        document, locate = parse_case_text(decode(raw, name), name, as_json=as_json)
    except LoadError as error:
        raise CaseError([error.problem]) from None
    case, loaded_pack = build_case(document, name, pack_ref=pack, as_of=as_of, locate=locate)
    return run(case, loaded_pack)
