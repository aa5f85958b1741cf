"""Loading rule packs: all or nothing.

A pack directory holds `pack.yaml` (identity, parameters, tables, predicates) and `rules/*.yaml`
(one file per policy area), plus `fixtures/` (not part of the pack's identity).  Loading checks
every file against its schema and every rule against the fact catalogue, the parameters and the
predicates; any problem makes the whole load fail with one `FILE:LINE: message` per problem
(`PackError`, exit status 3).  A pack is never half-loaded.

`extends: <pack id>` makes a child pack: its `pack.yaml` deep-merges over the parent's (child
wins; lists, parameter entries and conditions are replaced whole) and it inherits every rule.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import PackError, Problem, UnknownPackError
from ..base.i18n import Text
from ..base.resources import resource_dir
from ..base.schema_language import INVALID, Ctx, child_path, item_line, key_line
from ..base.yamlsafe import LoadError, LocDict, decode, parse_yaml
from . import cache, invariants, spec
from .catalogue import CATALOGUE
from .ir import (
    TRUE,
    Cond,
    FactRef,
    check_condition,
    expand,
    fired_rules,
    lower_fired,
    negation_normal_form,
    parse_fact_name,
)
from .model import (
    Area,
    Category,
    ChangeKind,
    ClauseRef,
    DocumentDef,
    EvidenceDef,
    Grade,
    Indicator,
    Pack,
    Parameter,
    Predicate,
    Recommendation,
    Rule,
    Table,
)

DEFAULT_PACK = "gbt27922-2011"

PYTHON_PARAMETERS = spec.PYTHON_PARAMETERS  # the parameters certeval itself reads, with their ranges

# Where a child's value replaces the parent's whole instead of merging into it.
_ATOMIC = re.compile(r"^(parameters\.[^.]+|predicates\.[^.]+|notifications_required)$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@functools.lru_cache(maxsize=1)
def builtin_root() -> Path:
    """The built-in packs: inside the installed package, or at the top of a checkout."""
    return resource_dir("rules")


def builtin_pack_ids() -> list[str]:
    return list(_builtin_pack_ids())


@functools.lru_cache(maxsize=1)
def _builtin_pack_ids() -> tuple[str, ...]:
    root = builtin_root()
    return (
        tuple(sorted(p.name for p in root.iterdir() if (p / "pack.yaml").is_file())) if root.is_dir() else ()
    )


def display_path(path: Path) -> str:
    """A path as short as it can be while still being found from the current directory."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def resolve_pack_dir(ref: str | Path) -> Path:
    """A pack id (built-in) or a directory holding pack.yaml."""
    path = Path(ref)
    if isinstance(ref, Path) or os.sep in str(ref) or path.is_dir():
        if not (path / "pack.yaml").is_file():
            raise UnknownPackError([Problem(str(ref), None, "", "not a rule pack directory (no pack.yaml)")])
        return path.resolve()
    candidate = builtin_root() / str(ref)
    if not re.fullmatch(spec.PACK_ID, str(ref)) or not (candidate / "pack.yaml").is_file():
        known = ", ".join(builtin_pack_ids())
        raise UnknownPackError([Problem(str(ref), None, "", f"unknown rule pack (built-in packs: {known})")])
    return candidate.resolve()


def load_pack(ref: str | Path = DEFAULT_PACK) -> Pack:
    if isinstance(ref, str) and ref in _builtin_pack_ids():
        return _load_builtin(ref)  # the common case, without touching the file system
    return _load(resolve_pack_dir(ref))


@functools.lru_cache(maxsize=8)
def _load_builtin(pack_id: str) -> Pack:
    return _load(resolve_pack_dir(pack_id))


# -------------------------------------------------------------------------------- raw documents
@dataclass
class _Raw:
    directory: Path
    file: str
    doc: LocDict
    files: list[tuple[str, bytes]]  # (name within the pack, content) for the pack's hash
    rule_paths: list[Path] = dataclasses.field(default_factory=list)  # declared and present


