"""The reading room (阅卷室, B12) end to end on the test clock: the archivist's settings
(and an admin's for a named court), a reader's open slots and bookings with every
refusal, the booking shown in the application's ``reading.booking``, readers racing for
the last seats, the day list, the reminder the day before (once, and once more for a
rebooked slot), and a no-show marked a week after the window."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from tests.e2e.test_review import court_of_this_test, decision_path, messages_of, submit, wait_arrived
from tests.support import (
    Api,
    assert_error,
    events_consumed,
    new_case_no,
    new_party,
    new_phone,
    wait_for_events_consumed,
    wait_for_timer_runs,
    wait_until,
)

MONDAY = "2030-03-04"  # the test clock's day: 2030-03-09 is a Saturday, 03-10 a Sunday
ROOM = "/api/v1/staff/reading-room"
DAY_LIST = "/api/v1/staff/reading-room/bookings"
STAFF_PASSWORD = "Staff-2024x"


def staff(admin: Api, role: str, court: str, name: str) -> Api:
    """A staff account, signed in, that can sign in again after the clock moves on."""
    client = Api(admin.base_url)
    client.phone, client.password = new_phone(), STAFF_PASSWORD
    body = {"phone": client.phone, "password": STAFF_PASSWORD, "name": name, "role": role, "court": court}
    response = admin.post("/api/v1/admin/staff", json=body)
    assert response.status_code == 201, response.text
    client.login(client.phone, client.password)
    return client


def sign_in_again(*clients: Api) -> None:
    """Sessions live 12 hours of the court's clock: moved days on, everyone signs in again."""
    for client in clients:
        client.login(client.phone, getattr(client, "password", "Reader-2024"))


def paper_case(admin: Api, court: str, party: Api) -> str:
    case_no = new_case_no()
    case = {
        "case_no": case_no,
        "court": court,
        "cause": "买卖合同纠纷",
        "status": "archived",
        "has_electronic_dossier": False,
        "parties": [{"name": party.user["name"], "id_number": party.id_number, "side": "原告"}],
        "lawyers": [],
    }
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    return case_no


