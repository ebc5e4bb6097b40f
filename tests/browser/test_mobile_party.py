"""The manual's first half on a phone (/m/): a party signs up, applies, a clerk approves
online in /staff/, the party reads pages, copies the link and opens it on a PC (sign-in
first, then the viewer), prints; after the deadline the application shows as expired and
one tap reapplies."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    continue_after_verification,
    fill_signup,
    import_case,
    ingest,
    new_staff,
    person,
    sign_in,
    staff_sign_in,
    wait_for_image,
)


def test_party_applies_on_the_phone_and_reads_online(stack, admin, browsers, clock):
    party = person("陈小雨")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])])
    ingest(admin, case_no, pages=3)
    clerk = new_staff(admin, "clerk", "林审查")

    phone = browsers.page(PHONE, mobile=True)
    # 公众服务 → 手机阅卷: signing up on the way
    phone.goto("/m/")
    expect(phone.get_by_role("heading", name="公众服务")).to_be_visible()
    browsers.shot(phone, "m-01-public-services")
    phone.get_by_role("link", name="手机阅卷").click()
    phone.wait_for_url(re.compile(r"/m/login\?next="))
    phone.get_by_role("link", name="注册").click()
    fill_signup(phone, stack, party, password="short")
    phone.get_by_role("button", name="注册并登录").click()
    expect(phone.get_by_role("alert")).to_contain_text("密码太简单")  # the code, explained
    phone.get_by_label("密码").fill(party["password"])
    browsers.shot(phone, "m-02-sign-up")
    phone.get_by_role("button", name="注册并登录").click()
    # 实名认证 comes next; once the court has verified the account, 继续 leads on
    continue_after_verification(phone, stack, admin, party, "/m/reading")

    # the session lives in an HttpOnly cookie, the page sees only the CSRF value
    cookies = {c["name"]: c for c in phone.context.cookies()}
    assert cookies["court_session"]["httpOnly"] and cookies["court_session"]["sameSite"] == "Lax"
    assert not cookies["court_csrf"]["httpOnly"]
    assert "court_session" not in phone.evaluate("document.cookie")

    # 阅卷申请 → 申请: the eligibility answer before submitting
    phone.get_by_role("link", name="阅卷申请").click()
    expect(phone.get_by_text("暂无阅卷申请")).to_be_visible()
    phone.get_by_role("button", name="申请").click()
    phone.get_by_label("案号").fill("(2024)粤01民初")
    phone.get_by_role("button", name="查询案件").click()
    expect(phone.locator(".eligibility")).to_contain_text("案号")  # invalid_case_no, in words
    phone.get_by_label("案号").fill(case_no.replace("（", "(").replace("）", ")"))
    phone.get_by_role("button", name="查询案件").click()
    expect(phone.locator(".eligibility")).to_contain_text("可以申请")
    expect(phone.get_by_label("案号")).to_have_value(case_no)
    phone.get_by_label("申请原因").fill("准备庭审")
    browsers.shot(phone, "m-03-application-form")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/m/applications/\d+$"))
    application_id = phone.url.rsplit("/", 1)[1]
    expect(phone.locator(".status-line .tag")).to_have_text("待审查")

    # the clerk approves online in the console
    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    desk.wait_for_url("**/staff/applications")
    row = desk.locator(f"tr[data-id='{application_id}']")
    expect(row).to_contain_text(case_no)
    browsers.shot(desk, "staff-01-review-queue")
    row.get_by_role("link", name="审查").click()
    expect(desk.get_by_role("heading", name="审查决定")).to_be_visible()
    desk.get_by_label("审查意见说明").fill("申请符合法律规定，予以同意")
    browsers.shot(desk, "staff-02-decision-form")
    desk.get_by_role("button", name="提交审查决定").click()
    expect(desk.locator(".status-line .tag")).to_have_text("通过")

    # back on the phone: the decision in 站内信, the list's status, the detail's four blocks
    deadline = time.monotonic() + 15
    while True:
        phone.goto("/m/messages")
        phone.locator(".messages, .empty").first.wait_for()
        if phone.locator(".message.unread").count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    phone.locator(".message.unread a").first.click()
    phone.wait_for_url(f"**/m/applications/{application_id}")
    phone.goto("/m/applications")
    expect(phone.locator(f".app-row[data-id='{application_id}'] .tag")).to_have_text("通过")
    browsers.shot(phone, "m-04-application-list")
    phone.locator(f".app-row[data-id='{application_id}']").click()
    # the manual's four blocks, then ours: the reader's own access log
    expect(phone.locator(".block h2")).to_have_text(["申请信息", "审查信息", "申请材料", "阅卷材料", "阅卷记录"])
    expect(phone.locator(".detail")).to_contain_text("在线阅卷")
    expect(phone.locator(".detail")).to_contain_text("有效截止日期")
    valid_until = phone.locator(".kv-row", has_text="有效截止日期").locator("dd").inner_text()
    browsers.shot(phone, "m-05-application-detail")

    # 查看案卷: pages, next and previous
    phone.get_by_role("button", name="查看案卷").click()
    image = phone.locator("img.page-image")
    expect(image).to_have_attribute("alt", re.compile("第1页"))
    wait_for_image(image)
    phone.get_by_role("button", name="下一页").click()
    expect(image).to_have_attribute("alt", re.compile("第2页"))
    wait_for_image(image)
    expect(phone.locator(".deadline")).to_contain_text(f"有效截止日期 {valid_until}")
    browsers.shot(phone, "m-06-dossier-viewer")
    phone.go_back()

    # 复制链接: copied and said so
    phone.get_by_role("button", name="复制链接").click()
    expect(phone.locator("#toast")).to_have_text("已复制链接")
    link = phone.locator(".link-box").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/r/[\w-]{40,}", link)
    assert phone.evaluate("navigator.clipboard.readText()") == link

    # on a PC: the link asks for sign-in first, then lands in the viewer
    pc = browsers.page(DESKTOP)
    pc.goto(link)
    pc.wait_for_url(re.compile(r"/web/login\?next=%2Fr%2F|/web/login\?next=/r/"))
    sign_in(pc, party["phone"], party["password"])
    pc.wait_for_url(f"**/web/applications/{application_id}/dossier")
    wait_for_image(pc.locator("img.page-image"))
    expect(pc.locator("#nav")).to_have_text(re.compile(r"^网上阅卷\s*我的案件\s*站内信\s*陈小雨（当事人）\s*退出登录$"))
    pc.keyboard.press("ArrowRight")
    expect(pc.locator("img.page-image")).to_have_attribute("alt", re.compile("第2页"))
    pc.get_by_label("页码").fill("3")
    pc.get_by_label("页码").press("Enter")
    expect(pc.locator("img.page-image")).to_have_attribute("alt", re.compile("第3页"))
    browsers.shot(pc, "web-03-dossier-viewer")
    with pc.expect_popup() as popup:
        pc.get_by_role("button", name="打印").click()
    pdf_url = popup.value.url
    assert re.search(rf"/api/v1/applications/{application_id}/dossier/documents/\d+/pdf$", pdf_url)
    printed = pc.context.request.get(pdf_url)
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
    assert printed.body().startswith(b"%PDF")

    # 阅卷记录 on the phone: what was read, printed and opened, newest first
    phone.reload()
    phone.get_by_role("button", name="查看阅卷记录").click()
    entries = phone.locator(".access-entry")
    expect(entries.first).to_contain_text("打印（下载） 《起诉状》")
    expect(phone.locator(".access-log")).to_contain_text("查看 《起诉状》 第3页")
    expect(phone.locator(".access-log")).to_contain_text("打开复制链接")
    expect(phone.locator(".access-log")).to_contain_text("复制链接")
    expect(entries.first).to_contain_text("陈小雨")
    browsers.shot(phone, "m-08-access-log")

    # 作废链接: from the phone, every copied link stops opening on the PC at once
    phone.get_by_role("button", name="复制链接").click()
    fresh = phone.locator(".link-box").input_value()
    phone.get_by_role("button", name="作废链接").click()
    expect(phone.locator("#toast")).to_have_text("链接已作废")
    for dead in (link, fresh):
        pc.goto(dead)
        expect(pc.get_by_role("heading", name="无法打开")).to_be_visible()  # a page, not JSON
    expect(pc.get_by_role("alert")).to_contain_text("不存在")

    # after the deadline (the sign-in has lapsed too): 已过期, nothing to read, one tap reapplies
    last_moment = datetime.fromisoformat(valid_until + "T23:59:59+08:00")
    clock.set((last_moment + timedelta(minutes=1)).isoformat())
    phone.goto(f"/m/applications/{application_id}")
    phone.wait_for_url(re.compile(r"/m/login\?next="))
    sign_in(phone, party["phone"], party["password"])
    phone.wait_for_url(f"**/m/applications/{application_id}")
    expect(phone.locator(".status-line .tag")).to_have_text("已过期")
    expect(phone.get_by_role("button", name="查看案卷")).to_have_count(0)
    browsers.shot(phone, "m-07-expired")
    phone.get_by_role("button", name="重新申请").click()
    phone.wait_for_url(lambda url: re.search(r"/m/applications/(\d+)$", url)[1] != application_id)
    expect(phone.locator(".status-line .tag")).to_have_text("待审查")
    pc.goto(f"/web/applications/{application_id}/dossier")
    sign_in(pc, party["phone"], party["password"])
    pc.wait_for_url(f"**/web/applications/{application_id}/dossier")
    expect(pc.get_by_role("alert")).to_contain_text("已超过阅卷截止时间")
