"""certeval benchmarks: ratios within one run, on this machine (not part of the test suite).

    .venv/bin/python benchmarks/bench.py [--cases 2000] [--memory-cases 100000] [--json FILE]

(a) end-to-end batch throughput (YAML files in, results.jsonl + summary.csv out) with the
    `certeval batch` command at jobs=1 and jobs=2;
(b) evaluation only (validated case in, result dict out), durable vs python engine;
(c) resident memory of one process after 1k and after 100k evaluations;
(d) cold wall time of `certeval evaluate` on one example.
Synthetic cases come from evaluator.maintain.synthetic (every stage, every rule reachable).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from evaluator import load_pack
from evaluator.api import run
from evaluator.case.loader import build_case
from evaluator.maintain.synthetic import synthetic_case

HERE = Path(__file__).resolve().parent
CERTEVAL = shutil.which("certeval", path=str(Path(sys.executable).parent)) or "certeval"


def write_cases(directory: Path, count: int) -> None:
    """Synthetic stress cases: every stage, many findings (every rule reachable)."""
    packs = [load_pack("gbt27922-2011"), load_pack("gbt27922-1000")]
    for seed in range(count):
        doc = synthetic_case(seed, packs[seed % 10 == 0])
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        (directory / f"case-{seed:06d}.yaml").write_text(text, encoding="utf-8")


def write_realistic(directory: Path, count: int) -> None:
    """The bundled examples (typical officers' cases, ~2 KB) copied under distinct case_ids."""
    examples = sorted((HERE.parent / "examples").glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in examples]
    for index in range(count):
        text = texts[index % len(texts)]
        case_id = next(line for line in text.splitlines() if line.startswith("case_id:"))
        (directory / f"real-{index:06d}.yaml").write_text(
            text.replace(case_id, f"{case_id}-{index:06d}"), encoding="utf-8"
        )


def workload_stats(directory: Path) -> dict[str, float]:
    files = sorted(directory.glob("*.yaml"))[:500]
    findings = []
    for path in files:
        findings.append(
            len(run(*build_case(yaml.safe_load(path.read_text(encoding="utf-8")), "x"), "python").findings)
        )
    return {
        "bytes_per_case": round(statistics.mean(p.stat().st_size for p in files)),
        "findings_per_case": round(statistics.mean(findings), 1),
    }


def batch_throughput(cases: Path, jobs: int, count: int) -> float:
    out = Path(tempfile.mkdtemp(prefix="certeval-bench-out-"))
    try:
        started = time.perf_counter()
        subprocess.run(
            [CERTEVAL, "batch", str(cases), "--out", str(out), "--jobs", str(jobs)],
            capture_output=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        assert (out / "results.jsonl").exists()
        return count / elapsed
    finally:
        shutil.rmtree(out, ignore_errors=True)


def evaluation_only(count: int) -> dict[str, float]:
    pack = load_pack()
    loaded = [build_case(synthetic_case(seed, pack), str(seed)) for seed in range(count)]
    timings = {}
    for engine in ("python", "durable"):
        for case, case_pack in loaded[:100]:  # warm up: rulesets built, caches filled
            run(case, case_pack, engine)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for case, case_pack in loaded:
                run(case, case_pack, engine)
            best = min(best, (time.perf_counter() - started) / count * 1e6)
        timings[engine] = best
    return timings


MEMORY_SCRIPT = """
import sys
from evaluator import load_pack
from evaluator.api import run
from evaluator.case.loader import build_case
from evaluator.maintain.synthetic import synthetic_case

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

pack = load_pack()
docs = [synthetic_case(seed, pack) for seed in range(1000)]
total = int(sys.argv[1])
marks = {}
for i in range(total):
    case, case_pack = build_case(docs[i % 1000], "x")
    run(case, case_pack, "durable")
    if i + 1 in (1000, total):
        marks[i + 1] = rss_mb()
print(marks[1000], marks[total])
"""


def memory(total: int) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(total)], capture_output=True, text=True, check=True
    )
    first, last = map(float, out.stdout.split())
    return first, last


def cold_start(runs: int = 7) -> float:
    """Median wall time of a new process, as a user's installed copy runs it: with bytecode.
    PYTHONDONTWRITEBYTECODE (set on some CI and dev machines) would make an editable install
    recompile every module on every start, ~0.1 s that no pip-installed copy pays."""
    example = HERE.parent / "examples" / "hz-initial-three-star.yaml"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs + 1):  # the first run writes the bytecode and is not counted
        started = time.perf_counter()
        subprocess.run([CERTEVAL, "evaluate", str(example)], capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - started)
    times = times[1:]
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--memory-cases", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    args = parser.parse_args()

    results: dict[str, object] = {"cpus": os.cpu_count(), "cases": args.cases}
    batch: dict[str, dict[str, float]] = {}
    for workload, writer in (("realistic", write_realistic), ("synthetic", write_cases)):
        with tempfile.TemporaryDirectory(prefix="certeval-bench-cases-") as tmp:
            cases = Path(tmp)
            writer(cases, args.cases)
            stats = workload_stats(cases)
            jobs1 = batch_throughput(cases, 1, args.cases)
            jobs2 = batch_throughput(cases, 2, args.cases)
        batch[workload] = {
            **stats,
            "jobs1": round(jobs1),
            "jobs2": round(jobs2),
            "speedup": round(jobs2 / jobs1, 2),
        }
    results["batch_cases_per_s"] = batch
    timings = evaluation_only(min(args.cases, 2000))
    results["evaluation_us_per_case"] = {
        "python": round(timings["python"]),
        "durable": round(timings["durable"]),
        "ratio": round(timings["durable"] / timings["python"], 2),
    }
    first, last = memory(args.memory_cases)
    results["rss_mb"] = {
        "after_1k": round(first, 1),
        f"after_{args.memory_cases // 1000}k": round(last, 1),
        "growth": round(last - first, 1),
    }
    results["cold_evaluate_s"] = round(cold_start(), 3)

    print(f"{'measure':<52}{'value':>12}")
    for workload, row in batch.items():
        label = f"{workload} ({row['bytes_per_case']:.0f} B, {row['findings_per_case']} findings/case)"
        print(label)
        print(f"{'  batch, jobs=1 (cases/s)':<52}{row['jobs1']:>12.0f}")
        print(f"{'  batch, jobs=2 (cases/s)':<52}{row['jobs2']:>12.0f}")
        print(f"{'    jobs=2 / jobs=1':<52}{row['speedup']:>12.2f}")
    print(f"{'evaluation only, python (us/case)':<52}{timings['python']:>12.0f}")
    print(f"{'evaluation only, durable (us/case)':<52}{timings['durable']:>12.0f}")
    print(f"{'  durable / python':<52}{timings['durable'] / timings['python']:>12.2f}")
    print(f"{'RSS after 1k cases (MB)':<52}{first:>12.1f}")
    print(f"{'RSS after ' + str(args.memory_cases // 1000) + 'k cases (MB)':<52}{last:>12.1f}")
    print(f"{'  growth (MB)':<52}{last - first:>12.1f}")
    print(f"{'cold certeval evaluate (s)':<52}{results['cold_evaluate_s']:>12.3f}")
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
