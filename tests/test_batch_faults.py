"""Batch under faults (issue 12) and in flat memory (issue 18): a checksummed journal, a lock,
signals, workers that die with their parent, stale temp files, full and read-only disks, the
register recording only what the batch kept, and outputs merged from many chunk files."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import resource
import signal
import sqlite3
import subprocess
import time
import zlib
from pathlib import Path

import pytest
from helpers import CERTEVAL, TRACEBACK, base_text, run_cli, synthetic_jsonl_lines

OUTPUTS = ("results.jsonl", "summary.csv", "errors.jsonl")
AS_OF = "2026-11-30"


def outputs(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in OUTPUTS}


def batch(*args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return run_cli("batch", *args, "--as-of", AS_OF, timeout=timeout)


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> Path:
    """1,200 generated cases in JSON Lines: one bad line, one case_id given twice."""
    path = tmp_path_factory.mktemp("faults") / "cases.jsonl"
    lines = synthetic_jsonl_lines(1200)
    lines[17] = lines[17].replace('"stage": "', '"stage": "x')
    twin = json.loads(lines[30])
    twin["case_id"] = json.loads(lines[900])["case_id"]
    lines[31] = json.dumps(twin, ensure_ascii=False)  # an earlier line with a later case's id
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(cases, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.jsonl"
    path.write_text("\n".join(cases.read_text(encoding="utf-8").splitlines()[:60]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(small, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    assert batch(small, "--out", out, "--jobs", "1").returncode == 2
    return outputs(out)


# ------------------------------------------------------------------------------ the journal
def _journal(out: Path) -> Path:
    return out / ".batch" / "journal.jsonl"


def _rerun(small: Path, out: Path) -> subprocess.CompletedProcess[str]:
    for name in OUTPUTS:
        (out / name).unlink()
    return batch(small, "--out", out, "--jobs", "1")


def _insert(line: bytes):
    def damage(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        return b"".join([*lines[:5], line, *lines[5:]])

    return damage


def _nul_block(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    lines[7] = lines[7][:40] + b"\0" * 64 + lines[7][104:]
    return b"".join(lines)


DAMAGE = {
    "null": _insert(b"null\n"),
    "empty object": _insert(b"{}\n"),
    "array": _insert(b"[1,2]\n"),
    "string": _insert(b'"x"\n'),
    "object without key": _insert(b'{"case_id": "X-1", "csv": []}\n'),
    "NUL block": _nul_block,
    "CRLF endings": lambda data: data.replace(b"\n", b"\r\n"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_an_unverifiable_journal_line_is_dropped_and_redone(tmp_path, small, reference, damage):
    out = tmp_path / "out"
    batch(small, "--out", out, "--jobs", "1")
    journal = _journal(out)
    journal.write_bytes(DAMAGE[damage](journal.read_bytes()))
    result = _rerun(small, out)
    assert result.returncode == 2, result.stderr
    assert TRACEBACK not in result.stderr
    assert "dropped a journal line" in result.stderr and str(journal) in result.stderr
    assert outputs(out) == reference  # never a byte that did not come from an evaluation
    assert b"\0" not in journal.read_bytes() and b"\r" not in journal.read_bytes()


BAD_TODAY = json.dumps(
    {
        "pack": None,
        "as_of": None,
        "today": 5,
        "engine": None,
        "reports": [],
        "lang": "zh",
        "reports_dir": "",
        "record": False,
    }
)


def test_a_checksummed_record_beyond_the_inputs_is_ignored(tmp_path, small, reference):
    """A record with a valid checksum that names a unit the inputs do not have (here absurdly
    far) is never used, and costs nothing."""
    out = tmp_path / "out"
    batch(small, "--out", out, "--jobs", "1")
    error = {"file": "x", "line": 1, "message": "x", "problems": [], "status": 2}
    payload = json.dumps({"index": 10**15, "key": "k", "error": error}).encode()
    with _journal(out).open("ab") as journal:
        journal.write(b"%08x " % zlib.crc32(payload) + payload + b"\n")
    result = _rerun(small, out)
    assert result.returncode == 2 and result.stderr == ""
    assert outputs(out) == reference


@pytest.mark.parametrize(
    "content",
    ["", "garbage", "[]", "null", '{"pack": null}', BAD_TODAY],
    ids=["empty", "garbage", "list", "null", "partial", "today a number"],
)
def test_a_broken_options_file_is_a_clear_message(tmp_path, small, content):
    out = tmp_path / "out"
    batch(small, "--out", out, "--jobs", "1")
    (out / ".batch" / "options.json").write_text(content, encoding="utf-8")
    result = batch(small, "--out", out, "--jobs", "1")
    assert result.returncode == 2, result.stderr
    assert "options.json" in result.stderr and TRACEBACK not in result.stderr


def test_options_with_an_extra_field_are_refused(tmp_path, small):
    out = tmp_path / "out"
    batch(small, "--out", out, "--jobs", "1")
    path = out / ".batch" / "options.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "colour": "red"}), encoding="utf-8")
    result = batch(small, "--out", out, "--jobs", "1")
    assert result.returncode == 2 and "colour" in result.stderr and TRACEBACK not in result.stderr


def test_a_journal_that_is_a_directory_is_a_clear_message(tmp_path, small):
    out = tmp_path / "out"
    batch(small, "--out", out, "--jobs", "1")
    _journal(out).unlink()
    _journal(out).mkdir()
    result = batch(small, "--out", out, "--jobs", "1")
    assert result.returncode == 2, result.stderr
    assert "journal.jsonl" in result.stderr and TRACEBACK not in result.stderr


def test_stale_temp_files_of_a_killed_rebuild_are_removed(tmp_path, small, reference):
    out = tmp_path / "out"
    batch(small, "--out", out, "--jobs", "1")
    stale = [
        out / ".results.jsonl.k1l2m3.tmp",
        out / ".summary.csv.x9.tmp",
        out / ".batch" / ".options.json.q.tmp",
    ]
    for path in stale:
        path.write_bytes(b"partial")
    mine = out / ".notes.tmp"  # not of our naming: left alone
    mine.write_text("keep")
    assert batch(small, "--out", out, "--jobs", "1").returncode == 2
    assert not any(p.exists() for p in stale) and mine.exists()
    assert outputs(out) == reference


def test_outputs_merged_from_many_chunk_files_are_the_same(tmp_path, cases, monkeypatch):
    """Small segments and a small fan-in force several merge passes; the bytes do not change."""
    from evaluator.batch import journal as batch_journal
    from evaluator.batch import merge as batch_merge
    from evaluator.batch import run_batch

    args = dict(jobs=1, as_of=dt.date.fromisoformat(AS_OF), warn=lambda text: None)
    run_batch([cases], tmp_path / "one", **args)
    monkeypatch.setattr(batch_journal, "SEGMENT_RECORDS", 100)
    monkeypatch.setattr(batch_merge, "SEGMENT_RECORDS", 100)
    monkeypatch.setattr(batch_merge, "MERGE_FANIN", 3)
    totals = run_batch([cases], tmp_path / "many", **args)
    assert len(list((tmp_path / "many" / ".batch").glob("journal*.jsonl"))) >= 9  # 128 records each
    assert not (tmp_path / "many" / ".batch" / "runs").exists()
    assert outputs(tmp_path / "many") == outputs(tmp_path / "one")
    assert (totals.cases, totals.errors) == (1200, 2)


# --------------------------------------------------------------------------- two batches
def test_a_second_batch_into_the_same_out_is_refused(tmp_path, small):
    out = tmp_path / "out"
    (out / ".batch").mkdir(parents=True)
    with (out / ".batch" / "lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running batch holds it
        result = batch(small, "--out", out, "--jobs", "1")
    assert result.returncode == 2 and "another certeval batch" in result.stderr
    assert not (out / ".batch" / "journal.jsonl").exists()
    assert batch(small, "--out", out, "--jobs", "1").returncode == 2  # free again: it runs


# --------------------------------------------------------------------------- the register
def test_the_register_records_only_what_the_batch_kept(tmp_path, case_file):
    first = case_file(base_text("application"), "a.yaml")
    second = case_file(
        base_text("application").replace("trained_managers: 2", "trained_managers: 0"), "b.yaml"
    )
    db = tmp_path / "r.db"
    result = run_cli("batch", first, second, "--out", tmp_path / "out", "--record", "--db", db)
    assert result.returncode == 2, result.stderr
    (kept,) = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT result_json FROM evaluations").fetchall()
    assert rows == [(kept,)]  # the first case, not the rejected second


# ------------------------------------------------------------------------- signals, orphans
def _start(cases: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [CERTEVAL, "batch", str(cases), "--out", str(out), "--jobs", "2", "--as-of", AS_OF],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _running(out: Path, process: subprocess.Popen[bytes]) -> list[int]:
    """Wait until the batch has journalled a chunk; its worker pids."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        journal = _journal(out)
        if journal.exists() and journal.stat().st_size > 0:
            workers = _children(process.pid)
            if len(workers) >= 2:
                return workers
        assert process.poll() is None, "the batch ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("no progress within two minutes")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_die_with_a_killed_parent(tmp_path, cases):
    out = tmp_path / "out"
    process = _start(cases, out)
    workers = _running(out, process)
    os.kill(process.pid, signal.SIGKILL)  # the parent alone, as the OOM killer would
    process.communicate(timeout=60)  # no worker holds the pipes open
    deadline = time.monotonic() + 30
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_like_ctrl_c(tmp_path, cases, signum):
    out = tmp_path / "out"
    process = _start(cases, out)
    workers = _running(out, process)
    os.killpg(process.pid, signum)  # as a terminal closing, or a service manager, sends it
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert b"run the same command again to resume" in stderr and TRACEBACK.encode() not in stderr
    assert not any(_alive(w) for w in workers)
    assert batch(cases, "--out", out, "--jobs", "2").returncode == 2


