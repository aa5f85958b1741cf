"""Peak memory of `certeval batch`: the WHOLE process tree (parent + workers), summed RSS
sampled from /proc, for several batch sizes, with two certeval installs side by side.

    .venv/bin/python benchmarks/batch_memory.py [--sizes 1000,20000] [--jobs 2]
        [--before /work/main/.venv/bin/certeval] [--after .venv/bin/certeval] [--files] [--json FILE]

Inputs are generated cases (evaluator.maintain.synthetic, both packs) in one JSON Lines file,
or with --files a directory of one .json file each.  Every figure of
one install is printed with the other's from the same run: the machine is shared and noisy,
so throughput is reported only as a ratio.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from proctree import processes, synthetic_lines, tree

SAMPLE_SECONDS = 0.02


def write_cases(path: Path, count: int, files: bool) -> Path:
    """One JSON Lines file, or (`files`) a directory of one .json file per case."""
    if not files:
        path.write_text("".join(line + "\n" for line in synthetic_lines(count)), encoding="utf-8")
        return path
    directory = path.with_suffix("")
    directory.mkdir()
    for number, line in enumerate(synthetic_lines(count)):
        (directory / f"{number:06d}.json").write_text(line, encoding="utf-8")
    return directory


def tree_rss(root: int) -> int:
    """Summed RSS of `root` and all its descendants, now."""
    table = processes()
    return sum(table[pid][1] for pid in tree(root, table) if pid in table)


def measure(certeval: str, cases: Path, out: Path, jobs: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    command = [certeval, "batch", str(cases), "--out", str(out), "--jobs", str(jobs), "--as-of", "2026-11-30"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    return {"peak_rss_mib": peak / 2**20, "seconds": seconds, "status": process.returncode}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--before", default="/work/main/.venv/bin/certeval")
    parser.add_argument("--after", default=str(Path(sys.executable).parent / "certeval"))
    parser.add_argument("--json")
    parser.add_argument("--files", action="store_true", help="a directory of case files, not JSON Lines")
    parser.add_argument("--after-only", action="store_true", help="skip the before install (large sizes)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="certeval-batch-memory-"))
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            cases = work / f"cases-{size}.jsonl"
            cases = write_cases(cases, size, args.files)
            row: dict[str, object] = {
                "cases": size,
                "jobs": args.jobs,
                "input": "files" if args.files else "jsonl",
            }
            for name in ("after",) if args.after_only else ("before", "after"):
                row[name] = measure(getattr(args, name), cases, work / f"out-{name}", args.jobs)
            if args.after_only:
                after = row["after"]
                assert isinstance(after, dict)
                peak = after["peak_rss_mib"]
                print(f"{size:>7} cases jobs={args.jobs}: peak tree RSS after {peak:.1f} MiB", flush=True)
                rows.append(row)
                continue
            same = all(
                (work / "out-before" / f).read_bytes() == (work / "out-after" / f).read_bytes()
                for f in ("results.jsonl", "summary.csv", "errors.jsonl")
            )
            before, after = row["before"], row["after"]
            assert isinstance(before, dict) and isinstance(after, dict)
            row["identical_outputs"] = same
            row["throughput_after_over_before"] = before["seconds"] / after["seconds"]
            rows.append(row)
            print(
                f"{size:>7} cases jobs={args.jobs}: peak tree RSS before {before['peak_rss_mib']:.1f} MiB,"
                f" after {after['peak_rss_mib']:.1f} MiB; throughput after/before"
                f" {row['throughput_after_over_before']:.2f}; outputs identical: {same}",
                flush=True,
            )
            shutil.rmtree(cases) if cases.is_dir() else cases.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if len(rows) > 1:
        for name in ("after",) if args.after_only else ("before", "after"):
            first, last = rows[0][name], rows[-1][name]
            assert isinstance(first, dict) and isinstance(last, dict)
            growth = last["peak_rss_mib"] - first["peak_rss_mib"]
            print(f"{name}: growth {rows[0]['cases']} -> {rows[-1]['cases']} cases: {growth:+.1f} MiB")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
