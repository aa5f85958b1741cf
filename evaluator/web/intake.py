"""A case sent to the API (JSON or YAML bytes) through the loader the command line uses."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..base.errors import CaseError
from ..base.yamlsafe import LoadError, decode, parse_json, parse_json_located, parse_yaml
from ..case.loader import build_case

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
        text = decode(raw, name)
        document = parse_json(text, name) if as_json else parse_yaml(text, name)
    except LoadError as error:
        raise CaseError([error.problem]) from None
    locate = (lambda: parse_json_located(text, name)) if as_json else None
    case, loaded_pack = build_case(document, name, pack_ref=pack, as_of=as_of, locate=locate)
    return run(case, loaded_pack)
