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
