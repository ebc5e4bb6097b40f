"""The dossier viewer as readers know one from other document viewers: zoom and 适合宽度,
thumbnails of the document's pages that load only as they come into view (every page
picture is a stamped, recorded view), swipe on the phone, the keyboard on a PC, 继续阅读
where the reader left off, the focus on the new view, and the one page fetched ahead."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    account,
    apply_for_all,
    approve_by_api,
    assert_accessible,
    import_case,
    ingest,
    new_staff,
    person,
    sign_in,
    staff_sign_in,
    wait_for_image,
)
from tests.support import Api

PAGE = re.compile(r"/api/v1/applications/(\d+)/dossier/documents/(\d+)/pages/(\d+)$")


@pytest.fixture(scope="module")
def reading(stack):
    """A party with an approved online reading of a case of two documents: 起诉状 (4 pages)
    and 证据材料 (60 pages, a long one)."""
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    party = person("何阅卷")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])], dossier=True)
    short = ingest(admin, case_no, pages=4, title="起诉状")
    long = ingest(admin, case_no, pages=60, title="证据材料")
    reader = account(stack, admin, **party)
    application_id = apply_for_all(reader, case_no, "核对证据")
    approve_by_api(stack, admin, reader, application_id)
    return {
        "reader": reader,
        "party": party,
        "id": application_id,
        "user_id": reader.get("/api/v1/me").json()["id"],
        "short": short["id"],
        "long": long["id"],
    }


class Viewer:
    """A browser signed in as the reader, on the viewer, with every page picture the page
    asked the server for (document, page) in ``requested``, and the most at once."""

    def __init__(self, browsers, reading, *, mobile: bool = False):
        self.page = browsers.page(PHONE if mobile else DESKTOP, mobile=mobile)
        self.requested: list[tuple[int, int]] = []
        self.in_flight = 0
        self.most_at_once = 0
        self.page.on("request", self._sent)
        self.page.on("requestfinished", self._ended)
        self.page.on("requestfailed", self._ended)
        self.path = f"/{'m' if mobile else 'web'}/applications/{reading['id']}/dossier"
        self.page.goto(self.path)
        sign_in(self.page, reading["party"]["phone"], reading["party"]["password"])
        self.page.wait_for_url(f"**{self.path}")
        self.image = self.page.locator("img.page-image")
        self.frame = self.page.locator(".page-frame")
        wait_for_image(self.image)

    def _sent(self, request):
        if match := PAGE.search(request.url):
            self.requested.append((int(match[2]), int(match[3])))
            self.in_flight += 1
            self.most_at_once = max(self.most_at_once, self.in_flight)

    def _ended(self, request):
        if PAGE.search(request.url):
            self.in_flight -= 1

    def pages_of(self, doc: int) -> list[int]:
        return [n for d, n in self.requested if d == doc]

    def until(self, check, seconds: float = 10) -> None:
        """Wait, letting the page's events in (a plain sleep would hold them back)."""
        for _ in range(int(seconds * 10)):
            if check():
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"not seen in {seconds}s; requested: {self.requested}")

    def width(self, locator) -> float:
        return locator.evaluate("el => el.getBoundingClientRect().width")

    def open_document(self, title: str) -> None:
        self.page.locator(".doc-link", has_text=title).click()
        expect(self.image).to_have_attribute("alt", f"{title} 第1页")
        wait_for_image(self.image)


def test_zoom_in_and_out_and_fit_to_width(browsers, reading):
    viewer = Viewer(browsers, reading)
    page, image, frame = viewer.page, viewer.image, viewer.frame
    inner = lambda: frame.evaluate("f => f.clientWidth")  # noqa: E731
    # 适合宽度 is the default: the page fills the column, nothing to scroll sideways
    expect(page.get_by_role("button", name="适合宽度")).to_have_attribute("aria-pressed", "true")
    assert abs(viewer.width(image) - inner()) <= 1
    assert frame.evaluate("f => f.scrollWidth <= f.clientWidth")
    fitted = viewer.width(image)

    # 100%: the page's own pixels, wider than the column, so the frame scrolls
    page.get_by_role("button", name="实际大小 100%").click()
    expect(page.locator(".zoom-level")).to_have_text("100%")
    assert viewer.width(image) == 1240
    assert frame.evaluate("f => f.scrollWidth > f.clientWidth")
    page.get_by_role("button", name="放大").click()
    expect(page.locator(".zoom-level")).to_have_text("110%")
    assert viewer.width(image) == 1364
    page.keyboard.press("-")
    page.keyboard.press("-")
    expect(page.locator(".zoom-level")).to_have_text("90%")
    assert viewer.width(image) == 1116
    page.keyboard.press("ArrowRight")  # a page turn keeps the scale
    expect(image).to_have_attribute("alt", "起诉状 第2页")
    wait_for_image(image)
    assert viewer.width(image) == 1116
    page.keyboard.press("+")
    expect(page.locator(".zoom-level")).to_have_text("100%")

    page.get_by_role("button", name="适合宽度").click()
    expect(page.get_by_role("button", name="适合宽度")).to_have_attribute("aria-pressed", "true")
    assert viewer.width(image) == fitted
    # from 适合宽度, 缩小 goes to the next smaller scale
    page.get_by_role("button", name="缩小").click()
    assert viewer.width(image) < fitted