# ----------------------------------------------------------------------- file-system faults
def test_out_under_a_file_is_a_clear_message(tmp_path, small):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile / "sub", Path("/dev/null")):
        result = batch(small, "--out", out, "--jobs", "1")
        assert result.returncode == 2, result.stderr
        assert str(out) in result.stderr and "Not a directory" in result.stderr
        assert TRACEBACK not in result.stderr


def test_a_file_size_limit_is_a_clear_message_and_resumes_identically(tmp_path, small, reference):
    out = tmp_path / "out"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))

    result = subprocess.run(
        [CERTEVAL, "batch", str(small), "--out", str(out), "--jobs", "1", "--as-of", AS_OF],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "File too large" in result.stderr and TRACEBACK not in result.stderr
    assert not list(out.glob(".*.tmp")) and not (out / "results.jsonl").exists()
    assert batch(small, "--out", out, "--jobs", "1").returncode == 2
    assert outputs(out) == reference


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs of our own (CI runs as root, where chmod cannot make a directory read-only)."""
    mount = tmp_path / "mnt"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_a_clear_message_and_resumes_identically(tmpfs, small, reference):
    out = tmpfs / "out"
    result = batch(small, "--out", out, "--jobs", "1")
    assert result.returncode == 2, result.stderr
    assert "No space left on device" in result.stderr and str(out) in result.stderr
    assert TRACEBACK not in result.stderr
    assert not list(out.glob(".*.tmp")) and not (out / "results.jsonl").exists()
    subprocess.run(["mount", "-o", "remount,size=16m", str(tmpfs)], check=True)  # space freed
    assert batch(small, "--out", out, "--jobs", "1").returncode == 2
    assert outputs(out) == reference


def test_a_read_only_out_is_a_clear_message(tmpfs, small):
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = batch(small, "--out", tmpfs / "out", "--jobs", "1")
    assert result.returncode == 2, result.stderr
    assert "Read-only file system" in result.stderr and str(tmpfs / "out") in result.stderr
    assert TRACEBACK not in result.stderr
