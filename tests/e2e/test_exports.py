"""Exports for the court, end to end: the queue as the console filters it, the decisions of
a period and the year's statistics as CSV and XLSX, in the console's words, for the court's
own staff only; and an application's 阅卷记录 as a PDF for the case file, each line with its
place in the access log's chain."""

from __future__ import annotations

import csv
import io
import uuid
from types import SimpleNamespace

import openpyxl
import pypdfium2 as pdfium
import pytest

from tests.e2e.test_applications import apply, eventually
from tests.e2e.test_dossier import ingest
from tests.e2e.test_reading_rights import approve_online, page_path
from tests.support import Api, assert_error, create_staff, make_pdf, new_case_no, new_party, wait_until

EXPORTS = "/api/v1/staff/exports"


@pytest.fixture(scope="module")
def court(stack):
    admin = stack.admin_api()
    name = f"导出测试法院{uuid.uuid4().hex[:6]}"
    readers = [new_party(stack.base_url, n) for n in ("甲读者", "乙读者", "=HYPERLINK(1)")]
    case_no = new_case_no()
    case = {
        "case_no": case_no,
        "court": name,
        "cause": "合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": True,
        "parties": [{"name": r.user["name"], "id_number": r.id_number, "side": "原告"} for r in readers],
        "lawyers": [],
    }
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    document = ingest(admin, case_no, make_pdf(2), "正卷", "起诉状").json()["id"]
    clerk = create_staff(admin, "clerk", name, name="导出审查员")
    other_clerk = create_staff(admin, "clerk", f"他院{uuid.uuid4().hex[:6]}", name="他院审查员")
    apps = []
    for reader, reason in zip(readers, ("核对证据", "诉讼需要", "=SUM(1,2)"), strict=True):
        response = apply(reader, case_no, reason=reason)
        assert response.status_code == 201, response.text
        apps.append(response.json()["id"])
    approve_online(clerk, readers[0], apps[0])
    for path in (page_path(apps[0], document, 1), page_path(apps[0], document, 2)):
        assert readers[0].get(path).status_code == 200
    reject = {"opinion": "reject", "explanation": "与本案无关"}
    rejected = eventually(  # review hears of the submission by event
        lambda: clerk.post(f"/api/v1/staff/applications/{apps[1]}/decision", json=reject),
        lambda r: r.status_code != 404,
    )
    assert rejected.status_code == 200, rejected.text
    queued = lambda: clerk.get("/api/v1/staff/applications", params={"case_no": case_no}).json()["items"]  # noqa: E731
    assert wait_until(lambda: apps[2] in [a["id"] for a in queued()]), "the last application never reached review"
    return SimpleNamespace(
        name=name, case_no=case_no, readers=readers, apps=apps, clerk=clerk, other=other_clerk, document=document
    )


def rows_of_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads the Chinese right
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_queue_as_csv_in_the_consoles_words(court):
    table = rows_of_csv(court.clerk.get(f"{EXPORTS}/queue", params={"format": "csv"}))
    heading, lines = table[0], table[1:]
    assert heading[:6] == ["申请编号", "案号", "申请人", "身份", "申请时间", "状态"]
    by_id = {line[0]: line for line in lines}
    assert set(by_id) == {str(a) for a in court.apps}  # this court's, nobody else's
    assert by_id[str(court.apps[0])][5] == "通过" and by_id[str(court.apps[0])][8] == "在线阅卷"
    assert by_id[str(court.apps[1])][5] == "不通过" and by_id[str(court.apps[1])][11] == "不同意"
    assert by_id[str(court.apps[2])][5] == "待审查"
    # text that starts like a formula stays text: a name or a reason cannot run in Excel
    assert by_id[str(court.apps[2])][2] == "'=HYPERLINK(1)" and by_id[str(court.apps[2])][7] == "'=SUM(1,2)"


def test_the_queue_filtered_as_xlsx(court):
    response = court.clerk.get(f"{EXPORTS}/queue", params={"format": "xlsx", "status": "pending"})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "申请编号"
    assert [row[0] for row in values[1:]] == [str(court.apps[2])]
    assert values[1][5] == "待审查" and values[1][2] == "'=HYPERLINK(1)"


def test_decisions_of_a_period_and_the_years_statistics(court):
    lines = rows_of_csv(court.clerk.get(f"{EXPORTS}/decisions", params={"format": "csv"}))[1:]
    assert sorted(line[0] for line in lines) == sorted(str(a) for a in court.apps[:2])
    stats = court.clerk.get(f"{EXPORTS}/statistics", params={"format": "json"})
    assert stats.status_code == 200, stats.text
    body = stats.json()
    assert body["columns"][:4] == ["月份", "收到申请", "同意（在线）", "同意（现场）"] and len(body["rows"]) == 13
    whole_year = body["rows"][-1]
    assert whole_year[1:5] == [3, 1, 0, 1]  # received, approved online, on site, rejected
    assert whole_year[7] == 2  # decisions
    sheet = openpyxl.load_workbook(
        io.BytesIO(court.clerk.get(f"{EXPORTS}/statistics", params={"format": "xlsx"}).content)
    ).active
    assert list(sheet.values)[-1][1] == 3


def test_exports_are_the_courts_own(court, stack):
    other = rows_of_csv(court.other.get(f"{EXPORTS}/queue", params={"format": "csv"}))
    assert not {line[0] for line in other[1:]} & {str(a) for a in court.apps}
    assert_error(court.readers[0].get(f"{EXPORTS}/queue"), 403, "forbidden")
    assert Api(stack.base_url).get(f"{EXPORTS}/queue").status_code == 401


def test_bad_export_requests_are_refused_clearly(court):
    assert_error(court.clerk.get(f"{EXPORTS}/queue", params={"format": "pdf"}), 400, "bad_request")
    assert_error(court.clerk.get(f"{EXPORTS}/queue", params={"format": "json"}), 400, "bad_request")
    assert_error(court.clerk.get(f"{EXPORTS}/everything"), 404, "not_found")
    assert_error(court.clerk.get(f"{EXPORTS}/queue", params={"status": "lost"}), 422, "validation_error")
    period = {"from": "2026-05-02", "to": "2026-05-01"}
    assert_error(court.clerk.get(f"{EXPORTS}/decisions", params=period), 422, "invalid_date")
    assert_error(court.clerk.get(f"{EXPORTS}/decisions", params={"from": "yesterday"}), 422, "invalid_date")
    assert_error(court.clerk.get(f"{EXPORTS}/statistics", params={"year": "1066"}), 422, "validation_error")


def test_the_access_record_as_a_pdf_for_the_case_file(court):
    path = f"/api/v1/staff/applications/{court.apps[0]}/access-log/pdf"
    response = court.clerk.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(response.content)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "阅卷记录" in text and court.case_no in text and court.name in text
    assert text.count("查看") >= 2 and "起诉状" in text and court.readers[0].user["name"] in text
    # the other court's clerk and the reader themselves get nothing
    assert_error(court.other.get(path), 404, "not_found")
    assert_error(court.readers[0].get(path), 403, "forbidden")
    assert_error(court.clerk.get(path, headers={"Sec-Fetch-Site": "cross-site"}), 403, "forbidden")
