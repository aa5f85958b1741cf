"""Worker processes: chunks of units in, journal records out; they die with their parent.

Plain processes and queues rather than multiprocessing.Pool: the parent must be able to stop
its workers at any moment (Pool.terminate() can deadlock when a worker dies holding the
queue's lock) and to notice a worker that crashed instead of waiting forever.  At most
IN_FLIGHT chunks per worker are queued, so the parent never holds the inputs at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Callable, Iterable
from typing import Any

from .options import Options
from .units import Unit
from .work import evaluate_chunk

IN_FLIGHT = 2  # chunks queued per worker: one being evaluated, one waiting
_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 1.0


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG); elsewhere the
    worker loop watches its parent's pid.  Either way no worker outlives a killed batch."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog in the loop still stops us
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _worker_loop(tasks: Any, results: Any, options: Options, parent: int) -> None:
    """A worker process: chunks in, journal records out, until it gets None or its parent dies."""
    die_with_parent(parent)
    # interrupts are the parent's business: it stops the workers itself, the journal stays whole
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    while True:
        try:
            chunk = tasks.get(timeout=_WATCH_SECONDS)
        except queue.Empty:
            if os.getppid() != parent:
                os._exit(1)
            continue
        if chunk is None:
            return
        results.put(evaluate_chunk(chunk, options))


def run_parallel(
    chunks: Iterable[list[Unit]],
    options: Options,
    jobs: int,
    take: Callable[[list[dict[str, Any]]], None],
) -> None:
    """Spread chunks over `jobs` processes; `take` gets each chunk's records as it comes."""
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    tasks, results = context.Queue(), context.Queue()
    parent = os.getpid()
    workers = [
        context.Process(target=_worker_loop, args=(tasks, results, options, parent), daemon=True)
        for _ in range(jobs)
    ]
    for worker in workers:
        worker.start()
    pending = iter(chunks)
    in_flight = 0

    def feed() -> bool:
        nonlocal in_flight
        chunk = next(pending, None)
        if chunk is None:
            return False
        tasks.put(chunk)
        in_flight += 1
        return True

    try:
        for _ in range(IN_FLIGHT * jobs):
            if not feed():
                break
        while in_flight:
            while True:
                try:
                    records = results.get(timeout=1.0)
                    break
                except queue.Empty:
                    failed = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
                    if failed:
                        raise RuntimeError(f"a batch worker process died (exit code {failed[0]})") from None
            in_flight -= 1
            take(records)
            feed()
        for _ in workers:
            tasks.put(None)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
        for channel in (tasks, results):
            channel.cancel_join_thread()  # never block the exit on undelivered chunks
            channel.close()
