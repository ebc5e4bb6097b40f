"""Steps the browser tests share: the court's feed and staff sign-in done once, as
the people who do them would."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from playwright.sync_api import expect

from tests import support
from tests.support import Api, make_pdf, new_case_no, new_id_number, new_license_no, new_phone

COURT = "广东省广州市中级人民法院"
PASSWORD = "Reader-2024"
SHANGHAI = timezone(timedelta(hours=8))


def court_today() -> str:
    """Today in the court's time zone (the test clock is unset at the start of a test)."""
    return support.court_today().isoformat()


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


def fill_signup(page, stack, who: dict, *, password: str | None = None, firm: str | None = None) -> None:
    """The sign-up form of /m/ and /web/: the real-name fields, the phone's code (获取验证码,
    read from the stack's SMS outbox), and with ``firm`` a lawyer's."""
    if firm is not None:
        page.get_by_label("身份", exact=True).select_option("lawyer")
    page.get_by_label("姓名").fill(who["name"])
    page.get_by_label("身份证号").fill(who["id_number"])
    page.get_by_label("手机号").fill(who["phone"])
    page.get_by_label("密码", exact=True).fill(password or who["password"])
    if firm is not None:
        page.get_by_label("执业证号").fill(who["license_no"])
        page.get_by_label("律师事务所").fill(firm)
    fill_sms_code(page, stack, who["phone"])


def codes_sent(stack, phone: str) -> int:
    return sum(1 for sent in stack.sms_sent(phone) if sent["template"] == "sms_code")


def new_sms_code(stack, phone: str, before: int, seconds: float = 15) -> str:
    """The code of the text that arrives after ``before`` codes had been sent to ``phone``."""
    deadline = time.monotonic() + seconds
    while codes_sent(stack, phone) <= before:
        assert time.monotonic() < deadline, f"no new SMS code reached {phone}"
        time.sleep(0.1)
    return stack.sms_code(phone)


def fill_sms_code(page, stack, phone: str) -> str:
    """获取验证码 on the page, then the code from the text into 验证码; the button counts down."""
    before = codes_sent(stack, phone)
    page.get_by_role("button", name="获取验证码").click()
    code = new_sms_code(stack, phone, before)
    expect(page.locator(".sms-send")).to_be_disabled()
    expect(page.locator(".sms-send")).to_have_text(re.compile(r"重新获取（\d+s）"))
    page.get_by_label("验证码").fill(code)
    return code


def api_code(stack, phone: str, purpose: str = "register") -> str:
    """A code asked for over the API, as another client of the phone would."""
    before = codes_sent(stack, phone)
    response = Api(stack.base_url).post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": purpose})
    assert response.status_code == 202, response.text
    return new_sms_code(stack, phone, before)


