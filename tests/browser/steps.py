"""Steps the browser tests share: the court's feed and staff sign-in done once, as
the people who do them would."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from tests.support import Api, make_pdf, new_case_no, new_id_number, new_phone

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


def ingest(admin: Api, case_no: str, pages: int = 3, title: str = "起诉状") -> dict:
    response = admin.post(
        f"/api/v1/admin/cases/{case_no}/documents",
        files={"file": ("doc.pdf", make_pdf(pages, label="Dossier"), "application/pdf")},
        data={"volume": "正卷", "title": title},
        timeout=120,
    )
    assert response.status_code == 201, response.text
    return response.json()


def person(name: str) -> dict:
    return {"name": name, "id_number": new_id_number(), "phone": new_phone(), "password": PASSWORD}


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
