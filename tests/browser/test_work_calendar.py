"""工作日历 in the console: an admin pastes a year's 法定节假日 and 调休上班日 as the State
Council's notice lists them, saves, and finds them again; a date outside the year is
refused beside the form."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP
from tests.browser.steps import staff_sign_in


def test_an_admin_uploads_a_years_holidays(stack, browsers):
    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    desk.goto("/staff/admin/holidays?year=2032")
    expect(desk.locator("main")).to_contain_text("2032 年尚未上传。")
    desk.get_by_label("法定节假日（每行一个日期，YYYY-MM-DD）").fill("2032-10-01\n2032-10-02，2032-10-03")
    desk.get_by_label("调休上班日（需上班的周六、周日）").fill("2033-01-01")
    desk.get_by_role("button", name="保存").click()
    expect(desk.locator(".holidays-form [role=status]")).to_contain_text("2032 年内")  # refused: another year
    desk.get_by_label("调休上班日（需上班的周六、周日）").fill("2032-10-09")  # a Saturday
    desk.get_by_role("button", name="保存").click()
    saved = "已保存 2032 年：法定节假日 3 天，调休上班日 1 天。"
    expect(desk.locator(".holidays-form [role=status]")).to_have_text(saved)
    browsers.shot(desk, "staff-22-holidays")
    desk.reload()
    expect(desk.locator("main")).to_contain_text("2032 年已上传。")
    expect(desk.get_by_label("法定节假日（每行一个日期，YYYY-MM-DD）")).to_have_value(
        "2032-10-01\n2032-10-02\n2032-10-03"
    )
