"""谁查阅了我的案件 (B13) in the browser: two parties of one case; one reads the dossier
through an approved application, the other opens 我的案件 → 查阅记录 in the web center and
on the phone and finds the row (the date, the reader and what they are to the case, the
document, the pages), with the sentence saying what is shown and why. The reader's own
reads are not in their list; a lawyer of the case is not offered the page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    READS_NOTE,
    account,
    approve_by_api,
    court_today,
    import_case,
    ingest,
    person,
    read_pages,
    registered_lawyer,
    sign_in,
)


def test_a_party_sees_who_else_read_the_case(stack, admin, browsers):
    reader, other = person("林阅读"), person("陈当事")
    lawyer = registered_lawyer(admin, "吴代理", "广州正义律师事务所")
    case_no = import_case(
        admin,
        parties=[(reader["name"], reader["id_number"]), (other["name"], other["id_number"])],
        lawyers=[{"name": lawyer["name"], "license_no": lawyer["license_no"], "party_name": other["name"]}],
        dossier=True,
    )
    doc = ingest(admin, case_no, pages=3, title="起诉状")
    ingest(admin, case_no, pages=1, title="答辩状")
    reading = account(stack, admin, **reader)
    account(stack, admin, **other)
    account(stack, admin, "lawyer", **lawyer, law_firm="广州正义律师事务所")

    # 林阅读 applies, the court agrees to online reading, and every page of 起诉状 is read
    applied = reading.post(
        "/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "核对证据", "material_ids": []}
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["id"]
    approve_by_api(stack, admin, reading, application_id)
    read_pages(reading, application_id, doc["id"], range(1, 4))
    today = court_today()

    # 陈当事 in the web center: 我的案件, then 查阅记录 of the case
    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    sign_in(web, other["phone"], other["password"])
    web.wait_for_url("**/web/applications")
    web.locator("#nav").get_by_role("link", name="我的案件").click()
    web.wait_for_url("**/web/cases")
    row = web.locator("tr", has_text=case_no)
    expect(row).to_contain_text("当事人")
    row.get_by_role("link", name="查阅记录").click()
    web.wait_for_url(re.compile(r"/web/cases/[^/]+/reads$"))
    expect(web.get_by_role("heading", level=1)).to_contain_text(case_no)
    expect(web.locator(".reads-note")).to_have_text(READS_NOTE)
    expect(web.locator(".case-reads-list thead th")).to_have_text(
        ["日期", "查阅人", "身份", "查阅的文书", "页数", "打印次数"]
    )
    line = web.locator(".read-row", has_text=reader["name"])
    expect(line).to_have_count(1)
    expect(line.locator("td")).to_have_text([today, reader["name"], "当事人", "《起诉状》", "3", "0"])
    expect(web.locator(".read-row", has_text=other["name"])).to_have_count(0)  # never one's own
    browsers.shot(web, "web-10-case-reads")

    # the same on the phone: 手机阅卷 → 我的案件 → 查阅记录
    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/login")
    sign_in(phone, other["phone"], other["password"])
    phone.wait_for_url("**/m/reading")
    phone.get_by_role("link", name="我的案件").click()
    phone.wait_for_url("**/m/cases")
    expect(phone.locator(".case-row", has_text=case_no)).to_contain_text("您是：当事人")
    browsers.shot(phone, "m-12-my-cases")
    phone.locator(".case-row", has_text=case_no).get_by_role("link", name="查阅记录").click()
    phone.wait_for_url(re.compile(r"/m/cases/[^/]+/reads$"))
    expect(phone.locator("#page-title")).to_have_text("查阅记录")
    expect(phone.locator(".reads-note")).to_have_text(READS_NOTE)
    line = phone.locator(".read-row", has_text=reader["name"])
    expect(line).to_contain_text(f"{reader['name']}（当事人）")
    expect(line).to_contain_text("《起诉状》")
    expect(line).to_contain_text("查看 3 页 · 打印 0 次")
    expect(line).to_contain_text(today)
    browsers.shot(phone, "m-13-case-reads")

    # the reader's own reads are in their application's 阅卷记录, not here
    mine = browsers.page(PHONE, mobile=True)
    mine.goto("/m/login")
    sign_in(mine, reader["phone"], reader["password"])
    mine.wait_for_url("**/m/reading")
    mine.goto("/m/cases")
    mine.locator(".case-row", has_text=case_no).get_by_role("link", name="查阅记录").click()
    expect(mine.locator(".empty")).to_have_text("暂无他人查阅本案电子卷宗的记录。")
    expect(mine.locator(".read-row")).to_have_count(0)

    # a lawyer of the case lists it, with 申请阅卷 but no 查阅记录
    counsel = browsers.page(DESKTOP)
    counsel.goto("/web/login")
    sign_in(counsel, lawyer["phone"], lawyer["password"])
    counsel.wait_for_url("**/web/applications")
    counsel.goto("/web/cases")
    row = counsel.locator("tr", has_text=case_no)
    expect(row).to_contain_text("代理律师")
    expect(row.get_by_role("link", name="申请阅卷")).to_be_visible()
    expect(row.get_by_role("link", name="查阅记录")).to_have_count(0)
