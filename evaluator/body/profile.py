"""The body profile (SPEC 8.1): who issues the documents, how their numbers are formed.

A YAML file given with `--body PATH` or `CERTEVAL_BODY`, validated like a case: unknown keys, a
missing logo or mapping file, or a number pattern with an unknown field are bad input (exit 2,
file:line).  The logo is read once and embedded as a data URI, never linked.
"""

from __future__ import annotations

import base64
import os
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import CaseError, Problem
from ..base.i18n import Text
from ..base.schema_language import INVALID, Ctx, Field, Obj, Str, key_line
from ..base.yamlsafe import LoadError, decode, parse_yaml

ENV_VAR = "CERTEVAL_BODY"
PATTERN_FIELDS = {
    "report": ("body", "year", "case_id", "kind"),
    "certificate": ("body", "year", "case_id", "kind", "seq"),
}
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 512 * 1024
DEFAULT_PATTERNS = {"report": "{case_id}", "certificate": ""}

_NON_BLANK = Str(pattern=r"[\s\S]*\S[\s\S]*", pattern_hint="must not be blank")


def _text() -> Obj:
    return Obj(
        {"zh": Field(_NON_BLANK, required=True), "en": Field(_NON_BLANK, required=True)},
        build=Text,
        description="bilingual text {zh, en}",
    )


def profile_spec() -> Obj:
    return Obj(
        {
            "id": Field(
                Str(pattern=r"[A-Z][A-Z0-9]{0,15}", pattern_hint="an upper-case code"), required=True
            ),
            "name": Field(_text(), required=True),
            "approval": Field(_NON_BLANK, required=True),
            "address": Field(_text()),
            "contact": Field(
                Obj({"phone": Field(_NON_BLANK), "email": Field(_NON_BLANK), "website": Field(_NON_BLANK)})
            ),
            "logo": Field(_NON_BLANK),
            "numbers": Field(Obj({"report": Field(_NON_BLANK), "certificate": Field(_NON_BLANK)})),
            "cnca_columns": Field(_NON_BLANK),
        },
        description="a certification body profile",
    )


@dataclass(frozen=True)
class BodyProfile:
    id: str
    name: Text
    approval: str
    address: Text | None
    contact: dict[str, str]
    logo_data_uri: str | None
    report_pattern: str
    certificate_pattern: str | None
    cnca_columns: Path | None

    def report_number(self, case_id: str, year: int, kind: str) -> str:
        return self.report_pattern.format(body=self.id, year=year, case_id=case_id, kind=kind)

    def certificate_number(self, case_id: str, year: int, seq: int) -> str | None:
        """The certificate number for an allocated `seq` (only the register allocates one)."""
        if not self.certificate_pattern:
            return None
        return self.certificate_pattern.format(
            body=self.id, year=year, case_id=case_id, kind="certificate", seq=seq
        )


def report_number(profile: BodyProfile | None, case_id: str, year: int, kind: str) -> str:
    """The report number: the profile's pattern, else the case_id (SPEC 8.1)."""
    return case_id if profile is None else profile.report_number(case_id, year, kind)


def profile_path(explicit: str | Path | None) -> Path | None:
    """`--body`, else CERTEVAL_BODY, else none."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR, "").strip()
    return Path(env) if env else None


def load_profile(path: Path) -> BodyProfile:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise CaseError([Problem(name, None, "", f"cannot read the body profile: {e.strerror}")]) from None
    try:
        doc = parse_yaml(decode(raw, name), name)
    except LoadError as e:
        raise CaseError([e.problem]) from None
    ctx = Ctx(name)
    data = profile_spec().check(doc, ctx, "", 1)
    problems = list(ctx.problems)
    if data is INVALID:
        raise CaseError(problems)
    numbers = data.get("numbers") or {}
    for kind, fields in PATTERN_FIELDS.items():
        if kind in numbers:
            line = key_line(doc.get("numbers"), kind, key_line(doc, "numbers", 1))
            problems += _pattern_problems(numbers[kind], fields, name, line, f"numbers.{kind}")
    logo = None
    if "logo" in data:
        logo, problem = _logo(path.parent, data["logo"], name, key_line(doc, "logo", 1))
        problems += [problem] if problem else []
    cnca = None
    if "cnca_columns" in data:
        cnca, problem = _sibling(
            path.parent, data["cnca_columns"], name, key_line(doc, "cnca_columns", 1), "cnca_columns"
        )
        problems += [problem] if problem else []
    if problems:
        raise CaseError(problems)
    return BodyProfile(
        id=data["id"],
        name=data["name"],
        approval=data["approval"],
        address=data.get("address"),
        contact=dict(data.get("contact") or {}),
        logo_data_uri=logo,
        report_pattern=numbers.get("report", DEFAULT_PATTERNS["report"]),
        certificate_pattern=numbers.get("certificate") or None,
        cnca_columns=cnca,
    )


def _pattern_problems(
    pattern: str, allowed: tuple[str, ...], file: str, line: int | None, field: str
) -> list[Problem]:
    sample: dict[str, Any] = {"body": "X", "year": 2000, "case_id": "X", "kind": "x", "seq": 1}
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
    except ValueError as e:
        return [Problem(file, line, field, f"not a valid pattern: {e}")]
    unknown = sorted({n for n in names if n not in allowed})
    if unknown:
        return [Problem(file, line, field, f"unknown field {{{unknown[0]}}}; known: {', '.join(allowed)}")]
    try:
        pattern.format(**{k: v for k, v in sample.items() if k in allowed})
    except (ValueError, KeyError, IndexError) as e:
        return [Problem(file, line, field, f"not a valid pattern: {e}")]
    return []


def _sibling(
    base: Path, relative: str, file: str, line: int | None, field: str
) -> tuple[Path | None, Problem | None]:
    """A file named relative to the profile; never one outside the profile's folder."""
    candidate = (base / relative).resolve()
    if not candidate.is_relative_to(base.resolve()):
        return None, Problem(file, line, field, f"{relative!r} lies outside the profile's folder")
    if not candidate.is_file():
        return None, Problem(file, line, field, f"no file {relative!r} next to the profile")
    return candidate, None


def _logo(base: Path, relative: str, file: str, line: int | None) -> tuple[str | None, Problem | None]:
    path, problem = _sibling(base, relative, file, line, "logo")
    if path is None:
        return None, problem
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        return None, Problem(
            file, line, "logo", f"must be one of {', '.join(LOGO_TYPES)}, not {path.suffix or 'no suffix'}"
        )
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        return None, Problem(
            file, line, "logo", f"is {len(data)} bytes, over the {MAX_LOGO_BYTES} byte limit"
        )
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}", None
