"""Review (审查) end to end: the queue fed by applications' events, every decision path
and error code, two clerks racing, attendance, expiry at midnight on the test clock, and
the messages (站内信) sent once per decision however often the event arrives."""

from __future__ import annotations

import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support import (
    Api,
    assert_error,
    create_staff,
    events_consumed,
    new_case_no,
    new_party,
    wait_for_events_consumed,
    wait_for_timer_runs,
    wait_until,
)

GUANGZHOU = "广东省广州市中级人民法院"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def court_of_this_test() -> str:
    """Each test its own court, so its queue holds only what it made."""
    return f"测试法院{uuid.uuid4().hex[:8]}"


def import_case(admin: Api, court: str, electronic: bool) -> str:
    case_no = new_case_no()
    body = {
        "cases": [
            {
                "case_no": case_no,
                "court": court,
                "cause": "合同纠纷",
                "status": "archived",
                "has_electronic_dossier": electronic,
                "parties": [],
                "lawyers": [],
            }
        ]
    }
    response = admin.post("/api/v1/admin/cases", json=body)
    assert response.status_code == 200, response.text
    return case_no


def submit(stack, applicant: Api, case_no: str, court: str, applied_at: str = "2026-05-07T10:00:00+08:00") -> int:
    """Announce a submitted application as the applications service does; ids far above
    any the applications service issues, so nothing collides on a shared stack."""
    app_id = random.randint(10**12, 10**13)
    payload = submitted_payload(app_id, applicant, case_no, court, applied_at)
    stack.dispatch_event("applications", "application_submitted", payload)
    return app_id


def submitted_payload(app_id: int, applicant: Api, case_no: str, court: str, applied_at: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "application_id": app_id,
        "applicant": {
            "id": applicant.user["id"],
            "name": applicant.user["name"],
            "role": applicant.user["role"],
            "phone": applicant.phone,
        },
        "case_no": case_no,
        "court": court,
        "scope": "全案卷宗",
        "reason": "测试",
        "materials": [{"id": 7, "kind": "license", "filename": "执业证.pdf"}],
        "applied_at": applied_at,
    }


def decision_path(app_id: int) -> str:
    return f"/api/v1/staff/applications/{app_id}/decision"