def _read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, bytes]:
    name = display_path(path)
    try:
        raw = path.read_bytes()
        return parse_yaml(decode(raw, name), name), raw
    except LoadError as e:
        problems.append(e.problem)
    except OSError as e:
        problems.append(Problem(name, None, "", f"cannot read: {e.strerror}"))
    return None, b""


def _deep_merge(base: Any, over: Any, path: str = "") -> Any:
    if not (isinstance(base, Mapping) and isinstance(over, Mapping)) or _ATOMIC.match(path):
        return over
    merged = LocDict(getattr(over, "line", None))
    for key, value in base.items():
        merged[key] = value
    for key, value in over.items():
        merged[key] = _deep_merge(base[key], value, child_path(path, key)) if key in base else value
        merged.key_lines[key] = key_line(over, key, merged.line) or 0
    return merged


def _parent_dir(directory: Path, parent_id: str) -> Path | None:
    sibling = directory.parent / parent_id
    if (sibling / "pack.yaml").is_file():
        return sibling.resolve()
    builtin = builtin_root() / parent_id
    return builtin.resolve() if (builtin / "pack.yaml").is_file() else None


# --------------------------------------------------------------------------------- the loading
@functools.lru_cache(maxsize=32)
def _load(directory: Path) -> Pack:
    cached = cache.read(directory, display_path, _parent_dir)
    if cached is not None:
        return cached
    problems: list[Problem] = []
    chain = _lineage(directory, problems, ())
    if problems or not chain:
        raise PackError(problems)
    pack = _build(chain, problems)
    if problems or pack is None:
        raise PackError(problems)
    lineage = cache.Lineage(
        tuple(str(raw.directory) for raw in chain),
        tuple(raw.doc.get("extends") if index else None for index, raw in enumerate(chain)),
    )
    cache.write(pack, lineage, display_path, _parent_dir)
    return pack


def _lineage(directory: Path, problems: list[Problem], seen: tuple[Path, ...]) -> list[_Raw]:
    """The pack and its ancestors, root first, each pack.yaml checked on its own."""
    path = directory / "pack.yaml"
    doc, content = _read_yaml(path, problems)
    name = display_path(path)
    if doc is None:
        if not problems:
            problems.append(Problem(name, None, "", "pack.yaml is empty"))
        return []
    if not isinstance(doc, LocDict):
        problems.append(Problem(name, 1, "", "pack.yaml must be a mapping"))
        return []
    parent_id = doc.get("extends")
    ctx = Ctx(name)
    spec.pack_spec(partial=parent_id is not None).check(doc, ctx, "", 1)
    problems.extend(ctx.problems)
    raw = _Raw(directory, name, doc, [("pack.yaml", content)])
    raw.rule_paths = _declared_rule_files(directory, doc, name, parent_id is None, problems)
    raw.files += [(f"rules/{p.name}", _read_bytes(p, problems)) for p in raw.rule_paths]
    if not isinstance(parent_id, str):
        return [raw]
    parent = _parent_dir(directory, parent_id)
    if parent is None:
        problems.append(
            Problem(name, key_line(doc, "extends", 1), "extends", f"no pack {parent_id!r} to extend")
        )
        return []
    if parent in seen or parent == directory:
        problems.append(
            Problem(name, key_line(doc, "extends", 1), "extends", "packs extend each other in a cycle")
        )
        return []
    return [*_lineage(parent, problems, (*seen, directory)), raw]