def test_thumbnails_load_only_what_is_in_view(browsers, reading):
    viewer = Viewer(browsers, reading)
    page = viewer.page
    viewer.open_document("证据材料")
    toggle = page.get_by_role("button", name="缩略图")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    strip = page.locator(".thumbs")
    tiles = strip.locator(".thumb")
    expect(tiles).to_have_count(60)  # a tile for every page, but not a picture of every page
    expect(strip.locator(".thumb[aria-current=true]")).to_have_attribute("data-page", "1")
    viewer.until(lambda: strip.locator(".thumb[data-state=loaded]").count() >= 8)
    page.wait_for_timeout(1500)  # whatever else was going to load has had its chance
    in_view = strip.evaluate(
        """s => [...s.querySelectorAll('.thumb')].filter(t => t.offsetLeft < s.scrollLeft + s.clientWidth).length"""
    )
    fetched = set(viewer.pages_of(reading["long"]))
    assert len(fetched) <= in_view + 2, f"{len(fetched)} pages fetched for {in_view} tiles in view"
    assert max(fetched) <= in_view + 2
    assert viewer.most_at_once <= 3 + 2  # three thumbnails at most, with the page and the one ahead

    # scrolled to the end, the last tiles load; the ones scrolled past are never fetched
    strip.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
    viewer.until(lambda: strip.locator(".thumb[data-page='60'][data-state=loaded]").count() == 1)
    page.wait_for_timeout(800)
    fetched = set(viewer.pages_of(reading["long"]))
    assert len(fetched) < 40 and 30 not in fetched, sorted(fetched)

    strip.get_by_role("button", name="第58页").click()
    expect(viewer.image).to_have_attribute("alt", "证据材料 第58页")
    expect(page.get_by_label("页码")).to_have_value("58")
    expect(strip.locator(".thumb[aria-current=true]")).to_have_attribute("data-page", "58")


def test_the_keyboard_turns_pages_on_a_pc(browsers, reading):
    viewer = Viewer(browsers, reading)
    page, image = viewer.page, viewer.image
    expect(page.locator(".keys-hint")).to_be_visible()
    expect(page.locator(".keys-hint")).to_contain_text("←/→ 翻页")
    expect(page.get_by_role("button", name="下一页")).to_have_attribute("aria-keyshortcuts", "ArrowRight PageDown")
    expect(page.get_by_role("button", name="末页")).to_have_attribute("aria-keyshortcuts", "End")
    status = page.locator(".viewer-status")
    page.keyboard.press("ArrowRight")
    expect(image).to_have_attribute("alt", "起诉状 第2页")
    expect(status).to_have_text("第2页，共4页")
    page.keyboard.press("End")
    expect(image).to_have_attribute("alt", "起诉状 第4页")
    expect(page.get_by_role("button", name="下一页")).to_have_attribute("aria-disabled", "true")
    page.keyboard.press("PageDown")  # the last page stays the last
    expect(image).to_have_attribute("alt", "起诉状 第4页")
    page.keyboard.press("PageUp")
    expect(image).to_have_attribute("alt", "起诉状 第3页")
    page.keyboard.press("ArrowLeft")
    expect(image).to_have_attribute("alt", "起诉状 第2页")
    page.keyboard.press("Home")
    expect(image).to_have_attribute("alt", "起诉状 第1页")
    expect(status).to_have_text("第1页，共4页")
    # typing a page number is typing, not page turning
    page.get_by_label("页码").fill("3")
    page.get_by_label("页码").press("End")
    expect(image).to_have_attribute("alt", "起诉状 第1页")
    page.get_by_label("页码").press("Enter")
    expect(image).to_have_attribute("alt", "起诉状 第3页")


