"""The workbench's reply and verification forms and their evidence files (issue 17, SPEC §6.1,
§10): each write is one case version with its user and reason, moves the NC's state, and
refuses hostile input with nothing written."""

from __future__ import annotations

import html
import io
import re
import sqlite3
import zipfile

import markupsafe
import pytest
from helpers import csrf_of
from lifecycle_support import (
    CASE,
    PDF,
    REPLY,
    VERIFY,
    form_of,
    latest_document,
    reply,
    stored_files,
    verify,
    versions_in,
)

from evaluator.base.filetypes import DOC, DOCX, NotAllowedType, clean_file_name, evidence_media_type
from evaluator.base.limits import MAX_EVIDENCE_FILE_BYTES

XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def nc_row(page: str) -> str:
    """The NC-1 row of the case page's NC table."""
    table = page.split('<section id="nonconformities">')[1].split("</table>")[0]
    return next(row for row in table.split("<tr") if "NC-1" in row)


# ------------------------------------------------------------------ replies and verifications
def test_a_reply_is_one_version_by_its_user_and_moves_the_nc_to_responded(workbench_as, lifecycle_db):
    eva = workbench_as("eva")
    assert '<td data-state="open">待回复</td>' in nc_row(eva.get(CASE).text)
    response = reply(eva, files=[("培训签到表.pdf", PDF)])
    assert response.status_code == 303 and response.headers["location"] == f"{CASE}#nc-NC-1"
    rows = versions_in(lifecycle_db)
    written = [(v["version"], v["by"], v["why"], v["evaluations"]) for v in rows[1:]]
    assert written == [(2, "eva", "response", 1)]
    page = eva.get(CASE).text
    assert '<td data-state="responded">已回复，待验证</td>' in nc_row(page)
    assert "NC-VERIFICATION-DUE" in page  # the new version's evaluation is the one shown
    entry = latest_document(lifecycle_db)["evaluation"]["nonconformities"][0]["responses"][0]
    assert entry["root_cause"] == "投诉登记未设答复时限提醒" and entry["received_on"] == "2027-03-23"
    assert latest_document(lifecycle_db)["as_of"] == "2027-03-25"  # evaluated at the server's date
    [(sha, size, media, name)] = stored_files(lifecycle_db)
    assert (size, media, name) == (len(PDF), "application/pdf", "培训签到表.pdf")
    assert entry["evidence"] == [f"培训签到表.pdf (sha256:{sha}, {size} bytes, application/pdf)"]


def test_a_verification_by_its_user_closes_the_nc(workbench_as, lifecycle_db):
    eva = workbench_as("eva")
    assert reply(eva).status_code == 303
    assert verify(eva, note="证据充分").status_code == 303
    assert [(v["by"], v["why"]) for v in versions_in(lifecycle_db)] == [
        (versions_in(lifecycle_db)[0]["by"], "import"),
        ("eva", "response"),
        ("eva", "verification"),
    ]
    page = eva.get(CASE).text
    assert '<td data-state="closed">已关闭</td>' in nc_row(page)
    item = latest_document(lifecycle_db)["evaluation"]["nonconformities"][0]
    assert item["verifications"] == [
        {"date": "2027-03-24", "by": "李四", "result": "accepted", "method": "document", "note": "证据充分"}
    ]


def test_the_as_of_an_officer_gives_is_the_versions_as_of(workbench_as, lifecycle_db):
    assert reply(workbench_as("eva"), as_of="2027-03-24").status_code == 303
    assert latest_document(lifecycle_db)["as_of"] == "2027-03-24"


def test_a_reply_that_does_not_validate_comes_back_by_its_fields_with_nothing_written(
    workbench_as, lifecycle_db
):
    eva = workbench_as("eva")
    response = reply(eva, root_cause="  ", correction="已纠正 <b>", received_on="2027-03-01")
    assert response.status_code == 422
    row = response.text.split('name="root_cause"')[1].split("</tr>")[0]
    assert 'class="field-error"' in row and "blank" in row
    assert "已纠正 &lt;b&gt;" in response.text  # what the officer typed is kept (escaped)
    assert len(versions_in(lifecycle_db)) == 1
    early = reply(eva, received_on="2027-03-01")  # before evaluation.date
    assert early.status_code == 422 and 'class="field-error"' in early.text.split('name="received_on"')[1]
    assert len(versions_in(lifecycle_db)) == 1


def test_a_form_opened_on_an_older_version_is_a_conflict_with_nothing_written(workbench_as, lifecycle_db):
    eva = workbench_as("eva")
    stale = form_of(eva)
    assert reply(eva).status_code == 303
    response = eva.post(
        VERIFY, data={**stale, "date": "2027-03-24", "result": "accepted", "method": "document"}
    )
    assert response.status_code == 409 and 'id="refusal"' in response.text
    assert len(versions_in(lifecycle_db)) == 2


def test_the_forms_have_pages_of_their_own_without_javascript(workbench_as):
    eva = workbench_as("eva")
    page = eva.get(REPLY)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'name="csrf_token"' in page.text and 'name="root_cause"' in page.text
    assert 'name="result"' in eva.get(VERIFY).text
    assert eva.get(f"{CASE}/ncs/NC-9/reply").status_code == 404


