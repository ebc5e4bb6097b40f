"""The admin's screens of the console: case import (the feed, one case by hand), dossier
ingestion with progress, the lawyer registry and staff accounts; and the console keeps
parties out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import COURT, account, pdf_file, person, sign_in, staff_sign_in
from tests.support import Api, new_case_no, new_license_no, new_phone


def test_admin_imports_ingests_and_creates_staff(stack, admin, browsers):
    party = person("吴当事")
    case_no = new_case_no()
    page = browsers.page(DESKTOP)
    staff_sign_in(page, stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    page.wait_for_url("**/staff/admin/cases")

    page.get_by_label("案号").fill(case_no.replace("（", "(").replace("）", ")"))
    page.get_by_label("案由").fill("借款合同纠纷")
    page.get_by_label("当事人").fill(f"{party['name']},{party['id_number']},原告")
    browsers.shot(page, "staff-04-case-import")
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#toast")).to_have_text("已导入 1 件")

    page.get_by_role("link", name="卷宗入库").click()
    page.get_by_label("案号").fill(case_no)
    page.get_by_label("标题").fill("庭审笔录")
    page.get_by_label("PDF 文件").set_input_files(pdf_file("笔录.pdf", pages=2))
    page.get_by_role("button", name="上传入库").click()
    expect(page.get_by_text("已入库：正卷 · 庭审笔录（2页）")).to_be_visible(timeout=60_000)
    page.get_by_label("案号").fill("（2024）粤01民初")
    page.get_by_role("button", name="上传入库").click()
    expect(page.get_by_role("alert")).to_contain_text("案号")

    license_no = new_license_no()
    page.get_by_role("link", name="律师名册").click()
    page.get_by_label("律师").fill(f"{license_no},钱律师,广东钱氏律师事务所")
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#toast")).to_have_text("已导入 1 人")

    page.get_by_role("link", name="工作人员").click()
    clerk_phone = new_phone()
    page.get_by_label("姓名").fill("新审查员")
    page.get_by_label("手机号").fill(clerk_phone)
    page.get_by_label("初始密码").fill("Staff-2024x")
    page.get_by_label("角色").select_option("clerk")
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator("#toast")).to_contain_text("新审查员")

    # what the screens did is real: the party's case, with its dossier; the clerk can sign in
    client = account(stack, admin, name=party["name"], id_number=party["id_number"])
    found = client.get("/api/v1/cases/lookup", params={"case_no": case_no}).json()
    assert found["relation"] == "party" and found["court"] == COURT and found["has_electronic_dossier"] is True
    Api(stack.base_url).login(clerk_phone, "Staff-2024x")

    # the console is for staff: a party signing in there is told so and stays signed out
    outsider = browsers.page(DESKTOP)
    outsider.goto("/staff/applications")
    outsider.wait_for_url(re.compile(r"/staff/login\?next="))
    sign_in(outsider, client.phone, client.password)
    expect(outsider.get_by_role("alert")).to_contain_text("此入口供审查人、档案室、管理员使用")
    assert not any(c["name"] == "court_session" for c in outsider.context.cookies())
