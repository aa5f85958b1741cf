"""The register and the workbench at scale (issue 16, SPEC §11): a register of 100,000
evaluations (20,000 certificates x 5 versions), then the dashboard's queries, a case page's
server time and search, each the median of several runs, with SQLite's query plans.

    .venv/bin/python benchmarks/register_web.py [--certificates 20000] [--versions 5] [--db FILE]

Rows are written through the register's own writer (`record_all`), from real evaluations of
`evaluator.maintain.synthetic` cases: each certificate copies one of 200 evaluated templates
under its own case id, certificate number, credit code and organisation name, and each of its
versions moves as_of on by 30 days, so the rows have the shapes real ones have (content,
result JSON, findings).  Not a test: no timed assertion anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from evaluator import load_pack
from evaluator.api import evaluate_full
from evaluator.maintain.synthetic import synthetic_case
from evaluator.register import connect, due, nonconformities, record_all, register_record, search, worklist
from evaluator.register.queries import CERTIFICATES
from evaluator.web import create_app

TEMPLATES = 200
PLAN_DAY = dt.date(2026, 12, 1)


def templates(pack: Any) -> list[dict[str, Any]]:
    """Real records of synthetic certified cases (a certificate makes them dashboard rows)."""
    records, seed = [], 0
    while len(records) < TEMPLATES:
        document = synthetic_case(seed, pack)
        seed += 1
        if not document.get("certificate"):
            continue
        try:
            records.append(register_record(evaluate_full(document, engine="python")))
        except Exception:  # a generated case that does not validate: take the next seed
            continue
    return records


def clone(template: dict[str, Any], i: int, version: int) -> dict[str, Any]:
    """The template as certificate i, version `version`."""
    case_id, number = template["case_id"], template["certificate"]["number"]
    new_id, new_number, new_code = f"BENCH-{i:06d}", f"FW-BENCH-{i:06d}", f"91{i:016d}"
    as_of = (dt.date.fromisoformat(template["as_of"]) + dt.timedelta(days=30 * version)).isoformat()

    def swap(text: str) -> str:
        text = text.replace(case_id, new_id).replace(
            number, new_number
        )  # the credit code keeps its check digit
        return text.replace(f'"as_of":"{template["as_of"]}"', f'"as_of":"{as_of}"')

    record = dict(template)
    record.update(
        case_id=new_id,
        credit_code=new_code,
        org_name=f"{template['org_name']}{i}",
        as_of=as_of,
        content=swap(template["content"]),
        result_json=swap(template["result_json"]),
        case_sha256=f"{i:032d}{version:032d}",
        certificate={**template["certificate"], "number": new_number},
    )
    return record


def build(db: Path, certificates: int, versions: int) -> float:
    pack = load_pack()
    started = time.perf_counter()
    base = templates(pack)
    conn = connect(db)
    for version in range(versions):
        batch = [clone(base[i % len(base)], i, version) for i in range(certificates)]
        for start in range(0, len(batch), 2000):
            record_all(conn, batch[start : start + 2000], by="bench", why="import")
        print(f"  version {version + 1}: {certificates} certificates", file=sys.stderr)
    conn.close()
    return time.perf_counter() - started


def median_ms(function: Any, runs: int) -> tuple[float, Any]:
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


def plans(conn: Any) -> dict[str, list[str]]:
    queries = {
        "worklist: latest results marked": "SELECT e.case_id FROM evaluations e JOIN cases k"
        " ON k.case_id = e.case_id AND k.evaluation_id = e.id WHERE e.on_worklist = 1",
        "case page: latest evaluation": "SELECT e.*, v.version FROM evaluations e LEFT JOIN case_versions v"
        " ON v.id = e.version_id WHERE e.case_id = 'BENCH-000001' ORDER BY e.id DESC LIMIT 1",
        "case page: versions": "SELECT v.version, count(e.id) FROM case_versions v LEFT JOIN evaluations e"
        " ON e.version_id = v.id WHERE v.case_id = 'BENCH-000001' GROUP BY v.id",
        "certificates due": CERTIFICATES + " WHERE c.status IN ('valid', 'suspended')",
    }
    return {
        name: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]
        for name, sql in queries.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--certificates", type=int, default=20_000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, default=Path("bench-register.db"))
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db without building it")
    args = parser.parse_args()
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        print(f"building {args.certificates} x {args.versions} evaluations …", file=sys.stderr)
        built = build(args.db, args.certificates, args.versions)
        print(f"built in {built:.0f} s", file=sys.stderr)
    conn = connect(args.db)
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("evaluations", "case_versions")
    }
    client = TestClient(create_app(args.db, as_of=PLAN_DAY))
    results = {}
    due(conn, PLAN_DAY, 60), client.get("/cases/BENCH-000001")  # warm: packs loaded, templates compiled
    results["dashboard: due query (ms)"], plan = median_ms(lambda: due(conn, PLAN_DAY, 60), args.runs)
    results["dashboard: worklist query, every entry (ms)"], work = median_ms(
        lambda: worklist(conn), args.runs
    )
    results["register ncs query, every item on the day (ms)"], items = median_ms(
        lambda: nonconformities(conn, PLAN_DAY), args.runs
    )
    results["register ncs --overdue query (ms)"], _ = median_ms(
        lambda: nonconformities(conn, PLAN_DAY, overdue_only=True), args.runs
    )
    results["dashboard page, server (ms)"], _ = median_ms(lambda: client.get("/"), args.runs)
    results["case page, server (ms)"], _ = median_ms(lambda: client.get("/cases/BENCH-012345"), args.runs)
    results["search query, name substring (ms)"], hits = median_ms(
        lambda: search(conn, "有限公司1234"), args.runs
    )
    results["search query, certificate number (ms)"], _ = median_ms(
        lambda: search(conn, "FW-BENCH-0199"), args.runs
    )
    results["search page, server (ms)"], _ = median_ms(lambda: client.get("/search?q=BENCH-01999"), args.runs)
    report = {
        "rows": counts,
        "due rows": len(plan),
        "worklist entries": {name: len(entries) for name, entries in work.items()},
        "nc items on the day": len(items),
        "search hits": len(hits),
        "medians": {k: round(v, 1) for k, v in results.items()},
        "plans": plans(conn),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
