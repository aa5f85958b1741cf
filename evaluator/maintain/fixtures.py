"""Per-rule fixtures: cases that fire a rule and cases that do not, run on every engine.

A fixture file `fixtures/<RULE-ID>.yaml` of a pack:

    rule: ELIG-LICENCE
    base: application                 # fixtures/bases/application.yaml
    cases:
      - name: expired the day before R
        set: {organization.licences[0].valid_until: 2026-08-16}
        unset: [application.documents]
        fires: [organization.licences[0]]     # the exact subjects (null for once-per-case rules)
      - name: valid on R itself
        set: {organization.licences[0].valid_until: 2026-08-17}
        fires: 0                              # or a count
        expect: {eligible: true}              # optional: a subset of the result

A child pack runs its parent's fixtures too, unless it has a fixture file of the same name:
where the child changes data a fixture depends on, it overrides the fixture.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..api import Evaluation, run
from ..base.errors import CaseError, PackError, Problem
from ..base.schema_language import INVALID, Ctx, Dict, Docs, Either, Field, Int, ListOf, Obj, Spec, Str
from ..base.yamlsafe import LoadError, LocDict, LocList, decode, parse_yaml
from ..case.loader import build_case
from ..engines import ENGINES, durable_available
from ..packs import Pack, display_path
from ..packs.spec import RULE_ID

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class AnyValue(Spec):
    description = "any value"

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        return value

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return {}


class NullableStr(Spec):
    description = "a subject, or null"

    def check(self, value: Any, ctx: Ctx, path: str, line: int | None) -> Any:
        if value is None or isinstance(value, str):
            return value
        ctx.error(path, line, "a subject must be a string or null")
        return INVALID

    def json_schema(self, docs: Docs | None = None, path: str = "") -> dict[str, Any]:
        return {"type": ["string", "null"]}


FIXTURE_FILE = Obj(
    {
        "rule": Field(Str(pattern=RULE_ID), required=True),
        "base": Field(Str(pattern=r"[a-z0-9_-]+"), required=True),
        "cases": Field(
            ListOf(
                Obj(
                    {
                        "name": Field(Str(), required=True),
                        "base": Field(Str(pattern=r"[a-z0-9_-]+")),
                        "set": Field(Dict(AnyValue(), key_pattern=r"[a-z_][a-z0-9_.\[\]]*")),
                        "unset": Field(ListOf(Str())),
                        "fires": Field(
                            Either(
                                Int(minimum=0),
                                ListOf(NullableStr()),
                                expected="a count or a list of subjects",
                            ),
                            required=True,
                        ),
                        "expect": Field(Dict(AnyValue(), key_pattern=r"[a-z_]+")),
                    }
                )
            ),
            required=True,
        ),
    }
)


@dataclass(frozen=True)
class FixtureCase:
    rule: str
    name: str
    file: str
    line: int | None
    doc: dict[str, Any]
    fires: int | tuple[str | None, ...]
    expect: dict[str, Any] | None

    @property
    def label(self) -> str:
        return f"{self.rule}: {self.name} ({self.file}:{self.line})"

    @property
    def fires_rule(self) -> bool:
        return (self.fires if isinstance(self.fires, int) else len(self.fires)) > 0


@dataclass
class Outcome:
    label: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    evaluation: Evaluation | None = None  # the first engine's, for condition coverage; None if invalid


@dataclass
class FixtureReport:
    engines: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)
    cases: list[FixtureCase] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for o in self.outcomes if o.passed)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.passed)


def coverage(pack: Pack, cases: Iterable[FixtureCase]) -> dict[str, tuple[int, int]]:
    """Per rule of the pack: how many fixture cases fire it, and how many do not."""
    counts = {rule.id: [0, 0] for rule in pack.rules}
    for case in cases:
        counts[case.rule][0 if case.fires_rule else 1] += 1
    return {rule: (firing, quiet) for rule, (firing, quiet) in counts.items()}


# ----------------------------------------------------------------------------------- loading
def plain(value: Any) -> Any:
    """A located YAML value as plain dicts and lists (fixtures are edited copies)."""
    if isinstance(value, (LocDict, dict)):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (LocList, list)):
        return [plain(v) for v in value]
    return value


def _path_parts(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _TOKEN.findall(path)]


def apply_set(doc: dict[str, Any], path: str, value: Any) -> None:
    parts = _path_parts(path)
    node: Any = doc
    for part, following in pairwise(parts):
        if isinstance(part, int):
            node = node[part]
        else:
            if part not in node or node[part] is None:
                node[part] = [] if isinstance(following, int) else {}
            node = node[part]
    last = parts[-1]
    if isinstance(last, int) and last == len(node):
        node.append(plain(value))
    else:
        node[last] = plain(value)


def apply_unset(doc: dict[str, Any], path: str) -> None:
    parts = _path_parts(path)
    node: Any = doc
    for part in parts[:-1]:
        node = node[part]
    del node[parts[-1]]


def _read(path: Path) -> Any:
    name = display_path(path)
    try:
        return parse_yaml(decode(path.read_bytes(), name), name)
    except LoadError as e:
        raise PackError([e.problem]) from None


def fixture_files(pack: Pack) -> list[Path]:
    """The pack's fixture files, then its ancestors' that it does not override."""
    seen: set[str] = set()
    files = []
    for directory in pack.fixture_dirs:
        for path in sorted(directory.glob("*.yaml")):
            if path.name not in seen:
                seen.add(path.name)
                files.append(path)
    return files


def _base(pack: Pack, name: str, where: str) -> dict[str, Any]:
    for directory in pack.fixture_dirs:
        path = directory / "bases" / f"{name}.yaml"
        if path.is_file():
            doc = plain(_read(path))
            if isinstance(doc, dict):
                return doc
    raise PackError(
        [
            Problem(
                where, None, "base", f"no fixture base {name!r} in {', '.join(map(str, pack.fixture_dirs))}"
            )
        ]
    )


def load_fixtures(pack: Pack) -> list[FixtureCase]:
    cases: list[FixtureCase] = []
    problems: list[Problem] = []
    for path in fixture_files(pack):
        name = display_path(path)
        raw = _read(path)
        ctx = Ctx(name)
        data = FIXTURE_FILE.check(raw, ctx, "", 1)
        problems.extend(ctx.problems)
        if data is INVALID:
            continue
        if pack.rule(data["rule"]) is None:
            problems.append(Problem(name, 1, "rule", f"{data['rule']} is not a rule of {pack.id}"))
            continue
        for index, entry in enumerate(data["cases"]):
            line = raw["cases"].item_lines[index] if isinstance(raw.get("cases"), LocList) else None
            doc = _base(pack, entry.get("base", data["base"]), name)
            try:
                for key, value in (entry.get("set") or {}).items():
                    apply_set(doc, key, value)
                for key in entry.get("unset", ()):
                    apply_unset(doc, key)
            except (KeyError, IndexError, TypeError) as e:
                problems.append(Problem(name, line, "set", f"cannot apply to the base: {e!r}"))
                continue
            fires = entry["fires"]
            cases.append(
                FixtureCase(
                    rule=data["rule"],
                    name=entry["name"],
                    file=name,
                    line=line,
                    doc=doc,
                    fires=fires if isinstance(fires, int) else tuple(fires),
                    expect=entry.get("expect"),
                )
            )
    if problems:
        raise PackError(problems)
    return cases


# ----------------------------------------------------------------------------------- running
def subset_differences(want: Any, got: Any, path: str = "") -> list[str]:
    """Where `got` differs from `want`: mappings as subsets, lists element by element."""
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping):
            return [f"{path or 'result'}: {got!r}, want a mapping"]
        diffs = []
        for key, value in want.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in got:
                diffs.append(f"{where}: missing")
            else:
                diffs.extend(subset_differences(value, got[key], where))
        return diffs
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: {got!r}, want {want!r}"]
        return [
            d
            for i, (w, g) in enumerate(zip(want, got, strict=True))
            for d in subset_differences(w, g, f"{path}[{i}]")
        ]
    if hasattr(want, "isoformat"):
        want = want.isoformat()
    same = (
        abs(want - got) < 1e-9
        if isinstance(want, (int, float)) and isinstance(got, (int, float)) and not isinstance(want, bool)
        else want == got
    )
    return [] if same else [f"{path}: {got!r}, want {want!r}"]


def _check_firing(case: FixtureCase, result: dict[str, Any]) -> list[str]:
    subjects = [f["subject"] for f in result["findings"] if f["rule"] == case.rule]
    if isinstance(case.fires, int):
        if len(subjects) != case.fires:
            return [f"{case.rule} fired {len(subjects)} times {subjects}, want {case.fires}"]
        return []
    if Counter(subjects) != Counter(case.fires):
        return [f"{case.rule} subjects {sorted(subjects, key=str)}, want {sorted(case.fires, key=str)}"]
    return []


def run_case(case: FixtureCase, pack: Pack, engines: Iterable[str]) -> Outcome:
    problems: list[str] = []
    try:
        loaded, loaded_pack = build_case(case.doc, case.label, pack_ref=pack)
    except CaseError as e:
        return Outcome(
            case.label, False, [f"fixture is not a valid case: {p.field}: {p.message}" for p in e.problems]
        )
    results = {}
    evaluation = None
    for engine in engines:
        evaluated = run(loaded, loaded_pack, engine)
        if evaluation is None:
            evaluation = evaluated
        result = evaluated.result
        results[engine] = result
        problems += [f"[{engine}] {p}" for p in _check_firing(case, result)]
        if case.expect:
            problems += [f"[{engine}] {p}" for p in subset_differences(case.expect, result)]
    views = [{k: v for k, v in r.items() if k != "engine"} for r in results.values()]
    if any(view != views[0] for view in views[1:]):
        problems.append("the engines disagree on this case")
    return Outcome(case.label, not problems, problems, evaluation)


def default_engines() -> tuple[str, ...]:
    return ENGINES if durable_available() else ("python",)


def run_fixtures(pack: Pack, engines: Iterable[str] | None = None) -> FixtureReport:
    chosen = tuple(engines or default_engines())
    report = FixtureReport(chosen)
    report.cases = load_fixtures(pack)
    report.outcomes = [run_case(case, pack, chosen) for case in report.cases]
    return report


def junit_xml(reports: list[tuple[str, FixtureReport]]) -> str:
    """Fixture outcomes as JUnit XML, one test suite per pack."""
    from xml.sax.saxutils import escape, quoteattr

    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    for pack_id, report in reports:
        counts = f'tests="{len(report.outcomes)}" failures="{report.failed}"'
        parts.append(f"  <testsuite name={quoteattr(pack_id)} {counts}>")
        for outcome in report.outcomes:
            parts.append(f"    <testcase classname={quoteattr(pack_id)} name={quoteattr(outcome.label)}>")
            if not outcome.passed:
                details = escape("\n".join(outcome.problems))
                parts.append(f"      <failure message={quoteattr(outcome.problems[0])}>{details}</failure>")
            parts.append("    </testcase>")
        parts.append("  </testsuite>")
    parts.append("</testsuites>")
    return "\n".join(parts) + "\n"