def _declared_rule_files(
    directory: Path, doc: LocDict, name: str, is_root: bool, problems: list[Problem]
) -> list[Path]:
    """The rule files `rule_files` declares, each checked against what rules/ holds.

    `.yaml` and `.yml` are alike; a declared file that is missing, an undeclared one that is
    present, or a directory where a file should be, fails the load: the policy is what the pack
    says it is, or nothing.
    """
    declared = doc.get("rule_files")
    line = key_line(doc, "rule_files", 1)
    if declared is None:
        declared = []
        if is_root:
            problems.append(
                Problem(name, 1, "rule_files", "missing: a pack lists its rule files (in rules/)")
            )
    if not isinstance(declared, list) or not all(isinstance(f, str) for f in declared):
        return []  # reported by the schema
    rules_dir = directory / "rules"
    found = (
        {p.name for p in rules_dir.iterdir() if p.suffix in (".yaml", ".yml")}
        if rules_dir.is_dir()
        else set()
    )
    paths = []
    for index, file in enumerate(declared):
        where = item_line(doc.get("rule_files"), index, line)
        path = rules_dir / file
        if declared.index(file) != index:
            problems.append(Problem(name, where, "rule_files", f"{file} is listed twice"))
        elif file not in found:
            problems.append(Problem(name, where, "rule_files", f"rules/{file} is declared but missing"))
        elif not path.is_file():
            problems.append(Problem(name, where, "rule_files", f"rules/{file} is not a file"))
        else:
            paths.append(path)
    for file in sorted(found - set(declared)):
        problems.append(
            Problem(
                display_path(rules_dir / file),
                None,
                "",
                f"a rule file that {name} does not declare: add it to rule_files, or remove it",
            )
        )
    return sorted(paths)


def _read_bytes(path: Path, problems: list[Problem]) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        problems.append(Problem(display_path(path), None, "", f"cannot read: {e.strerror}"))
        return b""


def _hash(chain: list[_Raw]) -> str:
    return cache.files_digest([raw.files for raw in chain])


def _build(chain: list[_Raw], problems: list[Problem]) -> Pack | None:
    leaf = chain[-1]
    merged: Any = chain[0].doc
    for raw in chain[1:]:
        identity = {k: raw.doc[k] for k in ("id", "version", "title") if k in raw.doc}
        merged = _deep_merge(merged, raw.doc)
        merged.update(identity)
        merged.pop("extends", None)
    ctx = Ctx(leaf.file)
    data = spec.pack_spec(partial=False).check(merged, ctx, "", 1)
    problems.extend(ctx.problems)
    if data is INVALID:
        return None
    parameters = {
        name: Parameter(name, p["value"], p["source"], p.get("unit"), p.get("description"))
        for name, p in data["parameters"].items()
    }
    docs = [(raw.file, raw.doc) for raw in chain]
    problems.extend(invariants.parameter_problems(docs, parameters))
    tables = data["tables"]
    categories = {k: Category(k, v["max"], v["label"]) for k, v in tables["categories"]["rows"].items()}
    indicators = {
        k: Indicator(k, v["category"], v["label"], v["excludable"], v.get("points"))
        for k, v in tables["indicators"]["rows"].items()
    }
    for indicator in indicators.values():
        if indicator.category not in categories:
            problems.append(
                Problem(
                    leaf.file,
                    None,
                    f"tables.indicators.rows.{indicator.id}.category",
                    f"unknown category {indicator.category!r}",
                )
            )
    grades = tuple(Grade(g["id"], g["min"], g["label"]) for g in tables["grades"]["rows"])
    if [g.min for g in grades] != sorted((g.min for g in grades), reverse=True) or len(
        {g.id for g in grades}
    ) != len(grades):
        problems.append(
            Problem(
                leaf.file,
                None,
                "tables.grades.rows",
                "grades must have distinct ids, highest threshold first",
            )
        )
    if not grades:
        problems.append(Problem(leaf.file, None, "tables.grades.rows", "at least one grade is needed"))
    scale = invariants.scale_of(parameters)
    if scale is not None:
        problems.extend(invariants.scale_problems(docs, scale, categories, indicators, grades))
    predicates = {
        name: Predicate(name, p["for_each"], p["when"], p.get("description"))
        for name, p in (data.get("predicates") or {}).items()
    }
    pred_index = {name: (p.for_each, p.when) for name, p in predicates.items()}
    if invariants.predicate_cycles(docs, pred_index, problems.append):
        return None  # expanding such a predicate would never end
    param_values = {name: p.value for name, p in parameters.items()}
    for pred in predicates.values():
        check_condition(
            pred.when,
            pred.for_each,
            param_values,
            pred_index,
            _reporter(problems, leaf.file, f"predicates.{pred.name}"),
        )
    notifications = data["notifications_required"]["when"]
    check_condition(
        notifications,
        "change",
        param_values,
        pred_index,
        _reporter(problems, leaf.file, "notifications_required"),
    )
    sources: dict[str, Text] = dict(data.get("sources") or {})
    areas, rules = _load_rules(chain, param_values, pred_index, sources, problems)
    if not problems and len(chain) > 1:
        _check_inherited(chain, rules, problems)
    _check_stage_two(rules, problems)
    if problems:
        return None
    return Pack(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        standard=data["standard"],
        description=data.get("description"),
        directory=leaf.directory,
        lineage=tuple(str(r.doc.get("id")) for r in chain),
        sha256=_hash(chain),
        parameters=parameters,
        tables={
            name: Table(
                name, t["source"], tuple(t["rows"].items()) if isinstance(t["rows"], dict) else t["rows"]
            )
            for name, t in tables.items()
        },
        categories=categories,
        indicators=indicators,
        grades=grades,
        documents={
            k: DocumentDef(k, v["label"], v["required"]) for k, v in tables["documents"]["rows"].items()
        },
        evidence={
            k: EvidenceDef(k, v["label"], v["minimum"], v["covers_scope"])
            for k, v in tables["evidence"]["rows"].items()
        },
        change_kinds={k: ChangeKind(k, v["label"]) for k, v in tables["change_kinds"]["rows"].items()},
        predicates=predicates,
        notifications_when=negation_normal_form(expand(notifications, pred_index)),
        status_precedence=tuple(data["status_precedence"]),
        areas=tuple(areas),
        rules=tuple(rules),
        sources=sources,
        fixture_dirs=tuple(
            r.directory / "fixtures" for r in reversed(chain) if (r.directory / "fixtures").is_dir()
        ),
    )


