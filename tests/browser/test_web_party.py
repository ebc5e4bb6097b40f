"""The manual's first half on a PC (/web/): a party signs up in the web center, applies
under 网上阅卷, a clerk approves online in /staff/, the party pages through the dossier,
copies the link and opens it in another browser (sign-in first, then the viewer), prints
a stamped copy; after the deadline the application shows as expired, the viewer refuses,
and 重新申请 starts again."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import (
    approve_online,
    assert_print_copy,
    continue_after_verification,
    fill_signup,
    import_case,
    ingest,
    new_staff,
    person,
    sign_in,
    staff_sign_in,
    until_status,
    wait_for_image,
)


def test_party_applies_in_the_web_center_and_reads_online(stack, admin, browsers, clock):
    party = person("李明月")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])])
    ingest(admin, case_no, pages=3)
    clerk = new_staff(admin, "clerk", "何审查")

    # 网上阅卷 from the center's front page: sign-in first, signing up on the way
    web = browsers.page(DESKTOP)
    web.goto("/web/")
    web.locator("main").get_by_role("link", name="网上阅卷").click()
    web.wait_for_url(re.compile(r"/web/login\?next="))
    web.locator("main").get_by_role("link", name="注册").click()
    expect(web.get_by_label("身份", exact=True)).to_have_value("party")
    expect(web.get_by_label("执业证号")).to_be_hidden()
    fill_signup(web, stack, party)
    web.get_by_role("button", name="注册并登录").click()
    continue_after_verification(web, stack, admin, party, "/web/applications")
    expect(web.locator("#nav")).to_contain_text(f"{party['name']}（当事人）")
    expect(web.locator("#nav")).not_to_contain_text("案件绑定")  # a lawyer's menu only

    # 申请: the eligibility answer, then the application (a party needs no materials)
    web.get_by_role("button", name="申请").click()
    web.get_by_label("案号").fill(case_no.replace("（", "(").replace("）", ")"))
    web.get_by_role("button", name="查询案件").click()
    expect(web.locator(".eligibility")).to_contain_text("可以申请")
    expect(web.locator(".eligibility")).to_contain_text("您是：当事人")
    web.get_by_label("申请原因").fill("核对证据")
    web.get_by_role("button", name="提交申请").click()
    web.wait_for_url(re.compile(r"/web/applications/\d+$"))
    application_id = web.url.rsplit("/", 1)[1]
    expect(web.locator(".status-line .tag")).to_have_text("待审查")
    expect(web.get_by_role("button", name="撤回申请")).to_be_visible()

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    approve_online(desk, application_id, case_no)

    # the table and the detail say 通过; the reading block has the deadline and the buttons
    detail = f"/web/applications/{application_id}"
    until_status(web, detail, "通过")
    expect(web.locator(".block h2")).to_have_text(["申请信息", "审查信息", "申请材料", "阅卷材料", "阅卷记录"])
    expect(web.locator(".detail")).to_contain_text("在线阅卷")
    valid_until = web.locator(".kv-row", has_text="有效截止日期").locator("dd").inner_text()
    web.get_by_role("link", name="返回列表").click()
    expect(web.locator(f"tr[data-id='{application_id}']")).to_contain_text("通过")
    web.locator(f"tr[data-id='{application_id}']").get_by_role("link", name="查看").click()

    # 查看案卷: next, previous, a page typed in, the deadline always in view
    web.get_by_role("button", name="查看案卷").click()
    web.wait_for_url(f"**{detail}/dossier")
    image = web.locator("img.page-image")
    expect(image).to_have_attribute("alt", re.compile("第1页"))
    expect(web.locator(".page-total")).to_have_text("/ 3 页")
    expect(web.locator(".deadline")).to_contain_text(f"有效截止日期 {valid_until}")
    web.get_by_role("button", name="下一页").click()
    expect(image).to_have_attribute("alt", re.compile("第2页"))
    wait_for_image(image)
    web.get_by_role("button", name="上一页").click()
    expect(image).to_have_attribute("alt", re.compile("第1页"))
    web.get_by_label("页码").fill("3")
    web.get_by_label("页码").press("Enter")
    expect(image).to_have_attribute("alt", re.compile("第3页"))
    wait_for_image(image)
    # the last page stays the last: 下一页 says it is unavailable, and → does nothing
    expect(web.get_by_role("button", name="下一页")).to_be_disabled()
    web.locator(".page-frame").press("ArrowRight")
    expect(image).to_have_attribute("alt", re.compile("第3页"))
    web.get_by_role("link", name="返回申请详情").click()
    web.wait_for_url(f"**{detail}")

    # 复制链接, then the link in another browser: sign-in first, then the viewer
    web.get_by_role("button", name="复制链接").click()
    expect(web.locator("#toast")).to_have_text("已复制链接")
    link = web.locator(".link-box").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/r/[\w-]{40,}", link)
    assert web.evaluate("navigator.clipboard.readText()") == link
    other = browsers.page(DESKTOP)
    other.goto(link)
    other.wait_for_url(re.compile(r"/web/login\?next=(%2F|/)r(%2F|/)"))
    expect(other.locator("main")).to_contain_text("请登录申请人本人的账号以打开阅卷链接")
    sign_in(other, party["phone"], party["password"])
    other.wait_for_url(f"**{detail}/dossier")
    wait_for_image(other.locator("img.page-image"))

    # 打印 on the detail page: the readable documents ticked, one stamped PDF made with
    # progress shown, then downloaded in a new tab
    web.get_by_role("button", name="打印").click()
    choice = web.locator(".print-choice")
    expect(choice.get_by_label("正卷 · 起诉状（3页）")).to_be_checked()
    expect(choice.locator(".print-summary")).to_have_text("已选 1 份文件，共 3 页")
    choice.get_by_role("button", name="生成打印文件").click()
    expect(choice.locator(".print-status")).to_have_text("打印文件已生成（共 3 页）。", timeout=30_000)
    with web.expect_popup() as popup:
        choice.get_by_role("link", name="下载打印文件").click()
    pdf_url = popup.value.url
    assert re.search(rf"/api/v1/applications/{application_id}/dossier/prints/[0-9a-f]{{32}}/pdf$", pdf_url)
    printed = web.context.request.get(pdf_url)
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
    assert_print_copy(printed.body(), pages=3)
    popup.value.close()

    # the clerk who approved it audits the same 阅卷记录 in the console
    desk.reload()
    desk.get_by_role("button", name="查看阅卷记录").click()
    expect(desk.locator(".access-log")).to_contain_text("查看 《起诉状》 第3页")
    expect(desk.locator(".access-log")).to_contain_text("打印（下载） 《起诉状》")
    expect(desk.locator(".access-log")).to_contain_text(party["name"])
    browsers.shot(desk, "staff-05-access-log")

    # a minute past the deadline (the sign-ins have lapsed too): 已过期, the viewer refuses
    last_moment = datetime.fromisoformat(valid_until + "T23:59:59+08:00")
    clock.set((last_moment + timedelta(minutes=1)).isoformat())
    other.reload()
    other.wait_for_url(re.compile(r"/web/login\?next="))
    sign_in(other, party["phone"], party["password"])
    other.wait_for_url(f"**{detail}/dossier")
    expect(other.get_by_role("alert")).to_contain_text("已超过阅卷截止时间")
    expect(other.locator("img.page-image")).to_have_count(0)
    web.goto(detail)
    web.wait_for_url(re.compile(r"/web/login\?next="))
    sign_in(web, party["phone"], party["password"])
    web.wait_for_url(f"**{detail}")
    expect(web.locator(".status-line .tag")).to_have_text("已过期")
    expect(web.get_by_role("button", name="查看案卷")).to_have_count(0)
    expect(web.locator(".block", has_text="阅卷材料")).to_contain_text("请重新申请阅卷")
    # the access log stays readable after the deadline, twenty entries at a time
    web.get_by_role("button", name="查看阅卷记录").click()
    expect(web.locator(".access-log")).to_contain_text("打印（下载） 《起诉状》")
    expect(web.locator(".access-entry")).not_to_have_count(0)
    more = web.get_by_role("button", name="加载更多")
    while (listed := web.locator(".access-entry").count()) % 20 == 0 and more.count():
        more.click()
        expect(web.locator(".access-entry")).not_to_have_count(listed)
    expect(more).to_have_count(0)  # the whole log is listed
    expect(web.locator(".access-log")).to_contain_text("查看 《起诉状》 第3页")
    expect(web.locator(".access-log")).to_contain_text("打开复制链接")
    api_log = web.context.request.get(f"/api/v1/applications/{application_id}/access-log?limit=100").json()
    expect(web.locator(".access-entry")).to_have_count(len(api_log["items"]))

    # 重新申请: a fresh application for the same case, pending again, listed beside the old
    web.get_by_role("button", name="重新申请").click()
    web.wait_for_url(lambda url: (m := re.search(r"/web/applications/(\d+)$", url)) and m[1] != application_id)
    fresh_id = web.url.rsplit("/", 1)[1]
    expect(web.locator(".status-line .tag")).to_have_text("待审查")
    expect(web.locator(".detail")).to_contain_text(case_no)
    web.get_by_role("link", name="返回列表").click()
    expect(web.locator(f"tr[data-id='{application_id}']")).to_contain_text("已过期")
    expect(web.locator(f"tr[data-id='{fresh_id}']")).to_contain_text("待审查")
