"""Accounts people can trust, in the browser: sign-up proves the phone with a texted code
(获取验证码 counts down, a refusal is the server's own words); 实名认证 is the next step, and
until the court has compared the identity document in the console's queue the pages say
why case data waits and lead there; a rejection says why and lets the person send again;
找回密码 by a code on /m/ and /web/; 修改密码 and 退出所有设备 from 我的; an admin disables
an account in 账号管理 and its pages sign out at once, its logins told 账号已停用."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    account,
    api_code,
    fill_signup,
    fill_sms_code,
    identity_png,
    import_case,
    listed_row,
    new_staff,
    person,
    sign_in,
    staff_sign_in,
)
from tests.support import Api, wait_until

NEW_PASSWORD = "Fresh-Pass-2025"


def until_signed_out(page, path: str, login: str, seconds: float = 15) -> None:
    """Reopen ``path`` until the page sends its person to sign in (the session has ended)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if login in page.url or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    page.wait_for_url(re.compile(re.escape(login) + r"\?next="))


def test_sign_up_with_a_code_then_verification_on_the_phone(stack, admin, browsers):
    party = person("韩实名")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])])
    clerk = new_staff(admin, "clerk", "钟审查")

    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/signup")
    # 获取验证码 with no phone yet: it asks for one instead of sending
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator(".sms-note")).to_contain_text("请输入11位手机号")
    phone.get_by_label("姓名").fill(party["name"])
    phone.get_by_label("身份证号").fill(party["id_number"])
    phone.get_by_label("手机号").fill(party["phone"])
    phone.get_by_label("密码", exact=True).fill(party["password"])
    # a code went to this phone a moment ago (from another device): the server's own words
    # say to wait, and the code already texted still works
    code = api_code(stack, party["phone"])
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator(".sms-note")).to_contain_text("1分钟")
    expect(phone.get_by_role("button", name="获取验证码")).to_be_enabled()
    phone.get_by_label("验证码").fill(code)
    browsers.shot(phone, "m-09-sign-up-code")
    phone.get_by_role("button", name="注册并登录").click()

    # 实名认证 is next, and says why; case data waits for it, and the pages say so
    phone.wait_for_url(re.compile(r"/m/verify\?next="))
    expect(phone.get_by_role("heading", name="实名认证")).to_be_visible()
    expect(phone.locator(".verification")).to_contain_text("完成实名认证后方可查询案件和申请阅卷")
    expect(phone.locator(".verification-tag")).to_have_text("未认证")
    phone.goto("/m/reading")
    banner = phone.locator(".verification-banner")
    expect(banner).to_contain_text("您尚未完成实名认证")
    phone.get_by_role("link", name="阅卷申请").click()
    expect(phone.locator(".verification-banner")).to_be_visible()
    phone.get_by_role("button", name="申请").click()
    phone.get_by_label("案号").fill(case_no)
    phone.get_by_role("button", name="查询案件").click()
    refusal = phone.locator(".eligibility .verification-required")
    expect(refusal).to_contain_text("请先完成实名认证后再查看案件")
    refusal.get_by_role("link", name="去实名认证").click()
    phone.wait_for_url("**/m/verify")

    # the identity card's picture, uploaded with progress, then 提交实名认证: 审核中
    phone.get_by_role("button", name="提交实名认证").click()
    expect(phone.get_by_role("alert")).to_contain_text("请先上传本人身份证件")
    phone.locator("input[data-kind=identity]").set_input_files(identity_png())
    expect(phone.locator(".uploaded li")).to_have_count(1)
    browsers.shot(phone, "m-10-verification")
    phone.get_by_role("button", name="提交实名认证").click()
    expect(phone.locator(".verification-tag")).to_have_text("审核中")
    expect(phone.locator(".verification")).to_contain_text("实名认证审核中")
    expect(phone.get_by_role("button", name="提交实名认证")).to_have_count(0)
    phone.goto("/m/reading")
    expect(phone.locator(".verification-banner")).to_contain_text("实名认证审核中")

    # the clerk compares the picture with the account in the console's queue, and approves
    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    desk.locator("nav#nav").get_by_role("link", name="实名认证").click()
    row = listed_row(desk, party["name"])
    expect(row).to_contain_text(party["id_number"])  # unmasked: the clerk compares it
    expect(row).to_contain_text(party["phone"])
    expect(row.locator("img.id-thumb")).to_have_count(1)
    browsers.shot(desk, "staff-06-verification-queue")
    row.get_by_role("button", name="通过", exact=True).click()
    expect(desk.locator("#toast")).to_contain_text(f"已通过：{party['name']}")
    expect(desk.locator("tr", has_text=party["name"])).to_have_count(0)
    desk.get_by_role("tab", name="已通过").click()
    desk.wait_for_url("**/staff/verifications?status=approved")
    expect(listed_row(desk, party["name"])).to_contain_text("钟审查")

    # verified: 我的 says how; the case is found, the application goes in
    phone.goto("/m/reading")
    expect(phone.locator(".verification-banner")).to_have_count(0)
    phone.get_by_role("link", name="我的", exact=True).click()
    summary = phone.locator(".account-summary")
    expect(summary.locator(".verification-tag")).to_have_text("已认证")
    expect(summary).to_contain_text("人工核验身份证件")
    phone.goto(f"/m/applications/new?case_no={case_no}")
    phone.get_by_role("button", name="查询案件").click()
    expect(phone.locator(".eligibility")).to_contain_text("可以申请")
    phone.get_by_label("申请原因").fill("核对证据")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/m/applications/\d+$"))
    application_id = phone.url.rsplit("/", 1)[1]

    # the clerk's review screen says how the applicant was verified
    staff = Api(stack.base_url)
    staff.login(clerk["phone"], clerk["password"])

    def queued() -> bool:  # found by its case number: the court's queue holds other tests' too
        found = staff.get("/api/v1/staff/applications", params={"case_no": case_no}).json()["items"]
        return any(str(a["id"]) == application_id for a in found)

    assert wait_until(queued), "the application never reached the clerk's queue"
    desk.goto(f"/staff/applications/{application_id}")
    expect(desk.locator(".review-context")).to_contain_text("已实名认证（人工核验身份证件，")