def _reporter(problems: list[Problem], file: str, field: str) -> Callable[[int | None, str], None]:
    def report(line: int | None, message: str) -> None:
        problems.append(Problem(file, line, field, message))

    return report


def _check_inherited(chain: list[_Raw], rules: list[Rule], problems: list[Problem]) -> None:
    """Every rule of the parent pack is in the child: a child may add rules, never lose one."""
    parent = _load(chain[-2].directory)
    have = {rule.id for rule in rules}
    for rule in parent.rules:
        if rule.id not in have:
            problems.append(
                Problem(
                    chain[-1].file, None, "extends", f"the parent's rule {rule.id} ({rule.file}) is missing"
                )
            )


# ------------------------------------------------------------------------------------ the rules
def _load_rules(
    chain: list[_Raw],
    params: Mapping[str, Any],
    predicates: Mapping[str, tuple[str, Cond]],
    sources: Mapping[str, Text],
    problems: list[Problem],
) -> tuple[list[Area], list[Rule]]:
    areas: list[Area] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for raw in chain:
        pack_id = str(raw.doc.get("id"))
        for path in raw.rule_paths:
            before = len(problems)
            doc, _ = _read_yaml(path, problems)
            name = display_path(path)
            if doc is None:
                if len(problems) == before:
                    problems.append(Problem(name, None, "", "the rule file is empty"))
                continue
            ctx = Ctx(name)
            data = spec.rule_file_spec().check(doc, ctx, "", 1)
            problems.extend(ctx.problems)
            if data is INVALID:
                continue
            if not data["rules"]:
                problems.append(
                    Problem(name, key_line(doc, "rules", 1), "rules", "the rule file has no rules")
                )
                continue
            areas.append(Area(data["area"], data["title"], name))
            default_stages = data.get("stages")
            for index, entry in enumerate(data["rules"]):
                line = item_line(doc.get("rules"), index, None)
                rule = _make_rule(
                    entry, data["area"], default_stages, pack_id, name, line, params, predicates, problems
                )
                if rule is not None:
                    rule = _cite(rule, entry["clause"], sources, name, line, problems)
                if rule is None:
                    continue
                if rule.id in seen:
                    problems.append(
                        Problem(
                            name,
                            line,
                            "id",
                            f"duplicate rule id {rule.id} (first defined in {seen[rule.id]})",
                        )
                    )
                    continue
                seen[rule.id] = f"{name}:{line}"
                rules.append(rule)
    return areas, rules