@pytest.mark.parametrize("mobile", [False, True], ids=["web", "m"])
def test_the_next_page_is_fetched_ahead_and_no_more(browsers, reading, mobile):
    viewer = Viewer(browsers, reading, mobile=mobile)
    page, short = viewer.page, reading["short"]
    viewer.until(lambda: 2 in viewer.pages_of(short))
    page.wait_for_timeout(800)
    assert viewer.pages_of(short) == [1, 2]  # the page, and the one after it: not two ahead
    page.keyboard.press("ArrowRight")
    expect(viewer.image).to_have_attribute("alt", "起诉状 第2页")
    wait_for_image(viewer.image)
    viewer.until(lambda: 3 in viewer.pages_of(short))
    page.wait_for_timeout(500)
    assert viewer.pages_of(short) == [1, 2, 3]  # page 2 came from the fetch ahead, not again
    page.keyboard.press("End")
    expect(viewer.image).to_have_attribute("alt", "起诉状 第4页")
    wait_for_image(viewer.image)
    page.wait_for_timeout(800)
    assert viewer.pages_of(short) == [1, 2, 3, 4]
    assert viewer.pages_of(reading["long"]) == []  # never into the next document


def test_the_viewer_continues_where_the_reader_left_off(browsers, reading):
    viewer = Viewer(browsers, reading)
    page, image = viewer.page, viewer.image
    expect(page.locator(".resume-note")).to_have_count(0)  # the first time: the first page
    viewer.open_document("证据材料")
    page.get_by_label("页码").fill("12")
    page.get_by_label("页码").press("Enter")
    expect(image).to_have_attribute("alt", "证据材料 第12页")

    # only where the reader is, under the reader's and the application's key
    stored = dict(page.evaluate("Object.entries(localStorage)"))
    key = f"court.reading-place:{reading['user_id']}:application:{reading['id']}"
    assert list(stored) == [key]
    assert json.loads(stored[key]) == {"doc": reading["long"], "page": 12}

    page.reload()
    expect(image).to_have_attribute("alt", "证据材料 第12页")
    expect(page.locator(".resume-note")).to_contain_text("已从上次阅读的位置继续：《证据材料》第12页")
    expect(page.get_by_role("button", name="证据材料（60页）")).to_have_attribute("aria-current", "true")
    page.get_by_role("button", name="从第1页开始").click()
    expect(image).to_have_attribute("alt", "起诉状 第1页")
    expect(page.locator(".resume-note")).to_have_count(0)
    page.reload()
    expect(image).to_have_attribute("alt", "起诉状 第1页")
    expect(page.locator(".resume-note")).to_have_count(0)


def test_the_focus_moves_to_the_new_view(browsers, reading):
    page = browsers.page(DESKTOP)
    detail = f"/web/applications/{reading['id']}"
    page.goto(detail)
    sign_in(page, reading["party"]["phone"], reading["party"]["password"])
    page.wait_for_url(f"**{detail}")
    focused = lambda: page.evaluate("[document.activeElement.tagName, document.activeElement.textContent]")  # noqa: E731
    expect(page.get_by_role("heading", name="申请详情")).to_be_focused()
    page.get_by_role("button", name="查看案卷").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("^查看案卷 "))
    expect(heading).to_be_focused()
    assert focused()[0] == "H1"
    page.get_by_role("link", name="返回申请详情").click()
    expect(page.get_by_role("heading", name="申请详情")).to_be_focused()
    page.go_back()  # the browser's own back button is a navigation too
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^查看案卷 "))
    expect(page.get_by_role("heading", level=1)).to_be_focused()


def swipe(page, frame, dx: float) -> None:
    """A finger across the page picture, as the phone's touch screen reports it."""
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    viewport = page.viewport_size
    y = min(box["y"] + box["height"], viewport["height"]) - 120
    x0 = box["x"] + box["width"] / 2 - dx / 2
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y}]})
    for i in range(1, 7):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x0 + dx * i / 6, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_swipe_turns_pages_on_the_phone(browsers, reading):
    viewer = Viewer(browsers, reading, mobile=True)
    page, image, frame = viewer.page, viewer.image, viewer.frame
    expect(page.locator(".keys-hint")).to_be_hidden()  # no keyboard to speak of
    swipe(page, frame, -200)  # to the left: the next page
    expect(image).to_have_attribute("alt", "起诉状 第2页")
    expect(page.locator(".viewer-status")).to_have_text("第2页，共4页")
    swipe(page, frame, 200)  # to the right: back
    expect(image).to_have_attribute("alt", "起诉状 第1页")
    swipe(page, frame, 30)  # a small move is not a swipe
    page.wait_for_timeout(300)
    expect(image).to_have_attribute("alt", "起诉状 第1页")

    # zoomed in, the finger pans the page instead
    page.get_by_role("button", name="实际大小 100%").click()
    expect(frame).to_have_class(re.compile(r"\bpannable\b"))
    swipe(page, frame, -200)
    page.wait_for_timeout(400)
    expect(image).to_have_attribute("alt", "起诉状 第1页")
    page.get_by_role("button", name="适合宽度").click()
    swipe(page, frame, -200)
    expect(image).to_have_attribute("alt", "起诉状 第2页")


