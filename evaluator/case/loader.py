"""From a case file (or an already parsed document) to a validated `Case` and its pack."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..base.case_model import STAGES, Case
from ..base.errors import CaseError, Problem
from ..base.schema_language import INVALID, Ctx, key_line
from ..base.yamlfast import parse_yaml_fast
from ..base.yamlsafe import LoadError, decode, parse_json, parse_json_located, parse_yaml
from ..packs import DEFAULT_PACK, Pack, builtin_pack_ids, load_pack
from ..packs.spec import PACK_ID
from .checks import check_case
from .shape import case_spec

JSON_SUFFIXES = (".json",)
# Case formats that a higher wing reads (.xlsx: evaluator/sheets) plug in by entry point, so
# this wing calls them without importing up the ranks.
READER_GROUP = "certeval.case_readers"
# Set to 1, every case is read by the exact (line-keeping) path alone: same output, slower.
EXACT_PARSE_VARIABLE = "CERTEVAL_EXACT_PARSE"


@functools.lru_cache(maxsize=8)
def plugged_reader(suffix: str) -> Callable[[Path, str], tuple[Any, Callable[[], Any] | None]] | None:
    """The reader registered for a file suffix (without the dot), if any."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=READER_GROUP, name=suffix):
        reader: Callable[[Path, str], tuple[Any, Callable[[], Any] | None]] = entry.load()
        return reader
    return None


def read_document(
    path: Path, name: str | None = None, *, fast: bool | None = None
) -> tuple[Any, Callable[[], Any] | None]:
    """The parsed document of a case file, and (fast path) a way to re-parse it with lines."""
    name = name or str(path)
    plugged = plugged_reader(path.suffix.lower().lstrip(".")) if path.suffix.lower() == ".xlsx" else None
    if plugged is not None:
        return plugged(path, name)
    try:
        raw = path.read_bytes()
    except OSError as e:
        problem = Problem(
            name,
            None,
            "",
            f"cannot read: {e.strerror}",
            code="file.unreadable",
            values={"reason": e.strerror},
        )
        raise CaseError([problem]) from None
    try:
        return parse_case_text(
            decode(raw, name), name, as_json=path.suffix.lower() in JSON_SUFFIXES, fast=fast
        )
    except LoadError as e:
        raise CaseError([e.problem]) from None


def parse_case_text(
    text: str, name: str, *, as_json: bool, fast: bool | None = None
) -> tuple[Any, Callable[[], Any] | None]:
    """The one place a case's text is parsed (files, JSON Lines, the workbench API).

    The fast path (SPEC §11) parses without lines — `json.loads`, or yaml-rs where
    `parse_yaml_fast` vouches for the values — and returns with it `locate`, which parses again
    with lines; `build_case` calls it only when there is a problem to report.  `fast=False` is
    the exact path alone: the line-keeping loader, the document it gives validated directly.
    `fast=None` takes the fast path unless the environment sets `CERTEVAL_EXACT_PARSE=1` (the
    differential tests run whole commands both ways with it).  Raises LoadError.
    """
    if fast is None:
        fast = os.environ.get(EXACT_PARSE_VARIABLE) != "1"
    if as_json:
        doc = parse_json(text, name)  # its syntax errors are the JSON messages on both paths
        if not fast:
            return parse_json_located(text, name), None
        return doc, lambda: parse_json_located(text, name)
    if fast:
        quick = parse_yaml_fast(text)
        if quick is not None:
            return quick, lambda: parse_yaml(text, name)
    return parse_yaml(text, name), None


def load_case(
    path: Path,
    *,
    pack_ref: str | Path | Pack | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    name: str | None = None,
    fast: bool | None = None,
) -> tuple[Case, Pack]:
    name = name or str(path)
    doc, locate = read_document(path, name, fast=fast)
    return build_case(doc, name, pack_ref=pack_ref, as_of=as_of, today=today, locate=locate)


def build_case(
    doc: Any,
    name: str,
    *,
    pack_ref: str | Path | Pack | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    locate: Callable[[], Any] | None = None,
) -> tuple[Case, Pack]:
    """Validate a parsed case document; every problem is reported at once (CaseError).

    `locate` re-parses the document with line numbers; it is called only when there is a
    problem to report (the JSON fast path).
    """
    try:
        return _placed(doc, lambda: _build(doc, name, pack_ref, as_of, today))
    except CaseError:
        if locate is None:
            raise
    located = _relocate(locate, name)
    return _build(located, name, pack_ref, as_of, today)