def applied(party: Api, case_no: str) -> int:
    response = party.post("/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def approve_onsite(clerk: Api, app_id: int, start: str, end: str) -> dict:
    wait_arrived(clerk, app_id)
    body = {"opinion": "approve", "mode": "onsite", "start_date": start, "end_date": end}
    response = clerk.post(decision_path(app_id), json=body)
    assert response.status_code == 200, response.text
    return response.json()


def slots_of(reader: Api, app_id) -> dict:
    response = reader.get(f"/api/v1/applications/{app_id}/onsite-slots")
    assert response.status_code == 200, response.text
    return response.json()


def book(reader: Api, app_id, day: str, start: str, **kwargs):
    return reader.post(f"/api/v1/applications/{app_id}/onsite-booking", json={"date": day, "start": start}, **kwargs)


def reading_of(reader: Api, app_id: int) -> dict:
    return reader.get(f"/api/v1/applications/{app_id}").json()["reading"]


def titled(reader: Api, title: str, app_id) -> list[dict]:
    return [m for m in messages_of(reader) if m["title"] == title and m["application_id"] == app_id]


@pytest.fixture
def desk(stack, clock) -> SimpleNamespace:
    """Monday 10:00 on the court's clock, a court of the test's own with its clerk and its
    archivist (signed in after the clock moved: sessions live in the court's time)."""
    clock.set(f"{MONDAY}T10:00:00+08:00")
    admin = stack.admin_api()
    court = court_of_this_test()
    return SimpleNamespace(
        admin=admin,
        court=court,
        clerk=staff(admin, "clerk", court, "中欣"),
        archivist=staff(admin, "archivist", court, "档案员"),
    )


def test_settings_slots_bookings_and_the_day_list(stack, desk):
    admin, court, clerk, archivist = desk.admin, desk.court, desk.clerk, desk.archivist
    elsewhere = staff(admin, "archivist", court_of_this_test(), "别院档案员")
    party = new_party(stack.base_url, name="金家慧")
    other = new_party(stack.base_url, name="李四")
    mine = applied(party, paper_case(admin, court, party))
    pending = applied(party, paper_case(admin, court, party))
    theirs = applied(other, paper_case(admin, court, other))
    decided = approve_onsite(clerk, mine, MONDAY, "2030-03-11")
    assert decided["reading"]["booking"] is None
    approve_onsite(clerk, theirs, MONDAY, "2030-03-11")
    wait_arrived(clerk, pending)

    # 阅卷室设置: who may, the default of a court that never set it, hard checks
    assert_error(Api(stack.base_url).get(ROOM), 401, "unauthenticated")
    for who in (party, clerk):
        assert_error(who.get(ROOM), 403, "forbidden")
        assert_error(who.put(ROOM, json={"slots": []}), 403, "forbidden")
    default = archivist.get(ROOM)
    assert default.status_code == 200, default.text
    assert default.json()["configured"] is False and default.json()["closed_dates"] == []
    assert default.json()["slots"] == [
        {"start": "09:00", "end": "12:00", "capacity": 5},
        {"start": "14:00", "end": "17:00", "capacity": 5},
    ]
    assert_error(admin.get(ROOM), 422, "validation_error")  # an admin names the court
    slots = [{"start": "09:00", "end": "12:00", "capacity": 2}, {"start": "14:00", "end": "17:00", "capacity": 1}]
    for bad, field in (
        ({"slots": [{"start": "9:00", "end": "12:00", "capacity": 2}]}, "slots[0].start"),
        ({"slots": [{"start": "09:00", "end": "08:00", "capacity": 2}]}, "slots[0].end"),
        ({"slots": [{"start": "09:00", "end": "12:00", "capacity": 501}]}, "slots[0].capacity"),
        ({"slots": [slots[0], {"start": "11:00", "end": "13:00", "capacity": 1}]}, "slots"),
        ({"slots": slots, "closed_dates": ["2030-02-30"]}, "closed_dates[0]"),
        ({"slots": slots * 7}, "slots"),
    ):
        body = assert_error(archivist.put(ROOM, json=bad), 422, "validation_error")
        assert field in body["error"]["details"]["fields"], body
    assert_error(archivist.put(ROOM, data="{", headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert_error(archivist.put(ROOM, json={"court": "别的法院", "slots": slots}), 403, "forbidden")
    room = {"court": court, "slots": slots, "closed_dates": ["2030-03-06"], "open_dates": ["2030-03-09"]}
    put = admin.put(ROOM, json=room)
    assert put.status_code == 200, put.text
    assert put.json() == {**room, "configured": True}
    assert admin.get(ROOM, params={"court": court}).json() == put.json()
    assert archivist.get(ROOM).json() == put.json()
    assert elsewhere.get(ROOM).json()["configured"] is False  # one court's room is not another's

    # 预约阅卷时间: the window's open days from now on (Wednesday closed, Saturday open,
    # Sunday closed), each slot with its free seats
    offered = slots_of(party, mine)
    assert offered["booking"] is None
    assert sorted({i["date"] for i in offered["items"]}) == [
        "2030-03-04",
        "2030-03-05",
        "2030-03-07",
        "2030-03-08",
        "2030-03-09",
        "2030-03-11",
    ]
    assert offered["items"][0] == {"date": MONDAY, "start": "09:00", "end": "12:00", "free": 2}
    url = f"/api/v1/applications/{mine}/onsite-slots"
    assert_error(other.get(url), 404, "not_found")
    assert_error(other.post(f"/api/v1/applications/{mine}/onsite-booking", json={}), 404, "not_found")
    assert_error(party.get("/api/v1/applications/999999999/onsite-slots"), 404, "not_found")
    assert_error(party.get("/api/v1/applications/abc/onsite-slots"), 404, "not_found")
    assert_error(party.get(f"/api/v1/applications/{pending}/onsite-slots"), 403, "not_approved")
    assert_error(book(party, pending, "2030-03-05", "09:00"), 403, "not_approved")
    assert_error(archivist.get(url), 403, "forbidden")

    # refusals, each saying why
    for day, start, code, words in (
        ("2030-03-12", "09:00", "invalid_date", "不在阅卷期限内"),
        ("2030-03-01", "09:00", "invalid_date", "不能早于今天"),
        ("2030-03-06", "09:00", "invalid_date", "闭馆日"),
        ("2030-03-10", "09:00", "invalid_date", "闭馆日"),
        ("2030-3-5", "09:00", "invalid_date", "YYYY-MM-DD"),
        ("2030-03-05", "10:00", "validation_error", "没有该时段"),
    ):
        refused = assert_error(book(party, mine, day, start), 422, code)
        assert words in refused["error"]["message"], refused
    assert_error(party.post(f"/api/v1/applications/{mine}/onsite-booking", json=[]), 422, "validation_error")

    booked_before = events_consumed(stack, "review", "review", "onsite_booked")
    first = book(party, mine, "2030-03-05", "09:00")
    assert first.status_code == 201, first.text
    assert first.json() == {"date": "2030-03-05", "start": "09:00", "end": "12:00"}
    assert wait_until(lambda: reading_of(party, mine)["booking"] == first.json()), reading_of(party, mine)
    freed = next(i for i in slots_of(party, mine)["items"] if (i["date"], i["start"]) == ("2030-03-05", "09:00"))
    assert freed["free"] == 1

    # a new booking replaces the old: the seat comes back, the application shows the new one
    moved = book(party, mine, "2030-03-07", "14:00", headers={"Idempotency-Key": "room-1"})
    assert moved.status_code == 201, moved.text
    again = book(party, mine, "2030-03-07", "14:00", headers={"Idempotency-Key": "room-1"})
    assert (again.status_code, again.json()) == (201, moved.json())
    assert_error(
        book(party, mine, "2030-03-08", "14:00", headers={"Idempotency-Key": "room-1"}), 422, "idempotency_key_reused"
    )
    assert wait_until(lambda: reading_of(party, mine)["booking"] == moved.json()), reading_of(party, mine)
    now_offered = slots_of(party, mine)
    assert now_offered["booking"] == moved.json()
    seats = {(i["date"], i["start"]): i["free"] for i in now_offered["items"]}
    assert seats[("2030-03-05", "09:00")] == 2 and seats[("2030-03-07", "14:00")] == 0
    assert_error(book(other, theirs, "2030-03-07", "14:00"), 409, "slot_full")
    assert book(other, theirs, "2030-03-07", "09:00").status_code == 201

    # the archivist's day list: today by default, any day by slot, one court's only
    today = archivist.get(DAY_LIST)
    assert today.status_code == 200, today.text
    assert today.json()["date"] == MONDAY and today.json()["items"] == []
    day = archivist.get(DAY_LIST, params={"date": "2030-03-07"}).json()
    assert [(i["application_id"], i["start"], i["end"]) for i in day["items"]] == [
        (theirs, "09:00", "12:00"),
        (mine, "14:00", "17:00"),
    ]
    line = day["items"][1]
    assert line["applicant"] == {"name": "金家慧", "role": "party"} and line["date"] == "2030-03-07"
    assert line["case_no"] == decided["case_no"]
    assert (line["attended"], line["borrowed_at"], line["returned_at"]) == (None, None, None)
    assert [(s["start"], s["capacity"], s["taken"]) for s in day["slots"]] == [("09:00", 2, 1), ("14:00", 1, 1)]
    assert archivist.get(DAY_LIST, params={"date": "2030-03-05"}).json()["items"] == []  # the old slot is free
    assert elsewhere.get(DAY_LIST, params={"date": "2030-03-07"}).json()["items"] == []
    assert_error(clerk.get(DAY_LIST), 403, "forbidden")
    assert_error(archivist.get(DAY_LIST, params={"date": "7 March"}), 422, "invalid_date")

    # every booking is told once, in the inbox and by text
    assert (
        len(
            wait_until(
                lambda: len(titled(party, "现场阅卷已预约", mine)) >= 2 and titled(party, "现场阅卷已预约", mine)
            )
        )
        == 2
    )
    # the three bookings' events (two of mine, theirs) all handled: nothing is on its way
    wait_for_events_consumed(stack, "review", "review", "onsite_booked", booked_before + 3)
    assert len(titled(party, "现场阅卷已预约", mine)) == 2
    booked_texts = [t for t in stack.texts_to(party.phone) if "现场阅卷已预约" in t]
    told = "【网上阅卷】现场阅卷已预约（{}）：{}，请按时到院并带齐相关证明材料。"
    assert booked_texts == [
        told.format(decided["case_no"], "2030-03-05 上午 09:00-12:00"),
        told.format(decided["case_no"], "2030-03-07 下午 14:00-17:00"),
    ]

    # the on-site queue pages like every list: no approval is out of reach
    first_page = archivist.get(
        "/api/v1/staff/applications", params={"status": "approved", "mode": "onsite", "limit": 1}
    )
    assert first_page.status_code == 200 and first_page.json()["next_cursor"]
    rest = archivist.get(
        "/api/v1/staff/applications",
        params={"status": "approved", "mode": "onsite", "limit": 1, "cursor": first_page.json()["next_cursor"]},
    ).json()
    listed = first_page.json()["items"] + rest["items"]
    assert [a["id"] for a in listed] == [mine, theirs] and rest["next_cursor"] is None
    assert listed[0]["reading"]["booking"] == moved.json()


def test_readers_racing_for_the_last_seats_exactly_as_many_win(stack, desk):
    court, clerk, archivist = desk.court, desk.clerk, desk.archivist
    room = {"slots": [{"start": "09:00", "end": "12:00", "capacity": 2}]}
    assert archivist.put(ROOM, json=room).status_code == 200
    readers, ids = [], []
    for n in range(6):
        reader = Api(stack.base_url)
        reader.register("party", verified=False, name=f"读者{n}")
        readers.append(reader)
        ids.append(submit(stack, reader, new_case_no(), court, f"{MONDAY}T09:0{n}:00+08:00"))
    for app_id in ids:
        approve_onsite(clerk, app_id, MONDAY, "2030-03-08")
    with ThreadPoolExecutor(len(readers)) as pool:
        answers = list(pool.map(lambda r, i: book(r, i, "2030-03-05", "09:00"), readers, ids))
    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409, 409], [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, "slot_full")
    winners = {i for i, a in zip(ids, answers, strict=True) if a.status_code == 201}
    day = archivist.get(DAY_LIST, params={"date": "2030-03-05"}).json()
    assert {i["application_id"] for i in day["items"]} == winners
    assert day["slots"] == [{"start": "09:00", "end": "12:00", "capacity": 2, "taken": 2}]
    loser = next(n for n, i in enumerate(ids) if i not in winners)
    assert all(i["free"] == 0 for i in slots_of(readers[loser], ids[loser])["items"] if i["date"] == "2030-03-05")


def test_reminded_the_day_before_and_a_no_show_marked_a_week_after(stack, clock, desk):
    admin, court, clerk, archivist = desk.admin, desk.court, desk.clerk, desk.archivist
    party = new_party(stack.base_url, name="王小明")
    app_id = applied(party, paper_case(admin, court, party))
    case_no = approve_onsite(clerk, app_id, "2030-03-05", "2030-03-06")["case_no"]
    # the default room: 09:00-12:00 and 14:00-17:00, five seats each
    assert book(party, app_id, "2030-03-06", "09:00").status_code == 201

    def reminders() -> list[dict]:
        return titled(party, "现场阅卷提醒", app_id)

    def reminder_texts() -> list[str]:
        return [t for t in stack.texts_to(party.phone) if "现场阅卷提醒" in t]

    assert wait_until(lambda: titled(party, "现场阅卷已预约", app_id))
    wait_for_timer_runs(stack, "review", "booking_reminders")  # a sweep on Monday: Wednesday is not tomorrow yet
    assert reminders() == []

    clock.set("2030-03-05T08:00:00+08:00")  # Tuesday: the day before
    sign_in_again(party, archivist)
    (reminder,) = wait_until(reminders)
    assert "2030-03-06 上午 09:00-12:00" in reminder["body"] and case_no in reminder["body"]
    wait_for_timer_runs(stack, "review", "booking_reminders")  # the sweep again: still one
    assert len(reminders()) == 1
    assert reminder_texts() == [
        f"【网上阅卷】现场阅卷提醒（{case_no}）：您预约的时间为2030-03-06 上午 09:00-12:00（明天），请按时到院。"
    ]

    # rebooked for the afternoon: a booking of its own, reminded of its own
    assert book(party, app_id, "2030-03-06", "14:00").status_code == 201
    assert len(wait_until(lambda: len(reminders()) == 2 and reminders())) == 2
    assert "14:00-17:00" in reminders()[0]["body"]
    assert len(reminder_texts()) == 2

    # the window ended; a week later the archivist marks the no-show from the day list
    clock.set("2030-03-13T17:00:00+08:00")
    sign_in_again(party, archivist)
    assert party.get(f"/api/v1/applications/{app_id}").json()["status"] == "expired"
    (line,) = archivist.get(DAY_LIST, params={"date": "2030-03-06"}).json()["items"]
    assert (line["application_id"], line["status"], line["attended"]) == (app_id, "expired", None)
    expired = archivist.get("/api/v1/staff/applications", params={"status": "expired", "mode": "onsite"}).json()
    assert [a["id"] for a in expired["items"]] == [app_id]
    url = f"/api/v1/staff/applications/{app_id}/attendance"
    marked = archivist.post(url, json={"attended": False})
    assert marked.status_code == 200, marked.text
    assert marked.json()["reading"]["attended"] is False
    assert marked.json()["reading"]["booking"] == {"date": "2030-03-06", "start": "14:00", "end": "17:00"}
    assert wait_until(lambda: reading_of(party, app_id)["attended"] is False)
    assert wait_until(lambda: titled(party, "现场阅卷未到场", app_id))
    (line,) = archivist.get(DAY_LIST, params={"date": "2030-03-06"}).json()["items"]
    assert line["attended"] is False

    clock.set("2030-03-14T00:00:01+08:00")  # more than a week after the window
    sign_in_again(archivist)
    assert_error(archivist.post(url, json={"attended": True}), 409, "invalid_state")
    assert_error(archivist.post(url, json={"attended": "否"}), 422, "validation_error")
