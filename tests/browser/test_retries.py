"""Retries from the pages are safe: an answer lost on the way back (the work was done, the
browser saw a network failure) and the person clicking again shows the first result, never
a second application or a 409. The pages send one Idempotency-Key per intent and reuse it
for its retries; while a request is in flight its button is disabled, so a double click
sends one request. Walked through the four actions the server keys: 提交申请, a clerk's
审查决定, 重新申请 and 撤回申请."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import account, import_case, new_staff, person, sign_in, staff_sign_in, until_status

LOST = "网络连接失败，请检查网络后重试。"


class Held:
    """Holds every POST the page sends to one address, with its Idempotency-Key and body,
    until the test lets it go on."""

    def __init__(self, page, pattern: re.Pattern):
        self.page, self.pattern = page, pattern
        self.routes: list = []
        self.sent: list[tuple[str | None, str | None]] = []
        page.route(pattern, self._hold)

    def _hold(self, route, request) -> None:
        if request.method != "POST":
            route.fallback()
            return
        self.sent.append((request.headers.get("idempotency-key"), request.post_data))
        self.routes.append(route)

    def next(self, seconds: float = 15):
        """The oldest request still held, once the page has sent it."""
        deadline = time.monotonic() + seconds
        while not self.routes:
            assert time.monotonic() < deadline, f"no POST to {self.pattern.pattern}"
            self.page.wait_for_timeout(50)  # lets Playwright deliver the route
        return self.routes.pop(0)

    def release(self) -> None:
        self.page.unroute(self.pattern, self._hold)


def answer_lost_then_retried(page, pattern: str, label: str) -> dict:
    """A double click on the button ``label``; its request waits while the button is checked to be
    busy, then reaches the server, whose answer the browser never gets. The person clicks
    again: the retry carries the same key and body. Returns the first (lost) answer."""
    button = page.get_by_role("button", name=label)
    held = Held(page, re.compile(pattern))
    button.dblclick()
    first = held.next()
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-busy", "true")
    answer = first.fetch()  # the work is done on the server ...
    assert answer.ok, answer.text()
    first.abort()  # ... and the answer is lost
    expect(page.get_by_text(LOST).first).to_be_visible()
    expect(button).to_be_enabled()
    expect(button).not_to_have_attribute("aria-busy", "true")
    button.click()
    held.next().continue_()
    held.release()
    # one request per click: the double click's second click met a disabled button
    assert len(held.sent) == 2, held.sent
    (key, body), retry = held.sent
    assert key and re.fullmatch(r"[0-9a-f-]{32,36}", key), key
    assert retry == (key, body), "the retry must repeat the first request's key and body"
    return answer.json()


def test_a_lost_answer_retried_shows_the_first_result(stack, admin, browsers):
    party = person("宋重试")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])])
    clerk = new_staff(admin, "clerk", "冯审查")
    own = account(stack, admin, **party)

    def mine() -> list[dict]:
        items = own.get("/api/v1/applications?limit=100").json()["items"]
        return [a for a in items if a["case_no"] == case_no]

    # 提交申请: the answer is lost, the retry shows the application the first request made
    web = browsers.page(DESKTOP)
    web.goto(f"/web/applications/new?case_no={case_no}")
    web.wait_for_url(re.compile(r"/web/login\?next="))
    sign_in(web, party["phone"], party["password"])
    web.get_by_label("申请原因").fill("核对证据")
    submitted = answer_lost_then_retried(web, r"/api/v1/applications$", "提交申请")
    web.wait_for_url(f"**/web/applications/{submitted['id']}")
    expect(web.locator(".status-line .tag")).to_have_text("待审查")
    assert [a["id"] for a in mine()] == [submitted["id"]]

    # 审查决定 (退回补正): a retry of the decision is answered, not refused as 409
    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    desk.goto(f"/staff/applications/{submitted['id']}")
    desk.get_by_label("退回补正").check()
    desk.get_by_label("审查意见说明").fill("请补充申请原因")
    decided = answer_lost_then_retried(desk, rf"/api/v1/staff/applications/{submitted['id']}/decision$", "提交审查决定")
    assert decided["status"] == "returned"
    expect(desk.locator(".status-line .tag")).to_have_text("退回补正")
    expect(desk.locator(".decision-form")).to_have_count(0)

    # 重新申请: the retry opens the one fresh application the first request made
    detail = f"/web/applications/{submitted['id']}"
    until_status(web, detail, "退回补正")
    fresh = answer_lost_then_retried(web, r"/api/v1/applications/\d+/reapply$", "重新申请")
    assert fresh["id"] != submitted["id"]
    web.wait_for_url(f"**/web/applications/{fresh['id']}")
    expect(web.locator(".status-line .tag")).to_have_text("待审查")

    # 撤回申请: the retry says 已撤回 instead of "the status does not allow this"
    withdrawn = answer_lost_then_retried(web, r"/api/v1/applications/\d+/withdraw$", "撤回申请")
    assert withdrawn["status"] == "withdrawn"
    expect(web.locator(".status-line .tag")).to_have_text("已撤回")
    expect(web.locator("#toast")).to_have_text("申请已撤回")

    # in all: the first application (退回补正) and the one reapplication (已撤回), nothing more
    assert {a["id"]: a["status"] for a in mine()} == {submitted["id"]: "returned", fresh["id"]: "withdrawn"}
