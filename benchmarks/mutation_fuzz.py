"""Mutation fuzz and hostile-input sweep: no input may make certeval exit 4.

    python benchmarks/mutation_fuzz.py [--mutants 2000] [--seed 12] [--json FILE]

Seeds are the examples and the conformance cases (YAML, and each also as JSON).  A mutant
replaces a value with a hostile one (extreme dates, huge or odd numbers, deep nesting, long
lists, control and bidi characters, lone surrogates, formula text), or deletes, duplicates or
swaps lines.  Each mutant is evaluated in-process by both engines, as the CLI would: a bad case
must raise an InputError (exit 2 or 3), a good one must give the same result in both engines and
render as JSON, text and Markdown.  Anything else is counted as exit 4 and printed.

`tests/test_fuzz.py` runs a small seeded sample of this on every test run.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CONFORMANCE = REPO.parent / "shared" / "conformance"

HOSTILE_YAML = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2200-01-01",
    "2026-02-30",
    "1900-01-01",
    "2199-12-31",
    "9" * 5001,
    "9" * 41,
    "-1",
    "-36",
    "0",
    "1e999",
    "-1e999",
    ".nan",
    ".inf",
    "3000000",
    "0x7fffffff",
    "'\\u202eevil'",
    '"\\e[31mred"',
    '"\\x00"',
    '"\\x07"',
    '"\\u0085"',
    "'=HYPERLINK(\"x\")'",
    "'+1+1'",
    "'@SUM(1)'",
    "'-5'",
    "[" * 200 + "]" * 200,
    "[" + ",".join(["1"] * 20_000) + "]",
    "''",
    "~",
    "null",
    "true",
    "yes",
    "{}",
    "[]",
    "&a [*a]",
    "*nope",
    "!!python/object:os.system ls",
    "'" + "x" * 200_000 + "'",
    '"\\ud800"',
    "2026-05-06T10:00:00",
    "12:30",
    "0123",
]
HOSTILE_JSON: list[Any] = [
    "9999-12-31",
    "0001-01-01",
    "2200-01-01",
    10**40,
    -1,
    3_000_000,
    1e308,
    "\ud800bad",
    "\x1b[31m",
    "\x00",
    "\u202eevil",
    "=1+1",
    "-5",
    [[[[[[[[[[]]]]]]]]]],
    list(range(20_000)),
    None,
    True,
    {},
    [],
    "x" * 200_000,
    "a\r\nb",
    "a\rb",
    0.1,
]


def seeds() -> list[Path]:
    found = sorted((REPO / "examples").glob("*.yaml"))
    for sub in ("cases", "part2", "bad"):
        found += sorted((CONFORMANCE / sub).glob("*.yaml")) if (CONFORMANCE / sub).is_dir() else []
    return found


def mutate_yaml(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    kind = rng.choice(("value", "value", "value", "delete", "duplicate", "swap"))
    i = rng.randrange(len(lines))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        candidates = [k for k, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
        if candidates:
            k = rng.choice(candidates)
            head = lines[k].split(": ", 1)[0]
            lines[k] = f"{head}: {rng.choice(HOSTILE_YAML)}"
    return "\n".join(lines)


# Plain scalars and syntax where YAML parsers part ways (1.1 against 1.2, libyaml against
# others): the differential test of the fast path (tests/test_fast_path.py) mutates with these.
QUIRK_YAML = [
    "yes",
    "no",
    "on",
    "off",
    "NO",
    "Yes",
    "True",
    "TRUE",
    "tRUE",
    "y",
    "~",
    "Null",
    "NULL",
    "nULL",
    "0123",
    "-0123",
    "00",
    "0o12",
    "0O12",
    "0x1F",
    "0X1F",
    "+0x1",
    "-0x1",
    "0b101",
    "0B1",
    "1_000",
    "_1",
    "1__0",
    "1_000.5",
    "+12",
    "-0",
    "+.5",
    ".5",
    "5.",
    "1e3",
    "1E3",
    "1.0e+3",
    "1e400",
    ".inf",
    "-.Inf",
    "+.inf",
    ".nan",
    ".NaN",
    ".Nan",
    "inf",
    "nan",
    "1:20",
    "190:20:30",
    "12:30:00",
    "2026-02-30",
    "2026-02-29",
    "2024-02-29",
    "0000-01-01",
    "2026-1-5",
    "2026-13-01",
    "2026-02-28T10:00:00",
    "2026-02-28 10:00:00",
    "2026-02-28t10:00:00Z",
    "2026-02-28 10:00:00 +8",
    "'2026-02-28'",
    '"2026-02-30"',
    "'0123'",
    '"yes"',
    "9" * 39,
    "9" * 40,
    "9" * 41,
    "0." + "1" * 39,
    "1" * 18,
    "&a 5",
    "*a",
    "&a [1, 2]",
    "!!str 5",
    "!!int '5'",
    "!!float 1",
    "!!binary aGk=",
    "!foo x",
    "!!timestamp 2026-01-01",
    "<<: {a: 1}",
    "{<<: {a: 1}}",
    "? x",
    "[a, b, ]",
    "{a, b}",
    "{a: 1, a: 2}",
    '"\\x01"',
    '"\\u2028"',
    '"a\\tb"',
    "\u2028",
    "a\u2029b",
    "a\ufeffb",
    "\ufffe",
    "|\n  block",
    ">-\n  folded\n  text",
    "a: b",
    "a:b",
    '"a":1',
    "@x",
    "`x`",
    "'it''s'",
    '"a #b"',
    "a #b",
    "x\n  continued",
    "[1,\n2]",
    "- a",
    "%x",
    "{a: [1, {b: 2}]}",
    "[[[[[[[[]]]]]]]]",
]


def mutate_yaml_quirk(text: str, rng: random.Random) -> str:
    """One YAML-specific mutation: a quirk value, or a change to the file's syntax (CRLF, a BOM,
    a tab, an indentation shift, a directive, a document marker, a comment, a joined line)."""
    lines = text.split("\n")
    kind = rng.choice(
        (
            "value",
            "value",
            "value",
            "key",
            "indent",
            "tab",
            "crlf",
            "bom",
            "directive",
            "marker",
            "comment",
            "join",
        )
    )
    i = rng.randrange(len(lines))
    if kind in ("value", "key"):
        candidates = [k for k, line in enumerate(lines) if ": " in line and not line.lstrip().startswith("#")]
        if candidates:
            k = rng.choice(candidates)
            head, tail = lines[k].split(": ", 1)
            quirk = rng.choice(QUIRK_YAML)
            if kind == "key":
                indent = head[: len(head) - len(head.lstrip())]
                lines[k] = f"{indent}{quirk.splitlines()[0]}: {tail}"
            else:
                lines[k] = f"{head}: {quirk}"
    elif kind == "indent":
        lines[i] = lines[i][1:] if lines[i].startswith(" ") and rng.random() < 0.5 else " " + lines[i]
    elif kind == "tab":
        lines[i] = "\t" + lines[i]
    elif kind == "crlf":
        return "\r\n".join(lines)
    elif kind == "bom":
        return "\ufeff" + text
    elif kind == "directive":
        return (
            rng.choice(("%YAML 1.1\n---\n", "%YAML 1.2\n---\n", "---\n", "%TAG ! tag:x,2026:\n---\n")) + text
        )
    elif kind == "marker":
        lines.insert(i, rng.choice(("---", "...", "--- # again")))
    elif kind == "comment":
        lines[i] = lines[i] + rng.choice((" # note", "# not a comment", " #: x", " # & * ! | > 1_000"))
    elif i + 1 < len(lines):
        lines[i : i + 2] = [lines[i] + " " + lines[i + 1].lstrip()]
    return "\n".join(lines)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def mutate_json(doc: Any, rng: random.Random) -> str:
    doc = json.loads(json.dumps(doc))
    leaves = [p for p in _leaves(doc) if p]
    if leaves:
        path = rng.choice(leaves)
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = rng.choice(HOSTILE_JSON)
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5)


def outcome(path: Path) -> tuple[int, str]:
    """The exit status the CLI would give for `path`, and what went wrong for a 4."""
    from evaluator.api import evaluate_full
    from evaluator.base.errors import InputError
    from evaluator.outputs.files import to_json
    from evaluator.outputs.formats import render

    try:
        results = []
        for engine in ("durable", "python"):
            evaluation = evaluate_full(path, engine=engine)
            results.append(to_json({**evaluation.result, "engine": None}))
        if results[0] != results[1]:
            return 4, "engines disagree"
        for fmt in ("json", "text", "markdown"):
            render(evaluation, fmt, "both").encode("utf-8")
        return (1 if any(f.severity == "major" for f in evaluation.findings) else 0), ""
    except InputError as e:
        return int(e.status), ""
    except RecursionError as e:
        return 4, f"RecursionError: {e}"
    except Exception as e:
        return 4, "".join(traceback.format_exception_only(type(e), e)).strip()


def run(mutants: int, seed: int, tmp: Path, verbose: bool = True) -> dict[str, Any]:
    import yaml

    rng = random.Random(seed)
    sources = seeds()
    docs = {}
    for source in sources:
        try:
            docs[source] = json.loads(json.dumps(yaml.safe_load(source.read_text("utf-8")), default=str))
        except Exception:
            docs[source] = None
    counts: collections.Counter[int] = collections.Counter()
    failures = []
    started = time.perf_counter()
    for n in range(mutants):
        source = rng.choice(sources)
        if n % 2 and docs[source] is not None:
            path = tmp / f"m{n}.json"
            path.write_text(mutate_json(docs[source], rng), encoding="utf-8", errors="surrogatepass")
        else:
            path = tmp / f"m{n}.yaml"
            path.write_text(mutate_yaml(source.read_text("utf-8"), rng), encoding="utf-8")
        status, why = outcome(path)
        counts[status] += 1
        if status == 4:
            failures.append({"mutant": n, "source": source.name, "why": why, "text": path.read_text()[:2000]})
            if verbose:
                print(f"exit 4: mutant {n} of {source.name}: {why}", file=sys.stderr)
        path.unlink()
    return {
        "mutants": mutants,
        "seed": seed,
        "seconds": round(time.perf_counter() - started, 1),
        "exit_statuses": {str(k): counts[k] for k in sorted(counts)},
        "exit_4": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutants", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = run(args.mutants, args.seed, Path(tmp))
    print(json.dumps({k: v for k, v in report.items() if k != "exit_4"}, indent=1))
    print(f"exit 4: {len(report['exit_4'])}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.exit(1 if report["exit_4"] else 0)


if __name__ == "__main__":
    main()
