"""Engine costs (issue 18, part 3): shared durable_rules sessions, evaluation only, and batch
throughput, each as a ratio within one run.  Not part of the test suite.

    .venv/bin/python benchmarks/engine_costs.py sessions [--reps 7]
    .venv/bin/python benchmarks/engine_costs.py evaluation [--reps 7] [--before /work/main/.venv/bin/python]
    .venv/bin/python benchmarks/engine_costs.py profile [--workload realistic] [--before PYTHON]
    .venv/bin/python benchmarks/engine_costs.py batch [--reps 5] [--cases 4000]
        [--before /work/main/.venv/bin/certeval] [--after .venv/bin/certeval]

sessions:   the durable engine alone (facts derived beforehand), one session per case against
            sessions shared by 10, 100 and 1000 cases.
evaluation: a validated case in, its result out (facts, engine, findings, decisions), under two
            installs, interleaved: `before` evaluates case by case (`run`), `after` in chunks
            of the batch's size (`run_many`) where it has it.
profile:    cProfile over the evaluation loop (one install), its top entries and the share of
            derivation, engine, and findings + decisions.
batch:      `certeval batch` over one JSON Lines file, --jobs 2, default engine, two installs
            interleaved.
Workloads: "realistic" (the bundled examples under distinct case_ids) and "synthetic"
(evaluator.maintain.synthetic, every rule reachable).  Medians with min–max over the repetitions;
sessions and evaluation in CPU time of the process (the machine is shared), batch in wall time.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):8.1f}  ({min(values):.1f}–{max(values):.1f})"


# ------------------------------------------------------------------------------------ workloads
WORKLOAD = """
import datetime as dt, json, sys
from pathlib import Path
from evaluator import load_pack
from evaluator.case.loader import build_case, load_case
from evaluator.maintain.synthetic import synthetic_case

def realistic_docs(root, count):
    import yaml
    paths = sorted((root / "examples").glob("*.yaml"))
    texts = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in paths]
    docs = []
    for i in range(count):
        doc = dict(texts[i % len(texts)])
        doc["case_id"] = f"{doc['case_id']}-{i:06d}"
        docs.append(doc)
    return docs

def synthetic_docs(count):
    packs = [load_pack("gbt27922-2011"), load_pack("gbt27922-1000")]
    return [synthetic_case(s, packs[s % 10 == 0]) for s in range(count)]

def loaded(docs):
    out = []
    for doc in docs:
        try:
            out.append(build_case(doc, doc["case_id"], today=dt.date(2030, 12, 31)))
        except Exception:
            pass
    return out
"""


def _workload_namespace() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(WORKLOAD, namespace)  # the same code the child processes of `evaluation` run
    return namespace


# ------------------------------------------------------------------------------------- sessions
def sessions(reps: int) -> dict[str, dict[str, list[float]]]:
    from evaluator.api import derive
    from evaluator.engines import get_engine

    ns = _workload_namespace()
    workloads = {
        "realistic": ns["loaded"](ns["realistic_docs"](ROOT, 2000)),  # type: ignore[operator]
        "synthetic": ns["loaded"](ns["synthetic_docs"](2000)),  # type: ignore[operator]
    }
    sizes = (1, 10, 100, 1000)
    out: dict[str, dict[str, list[float]]] = {}
    for label, cases in workloads.items():
        groups: dict[object, list[list[object]]] = {}
        for case, pack in cases:
            if case.decision is None:  # the decision's earlier evaluation is the same work again
                groups.setdefault(get_engine("durable", pack, case.stage), []).append(
                    derive(case, pack).facts
                )
        count = sum(len(g) for g in groups.values())
        timings: dict[str, list[float]] = {str(s): [] for s in sizes}
        for _ in range(reps):
            for size in sizes:  # interleaved: every size in every repetition
                started = time.process_time()
                for engine, facts in groups.items():
                    if size == 1:
                        for one in facts:
                            engine.run(one)  # type: ignore[attr-defined]
                    else:
                        for start in range(0, len(facts), size):
                            engine.run_many(facts[start : start + size])  # type: ignore[attr-defined]
                timings[str(size)].append((time.process_time() - started) / count * 1e6)
        out[label] = timings
        print(f"{label}: durable engine only, {count} cases, {reps} repetitions (µs/case, median (min–max))")
        base = statistics.median(timings["1"])
        for size in sizes:
            name = "one session per case" if size == 1 else f"{size} cases per session"
            ratio = statistics.median(timings[str(size)]) / base
            print(f"  {name:<26}{spread(timings[str(size)])}   ×{ratio:.2f}")
    return out


# ----------------------------------------------------------------------------------- evaluation
EVALUATION = (
    WORKLOAD
    + """
import time
import evaluator.api as api
root, label, count, chunk = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cases = loaded(realistic_docs(root, count) if label == "realistic" else synthetic_docs(count))
import gc
gc.freeze()  # the loaded workload is not the evaluation's: keep it out of every collection
many = getattr(api, "run_many", None)
def once():
    started = time.process_time()
    if many is None:
        for case, pack in cases:
            api.run(case, pack, "durable")
    else:
        for start in range(0, len(cases), chunk):
            many(cases[start : start + chunk], "durable")
    return (time.process_time() - started) / len(cases) * 1e6
