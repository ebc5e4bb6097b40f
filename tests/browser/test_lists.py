"""Lists that never stop at their first page: the console's 阅卷申请审查 counts every
status for real (one call, no "100+"), pages past 100 rows with 加载更多 and finds an
application by 案号 or 申请人姓名; a reader's lists in /web/ and /m/ page the same way."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    COURT,
    SHANGHAI,
    account,
    announce_submitted,
    court_staff,
    person,
    sign_in,
    staff_sign_in,
)
from tests.support import Api, new_case_no, wait_until

QUEUED = 106  # one is refused below: 105 wait (待审查), more than a page of 100


def test_the_console_counts_pages_and_searches_the_queue(stack, admin, browsers):
    court = f"测试法院{uuid.uuid4().hex[:8]}"  # a court of its own: its queue holds only these
    clerk = court_staff(admin, "clerk", "孙审查", court)
    many = account(stack, admin, name="郑申请")
    sought = account(stack, admin, name="冯查找")
    start = datetime.now(SHANGHAI) - timedelta(days=3)
    cases = [new_case_no() for _ in range(QUEUED)]
    ids = [
        announce_submitted(
            stack, sought if i == 57 else many, case_no, court, (start + timedelta(minutes=i)).isoformat()
        )
        for i, case_no in enumerate(cases)
    ]
    desk_api = Api(stack.base_url)
    desk_api.login(clerk["phone"], clerk["password"])
    counts = lambda: desk_api.get("/api/v1/staff/applications/counts").json()["counts"]  # noqa: E731
    assert wait_until(lambda: counts()["pending"] == QUEUED, 60), counts()
    refused = desk_api.post(
        f"/api/v1/staff/applications/{ids[0]}/decision", json={"opinion": "reject", "explanation": "不符合条件"}
    )
    assert refused.status_code == 200, refused.text

    # the tabs: all seven statuses with their real numbers
    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    desk.wait_for_url("**/staff/applications")
    tabs = desk.locator(".counts a")
    expect(tabs.locator("span")).to_have_text(["待审查", "通过", "不通过", "退回补正", "已撤回", "已过期", "已终止"])
    expect(tabs.locator("strong")).to_have_text([str(QUEUED - 1), "0", "1", "0", "0", "0", "0"])
    expect(desk.locator(".counts a.active")).to_have_attribute("data-status", "pending")
    expect(desk.locator("#app")).not_to_contain_text("null")

    # a page of 100, oldest first; 加载更多 brings the other 5, then goes
    rows = desk.locator(".queue tbody tr")
    expect(rows).to_have_count(100)
    expect(rows.first).to_have_attribute("data-id", str(ids[1]))
    more = desk.get_by_role("button", name="加载更多")
    more.click()
    expect(rows).to_have_count(QUEUED - 1)
    expect(rows.last).to_have_attribute("data-id", str(ids[-1]))
    expect(more).to_have_count(0)
    browsers.shot(desk, "staff-09-queue-paged")

    # 案号 as people type it (ASCII brackets) finds the one application
    desk.get_by_label("案号").fill(cases[80].replace("（", "(").replace("）", ")"))
    desk.get_by_role("button", name="查询").click()
    desk.wait_for_url(re.compile(r"/staff/applications\?.*case_no="))
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", str(ids[80]))
    expect(rows.first).to_contain_text(cases[80])
    expect(tabs.locator("strong").first).to_have_text(str(QUEUED - 1))  # the counts stay the court's
    expect(more).to_have_count(0)

    # part of the applicant's name, the case number cleared
    desk.get_by_role("link", name="清除查询").click()
    expect(rows).to_have_count(100)
    desk.get_by_label("申请人姓名").fill("查找")
    desk.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", str(ids[57]))
    expect(rows.first).to_contain_text("冯查找")

    # the refused one under 不通过; a malformed 案号 is said beside the search, which stays
    desk.get_by_role("link", name="清除查询").click()
    tabs.filter(has_text="不通过").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-id", str(ids[0]))
    desk.get_by_label("案号").fill("不是案号")
    desk.get_by_role("button", name="查询").click()
    expect(desk.get_by_role("alert")).to_contain_text("案号格式不正确")
    expect(desk.get_by_label("案号")).to_have_value("不是案号")
    expect(desk.locator(".counts a.active")).to_have_attribute("data-status", "rejected")


def test_a_readers_lists_page_past_their_first_page(stack, admin, browsers):
    party = person("曹多案")
    cases = [new_case_no() for _ in range(21)]
    imported = admin.post(
        "/api/v1/admin/cases",
        json={
            "cases": [
                {
                    "case_no": case_no,
                    "court": COURT,
                    "cause": "买卖合同纠纷",
                    "status": "in_trial",
                    "has_electronic_dossier": False,
                    "parties": [{"name": party["name"], "id_number": party["id_number"], "side": "原告"}],
                    "lawyers": [],
                }
                for case_no in cases
            ]
        },
    )
    assert imported.status_code == 200, imported.text
    reader = account(stack, admin, **party)
    ids = []
    for case_no in cases:
        applied = reader.post(
            "/api/v1/applications",
            json={"case_no": case_no, "scope": "全案卷宗", "reason": "核对证据", "material_ids": []},
        )
        assert applied.status_code == 201, applied.text
        ids.append(applied.json()["id"])
    assert reader.post(f"/api/v1/applications/{ids[3]}/withdraw").status_code == 200

    # the web center: 20 applications, 加载更多 the 21st; the 状态 filter still applies
    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    sign_in(web, party["phone"], party["password"])
    web.wait_for_url("**/web/applications")
    rows = web.locator(".app-list tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.first).to_have_attribute("data-id", str(ids[-1]))  # newest first
    more = web.get_by_role("button", name="加载更多")
    more.click()
    expect(rows).to_have_count(21)
    expect(rows.last).to_have_attribute("data-id", str(ids[0]))
    expect(more).to_have_count(0)
    web.get_by_label("按状态筛选").select_option("withdrawn")
    web.wait_for_url("**/web/applications?status=withdrawn")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("已撤回")
    expect(more).to_have_count(0)

    # 我的案件 pages too
    web.locator("#nav").get_by_role("link", name="我的案件").click()
    cells = web.locator(".case-list tbody tr")
    expect(cells).to_have_count(20)
    more.click()
    expect(cells).to_have_count(21)
    expect(more).to_have_count(0)
    browsers.shot(web, "web-11-my-cases")

    # the phone: the same list, 20 cells and then the rest
    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/login")
    sign_in(phone, party["phone"], party["password"])
    phone.wait_for_url("**/m/reading")
    phone.get_by_role("link", name="阅卷申请").click()
    cells = phone.locator(".app-list .app-row")
    expect(cells).to_have_count(20)
    phone.get_by_role("button", name="加载更多").click()
    expect(cells).to_have_count(21)
    expect(phone.get_by_role("button", name="加载更多")).to_have_count(0)
    browsers.shot(phone, "m-14-application-list-paged")
    phone.get_by_label("按状态筛选").select_option("withdrawn")
    expect(cells).to_have_count(1)
