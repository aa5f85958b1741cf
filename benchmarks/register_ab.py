"""Before and after, in one run (issue 18): the register_web.py measures of one register of
100,000 evaluations, built once by the code before, then measured alternately by the code before
and after (interleaved, so both see the same load), each repetition in its own process.

    git archive main | tar -x -C /tmp/before       # the code before, anywhere
    .venv/bin/python benchmarks/register_ab.py --before /tmp/before --db /tmp/ab.db [--reps 5]

The after copy of the register is migrated first (the projections rebuilt from the log; its
time is printed).  Prints each measure's median over the repetitions, with its range."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "register_web.py"


def run(source: Path, db: Path, *extra: str) -> dict:
    """register_web.py with the evaluator of `source` (the script's directory comes first on
    sys.path, then PYTHONPATH, then the installed editable copy)."""
    env = {**os.environ, "PYTHONPATH": str(source), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--db", str(db), *extra],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"{source}: register_web.py failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the code before")
    parser.add_argument("--after", type=Path, default=HERE.parent, help="the code after (this checkout)")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1, help="runs of each measure per repetition (median)")
    parser.add_argument("--reuse-after", action="store_true", help="measure the migrated copy made before")
    args = parser.parse_args()
    after_db = args.db.with_name(args.db.stem + "-after.db")
    if not args.db.exists():
        print("building the register with the code before …", file=sys.stderr)
        run(args.before, args.db, "--runs", "1")
    for suffix in ("", "-wal", "-shm") if not args.reuse_after else ():
        Path(f"{after_db}{suffix}").unlink(missing_ok=True)
        if Path(f"{args.db}{suffix}").exists():
            shutil.copyfile(f"{args.db}{suffix}", f"{after_db}{suffix}")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import pathlib, evaluator.register as r; r.connect(pathlib.Path({str(after_db)!r}))",
        ],
        env={**os.environ, "PYTHONPATH": str(args.after)},
        cwd=args.after,
        check=True,
    )
    print(
        f"migration of the copy (projections rebuilt): {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    figures: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    last = {}
    for rep in range(args.reps):
        for side, source, db in (("before", args.before, args.db), ("after", args.after, after_db)):
            report = run(source, db, "--reuse", "--runs", str(args.runs))
            last[side] = report
            for name, value in report["medians"].items():
                figures[side].setdefault(name, []).append(value)
        print(f"  repetition {rep + 1} of {args.reps}", file=sys.stderr)
    print("| measure | before: median (min–max) | after: median (min–max) | after / before |")
    print("|---|---|---|---|")
    for name, values in figures["after"].items():
        old = figures["before"].get(name, [])
        new_median = statistics.median(values)
        cell = lambda v: f"{statistics.median(v):,.1f} ({min(v):,.1f}–{max(v):,.1f})" if v else "—"  # noqa: E731
        ratio = f"{new_median / statistics.median(old):.3f}" if old else "—"
        print(f"| {name} | {cell(old)} | {cell(values)} | {ratio} |")
    print(
        json.dumps(
            {side: {k: v for k, v in r.items() if k != "medians"} for side, r in last.items()},
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
