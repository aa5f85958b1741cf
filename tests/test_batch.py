"""Batch evaluation (issue 7): outputs, ordering, errors, parallelism, resuming after a kill."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import CERTEVAL, CONFORMANCE, EXAMPLES, TRACEBACK, base_text, run_cli, synthetic_jsonl_lines

from evaluator import CaseError, evaluate, load_pack
from evaluator.batch import evaluate_many
from evaluator.maintain.synthetic import synthetic_case

OUTPUTS = ("results.jsonl", "summary.csv", "errors.jsonl")


def outputs(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in OUTPUTS}


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def cases_jsonl(tmp_path_factory) -> Path:
    """3,000 generated cases (both packs) in one JSON Lines file, with two bad lines."""
    path = tmp_path_factory.mktemp("cases") / "register.jsonl"
    lines = synthetic_jsonl_lines(3000)
    lines[17] = lines[17].replace('"stage": "', '"stage": "x')  # an unknown stage
    lines[2500] = lines[2500][:-5]  # cut short: not JSON
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_batch_of_examples_and_bad_files(tmp_path):
    bad = CONFORMANCE / "bad"
    inputs = [EXAMPLES] + ([bad] if bad.exists() else [])
    result = run_cli("batch", *inputs, "--out", tmp_path / "out", "--jobs", "2")
    assert TRACEBACK not in result.stderr
    results = jsonl(tmp_path / "out" / "results.jsonl")
    assert [r["case_id"] for r in results] == sorted(r["case_id"] for r in results)
    assert len(results) == len(list(EXAMPLES.glob("*.yaml")))
    for r in results:  # the same result as evaluating the case on its own
        source = next(
            p for p in EXAMPLES.glob("*.yaml") if f"case_id: {r['case_id']}" in p.read_text(encoding="utf-8")
        )
        assert r == evaluate(source)
    errors = jsonl(tmp_path / "out" / "errors.jsonl")
    if bad.exists():
        assert result.returncode == 2
        assert len(errors) == len(list(bad.iterdir()))
        assert all(e["file"].startswith(str(bad)) and e["message"].startswith(e["file"]) for e in errors)
        assert any(e["line"] == 21 and "changes[0].kind" in e["message"] for e in errors)
    assert f"batch: {len(results) + len(errors)} cases, {len(errors)} errors" in result.stdout


def test_summary_csv_opens_in_excel(tmp_path):
    run_cli("batch", EXAMPLES, "--out", tmp_path)
    raw = (tmp_path / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Chinese names
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["case_id"] for r in rows] == sorted(r["case_id"] for r in rows)
    overdue = next(r for r in rows if r["case_id"] == "NJ-2024-0311")
    assert overdue["organization"] == "南京玄武智能楼宇设备有限公司"
    assert (overdue["recommended_status"], overdue["surveillance_state"], overdue["major"]) == (
        "suspended",
        "overdue",
        "1",
    )
    hz = next(r for r in rows if r["case_id"] == "HZ-2026-0301")
    assert (hz["grade"], hz["score"], hz["eligible"]) == ("three_star", "83.83", "true")
    # readable twins of the ids, and the dates an officer plans by (issue 14)
    assert hz["grade_label"] == "三星级"
    assert (overdue["recommended_status_label"], overdue["surveillance_state_label"]) == ("暂停", "逾期")
    assert (overdue["valid_until"], overdue["extended_until"]) == ("2027-03-10", "")
    extended = next(r for r in rows if r["case_id"] == "CQ-2024-0925")
    assert extended["extended_until"]


def test_exit_status_without_bad_cases(tmp_path):
    assert (
        run_cli("batch", EXAMPLES / "xm-application-eligible.yaml", "--out", tmp_path / "a").returncode == 0
    )
    assert run_cli("batch", EXAMPLES, "--out", tmp_path / "b").returncode == 1  # majors, no bad case


def test_duplicate_case_ids_are_errors_not_merged(tmp_path, case_file):
    first = case_file(base_text("application"), "a.yaml")
    second = case_file(
        base_text("application").replace("trained_managers: 2", "trained_managers: 0"), "b.yaml"
    )
    result = run_cli("batch", first, second, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert len(jsonl(tmp_path / "out" / "results.jsonl")) == 1
    errors = jsonl(tmp_path / "out" / "errors.jsonl")
    assert len(errors) == 1 and errors[0]["file"] == str(second) and "also in" in errors[0]["message"]


def test_jsonl_input_names_the_line_of_a_bad_case(tmp_path, cases_jsonl):
    small = tmp_path / "small.jsonl"
    small.write_text(
        "\n".join(cases_jsonl.read_text(encoding="utf-8").splitlines()[:40]) + "\n", encoding="utf-8"
    )
    result = run_cli("batch", small, "--out", tmp_path / "out", "--jobs", "1")
    assert result.returncode == 2
    (error,) = jsonl(tmp_path / "out" / "errors.jsonl")
    assert error["file"] == str(small) and error["line"] == 18 and "stage" in error["message"]
    assert len(jsonl(tmp_path / "out" / "results.jsonl")) == 39


def test_jobs_do_not_change_the_output(tmp_path, cases_jsonl):
    assert (
        run_cli("batch", cases_jsonl, "--out", tmp_path / "one", "--jobs", "1", timeout=600).returncode == 2
    )
    assert (
        run_cli("batch", cases_jsonl, "--out", tmp_path / "two", "--jobs", "2", timeout=600).returncode == 2
    )
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")
    assert len(jsonl(tmp_path / "one" / "errors.jsonl")) == 2


def _start(cases: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [CERTEVAL, "batch", str(cases), "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so the kill reaches the workers too
    )


def _wait_for_progress(out: Path, process: subprocess.Popen[bytes]) -> None:
    journal = out / ".batch" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if journal.exists() and journal.stat().st_size > 0:
            return
        assert process.poll() is None, "the batch ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("no progress within two minutes")


def test_killed_batch_resumes_to_identical_output(tmp_path, cases_jsonl):
    reference = tmp_path / "reference"
    run_cli("batch", cases_jsonl, "--out", reference, "--jobs", "2", timeout=600)
    resumed = tmp_path / "resumed"
    process = _start(cases_jsonl, resumed)
    _wait_for_progress(resumed, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (resumed / "results.jsonl").exists()  # killed before the end: nothing final yet
    done_before = len((resumed / ".batch" / "journal.jsonl").read_bytes().splitlines())
    assert 0 < done_before < 3000
    result = run_cli("batch", cases_jsonl, "--out", resumed, "--jobs", "2", timeout=600)
    assert result.returncode == 2, result.stderr
    assert "done by an earlier run" in result.stdout
    assert outputs(resumed) == outputs(reference)


def test_torn_journal_line_is_dropped_on_resume(tmp_path, cases_jsonl):
    small = tmp_path / "small.jsonl"
    small.write_text(
        "\n".join(cases_jsonl.read_text(encoding="utf-8").splitlines()[:200]) + "\n", encoding="utf-8"
    )
    reference = tmp_path / "reference"
    run_cli("batch", small, "--out", reference, "--jobs", "1")
    torn = tmp_path / "torn"
    run_cli("batch", small, "--out", torn, "--jobs", "1")
    journal = torn / ".batch" / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:120]) + lines[120][:37])  # as if killed mid-write
    for name in OUTPUTS:
        (torn / name).unlink()
    assert run_cli("batch", small, "--out", torn, "--jobs", "1").returncode == 2
    assert outputs(torn) == outputs(reference)


def test_interrupted_batch_says_how_to_resume(tmp_path, cases_jsonl):
    out = tmp_path / "out"
    process = _start(cases_jsonl, out)
    _wait_for_progress(out, process)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"run the same command again to resume" in stderr and TRACEBACK.encode() not in stderr


def test_resuming_with_other_options_is_refused(tmp_path):
    run_cli("batch", EXAMPLES, "--out", tmp_path, "--as-of", "2026-11-23")
    result = run_cli("batch", EXAMPLES, "--out", tmp_path, "--as-of", "2026-12-01")
    assert result.returncode == 2 and "other options" in result.stderr


def test_no_progress_bar_when_not_a_terminal(tmp_path):
    result = run_cli("batch", EXAMPLES, "--out", tmp_path)
    assert result.stderr == ""  # captured output is not a terminal


def test_reports_alongside_the_results(tmp_path):
    run_cli("batch", EXAMPLES / "hz-initial-three-star.yaml", "--out", tmp_path, "--reports", "ncr,car")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "HZ-2026-0301.car.zh.html",
        "HZ-2026-0301.ncr.zh.html",
    ]
    assert run_cli("batch", EXAMPLES, "--out", tmp_path / "x", "--reports", "nrc").returncode == 2


def test_evaluate_many_yields_results_and_errors():
    pack = load_pack()
    good = synthetic_case(1, pack)
    bad = dict(good, stage="nope")
    outcomes = list(evaluate_many([good, bad, EXAMPLES / "hz-initial-three-star.yaml"], engine="python"))
    assert outcomes[0]["case_id"] == good["case_id"]
    assert isinstance(outcomes[1], CaseError)
    assert outcomes[2]["grade"] == "three_star"
