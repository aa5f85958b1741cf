"""Kill `certeval batch` at random moments and resume it: every resume must give the bytes of
an uninterrupted run, and no process or temp file may be left behind.

    .venv/bin/python benchmarks/kill_resume.py [--kills 10] [--cases 1500] [--seed 7]

Each round starts a fresh batch (jobs=2), kills it (SIGKILL to the parent alone, or to the
whole group, or SIGTERM) at a random moment — after a random number of journalled cases, or
(every third round) a random instant into the final rebuild, when the sorted runs are being
merged — then checks for surviving workers, resumes, checks for
stale temp files and compares the outputs.  Prints one line per round and a total.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from proctree import alive, processes, synthetic_lines, tree

CERTEVAL = str(Path(sys.executable).parent / "certeval")
OUTPUTS = ("results.jsonl", "summary.csv", "errors.jsonl")


def command(cases: Path, out: Path) -> list[str]:
    return [CERTEVAL, "batch", str(cases), "--out", str(out), "--jobs", "2", "--as-of", "2026-11-30"]


def descendants(root: int) -> set[int]:
    return tree(root, processes()) - {root}


def stale(out: Path) -> list[Path]:
    found = [p for p in out.rglob("*.tmp")]
    return found + ([out / ".batch" / "runs"] if (out / ".batch" / "runs").exists() else [])


def journalled(out: Path) -> int:
    try:
        with (out / ".batch" / "journal.jsonl").open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def in_rebuild(out: Path) -> bool:
    return (out / ".batch" / "runs").exists() or any(out.glob(".*.tmp"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--cases", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="certeval-kill-"))
    cases = work / "cases.jsonl"
    lines = synthetic_lines(args.cases)
    lines[3] = lines[3].replace('"stage": "', '"stage": "x')  # one bad case
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    subprocess.run(command(cases, work / "reference"), capture_output=True, check=False)
    duration = time.monotonic() - started
    reference = {name: (work / "reference" / name).read_bytes() for name in OUTPUTS}
    tally = {
        "rounds": 0,
        "ended_before_the_kill": 0,
        "identical": 0,
        "orphans": 0,
        "stale_after_resume": 0,
        "in_rebuild": 0,
    }
    try:
        for round_number in range(1, args.kills + 1):
            out = work / f"round{round_number}"
            how = rng.choice(["SIGKILL parent", "SIGKILL group", "SIGTERM group"])
            rebuild = round_number % 3 == 0  # every third round waits for the final rebuild
            process = subprocess.Popen(
                command(cases, out),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            # mid-run rounds stop after a random number of journalled cases (0: before the first)
            target = rng.randrange(0, args.cases - 2 * 64)
            deadline = time.monotonic() + duration * 5
            workers: set[int] = set()
            caught_rebuild = False
            while time.monotonic() < deadline and process.poll() is None:
                workers |= descendants(process.pid)
                if rebuild and in_rebuild(out):
                    caught_rebuild = True
                    time.sleep(rng.uniform(0, 0.3))  # somewhere in the sort, the merge or the renames
                    break
                if not rebuild and journalled(out) >= target:
                    break
                time.sleep(0.005)
            finished = process.poll() is not None
            if not finished:
                if how == "SIGKILL parent":
                    os.kill(process.pid, signal.SIGKILL)
                else:
                    os.killpg(process.pid, signal.SIGKILL if how == "SIGKILL group" else signal.SIGTERM)
            process.wait()
            time.sleep(2.0)  # PR_SET_PDEATHSIG is immediate, the watchdog takes up to a second
            orphans = [w for w in workers if alive(w)]
            left_by_kill = len(stale(out))
            subprocess.run(command(cases, out), capture_output=True, check=False)
            after = stale(out)
            same = all((out / name).read_bytes() == reference[name] for name in OUTPUTS)
            tally["rounds"] += 1
            tally["identical"] += same
            tally["ended_before_the_kill"] += finished
            tally["orphans"] += len(orphans)
            tally["stale_after_resume"] += len(after)
            tally["in_rebuild"] += caught_rebuild and not finished
            moment = (
                "ended first" if finished else "during the final rebuild" if caught_rebuild else "mid-run"
            )
            print(
                f"round {round_number:>2}: {how:<15} {moment}"
                f"; workers seen {len(workers)}, orphaned {len(orphans)}; temp files left by the kill"
                f" {left_by_kill}, after the resume {len(after)}; resume identical: {same}",
                flush=True,
            )
            for pid in orphans:  # never leave one running, even when the check fails
                os.kill(pid, signal.SIGKILL)
            shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(tally))


if __name__ == "__main__":
    main()
