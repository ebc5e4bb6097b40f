"""Steps the browser tests share: the court's feed and staff sign-in done once, as
the people who do them would."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.support import Api, make_pdf, new_case_no, new_id_number, new_license_no, new_phone

COURT = "广东省广州市中级人民法院"
PASSWORD = "Reader-2024"
SHANGHAI = timezone(timedelta(hours=8))


def court_today() -> str:
    """Today in the court's time zone (the test clock is unset at the start of a test)."""
    return datetime.now(SHANGHAI).date().isoformat()


def import_case(admin: Api, *, parties=(), lawyers=(), status="in_trial", dossier=False) -> str:
    case_no = new_case_no()
    body = {
        "case_no": case_no,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": status,
        "has_electronic_dossier": dossier,
        "parties": [{"name": n, "id_number": i, "side": "原告"} for n, i in parties],
        "lawyers": list(lawyers),
    }
    response = admin.post("/api/v1/admin/cases", json={"cases": [body]})
    assert response.status_code == 200, response.text
    return case_no


def ingest(admin: Api, case_no: str, pages: int = 3, title: str = "起诉状", volume: str = "正卷") -> dict:
    response = admin.post(
        f"/api/v1/admin/cases/{case_no}/documents",
        files={"file": ("doc.pdf", make_pdf(pages, label="Dossier"), "application/pdf")},
        data={"volume": volume, "title": title},
        timeout=120,
    )
    assert response.status_code == 201, response.text
    return response.json()


def person(name: str) -> dict:
    return {"name": name, "id_number": new_id_number(), "phone": new_phone(), "password": PASSWORD}


def registered_lawyer(admin: Api, name: str, firm: str) -> dict:
    """A lawyer the court's registry knows (律师名册), not yet signed up."""
    lawyer = {**person(name), "license_no": new_license_no()}
    registry = {"lawyers": [{"license_no": lawyer["license_no"], "name": name, "law_firm": firm}]}
    assert admin.post("/api/v1/admin/lawyers", json=registry).status_code == 200
    return lawyer


def fill_signup(page, who: dict, *, password: str | None = None, firm: str | None = None) -> None:
    """The sign-up form of /m/ and /web/: the real-name fields, and with ``firm`` a lawyer's."""
    if firm is not None:
        page.get_by_label("身份", exact=True).select_option("lawyer")
    page.get_by_label("姓名").fill(who["name"])
    page.get_by_label("身份证号").fill(who["id_number"])
    page.get_by_label("手机号").fill(who["phone"])
    page.get_by_label("密码").fill(password or who["password"])
    if firm is not None:
        page.get_by_label("执业证号").fill(who["license_no"])
        page.get_by_label("律师事务所").fill(firm)


def pdf_file(name: str, pages: int = 1) -> dict:
    """A file for set_input_files: a small real PDF."""
    return {"name": name, "mimeType": "application/pdf", "buffer": make_pdf(pages)}


def staff_sign_in(page, phone: str, password: str) -> None:
    page.goto("/staff/")
    page.wait_for_url(re.compile(r"/staff/login"))
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator("nav#nav .who").wait_for()


def sign_in(page, phone: str, password: str) -> None:
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def new_staff(admin: Api, role: str, name: str) -> dict:
    data = {"phone": new_phone(), "password": "Staff-2024x", "name": name, "role": role, "court": COURT}
    response = admin.post("/api/v1/admin/staff", json=data)
    assert response.status_code == 201, response.text
    return data