once()  # warm-up: rulesets built, caches filled
print(json.dumps({"us": min(once() for _ in range(2)), "shared": many is not None}))
"""
)


def evaluation(
    reps: int, before: str, after: str, count: int, chunk: int
) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {}
    for label in ("realistic", "synthetic"):
        timings: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(reps):
            for name, python in (("before", before), ("after", after)):
                # run from a temporary directory, so that each interpreter imports its own install
                with tempfile.TemporaryDirectory() as cwd:
                    done = subprocess.run(
                        [python, "-c", EVALUATION, str(ROOT), label, str(count), str(chunk)],
                        capture_output=True,
                        text=True,
                        check=True,
                        cwd=cwd,
                    )
                timings[name].append(json.loads(done.stdout)["us"])
        out[label] = timings
        ratio = statistics.median(timings["before"]) / statistics.median(timings["after"])
        print(f"{label}: evaluation only, {count} cases, {reps} interleaved runs (µs/case, median (min–max))")
        print(f"  before {spread(timings['before'])}")
        print(f"  after  {spread(timings['after'])}")
        print(f"  before / after ×{ratio:.2f}")
    return out


# -------------------------------------------------------------------------------------- profile
PROFILE = (
    EVALUATION.split("once()  # warm-up")[0]
    + """
import cProfile, pstats
once()
profile = cProfile.Profile()
profile.enable()
once()
profile.disable()
stats = pstats.Stats(profile)
blocks = {"derive": 0.0, "engine": 0.0, "total": 0.0}
for (file, line, name), (_, _, tottime, cumtime, _) in stats.stats.items():
    if name == "derive" and file.endswith("facts/derive.py"):
        blocks["derive"] += cumtime
    elif name in ("run", "run_many") and file.endswith("engines/__init__.py"):
        blocks["engine"] += cumtime
    elif name == "once":
        blocks["total"] += cumtime
blocks["findings and decisions"] = blocks["total"] - blocks["derive"] - blocks["engine"]
print("blocks (share of the evaluation under the profiler):")
for name, seconds in blocks.items():
    print(f"  {name:<24}{seconds / blocks['total'] * 100:6.1f} %")
stats.sort_stats("tottime").print_stats(int(sys.argv[5]))
"""
)


def profile(python: str, label: str, count: int, chunk: int, top: int) -> None:
    with tempfile.TemporaryDirectory() as cwd:
        subprocess.run(
            [python, "-c", PROFILE, str(ROOT), label, str(count), str(chunk), str(top)], check=True, cwd=cwd
        )


# ---------------------------------------------------------------------------------------- batch
def write_jsonl(path: Path, label: str, count: int) -> None:
    ns = _workload_namespace()
    docs = ns["realistic_docs"](ROOT, count) if label == "realistic" else ns["synthetic_docs"](count)  # type: ignore[operator]
    path.write_text(
        "".join(json.dumps(d, ensure_ascii=False, default=str) + "\n" for d in docs), encoding="utf-8"
    )


def batch(reps: int, before: str, after: str, count: int) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {}
    work = Path(tempfile.mkdtemp(prefix="certeval-engine-costs-"))
    try:
        for label in ("realistic", "synthetic"):
            cases = work / f"{label}.jsonl"
            write_jsonl(cases, label, count)
            rates: dict[str, list[float]] = {"before": [], "after": []}
            outputs: dict[str, bytes] = {}
            for _ in range(reps):
                for name, certeval in (("before", before), ("after", after)):
                    target = work / f"out-{name}"
                    shutil.rmtree(target, ignore_errors=True)
                    command = [certeval, "batch", str(cases), "--out", str(target), "--jobs", "2"]
                    started = time.perf_counter()
                    subprocess.run([*command, "--as-of", "2026-11-30"], capture_output=True, check=False)
                    rates[name].append(count / (time.perf_counter() - started))
                    outputs[name] = (target / "results.jsonl").read_bytes()
            out[label] = rates
            same = outputs["before"] == outputs["after"]
            ratio = statistics.median(rates["after"]) / statistics.median(rates["before"])
            print(f"{label}: certeval batch JSONL --jobs 2, {count} cases, {reps} interleaved runs (cases/s)")
            print(f"  before {spread(rates['before'])}")
            print(f"  after  {spread(rates['after'])}")
            print(f"  after / before ×{ratio:.2f}   results.jsonl byte-identical: {same}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=("sessions", "evaluation", "profile", "batch"))
    parser.add_argument("--workload", choices=("realistic", "synthetic"), default="realistic")
    parser.add_argument("--top", type=int, default=15, help="profile: entries shown")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--chunk", type=int, default=64, help="cases per run_many call (the batch's chunk)")
    parser.add_argument("--before", default=None)
    parser.add_argument("--after", default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    if args.what == "sessions":
        result: object = sessions(args.reps)
    elif args.what == "evaluation":
        before = args.before or "/work/main/.venv/bin/python"
        result = evaluation(args.reps, before, args.after or sys.executable, args.cases, args.chunk)
    elif args.what == "profile":
        profile(args.after or args.before or sys.executable, args.workload, args.cases, args.chunk, args.top)
        return 0
    else:
        before = args.before or "/work/main/.venv/bin/certeval"
        result = batch(args.reps, before, args.after or str(bindir / "certeval"), args.cases)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
