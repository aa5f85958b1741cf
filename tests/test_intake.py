"""The intake (issue 17, SPEC §10): the case form generated from the case shape, rows added and
removed without JavaScript, the score sheet's sums, saving a version and its evaluation,
validation messages beside their fields in Chinese and English, uploads (and hostile ones),
roles and CSRF, escaping, and two officers editing one case at once.

Forms are submitted as a browser submits them: every input of the page with its value (a tiny
HTML form reader below), changed where the officer types."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
import zipfile
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import markupsafe
import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import EXAMPLES
from test_auth import PASSWORDS, csrf_of

from evaluator.base.case_model import STAGES
from evaluator.base.limits import MAX_FILE_BYTES
from evaluator.base.schema_language import Dict, Field, ListOf, Obj, Spec, Str, child_path
from evaluator.case.shape import case_spec
from evaluator.packs import load_pack
from evaluator.register import connect, import_cases, versions
from evaluator.register.users import User
from evaluator.web import accounts, create_app, intake_pages

DAY = dt.date(2026, 12, 1)
HZ = EXAMPLES / "hz-initial-three-star.yaml"
CONTROLS = {"csrf_token", "_rows", "_default", "_based_on"}
XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


# ------------------------------------------------------------------- a browser's form, in short
class _FormReader(HTMLParser):
    """The successful controls of the form with id `form_id`, as a browser would submit them
    (without a button), and the submit buttons it offers."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self.names: list[str] = []  # every named input, checked or not
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            self.names.append(name)
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "button" and name:
            self.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.names.append(name)
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.names.append(name)
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options[:1]]
            self.fields.append((self._select, chosen[0] if chosen else ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def read_page_form(page: str, form_id: str = "intake-form") -> _FormReader:
    reader = _FormReader(form_id)
    reader.feed(page)
    return reader


def submit(
    client: TestClient,
    page: str,
    url: str,
    changes: dict[str, Any] | None = None,
    button: tuple[str, str] = ("save", "1"),
) -> Any:
    """Post the page's form as a browser would, with `changes` typed over it (a list value: a
    control posted several times, as checked boxes are)."""
    changes = changes or {}
    fields = [(k, v) for k, v in read_page_form(page).fields if k not in changes]
    for key, value in changes.items():
        fields += [(key, v) for v in value] if isinstance(value, list) else [(key, str(value))]
    return client.post(
        url,
        content=urlencode([*fields, button]),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def form_values(document: Any, path: str = "") -> dict[str, Any]:
    """What an officer types into the form for `document` (rows marked in `_rows`)."""
    out: dict[str, Any] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            out.update(form_values(value, child_path(path, key)))
    elif isinstance(document, list) and document and all(isinstance(v, dict) for v in document):
        for i, item in enumerate(document):
            out.setdefault("_rows", []).append(f"{path}[{i}]")
            nested = form_values(item, f"{path}[{i}]")
            out["_rows"] += nested.pop("_rows", [])
            out.update(nested)
    elif isinstance(document, list):
        out[path] = "\n".join(str(v) for v in document)
    elif isinstance(document, bool):
        out[path] = "true" if document else "false"
    elif document is not None:
        out[path] = document.isoformat() if hasattr(document, "isoformat") else str(document)
    return out


def hz_document(**changes: Any) -> dict[str, Any]:
    document = yaml.safe_load(HZ.read_text(encoding="utf-8"))
    document.update(changes)
    return document


def choices_posted(values: dict[str, Any]) -> dict[str, Any]:
    """`application.documents` is a set of checkboxes: posted once per checked value."""
    if "application.documents" in values:
        values["application.documents"] = values["application.documents"].split("\n")
    return values


def described_message(page: str, name: str) -> str:
    """The message the input `name` is described by, which must stand right after it."""
    found = re.search(r'<(?:input|select|textarea)[^>]*\bname="' + re.escape(name) + r'"[^>]*>', page)
    assert found, f"no input {name}"
    described = re.search(r'aria-describedby="([^"]+)"', found.group(0))
    assert described, f"{name} carries no message"
    message = re.search(
        r'<p class="problem" role="alert" id="' + described.group(1) + r'"><bdi>(.*?)</bdi>', page
    )
    assert message, f"no message {described.group(1)}"
    between = page[found.end() : message.start()]
    assert ' name="' not in between, f"the message of {name} is not next to it"
    return html_lib.unescape(message.group(1))


# ----------------------------------------------------------------------------------- fixtures
@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "register.db"


@pytest.fixture
def client(db: Path) -> TestClient:
    """The local officer (no users): every role."""
    return TestClient(create_app(db, as_of=DAY), follow_redirects=False)


def new_form(client: TestClient, stage: str = "initial", lang: str = "") -> str:
    response = client.get(f"/cases/new?stage={stage}{'&lang=' + lang if lang else ''}")
    assert response.status_code == 200, response.text
    return response.text


def create(client: TestClient, document: dict[str, Any], lang: str = "") -> Any:
    page = new_form(client, document["stage"], lang)
    return submit(
        client,
        page,
        f"/cases/new?stage={document['stage']}{'&lang=' + lang if lang else ''}",
        choices_posted(form_values(document)),
    )


def register_rows(db: Path, case_id: str) -> tuple[list[dict[str, Any]], list[Any]]:
    conn = connect(db)
    try:
        found = versions(conn, case_id)
        evaluations = conn.execute(
            "SELECT as_of, version_id FROM evaluations WHERE case_id = ? ORDER BY id", (case_id,)
        ).fetchall()
        return found, [tuple(e) for e in evaluations]
    finally:
        conn.close()


def users_app(db: Path) -> Any:
    for name, role, full in (("eva", "evaluator", "李四"), ("dora", "decision_maker", "王五")):
        accounts.add_user(db, User(name, full, role), PASSWORDS[name])  # type: ignore[arg-type]
    accounts.add_user(db, User("evan", "赵六", "evaluator"), "evan-secret-pw-4")
    return create_app(db, as_of=DAY)


def log_in_as(app: Any, name: str, password: str | None = None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": name, "password": password or PASSWORDS[name], "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


# ----------------------------------------------------------------------- the generated form
def leaf_paths(spec: Spec, path: str = "") -> set[str]:
    """Every input the shape asks for, list rows written `[]` (walked here, not in web code)."""
    if isinstance(spec, Obj):
        return {p for k, f in spec.fields.items() for p in leaf_paths(f.spec, child_path(path, k))}
    if isinstance(spec, ListOf) and isinstance(spec.item, Obj):
        return leaf_paths(spec.item, f"{path}[]")
    if isinstance(spec, Dict):
        return {p for key in spec.keys or () for p in leaf_paths(spec.value, child_path(path, key))}
    return {path}


def every_row_opened(client: TestClient, stage: str) -> str:
    """The new form after 'add a row' was pressed on every list, nested lists too."""
    url = f"/cases/new?stage={stage}"
    page, pressed = new_form(client, stage), set()
    while True:
        waiting = [v for n, v in read_page_form(page).buttons if n == "add_row" and v not in pressed]
        if not waiting:
            return page
        pressed.add(waiting[0])
        response = submit(client, page, url, button=("add_row", waiting[0]))
        assert response.status_code == 200, response.text
        page = response.text


@pytest.mark.parametrize("stage", STAGES)
def test_the_form_has_an_input_for_every_field_of_the_shape_and_no_other(
    client: TestClient, stage: str
) -> None:
    page = every_row_opened(client, stage)
    names = {re.sub(r"\[[0-9]+\]", "[]", n) for n in read_page_form(page).names} - CONTROLS
    assert names == leaf_paths(case_spec(load_pack(), stage))


def test_a_field_added_to_the_shape_appears_without_touching_the_web_code(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def with_fax(pack: Any, stage: str) -> Obj:
        spec = case_spec(pack, stage)
        organization = spec.fields["organization"]
        grown = Obj({**organization.spec.fields, "fax": Field(Str())})  # type: ignore[attr-defined]
        return Obj({**spec.fields, "organization": Field(grown, required=True)})

    assert 'name="organization.fax"' not in new_form(client)
    monkeypatch.setattr(intake_pages, "case_spec", with_fax)
    assert 'name="organization.fax"' in new_form(client)


def test_inputs_take_the_kind_of_their_field(client: TestClient) -> None:
    page = new_form(client)
    assert re.search(r'<select id="[^"]+" name="organization.business_type"', page)
    yes_no = re.search(r'name="organization.legal_entity"[^>]*>(.*?)</select>', page, re.S)
    assert yes_no and 'value="true"' in yes_no.group(1) and 'value="false"' in yes_no.group(1)
    assert re.search(r'type="date" [^>]*name="service_system.operating_since"', page)
    assert re.search(r'type="number" step="1" [^>]*name="service_system.trained_managers"', page)
    assert re.search(r'type="number" step="any" [^>]*name="evaluation.scores.repair.awarded"', page)
    assert ">组织名称 <abbr" in page and "Registered name of the organisation." not in page  # the field docs
    assert "Registered name of the organisation." in new_form(client, lang="en")


# ------------------------------------------------------------------------ rows without script
def test_rows_are_added_and_removed_without_script_keeping_what_was_typed(client: TestClient) -> None:
    url = "/cases/new?stage=initial"
    page = submit(
        client, new_form(client), url, {"case_id": "ROWS-1"}, button=("add_row", "organization.licences")
    ).text
    page = submit(
        client,
        page,
        url,
        {"organization.licences[0].name": "营业执照"},
        button=("add_row", "organization.licences"),
    ).text
    page = submit(
        client, page, url, {"organization.licences[1].name": "卫生许可"}, button=("add_row", "incidents")
    ).text
    kept = dict(read_page_form(page).fields)
    assert kept["case_id"] == "ROWS-1"
    assert (
        kept["organization.licences[0].name"] == "营业执照"
        and kept["organization.licences[1].name"] == "卫生许可"
    )
    assert "incidents[0].date" in kept
    page = submit(client, page, url, button=("remove_row", "organization.licences[0]")).text
    kept = dict(read_page_form(page).fields)
    assert kept["organization.licences[0].name"] == "卫生许可" and "organization.licences[1].name" not in kept
    page = submit(client, page, url, button=("remove_row", "incidents.0")).text  # the dotted form too
    assert "incidents[0].date" not in dict(read_page_form(page).fields)


def test_the_score_sheet_is_one_table_with_category_sums_computed_by_the_server(client: TestClient) -> None:
    pack = load_pack()
    typed = {f"evaluation.scores.{key}.awarded": i + 0.5 for i, key in enumerate(pack.indicators)}
    typed |= {f"evaluation.scores.{key}.available": i + 2 for i, key in enumerate(pack.indicators)}
    page = submit(client, new_form(client), "/cases/new?stage=initial", typed, button=("recalc", "1")).text
    assert page.count('<table class="list score-sheet">') == 1
    sums = re.findall(r'class="sum-awarded">([^<]*)</td><td><span class="sum-available">([^<]*)</span>', page)
    expected = []
    for category in pack.categories:
        keys = [k for k, ind in pack.indicators.items() if ind.category == category]
        awarded = sum(typed[f"evaluation.scores.{k}.awarded"] for k in keys)
        available = sum(typed[f"evaluation.scores.{k}.available"] for k in keys)
        expected.append((f"{awarded:g}", f"{available:g}"))
    assert sums == expected
    assert re.search(r'class="total-awarded">' + f"{sum(float(a) for a, _ in expected):g}<", page)


# ------------------------------------------------------------------------------- saving a case
def test_a_valid_form_adds_a_version_and_an_evaluation_at_the_servers_date(
    client: TestClient, db: Path
) -> None:
    document = hz_document(case_id="FORM-1")
    del document["as_of"]
    response = create(client, document)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/cases/FORM-1"
    found, evaluations = register_rows(db, "FORM-1")
    assert [(v["version"], v["by"], v["why"]) for v in found] == [(1, "local", "form")]
    assert [e[0] for e in evaluations] == [DAY.isoformat()]
    assert client.get("/cases/FORM-1").status_code == 200


def test_the_officer_may_give_the_as_of(client: TestClient, db: Path) -> None:
    assert create(client, hz_document(case_id="FORM-2")).status_code == 303
    assert [e[0] for e in register_rows(db, "FORM-2")[1]] == ["2026-11-23"]


def test_a_version_records_the_logged_in_user(db: Path) -> None:
    client = log_in_as(users_app(db), "eva")
    assert create(client, hz_document(case_id="FORM-3")).status_code == 303
    assert [v["by"] for v in register_rows(db, "FORM-3")[0]] == ["eva"]


def test_a_new_case_may_not_take_an_id_the_register_holds(client: TestClient, db: Path) -> None:
    assert create(client, hz_document(case_id="FORM-4")).status_code == 303
    response = create(client, hz_document(case_id="FORM-4", as_of="2026-11-30"))
    assert response.status_code == 409
    assert "登记册中已有案例 FORM-4" in described_message(response.text, "case_id")
    assert len(register_rows(db, "FORM-4")[0]) == 1


# -------------------------------------------------------------------- messages beside fields
def _invalid_document() -> dict[str, Any]:
    document = hz_document(case_id="BAD-1")
    del document["as_of"]
    document["organization"]["name"] = ""
    document["service_system"]["trained_managers"] = "三"
    document["incidents"] = [
        {"date": "2026-13-40", "kind": "complaint", "severity": "minor", "service_related": True}
    ]
    return document


def test_problems_stand_next_to_their_fields_in_chinese_with_the_input_kept(
    client: TestClient, db: Path
) -> None:
    response = create(client, _invalid_document())
    assert response.status_code == 422
    page = response.text
    assert described_message(page, "organization.name") == "缺少必填项"
    assert described_message(page, "service_system.trained_managers") == "应为整数，而不是文本“三”"
    assert described_message(page, "incidents[0].date") == "“2026-13-40”不是日历上存在的日期"
    kept = dict(read_page_form(page).fields)
    assert kept["service_system.trained_managers"] == "三" and kept["as_of"] == ""
    assert (
        kept["organization.credit_code"] == "91330106MA2KD9F3YB" and kept["incidents[0].date"] == "2026-13-40"
    )
    assert register_rows(db, "BAD-1") == ([], [])


def test_problems_stand_next_to_their_fields_in_english(client: TestClient) -> None:
    page = create(client, _invalid_document(), lang="en").text
    assert (
        described_message(page, "service_system.trained_managers")
        == 'must be a whole number, not the string "三"'
    )
    assert described_message(page, "organization.name") == "missing required key"


@pytest.mark.parametrize(("lang", "said"), [("", "得分 9 超过应得分 7"), ("en", "9 exceeds available 7")])
def test_a_check_across_fields_stands_next_to_its_field(client: TestClient, lang: str, said: str) -> None:
    document = hz_document(case_id="BAD-3")
    document["evaluation"]["scores"]["repair"]["awarded"] = 9
    page = create(client, document, lang=lang).text
    assert described_message(page, "evaluation.scores.repair.awarded") == said
    assert dict(read_page_form(page).fields)["evaluation.scores.repair.awarded"] == "9"


def test_a_problem_without_an_input_of_its_own_is_listed_at_the_top(client: TestClient) -> None:
    document = hz_document(case_id="BAD-2")
    document["evaluation"]["scores"]["repair"]["available"] = 70  # the category no longer adds up
    page = create(client, document).text
    top = re.search(
        r'<section class="problems callout" id="problems" role="alert">(.*?)</section>', page, re.S
    )
    assert top and "处问题" in top.group(1)
    sheet = re.search(
        r'<fieldset class="group scores" id="f-evaluation-scores">.*?'
        r'<p class="problem"[^>]*><bdi>(.*?)</bdi>',
        page,
        re.S,
    )
    assert sheet and "合计为" in sheet.group(1)  # the category sum belongs to the whole sheet


# ------------------------------------------------------------------------------------ uploads
def upload(client: TestClient, name: str, content: bytes, lang: str = "") -> Any:
    token = csrf_of(new_form(client))
    return client.post(
        "/cases/new" + ("?lang=" + lang if lang else ""),
        data={"csrf_token": token},
        files={"file": (name, content, "application/octet-stream")},
    )


def test_an_uploaded_yaml_json_or_workbook_becomes_a_version(client: TestClient, db: Path) -> None:
    from evaluator.sheets import export_case

    text = HZ.read_text(encoding="utf-8")
    assert upload(client, "hz.yaml", text.replace("HZ-2026-0301", "UP-Y").encode()).status_code == 303
    as_json = json.dumps(hz_document(case_id="UP-J"), default=str, ensure_ascii=False).encode()
    assert upload(client, "hz.json", as_json).status_code == 303
    assert upload(client, "hz.xlsx", export_case(HZ)).status_code == 303
    for case_id in ("UP-Y", "UP-J", "HZ-2026-0301"):
        found, evaluations = register_rows(db, case_id)
        assert [(v["why"], v["by"]) for v in found] == [("upload", "local")], case_id
        assert len(evaluations) == 1


def test_a_bad_upload_shows_its_problems_with_their_lines(client: TestClient, db: Path) -> None:
    text = HZ.read_text(encoding="utf-8").replace("trained_managers: 3", "trained_managers: 三")
    page = upload(client, "hz.yaml", text.encode()).text
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "trained_managers" in t)
    assert f"hz.yaml:{line}: service_system.trained_managers: 应为整数" in html_lib.unescape(page)
    assert described_message(page, "service_system.trained_managers").startswith("应为整数")
    assert register_rows(db, "HZ-2026-0301") == ([], [])


def test_an_uploaded_name_is_never_a_path(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    page = html_lib.unescape(upload(client, "../../etc/passwd.yaml", b"case_id: [").text)
    assert "passwd.yaml:" in page and "../" not in page and "etc/passwd" not in page
    assert intake_pages.safe_upload_name("..\\..\\a\\b<c>.xlsx") == "b_c_.xlsx"
    assert intake_pages.safe_upload_name("../") == "upload"


def test_an_upload_over_the_limit_is_refused(client: TestClient, db: Path) -> None:
    response = upload(client, "big.yaml", b"#" * (MAX_FILE_BYTES + 1))
    assert response.status_code == 413
    assert f"超过上限 {MAX_FILE_BYTES} 字节" in response.text
    assert not db.exists() or register_rows(db, "big") == ([], [])


def test_a_zip_bomb_as_a_workbook_is_refused_with_a_message(client: TestClient, db: Path) -> None:
    bomb = BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    assert len(bomb.getvalue()) < MAX_FILE_BYTES
    response = upload(client, "bomb.xlsx", bomb.getvalue())
    assert response.status_code == 422
    assert "bomb.xlsx" in response.text and "over the limit" in response.text


# ------------------------------------------------------------------------- who may, and CSRF
def test_every_intake_post_needs_its_csrf_token(db: Path) -> None:
    assert import_cases(connect(db), [HZ])
    client = TestClient(create_app(db, as_of=DAY), follow_redirects=False)
    new_form(client)  # a session exists, but the post does not carry its token
    for url in ("/cases/new?stage=initial", "/cases/HZ-2026-0301/edit"):
        response = client.post(url, data={"case_id": "CSRF-1", "stage": "initial"})
        assert response.status_code == 403, url
    response = client.post("/cases/new", files={"file": ("hz.yaml", HZ.read_bytes(), "text/yaml")})
    assert response.status_code == 403
    assert len(register_rows(db, "HZ-2026-0301")[0]) == 1


def test_a_decision_maker_may_not_create_or_edit_a_case(db: Path) -> None:
    app = users_app(db)
    assert import_cases(connect(db), [HZ])
    dora = log_in_as(app, "dora")
    token = csrf_of(dora.get("/login").text)
    assert dora.get("/cases/new?stage=initial").status_code == 403
    assert dora.get("/cases/HZ-2026-0301/edit").status_code == 403
    values = {**choices_posted(form_values(hz_document(case_id="DM-1"))), "csrf_token": token, "save": "1"}
    assert dora.post("/cases/new?stage=initial", data=values).status_code == 403
    assert dora.post("/cases/HZ-2026-0301/edit", data=values).status_code == 403
    assert register_rows(db, "DM-1") == ([], [])
    assert len(register_rows(db, "HZ-2026-0301")[0]) == 1


# ---------------------------------------------------------------------------------- escaping
def text_inputs(page: str) -> list[str]:
    return re.findall(r'<(?:input type="text"|textarea)[^>]* name="([^"]+)"', page)


def test_hostile_text_in_every_text_field_is_escaped_on_the_form(client: TestClient) -> None:
    page = every_row_opened(client, "initial")
    names = text_inputs(page)
    assert len(names) > 30
    typed = {name: XSS[i % 2] for i, name in enumerate(names)}
    page = submit(client, page, "/cases/new?stage=initial", typed).text
    for payload in XSS:
        assert payload not in page
        assert str(markupsafe.escape(payload)) in page
    kept = dict(read_page_form(page).fields)
    assert all(kept[name] == value for name, value in typed.items())


def test_hostile_text_in_every_free_text_field_is_escaped_on_the_case_page(client: TestClient) -> None:
    document = hz_document(case_id="XSS-1")
    page = new_form(client)
    values = choices_posted(form_values(document))
    free = [
        n
        for n in values
        if n in text_inputs(page)
        or re.sub(r"\[[0-9]+\]", "[]", n).endswith(
            ("statement", "evidence", "requirement", "justification", "item")
        )
    ]
    free = [
        n for n in free if n not in ("case_id", "pack", "organization.credit_code", "organization.country")
    ]
    free = [n for n in free if not n.endswith(("].indicator", "].basis", "].severity"))]
    for i, name in enumerate(free):
        values[name] = XSS[i % 2]
    values["organization.name"] = XSS[0]
    response = submit(client, page, "/cases/new?stage=initial", values)
    assert response.status_code == 303, re.findall(r'<p class="problem"[^>]*><bdi>(.*?)</bdi>', response.text)
    for url in ("/cases/XSS-1", "/cases/XSS-1/edit", "/cases/XSS-1?lang=en"):
        shown = client.get(url).text
        for payload in XSS:
            assert payload not in shown, url
        assert str(markupsafe.escape(XSS[0])) in shown, url


# ------------------------------------------------------------------------------- the edit form
def test_the_edit_form_is_prefilled_from_the_latest_version(client: TestClient, db: Path) -> None:
    import_cases(connect(db), [HZ])
    page = client.get("/cases/HZ-2026-0301/edit").text
    kept = dict(read_page_form(page).fields)
    assert kept["organization.name"] == "杭州西溪净水设备有限公司"
    assert kept["evaluation.scores.repair.awarded"] == "6" and kept["_based_on"] == "1"
    assert kept["as_of"] == ""  # a save is evaluated at the server's date unless the officer says
    assert re.search(r'name="case_id" value="HZ-2026-0301" readonly', page)
    assert 'href="/cases/HZ-2026-0301/edit"' in client.get("/cases/HZ-2026-0301").text


def test_two_officers_edit_one_case_and_the_second_sees_a_conflict(db: Path) -> None:
    app = users_app(db)
    import_cases(connect(db), [HZ])
    eva, evan = log_in_as(app, "eva"), log_in_as(app, "evan", "evan-secret-pw-4")
    url = "/cases/HZ-2026-0301/edit"
    first, second = eva.get(url).text, evan.get(url).text
    saved = submit(eva, first, url, {"organization.address": "杭州市西湖区"})
    assert saved.status_code == 303
    clash = submit(evan, second, url, {"service_system.trained_managers": "5"})
    assert clash.status_code == 409
    found, _ = register_rows(db, "HZ-2026-0301")
    assert [(v["version"], v["by"]) for v in found] == [(1, "cli:" + found[0]["by"][4:]), (2, "eva")]
    diff = html_lib.unescape(
        re.search(r'<pre class="diff"><bdi>(.*?)</bdi></pre>', clash.text, re.S).group(1)
    )
    assert "-  address: 杭州市西湖区" in diff and "+  trained_managers: 5" in diff
    kept = dict(read_page_form(clash.text).fields)
    assert kept["service_system.trained_managers"] == "5" and kept["_based_on"] == "2"
    again = submit(evan, clash.text, url)  # re-applied over the newer version, knowingly
    assert again.status_code == 303
    assert [(v["version"], v["by"]) for v in register_rows(db, "HZ-2026-0301")[0]][1:] == [
        (2, "eva"),
        (3, "evan"),
    ]
