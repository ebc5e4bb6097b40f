"""打印 of the dossier on the phone (/m/): the reader taps 打印 on the detail page, finds
every readable document ticked, unticks one, watches the PDF being made (a progress bar,
pages done of total) and downloads one stamped PDF of what stayed ticked; the download is
in the application's 阅卷记录."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.steps import (
    account,
    apply_for_all,
    approve_by_api,
    assert_print_copy,
    import_case,
    ingest,
    person,
    sign_in,
)


def test_a_reader_prints_the_documents_they_tick_with_progress(stack, admin, browsers):
    reader = person("冯打印")
    case_no = import_case(admin, parties=[(reader["name"], reader["id_number"])], dossier=True)
    ingest(admin, case_no, pages=40, title="庭审笔录")
    ingest(admin, case_no, pages=2, title="答辩状")
    ingest(admin, case_no, pages=1, title="审理报告", volume="副卷")
    api = account(stack, admin, **reader)
    application_id = apply_for_all(api, case_no, "打印卷宗")
    approve_by_api(stack, admin, api, application_id)

    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/login")
    sign_in(phone, reader["phone"], reader["password"])
    phone.wait_for_url("**/m/reading")
    phone.goto(f"/m/applications/{application_id}")
    phone.get_by_role("button", name="打印").click()
    choice = phone.locator(".print-choice")
    expect(choice.get_by_label("正卷 · 庭审笔录（40页）")).to_be_checked()
    expect(choice.get_by_label("正卷 · 答辩状（2页）")).to_be_checked()
    expect(choice).not_to_contain_text("审理报告")  # 副卷 never reaches a reader
    expect(choice.locator(".print-summary")).to_have_text("已选 2 份文件，共 42 页")
    choice.get_by_label("正卷 · 答辩状（2页）").uncheck()
    expect(choice.locator(".print-summary")).to_have_text("已选 1 份文件，共 40 页")
    choice.get_by_role("button", name="生成打印文件").click()
    bar = choice.locator("progress")
    expect(bar).to_have_attribute("max", "40")
    expect(choice.locator(".print-status")).to_have_text("打印文件已生成（共 40 页）。", timeout=60_000)
    expect(bar).to_have_attribute("value", "40")
    browsers.shot(phone, "m-22-print-job")
    download = choice.get_by_role("link", name="下载打印文件")
    href = download.get_attribute("href")
    assert re.fullmatch(rf"/api/v1/applications/{application_id}/dossier/prints/[0-9a-f]{{32}}/pdf", href)
    printed = phone.context.request.get(href)
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
    assert_print_copy(printed.body(), pages=40)

    phone.reload()
    phone.get_by_role("button", name="查看阅卷记录").click()
    expect(phone.locator(".access-log")).to_contain_text("打印（下载） 《庭审笔录》")
    expect(phone.locator(".access-log")).not_to_contain_text("答辩状")
