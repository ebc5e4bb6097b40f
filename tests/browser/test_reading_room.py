"""The reading room (阅卷室, B12) in the browser: the archivist sets the room in 阅卷室设置,
a reader with an on-site approval books a slot from the web center's detail page (a slot
taken meanwhile is refused: 名额已满), the booking shows on the detail, and the archive
room works from the day's list: 到场, 借阅, 还卷."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import account, court_staff, sign_in, staff_sign_in, until_status
from tests.e2e.test_reading_room import approve_onsite, book, paper_case
from tests.support import Api

MONDAY = "2030-03-04"


def test_a_reader_books_a_slot_and_the_archive_room_works_from_the_day_list(stack, browsers, clock):
    clock.set(f"{MONDAY}T10:00:00+08:00")
    admin = stack.admin_api()
    court = f"阅卷室测试法院{uuid.uuid4().hex[:6]}"
    clerk = Api(stack.base_url)
    made = court_staff(admin, "clerk", "何审查", court)
    clerk.login(made["phone"], made["password"])
    keeper = court_staff(admin, "archivist", "林档案", court)
    reader = account(stack, admin, "party", name="陈静")
    reader.id_number = reader.fields["id_number"]
    rival = account(stack, admin, "party", name="周航")
    rival.id_number = rival.fields["id_number"]
    app_id = approve_onsite(clerk, _applied(reader, paper_case(admin, court, reader)), MONDAY, "2030-03-08")["id"]
    rival_id = approve_onsite(clerk, _applied(rival, paper_case(admin, court, rival)), MONDAY, "2030-03-08")["id"]

    # 阅卷室设置: the default day until the archivist sets one seat in the afternoon
    room = browsers.page(DESKTOP)
    staff_sign_in(room, keeper["phone"], keeper["password"])
    room.locator("nav#nav").get_by_role("link", name="阅卷室设置").click()
    form = room.locator(".room-form")
    expect(form).to_contain_text("尚未设置，以下为默认值")
    expect(form.locator(".slot-row")).to_have_count(2)
    form.locator(".slot-row").nth(1).get_by_label("名额").fill("1")
    form.locator("textarea[name=closed_dates]").fill("2030-03-06")
    form.get_by_role("button", name="保存").click()
    expect(room.locator("#toast")).to_have_text("阅卷室设置已保存")
    expect(room.locator(".room-form")).not_to_contain_text("尚未设置")
    stored = Api(stack.base_url)
    stored.login(keeper["phone"], keeper["password"])
    assert stored.get("/api/v1/staff/reading-room").json()["closed_dates"] == ["2030-03-06"]

    # the reader's 预约阅卷时间: the window's open days, the closed Wednesday left out
    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    sign_in(web, reader.phone, reader.password)
    web.wait_for_url("**/web/applications")
    detail = f"/web/applications/{app_id}"
    until_status(web, detail, "通过")
    block = web.locator(".booking-block")
    expect(block.locator("h2")).to_have_text("预约阅卷时间")
    expect(block).to_contain_text("尚未预约到场时间")
    expect(block.locator(".slot-day")).to_have_count(4)  # Mon, Tue, Thu, Fri
    expect(block.locator(".slot-day[data-date='2030-03-06']")).to_have_count(0)
    tuesday = block.locator(".slot-day[data-date='2030-03-05']")
    expect(tuesday).to_contain_text("2030-03-05（周二）")
    afternoon = tuesday.locator(".slot[data-start='14:00']")
    expect(afternoon).to_contain_text("下午 14:00–17:00")
    expect(afternoon).to_contain_text("余 1")

    # the last afternoon seat goes to someone else before the click: refused, said plainly
    assert book(rival, rival_id, "2030-03-05", "14:00").status_code == 201
    afternoon.get_by_role("button", name="预约").click()
    expect(block.locator(".booking-message")).to_contain_text("名额已满")
    expect(tuesday.locator(".slot[data-start='14:00']")).to_contain_text("名额已满")
    expect(tuesday.locator(".slot[data-start='14:00']").get_by_role("button")).to_be_disabled()

    tuesday.locator(".slot[data-start='09:00']").get_by_role("button", name="预约").click()
    expect(web.locator("#toast")).to_contain_text("预约成功")
    expect(block.locator(".booking-current")).to_contain_text("已预约：2030-03-05（周二）上午 09:00–12:00")
    expect(tuesday.locator(".slot[data-start='09:00']")).to_contain_text("已预约")
    expect(web.locator(".kv-row", has_text="预约到场时间")).to_contain_text("上午 09:00–12:00")  # at once
    browsers.shot(web, "web-onsite-booking")
    # the application itself shows it once it has heard (a moment later)
    booked_row = web.locator(".kv-row", has_text="预约到场时间")
    for _ in range(30):
        web.goto(detail)
        web.locator(".status-line .tag").wait_for()
        if "上午 09:00–12:00" in booked_row.inner_text():
            break
        web.wait_for_timeout(300)
    expect(booked_row).to_contain_text("2030-03-05（周二）上午 09:00–12:00")

    # the mobile client shows the same booking
    phone = browsers.page(PHONE, mobile=True)
    phone.goto("/m/login")
    sign_in(phone, reader.phone, reader.password)
    phone.wait_for_url("**/m/reading")
    phone.goto(f"/m/applications/{app_id}")
    expect(phone.locator(".booking-block .booking-current")).to_contain_text("上午 09:00–12:00")

    # Tuesday morning: the archive room's day list, today by default, by slot
    clock.set("2030-03-05T09:30:00+08:00")
    room = browsers.page(DESKTOP)
    staff_sign_in(room, keeper["phone"], keeper["password"])
    room.locator("nav#nav").get_by_role("link", name="阅卷室", exact=True).click()
    room.wait_for_url(re.compile(r"/staff/reading-room$"))
    expect(room.locator("h1")).to_have_text("阅卷室 · 2030-03-05（周二）")
    expect(room.locator(".slot-head[data-start='09:00']")).to_contain_text("上午 09:00–12:00 · 已约 1 / 5")
    expect(room.locator(".slot-head[data-start='14:00']")).to_contain_text("已约 1 / 1")
    line = room.locator(f"tr.room-line[data-id='{app_id}']")
    expect(line).to_contain_text("陈静")
    expect(line.locator(".attended-cell")).to_have_text("未登记")
    line.get_by_role("button", name="到场", exact=True).click()
    expect(room.locator(f"tr.room-line[data-id='{app_id}'] .attended-cell")).to_have_text("是")
    room.locator(f"tr.room-line[data-id='{app_id}']").get_by_role("button", name="借阅").click()
    expect(room.locator(f"tr.room-line[data-id='{app_id}'] .borrowed-cell")).to_have_text("2030-03-05 09:30:00")
    clock.set("2030-03-05T11:15:00+08:00")
    room.locator(f"tr.room-line[data-id='{app_id}']").get_by_role("button", name="还卷").click()
    line = room.locator(f"tr.room-line[data-id='{app_id}']")
    expect(line.locator(".returned-cell")).to_have_text("2030-03-05 11:15:00")
    expect(line).to_contain_text("已还卷")
    # the other reader did not come
    room.locator(f"tr.room-line[data-id='{rival_id}']").get_by_role("button", name="未到场").click()
    expect(room.locator(f"tr.room-line[data-id='{rival_id}'] .attended-cell")).to_have_text("否")

    browsers.shot(room, "staff-reading-room")

    # any other day, from the picker
    room.get_by_label("日期").fill("2030-03-06")
    room.get_by_role("button", name="查看").click()
    expect(room.locator(".closed-day")).to_contain_text("闭馆日")
    expect(room.locator(".empty")).to_have_text("当日没有预约。")

    # the reader's detail says what the archive room recorded (signed in again: a day on)
    web = browsers.page(DESKTOP)
    web.goto("/web/login")
    sign_in(web, reader.phone, reader.password)
    web.wait_for_url("**/web/applications")
    until_status(web, detail, "通过")
    expect(web.locator(".kv-row", has_text="还卷时间")).to_contain_text("2030-03-05 11:15:00")


def _applied(reader: Api, case_no: str) -> int:
    response = reader.post("/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要"})
    assert response.status_code == 201, response.text
    return response.json()["id"]