def _make_rule(
    entry: Mapping[str, Any],
    area: str,
    default_stages: tuple[str, ...] | None,
    pack_id: str,
    file: str,
    line: int | None,
    params: Mapping[str, Any],
    predicates: Mapping[str, tuple[str, Cond]],
    problems: list[Problem],
) -> Rule | None:
    before = len(problems)
    rule_id = entry["id"]
    report = _reporter(problems, file, rule_id)
    for_each = entry["for_each"]
    when = entry.get("when", TRUE)
    check_condition(when, for_each, params, predicates, report)
    facts = tuple(_fact_refs(entry.get("facts", ()), for_each, line, report))
    severity = entry["severity"]
    severity_fact = None
    if severity == "recorded":
        severity_fact = _severity_fact(entry.get("severity_fact"), for_each, line, report)
    elif "severity_fact" in entry:
        report(line, "severity_fact is only for severity: recorded")
    can_be_nonconformity = severity in ("major", "minor", "recorded")
    if can_be_nonconformity and "action" not in entry:
        report(line, f"a {severity} rule needs an action {{zh, en}}: what the {entry['audience']} must do")
    for lang in ("zh", "en"):
        _check_placeholders(entry["message"].get(lang), for_each, params, line, report, f"message.{lang}")
        if "action" in entry:
            _check_placeholders(entry["action"].get(lang), for_each, params, line, report, f"action.{lang}")
    recommends = None
    if "recommends" in entry:
        rec = entry["recommends"]
        if "when" in rec:
            check_condition(rec["when"], for_each, params, predicates, report)
        recommends = Recommendation(
            rec["status"],
            negation_normal_form(expand(rec["when"], predicates))
            if "when" in rec and len(problems) == before
            else None,
        )
    due_fact, due_days = _due(entry.get("due"), for_each, params, line, report)
    if len(problems) > before:
        return None
    return Rule(
        id=rule_id,
        title=entry["title"],
        area=area,
        clause="",  # rendered by _cite
        requirement=entry.get("requirement"),
        severity=severity,
        audience=entry["audience"],
        stages=tuple(entry.get("stages") or default_stages or ()),
        for_each=for_each,
        when=when,
        normal=negation_normal_form(lower_fired(expand(when, predicates), for_each)),
        message=entry["message"],
        action=entry.get("action"),
        anchor=entry.get("anchor", "as_of"),
        facts=facts,
        severity_fact=severity_fact,
        recommends=recommends,
        description=entry.get("description"),
        due_fact=due_fact,
        due_days=due_days,
        depends_on=tuple(sorted(fired_rules(when))),
        pack=pack_id,
        file=file,
        line=line,
    )


def _cite(
    rule: Rule,
    clause: str | Mapping[str, str],
    sources: Mapping[str, Text],
    file: str,
    line: int | None,
    problems: list[Problem],
) -> Rule | None:
    """The rule with its citation rendered from the pack's sources (SPEC 8.2)."""
    if isinstance(clause, str):
        return dataclasses.replace(rule, clause=clause, citation=Text(clause, clause))
    ref = ClauseRef(clause["source"], clause["ref"])
    source = sources.get(ref.source)
    if source is None:
        known = ", ".join(sorted(sources)) or "none"
        problems.append(
            Problem(file, line, f"{rule.id}.clause.source", f"unknown source {ref.source!r} (known: {known})")
        )
        return None
    citation = Text(f"{source.zh} {ref.ref}", f"{source.en} {ref.ref}")
    return dataclasses.replace(rule, clause=citation.zh, clause_ref=ref, citation=citation)