def _placed(doc: Any, build: Callable[[], tuple[Case, Pack]]) -> tuple[Case, Pack]:
    """Build; for a document without lines (a workbook) name each problem by the place its field
    came from (`places`: field path -> "评分表!E7"), adding what its reader found (`problems`)."""
    places: Mapping[str, str] | None = getattr(doc, "places", None)
    if places is None:
        return build()
    found: list[Problem] = list(getattr(doc, "problems", ()))
    try:
        built = build()
    except CaseError as e:
        read = {p.field for p in found}
        found += [_place(p, places) for p in e.problems if not _under(p.field, read)]
    if found:
        raise CaseError(found)
    return built


def _place(problem: Problem, places: Mapping[str, str]) -> Problem:
    """The problem at the place of its field, or of the nearest enclosing field that has one."""
    path = problem.field
    while path not in places:
        shorter = _LAST_STEP.sub("", path)
        if shorter == path:
            return problem
        path = shorter
    return dataclasses.replace(problem, line=None, place=places[path])


_LAST_STEP = re.compile(r"(?:^|\.)[^.\[\]]+$|\[\d+\]$")


def _under(field: str, paths: set[str]) -> bool:
    return any(field == p or field.startswith((p + ".", p + "[")) for p in paths if p)


def _relocate(locate: Callable[[], Any], name: str) -> Any:
    try:
        return locate()
    except LoadError as e:
        raise CaseError([e.problem]) from None


def _choose_pack(doc: Mapping[str, Any], name: str, pack_ref: str | Path | Pack | None) -> Pack:
    if isinstance(pack_ref, Pack):
        return pack_ref
    if pack_ref is not None:
        return load_pack(pack_ref)
    wanted = doc.get("pack")
    if isinstance(wanted, str) and re.fullmatch(PACK_ID, wanted):
        if wanted not in builtin_pack_ids():
            known = ", ".join(builtin_pack_ids())
            raise CaseError(
                [
                    Problem(
                        name,
                        key_line(doc, "pack", None),
                        "pack",
                        f"unknown rule pack {wanted!r} (built-in: {known})",
                        code="pack.unknown",
                        values={"pack": wanted, "known": known},
                    )
                ]
            )
        return load_pack(wanted)
    return load_pack(DEFAULT_PACK)  # a malformed `pack:` is reported by the schema


def _build(
    doc: Any,
    name: str,
    pack_ref: str | Path | Pack | None,
    as_of: dt.date | None,
    today: dt.date | None,
) -> tuple[Case, Pack]:
    if not isinstance(doc, Mapping):
        if doc is None:
            problem = Problem(
                name, getattr(doc, "line", 1), "", "the case file is empty", code="document.empty"
            )
        else:
            problem = Problem(
                name,
                getattr(doc, "line", 1),
                "",
                "the case file is not a mapping of fields",
                code="document.not_mapping",
            )
        raise CaseError([problem])
    pack = _choose_pack(doc, name, pack_ref)
    stage = doc.get("stage")
    ctx = Ctx(name)
    data = case_spec(pack, stage if stage in STAGES else "").check(doc, ctx, "", 1)
    if data is INVALID:
        raise CaseError(ctx.problems)
    case = Case(
        case_id=data["case_id"],
        stage=data["stage"],
        as_of=as_of or data.get("as_of") or today or dt.date.today(),
        pack=pack.id,
        organization=data["organization"],
        service_system=data.get("service_system"),
        incidents=data.get("incidents", ()),
        application=data.get("application"),
        evaluation=data.get("evaluation"),
        evidence=data.get("evidence"),
        certificate=data.get("certificate"),
        surveillance=data.get("surveillance", ()),
        extension=data.get("extension"),
        changes=data.get("changes"),
        decision=data.get("decision"),
        source=name,
        document=doc,
    )
    problems = check_case(case, pack, doc, name)
    if problems:
        raise CaseError(problems)
    return case, pack
