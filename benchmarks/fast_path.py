"""The fast path against the exact path (issue 18 part 2): ratios within one run.

    .venv/bin/python benchmarks/fast_path.py [--reps 7] [--batch-cases 2000] [--batch-reps 5]
        [--before /work/main/.venv/bin/certeval] [--json FILE]

(a) per realistic case (the bundled examples), CPU µs: the exact YAML loader (libyaml events,
    lines kept) against the fast one (the text gate, yaml-rs, the value walk, each also alone),
    validation on the located document against validation on the fast one, the whole load
    (parse + validate) each way, and the floor (stdlib json.loads + json.dumps of the document);
(b) end to end, `certeval batch` over YAML files at --jobs 2, interleaved: `--before` (main's
    install), this checkout with CERTEVAL_EXACT_PARSE=1 (the exact path alone), and this
    checkout; cases/s and the ratios, with the outputs compared byte for byte.
Every figure: median of --reps repetitions, with min and max.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaluator.base import yamlfast
from evaluator.base.yamlsafe import decode, parse_yaml
from evaluator.case.loader import build_case, parse_case_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import write_realistic  # a script beside this one: the same workload

HERE = Path(__file__).resolve().parent
CERTEVAL = shutil.which("certeval", path=str(Path(sys.executable).parent)) or "certeval"
TODAY = dt.date(2026, 11, 23)


def spread(samples: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(samples), 1),
        "min": round(min(samples), 1),
        "max": round(max(samples), 1),
    }


def per_case_us(func: Callable[[str], Any], texts: list[str], reps: int, rounds: int = 200) -> list[float]:
    samples = []
    for _ in range(reps):
        started = time.process_time()
        for _ in range(rounds):
            for text in texts:
                func(text)
        samples.append((time.process_time() - started) / rounds / len(texts) * 1e6)
    return samples


def in_process(reps: int) -> dict[str, Any]:
    examples = sorted((HERE.parent / "examples").glob("*.yaml"))
    texts = [decode(p.read_bytes(), p.name) for p in examples]
    exact_docs = {t: parse_yaml(t, "x") for t in texts}
    fast_docs = {t: yamlfast.parse_yaml_fast(t) for t in texts}
    assert all(d is not None for d in fast_docs.values()), "an example is not vouched for"

    measures: dict[str, Callable[[str], Any]] = {
        "parse, exact (libyaml events, lines)": lambda t: parse_yaml(t, "x"),
        "parse, fast (gate + yaml-rs + walk)": yamlfast.parse_yaml_fast,
        "  of which the text gate": yamlfast.refused_by_text,
        "  of which yaml-rs": lambda t: yamlfast._loads(t, parse_datetime=True),
        "  of which the value walk": lambda t: yamlfast._vouched(fast_docs[t]),
        "validate, located document": lambda t: build_case(exact_docs[t], "x", today=TODAY),
        "validate, fast document": lambda t: build_case(fast_docs[t], "x", today=TODAY),
        "load, exact (parse + validate)": lambda t: load(t, fast=False),
        "load, fast (parse + validate)": lambda t: load(t, fast=True),
        "floor: json.loads + json.dumps": lambda t: json.dumps(json.loads(_json_text[t])),
    }
    _json_text.update({t: json.dumps(exact_docs[t], default=str, ensure_ascii=False) for t in texts})
    # interleave the measures, so that a noisy minute hits all of them alike
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(reps):
        for name, func in measures.items():
            samples[name] += per_case_us(func, texts, 1)
    table = {name: spread(values) for name, values in samples.items()}
    ratios = {
        "parse exact / fast": _ratio(
            samples, "parse, exact (libyaml events, lines)", "parse, fast (gate + yaml-rs + walk)"
        ),
        "load exact / fast": _ratio(
            samples, "load, exact (parse + validate)", "load, fast (parse + validate)"
        ),
        "load fast / floor": _ratio(
            samples, "load, fast (parse + validate)", "floor: json.loads + json.dumps"
        ),
    }
    return {"cases": len(texts), "us_per_case": table, "ratios": ratios}


_json_text: dict[str, str] = {}


def load(text: str, fast: bool) -> Any:
    """What `load_case` does after reading the file: parse, validate (re-parse on a problem)."""
    doc, locate = parse_case_text(text, "x", as_json=False, fast=fast)
    return build_case(doc, "x", today=TODAY, locate=locate)


def _ratio(samples: dict[str, list[float]], top: str, bottom: str) -> dict[str, float]:
    pairs = [a / b for a, b in zip(samples[top], samples[bottom], strict=True)]
    return spread(pairs) | {"median": round(statistics.median(pairs), 2)}


def batch_once(certeval: str, cases: Path, count: int, env: dict[str, str]) -> tuple[float, bytes]:
    out = Path(tempfile.mkdtemp(prefix="certeval-fastpath-out-"))
    try:
        started = time.perf_counter()
        subprocess.run(
            [certeval, "batch", str(cases), "--out", str(out), "--jobs", "2"],
            capture_output=True,
            check=False,
            env={**os.environ, **env},
        )
        elapsed = time.perf_counter() - started
        outputs = b"".join(
            (out / name).read_bytes() for name in ("results.jsonl", "summary.csv", "errors.jsonl")
        )
        return count / elapsed, outputs
    finally:
        shutil.rmtree(out, ignore_errors=True)


def end_to_end(before: str, count: int, reps: int) -> dict[str, Any]:
    arms = {
        "before (main)": (before, {"CERTEVAL_EXACT_PARSE": "0"}),
        "after, exact path forced": (CERTEVAL, {"CERTEVAL_EXACT_PARSE": "1"}),
        "after": (CERTEVAL, {"CERTEVAL_EXACT_PARSE": "0"}),
    }
    cases = Path(tempfile.mkdtemp(prefix="certeval-fastpath-cases-"))
    try:
        write_realistic(cases, count)
        rates: dict[str, list[float]] = {arm: [] for arm in arms}
        outputs: dict[str, set[bytes]] = {arm: set() for arm in arms}
        for _ in range(reps):
            for arm, (certeval, env) in arms.items():
                rate, output = batch_once(certeval, cases, count, env)
                rates[arm].append(rate)
                outputs[arm].add(output)
        identical = len(set().union(*outputs.values())) == 1
        return {
            "cases": count,
            "jobs": 2,
            "cases_per_s": {arm: spread(values) for arm, values in rates.items()},
            "after / before": _ratio(rates, "after", "before (main)"),
            "after / exact path forced": _ratio(rates, "after", "after, exact path forced"),
            "outputs_byte_identical": identical,
        }
    finally:
        shutil.rmtree(cases, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--batch-cases", type=int, default=2000)
    parser.add_argument("--batch-reps", type=int, default=5)
    parser.add_argument("--before", default="/work/main/.venv/bin/certeval")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict[str, Any] = {"in_process": in_process(args.reps)}
    print(json.dumps(report, indent=1, ensure_ascii=False), flush=True)
    if args.batch_cases:
        report["end_to_end"] = end_to_end(args.before, args.batch_cases, args.batch_reps)
        print(json.dumps(report["end_to_end"], indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
