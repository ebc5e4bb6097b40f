"""Grants end with representation (已终止), through every service: when the court's feed
stops listing a party, their pending and approved applications for the case end at once:
reading answers 410 access_revoked, links die, a pending one cannot be decided, the
reader is told in 站内信 and by text, and the status shows 已终止 with the reason. The same
holds whichever order review and dossier hear the facts in."""

from __future__ import annotations

import random
import uuid

from tests.e2e.test_applications import apply, import_case
from tests.e2e.test_dossier import ingest
from tests.e2e.test_reading_rights import approve_online
from tests.e2e.test_review import submitted_payload
from tests.support import Api, assert_error, create_staff, eventually, make_pdf, new_case_no, new_party, wait_until

COURT = "广东省广州市中级人民法院"


def reimport_without(admin: Api, case_no: str, keep: list[Api]) -> None:
    case = {
        "case_no": case_no,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": True,
        "parties": [{"name": p.user["name"], "id_number": p.id_number, "side": "原告"} for p in keep],
        "lawyers": [],
    }
    response = admin.post("/api/v1/admin/cases", json={"cases": [case]})
    assert response.status_code == 200, response.text


def approve_online_as_review(stack, app_id: int, reader: Api, case_no: str, court: str) -> None:
    """An online approval announced as review announces it (review's own copy is not moved)."""
    stack.dispatch_event(
        "review",
        "application_decided",
        {
            "event_id": str(uuid.uuid4()),
            "application_id": app_id,
            "applicant_id": reader.user["id"],
            "case_no": case_no,
            "court": court,
            "opinion": "approve",
            "mode": "online",
            "explanation": "",
            "reviewer": "审查员",
            "reviewed_at": "2026-05-02T09:00:00+08:00",
            "valid_until": "2099-12-31",
        },
    )


def test_the_feed_dropping_a_party_ends_their_reading_everywhere(stack, admin):
    reader, other, stays = (new_party(stack.base_url, n) for n in ("终止读者", "待审读者", "仍在读者"))
    case_no = import_case(admin, parties=(reader, other, stays))
    doc = ingest(admin, case_no, make_pdf(2), "正卷", "起诉状").json()["id"]
    clerk = create_staff(admin, "clerk", COURT, name="终止审查员")
    approved_id = apply(reader, case_no).json()["id"]
    approve_online(clerk, reader, approved_id)
    page = f"/api/v1/applications/{approved_id}/dossier/documents/{doc}/pages/1"
    assert reader.get(page).status_code == 200
    link = reader.post(f"/api/v1/applications/{approved_id}/dossier/links").json()["url"]
    token_path = link[link.index("/r/") :]
    assert reader.get(token_path, allow_redirects=False).status_code == 303
    pending_id = apply(other, case_no).json()["id"]
    kept_id = apply(stays, case_no).json()["id"]
    assert eventually(lambda: clerk.get(f"/api/v1/applications/{pending_id}").status_code, lambda s: s == 200)

    reimport_without(admin, case_no, keep=[stays])

    shown = eventually(
        lambda: reader.get(f"/api/v1/applications/{approved_id}").json(), lambda a: a["status"] == "revoked"
    )
    assert shown["status"] == "revoked" and "已不是本案当事人" in shown["revocation"]["reason"]
    assert wait_until(lambda: reader.get(page).status_code == 410), reader.get(page).text
    assert_error(reader.get(page), 410, "access_revoked")
    assert_error(reader.get(f"/api/v1/applications/{approved_id}/dossier"), 410, "access_revoked")
    assert reader.get(token_path, allow_redirects=False).status_code == 404  # the link died with the grant
    assert reader.get(f"/api/v1/applications/{approved_id}/access-log").status_code == 200  # the log stays
    # the pending one: ended too, and no clerk can decide it any more
    assert eventually(
        lambda: other.get(f"/api/v1/applications/{pending_id}").json()["status"], lambda s: s == "revoked"
    )
    decide = lambda: clerk.post(  # noqa: E731
        f"/api/v1/staff/applications/{pending_id}/decision", json={"opinion": "approve", "mode": "online"}
    )
    assert eventually(decide, lambda r: r.status_code == 409).status_code == 409
    assert_error(decide(), 409, "invalid_state")
    queue = clerk.get("/api/v1/staff/applications", params={"status": "pending", "limit": 100}).json()["items"]
    assert pending_id not in [a["id"] for a in queue]
    # the one still listed is untouched
    assert stays.get(f"/api/v1/applications/{kept_id}").json()["status"] == "pending"
    # each reader told once, in the inbox and by text
    for person, app_id in ((reader, approved_id), (other, pending_id)):
        notes = eventually(
            lambda person=person, app_id=app_id: [
                m for m in person.get("/api/v1/messages").json()["items"] if m["application_id"] == app_id
            ],
            lambda found: any(m["title"] == "阅卷申请已终止" for m in found),
        )
        assert [m["title"] for m in notes].count("阅卷申请已终止") == 1
        assert any("已终止" in text for text in stack.texts_to(person.phone))
    # reapplying follows the submission rules again: no longer a party, so not found
    assert_error(reader.post(f"/api/v1/applications/{approved_id}/reapply"), 404, "not_found")


