"""The manual's second half on a PC (/web/): a lawyer not on record for an in-trial case
is told to bind first, binds with materials, a clerk approves the binding, the lawyer
applies with the four materials; the case has no electronic dossier, so the clerk is
guided to on-site reading; the archivist records attendance and the lawyer sees it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import (
    approve_binding,
    approve_onsite,
    continue_after_verification,
    court_today,
    fill_signup,
    import_case,
    new_staff,
    pdf_file,
    person,
    record_attendance,
    registered_lawyer,
    staff_sign_in,
)

FIRM = "广东明法律师事务所"


def test_lawyer_binds_applies_and_reads_on_site(stack, admin, browsers):
    lawyer = registered_lawyer(admin, "黄律师", FIRM)
    client = person("周委托")
    case_no = import_case(admin, parties=[(client["name"], client["id_number"])], dossier=False)
    clerk = new_staff(admin, "clerk", "郑审查")
    archivist = new_staff(admin, "archivist", "王档案")

    web = browsers.page(DESKTOP)
    web.goto("/web/")
    expect(web.get_by_role("heading", name="广州法院电子诉讼服务中心")).to_be_visible()
    web.locator("main").get_by_role("link", name="网上阅卷").click()
    web.wait_for_url(re.compile(r"/web/login\?next="))
    browsers.shot(web, "web-01-sign-in")
    web.locator("main").get_by_role("link", name="注册").click()
    fill_signup(web, stack, lawyer, firm="别的律师事务所")
    web.get_by_role("button", name="注册并登录").click()
    expect(web.get_by_role("alert")).to_contain_text("律师名册")  # license_not_verified, in words
    web.get_by_label("律师事务所").fill(FIRM)
    web.get_by_role("button", name="注册并登录").click()
    continue_after_verification(web, stack, admin, lawyer, "/web/applications")
    expect(web.get_by_text("暂无阅卷申请")).to_be_visible()

    # 申请: the eligibility answer says to bind first, with the way to do it
    web.get_by_role("button", name="申请").click()
    web.get_by_label("案号").fill(case_no)
    web.get_by_role("button", name="查询案件").click()
    expect(web.locator(".eligibility")).to_contain_text("您尚未绑定该案件")
    browsers.shot(web, "web-02-binding-required")
    web.locator(".eligibility").get_by_role("button", name="申请案件绑定").click()
    web.wait_for_url(re.compile(r"/web/bindings/new\?case_no="))
    expect(web.get_by_label("案号")).to_have_value(case_no)
    web.get_by_label("当事人姓名").fill(client["name"])
    web.get_by_role("button", name="提交绑定申请").click()
    expect(web.get_by_role("alert")).to_contain_text("执业证")  # missing materials named
    web.locator("input[data-kind=license]").set_input_files(pdf_file("执业证.pdf"))
    web.locator("input[data-kind=authorization]").set_input_files(pdf_file("授权委托书.pdf"))
    expect(web.locator(".uploaded li")).to_have_count(2)
    web.get_by_role("button", name="提交绑定申请").click()
    web.wait_for_url("**/web/bindings")
    expect(web.locator(".binding-list")).to_contain_text("待审查")

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    approve_binding(desk, case_no, client["name"])

    # now the application, with the four materials
    web.reload()
    expect(web.locator(".binding-list")).to_contain_text("已绑定")
    web.goto(f"/web/applications/new?case_no={case_no}")
    web.get_by_role("button", name="查询案件").click()
    expect(web.locator(".eligibility")).to_contain_text("已绑定律师")
    web.get_by_label("申请原因").fill("代理诉讼，查阅全案")
    for kind in ("license", "firm_letter", "authorization", "party_id"):
        web.locator(f"input[data-kind={kind}]").set_input_files(pdf_file(f"{kind}.pdf"))
    expect(web.locator(".uploaded li")).to_have_count(4)
    browsers.shot(web, "web-04-application-form")
    web.get_by_role("button", name="提交申请").click()
    web.wait_for_url(re.compile(r"/web/applications/\d+$"))
    application_id = web.url.rsplit("/", 1)[1]
    web.get_by_role("link", name="返回列表").click()
    expect(web.locator(f"tr[data-id='{application_id}']")).to_contain_text("待审查")
    browsers.shot(web, "web-05-application-list")

    # the clerk: no electronic dossier, so on-site reading; the archive room records the visit
    today = date.fromisoformat(court_today())
    approve_onsite(desk, application_id, today, today + timedelta(days=1))
    room = browsers.page(DESKTOP)
    staff_sign_in(room, archivist["phone"], archivist["password"])
    _, returned = record_attendance(room, application_id, today)
    browsers.shot(room, "staff-03-onsite-list")

    # the lawyer sees the notice, the window and the attendance
    web.goto(f"/web/applications/{application_id}")
    reading = web.locator(".block", has_text="阅卷材料")
    expect(reading).to_contain_text("温馨提示")
    expect(reading.locator(".kv-row", has_text="是否到场")).to_contain_text("是")
    expect(reading.locator(".kv-row", has_text="还卷时间")).to_contain_text(returned)
    expect(web.get_by_role("button", name="查看案卷")).to_have_count(0)
    browsers.shot(web, "web-06-onsite-detail")
