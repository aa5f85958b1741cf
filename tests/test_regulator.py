"""Exports for the regulator and for IAF CertSearch (SPEC §9), from a register built by batch."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from helpers import EXAMPLES, REPO, TRACEBACK, run_cli

from evaluator.maintain.synthetic import synthetic_case
from evaluator.packs import load_pack
from evaluator.regulator.certsearch import neutralised
from evaluator.regulator.mapping import load_mapping


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register holding the examples and 1,000 generated cases, recorded by `batch --record`."""
    root = tmp_path_factory.mktemp("register")
    cases = root / "synthetic.jsonl"
    pack = load_pack("gbt27922-2011")
    cases.write_text(
        "".join(json.dumps(synthetic_case(seed, pack), ensure_ascii=False) + "\n" for seed in range(1000)),
        encoding="utf-8",
    )
    db = root / "register.db"
    done = run_cli(
        "batch", EXAMPLES, cases, "--out", root / "out", "--jobs", "2", "--record", "--db", db, timeout=600
    )
    assert done.returncode in (0, 1), done.stderr
    return db


def months(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [m for (m,) in conn.execute("SELECT DISTINCT substr(as_of, 1, 7) FROM evaluations ORDER BY 1")]


def test_every_month_of_the_register_passes_the_lint(register: Path, tmp_path: Path):
    mapping = load_mapping()
    found = months(register)
    assert len(found) > 1
    total = 0
    for month in found:
        done = run_cli(
            "register", "cnca", "--month", month, "-o", tmp_path, "--db", register, "--body-id", "EXCB"
        )
        assert done.returncode == 0, done.stderr
        wb = openpyxl.load_workbook(tmp_path / f"EXCB-{month}-cnca.xlsx")
        assert wb.sheetnames == ["审核计划信息表", "证书信息表", "审核结果信息表"]
        for sheet in mapping.sheets:
            assert [c.value for c in wb[sheet.name][1]] == [c.header for c in sheet.columns]
        total += wb["审核计划信息表"].max_row - 1
    with sqlite3.connect(register) as conn:
        assert total == conn.execute("SELECT count(*) FROM evaluations").fetchone()[0] >= 1000


def test_a_row_that_fails_the_lint_is_reported_and_nothing_written(register: Path, tmp_path: Path):
    db = tmp_path / "copy.db"
    db.write_bytes(register.read_bytes())
    with sqlite3.connect(db) as conn:
        # a month with two certificates: one gets a bad name, the other's result a bad code
        month, number = conn.execute(
            "SELECT substr(as_of, 1, 7) AS month, min(certificate_number) FROM evaluations"
            " WHERE certificate_number IS NOT NULL GROUP BY month"
            " HAVING count(DISTINCT certificate_number) >= 2 ORDER BY month LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE certificates SET org_name = org_name || ' ' WHERE number = ?", (number,))
        # a register damaged by hand: certeval itself never updates an evaluation (append-only)
        conn.execute("DROP TRIGGER evaluations_append_only_u")
        conn.execute(
            "UPDATE evaluations SET certificate_number = lower(certificate_number) WHERE id = "
            "(SELECT max(id) FROM evaluations WHERE substr(as_of, 1, 7) = ?"
            " AND certificate_number IS NOT NULL AND certificate_number != ?)",
            (month, number),
        )
    out = tmp_path / "out"
    done = run_cli("register", "cnca", "--month", month, "-o", out, "--db", db)
    assert done.returncode == 2 and TRACEBACK not in done.stderr and not out.exists()
    assert "证书信息表!B" in done.stderr and "spaces before or after the text" in done.stderr
    assert "a code must be upper case, without spaces" in done.stderr
    assert "审核结果信息表!B" in done.stderr and "has no row in 证书信息表" in done.stderr


def test_a_bad_mapping_file_is_bad_input(register: Path, tmp_path: Path):
    mapping = tmp_path / "columns.yaml"
    text = (Path(load_mapping.__code__.co_filename).parent / "cnca-columns.yaml").read_text(encoding="utf-8")
    mapping.write_text(text.replace("field: scheme", "field: schema", 1), encoding="utf-8")
    done = run_cli(
        "register", "cnca", "--month", "2026-11", "-o", tmp_path, "--db", register, "--mapping", mapping
    )
    assert done.returncode == 2 and "schema" in done.stderr and TRACEBACK not in done.stderr


def test_the_body_profile_gives_the_body_id_and_its_cnca_columns(register: Path, tmp_path: Path):
    """`--body` names the file (its id) and, by its `cnca_columns`, the regulator's columns; an
    explicit --body-id / --mapping still wins."""
    profile_dir = tmp_path / "body"
    shutil.copytree(REPO / "profiles" / "example", profile_dir)
    shipped = (Path(load_mapping.__code__.co_filename).parent / "cnca-columns.yaml").read_text(
        encoding="utf-8"
    )
    first = load_mapping().sheets[0].columns[0].header
    (profile_dir / "columns.yaml").write_text(
        shipped.replace(first, first + "（本机构）", 1), encoding="utf-8"
    )
    with (profile_dir / "body.yaml").open("a", encoding="utf-8") as profile:
        profile.write("cnca_columns: columns.yaml\n")
    month = months(register)[0]
    base = ("register", "cnca", "--month", month, "--db", register, "--body", profile_dir / "body.yaml")
    assert run_cli(*base, "-o", tmp_path / "a").returncode == 0
    sheet = openpyxl.load_workbook(tmp_path / "a" / f"EXCB-{month}-cnca.xlsx").worksheets[0]
    assert sheet["A1"].value == first + "（本机构）"
    assert run_cli(*base, "-o", tmp_path / "b", "--body-id", "OTHER").returncode == 0
    assert (tmp_path / "b" / f"OTHER-{month}-cnca.xlsx").exists()


def test_certsearch_statuses_and_formula_injection(register: Path, tmp_path: Path):
    db = tmp_path / "copy.db"
    db.write_bytes(register.read_bytes())
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE certificates SET org_name = '=HYPERLINK(\"x\")' WHERE number = 'FW-NJ-2024-0311'"
        )
    out = tmp_path / "certs.csv"
    assert run_cli("register", "certsearch", "--as-of", "2026-11-30", "-o", out, "--db", db).returncode == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["Certification Status"] for r in rows} <= {"active", "suspended", "withdrawn", "expired"}
    nj = next(r for r in rows if r["Certificate Number"] == "FW-NJ-2024-0311")
    assert (
        nj["Certified Entity Name"] == '\'=HYPERLINK("x")' and nj["Certification Expiry Date"] == "20270310"
    )
    later = tmp_path / "later.csv"
    assert run_cli("register", "certsearch", "--as-of", "2027-03-11", "-o", later, "--db", db).returncode == 0
    assert (
        next(
            r
            for r in csv.DictReader(later.open(encoding="utf-8"))
            if r["Certificate Number"] == "FW-NJ-2024-0311"
        )["Certification Status"]
        == "expired"
    )


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(text: str):
    assert neutralised(text) == "'" + text
    assert neutralised("杭州") == "杭州"