# ----------------------------------------------------------------------------- evidence files
def test_an_upload_named_with_a_path_keeps_only_its_last_component(workbench_as, lifecycle_db):
    eva = workbench_as("eva")
    assert reply(eva, files=[("../../x.pdf", PDF), ("..\\..\\整改记录.pdf", PDF + b"2")]).status_code == 303
    assert sorted(name for *_, name in stored_files(lifecycle_db)) == ["x.pdf", "整改记录.pdf"]
    links = re.findall(r'href="(/cases/[^"]+/files/[0-9a-f]{64})"', eva.get(CASE).text)
    assert len(links) == 2
    for link in links:
        served = eva.get(link)
        assert served.status_code == 200 and served.content.startswith(b"%PDF")
        assert served.headers["content-type"] == "application/pdf"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-disposition"].startswith("attachment;")
    names = {eva.get(link).headers["content-disposition"] for link in links}
    assert 'attachment; filename="x.pdf"' in names
    chinese = "filename*=UTF-8''%E6%95%B4%E6%94%B9%E8%AE%B0%E5%BD%95.pdf"  # 整改记录.pdf, RFC 6266
    assert f'attachment; filename="____.pdf"; {chinese}' in names


def test_evidence_is_served_only_to_logged_in_users_and_only_for_its_case(workbench_as, lifecycle_db):
    eva = workbench_as("eva")
    assert reply(eva, files=[("x.pdf", PDF)]).status_code == 303
    link = re.search(r'href="(/cases/[^"]+/files/[0-9a-f]{64})"', eva.get(CASE).text).group(1)
    anonymous = workbench_as(None).get(link)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    sha = link.rsplit("/", 1)[1]
    assert eva.get(f"/cases/OTHER-CASE/files/{sha}").status_code == 404
    assert eva.get(f"{CASE}/files/{'0' * 64}").status_code == 404


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


HOSTILE = {
    "over the limit": ("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_EVIDENCE_FILE_BYTES, "over the limit of 20 MB"),
    "html named pdf": ("x.pdf", b"<html><script>alert(1)</script></html>", "is not PDF"),
    "an executable": ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64, "is not PDF"),
    "a zip not office": ("x.docx", _zip({"payload.sh": b"rm -rf /"}), "not an Office document"),
    "a macro document": (
        "x.docm",
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}),
        "with macros",
    ),
    "empty": ("empty.pdf", b"", "empty"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_upload_is_refused_with_its_reason_and_nothing_written(workbench_as, lifecycle_db, case):
    name, content, reason = HOSTILE[case]
    response = reply(workbench_as("eva"), files=[("ok.pdf", PDF), (name, content)])
    assert response.status_code == 422
    field = response.text.split('name="evidence_files"')[1].split("</tr>")[0]
    assert 'class="field-error"' in field and reason in html.unescape(field)
    assert len(versions_in(lifecycle_db)) == 1 and stored_files(lifecycle_db) == []


def test_evidence_types_are_read_from_the_bytes() -> None:
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert evidence_media_type(docx, "报告.bin") == DOCX  # the name does not decide
    assert evidence_media_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.doc") == DOC
    with pytest.raises(NotAllowedType):
        evidence_media_type(b"GIF89a....", "x.png")
    assert clean_file_name("../../../etc/passwd", 120) == "passwd"
    assert clean_file_name("..", 120) == "evidence"
    assert clean_file_name("a\u202etxt.pdf\x00", 120) == "atxt.pdf"
    assert clean_file_name("长" * 200 + ".pdf", 120).endswith(".pdf")


def test_evidence_files_are_append_only(workbench_as, lifecycle_db):
    assert reply(workbench_as("eva"), files=[("x.pdf", PDF)]).status_code == 303
    with sqlite3.connect(lifecycle_db) as conn:
        for statement in ("UPDATE evidence_files SET name = 'y.pdf'", "DELETE FROM evidence_files"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)


# ----------------------------------------------------------------------- CSRF and hostile text
@pytest.mark.parametrize("url", [REPLY, VERIFY, f"{CASE}/decision"])
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_each_post_needs_its_csrf_token(workbench_as, lifecycle_db, url, token):
    name = "dora" if url.endswith("/decision") else "eva"
    client = workbench_as(name)
    data = {**form_of(client), "date": "2027-03-25", "outcome": "refuse", "justification": "j"}
    data.pop("csrf_token")
    if token is not None:
        data["csrf_token"] = token
    assert client.post(url, data=data).status_code == 403
    assert len(versions_in(lifecycle_db)) == 1


def test_hostile_text_in_every_field_is_escaped_on_the_case_page(workbench_as, lifecycle_db):
    eva = workbench_as("eva")
    for payload in XSS:
        fields = ("root_cause", "correction", "corrective_action", "evidence_text")
        assert reply(eva, **dict.fromkeys(fields, payload)).status_code == 303
        assert verify(eva, result="rejected", note=payload).status_code == 303
    dora = workbench_as("dora")
    page = dora.get(CASE).text
    form = {"csrf_token": csrf_of(page), "base": re.search(r'name="base" value="(\d+)"', page).group(1)}
    decision = {**form, "date": "2027-03-25", "outcome": "refuse", "justification": XSS[0] + XSS[1]}
    assert dora.post(f"{CASE}/decision", data=decision).status_code == 303
    page = eva.get(CASE).text
    for payload in XSS:
        assert payload not in page
        assert str(markupsafe.escape(payload)) in page
    assert "<img src=x" not in page and "<script>alert" not in page


def test_the_header_names_the_user_offers_logout_and_the_intake_only_to_evaluators(workbench_as):
    evaluator = workbench_as("eva").get(CASE).text
    header = evaluator.split("</header>")[0]
    assert "李四" in header and 'action="/logout"' in header and 'name="csrf_token"' in header
    assert 'id="new-case" href="/cases/new?stage=initial"' in header
    decision_maker = workbench_as("dora").get(CASE).text.split("</header>")[0]
    assert "王五" in decision_maker and 'id="new-case"' not in decision_maker
    out = workbench_as("eva")
    token = csrf_of(out.get(CASE).text)
    assert out.post("/logout", data={"csrf_token": token}).status_code == 303
    assert out.get(CASE).status_code == 303  # logged out: back to the login page