def wait_arrived(clerk: Api, app_id: int, seconds: float = 15) -> None:
    """Until the event is consumed the application is unknown (404); an unreadable body
    then answers 422, which decides nothing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = clerk.post(decision_path(app_id), json={"opinion": "?"})
        if response.status_code != 404:
            assert response.status_code == 422, response.text
            return
        time.sleep(0.1)
    pytest.fail(f"application {app_id} never reached review")


def messages_of(user: Api) -> list[dict]:
    response = user.get("/api/v1/messages", params={"limit": 100})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def wait_messages(user: Api, app_id: int, count: int, seconds: float = 15) -> list[dict]:
    deadline = time.monotonic() + seconds
    while True:
        found = [m for m in messages_of(user) if m["application_id"] == app_id]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def queue(staff: Api, **params) -> list[dict]:
    response = staff.get("/api/v1/staff/applications", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_queue_roles_courts_and_every_decision_path(stack, admin):
    court = court_of_this_test()
    clerk = create_staff(admin, "clerk", court, name="中欣")
    archivist = create_staff(admin, "archivist", court, name="档案员")
    stranger = create_staff(admin, "clerk", court_of_this_test())
    party = Api(stack.base_url)
    party.register("party", name="金家慧")
    with_dossier = import_case(admin, court, electronic=True)
    paper_only = import_case(admin, court, electronic=False)
    # Announced newest first; the queue must still show the longest wait at the top.
    return_id = submit(stack, party, with_dossier, court, "2026-05-07T10:03:00+08:00")
    reject_id = submit(stack, party, with_dossier, court, "2026-05-07T10:02:00+08:00")
    paper_id = submit(stack, party, paper_only, court, "2026-05-07T10:01:00+08:00")
    online_id = submit(stack, party, with_dossier, court, "2026-05-07T10:00:00+08:00")
    for app_id in (online_id, paper_id, reject_id, return_id):
        wait_arrived(clerk, app_id)

    # Who may look: 401 without a token, 403 for a party, only one's own court.
    assert_error(Api(stack.base_url).get("/api/v1/staff/applications"), 401, "unauthenticated")
    assert_error(party.get("/api/v1/staff/applications"), 403, "forbidden")
    assert_error(party.post(decision_path(online_id), json={"opinion": "reject"}), 403, "forbidden")
    assert_error(archivist.post(decision_path(online_id), json={"opinion": "reject"}), 403, "forbidden")
    assert_error(stranger.post(decision_path(online_id), json={"opinion": "reject"}), 404, "not_found")
    assert_error(clerk.post(decision_path(1), json={"opinion": "reject"}), 404, "not_found")
    assert_error(clerk.post(decision_path("x" * 300), json={"opinion": "reject"}), 404, "not_found")
    assert all(item["court"] != court for item in queue(stranger))

    pending = queue(clerk, status="pending")
    assert [item["id"] for item in pending] == [online_id, paper_id, reject_id, return_id]
    page = clerk.get("/api/v1/staff/applications", params={"status": "pending", "limit": 3}).json()
    rest = clerk.get("/api/v1/staff/applications", params={"status": "pending", "cursor": page["next_cursor"]}).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [online_id, paper_id, reject_id, return_id]
    first = next(item for item in pending if item["id"] == online_id)
    assert first["status"] == "pending" and first["review"] is None and first["reading"] is None
    # (how the applicant was verified joins from identity when the id is an account's)
    assert {k: v for k, v in first["applicant"].items() if k != "verification"} == {"name": "金家慧", "role": "party"}
    assert first["materials"][0]["url"] == "/api/v1/uploads/7" and first["waited_seconds"] >= 0
    assert_error(clerk.get("/api/v1/staff/applications", params={"status": "nope"}), 422, "validation_error")

    # The input (422) before the state (409); nothing changes on a refusal.
    today = datetime.now(SHANGHAI).date()  # the stack's clock is real time in this test
    bad = [
        ({"opinion": "approve"}, "validation_error"),
        ({"opinion": "reject"}, "validation_error"),
        ({"opinion": "approve", "mode": "online", "valid_until": "2020-01-01"}, "invalid_date"),
        (
            {"opinion": "approve", "mode": "onsite", "start_date": "2020-01-01", "end_date": "2030-01-02"},
            "invalid_date",
        ),
        (
            {
                "opinion": "approve",
                "mode": "onsite",
                "start_date": (today + timedelta(days=3)).isoformat(),
                "end_date": (today + timedelta(days=2)).isoformat(),
            },
            "invalid_date",
        ),
    ]
    for body, code in bad:
        assert_error(clerk.post(decision_path(online_id), json=body), 422, code)
    broken = clerk.post(decision_path(online_id), data="{", headers={"Content-Type": "application/json"})
    assert_error(broken, 400, "bad_request")
    # 因未扫描电子卷: a case without an electronic dossier cannot be approved online.
    online_paper = clerk.post(decision_path(paper_id), json={"opinion": "approve", "mode": "online"})
    refused = assert_error(online_paper, 409, "no_electronic_dossier")
    assert "电子卷" in refused["error"]["message"]

    approved = clerk.post(decision_path(online_id), json={"opinion": "approve", "mode": "online"})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["id"] == online_id
    assert body["review"]["reviewer"] == "中欣" and body["review"]["opinion"] == "approve"
    assert body["review"]["mode"] == "online" and body["review"]["explanation"] == "申请符合法律规定, 予以同意"
    assert body["reading"]["valid_until"] >= (today + timedelta(days=14)).isoformat()
    late = clerk.post(decision_path(online_id), json={"opinion": "reject", "explanation": "晚了"})
    assert_error(late, 409, "invalid_state")

    window = {"start_date": today.isoformat(), "end_date": (today + timedelta(days=1)).isoformat()}
    onsite = clerk.post(decision_path(paper_id), json={"opinion": "approve", "mode": "onsite", **window})
    assert onsite.status_code == 200, onsite.text
    reading = onsite.json()["reading"]
    assert reading["mode"] == "onsite" and reading["start_date"] == window["start_date"]
    assert reading["attended"] is None and reading["notice"]
    assert "前到院现场阅卷" in onsite.json()["review"]["explanation"]

    rejected = clerk.post(decision_path(reject_id), json={"opinion": "reject", "explanation": "与本案无关"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["reading"] is None and rejected.json()["review"]["mode"] is None
    returned = clerk.post(decision_path(return_id), json={"opinion": "return", "explanation": "请补充授权委托书"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"

    assert {i["id"] for i in queue(clerk, status="pending")}.isdisjoint({online_id, paper_id, reject_id, return_id})
    assert [i["id"] for i in queue(archivist, status="approved", mode="onsite")] == [paper_id]

    # Each decision reached the applicant's inbox; others' messages are not theirs to read.
    notes = {}
    for app_id in (online_id, paper_id, reject_id, return_id):
        found = wait_messages(party, app_id, 1)
        assert len(found) == 1, found
        notes[app_id] = found[0]
    assert "有效截止日期" in notes[online_id]["body"] and "现场阅卷" in notes[paper_id]["body"]
    assert "未通过" in notes[reject_id]["title"]
    assert "补正" in notes[return_id]["title"] and notes[return_id]["read"] is False
    message_id = notes[return_id]["id"]
    assert_error(clerk.post(f"/api/v1/messages/{message_id}/read"), 404, "not_found")
    assert_error(party.post("/api/v1/messages/abc/read"), 404, "not_found")
    assert party.post(f"/api/v1/messages/{message_id}/read").status_code == 204
    assert next(m for m in messages_of(party) if m["id"] == message_id)["read"] is True
    assert messages_of(clerk) == []


def test_two_clerks_racing_exactly_one_wins_and_events_count_once(stack, admin):
    court = court_of_this_test()
    clerks = [create_staff(admin, "clerk", court, name=f"审查员{i}") for i in range(4)]
    party = Api(stack.base_url)
    party.register("party")
    case_no = import_case(admin, court, electronic=True)
    raced = submit(stack, party, case_no, court)
    withdrawn = submit(stack, party, case_no, court)
    keyed = submit(stack, party, case_no, court)
    for app_id in (raced, withdrawn, keyed):
        wait_arrived(clerks[0], app_id)

    today = datetime.now(SHANGHAI).date().isoformat()
    bodies = [
        {"opinion": "approve", "mode": "online"},
        {"opinion": "reject", "explanation": "不同意"},
        {"opinion": "return", "explanation": "请补正"},
        {"opinion": "approve", "mode": "onsite", "start_date": today, "end_date": today},
    ]
    with ThreadPoolExecutor(len(clerks)) as pool:
        answers = list(pool.map(lambda c, b: c.post(decision_path(raced), json=b), clerks, bodies))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409, 409, 409], [a.text for a in answers]
    winner = next(i for i, a in enumerate(answers) if a.status_code == 200)
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, "invalid_state")
    shown = next(item for item in queue(clerks[1]) if item["id"] == raced)
    assert shown["review"]["reviewer"] == f"审查员{winner}"
    assert shown["review"]["opinion"] == bodies[winner]["opinion"]

    # A withdrawn application leaves the queue and can no longer be decided.
    stack.dispatch_event(
        "applications", "application_withdrawn", {"event_id": str(uuid.uuid4()), "application_id": withdrawn}
    )
    deadline = time.monotonic() + 15
    while withdrawn not in [i["id"] for i in queue(clerks[0], status="withdrawn")]:
        assert time.monotonic() < deadline, "the withdrawal never reached review"
        time.sleep(0.2)
    assert_error(clerks[0].post(decision_path(withdrawn), json=bodies[1]), 409, "invalid_state")

    # Idempotency-Key: a retry gets the first answer; the key with another body is refused.
    first = clerks[2].post(decision_path(keyed), json=bodies[1], headers={"Idempotency-Key": "decide-1"})
    again = clerks[2].post(decision_path(keyed), json=bodies[1], headers={"Idempotency-Key": "decide-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = clerks[2].post(decision_path(keyed), json=bodies[2], headers={"Idempotency-Key": "decide-1"})
    assert_error(other, 422, "idempotency_key_reused")
    assert_error(clerks[2].post(decision_path(keyed), json=bodies[1]), 409, "invalid_state")

    # What follows counts the deliveries review handles; the decisions above are in first.
    for app_id in (raced, keyed):
        assert len(wait_messages(party, app_id, 1)) == 1
    submitted_before = events_consumed(stack, "review", "applications", "application_submitted")
    decided_before = events_consumed(stack, "review", "review", "application_decided")

    # A submitted event delivered twice (and re-announced under a new id) queues once.
    twice = random.randint(10**12, 10**13)
    payload = submitted_payload(twice, party, case_no, court, "2026-05-07T10:00:00+08:00")
    for sent in (payload, payload, dict(payload, event_id=str(uuid.uuid4()))):
        stack.dispatch_event("applications", "application_submitted", sent)
    wait_arrived(clerks[0], twice)

    # A decision announced twice, and once more under another id: one message.
    echoed = random.randint(10**12, 10**13)
    decided = {
        "event_id": str(uuid.uuid4()),
        "application_id": echoed,
        "applicant_id": party.user["id"],
        "case_no": case_no,
        "court": court,
        "opinion": "reject",
        "mode": None,
        "explanation": "重复投递",
        "reviewer": "审查员",
        "reviewed_at": "2026-05-07T10:00:00+08:00",
    }
    for sent in (decided, decided, dict(decided, event_id=str(uuid.uuid4()))):
        stack.dispatch_event("review", "application_decided", sent)
    for app_id in (raced, keyed, echoed):
        assert len(wait_messages(party, app_id, 1)) == 1
    # every copy handled, so nothing is still on its way
    wait_for_events_consumed(stack, "review", "applications", "application_submitted", submitted_before + 3)
    wait_for_events_consumed(stack, "review", "review", "application_decided", decided_before + 3)
    items = messages_of(party)
    assert [m["application_id"] for m in items].count(twice) == 0
    for app_id in (raced, keyed, echoed):
        assert [m["application_id"] for m in items].count(app_id) == 1, items
    assert [i["id"] for i in queue(clerks[0])].count(twice) == 1


def test_attendance_and_expiry_at_the_courts_midnight(stack, clock):
    day = datetime.now(SHANGHAI).date()
    clock.set(f"{day}T13:00:00+08:00")
    admin = stack.admin_api()  # signed in at 13:00 by the court's clock: up to 13 hours on from now
    court = court_of_this_test()
    clerk = create_staff(admin, "clerk", court)
    archivist = create_staff(admin, "archivist", court, name="档案员")
    elsewhere = create_staff(admin, "archivist", court_of_this_test())
    party = Api(stack.base_url)
    party.register("party")
    case_no = import_case(admin, court, electronic=True)
    last_day, later, absent, attended = (submit(stack, party, case_no, court) for _ in range(4))
    for app_id in (last_day, later, absent, attended):
        wait_arrived(clerk, app_id)
    today, after = day.isoformat(), (day + timedelta(days=2)).isoformat()
    decisions = {
        last_day: {"opinion": "approve", "mode": "online", "valid_until": today},
        later: {"opinion": "approve", "mode": "online", "valid_until": after},
        absent: {"opinion": "approve", "mode": "onsite", "start_date": today, "end_date": today},
        attended: {"opinion": "approve", "mode": "onsite", "start_date": today, "end_date": today},
    }
    for app_id, body in decisions.items():
        response = clerk.post(decision_path(app_id), json=body)
        assert response.status_code == 200, response.text

    url = f"/api/v1/staff/applications/{attended}/attendance"
    record = {"attended": True, "borrowed_at": f"{today} 12:00:00", "returned_at": f"{today} 12:30:00"}
    assert_error(clerk.post(url, json=record), 403, "forbidden")
    assert_error(party.post(url, json=record), 403, "forbidden")
    assert_error(elsewhere.post(url, json=record), 404, "not_found")
    assert_error(archivist.post(f"/api/v1/staff/applications/{later}/attendance", json=record), 409, "invalid_state")
    for bad, code in (
        ({"attended": "是"}, "validation_error"),
        (dict(record, returned_at=f"{today} 11:00:00"), "invalid_date"),
        (dict(record, borrowed_at=f"{day - timedelta(days=1)} 12:00:00"), "invalid_date"),
        (dict(record, borrowed_at=f"{today} 14:00:00", returned_at=None), "invalid_date"),
        ({"attended": False, "borrowed_at": f"{today} 12:00:00"}, "validation_error"),
    ):
        assert_error(archivist.post(url, json=bad), 422, code)
    # one time as people type it (the court's), one with its offset: both mean Beijing time
    recorded = archivist.post(url, json=dict(record, returned_at=f"{today}T12:30:00+08:00"))
    assert recorded.status_code == 200, recorded.text
    reading = recorded.json()["reading"]
    assert reading["attended"] is True and reading["borrowed_at"] == f"{today}T12:00:00+08:00"
    assert reading["returned_at"] == f"{today}T12:30:00+08:00"
    listed = archivist.get("/api/v1/staff/applications?status=approved&mode=onsite&limit=100").json()["items"]
    stored = next(item for item in listed if item["id"] == attended)["reading"]  # read back from the database
    assert (stored["borrowed_at"], stored["returned_at"]) == (f"{today}T12:00:00+08:00", f"{today}T12:30:00+08:00")

    # The reminder on the last day of an online approval, once, for that one only.
    reminders = [m for m in wait_messages(party, last_day, 2) if m["title"] == "在线阅卷即将到期"]
    assert len(reminders) == 1, reminders
    assert today in reminders[0]["body"]

    clock.set(f"{today}T23:59:00+08:00")
    assert {i["id"]: i["status"] for i in queue(archivist)} == dict.fromkeys(decisions, "approved")
    wait_for_timer_runs(stack, "review", "expiry_reminders")  # another sweep on the same day: still one reminder
    clock.set(f"{day + timedelta(days=1)}T00:01:00+08:00")
    seen = {i["id"]: i["status"] for i in queue(archivist)}
    assert seen == {last_day: "expired", later: "approved", absent: "expired", attended: "approved"}
    assert {i["id"] for i in queue(archivist, status="expired")} == {last_day, absent}
    assert {i["id"] for i in queue(archivist, status="approved", mode="onsite")} == {attended}
    notes = [m for m in messages_of(party) if m["title"] == "在线阅卷即将到期"]
    assert [m["application_id"] for m in notes] == [last_day]
    texts = stack.texts_to(party.phone)  # a text for each decision and for the one reminder
    assert sum("阅卷申请已通过" in t for t in texts) == 4, texts
    assert [t for t in texts if "在线阅卷即将到期" in t] == [
        f"【网上阅卷】在线阅卷即将到期（{case_no}），请登录查看详情。"
    ]
    # A date that was today yesterday is in the past now.
    late = submit(stack, party, case_no, court)
    wait_arrived(clerk, late)
    assert_error(clerk.post(decision_path(late), json=decisions[last_day]), 422, "invalid_date")


def test_guangzhou_notice_is_the_manuals(stack, admin):
    clerk = create_staff(admin, "clerk", GUANGZHOU)
    party = Api(stack.base_url)
    party.register("party")
    app_id = submit(stack, party, import_case(admin, GUANGZHOU, electronic=False), GUANGZHOU)
    wait_arrived(clerk, app_id)
    today = datetime.now(SHANGHAI).date().isoformat()
    body = {"opinion": "approve", "mode": "onsite", "start_date": today, "end_date": today}
    response = clerk.post(decision_path(app_id), json=body)
    assert response.status_code == 200, response.text
    notice = response.json()["reading"]["notice"]
    assert "广州市白云区应潭路66号" in notice and "020-83210148" in notice


def test_a_real_submission_reaches_the_queue_and_the_decision_reaches_the_applicant(stack, admin):
    court = court_of_this_test()
    clerk = create_staff(admin, "clerk", court)
    party = new_party(stack.base_url, name="李四")
    case_no = new_case_no()
    case = {
        "case_no": case_no,
        "court": court,
        "cause": "买卖合同纠纷",
        "status": "archived",
        "has_electronic_dossier": True,
        "parties": [{"name": "李四", "id_number": party.id_number, "side": "原告"}],
        "lawyers": [],
    }
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    submitted = party.post("/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要"})
    assert submitted.status_code == 201, submitted.text
    app_id = submitted.json()["id"]
    wait_arrived(clerk, app_id)
    (item,) = queue(clerk, status="pending")
    assert item["id"] == app_id and item["case_no"] == case_no and item["applicant"]["name"] == "李四"
    # the clerk tells people apart: how this applicant was verified (实名认证)
    verification = item["applicant"]["verification"]
    assert verification["verified"] is True and verification["label"] == "人工核验身份证件" and verification["at"]

    decided = clerk.post(decision_path(app_id), json={"opinion": "approve", "mode": "online"})
    assert decided.status_code == 200, decided.text
    deadline = time.monotonic() + 15
    while (seen := party.get(f"/api/v1/applications/{app_id}").json())["status"] != "approved":
        assert time.monotonic() < deadline, seen
        time.sleep(0.2)
    assert seen["review"]["opinion"] == "approve" and seen["reading"] == decided.json()["reading"]
    assert len(wait_messages(party, app_id, 1)) == 1

    # the text-message copy goes to the number the applicant signed up with, once (beside
    # the texts of signing up: the SMS code, the 实名认证 result)
    def case_texts() -> list[str]:
        return [text for text in stack.texts_to(party.phone) if case_no in text]

    assert wait_until(case_texts), stack.texts_to(party.phone)
    (text,) = case_texts()
    assert case_no in text and text.startswith("【网上阅卷】阅卷申请已通过")


def test_the_consoles_counts_are_real_and_the_queue_is_searchable(stack, admin):
    """Every status counted in one call, past any page; found by case number and name."""
    court = court_of_this_test()
    clerk = create_staff(admin, "clerk", court)
    party = Api(stack.base_url)
    party.register("party", name="王小明")
    cases = [import_case(admin, court, electronic=True) for _ in range(3)]
    ids = [submit(stack, party, case_no, court) for case_no in cases]
    for app_id in ids:
        wait_arrived(clerk, app_id)
    rejected = clerk.post(decision_path(ids[0]), json={"opinion": "reject", "explanation": "不符合条件"})
    assert rejected.status_code == 200, rejected.text
    counts = clerk.get("/api/v1/staff/applications/counts")
    assert counts.status_code == 200, counts.text
    assert {k: counts.json()["counts"][k] for k in ("pending", "rejected", "approved")} == {
        "pending": 2,
        "rejected": 1,
        "approved": 0,
    }
    by_case = queue(clerk, case_no=cases[1].replace("（", "(").replace("）", ")"))
    assert [a["id"] for a in by_case] == [ids[1]]
    assert {a["id"] for a in queue(clerk, applicant="小明")} == set(ids)
    assert queue(clerk, applicant="别人") == []
    assert_error(clerk.get("/api/v1/staff/applications", params={"case_no": "x"}), 422, "invalid_case_no")
    assert_error(party.get("/api/v1/staff/applications/counts"), 403, "forbidden")
