"""The evaluation register (issue 8): recording, idempotency, lookup, history, due, concurrency."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers import CERTEVAL, EXAMPLES, TRACEBACK, base_text, run_cli

from evaluator import load_pack
from evaluator.api import run
from evaluator.case.loader import build_case
from evaluator.maintain.synthetic import synthetic_case
from evaluator.register import connect, due, history, lookup, register_record, store, write_records

PLAN_DAY = dt.date(2026, 11, 23)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture(scope="module")
def register_10k(tmp_path_factory):
    """`certeval batch --record` over the examples and 10,000 generated cases."""
    root = tmp_path_factory.mktemp("register")
    cases = root / "generated.jsonl"
    pack = load_pack()
    with cases.open("w", encoding="utf-8") as out:
        for seed in range(10_000):
            doc = synthetic_case(seed, pack)  # one certificate number per seed
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    db = root / "register.db"
    result = run_cli(
        "batch", EXAMPLES, cases, "--out", root / "out", "--record", "--db", db, "--jobs", "2", timeout=1200
    )
    assert result.returncode in (0, 1, 2) and TRACEBACK not in result.stderr
    results = [
        json.loads(line) for line in (root / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return db, results, cases


def test_every_evaluated_case_is_recorded_once(register_10k):
    db, results, _ = register_10k
    assert count(db, "evaluations") == len(results)
    assert count(db, "findings") == sum(len(r["findings"]) for r in results)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store.MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_lookup_matches_the_results(register_10k):
    db, results, _ = register_10k
    conn = connect(db)
    certified = [r for r in results if r["certificate"]]
    assert len(certified) > 3000
    for result in certified[:: max(1, len(certified) // 400)]:
        (row,) = lookup(
            conn, number=result["certificate"]["number"], org=None, day=dt.date.fromisoformat(result["as_of"])
        )
        assert row["valid_until"] == result["certificate"]["valid_until"]
        assert row["recommended_status"] == result["certificate"]["recommended_status"]
        surveillance = result["surveillance"]
        assert row["next_surveillance"] == (surveillance["extended_until"] or surveillance["due_by"])


def test_lookup_by_part_of_a_chinese_name(register_10k):
    db, _, _ = register_10k
    result = run_cli("register", "lookup", "--org", "两江新能源", "--db", db)
    assert result.returncode == 0 and "FW-CQ-2024-0925" in result.stdout
    assert run_cli("register", "lookup", "--org", "不存在的公司", "--db", db).returncode == 1


def test_history_matches_the_results(register_10k):
    db, results, _ = register_10k
    conn = connect(db)
    for result in results[::250]:
        (row,) = history(conn, result["case_id"])
        assert (row["as_of"], row["grade"], row["major"]) == (
            result["as_of"],
            result["grade"],
            result["summary"]["major"],
        )


def test_due_matches_the_evaluator_at_the_planning_date(register_10k):
    """Oracle: evaluate each certified case again with as_of = the planning day; the register's
    planning list must agree with the evaluator's surveillance state at that date."""
    db, _, cases = register_10k
    pack = load_pack()
    planned = {row["number"]: row["kind"] for row in due(connect(db), PLAN_DAY, 60)}
    kinds = {
        "due_soon": "surveillance_due",
        "overdue": "surveillance_overdue",
        "extended": "extension_running",
        "extension_expired": "extension_expired",
    }
    checked = 0
    for line in cases.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if "certificate" not in doc or doc["certificate"]["status"] not in ("valid", "suspended"):
            continue
        if dt.date.fromisoformat(doc["as_of"]) > PLAN_DAY:
            continue
        try:
            case, case_pack = build_case(doc, doc["case_id"], as_of=PLAN_DAY)
        except Exception:  # the batch rejected it too
            continue
        timeline = run(case, case_pack, "python").derived.timeline
        assert timeline is not None
        number = doc["certificate"]["number"]
        if timeline.state == "not_applicable":
            expected = "expired"
        elif timeline.state == "recertification_due":
            window = dt.timedelta(days=pack.integer("recert_window_days"))
            expected = (
                "recertification_due"
                if case.certificate.valid_until - window <= PLAN_DAY + dt.timedelta(days=60)
                else None
            )
        else:
            expected = kinds.get(timeline.state)
        assert planned.get(number) == expected, (number, timeline.state)
        checked += 1
    assert checked > 3000


