"""The manual's second half on a phone (/m/): a lawyer not on record for an in-trial case
is told to bind first, binds with materials, a clerk approves the binding in /staff/, the
lawyer applies with the four materials; the case has no electronic dossier, so the clerk
agrees to on-site reading; the archive room records attendance and the lawyer sees the
notice, the window and the attendance on the phone."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
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

FIRM = "广东正言律师事务所"


def test_lawyer_binds_and_applies_on_the_phone_for_on_site_reading(stack, admin, browsers):
    lawyer = registered_lawyer(admin, "罗律师", FIRM)
    client = person("孙委托")
    case_no = import_case(admin, parties=[(client["name"], client["id_number"])], dossier=False)
    clerk = new_staff(admin, "clerk", "梁审查")
    archivist = new_staff(admin, "archivist", "冯档案")

    # 公众服务 → 手机阅卷 → 注册 as a lawyer: the registry check happens on sign-up
    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/")
    phone.get_by_role("link", name="手机阅卷").click()
    phone.wait_for_url(re.compile(r"/m/login\?next="))
    phone.get_by_role("link", name="注册").click()
    fill_signup(phone, stack, lawyer, firm=FIRM)
    phone.get_by_role("button", name="注册并登录").click()
    continue_after_verification(phone, stack, admin, lawyer, "/m/reading")
    expect(phone.locator(".user-line")).to_contain_text(f"{lawyer['name']}（律师）")
    expect(phone.get_by_role("link", name="案件绑定")).to_be_visible()

    # 阅卷申请 → 申请: not on record for an in-trial case, so binding comes first
    phone.get_by_role("link", name="阅卷申请").click()
    phone.get_by_role("button", name="申请").click()
    phone.get_by_label("案号").fill(case_no)
    phone.get_by_role("button", name="查询案件").click()
    expect(phone.locator(".eligibility")).to_contain_text("需先申请案件绑定")
    expect(phone.locator(".eligibility")).to_contain_text("您是：无关联")
    phone.locator(".eligibility").get_by_role("button", name="申请案件绑定").click()
    phone.wait_for_url(re.compile(r"/m/bindings/new\?case_no="))
    expect(phone.get_by_label("案号")).to_have_value(case_no)
    phone.get_by_label("当事人姓名").fill(client["name"])
    phone.locator("input[data-kind=license]").set_input_files(pdf_file("执业证.pdf"))
    expect(phone.locator(".uploaded li")).to_have_count(1)  # uploaded before the form is sent
    phone.get_by_role("button", name="提交绑定申请").click()
    expect(phone.get_by_role("alert")).to_contain_text("授权委托书")  # the missing one, named
    phone.locator("input[data-kind=authorization]").set_input_files(pdf_file("授权委托书.pdf"))
    expect(phone.locator(".uploaded li")).to_have_count(2)
    phone.get_by_role("button", name="提交绑定申请").click()
    phone.wait_for_url("**/m/bindings")
    expect(phone.locator(".binding-list")).to_contain_text("待审查")

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    approve_binding(desk, case_no, client["name"])

    # bound: the application, with the four materials a lawyer brings
    phone.reload()
    expect(phone.locator(".binding-list")).to_contain_text("已绑定")
    phone.goto(f"/m/applications/new?case_no={case_no}")
    phone.get_by_role("button", name="查询案件").click()
    expect(phone.locator(".eligibility")).to_contain_text("已绑定律师")
    phone.get_by_label("申请原因").fill("代理诉讼，查阅全案")
    for kind in ("license", "firm_letter", "authorization", "party_id"):
        phone.locator(f"input[data-kind={kind}]").set_input_files(pdf_file(f"{kind}.pdf"))
    expect(phone.locator(".uploaded li")).to_have_count(4)
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/m/applications/\d+$"))
    application_id = phone.url.rsplit("/", 1)[1]
    expect(phone.locator(".status-line .tag")).to_have_text("待审查")
    expect(phone.locator(".material-groups > li")).to_have_count(4)

    # the clerk agrees to on-site reading; the archive room records the visit
    today = date.fromisoformat(court_today())
    approve_onsite(desk, application_id, today, today + timedelta(days=1))
    room = browsers.page(DESKTOP)
    staff_sign_in(room, archivist["phone"], archivist["password"])
    borrowed, returned = record_attendance(room, application_id, today)

    # on the phone: 温馨提示, the window, the attendance; nothing to read online
    phone.goto(f"/m/applications/{application_id}")
    expect(phone.locator(".status-line .tag")).to_have_text("通过")
    expect(phone.locator(".block", has_text="审查信息")).to_contain_text("现场阅卷")
    reading = phone.locator(".block", has_text="阅卷材料")
    expect(reading).to_contain_text("温馨提示")
    rows = {
        "起始时间": today.isoformat(),
        "截止时间": (today + timedelta(days=1)).isoformat(),
        "是否到场": "是",
        "借阅时间": borrowed,
        "还卷时间": returned,
    }
    for label, value in rows.items():
        expect(reading.locator(".kv-row", has_text=label).locator("dd")).to_have_text(value)
    expect(phone.get_by_role("button", name="查看案卷")).to_have_count(0)
    expect(phone.get_by_role("button", name="复制链接")).to_have_count(0)
