"""The grant the clerk chose, in the browser: the console's decision form shows the
case's documents as a checklist beside 申请内容 (副卷 listed, never grantable) and a
允许打印 switch; the clerk previews the 副卷 in the console; the reader's web center then
says what was granted and offers nothing more: no other document, no 打印."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import (
    PASSWORD,
    account,
    import_case,
    ingest,
    new_staff,
    person,
    sign_in,
    staff_sign_in,
    until_status,
)
from tests.support import Api, new_phone, wait_until


def test_the_clerk_grants_part_of_the_dossier_without_printing(stack, admin, browsers):
    party = person("周部分")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])], dossier=True)
    ingest(admin, case_no, pages=2, title="起诉状")
    ingest(admin, case_no, pages=2, title="证据材料")
    ingest(admin, case_no, pages=1, title="审理报告", volume="副卷")
    clerk = new_staff(admin, "clerk", "郑审查")
    reader = account(
        stack, admin, name=party["name"], id_number=party["id_number"], phone=new_phone(), password=PASSWORD
    )
    applied = reader.post(
        "/api/v1/applications",
        json={"case_no": case_no, "scope": "起诉状", "reason": "核对诉请", "material_ids": []},
    )
    assert applied.status_code == 201, applied.text
    application_id = applied.json()["id"]

    staff_api = Api(stack.base_url)
    staff_api.login(clerk["phone"], clerk["password"])
    # found by its case number: on a shared stack the court's queue holds other tests' too
    mine = {"case_no": case_no}
    queued = lambda: any(  # noqa: E731
        a["id"] == application_id for a in staff_api.get("/api/v1/staff/applications", params=mine).json()["items"]
    )
    assert wait_until(queued), "the application never reached the clerk's queue"

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    row = desk.locator(f"tr[data-id='{application_id}']")
    expect(row).to_contain_text(case_no)
    row.get_by_role("link", name="审查").click()
    context = desk.locator(".review-context")  # who applies, as what, and the case itself
    expect(context).to_contain_text("本案当事人")
    expect(context).to_contain_text("已实名认证（人工核验身份证件，")  # told apart from a namesake
    expect(context).to_contain_text("有（可在线阅卷）")
    expect(context.locator(".case-parties")).to_contain_text(f"原告：{party['name']}")
    checklist = desk.locator(".grant-checklist")
    expect(checklist).to_contain_text("申请内容：起诉状")
    expect(checklist.get_by_label("起诉状（2页）")).to_be_checked()
    expect(checklist.get_by_label("审理报告（1页）")).to_be_disabled()
    expect(checklist).to_contain_text("副卷（不对阅卷人开放）")

    # the clerk looks at the 副卷 before deciding: stamped for them, in the case's log
    desk.get_by_role("link", name="卷宗预览（含副卷）").click()
    desk.get_by_role("button", name="审理报告（1页）").click()
    expect(desk.locator("img.page-image")).to_have_attribute("alt", re.compile("审理报告 第1页"))
    expect(desk.get_by_role("button", name="打印")).to_have_count(0)
    desk.get_by_role("link", name="返回审查").click()

    checklist.get_by_label("证据材料（2页）").uncheck()
    desk.get_by_label("允许打印").uncheck()
    desk.get_by_role("button", name="提交审查决定").click()
    expect(desk.locator(".status-line .tag")).to_have_text("通过")
    expect(desk.locator(".detail")).to_contain_text("部分卷宗：起诉状（仅限在线查看，不可打印）")
    desk.get_by_role("link", name="本案阅卷记录").click()
    expect(desk.locator(".access-log")).to_contain_text("查看 《审理报告》 第1页")
    expect(desk.locator(".access-log")).to_contain_text("郑审查（审查人） · 本院预览")

    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    sign_in(web, reader.phone, PASSWORD)
    web.wait_for_url("**/web/applications")
    detail = f"/web/applications/{application_id}"
    until_status(web, detail, "通过")
    expect(web.locator(".kv-row", has_text="阅卷范围")).to_contain_text("部分卷宗：起诉状（仅限在线查看，不可打印）")
    expect(web.locator(".grant-note")).to_contain_text("仅限在线查看，不可打印")
    expect(web.get_by_role("button", name="打印")).to_have_count(0)
    web.get_by_role("button", name="查看案卷").click()
    web.wait_for_url(f"**{detail}/dossier")
    expect(web.locator(".doc-link")).to_have_text(["起诉状（2页）"])
    expect(web.locator(".volumes")).not_to_contain_text("审理报告")
    expect(web.locator(".no-print")).to_have_text("仅限在线查看，不可打印")
    expect(web.get_by_role("button", name="打印")).to_have_count(0)