def test_due_lists_by_date_in_every_format(register_10k):
    db, _, _ = register_10k
    rows = json.loads(
        run_cli("register", "due", "--as-of", PLAN_DAY.isoformat(), "--format", "json", "--db", db).stdout
    )
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows) and len(rows) > 100
    csv_text = run_cli(
        "register", "due", "--as-of", PLAN_DAY.isoformat(), "--format", "csv", "--db", db
    ).stdout
    assert csv_text.startswith("\ufeffdate,kind,number") and len(csv_text.splitlines()) == len(rows) + 1


def test_recording_twice_changes_nothing(tmp_path):
    db = tmp_path / "r.db"
    for _ in range(2):
        assert (
            run_cli("evaluate", EXAMPLES / "hz-initial-three-star.yaml", "--record", "--db", db).returncode
            == 0
        )
    assert count(db, "evaluations") == 1 and count(db, "findings") == 4


def test_a_corrected_case_is_a_new_version_beside_the_old_one(tmp_path, case_file):
    """Append-only (SPEC §10): the earlier evaluation stays; the certificate projection follows
    the corrected one."""
    db = tmp_path / "r.db"
    text = base_text("initial")
    run_cli("evaluate", case_file(text), "--record", "--db", db)
    corrected = text.replace("trained_managers: 2", "trained_managers: 0")  # same case_id, pack and as_of
    run_cli("evaluate", case_file(corrected), "--record", "--db", db)
    assert count(db, "evaluations") == 2 and count(db, "case_versions") == 2
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT e.major, v.version, v.why FROM evaluations e JOIN case_versions v ON v.id = e.version_id"
            " ORDER BY e.id"
        ).fetchall()
    assert rows == [(0, 1, "record"), (1, 2, "record")]


def test_history_diff_shows_findings_added_and_closed(tmp_path):
    db = tmp_path / "r.db"
    case = EXAMPLES / "nj-surveillance-overdue.yaml"
    run_cli("evaluate", case, "--record", "--db", db)
    run_cli("evaluate", case, "--as-of", "2027-04-01", "--record", "--db", db)
    result = run_cli("register", "history", "NJ-2024-0311", "--diff", "--db", db)
    assert result.returncode == 0
    assert "+ major CERT-EXPIRED" in result.stdout and "- major SURV-OVERDUE" in result.stdout
    by_code = run_cli("register", "history", "91320104MA27X6B1N0", "--db", db).stdout
    assert by_code.count("NJ-2024-0311") == 2


def test_history_prints_a_whole_score_as_evaluate_does(tmp_path, case_file):
    db = tmp_path / "r.db"
    case = case_file(base_text("initial"))
    assert "评分：85 →" in run_cli("evaluate", case, "--record", "--db", db).stdout
    history = run_cli("register", "history", "FX-INITIAL", "--db", db, "--format", "json").stdout
    assert '"score": 85,' in history or '"score": 85}' in history


def test_bad_cases_are_never_recorded(tmp_path, case_file):
    db = tmp_path / "r.db"
    bad = case_file(base_text("initial").replace("stage: initial", "stage: nope"))
    run_cli(
        "batch",
        bad,
        EXAMPLES / "xm-application-eligible.yaml",
        "--out",
        tmp_path / "out",
        "--record",
        "--db",
        db,
    )
    assert count(db, "evaluations") == 1


def test_a_failing_write_leaves_nothing_half_recorded(tmp_path):
    db = tmp_path / "r.db"
    pack = load_pack()
    case, _ = build_case(synthetic_case(3, pack), "x")
    good = register_record(run(case, pack, "python"))
    broken = dict(good, case_id="OTHER", findings=[("too", "few", "columns")])
    with pytest.raises(sqlite3.Error):
        write_records(connect(db), [good, broken])
    assert count(db, "evaluations") == 0 and count(db, "findings") == 0