def _due(
    due: Mapping[str, Any] | None,
    for_each: str,
    params: Mapping[str, Any],
    line: int | None,
    report: Callable[[int | None, str], None],
) -> tuple[FactRef | None, str | None]:
    if due is None:
        return None, None
    if len(due) != 1:
        report(line, "due: give either fact (a date field of the rule's facts) or days (a parameter)")
        return None, None
    if "days" in due:
        if not isinstance(params.get(due["days"]), int):
            report(line, f"due.days: {due['days']!r} is not a whole-number parameter of the pack")
        return None, str(due["days"])
    ref = parse_fact_name(due["fact"])
    fdef = CATALOGUE[for_each].fields.get(ref.field) if ref and ref.type == for_each else None
    if ref is None or fdef is None or fdef.type != "date":
        report(line, f"due.fact: {due['fact']!r} is not a date field of {for_each} facts")
        return None, None
    return ref, None


def _check_stage_two(rules: list[Rule], problems: list[Problem]) -> None:
    """A stage-2 rule may name stage-1 rules only: lint refuses dependency chains (SPEC 6.3)."""
    by_id = {r.id: r for r in rules}
    for rule in rules:
        for name in rule.depends_on:
            other = by_id.get(name)
            if other is None:
                problems.append(
                    Problem(rule.file, rule.line, rule.id, f"fired / not_fired: no rule {name} in the pack")
                )
            elif other.depends_on:
                problems.append(
                    Problem(
                        rule.file,
                        rule.line,
                        rule.id,
                        f"fired / not_fired: {name} is itself a stage-2 rule; a stage-2 rule may only test"
                        " stage-1 rules",
                    )
                )


def _fact_refs(
    names: tuple[str, ...], for_each: str, line: int | None, report: Callable[[int | None, str], None]
) -> list[FactRef]:
    refs = []
    for name in names:
        ref = parse_fact_name(name)
        fact = CATALOGUE.get(for_each)
        if ref is None or fact is None or ref.type != for_each or ref.field not in fact.fields:
            report(line, f"facts: {name!r} is not a field of {for_each} facts")
        else:
            refs.append(ref)
    return refs


def _severity_fact(
    name: str | None, for_each: str, line: int | None, report: Callable[[int | None, str], None]
) -> FactRef | None:
    ref = parse_fact_name(name) if name else None
    fdef = CATALOGUE[for_each].fields.get(ref.field) if ref and ref.type == for_each else None
    if fdef is None or ref is None:
        report(line, "severity: recorded needs severity_fact naming a field of the rule's facts")
        return None
    if not fdef.values or not set(fdef.values) <= {"major", "minor", "observation", "info"}:
        report(line, f"severity_fact {ref} does not hold severities")
        return None
    return ref


def _check_placeholders(
    text: str | None,
    for_each: str,
    params: Mapping[str, Any],
    line: int | None,
    report: Callable[[int | None, str], None],
    where: str,
) -> None:
    if not text:
        return
    for name in _PLACEHOLDER.findall(text):
        ref = parse_fact_name(name)
        if ref is None:
            report(line, f"{where}: placeholder {{{name}}} is not type.field or param.name")
        elif ref.type == "param":
            if ref.field not in params:
                report(line, f"{where}: placeholder {{{name}}} names no parameter")
        elif ref.type != for_each or ref.field not in CATALOGUE[for_each].fields:
            report(line, f"{where}: placeholder {{{name}}} names no field of {for_each} facts")