def identity_png(name: str = "身份证人像面.png") -> dict:
    """A file for set_input_files: a small real picture of an identity card."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (236, 240, 246))
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, 304, 184), outline=(31, 78, 157), width=3)
    draw.rectangle((216, 40, 288, 130), fill=(190, 200, 215))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}


def verify_account(stack, admin: Api, phone: str, password: str) -> None:
    """实名认证 done out of sight: the account holder sends a picture of their identity card
    over the API and the court (the admin) approves it; for tests about something else."""
    holder = Api(stack.base_url)
    holder.login(phone, password)
    if holder.get("/api/v1/me").json().get("verified"):
        return
    picture = identity_png()
    uploaded = holder.post(
        "/api/v1/uploads", files={"file": (picture["name"], picture["buffer"], "image/png")}, data={"kind": "identity"}
    )
    assert uploaded.status_code == 201, uploaded.text
    asked = holder.post("/api/v1/me/verification", json={"material_ids": [uploaded.json()["id"]]})
    assert asked.status_code == 201, asked.text
    decided = admin.post(
        f"/api/v1/staff/verifications/{asked.json()['id']}/decision",
        json={"decision": "approve", "explanation": "证件与注册信息一致"},
    )
    assert decided.status_code == 200, decided.text
    assert holder.get("/api/v1/me").json()["verified"] is True


def account(stack, admin: Api, role: str = "party", *, verified: bool = True, **fields) -> Api:
    """An account made over the API as the pages make one (a code texted to the phone, then
    the sign-up), signed in, and unless ``verified`` is False verified by the court.
    ``.phone``, ``.password`` and ``.fields`` hold what was sent."""
    data = {
        "phone": new_phone(),
        "password": PASSWORD,
        "name": "测试用户",
        "id_number": new_id_number(),
        "role": role,
        **fields,
    }
    data["sms_code"] = api_code(stack, data["phone"])
    client = Api(stack.base_url)
    response = client.post("/api/v1/auth/register", json=data)
    assert response.status_code == 201, response.text
    client.login(data["phone"], data["password"])
    client.phone, client.password, client.fields = data["phone"], data["password"], data
    if verified:
        verify_account(stack, admin, data["phone"], data["password"])
    return client


def continue_after_verification(page, stack, admin: Api, who: dict, home: str) -> None:
    """Just signed up, the page is on 实名认证: the court verifies the account, the page says
    已认证 and 继续 leads on to ``home``."""
    page.wait_for_url(re.compile(r"/(m|web)/verify\?next="))
    expect(page.locator(".verification-tag")).to_have_text("未认证")
    verify_account(stack, admin, who["phone"], who["password"])
    page.reload()
    expect(page.locator(".verification-tag")).to_have_text("已认证")
    page.get_by_role("link", name="继续").click()
    page.wait_for_url(f"**{home}")


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


def return_for_correction(desk, application_id, explanation: str, seconds: float = 15) -> None:
    """The clerk, signed in on ``desk``, opens the application from the queue (it reaches
    the queue by event: reopened until it is there) and returns it (退回补正) saying why."""
    row = desk.locator(f"tr[data-id='{application_id}']")
    deadline = time.monotonic() + seconds
    while True:
        desk.goto("/staff/applications")
        desk.locator(".queue, .empty").first.wait_for()
        if row.count() or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    row.get_by_role("link", name="审查").click()
    desk.get_by_label("退回补正").check()
    desk.get_by_label("审查意见说明").fill(explanation)
    desk.get_by_role("button", name="提交审查决定").click()
    expect(desk.locator(".status-line .tag")).to_have_text("退回补正")


def approve_binding(desk, case_no: str, party_name: str) -> None:
    """The clerk agrees to a lawyer's case binding (案件绑定) from the console's list."""
    desk.locator("nav#nav").get_by_role("link", name="绑定审查").click()
    row = listed_row(desk, case_no)
    expect(row).to_contain_text(party_name)
    expect(row.locator(".verification-cell")).to_contain_text("已实名认证（人工核验身份证件，")
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


def record_attendance(room, application_id: str, day: date) -> tuple[str, str]:
    """The archive room (档案室), just signed in on ``room``, finds the application on its
    home list and records that the reader came and went within the last minutes (a time
    of day written out, such as 09:30, is in the future for half of every day); returns
    the two times as the pages show them."""
    room.wait_for_url("**/staff/onsite")
    row = room.locator(f"tr[data-id='{application_id}']")
    expect(row).to_contain_text("未登记")
    now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    opened = datetime.combine(day, datetime.min.time(), SHANGHAI)
    borrowed = max(opened, now - timedelta(minutes=2))
    returned = max(borrowed, now - timedelta(minutes=1))
    row.get_by_label("是否到场").select_option("true")
    row.get_by_label("借阅时间").fill(borrowed.strftime("%Y-%m-%dT%H:%M"))
    row.get_by_label("还卷时间").fill(returned.strftime("%Y-%m-%dT%H:%M"))
    row.get_by_role("button", name="登记").click()
    shown = borrowed.strftime("%Y-%m-%d %H:%M:00"), returned.strftime("%Y-%m-%d %H:%M:00")
    expect(room.locator(f"tr[data-id='{application_id}']")).to_contain_text(shown[0])
    return shown  # 借阅时间, 还卷时间 as the pages show them


def listed_row(page, text: str, pages: int = 40):
    """The table row naming ``text``, pressing 加载更多 until it is shown: the tests of a run
    share a stack, so the rows others left may fill a list's first pages."""
    row = page.locator("tr", has_text=text)
    more = page.locator(".paged-list .load-more button")
    rows = page.locator(".paged-list tbody tr")
    for _ in range(pages):
        row.or_(more).first.wait_for()
        if row.count():
            return row
        shown = rows.count()
        more.click()
        expect(rows).not_to_have_count(shown)
    raise AssertionError(f"no row naming {text!r} in {pages} pages")


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