def test_a_revocation_heard_first_still_wins(stack):
    """dossier and review hear application_revoked before the submission and the decision."""
    reader = new_party(stack.base_url, "先终止")
    clerk_court = f"测试法院{uuid.uuid4().hex[:8]}"
    case_no = new_case_no()
    app_id = random.randint(10**12, 10**13)
    revoked = {
        "event_id": str(uuid.uuid4()),
        "application_id": app_id,
        "applicant_id": reader.user["id"],
        "case_no": case_no,
        "court": clerk_court,
        "reason": "案件信息更新：您已不是本案当事人",
        "revoked_at": "2026-05-03T09:00:00+08:00",
    }
    stack.dispatch_event("applications", "application_revoked", revoked)
    stack.dispatch_event(
        "applications",
        "application_submitted",
        submitted_payload(app_id, reader, case_no, clerk_court, "2026-05-01T09:00:00+08:00"),
    )
    approve_online_as_review(stack, app_id, reader, case_no, clerk_court)
    path = f"/api/v1/applications/{app_id}/dossier"
    assert wait_until(lambda: reader.get(path).status_code == 410), reader.get(path).text
    assert_error(reader.get(path), 410, "access_revoked")
    # review: the submission joined the queue already ended, so it can never be decided
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    clerk = create_staff(admin, "clerk", clerk_court)
    seen = eventually(
        lambda: clerk.get("/api/v1/staff/applications", params={"status": "revoked"}).json()["items"],
        lambda items: any(a["id"] == app_id for a in items),
    )
    assert [a["revocation"]["reason"] for a in seen if a["id"] == app_id] == [revoked["reason"]]
    assert clerk.get("/api/v1/staff/applications", params={"status": "pending"}).json()["items"] == []


def test_a_withdrawal_heard_before_the_submission_keeps_it_out_of_the_queue(stack, admin):
    reader = new_party(stack.base_url, "先撤回")
    court = f"测试法院{uuid.uuid4().hex[:8]}"
    clerk = create_staff(admin, "clerk", court)
    app_id = random.randint(10**12, 10**13)
    stack.dispatch_event(
        "applications", "application_withdrawn", {"event_id": str(uuid.uuid4()), "application_id": app_id}
    )
    stack.dispatch_event(
        "applications",
        "application_submitted",
        submitted_payload(app_id, reader, new_case_no(), court, "2026-05-01T09:00:00+08:00"),
    )
    withdrawn = eventually(
        lambda: clerk.get("/api/v1/staff/applications", params={"status": "withdrawn"}).json()["items"],
        lambda items: bool(items),
    )
    assert [a["id"] for a in withdrawn] == [app_id]
    assert clerk.get("/api/v1/staff/applications", params={"status": "pending"}).json()["items"] == []
    assert_error(
        clerk.post(f"/api/v1/staff/applications/{app_id}/decision", json={"opinion": "reject", "explanation": "x"}),
        409,
        "invalid_state",
    )


def test_a_withdrawal_voids_a_decision_review_took_before_hearing_it(stack, admin):
    """Review down, the reader submits and withdraws; review comes back, hears the
    submission first and a clerk approves before the withdrawal is heard: the withdrawal
    still wins everywhere, and nothing can be read."""
    reader = new_party(stack.base_url, "撤回读者")
    court = f"测试法院{uuid.uuid4().hex[:8]}"
    clerk = create_staff(admin, "clerk", court)
    case_no = new_case_no()
    stack.dispatch_event("dossier", "document_ingested", {"event_id": str(uuid.uuid4()), "case_no": case_no})
    app_id = random.randint(10**12, 10**13)
    stack.dispatch_event(
        "applications",
        "application_submitted",
        submitted_payload(app_id, reader, case_no, court, "2026-05-01T09:00:00+08:00"),
    )
    decision = f"/api/v1/staff/applications/{app_id}/decision"
    decided = eventually(
        lambda: clerk.post(decision, json={"opinion": "reject", "explanation": "材料不全"}),
        lambda r: r.status_code != 404,
    )
    assert decided.status_code == 200, decided.text
    approve_online_as_review(stack, app_id, reader, case_no, court)
    path = f"/api/v1/applications/{app_id}/dossier"
    assert wait_until(lambda: reader.get(path).status_code == 200)
    stack.dispatch_event(
        "applications", "application_withdrawn", {"event_id": str(uuid.uuid4()), "application_id": app_id}
    )
    assert wait_until(lambda: reader.get(path).status_code == 403), reader.get(path).text
    assert_error(reader.get(path), 403, "not_approved")
    withdrawn = eventually(
        lambda: clerk.get("/api/v1/staff/applications", params={"status": "withdrawn"}).json()["items"],
        lambda items: bool(items),
    )
    assert [a["id"] for a in withdrawn] == [app_id]