def test_the_main_screens_pass_the_accessibility_checks(stack, admin, browsers, reading):
    """axe on the screens people use most, on the phone, the PC and the court's console:
    no serious or critical violation of WCAG 2.x A/AA."""
    party, detail = reading["party"], f"applications/{reading['id']}"
    # an application waiting in the clerk's queue, for the console's screens
    waiting_case = import_case(admin, parties=[(party["name"], party["id_number"])], dossier=True)
    ingest(admin, waiting_case, pages=2, title="答辩状")
    waiting = apply_for_all(reading["reader"], waiting_case, "准备庭审")

    for base, viewport, mobile in (("/m", PHONE, True), ("/web", DESKTOP, False)):
        page = browsers.page(viewport, mobile=mobile)
        page.goto(f"{base}/")
        assert_accessible(page, f"首页 ({base}/)")
        page.goto(f"{base}/login")
        assert_accessible(page, f"登录 ({base}/)")
        sign_in(page, party["phone"], party["password"])
        page.wait_for_url(re.compile(rf"{base}/(reading|applications)$"))  # 手机阅卷, or the list
        assert_accessible(page, f"after sign-in ({base}/)")
        page.goto(f"{base}/applications")
        page.locator(".app-list").first.wait_for()
        assert_accessible(page, f"阅卷申请 ({base}/)")
        page.goto(f"{base}/{detail}")
        page.locator(".status-line .tag").wait_for()
        assert_accessible(page, f"申请详情 ({base}/)")
        page.get_by_role("button", name="查看案卷").click()
        wait_for_image(page.locator("img.page-image"))
        page.get_by_role("button", name="缩略图").click()
        page.get_by_role("button", name="实际大小 100%").click()  # a frame that scrolls both ways
        assert_accessible(page, f"查看案卷 ({base}/)")

    clerk = new_staff(admin, "clerk", "孙审查")
    desk = browsers.page(DESKTOP)
    desk.goto("/staff/login")
    assert_accessible(desk, "登录 (/staff/)")
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    row = desk.locator(f"tr[data-id='{waiting}']")
    for _ in range(50):  # the application reaches review by event
        if row.count():
            break
        desk.wait_for_timeout(200)
        desk.reload()
        desk.locator(".queue, .empty").first.wait_for()
    expect(row).to_contain_text(waiting_case)
    assert_accessible(desk, "阅卷审查 queue")
    row.get_by_role("link", name="审查").click()
    expect(desk.get_by_role("heading", name="审查决定")).to_be_visible()
    assert_accessible(desk, "审查 (decision form)")
    desk.get_by_role("link", name="卷宗预览（含副卷）").click()
    wait_for_image(desk.locator("img.page-image"))
    assert_accessible(desk, "卷宗预览 (/staff/)")


def font_px(locator) -> float:
    return locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("base", ["/m", "/web"])
def test_large_text_mode_is_remembered(browsers, reading, base):
    """大字模式 (适老化): one switch in the header makes the text and the buttons 1.25 times
    larger on every page, before sign-in too, and the browser remembers it."""
    mobile = base == "/m"
    page = browsers.page(PHONE if mobile else DESKTOP, mobile=mobile)
    page.goto(f"{base}/login")
    html = page.locator("html")
    toggle = page.get_by_role("button", name="大字模式")
    label = page.locator("label", has_text="手机号")
    submit = page.get_by_role("button", name="登录")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert font_px(html) == 16
    label_before, button_before = font_px(label), submit.bounding_box()["height"]

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert font_px(html) == 20
    assert font_px(label) >= 1.25 * label_before
    assert submit.bounding_box()["height"] >= 1.25 * button_before
    assert fits_the_width(page)

    page.reload()  # remembered
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")
    assert font_px(html) == 20
    sign_in(page, reading["party"]["phone"], reading["party"]["password"])
    page.wait_for_url(re.compile(rf"{base}/(reading|applications)$"))
    for path in ("applications", f"applications/{reading['id']}", f"applications/{reading['id']}/dossier"):
        page.goto(f"{base}/{path}")
        page.locator(".app-list, .status-line, img.page-image").first.wait_for()
        assert font_px(html) == 20
        assert fits_the_width(page), f"{base}/{path} is wider than the screen in 大字模式"
    wait_for_image(page.locator("img.page-image"))
    assert_accessible(page, f"查看案卷 in 大字模式 ({base})")

    page.get_by_role("button", name="大字模式").click()
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "false")
    assert font_px(html) == 16
    page.reload()
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "false")
    assert font_px(html) == 16
