"""统计导出 in the console: a clerk sees the year's figures by month and downloads them,
exports the queue as it is filtered, and takes an application's 阅卷记录 as a PDF for the
case file."""

from __future__ import annotations

import csv

import openpyxl
import pypdfium2 as pdfium
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import (
    account,
    approve_by_api,
    court_today,
    import_case,
    ingest,
    new_staff,
    person,
    read_pages,
    staff_sign_in,
)


def court_day() -> str:
    return court_today().replace("-", "")


def test_a_clerk_exports_the_figures_the_queue_and_an_access_record(stack, admin, browsers):
    reader = person("褚导出")
    case_no = import_case(admin, parties=[(reader["name"], reader["id_number"])], dossier=True)
    doc = ingest(admin, case_no, pages=2, title="起诉状")
    api = account(stack, admin, **reader)
    applied = api.post(
        "/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "核对证据", "material_ids": []}
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["id"]
    approve_by_api(stack, admin, api, application_id)
    read_pages(api, application_id, doc["id"], [1, 2])
    clerk = new_staff(admin, "clerk", "卫统计")

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    desk.locator("nav#nav").get_by_role("link", name="统计导出").click()
    desk.wait_for_url("**/staff/exports")
    figures = desk.locator("table.statistics")
    expect(figures.locator("thead")).to_contain_text("收到申请")
    expect(figures.locator("tbody tr")).to_have_count(13)  # twelve months and the year
    expect(figures.locator("tbody tr").last).to_contain_text("全年")
    browsers.shot(desk, "staff-21-statistics")
    with desk.expect_download() as download:
        desk.get_by_role("link", name="导出统计（XLSX）").click()
    assert download.value.suggested_filename.endswith("年阅卷申请统计-" + court_day() + ".xlsx")
    with open(download.value.path(), "rb") as fh:
        sheet = openpyxl.load_workbook(fh).active
    rows = list(sheet.values)
    assert rows[0][0] == "月份" and len(rows) == 14 and rows[-1][1] >= 1

    # the queue, filtered to this case, as CSV
    desk.locator("nav#nav").get_by_role("link", name="阅卷审查").click()
    desk.get_by_label("案号").fill(case_no)
    desk.get_by_role("button", name="查询").click()
    desk.locator(".queue-tabs [data-status=approved]").click()
    with desk.expect_download() as download:
        desk.locator(".queue-exports").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    with open(download.value.path(), encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert [line[0] for line in lines[1:]] == [str(application_id)]
    assert lines[1][1] == case_no and lines[1][5] == "通过"

    # 导出阅卷记录 (PDF) from the application's page
    desk.goto(f"/staff/applications/{application_id}")
    record = desk.get_by_role("link", name="导出阅卷记录（PDF）")
    href = record.get_attribute("href")
    assert href == f"/api/v1/staff/applications/{application_id}/access-log/pdf"
    pdf = desk.context.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdfium.PdfDocument(pdf.body())[0].get_textpage().get_text_range()
    assert "阅卷记录" in text and reader["name"] in text and "起诉状" in text