def test_web_sign_up_then_verification_rejected_with_the_reason_and_sent_again(stack, admin, browsers):
    party = person("秦驳回")
    clerk = new_staff(admin, "clerk", "苏审查")

    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    web.locator("main").get_by_role("link", name="注册").click()
    web.wait_for_url(re.compile(r"/web/signup"))
    fill_signup(web, stack, party)  # 获取验证码: sent, the button counts down from 60 s
    expect(web.locator(".sms-note")).to_contain_text(f"验证码已发送至 {party['phone'][:3]}****{party['phone'][7:]}")
    right = web.get_by_label("验证码").input_value()
    web.get_by_label("验证码").fill("000000" if right != "000000" else "111111")
    web.get_by_role("button", name="注册并登录").click()
    expect(web.get_by_role("alert")).to_contain_text("验证码不正确")
    web.get_by_label("验证码").fill(right)
    web.get_by_role("button", name="注册并登录").click()
    web.wait_for_url(re.compile(r"/web/verify\?next="))

    # the list says what is missing and leads to 实名认证
    web.goto("/web/applications")
    banner = web.locator(".verification-banner")
    expect(banner).to_contain_text("完成实名认证后方可查询案件和申请阅卷")
    banner.get_by_role("link", name="去实名认证").click()
    web.wait_for_url("**/web/verify")
    web.locator("input[data-kind=identity]").set_input_files(identity_png("模糊的照片.png"))
    expect(web.locator(".uploaded li")).to_have_count(1)
    web.get_by_role("button", name="提交实名认证").click()
    expect(web.locator(".verification-tag")).to_have_text("审核中")

    # the clerk cannot refuse without saying why; the reason is what the person reads
    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    desk.goto("/staff/verifications")
    row = listed_row(desk, party["name"])
    row.get_by_role("button", name="不通过").click()
    expect(desk.locator("#toast")).to_contain_text("不通过时请填写原因")
    expect(desk.locator("tr", has_text=party["name"])).to_have_count(1)
    reason = "身份证照片模糊，无法辨认，请重新拍摄上传"
    row.get_by_label("审核说明").fill(reason)
    row.get_by_role("button", name="不通过").click()
    expect(desk.locator("tr", has_text=party["name"])).to_have_count(0)
    desk.get_by_role("tab", name="未通过").click()
    desk.wait_for_url("**/staff/verifications?status=rejected")
    expect(listed_row(desk, party["name"])).to_contain_text(reason)

    # the person reads why and sends a better picture
    web.goto("/web/applications")
    banner = web.locator(".verification-banner")
    expect(banner).to_contain_text("实名认证未通过")
    expect(banner).to_contain_text(reason)
    banner.get_by_role("link", name="重新提交").click()
    web.wait_for_url("**/web/verify")
    expect(web.locator(".verification-tag")).to_have_text("未通过")
    expect(web.locator(".verification .rejection")).to_have_text(reason)
    browsers.shot(web, "web-07-verification-rejected")
    web.locator("input[data-kind=identity]").set_input_files(identity_png("清晰的照片.png"))
    expect(web.locator(".uploaded li")).to_have_count(1)
    web.get_by_role("button", name="提交实名认证").click()
    expect(web.locator(".verification-tag")).to_have_text("审核中")
    web.get_by_role("link", name=f"{party['name']}（当事人）").click()
    web.wait_for_url("**/web/account")
    expect(web.locator(".account-summary .verification-tag")).to_have_text("审核中")
    desk.get_by_role("tab", name="待审核").click()
    desk.wait_for_url("**/staff/verifications?status=pending")
    expect(listed_row(desk, party["name"])).to_have_count(1)