def wait_for_image(image, seconds: float = 15) -> None:
    """Until the <img> has decoded a real picture (wait_for_function would need eval,
    which the pages' CSP rightly forbids)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if image.evaluate("img => img.complete && img.naturalWidth") > 0:
            return
        time.sleep(0.1)
    raise AssertionError("the page image did not load")


# -- the console's side of the manual, as a clerk and the archive room do it ---------------


def approve_online(desk, application_id: str, case_no: str) -> None:
    """The clerk, signed in on ``desk``, opens the application from the queue and agrees
    to online reading (在线阅卷, the default for a case with an electronic dossier)."""
    desk.locator("nav#nav").get_by_role("link", name="阅卷审查").click()
    row = desk.locator(f"tr[data-id='{application_id}']")
    expect(row).to_contain_text(case_no)
    row.get_by_role("link", name="审查").click()
    desk.get_by_label("审查意见说明").fill("申请符合法律规定，予以同意")
    desk.get_by_role("button", name="提交审查决定").click()
    expect(desk.locator(".status-line .tag")).to_have_text("通过")


def approve_binding(desk, case_no: str, party_name: str) -> None:
    """The clerk agrees to a lawyer's case binding (案件绑定) from the console's list."""
    desk.locator("nav#nav").get_by_role("link", name="绑定审查").click()
    row = desk.locator("tr", has_text=case_no)
    expect(row).to_contain_text(party_name)
    row.get_by_role("button", name="同意", exact=True).click()
    expect(desk.locator("tr", has_text=case_no)).to_have_count(0)


def approve_onsite(desk, application_id: str, start: date, end: date) -> None:
    """A case without an electronic dossier: the console does not offer online reading,
    says why, and on-site reading (现场阅卷) between two dates is agreed."""
    desk.locator("nav#nav").get_by_role("link", name="阅卷审查").click()
    desk.locator(f"tr[data-id='{application_id}']").get_by_role("link", name="审查").click()
    expect(desk.locator(".material-groups a")).to_have_count(4)
    with desk.expect_popup() as material:
        desk.locator(".material-groups a").first.click()
    material.value.close()
    expect(desk.locator(".decision-form .no-dossier")).to_contain_text("因未扫描电子卷")
    expect(desk.get_by_label("在线阅卷")).to_be_disabled()
    expect(desk.get_by_label("现场阅卷")).to_be_checked()
    desk.get_by_label("起始时间").fill(start.isoformat())
    desk.get_by_label("截止时间").fill(end.isoformat())
    desk.get_by_role("button", name="提交审查决定").click()
    expect(desk.locator(".status-line .tag")).to_have_text("通过")
    expect(desk.locator(".detail")).to_contain_text("现场阅卷")


def record_attendance(room, application_id: str, day: date) -> None:
    """The archive room (档案室), just signed in on ``room``, finds the application on its
    home list and records that the reader came, 09:30 to 11:00."""
    room.wait_for_url("**/staff/onsite")
    row = room.locator(f"tr[data-id='{application_id}']")
    expect(row).to_contain_text("未登记")
    row.get_by_label("是否到场").select_option("true")
    row.get_by_label("借阅时间").fill(f"{day.isoformat()}T09:30")
    row.get_by_label("还卷时间").fill(f"{day.isoformat()}T11:00")
    row.get_by_role("button", name="登记").click()
    expect(room.locator(f"tr[data-id='{application_id}']")).to_contain_text(f"{day.isoformat()} 09:30:00")


def until_status(page, path: str, label: str, seconds: float = 15) -> None:
    """Reopen ``path`` until its status tag reads ``label``: a decision reaches the
    applicant's side by event, a moment after the clerk sees it."""
    deadline = time.monotonic() + seconds
    tag = page.locator(".status-line .tag")
    while True:
        page.goto(path)
        tag.wait_for()
        if tag.inner_text() == label or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    expect(tag).to_have_text(label)


def assert_print_copy(body: bytes, pages: int) -> None:
    """打印 gives a print copy, not the filed original: every page is there, flattened to
    a picture that carries the reader's stamp (水印), so no text layer survives."""
    import pypdfium2 as pdfium

    assert body.startswith(b"%PDF")
    printed = pdfium.PdfDocument(body)
    assert len(printed) == pages
    assert printed[0].get_textpage().get_text_range() == ""
