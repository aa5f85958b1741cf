"""Every target of issue 18 (SPEC §11) measured in ONE run, each as a ratio against its baseline,
with the spread (min / median / max) over repetitions interleaved in time.

    .venv/bin/python benchmarks/targets.py [--cases 2000] [--reps 5] [--memory-large 10000]
        [--memory-100k] [--cold-reps 11] [--json FILE]

| measure | baseline | target |
|---|---|---|
| peak RSS of the `certeval batch` tree, 1k → large (JSONL, jobs=2) | 10 MB growth | ≤ 1 at 100k |
| YAML input, jobs=2, default engine, end to end | 4,000 cases/s | ≥ 1 |
| JSONL input, jobs=2, default engine, end to end | 8,000 cases/s | ≥ 1 |
| per-case CPU of the batch process tree (YAML, JSONL) | json.loads + dumps, here | ≤ 4 |
| jobs=2 vs jobs=1 throughput (YAML, JSONL) | jobs=1 | ≥ 1.7 |
| cold `certeval evaluate CASE --format json` (wall, CPU) | `python -c pass` | ≤ 10 |

The cases are bench.py's synthetic documents (both packs), the same ones as YAML files and as
JSON Lines.  Per-case CPU is the user + system time of the whole tree (parent and workers)
above that of a batch of `--fixed-cases` cases, divided by the extra cases: the start of three
interpreters is not a per-case cost.  The 100k memory point takes minutes: `--memory-100k`.
Not part of the test suite: nothing here is an assertion.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from batch_memory import measure as batch_peak
from batch_memory import write_cases as write_jsonl
from bench import CERTEVAL, HERE
from bench import write_cases as write_yaml

PYTHON = sys.executable
EXAMPLE = HERE.parent / "examples" / "hz-initial-three-star.yaml"
AS_OF = "2026-11-30"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_batch(inputs: Path, jobs: int, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole process tree) of one `certeval batch`."""
    shutil.rmtree(out, ignore_errors=True)
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [CERTEVAL, "batch", str(inputs), "--out", str(out), "--jobs", str(jobs), "--as-of", AS_OF],
        capture_output=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1, 2) or not (out / "results.jsonl").exists():
        raise SystemExit(f"batch failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return wall, children_cpu() - cpu


def floor_seconds(lines: list[str]) -> float:
    """CPU seconds per document of stdlib json.loads + json.dumps, best of three passes."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for line in lines:
            json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)
        best = min(best, (time.process_time() - started) / len(lines))
    return best


def cold(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one new process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def spread(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


class Table:
    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        measure: str,
        values: list[float],
        unit: str,
        baseline: str,
        ratios: list[float] | None,
        target: str,
        met: Callable[[float], bool] | None,
    ) -> None:
        low, mid, high = spread(values)
        rlow, rmid, rhigh = spread(ratios) if ratios else (0.0, 0.0, 0.0)
        self.rows.append(
            {
                "measure": measure,
                "value": f"{_num(low)} / {_num(mid)} / {_num(high)} {unit}",
                "baseline": baseline,
                "ratio": f"{rlow:.2f} / {rmid:.2f} / {rhigh:.2f}" if ratios else "—",
                "target": target,
                "met (median)": "—" if met is None else ("yes" if met(rmid) else "**no**"),
                "values": values,
                "ratios": ratios,
            }
        )

    def markdown(self) -> str:
        keys = ["measure", "value", "baseline", "ratio", "target", "met (median)"]
        lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
        lines += ["| " + " | ".join(str(row[k]) for k in keys) + " |" for row in self.rows]
        return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000, help="cases per throughput run")
    parser.add_argument("--fixed-cases", type=int, default=20, help="the batch whose CPU is not per case")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--cold-reps", type=int, default=11)
    parser.add_argument("--memory-large", type=int, default=10_000)
    parser.add_argument("--memory-100k", action="store_true", help="the target's 100k point (minutes)")
    parser.add_argument("--memory-reps", type=int, help="repetitions of the memory runs (default --reps)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    large = 100_000 if args.memory_100k else args.memory_large
    commit = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %<(60,trunc)%s"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    header = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="minutes"),
        "commit": commit,
        "load_before": load_average(),
        "cpus": os.cpu_count(),
    }
    print(f"{header['date']}  {commit}  load {header['load_before']}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="certeval-targets-"))
    table = Table()
    try:
        yaml_dir, small_yaml = work / "yaml", work / "yaml-fixed"
        for directory, count in ((yaml_dir, args.cases), (small_yaml, args.fixed_cases)):
            directory.mkdir()
            write_yaml(directory, count)
        jsonl = write_jsonl(work / "cases.jsonl", args.cases, files=False)
        small_jsonl = write_jsonl(work / "fixed.jsonl", args.fixed_cases, files=False)
        lines = jsonl.read_text(encoding="utf-8").splitlines()

        # ------------------------------------------------ throughput, per-case CPU, jobs=2 vs 1
        runs: dict[str, list[tuple[float, float]]] = {}
        floors: list[float] = []
        configs = {
            "yaml-2": (yaml_dir, 2),
            "yaml-1": (yaml_dir, 1),
            "yaml-fixed": (small_yaml, 2),
            "jsonl-2": (jsonl, 2),
            "jsonl-1": (jsonl, 1),
            "jsonl-fixed": (small_jsonl, 2),
        }
        for rep in range(args.reps):
            floors.append(floor_seconds(lines))
            for name, (inputs, jobs) in configs.items():
                runs.setdefault(name, []).append(run_batch(inputs, jobs, work / "out"))
            print(f"  throughput repetition {rep + 1}/{args.reps} done", flush=True)
        extra = args.cases - args.fixed_cases
        for kind, target in (("yaml", 4000), ("jsonl", 8000)):
            rates = [args.cases / wall for wall, _ in runs[f"{kind}-2"]]
            table.add(
                f"{kind.upper()} input, jobs=2, default engine (end to end)",
                rates,
                "cases/s",
                f"{target:,} cases/s",
                [r / target for r in rates],
                "≥ 1",
                lambda r: r >= 1,
            )
        for kind in ("yaml", "jsonl"):
            per_case = [
                (cpu - fixed_cpu) / extra
                for (_, cpu), (_, fixed_cpu) in zip(runs[f"{kind}-2"], runs[f"{kind}-fixed"], strict=True)
            ]
            table.add(
                f"per-case CPU, {kind.upper()} (process tree, jobs=2)",
                [s * 1e6 for s in per_case],
                "µs",
                f"floor {statistics.median(floors) * 1e6:.0f} µs (json.loads + dumps)",
                [s / f for s, f in zip(per_case, floors, strict=True)],
                "≤ 4",
                lambda r: r <= 4,
            )
        for kind in ("yaml", "jsonl"):
            speedups = [
                one / two for (two, _), (one, _) in zip(runs[f"{kind}-2"], runs[f"{kind}-1"], strict=True)
            ]
            table.add(
                f"jobs=2 vs jobs=1, {kind.upper()}",
                [args.cases / one for one, _ in runs[f"{kind}-1"]],
                "cases/s at jobs=1",
                "jobs=1",
                speedups,
                "≥ 1.7",
                lambda r: r >= 1.7,
            )

        # --------------------------------------------------------------------- peak memory
        big = write_jsonl(work / "large.jsonl", large, files=False)
        peaks: dict[int, list[float]] = {1000: [], large: []}
        thousand = write_jsonl(work / "thousand.jsonl", 1000, files=False)
        memory_reps = args.memory_reps or args.reps
        for rep in range(memory_reps):
            for size, inputs in ((1000, thousand), (large, big)):
                peaks[size].append(batch_peak(CERTEVAL, inputs, work / "out-memory", 2)["peak_rss_mib"])
            print(f"  memory repetition {rep + 1}/{memory_reps} done", flush=True)
        growth = [b - a for a, b in zip(peaks[1000], peaks[large], strict=True)]
        table.add(
            "peak RSS of the batch process tree, 1k cases",
            peaks[1000],
            "MiB",
            "",
            None,
            "",
            None,
        )
        table.add(
            f"peak RSS growth 1k → {large / 1000:g}k cases (JSONL, jobs=2)",
            growth,
            "MiB",
            "10 MB (≈ 9.54 MiB) of growth",
            [g / (10e6 / 2**20) for g in growth],
            "≤ 1 at 100k" + ("" if large == 100_000 else f" (here {large / 1000:g}k)"),
            (lambda r: r <= 1) if large == 100_000 else None,
        )

        # ----------------------------------------------------------------------- cold start
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        commands = {
            "pass": [PYTHON, "-c", "pass"],
            "evaluate": [CERTEVAL, "evaluate", str(EXAMPLE), "--format", "json"],
        }
        no_cache = {**env, "CERTEVAL_NO_CACHE": "1"}
        for command in commands.values():
            cold(command, env)  # writes the bytecode (and the pack cache): a user's second run
        times: dict[str, list[tuple[float, float]]] = {"pass": [], "evaluate": [], "uncached": []}
        for _ in range(args.cold_reps):
            times["pass"].append(cold(commands["pass"], env))
            times["evaluate"].append(cold(commands["evaluate"], env))
            times["uncached"].append(cold(commands["evaluate"], no_cache))
        for label, key in (
            ("cold evaluate --format json", "evaluate"),
            ("  same, CERTEVAL_NO_CACHE=1", "uncached"),
        ):
            for what, index in (("wall", 0), ("CPU", 1)):
                table.add(
                    f"{label} ({what})",
                    [t[index] * 1000 for t in times[key]],
                    "ms",
                    f"python -c pass: {statistics.median(t[index] for t in times['pass']) * 1000:.0f} ms",
                    [t[index] / p[index] for t, p in zip(times[key], times["pass"], strict=True)],
                    "≤ 10",
                    lambda r: r <= 10,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    header["load_after"] = load_average()
    print(f"\nload after: {header['load_after']}; values and ratios are min / median / max\n")
    print(table.markdown())
    if args.json:
        args.json.write_text(json.dumps({**header, "rows": table.rows}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
