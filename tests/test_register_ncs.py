"""`certeval register ncs`: every nonconformity across the register, states recomputed on a date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers import EXAMPLES, run_cli

KEYS = ("id", "severity", "state", "respond_by", "verify_by", "overdue")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ncs") / "register.db"
    assert run_cli("register", "import", EXAMPLES, "--db", path).returncode == 0
    return path


def ncs(db: Path, *args: str) -> list[dict]:
    result = run_cli("register", "ncs", "--db", db, "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_key(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["case_id"], r["id"]): r for r in rows}


def test_the_list_at_each_cases_own_date_is_what_evaluate_reports(db):
    """The states come from the same lifecycle as `evaluate`: on a case's as_of they agree."""
    checked = 0
    for path in sorted(EXAMPLES.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        result = json.loads(run_cli("evaluate", path, "--format", "json").stdout)
        listed = [r for r in ncs(db, "--as-of", str(case["as_of"])) if r["case_id"] == case["case_id"]]
        expected = [{k: item[k] for k in KEYS} for item in result["nonconformities"]]
        assert [{k: r[k] for k in KEYS} for r in listed] == expected
        checked += len(expected)
    assert checked >= 6


def test_states_are_recomputed_as_of_the_date_asked(db):
    early = by_key(ncs(db, "--as-of", "2027-03-22"))
    late = by_key(ncs(db, "--as-of", "2027-06-15"))
    # the major item's reply was due 2027-04-09: not overdue on 03-22, overdue on 06-15
    assert early[("HZ-2027-0312", "NC-1")]["overdue"] is False
    assert late[("HZ-2027-0312", "NC-1")]["overdue"] is True
    # a reply received 2027-07-01 and accepted 2027-07-12: responded in between, closed after;
    # before the evaluation of 2027-06-21 the item does not exist yet
    assert ("WH-2027-0708", "NC-1") not in late
    between = by_key(ncs(db, "--as-of", "2027-07-05"))[("WH-2027-0708", "NC-1")]
    assert (between["state"], between["verify_by"]) == ("responded", "2027-07-31")
    assert by_key(ncs(db, "--as-of", "2027-07-12"))[("WH-2027-0708", "NC-1")]["state"] == "closed"


def test_open_and_overdue_filter(db):
    every = ncs(db, "--as-of", "2027-07-12")
    still_open = ncs(db, "--as-of", "2027-07-12", "--open")
    overdue = ncs(db, "--as-of", "2027-07-12", "--overdue")
    assert still_open == [r for r in every if r["state"] != "closed"]
    assert overdue == [r for r in every if r["overdue"]]
    assert ("WH-2027-0708", "NC-1") in by_key(every) and ("WH-2027-0708", "NC-1") not in by_key(still_open)
    assert ("CD-2027-0226", "NC-1") in by_key(overdue) and ("CD-2027-0226", "NC-2") not in by_key(overdue)


def test_table_and_csv_and_neutralised_cells(tmp_path):
    case = yaml.safe_load((EXAMPLES / "cd-surveillance-nc-overdue-suspend.yaml").read_text(encoding="utf-8"))
    case["organization"]["name"] = "=HYPERLINK(成都金牛热水器服务有限公司)"
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    db = tmp_path / "register.db"
    assert run_cli("register", "import", path, "--db", db).returncode == 0
    csv_out = run_cli("register", "ncs", "--db", db, "--as-of", "2027-06-15", "--format", "csv").stdout
    lines = csv_out.lstrip("\ufeff").splitlines()
    assert lines[0] == "case_id,organization,id,severity,state,respond_by,verify_by,overdue"
    assert lines[1].startswith("CD-2027-0226,'=HYPERLINK")
    table = run_cli("register", "ncs", "--db", db, "--as-of", "2027-06-15").stdout
    assert "RESPOND_BY" in table and "2027-03-26" in table


def test_a_bad_date_is_bad_input(db):
    result = run_cli("register", "ncs", "--db", db, "--as-of", "2027-13-01")
    assert result.returncode == 2 and result.stdout == ""
