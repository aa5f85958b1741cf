"""The register's projections for the dashboard and `register ncs` (issue 18) give what
recomputing from the case documents and results gives: on every day around every date an item's
state can change, over the examples and generated cases."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from helpers import EXAMPLES

from evaluator import load_pack
from evaluator.api import evaluate_full
from evaluator.case.loader import build_case
from evaluator.facts.lifecycle import item_json, pack_dues, tracked_items
from evaluator.maintain.synthetic import synthetic_case
from evaluator.register import (
    connect,
    due,
    import_cases,
    nonconformities,
    record_all,
    register_record,
    worklist,
)
from evaluator.register.projections import rebuild, work_rows
from evaluator.register.queries import _recert_window, due_plan, worklist_totals

GENERATED = 60  # generated cases with lifecycle items, besides the examples


def _generated() -> list[dict]:
    pack, documents, seed = load_pack(), [], 0
    while len(documents) < GENERATED:
        document = synthetic_case(seed, pack)
        seed += 1
        evaluation = document.get("evaluation") or {}
        if evaluation.get("nonconformities") or evaluation.get("special_deductions"):
            documents.append(document)
    return documents


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    conn = connect(tmp_path_factory.mktemp("projections") / "register.db")
    import_cases(conn, [EXAMPLES])
    records = []
    for document in _generated():
        try:
            records.append(register_record(evaluate_full(document, engine="python")))
        except Exception:  # a generated case that does not validate: not a register's case
            continue
    record_all(conn, records, by="test", why="import")
    return conn


def _latest(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        """SELECT k.case_id, e.org_name, e.as_of, e.pack_id, e.result_json, v.content
           FROM cases k JOIN evaluations e ON e.id = k.evaluation_id
           JOIN case_versions v ON v.id = e.version_id ORDER BY k.case_id"""
    ).fetchall()


def _recomputed(conn: sqlite3.Connection, day: dt.date) -> list[dict]:
    """What `register ncs` computed before the projection: each latest case document checked at
    its own as_of, the lifecycle applied on `day`."""
    listed = []
    for row, case, pack in _built(conn):
        if case.evaluation is None or case.evaluation.date > day:
            continue
        for item in tracked_items(case.evaluation, day, pack_dues(pack.integer)):
            listed.append({"case_id": row["case_id"], "organization": row["org_name"], **item_json(item)})
    return listed


_BUILT: dict[int, list] = {}


def _built(conn: sqlite3.Connection) -> list:
    """The latest case documents, checked once (the lifecycle is what is recomputed per day)."""
    if id(conn) not in _BUILT:
        _BUILT[id(conn)] = [
            (row, *build_case(json.loads(row["content"]), row["case_id"], pack_ref=row["pack_id"]))
            for row in _latest(conn)
        ]
    return _BUILT[id(conn)]


def _days(conn: sqlite3.Connection) -> list[dt.date]:
    """Each date an item's state may change on, and the days either side of it."""
    dates: set[str] = set()
    for row in _latest(conn):
        for item in json.loads(row["result_json"]).get("nonconformities") or []:
            dates.update(
                item[k] for k in ("respond_by", "responded_on", "verify_by", "verified_on") if item[k]
            )
        evaluation = json.loads(row["content"]).get("evaluation") or {}
        dates.add(str(evaluation.get("date")))
        for key in ("nonconformities", "special_deductions"):
            for entry in evaluation.get(key) or []:
                dates.update(str(r["received_on"]) for r in entry.get("responses") or [])
                dates.update(str(v["date"]) for v in entry.get("verifications") or [])
    days = {dt.date.fromisoformat(d) + dt.timedelta(days=s) for d in dates if d != "None" for s in (-1, 0, 1)}
    return sorted(days)


def test_the_nc_projection_equals_the_recomputation_on_every_day_that_matters(register):
    days = _days(register)
    assert len(days) > 100
    compared = 0
    for day in days:
        expected = _recomputed(register, day)
        assert nonconformities(register, day) == expected, day
        assert nonconformities(register, day, open_only=True) == [
            e for e in expected if e["state"] != "closed"
        ]
        assert nonconformities(register, day, overdue_only=True) == [e for e in expected if e["overdue"]]
        compared += len(expected)
    assert compared > 1000  # items in every state were compared, not empty lists
    states = {e["state"] for day in days[::7] for e in nonconformities(register, day)}
    assert states == {"open", "responded", "rejected", "closed"}


