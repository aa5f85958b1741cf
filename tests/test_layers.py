"""The layering of ARCHITECTURE.md: imports run down the ranks of the wings.

A wing imports only wings of a lower rank; files inside one wing may import each other, without
cycles. The table below is the one ARCHITECTURE.md shows (a test keeps the two equal)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "evaluator"

# wing -> rank.  A wing is a sub-package of evaluator/ or one of its top-level modules.
RANKS: dict[str, int] = {
    "base": 0,
    "packs": 1,
    "case": 2,
    "facts": 3,
    "engines": 4,
    "judge": 5,
    "api": 6,
    "outputs": 7,
    "register": 7,
    "batch": 8,
    "maintain": 9,
    "web": 10,
}
FACADE = "evaluator"  # the package root re-exports the public API; nothing inside imports it


def module_name(path: Path, top: Path = ROOT) -> str:
    parts = list(path.relative_to(top).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, top: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module) for every import of an evaluator module, lazy ones included."""
    name = module_name(path, top)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None:  # `from . import x`: x may be a module of that package
                found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, target) for line, target in found if target.split(".")[0] == "evaluator"]


def wing_of(module: str) -> str:
    parts = module.split(".")
    return FACADE if len(parts) == 1 else parts[1]


def violations(package: Path = PACKAGE) -> list[str]:
    top = package.parent
    problems = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(top)
        wing = wing_of(module_name(path, top))
        if wing == FACADE:
            continue
        if wing not in RANKS:
            problems.append(f"{where}: wing {wing!r} is not in the rank table")
            continue
        for line, target in imported_modules(path, top):
            other = wing_of(target)
            if other == wing:
                continue
            if other == FACADE:
                problems.append(f"{where}:{line}: imports the package root {target}")
            elif other not in RANKS:
                problems.append(f"{where}:{line}: imports {target}, a wing not in the table")
            elif RANKS[other] >= RANKS[wing]:
                problems.append(
                    f"{where}:{line}: {wing} (rank {RANKS[wing]}) imports {target}"
                    f" ({other}, rank {RANKS[other]})"
                )
    return problems


def test_imports_run_down_the_ranks() -> None:
    assert violations() == []


def test_no_import_cycle_inside_a_wing() -> None:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        graph[name] = {t for _, t in imported_modules(path) if wing_of(t) == wing_of(name) and t != name}
    # a module importing its own package's __init__ (or a name from it) is not a cycle of files
    modules = set(graph)
    for name, targets in graph.items():
        graph[name] = {t if t in modules else t.rsplit(".", 1)[0] for t in targets} & modules
        graph[name].discard(name)
        graph[name] -= {p for p in modules if name.startswith(p + ".")}  # a package's own __init__
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_a_wrong_import_is_caught(tmp_path: Path) -> None:
    """The guard itself: a base module that imports the engines is reported with its line."""
    fake = tmp_path / "evaluator"
    (fake / "base").mkdir(parents=True)
    (fake / "engines").mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "base" / "__init__.py").write_text("")
    (fake / "engines" / "__init__.py").write_text("")
    (fake / "base" / "dates.py").write_text("import os\n\n\ndef f():\n    from ..engines import run\n")
    assert violations(fake) == [
        "evaluator/base/dates.py:5: base (rank 0) imports evaluator.engines (engines, rank 4)"
    ]


def test_nothing_under_evaluator_imports_click() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "click" for n in names), path


def test_architecture_md_shows_this_table() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    shown = {
        wing: int(rank)
        for rank, wings in re.findall(r"^\| (\d+) \| ([^|]+) \|", text, flags=re.MULTILINE)
        for wing in re.findall(r"`([a-z_]+)(?:/|\.py)`", wings)
    }
    assert {w: r for w, r in shown.items() if w not in ("cli", "cli_commands")} == RANKS