def test_two_processes_recording_at_once(tmp_path):
    db = tmp_path / "r.db"
    pack = load_pack()
    inputs = []
    for part in range(2):
        path = tmp_path / f"part{part}.jsonl"
        docs = [synthetic_case(part * 1000 + seed, pack) for seed in range(600)]
        path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n", encoding="utf-8")
        inputs.append(path)
    processes = [
        subprocess.Popen(
            [
                CERTEVAL,
                "batch",
                str(path),
                "--out",
                str(tmp_path / f"out{n}"),
                "--record",
                "--db",
                str(db),
                "--jobs",
                "1",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, path in enumerate(inputs)
    ]
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert b"locked" not in err and TRACEBACK.encode() not in err, err
    expected = sum(
        len((tmp_path / f"out{n}" / "results.jsonl").read_text(encoding="utf-8").splitlines())
        for n in range(2)
    )
    assert count(db, "evaluations") == expected
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _open_register(path: str, failures: Any) -> None:
    try:
        connect(Path(path)).close()
    except Exception as error:  # reported to the parent, which asserts there were none
        failures.put(repr(error))


def test_processes_opening_one_new_register_at_once_all_succeed(tmp_path):
    """Races on a new file: the WAL switch, and the check that the file is ours, which once read
    user_version and the table list in two snapshots and called a register being migrated foreign
    (about 3 % of openings failed before each fix)."""
    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for round_ in range(100):
        path = str(tmp_path / f"r{round_}.db")
        processes = [context.Process(target=_open_register, args=(path, failures)) for _ in range(4)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
    problems = []
    while not failures.empty():
        problems.append(failures.get())
    assert problems == []


def test_opening_a_new_register_waits_for_a_writer_instead_of_failing(tmp_path):
    """Switching a new file to WAL gets SQLITE_BUSY at once, without SQLite's busy handler, while
    another process writes to it (CI saw `database is locked` from two batches starting together)."""
    db = tmp_path / "r.db"
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # as another certeval's migration holds a new register
    for number, script in enumerate(store.MIGRATIONS, start=1):
        for statement in store._statements(script):
            writer.execute(statement)
        writer.execute(f"PRAGMA user_version = {number}")
    writer.execute(f"PRAGMA application_id = {store.APPLICATION_ID}")
    release = threading.Timer(0.3, writer.execute, ("COMMIT",))
    release.start()
    try:
        conn = connect(db)
    finally:
        release.join()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    conn.close()
    writer.close()


def test_db_from_the_environment(tmp_path):
    import os

    db = tmp_path / "env.db"
    env = {**os.environ, "CERTEVAL_DB": str(db)}
    subprocess.run(
        [CERTEVAL, "evaluate", str(EXAMPLES / "cq-surveillance-extended.yaml"), "--record"],
        env=env,
        check=False,
        capture_output=True,
    )
    assert count(db, "certificates") == 1


def test_a_register_from_a_newer_certeval_is_refused(tmp_path):
    db = tmp_path / "r.db"
    connect(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")
    result = run_cli("register", "due", "--db", db)
    assert result.returncode != 0 and "newer certeval" in result.stderr


@pytest.mark.parametrize(
    "query", [("lookup", "--org", "杭州"), ("history", "HZ-2026-0301"), ("due",)], ids=lambda q: q[0]
)
def test_a_query_on_a_missing_register_is_refused_and_creates_nothing(tmp_path, query):
    db = tmp_path / "typo" / "certeval.db"
    result = run_cli("register", *query, "--db", db)
    assert result.returncode == 2 and f"no register at {db}" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_a_file_that_is_not_a_register_is_bad_input(tmp_path):
    not_sqlite = tmp_path / "case.db"
    not_sqlite.write_text("case_id: X\n", encoding="utf-8")
    result = run_cli("evaluate", EXAMPLES / "cq-surveillance-extended.yaml", "--record", "--db", not_sqlite)
    assert result.returncode == 2 and "cannot be used as a register: file is not a database" in result.stderr
    assert TRACEBACK not in result.stderr


def test_another_programs_sqlite_file_is_left_untouched(tmp_path):
    foreign = tmp_path / "crm.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    before = foreign.read_bytes()
    result = run_cli("register", "due", "--db", foreign)
    assert result.returncode == 2 and "not a certeval register" in result.stderr
    assert foreign.read_bytes() == before  # not switched to WAL, no tables added


def test_a_register_held_past_the_busy_timeout_says_so(tmp_path, monkeypatch):
    from evaluator.base.errors import UsageError
    from evaluator.register import store

    db = tmp_path / "r.db"
    connect(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.2)
    with pytest.raises(UsageError, match=r"the register is busy: another process has held it for over 0\.2"):
        connect(db)
    holder.execute("ROLLBACK")
    holder.close()
