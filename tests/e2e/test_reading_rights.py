"""Reading rights a court can defend, end to end through every service: readers see the
正卷 only; a grant is the documents and printing the clerk chose; the court's own staff
preview the whole dossier, stamped with their name and logged; every read of a case is in
its log. Another user's, another court's and a 副卷 id answer exactly like missing ones."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image, ImageChops

from tests.e2e.test_applications import apply, eventually, import_case
from tests.e2e.test_dossier import ingest
from tests.support import Api, assert_error, create_staff, make_pdf, new_party

COURT = "广东省广州市中级人民法院"
OTHER_COURT = "广东省深圳市中级人民法院"


def page_path(app_id: int, doc: int, page: int = 1) -> str:
    return f"/api/v1/applications/{app_id}/dossier/documents/{doc}/pages/{page}"


def approve_online(clerk: Api, reader: Api, app_id: int, **grant) -> dict:
    """The clerk decides through review; returns the application once dossier and
    applications have both heard of it."""
    assert eventually(lambda: clerk.get(f"/api/v1/applications/{app_id}").status_code, lambda status: status == 200), (
        "the application never reached the clerk"
    )
    decided = eventually(
        lambda: clerk.post(
            f"/api/v1/staff/applications/{app_id}/decision", json={"opinion": "approve", "mode": "online", **grant}
        ),
        lambda r: r.status_code != 404,  # review hears of the submission by event
    )
    assert decided.status_code == 200, decided.text
    assert eventually(lambda: reader.get(f"/api/v1/applications/{app_id}/dossier").status_code, lambda s: s == 200)
    return eventually(lambda: reader.get(f"/api/v1/applications/{app_id}").json(), lambda a: a["status"] == "approved")


@pytest.fixture(scope="module")
def case(stack):
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    whole, partial = new_party(stack.base_url, "全卷读者"), new_party(stack.base_url, "部分读者")
    case_no = import_case(admin, parties=(whole, partial))
    docs = {}
    for volume, title in (("正卷", "起诉状"), ("副卷", "审理报告"), ("正卷（二）", "答辩状"), ("正卷", "证据材料")):
        response = ingest(admin, case_no, make_pdf(2, title), volume, title)
        assert response.status_code == 201, response.text
        docs[title] = response.json()["id"]
    clerk = create_staff(admin, "clerk", COURT, name="预览审查员")
    other_clerk = create_staff(admin, "clerk", OTHER_COURT, name="他院审查员")
    archivist = create_staff(admin, "archivist", COURT, name="档案员")
    apps = {}
    for reader in (whole, partial):
        response = apply(reader, case_no)
        assert response.status_code == 201, response.text
        apps[reader.user["name"]] = response.json()["id"]
    return SimpleNamespace(
        admin=admin,
        case_no=case_no,
        docs=docs,
        whole=whole,
        partial=partial,
        apps=apps,
        clerk=clerk,
        other_clerk=other_clerk,
        archivist=archivist,
    )


def test_only_main_volume_titles_are_ingested(case):
    admin = case.admin
    body = assert_error(ingest(admin, case.case_no, make_pdf(1), "卷一", "无卷别"), 422, "validation_error")
    assert "volume" in body["error"]["details"]["fields"]
    assert_error(ingest(admin, case.case_no, make_pdf(1), "诉讼正卷", "前缀不符"), 422, "validation_error")


def test_readers_never_see_the_internal_volume_and_get_only_what_was_granted(case):
    whole_app = case.apps["全卷读者"]
    partial_app = case.apps["部分读者"]
    whole = approve_online(case.clerk, case.whole, whole_app)
    assert whole["reading"]["documents"] is None and whole["reading"]["print"] is True

    structure = case.whole.get(f"/api/v1/applications/{whole_app}/dossier").json()
    # 正卷 volumes in the dossier's order; 副卷 is nowhere
    assert [(v["title"], [d["title"] for d in v["documents"]]) for v in structure["volumes"]] == [
        ("正卷", ["起诉状", "证据材料"]),
        ("正卷（二）", ["答辩状"]),
    ]
    internal = case.docs["审理报告"]
    for path in (page_path(whole_app, internal), f"/api/v1/applications/{whole_app}/dossier/documents/{internal}/pdf"):
        assert_error(case.whole.get(path), 404, "not_found")
    prints = case.whole.get(f"/api/v1/applications/{whole_app}/dossier/documents/{case.docs['起诉状']}/pdf")
    assert prints.status_code == 200 and prints.headers["Content-Type"] == "application/pdf"

    # An id that is not a 正卷 document of the case cannot be granted
    for documents in ([internal], [case.docs["起诉状"], 987654321], []):
        refused = case.clerk.post(
            f"/api/v1/staff/applications/{partial_app}/decision",
            json={"opinion": "approve", "mode": "online", "documents": documents},
        )
        body = assert_error(refused, 422, "validation_error")
        assert "documents" in body["error"]["details"]["fields"]
    partial = approve_online(
        case.clerk, case.partial, partial_app, documents=[case.docs["答辩状"], case.docs["起诉状"]], print=False
    )
    assert partial["reading"]["documents"] == [case.docs["起诉状"], case.docs["答辩状"]]
    assert partial["reading"]["document_titles"] == ["起诉状", "答辩状"]
    assert partial["reading"]["print"] is False
    structure = case.partial.get(f"/api/v1/applications/{partial_app}/dossier").json()
    assert structure["print"] is False
    assert [d["title"] for v in structure["volumes"] for d in v["documents"]] == ["起诉状", "答辩状"]
    assert case.partial.get(page_path(partial_app, case.docs["答辩状"])).status_code == 200
    for left_out in (case.docs["证据材料"], internal):
        assert_error(case.partial.get(page_path(partial_app, left_out)), 404, "not_found")
    no_print = case.partial.get(f"/api/v1/applications/{partial_app}/dossier/documents/{case.docs['起诉状']}/pdf")
    assert_error(no_print, 403, "print_not_allowed")
    # a 复制链接 opens the same narrowed view
    link = case.partial.post(f"/api/v1/applications/{partial_app}/dossier/links")
    assert link.status_code == 201, link.text
    # the whole 正卷 includes documents ingested after the decision; a chosen list does not
    late = ingest(case.admin, case.case_no, make_pdf(1), "正卷", "庭审笔录").json()["id"]
    assert case.whole.get(page_path(whole_app, late)).status_code == 200
    assert_error(case.partial.get(page_path(partial_app, late)), 404, "not_found")
    # the reader's message says what was granted
    messages = case.partial.get("/api/v1/messages").json()["items"]
    assert any("部分卷宗：起诉状、答辩状；仅限在线查看，不可打印" in m["body"] for m in messages), messages


def test_staff_of_the_court_preview_everything_stamped_and_logged(case):
    path = f"/api/v1/staff/cases/{case.case_no}/dossier"
    for staff in (case.clerk, case.archivist):
        preview = staff.get(path)
        assert preview.status_code == 200, preview.text
        kinds = {v["title"]: (v["kind"], v["grantable"]) for v in preview.json()["volumes"]}
        assert kinds["副卷"] == ("副卷", False) and kinds["正卷（二）"] == ("正卷", True)
    internal = case.docs["审理报告"]
    page = f"/api/v1/staff/cases/{case.case_no}/documents/{internal}/pages/1"
    clerk_png = case.clerk.get(page)
    archivist_png = case.archivist.get(page)
    for response in (clerk_png, archivist_png):
        assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
        assert response.headers["Cache-Control"] == "no-store"
    # each stamped with its own reader
    first = Image.open(io.BytesIO(clerk_png.content)).convert("RGB")
    second = Image.open(io.BytesIO(archivist_png.content)).convert("RGB")
    assert ImageChops.difference(first, second).getbbox() is not None

    # another court's staff, readers and unknown ids: 404 or 403 as for anything missing
    assert_error(case.other_clerk.get(path), 404, "not_found")
    assert_error(case.other_clerk.get(page), 404, "not_found")
    assert_error(case.other_clerk.get(f"/api/v1/staff/cases/{case.case_no}/access-log"), 404, "not_found")
    assert_error(case.whole.get(path), 403, "forbidden")
    assert_error(case.clerk.get(f"/api/v1/staff/cases/{case.case_no}/documents/987654321/pages/1"), 404, "not_found")
    assert_error(case.clerk.get(f"/api/v1/staff/cases/{case.case_no}/documents/{internal}/pages/9"), 404, "not_found")
    assert_error(case.clerk.get("/api/v1/staff/cases/not-a-case/dossier"), 404, "not_found")


def test_the_case_log_holds_every_read_by_anyone(case):
    whole_app = case.apps["全卷读者"]
    if case.whole.get(f"/api/v1/applications/{whole_app}/dossier").status_code != 200:
        approve_online(case.clerk, case.whole, whole_app)
    assert case.whole.get(page_path(whole_app, case.docs["起诉状"], 2)).status_code == 200
    internal = case.docs["审理报告"]
    assert case.archivist.get(f"/api/v1/staff/cases/{case.case_no}/documents/{internal}/pages/2").status_code == 200

    log = case.clerk.get(f"/api/v1/staff/cases/{case.case_no}/access-log", params={"limit": 100})
    assert log.status_code == 200, log.text
    items = log.json()["items"]
    reader_line = next(i for i in items if i["actor"] == "全卷读者" and i.get("page") == 2)
    assert reader_line["role"] == "party" and reader_line["application_id"] == whole_app
    assert reader_line["document_title"] == "起诉状"
    staff_line = next(i for i in items if i["actor"] == "档案员" and i.get("page") == 2)
    assert staff_line["role"] == "archivist" and "application_id" not in staff_line
    assert staff_line["document_title"] == "审理报告"
    assert items.index(staff_line) < items.index(reader_line)  # newest first
    # the staff preview is not in any reader's own log
    own = case.whole.get(f"/api/v1/applications/{whole_app}/access-log", params={"limit": 100}).json()["items"]
    assert all(i["actor"] == "全卷读者" for i in own)
    first = case.clerk.get(f"/api/v1/staff/cases/{case.case_no}/access-log", params={"limit": 1}).json()
    second = case.clerk.get(
        f"/api/v1/staff/cases/{case.case_no}/access-log", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert second["items"][0] != first["items"][0]
    assert_error(
        case.clerk.get(f"/api/v1/staff/cases/{case.case_no}/access-log", params={"cursor": "²"}), 400, "bad_request"
    )


def test_the_clerk_sees_who_the_applicant_is_to_the_case(stack, case):
    from tests.e2e.test_applications import lawyer_materials
    from tests.support import new_lawyer

    lawyer = new_lawyer(case.admin, name="在案律师", law_firm="广东在案律师事务所")
    party = new_party(stack.base_url, "张三")
    case_no = import_case(case.admin, parties=(party,), lawyers=(lawyer,))
    applied = apply(lawyer, case_no, lawyer_materials(lawyer))
    assert applied.status_code == 201, applied.text
    app_id = applied.json()["id"]
    expected = {
        "name": "在案律师",
        "role": "lawyer",
        "relation": "lawyer_of_record",
        "license_no": lawyer.license_no,
        "law_firm": "广东在案律师事务所",
        "acts_for": "张三",
    }
    shown = case.clerk.get(f"/api/v1/applications/{app_id}").json()["applicant"]
    assert shown.pop("verification")["label"] == "人工核验身份证件"  # how the clerk tells people apart
    assert shown == expected
    queued = eventually(
        lambda: case.clerk.get("/api/v1/staff/applications", params={"limit": 100}).json()["items"],
        lambda items: any(a["id"] == app_id for a in items),
    )
    queued_applicant = next(a for a in queued if a["id"] == app_id)["applicant"]
    assert queued_applicant.pop("verification")["verified"] is True and queued_applicant == expected

    summary = case.clerk.get(f"/api/v1/staff/cases/{case_no}")
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert (body["status"], body["cause"], body["has_electronic_dossier"]) == ("in_trial", "买卖合同纠纷", True)
    assert body["parties"] == [{"name": "张三", "side": "原告", "kind": "person", "representative": None}]
    assert body["lawyers"] == [{"name": "在案律师", "party_name": "张三"}]
    assert "id_number" not in str(body)
    assert_error(case.other_clerk.get(f"/api/v1/staff/cases/{case_no}"), 404, "not_found")
    assert_error(party.get(f"/api/v1/staff/cases/{case_no}"), 403, "forbidden")
    assert_error(case.clerk.get("/api/v1/staff/cases/nonsense"), 404, "not_found")


def test_a_party_sees_who_else_read_the_case(case):
    """Who read my case: 部分读者 (a party too) sees 全卷读者's reads, one row per reader and
    day, with the documents and pages; never their own, never the staff's previews."""
    whole_app = case.apps["全卷读者"]
    if case.whole.get(f"/api/v1/applications/{whole_app}/dossier").status_code != 200:
        approve_online(case.clerk, case.whole, whole_app)
    for page in (1, 2):
        assert case.whole.get(page_path(whole_app, case.docs["答辩状"], page)).status_code == 200
    reads = f"/api/v1/my/cases/{case.case_no}/reads"
    seen = case.partial.get(reads)
    assert seen.status_code == 200, seen.text
    rows = seen.json()["items"]
    (today,) = [r for r in rows if r["reader"]["name"] == "全卷读者"]
    assert today["reader"]["role"] == "party" and "答辩状" in today["documents"] and today["pages"] >= 2
    assert all(r["reader"]["name"] not in ("部分读者", "档案员", "预览审查员") for r in rows)
    own = case.whole.get(reads).json()["items"]
    assert all(r["reader"]["name"] != "全卷读者" for r in own)  # the reader's own reads are in their log
    stranger = new_party(case.admin.base_url, "无关当事人")
    assert_error(stranger.get(reads), 404, "not_found")
    assert_error(case.clerk.get(reads), 403, "forbidden")
    assert_error(case.partial.get("/api/v1/my/cases/not-a-case/reads"), 422, "invalid_case_no")
    assert_error(case.partial.get(reads, params={"cursor": "nope"}), 400, "bad_request")
