"""补正 that corrects: a clerk returns an application (退回补正, "请补充授权委托书"); the
reader sees why at the top of the detail page on /web/ and /m/, and 补正 opens a form
holding the old 申请内容, 申请原因 and materials (each removable) where new materials are
uploaded; 提交补正 sends what the form holds and opens the new pending application. The
clerk's review screen says what changed since the return (未作修改 for a plain 重新申请)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.steps import (
    account,
    import_case,
    new_staff,
    pdf_file,
    person,
    return_for_correction,
    sign_in,
    staff_sign_in,
    until_status,
)
from tests.support import Api, make_pdf


def upload(client: Api, kind: str, filename: str) -> dict:
    files = {"file": (filename, make_pdf(1), "application/pdf")}
    response = client.post("/api/v1/uploads", files=files, data={"kind": kind})
    assert response.status_code == 201, response.text
    return response.json()


def apply(client: Api, case_no: str, reason: str, material_ids: list[str]) -> int:
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": reason, "material_ids": material_ids}
    response = client.post("/api/v1/applications", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def opened_other_than(front: str, old_id) -> Callable[[str], bool]:
    """The address of another application's detail page than ``old_id``'s."""
    return lambda url: bool((m := re.search(rf"/{front}/applications/(\d+)$", url)) and m[1] != str(old_id))


def test_a_returned_application_is_corrected_on_the_web(stack, admin, browsers):
    party = person("赵补正")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])])
    clerk = new_staff(admin, "clerk", "钟审查")
    own = account(stack, admin, **party)
    note = upload(own, "other", "情况说明.pdf")
    application_id = apply(own, case_no, "核对证据", [note["id"]])

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    return_for_correction(desk, application_id, "请补充授权委托书")

    # the detail page: the clerk's explanation first, 补正 beside 重新申请
    web = browsers.page(DESKTOP)
    detail = f"/web/applications/{application_id}"
    web.goto(detail)
    web.wait_for_url(re.compile(r"/web/login\?next="))
    sign_in(web, party["phone"], party["password"])
    web.wait_for_url(f"**{detail}")
    until_status(web, detail, "退回补正")
    notice = web.locator(".detail > .return-notice")
    expect(notice).to_contain_text("退回补正 — 审查意见：请补充授权委托书")
    expect(web.locator(".detail > :nth-child(2)")).to_have_class(re.compile(r"\breturn-notice\b"))
    expect(web.get_by_role("button", name="重新申请")).to_be_visible()
    browsers.shot(web, "web-20-returned")

    # 补正: the old 申请内容, 申请原因 and materials are there to change
    web.get_by_role("button", name="补正", exact=True).click()
    web.wait_for_url(f"**{detail}/correct")
    expect(web.get_by_role("heading", name="补正申请")).to_be_visible()
    expect(web.locator(".correction-form .return-notice")).to_contain_text("请补充授权委托书")
    expect(web.get_by_label("案号")).to_have_value(case_no)
    expect(web.locator("select[name=scope_kind]")).to_have_value("全案卷宗")
    expect(web.get_by_label("申请原因")).to_have_value("核对证据")
    old = web.locator(".old-material")
    expect(old).to_have_count(1)
    expect(old).to_contain_text("其他材料：情况说明.pdf")
    expect(old.get_by_role("link", name="情况说明.pdf")).to_have_attribute("href", f"/api/v1/uploads/{note['id']}")
    # 移除, then 恢复 takes it back, then 移除 for good
    old.get_by_role("button", name="移除").click()
    expect(old).to_have_class(re.compile(r"\bremoved\b"))
    old.get_by_role("button", name="恢复").click()
    expect(old).not_to_have_class(re.compile(r"\bremoved\b"))
    old.get_by_role("button", name="移除").click()
    expect(old).to_contain_text("已移除")
    web.get_by_label("申请原因").fill("已补充授权委托书，核对证据")
    web.locator("input[type=file][data-kind=authorization]").set_input_files(pdf_file("授权委托书.pdf"))
    expect(web.locator(".materials")).to_contain_text("✓ 授权委托书.pdf")
    browsers.shot(web, "web-21-correction-form")
    reapply = re.compile(rf"/api/v1/applications/{application_id}/reapply$")
    with web.expect_request(lambda r: r.method == "POST" and bool(reapply.search(r.url))) as sent:
        web.get_by_role("button", name="提交补正").click()

    # the new application opens, pending, with the corrected reason and material
    web.wait_for_url(opened_other_than("web", application_id))
    fresh_id = int(web.url.rsplit("/", 1)[1])
    expect(web.locator(".status-line .tag")).to_have_text("待审查")
    expect(web.locator(".kv-row", has_text="申请原因")).to_contain_text("已补充授权委托书，核对证据")
    expect(web.locator(".material-groups")).to_contain_text("授权委托书.pdf")
    expect(web.locator(".material-groups")).not_to_contain_text("情况说明.pdf")
    expect(web.locator(".return-notice")).to_have_count(0)
    fresh = own.get(f"/api/v1/applications/{fresh_id}").json()
    letter_ids = [m["id"] for m in fresh["materials"]]
    reason = "已补充授权委托书，核对证据"
    assert sent.value.post_data_json == {"scope": "全案卷宗", "reason": reason, "material_ids": letter_ids}
    assert len(letter_ids) == 1 and letter_ids[0] != note["id"]
    assert (fresh["status"], fresh["reapplied_from"]) == ("pending", application_id)
    assert own.get(f"/api/v1/applications/{application_id}").json()["status"] == "returned"

    # the clerk's review screen: what changed since the return, beside the decision form
    desk.goto(f"/staff/applications/{fresh_id}")
    changes = desk.locator(".correction-changes")
    expect(changes.get_by_role("heading")).to_have_text("补正内容（与退回前相比）")
    expect(changes.locator(".kv-row", has_text="原审查意见")).to_contain_text("请补充授权委托书")
    expect(changes.locator(".kv-row", has_text="申请原因")).to_contain_text("核对证据 → 已补充授权委托书，核对证据")
    expect(changes).not_to_contain_text("申请内容")
    added = changes.locator(".change-materials.added a")
    expect(added).to_have_text("当事人授权委托书或法律援助公函：授权委托书.pdf")
    expect(added).to_have_attribute("href", f"/api/v1/uploads/{letter_ids[0]}")
    assert desk.context.request.get(added.get_attribute("href")).ok
    expect(changes.locator(".change-materials.removed")).to_have_text("其他材料：情况说明.pdf")
    expect(desk.get_by_role("heading", name="审查决定")).to_be_visible()
    browsers.shot(desk, "staff-20-correction-changes")


def test_a_returned_application_is_corrected_on_the_phone(stack, admin, browsers):
    party = person("孙补正")
    case_no = import_case(admin, parties=[(party["name"], party["id_number"])])
    clerk = new_staff(admin, "clerk", "严审查")
    own = account(stack, admin, **party)
    application_id = apply(own, case_no, "准备庭审", [])

    desk = browsers.page(DESKTOP)
    staff_sign_in(desk, clerk["phone"], clerk["password"])
    return_for_correction(desk, application_id, "请补充授权委托书")

    phone = browsers.page(PHONE, mobile=True)
    detail = f"/m/applications/{application_id}"
    phone.goto(detail)
    phone.wait_for_url(re.compile(r"/m/login\?next="))
    sign_in(phone, party["phone"], party["password"])
    phone.wait_for_url(f"**{detail}")
    until_status(phone, detail, "退回补正")
    expect(phone.locator(".detail > .return-notice")).to_contain_text("退回补正 — 审查意见：请补充授权委托书")
    browsers.shot(phone, "m-20-returned")

    phone.get_by_role("button", name="补正", exact=True).click()
    phone.wait_for_url(f"**{detail}/correct")
    expect(phone.locator("#page-title")).to_have_text("补正")
    expect(phone.locator(".correction-form")).to_contain_text("原申请未上传材料")
    expect(phone.get_by_label("申请原因")).to_have_value("准备庭审")
    # the server's refusal, in words: an empty reason
    phone.get_by_label("申请原因").fill("")
    phone.get_by_role("button", name="提交补正").click()
    expect(phone.get_by_role("alert")).to_contain_text("请填写申请原因")
    # 部分卷宗, the reason back, and the letter the clerk asked for
    phone.locator("select[name=scope_kind]").select_option("other")
    phone.get_by_label("需要查阅的卷宗内容").fill("起诉状、答辩状")
    phone.get_by_label("申请原因").fill("准备庭审，已补充授权委托书")
    phone.get_by_label("当事人授权委托书或法律援助公函（选填）").set_input_files(pdf_file("委托书.pdf"))
    expect(phone.locator(".materials")).to_contain_text("✓ 委托书.pdf")
    browsers.shot(phone, "m-21-correction-form")
    phone.get_by_role("button", name="提交补正").click()
    phone.wait_for_url(opened_other_than("m", application_id))
    fresh_id = int(phone.url.rsplit("/", 1)[1])
    expect(phone.locator(".status-line .tag")).to_have_text("待审查")
    expect(phone.locator(".kv-row", has_text="申请内容")).to_contain_text("起诉状、答辩状")
    expect(phone.locator(".material-groups")).to_contain_text("委托书.pdf")

    desk.goto(f"/staff/applications/{fresh_id}")
    changes = desk.locator(".correction-changes")
    expect(changes.locator(".kv-row", has_text="申请内容")).to_contain_text("全案卷宗 → 起诉状、答辩状")
    expect(changes.locator(".kv-row", has_text="申请原因")).to_contain_text("准备庭审 → 准备庭审，已补充授权委托书")
    expect(changes.locator(".change-materials.added")).to_have_text("当事人授权委托书或法律援助公函：委托书.pdf")
    expect(changes.locator(".change-materials.removed")).to_have_count(0)

    # returned again and reapplied as it was (重新申请): the clerk reads 未作修改
    return_for_correction(desk, fresh_id, "请到院现场阅卷")
    until_status(phone, f"/m/applications/{fresh_id}", "退回补正")
    phone.get_by_role("button", name="重新申请").click()
    phone.wait_for_url(opened_other_than("m", fresh_id))
    third_id = int(phone.url.rsplit("/", 1)[1])
    expect(phone.locator(".status-line .tag")).to_have_text("待审查")
    desk.goto(f"/staff/applications/{third_id}")
    expect(desk.locator(".correction-changes .unchanged")).to_have_text("未作修改")
    expect(desk.locator(".correction-changes .kv-row", has_text="原审查意见")).to_contain_text("请到院现场阅卷")