def test_forgotten_password_is_reset_by_a_code_on_the_phone_and_the_web(stack, admin, browsers, clock):
    for minutes, (front, home) in enumerate((("m", "/m/reading"), ("web", "/web/applications")), start=1):
        holder = account(stack, admin, name="林忘记", verified=False)
        # signing up texted a code a moment ago; one code a minute per phone, so a while later
        clock.set((datetime.now(UTC) + timedelta(minutes=2 * minutes)).isoformat())
        elsewhere = Api(stack.base_url)
        elsewhere.login(holder.phone, holder.password)

        page = browsers.page(PHONE if front == "m" else DESKTOP, mobile=front == "m")
        page.goto(f"/{front}/login")
        page.get_by_role("link", name="找回密码").click()
        page.wait_for_url(re.compile(rf"/{front}/reset"))
        expect(page.get_by_role("heading", name="找回密码")).to_be_visible()
        page.get_by_label("手机号").fill(holder.phone)
        fill_sms_code(page, stack, holder.phone)
        page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("确认新密码").fill(NEW_PASSWORD + "x")
        page.get_by_role("button", name="重置密码").click()
        expect(page.get_by_role("alert")).to_contain_text("两次输入的新密码不一致")
        page.get_by_label("确认新密码").fill(NEW_PASSWORD)
        if front == "web":
            browsers.shot(page, "web-08-password-reset")
        page.get_by_role("button", name="重置密码").click()

        # back at sign-in with the phone filled in: the old password fails, the new one works
        page.wait_for_url(re.compile(rf"/{front}/login\?phone="))
        expect(page.get_by_label("手机号")).to_have_value(holder.phone)
        page.get_by_label("密码").fill(holder.password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_contain_text("手机号或密码不正确")
        page.get_by_label("密码").fill(NEW_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"**{home}")
        # the sign-in made before the reset has ended
        assert wait_until(lambda client=elsewhere: client.get("/api/v1/me").status_code == 401)


def test_password_change_and_signing_out_everywhere(stack, admin, browsers):
    holder = account(stack, admin, name="周改密")
    pc = browsers.page(DESKTOP)
    pc.goto("/web/login")
    sign_in(pc, holder.phone, holder.password)
    pc.wait_for_url("**/web/applications")
    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/login")
    sign_in(phone, holder.phone, holder.password)
    phone.wait_for_url("**/m/reading")

    # 修改密码 in the web center's 我的: the old one is checked; the phone is signed out
    pc.get_by_role("link", name="周改密（当事人）").click()
    pc.wait_for_url("**/web/account")
    expect(pc.locator(".account-summary .verification-tag")).to_have_text("已认证")
    form = pc.locator(".password-form")
    form.get_by_label("原密码").fill("Not-The-Password-1")
    form.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("确认新密码").fill(NEW_PASSWORD)
    form.get_by_role("button", name="修改密码").click()
    expect(form.get_by_role("alert")).to_contain_text("原密码不正确")
    form.get_by_label("原密码").fill(holder.password)
    form.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    form.get_by_label("确认新密码").fill(NEW_PASSWORD)
    form.get_by_role("button", name="修改密码").click()
    expect(form.get_by_role("status")).to_contain_text("密码已修改")
    browsers.shot(pc, "web-09-account")
    until_signed_out(phone, "/m/applications", "/m/login")
    pc.goto("/web/applications")
    expect(pc.get_by_role("heading", name="网上阅卷 · 阅卷申请")).to_be_visible()  # this one stays

    # 退出所有设备 from the phone's 我的: the PC is signed out too
    sign_in(phone, holder.phone, NEW_PASSWORD)
    phone.wait_for_url("**/m/applications")
    phone.goto("/m/reading")
    phone.get_by_role("link", name="我的", exact=True).click()
    phone.get_by_role("button", name="退出所有设备").click()
    phone.wait_for_url(re.compile(r"/m/$"))
    until_signed_out(pc, "/web/applications", "/web/login")
    phone.goto("/m/reading")
    phone.wait_for_url(re.compile(r"/m/login\?next="))


def test_an_admin_disables_an_account_and_its_pages_sign_out(stack, admin, browsers):
    holder = account(stack, admin, name="停用读者")
    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    sign_in(web, holder.phone, holder.password)
    web.wait_for_url("**/web/applications")

    console = browsers.page(DESKTOP)
    staff_sign_in(console, stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    console.locator("nav#nav").get_by_role("link", name="账号管理").click()
    console.get_by_label("姓名或手机号").fill(holder.phone)
    console.get_by_role("button", name="查询").click()
    row = console.locator("tr", has_text="停用读者")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("已认证")
    expect(row).to_contain_text("正常")
    expect(row).not_to_contain_text(holder.phone)  # masked
    # a confirm step first; 取消 changes nothing
    row.get_by_role("button", name="停用").click()
    expect(row).to_contain_text("停用后立即退出所有登录")
    row.get_by_role("button", name="取消").click()
    expect(row).to_contain_text("正常")
    row.get_by_role("button", name="停用").click()
    row.get_by_role("button", name="确认停用").click()
    expect(row).to_contain_text("已停用")
    expect(row.get_by_role("button", name="启用")).to_be_visible()
    browsers.shot(console, "staff-07-accounts")

    # the person's page is signed out, and sign-in says the account is disabled
    until_signed_out(web, "/web/applications", "/web/login")
    sign_in(web, holder.phone, holder.password)
    expect(web.get_by_role("alert")).to_contain_text("账号已停用")

    # enabled again, the same password signs in
    row.get_by_role("button", name="启用").click()
    row.get_by_role("button", name="确认启用").click()
    expect(row).to_contain_text("正常")
    web.get_by_role("button", name="登录").click()
    web.wait_for_url("**/web/applications")

    # the console has 我的 too: 修改密码 and 退出所有设备 behind the admin's name
    console.locator("nav#nav .who").click()
    console.wait_for_url("**/staff/account")
    expect(console.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(console.get_by_role("button", name="退出所有设备")).to_be_visible()
