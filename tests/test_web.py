"""The workbench (issue 16, SPEC §10) through the framework's test client: every page and API
endpoint, unknown ids, hostile search text and a broken register."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import EXAMPLES, REPO, TRACEBACK, run_cli

from evaluator import evaluate
from evaluator.api import evaluate_full
from evaluator.register import connect, import_cases, record_all, register_record
from evaluator.web import create_app

DAY = dt.date(2026, 12, 1)
NJ = "NJ-2024-0311"
HZ = "HZ-2026-0301"


def _with_lifecycle_keys(conn) -> None:
    """A case whose result carries the keys of SPEC §6.4 and §7.2 (added by other branches): the
    dashboard and case page must show them when present."""
    record = register_record(evaluate_full(EXAMPLES / "hz-initial-three-star.yaml"))
    result = json.loads(record["result_json"])
    result["nonconformities"] = [
        {
            "id": "NC-1",
            "subject": "evaluation.nonconformities[0]",
            "severity": "major",
            "state": "open",
            "respond_by": "2026-10-01",
            "overdue": True,
            "verify_by": None,
        },
        {
            "id": "NC-2",
            "subject": "evaluation.nonconformities[1]",
            "severity": "minor",
            "state": "responded",
            "respond_by": "2026-12-30",
            "overdue": False,
            "verify_by": "2026-12-15",
        },
    ]
    result["decision"] = {
        "recommended": {"outcome": "grant", "grade": "three_star", "reasons": [], "blocked_by": []},
        "recorded": None,
    }
    record.update(
        case_id="HZ-LIFE",
        result_json=json.dumps(result, ensure_ascii=False, separators=(",", ":")),
        on_worklist=True,  # as register_record marks a result with those keys
    )
    record["content"] = record["content"].replace("HZ-2026-0301", "HZ-LIFE")
    record_all(conn, [record], by="test", why="record")


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("web") / "register.db"
    conn = connect(db)
    import_cases(conn, [EXAMPLES])
    later = tmp_path_factory.mktemp("later") / "nj.yaml"
    later.write_text(
        (EXAMPLES / "nj-surveillance-overdue.yaml")
        .read_text(encoding="utf-8")
        .replace("as_of: 2026-05-06", "as_of: 2027-04-01"),
        encoding="utf-8",
    )
    import_cases(conn, [later])  # NJ v2: the certificate has expired by then
    _with_lifecycle_keys(conn)
    conn.close()
    return db


@pytest.fixture(scope="module")
def client(register) -> TestClient:
    return TestClient(create_app(register, as_of=DAY), raise_server_exceptions=False)


def no_network(html: str) -> None:
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing may load from the network"


def test_dashboard_lists_what_is_due_each_linking_its_case(client):
    page = client.get("/")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    no_network(page.text)
    assert "监督与再认证到期" in page.text and "2026-12-01" in page.text  # the register's date
    assert 'href="/cases/CQ-2024-0925"' in page.text  # extension running until 2026-12-20
    # the overdue NC, the verification due and the decision waiting, from the result keys
    for section, needle in (
        ("nc_overdue", "NC-1"),
        ("verifications_due", "NC-2"),
        ("decisions_waiting", "批准认证"),  # the outcome by its label, not its id
    ):
        block = page.text.split(f'id="{section}"')[1].split("</section>")[0]
        assert needle in block and 'href="/cases/HZ-LIFE"' in block, section


def test_as_of_plans_from_that_date(register):
    early = TestClient(create_app(register, as_of=dt.date(2026, 2, 1))).get("/")
    assert "监督到期" in early.text and "FW-NJ-2024-0311" in early.text  # due 2026-03-04, not yet overdue
    late = TestClient(create_app(register, as_of=dt.date(2026, 6, 1))).get("/")
    assert "监督逾期" in late.text


def test_every_page_has_an_english_switch(client):
    for url in ("/", "/search?q=南京", f"/cases/{NJ}"):
        zh = client.get(url).text
        switch = re.search(r'id="lang-switch" href="([^"]+)"', zh).group(1).replace("&amp;", "&")
        en = client.get(switch)
        assert en.status_code == 200 and 'lang="en"' in en.text
        assert re.search(r'id="lang-switch" href="[^"]*"[^>]*>中文</a>', en.text)
    assert "Surveillance and recertification due" in client.get("/?lang=en").text


@pytest.mark.parametrize(
    "query, expected",
    [
        ("玄武智能", NJ),
        ("91320104MA27X6B1N0", NJ),
        ("FW-NJ-2024", NJ),
        ("nj-2024-03", NJ),
        ("HZ-LIFE", "HZ-LIFE"),
    ],
)
def test_search_by_name_code_certificate_and_case_id(client, query, expected):
    page = client.get("/search", params={"q": query})
    assert page.status_code == 200 and f'href="/cases/{expected}"' in page.text


@pytest.mark.parametrize("hostile", ["%", "_", "\\", "' OR 1=1 --", '"; DROP TABLE evaluations; --', "%%__"])
def test_search_text_is_literal(client, hostile):
    page = client.get("/search", params={"q": hostile})
    assert page.status_code == 200 and "/cases/" not in page.text.split("<main>")[1]


def test_case_page_shows_findings_with_why_versions_and_downloads(client):
    page = client.get(f"/cases/{NJ}")
    assert page.status_code == 200
    no_network(page.text)
    text = page.text
    # latest version (v2, as of 2027-04-01): CERT-EXPIRED, with explain's trace in a <details>
    assert "CERT-EXPIRED" in text and '<details class="why"><summary>' in text
    assert "CERT-EXPIRED" in text.split('<details class="why">')[1].split("</details>")[0]
    # the summary report inline, without its own <html>
    assert "评价结果汇总" in text and text.count("<html") == 1
    # versions, the diff of the last two by default
    assert "v1.yaml" in text and "v2.yaml" in text
    assert "+ 新增" in text and "CERT-EXPIRED" in text.split('id="diff"')[1]
    # downloads of every report kind that fits the case (SPEC 8.3), three languages
    from evaluator.outputs.report import KINDS, kind_problem

    evaluation = evaluate_full(EXAMPLES / "nj-surveillance-overdue.yaml", as_of=dt.date(2027, 4, 1))
    fitting = [kind for kind in KINDS if kind_problem(evaluation, kind) is None]
    assert "summary" in fitting and "ncr" not in fitting
    for kind in KINDS:
        for lang in ("zh", "en", "both"):
            shown = f'href="/cases/{NJ}/reports/{kind}.{lang}.html"' in text
            assert shown == (kind in fitting), (kind, lang)


def test_case_page_shows_nonconformities_and_the_recommendation_when_present(client):
    text = client.get("/cases/HZ-LIFE").text
    block = text.split('id="nonconformities"')[1].split("</section>")[0]
    assert "NC-1" in block and "2026-10-01" in block and "overdue" in block
    decision = text.split('id="decision"')[1].split("</section>")[0]
    assert 'data-outcome="grant"' in decision and "建议：批准三星级认证" in decision
    assert "尚未记录认证决定" in decision


def test_diff_between_any_two_versions_and_its_htmx_fragment(client):
    page = client.get(f"/cases/{NJ}", params={"a": 2, "b": 1})
    assert "− 已关闭" in page.text and "CERT-EXPIRED" in page.text.split('id="diff"')[1]
    fragment = client.get(f"/cases/{NJ}/diff", params={"a": 1, "b": 2})
    assert fragment.status_code == 200 and fragment.text.startswith('<div id="diff">')
    assert client.get(f"/cases/{NJ}/diff", params={"a": 1, "b": 9}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/cases/NO-SUCH-CASE",
        "/cases/..%2F..%2Fetc%2Fpasswd",
        "/cases/%2Fetc%2Fpasswd/reports/ncr.zh.html",
        f"/cases/{NJ}/reports/ncr.xx.html",
        f"/cases/{NJ}/reports/nope.zh.html",
        f"/cases/{NJ}/versions/9.yaml",
        "/no/such/page",
    ],
)
def test_unknown_pages_are_404_and_show_no_path(client, register, url):
    page = client.get(url)
    assert page.status_code == 404
    assert str(register.parent) not in page.text and TRACEBACK not in page.text


def test_report_downloads_and_version_yaml(client):
    ncr = client.get(f"/cases/{HZ}/reports/ncr.both.html")
    assert ncr.status_code == 200 and ncr.headers["content-type"].startswith("text/html")
    assert f'filename="{HZ}.ncr.both.html"' in ncr.headers["content-disposition"]
    # NJ has no evaluation and no finding for the organisation: no NCR (SPEC 8.3), and no link
    assert client.get(f"/cases/{NJ}/reports/ncr.both.html").status_code == 404
    assert f"/cases/{NJ}/reports/ncr." not in client.get(f"/cases/{NJ}").text
    assert "不符合项报告" in ncr.text and "Nonconformity report" in ncr.text
    md = client.get(f"/cases/{NJ}/reports/summary.en.markdown")
    assert md.status_code == 200 and md.text.startswith("#")
    if importlib.util.find_spec("weasyprint"):
        assert client.get(f"/cases/{HZ}/reports/car.zh.pdf").content.startswith(b"%PDF")
    v1 = client.get(f"/cases/{NJ}/versions/1.yaml")
    assert v1.status_code == 200 and "attachment" in v1.headers["content-disposition"]
    assert yaml.safe_load(v1.text)["as_of"] == "2026-05-06"


def test_documents_carry_the_body_of_serve_body_or_certeval_body(register, monkeypatch):
    """`serve --body` (else $CERTEVAL_BODY) puts the body's identity on every document served,
    as `certeval report --body` does; without one the documents say no body is configured."""
    profile = REPO / "profiles" / "example" / "body.yaml"
    url = f"/cases/{HZ}/reports/ncr.zh.html"
    monkeypatch.delenv("CERTEVAL_BODY", raising=False)
    plain = TestClient(create_app(register, as_of=DAY)).get(url).text
    assert "未配置认证机构信息" in plain and "示例认证有限公司" not in plain
    with_body = TestClient(create_app(register, profile, as_of=DAY)).get(url).text
    assert "示例认证有限公司" in with_body and "CNCA-R-2099-099" in with_body
    monkeypatch.setenv("CERTEVAL_BODY", str(profile))
    assert "示例认证有限公司" in TestClient(create_app(register, as_of=DAY)).get(url).text


def test_api_evaluate_json_and_yaml_give_the_section_4_result(client):
    path = EXAMPLES / "hz-initial-three-star.yaml"
    expected = evaluate(path)
    as_yaml = client.post(
        "/api/v1/evaluate", content=path.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert as_yaml.status_code == 200 and as_yaml.json() == json.loads(json.dumps(expected))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    as_json = client.post("/api/v1/evaluate", json=json.loads(json.dumps(document, default=str)))
    assert as_json.json()["findings"] == as_yaml.json()["findings"]
    later = client.post(
        "/api/v1/evaluate",
        params={"as_of": "2026-12-31"},
        content=path.read_bytes(),
        headers={"content-type": "application/yaml"},
    )
    assert later.json()["as_of"] == "2026-12-31"


def test_api_evaluate_bad_input_is_422_with_problems(client):
    bad = client.post(
        "/api/v1/evaluate", content=b"case_id: X\nstage: nope\n", headers={"content-type": "text/yaml"}
    )
    assert bad.status_code == 422
    problems = bad.json()["problems"]
    assert {"line": 2, "field": "stage"}.items() <= next(p for p in problems if p["field"] == "stage").items()
    assert all(set(p) == {"line", "field", "message"} for p in problems)
    broken_json = client.post(
        "/api/v1/evaluate", content=b'{"case_id": ', headers={"content-type": "application/json"}
    )
    assert broken_json.status_code == 422 and broken_json.json()["problems"]
    bad_date = client.post(
        "/api/v1/evaluate",
        params={"as_of": "soon"},
        content=b"x",
        headers={"content-type": "application/yaml"},
    )
    assert bad_date.status_code == 422


def test_api_cases_versions_and_certificates(client):
    case = client.get(f"/api/v1/cases/{NJ}").json()
    assert case["version"] == 2 and case["document"]["as_of"] == "2027-04-01"
    assert case["result"]["findings"][0]["rule"] in {f["rule"] for f in case["result"]["findings"]}
    versions = client.get(f"/api/v1/cases/{NJ}/versions").json()
    assert [v["version"] for v in versions] == [1, 2] and {v["why"] for v in versions} == {"import"}
    cert = client.get("/api/v1/certificates/FW-NJ-2024-0311").json()
    assert cert["number"] == "FW-NJ-2024-0311" and cert["organization"].startswith("南京")
    for url in ("/api/v1/cases/NOPE", "/api/v1/cases/NOPE/versions", "/api/v1/certificates/NOPE"):
        missing = client.get(url)
        assert missing.status_code == 404 and "detail" in missing.json()
    assert "/api/v1/evaluate" in client.get("/openapi.json").json()["paths"]


def test_static_files_are_served_from_the_app(client):
    htmx = client.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.content[:200]
    assert client.get("/report.css").status_code == 200


def test_a_broken_register_is_a_clear_500_page_without_traceback(tmp_path):
    db = tmp_path / "r.db"
    shutil.copy(EXAMPLES / "hz-initial-three-star.yaml", tmp_path)
    import_cases(connect(db), [tmp_path / "hz-initial-three-star.yaml"])
    client = TestClient(create_app(db), raise_server_exceptions=False)
    assert client.get("/").status_code == 200
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    for url in ("/", "/cases/HZ-2026-0301", "/search?q=x"):
        page = client.get(url)
        assert page.status_code == 500 and "登记册无法读取" in page.text
        assert TRACEBACK not in page.text and 'File "' not in page.text
    api = client.get("/api/v1/cases/HZ-2026-0301")
    assert api.status_code == 500 and "detail" in api.json()


def test_serve_refuses_other_addresses_without_users(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0", "--db", tmp_path / "r.db")
    assert result.returncode == 2 and "certeval users add" in result.stderr
    assert not (tmp_path / "r.db").exists()


def test_serve_refuses_another_programs_file(tmp_path):
    import sqlite3

    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    result = run_cli("serve", "--db", foreign, "--port", "8611")
    assert result.returncode == 2 and "not a certeval register" in result.stderr
