"""The register as the system of record (issue 16, SPEC §10): case versions, append-only, the
migration from release 1, and files that are not ours left untouched."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from helpers import EXAMPLES, REPO, TRACEBACK, run_cli

from evaluator.register import connect, store

# Written by `certeval batch examples --record` of the release before case versions (schema 1).
RELEASE_1 = REPO / "tests" / "data" / "release1-register.db"
LOGGED = ("case_versions", "evaluations", "findings")


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in LOGGED}


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_a_release_1_register_migrates_keeping_every_row(tmp_path):
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_1, db)
    with sqlite3.connect(db) as conn:
        before = {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("evaluations", "findings", "certificates", "organizations")
        }
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0
    connect(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(store.MIGRATIONS)
        assert conn.execute("PRAGMA application_id").fetchone()[0] == store.APPLICATION_ID
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        after = conn.execute("SELECT * FROM evaluations ORDER BY 1").fetchall()
        # each row kept; its version null, off the worklist
        assert [tuple(row[:-2]) for row in after] == before["evaluations"]
        assert {tuple(row[-2:]) for row in after} == {(None, 0)}
        assert conn.execute("SELECT * FROM findings ORDER BY 1, 2").fetchall() == before["findings"]
        certificates = conn.execute("SELECT * FROM certificates ORDER BY 1").fetchall()
        assert [row[:-1] for row in certificates] == before["certificates"]  # and each learnt its case
        assert [row[-1] for row in certificates] == [
            conn.execute("SELECT case_id FROM evaluations WHERE id = ?", (row[13],)).fetchone()[0]
            for row in certificates
        ]
        cases = conn.execute("SELECT case_id, evaluation_id FROM cases ORDER BY 1").fetchall()
        assert (
            cases
            == conn.execute("SELECT case_id, max(id) FROM evaluations GROUP BY case_id ORDER BY 1").fetchall()
        )
        organizations = conn.execute("SELECT id, credit_code, name, name_en FROM organizations ORDER BY 1")
        assert [(*row[:3], None) for row in before["organizations"]] == organizations.fetchall()
    # and it goes on working: the queries answer, a new record adds a version
    assert "FW-NJ-2024-0311" in run_cli("register", "due", "--as-of", "2026-12-01", "--db", db).stdout
    run_cli(
        "evaluate", EXAMPLES / "nj-surveillance-overdue.yaml", "--as-of", "2026-12-01", "--record", "--db", db
    )
    assert counts(db)["case_versions"] == 1


@pytest.mark.parametrize("user_version", [1, 3])
def test_another_programs_sqlite_file_is_refused_untouched(tmp_path, user_version):
    app = tmp_path / "app.db"
    with sqlite3.connect(app) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.execute(f"PRAGMA user_version = {user_version}")
    before = md5(app)
    for command in (
        ("evaluate", EXAMPLES / "cq-surveillance-extended.yaml", "--record"),
        ("register", "import", EXAMPLES),
        ("register", "due"),
    ):
        result = run_cli(*command, "--db", app)
        assert result.returncode == 2, result.stderr
        assert "not a certeval register" in result.stderr and TRACEBACK not in result.stderr
        assert md5(app) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]  # no -wal, no -shm


def test_a_file_with_release_1_tables_plus_others_is_not_ours(tmp_path):
    db = tmp_path / "r.db"
    shutil.copy(RELEASE_1, db)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE extra (x)")
    before = md5(db)
    assert run_cli("register", "due", "--db", db).returncode == 2
    assert md5(db) == before


def test_dev_null_says_what_is_wrong_with_the_path():
    result = run_cli("evaluate", EXAMPLES / "cq-surveillance-extended.yaml", "--record", "--db", "/dev/null")
    assert result.returncode == 2
    assert "/dev/null cannot be used as a register: it is not a regular file" in result.stderr
    assert "rollback" not in result.stderr


def test_import_export_round_trip_and_identical_content_is_a_no_op(tmp_path):
    db = tmp_path / "r.db"
    first = run_cli("register", "import", EXAMPLES, "--db", db)
    assert first.returncode == 0 and first.stdout.count("(new version)") == len(list(EXAMPLES.glob("*.yaml")))
    grown = counts(db)
    again = run_cli("register", "import", EXAMPLES, "--db", db)
    assert again.stdout.count("(unchanged)") == len(list(EXAMPLES.glob("*.yaml")))
    assert counts(db) == grown
    exported = tmp_path / "nj.yaml"
    assert run_cli("register", "export", "NJ-2024-0311", "-o", exported, "--db", db).returncode == 0
    original = yaml.safe_load((EXAMPLES / "nj-surveillance-overdue.yaml").read_text(encoding="utf-8"))
    assert yaml.safe_load(exported.read_text(encoding="utf-8"))["organization"] == original["organization"]
    # the exported file is the same content: importing it adds nothing
    assert "(unchanged)" in run_cli("register", "import", exported, "--db", db).stdout
    assert run_cli("register", "export", "NO-SUCH", "--db", db).returncode == 2


def test_versions_and_their_diff(tmp_path):
    db = tmp_path / "r.db"
    case = EXAMPLES / "nj-surveillance-overdue.yaml"
    run_cli("register", "import", case, "--db", db)
    later = tmp_path / "nj-later.yaml"
    later.write_text(
        case.read_text(encoding="utf-8").replace("as_of: 2026-05-06", "as_of: 2027-04-01"), "utf-8"
    )
    run_cli("evaluate", later, "--record", "--db", db)
    listing = run_cli("register", "versions", "NJ-2024-0311", "--format", "json", "--db", db)
    import json

    rows = json.loads(listing.stdout)
    assert [(r["version"], r["why"], r["evaluations"]) for r in rows] == [(1, "import", 1), (2, "record", 1)]
    assert all(r["by"].startswith("cli:") for r in rows)
    diff = run_cli("register", "versions", "NJ-2024-0311", "--diff", "1", "2", "--db", db).stdout
    assert "-as_of: '2026-05-06'" in diff and "+as_of: '2027-04-01'" in diff
    assert "+ major CERT-EXPIRED" in diff and "- major SURV-OVERDUE" in diff
    assert run_cli("register", "versions", "NJ-2024-0311", "--diff", "1", "7", "--db", db).returncode == 2


def test_a_bad_file_in_an_import_writes_nothing(tmp_path):
    db = tmp_path / "r.db"
    bad = tmp_path / "cases" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("case_id: X\nstage: nope\n", encoding="utf-8")
    shutil.copy(EXAMPLES / "hz-initial-three-star.yaml", bad.parent)
    result = run_cli("register", "import", bad.parent, "--db", db)
    assert result.returncode == 2 and "bad.yaml" in result.stderr
    assert counts(db) == {t: 0 for t in LOGGED}


def test_every_write_path_only_grows_the_log(tmp_path):
    """import, re-import, evaluate --record, batch --record, a corrected case: each count only
    grows; and the database itself refuses an update or delete of a logged row."""
    db = tmp_path / "r.db"
    case = EXAMPLES / "nj-surveillance-overdue.yaml"
    corrected = tmp_path / "nj.yaml"
    corrected.write_text(
        case.read_text(encoding="utf-8").replace("设备有限公司", "设备股份有限公司"), "utf-8"
    )
    writes = [
        ("register", "import", EXAMPLES),
        ("register", "import", EXAMPLES),
        ("evaluate", case, "--record"),
        ("evaluate", case, "--as-of", "2027-04-01", "--record"),
        ("evaluate", corrected, "--record"),
        ("batch", EXAMPLES, "--out", tmp_path / "out", "--record"),
    ]
    seen = {t: 0 for t in LOGGED}
    for command in writes:
        result = run_cli(*command, "--db", db)
        assert result.returncode in (0, 1, 2) and TRACEBACK not in result.stderr
        now = counts(db)
        assert all(now[t] >= seen[t] for t in LOGGED), (command, seen, now)
        seen = now
    assert seen["case_versions"] > len(list(EXAMPLES.glob("*.yaml")))
    conn = connect(db)
    for statement in (
        "UPDATE case_versions SET content = '{}'",
        "DELETE FROM case_versions",
        "UPDATE evaluations SET grade = 'x'",
        "DELETE FROM evaluations",
        "UPDATE findings SET rule = 'x'",
        "DELETE FROM findings",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert counts(db) == seen
