"""`certeval rules diff`: what a pack change does to a set of cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..api import run
from ..base.errors import CaseError
from ..case.loader import build_case, read_document
from ..packs.model import Pack


@dataclass
class CaseDiff:
    file: str
    case_id: str = ""
    changes: list[str] = field(default_factory=list)
    note: str = ""  # why a case was skipped or could not be compared


def case_files(inputs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        else:
            files.append(path)
    return files


def _finding_keys(result: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(f["rule"], f["subject"] or ""): f["severity"] for f in result["findings"]}


def _value(result: dict[str, Any], path: str) -> Any:
    node: Any = result
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


COMPARED = (
    "eligible",
    "grade",
    "score.total",
    "certificate.recommended_status",
    "certificate.reasons",
    "surveillance.state",
    "surveillance.due_by",
    "surveillance.extended_until",
)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    changes = []
    for path in COMPARED:
        before, after = _value(old, path), _value(new, path)
        if before != after:
            changes.append(f"{path}: {before} → {after}")
    before_f, after_f = _finding_keys(old), _finding_keys(new)
    for key in sorted(set(after_f) - set(before_f)):
        changes.append(f"+ {key[0]} {key[1] or '(case)'} ({after_f[key]})")
    for key in sorted(set(before_f) - set(after_f)):
        changes.append(f"- {key[0]} {key[1] or '(case)'} ({before_f[key]})")
    for key in sorted(set(before_f) & set(after_f)):
        if before_f[key] != after_f[key]:
            changes.append(f"~ {key[0]} {key[1] or '(case)'}: {before_f[key]} → {after_f[key]}")
    old_n, new_n = _notified(old), _notified(new)
    if old_n != new_n:
        changes.append(f"notifications_required: {old_n} → {new_n}")
    return changes + _remaining(old, new)


def _notified(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(n["kind"], n["date"]) for n in result["notifications_required"]]


IGNORED = ("pack", "engine")  # what names the pack and the engine, not what the case gets


def _remaining(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every other difference of the whole result (parameters, dues, messages, score.base,
    notify_by …): a matched finding's fields, then the rest, as path: before → after."""
    changes = []
    old_by = {(f["rule"], f["subject"] or ""): f for f in old["findings"]}
    new_by = {(f["rule"], f["subject"] or ""): f for f in new["findings"]}
    for key in sorted(set(old_by) & set(new_by)):
        before = {k: v for k, v in old_by[key].items() if k != "severity"}
        after = {k: v for k, v in new_by[key].items() if k != "severity"}
        for path, a, b in _leaves(before, after, ""):
            changes.append(f"~ {key[0]} {key[1] or '(case)'}: {path}: {a} → {b}")
    rest_old = {k: v for k, v in old.items() if k not in ("findings", *IGNORED)}
    rest_new = {k: v for k, v in new.items() if k not in ("findings", *IGNORED)}
    shown = set(COMPARED)
    if _notified(old) != _notified(new):
        shown.add("notifications_required")  # already reported as a whole
    for path, a, b in _leaves(rest_old, rest_new, ""):
        if any(path == s or path.startswith((f"{s}[", f"{s}.")) for s in shown):
            continue
        changes.append(f"{path}: {a} → {b}")
    return changes


def _leaves(a: Any, b: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += _leaves(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            leaf for i, (x, y) in enumerate(zip(a, b, strict=True)) for leaf in _leaves(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [(path, a, b)]


def _problems_text(error: CaseError) -> str:
    return "; ".join(f"{p.field}: {p.message}" for p in error.problems)


def _evaluate_under(
    doc: Any, name: str, locate: Callable[[], Any] | None, pack: Pack, engine: str | None
) -> dict[str, Any]:
    try:
        case, _ = build_case(doc, name, pack_ref=pack, locate=locate)
    except CaseError as e:
        return {"error": _problems_text(e)}
    return run(case, pack, engine).result


def diff_cases(old: Pack, new: Pack, files: list[Path], engine: str | None = None) -> list[CaseDiff]:
    """Evaluate each case under both packs; cases that name another pack are skipped.

    Each file is read and parsed once; only the validation against each pack is repeated."""
    diffs = []
    for path in files:
        entry = CaseDiff(str(path))
        diffs.append(entry)
        try:
            doc, locate = read_document(path)
        except CaseError as e:
            entry.note = f"not valid under either pack: {_problems_text(e)}"
            continue
        named = doc.get("pack") if isinstance(doc, dict) else None
        if isinstance(named, str) and named not in (old.id, new.id):
            entry.note = f"skipped: the case names pack {named}"
            continue
        before, after = (_evaluate_under(doc, str(path), locate, pack, engine) for pack in (old, new))
        entry.case_id = str(before.get("case_id") or after.get("case_id") or "")
        if "error" in before and "error" in after:
            entry.note = f"not valid under either pack: {before['error']}"
        elif "error" in before or "error" in after:
            which, failed = ("old", before) if "error" in before else ("new", after)
            entry.changes.append(f"valid under one pack only; under the {which} pack: {failed['error']}")
        else:
            entry.changes = compare(before, after)
    return diffs