# -- who read my case (B13) and lists that page ---------------------------------------------

READS_NOTE = (
    "以下是其他人通过阅卷申请查阅本案电子卷宗的记录（每人每天一行）。"
    "您本人的查阅记录见各申请的阅卷记录；法院工作人员的查阅由法院留存。"
)


def approve_by_api(stack, admin: Api, reader: Api, application_id, seconds: float = 15) -> None:
    """A clerk of the court agrees to online reading over the API, out of sight (the
    application reaches review by event: retried until it is there); returns once the
    reader's dossier opens."""
    from tests.support import wait_until

    clerk = new_staff(admin, "clerk", "钱审查")
    desk = Api(stack.base_url)
    desk.login(clerk["phone"], clerk["password"])
    path = f"/api/v1/staff/applications/{application_id}/decision"
    body = {"opinion": "approve", "mode": "online", "explanation": "申请符合法律规定，予以同意"}
    deadline = time.monotonic() + seconds
    while (decided := desk.post(path, json=body)).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert decided.status_code == 200, decided.text
    dossier = f"/api/v1/applications/{application_id}/dossier"
    assert wait_until(lambda: reader.get(dossier).status_code == 200, seconds), "the grant never reached the dossier"


def apply_for_all(reader: Api, case_no: str, reason: str):
    """The reader applies over the API to read the whole dossier (全案卷宗); the new id."""
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": reason, "material_ids": []}
    applied = reader.post("/api/v1/applications", json=body)
    assert applied.status_code == 201, applied.text
    return applied.json()["id"]


def read_pages(reader: Api, application_id, document_id, pages) -> None:
    """The reader looks at ``pages`` of a document through the API, as the viewer does."""
    for n in pages:
        response = reader.get(f"/api/v1/applications/{application_id}/dossier/documents/{document_id}/pages/{n}")
        assert response.status_code == 200, response.text


def court_staff(admin: Api, role: str, name: str, court: str) -> dict:
    """A staff account of another court than COURT (a court of the test's own)."""
    data = {"phone": new_phone(), "password": "Staff-2024x", "name": name, "role": role, "court": court}
    response = admin.post("/api/v1/admin/staff", json=data)
    assert response.status_code == 201, response.text
    return data


def announce_submitted(stack, applicant: Api, case_no: str, court: str, applied_at: str) -> int:
    """An application announced as the applications service announces a submission
    (application_submitted), straight into review's queue: many of them quickly."""
    from tests.e2e.test_review import submit

    return submit(stack, applicant, case_no, court, applied_at)


# -- accessibility: axe-core's checks on a page as it stands ------------------------------

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async (disabled) => {
  const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
  // preload: false. To read @import-ed style sheets (the console's staff.css imports
  // web.css) axe would copy them into inline <style> elements, which the pages' CSP
  // (style-src 'self') refuses; only css-orientation-lock needs them, and no page locks
  // the orientation.
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    rules, resultTypes: ["violations"], preload: false,
  });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\\s+/g, " ")}`),
  }));
}"""


def assert_accessible(page, screen: str, *, disabled: dict[str, str] | None = None) -> None:
    """axe-core (npm, package.json) runs its WCAG 2.0/2.1 A and AA rules on ``page`` as it is
    now; any serious or critical violation fails, listed rule by rule with the elements.
    ``disabled`` turns single rules off, each with the reason it does not apply.

    The script goes in through page.evaluate, not add_script_tag: a <script> tag with the
    file's text inline is refused by the pages' CSP (script-src 'self'), as it should be."""
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(AXE_RUN, list(disabled or {}))
    report = "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}" + "".join(f"\n    {node}" for node in v["nodes"]) for v in found
    )
    assert not found, f"accessibility problems on {screen} ({page.url}):\n{report}"