def test_the_worklist_projection_equals_the_results(register):
    """The dashboard's lists as computed before, from each case's latest result."""
    lists: dict[str, list] = {
        "nc_open": [],
        "nc_overdue": [],
        "verifications_due": [],
        "decisions_waiting": [],
    }
    for row in _latest(register):
        result = json.loads(row["result_json"])
        for name, _, _, entry in work_rows(row["case_id"], row["org_name"], row["as_of"], result):
            lists[name].append(json.loads(entry))
    lists["verifications_due"].sort(key=lambda e: (e.get("verify_by") or "", e["case_id"]))
    assert worklist(register) == lists
    assert all(lists.values())
    assert worklist(register, limit=3) == {name: entries[:3] for name, entries in lists.items()}
    assert worklist_totals(register) == {name: len(entries) for name, entries in lists.items()}


def test_rebuilding_from_the_log_gives_the_same_projections(register):
    def tables() -> tuple[list, list]:
        return (
            [
                tuple(r)
                for r in register.execute("SELECT * FROM nc_periods ORDER BY case_id, position, start")
            ],
            [
                tuple(r)
                for r in register.execute("SELECT * FROM worklist ORDER BY list, sort_key, case_id, position")
            ],
        )

    written = tables()
    register.execute("BEGIN IMMEDIATE")
    try:
        assert rebuild(register) == register.execute("SELECT count(*) FROM cases").fetchone()[0]
        rebuilt = tables()
    finally:
        register.execute("ROLLBACK")
    assert rebuilt == written and written[0] and written[1]


def _due_as_before(conn: sqlite3.Connection, day: dt.date, within: int) -> list[dict]:
    """The planning list as `register due` computed it in Python before the query did (main)."""
    horizon = day + dt.timedelta(days=within)
    rows = conn.execute(
        "SELECT c.*, o.credit_code FROM certificates c JOIN organizations o ON o.id = c.organization_id"
        " WHERE c.status IN ('valid', 'suspended')"
    )
    plan = []
    for r in rows:
        valid_until = dt.date.fromisoformat(r["valid_until"])
        due_by = dt.date.fromisoformat(r["due_by"]) if r["due_by"] else None
        extended = dt.date.fromisoformat(r["extended_until"]) if r["extended_until"] else None
        recert_from = valid_until - dt.timedelta(days=_recert_window(r["pack_id"]))
        if day > valid_until:
            kind, date = "expired", valid_until
        elif due_by is None or due_by >= recert_from:
            if recert_from > horizon:
                continue
            kind, date = "recertification_due", valid_until
        elif due_by > horizon:
            continue
        elif day <= due_by:
            kind, date = "surveillance_due", due_by
        elif extended is not None and day <= extended:
            kind, date = "extension_running", extended
        elif extended is not None:
            kind, date = "extension_expired", extended
        else:
            kind, date = "surveillance_overdue", due_by
        keys = ("number", "org_name", "credit_code", "grade", "status", "last_evaluation", "due_by")
        entry = {"date": date.isoformat(), "kind": kind, **{k: r[k] for k in keys}}
        entry["organization"] = entry.pop("org_name")
        entry.update({k: r[k] for k in ("extended_until", "valid_until", "case_id")})
        plan.append(entry)
    plan.sort(key=lambda p: (p["date"], p["number"]))
    return plan


def test_the_planning_query_lists_what_the_python_loop_listed(register):
    certificates = register.execute("SELECT count(*) FROM certificates").fetchone()[0]
    assert certificates > 20
    kinds = set()
    start = dt.date(2024, 1, 1)
    for offset in range(0, 1500, 9):
        day = start + dt.timedelta(days=offset)
        for within in (0, 60, 400):
            expected = _due_as_before(register, day, within)
            assert due(register, day, within) == expected, (day, within)
            assert due_plan(register, day, within, limit=5) == (expected[:5], len(expected))
            kinds.update(p["kind"] for p in expected)
    assert kinds >= {"expired", "recertification_due", "surveillance_due", "surveillance_overdue"}


def test_a_register_of_the_previous_schema_gains_the_projections(tmp_path: Path, register):
    """Migration 3 fills the projections from the log: the same lists as recording them."""
    from evaluator.register import store

    db = tmp_path / "old.db"
    old = sqlite3.connect(db, isolation_level=None)
    for number, script in enumerate(store.MIGRATIONS[:2], start=1):
        for statement in store._statements(script):
            old.execute(statement)
        old.execute(f"PRAGMA user_version = {number}")
    old.execute(f"PRAGMA application_id = {store.APPLICATION_ID}")
    old.close()
    # the rows of the register above, copied without their projections
    copy = sqlite3.connect(db, isolation_level=None)
    copy.execute("ATTACH ? AS new", (str(register.execute("PRAGMA database_list").fetchone()[2]),))
    for table in ("organizations", "case_versions", "evaluations", "findings", "certificates", "cases"):
        copy.execute(f"INSERT INTO {table} SELECT * FROM new.{table}")
    copy.execute("DETACH new")
    copy.close()
    migrated = connect(db)
    day = dt.date(2027, 7, 5)
    assert nonconformities(migrated, day) == nonconformities(register, day) != []
    assert worklist(migrated) == worklist(register)
