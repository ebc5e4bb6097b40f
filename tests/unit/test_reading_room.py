"""The reading room (阅卷室) without a broker: the slot rules (weekends, closed and open
days, the window, seats, past days and slots already over), the archivist's settings
checked hard, bookings that replace each other and never overfill a slot, the reminder
the day before (once per booking), attendance until a week after the window, and
applications keeping the newest booking it hears of. Review's tests run twice: over the
in-memory repository and over the SQL one on an in-memory SQLite database."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.applications import models as app_models
from services.applications import repository as app_repository
from services.applications import usecases as app_usecases
from services.common.court import clock, consistency
from services.common.infra.db import RepositoryUnitOfWork, UnitOfWork
from services.common.infra.errors import DomainError
from services.review import domain, usecases
from services.review import repository as review_repository
from services.review.models import Base, Outbox
from tests.unit.fakes.review import fake_unit_of_work, message_kinds

COURT = "某法院"
CLERK = {"id": 7, "role": "clerk", "name": "中欣", "court": COURT}
ARCHIVIST = {"id": 8, "role": "archivist", "name": "档案员", "court": COURT}
ADMIN = {"id": 1, "role": "admin", "name": "系统管理员", "court": None}
READER = {"id": 42, "role": "party", "name": "金家慧"}
OTHER_READER = {"id": 43, "role": "party", "name": "李四"}
ROOM = domain.Room(
    slots=(domain.Slot("09:00", "12:00", 2), domain.Slot("14:00", "17:00", 1)),
    closed_dates=frozenset({date(2026, 5, 11)}),  # a Monday
    open_dates=frozenset({date(2026, 5, 9)}),  # a Saturday (调休)
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(clock.COURT_TZ)


# -- the rules --------------------------------------------------------------------------------
def test_weekends_are_closed_unless_listed_open_and_closed_days_close_any_day():
    assert ROOM.is_open(date(2026, 5, 8))  # Friday
    assert ROOM.is_open(date(2026, 5, 9))  # Saturday, listed open
    assert not ROOM.is_open(date(2026, 5, 10))  # Sunday
    assert not ROOM.is_open(date(2026, 5, 11))  # Monday, closed
    assert not domain.DEFAULT_ROOM.is_open(date(2026, 5, 9))
    assert [s.label for s in domain.DEFAULT_ROOM.slots] == ["09:00-12:00", "14:00-17:00"]
    assert {s.capacity for s in domain.DEFAULT_ROOM.slots} == {5}


def test_open_slots_are_the_windows_open_days_from_now_with_their_free_seats():
    now = at("2026-05-08T13:00:00+08:00")  # Friday afternoon: the morning is over
    taken = {(date(2026, 5, 8), "14:00"): 1, (date(2026, 5, 9), "09:00"): 1}
    items = domain.open_slots(ROOM, date(2026, 5, 6), date(2026, 5, 12), now, taken)
    assert items == [
        {"date": "2026-05-08", "start": "14:00", "end": "17:00", "free": 0},
        {"date": "2026-05-09", "start": "09:00", "end": "12:00", "free": 1},
        {"date": "2026-05-09", "start": "14:00", "end": "17:00", "free": 1},
        {"date": "2026-05-12", "start": "09:00", "end": "12:00", "free": 2},
        {"date": "2026-05-12", "start": "14:00", "end": "17:00", "free": 1},
    ]
    # a slot whose start has passed is still open until it ends
    assert (
        domain.open_slots(ROOM, date(2026, 5, 8), date(2026, 5, 8), at("2026-05-08T11:59:00+08:00"), {})[0]["start"]
        == "09:00"
    )
    assert domain.open_slots(ROOM, date(2026, 5, 1), date(2026, 5, 7), now, {}) == []  # the window is over


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"date": "2026-05-12", "start": "9:00"}, "validation_error", "请选择预约时段"),
        ({"date": "2026-05-12", "start": "10:00"}, "validation_error", "没有该时段"),
        ({"date": "2026-5-12", "start": "09:00"}, "invalid_date", "YYYY-MM-DD"),
        ({"date": "2026-02-30", "start": "09:00"}, "invalid_date", "日期不存在"),
        ({"date": "2026-05-07", "start": "09:00"}, "invalid_date", "不能早于今天"),
        ({"date": "2026-05-13", "start": "09:00"}, "invalid_date", "不在阅卷期限内"),
        ({"date": "2026-05-10", "start": "09:00"}, "invalid_date", "闭馆日"),
        ({"date": "2026-05-11", "start": "09:00"}, "invalid_date", "闭馆日"),
        ({"date": "2026-05-08", "start": "09:00"}, "invalid_date", "该时段已结束"),
    ],
)
def test_a_booking_outside_the_rules_is_refused_saying_why(body, code, words):
    with pytest.raises(DomainError) as refused:
        domain.parse_booking(body, ROOM, date(2026, 5, 6), date(2026, 5, 12), at("2026-05-08T13:00:00+08:00"))
    assert refused.value.code == code
    assert words in refused.value.message + str(refused.value.details)


def test_a_booking_inside_the_rules_names_its_slot():
    day, slot = domain.parse_booking(
        {"date": "2026-05-09", "start": "14:00"},
        ROOM,
        date(2026, 5, 6),
        date(2026, 5, 12),
        at("2026-05-08T13:00+08:00"),
    )
    assert (day, slot) == (date(2026, 5, 9), domain.Slot("14:00", "17:00", 1))
    assert domain.slot_words(day, slot.start, slot.end) == "2026-05-09 下午 14:00-17:00"
    assert domain.reminder_day(day) == date(2026, 5, 8)


GOOD_ROOM = {
    "slots": [{"start": "14:00", "end": "17:00", "capacity": 3}, {"start": "09:00", "end": "12:00", "capacity": 500}],
    "closed_dates": ["2026-10-01", "2026-10-01"],
    "open_dates": ["2026-10-10"],
}


def test_room_settings_are_kept_in_order_and_without_repeats():
    room = domain.parse_room(GOOD_ROOM)
    assert domain.room_shape(room) == {
        "slots": [
            {"start": "09:00", "end": "12:00", "capacity": 500},
            {"start": "14:00", "end": "17:00", "capacity": 3},
        ],
        "closed_dates": ["2026-10-01"],
        "open_dates": ["2026-10-10"],
    }
    assert domain.room_from_shape(domain.room_shape(room)) == room
    assert domain.parse_room({"slots": [{"start": "08:00", "end": "09:00", "capacity": 1}]}).closed_dates == frozenset()
    back_to_back = [
        {"start": "09:00", "end": "12:00", "capacity": 1},
        {"start": "12:00", "end": "13:00", "capacity": 1},
    ]
    assert len(domain.parse_room({"slots": back_to_back}).slots) == 2


def _slot(**changes):
    return dict({"start": "09:00", "end": "12:00", "capacity": 5}, **changes)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({}, "slots"),
        ({"slots": []}, "slots"),
        ({"slots": [_slot()] * 13}, "slots"),
        ({"slots": ["09:00-12:00"]}, "slots[0]"),
        ({"slots": [_slot(start="9:00")]}, "slots[0].start"),
        ({"slots": [_slot(end="24:00")]}, "slots[0].end"),
        ({"slots": [_slot(start=900)]}, "slots[0].start"),
        ({"slots": [_slot(start="12:00", end="09:00")]}, "slots[0].end"),
        ({"slots": [_slot(start="09:00", end="09:00")]}, "slots[0].end"),
        ({"slots": [_slot(capacity=0)]}, "slots[0].capacity"),
        ({"slots": [_slot(capacity=501)]}, "slots[0].capacity"),
        ({"slots": [_slot(capacity=True)]}, "slots[0].capacity"),
        ({"slots": [_slot(capacity="5")]}, "slots[0].capacity"),
        ({"slots": [_slot(), _slot(start="11:00", end="13:00")]}, "slots"),
        ({"slots": [_slot()], "closed_dates": "2026-10-01"}, "closed_dates"),
        ({"slots": [_slot()], "closed_dates": ["2026-13-01"]}, "closed_dates[0]"),
        ({"slots": [_slot()], "open_dates": ["2026-10-01", "tomorrow"]}, "open_dates[1]"),
        ({"slots": [_slot()], "closed_dates": ["2026-01-01"] * 401}, "closed_dates"),
        ({"slots": [_slot()], "closed_dates": ["2026-10-01"], "open_dates": ["2026-10-01"]}, "open_dates"),
    ],
)
def test_room_settings_are_checked_hard(body, field):
    with pytest.raises(DomainError) as refused:
        domain.parse_room(body)
    assert refused.value.code == "validation_error"
    assert field in refused.value.details["fields"], refused.value.details
    assert refused.value.message


def test_attendance_can_be_recorded_until_a_week_after_the_window():
    domain.check_attendance_window(date(2026, 5, 8), date(2026, 5, 15))
    with pytest.raises(DomainError) as refused:
        domain.check_attendance_window(date(2026, 5, 8), date(2026, 5, 16))
    assert refused.value.code == "invalid_state"


# -- the use cases, on a database of their own ------------------------------------------------
@pytest.fixture
def now(tmp_path, monkeypatch):
    path = tmp_path / "now"
    monkeypatch.setenv("COURT_FAKE_NOW_FILE", str(path))

    def move(text: str) -> None:
        path.write_text(text)

    move("2026-05-07T10:00:00+08:00")  # a Thursday
    return move


@pytest.fixture(params=["memory", "sqlite"])
def uow(request, now):
    if request.param == "memory":
        return fake_unit_of_work()
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    return review_repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))


class Texts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        self.sent.append((phone, template, params))


def approved_onsite(uow, app_id: int, reader: dict = READER, start="2026-05-07", end="2026-05-12") -> None:
    usecases.receive_submitted(
        uow,
        {
            "event_id": f"submitted-{app_id}",
            "application_id": app_id,
            "applicant": {**reader, "phone": f"138000000{reader['id']}"},
            "case_no": f"（2026）粤01民初{app_id}号",
            "court": COURT,
            "scope": "全案卷宗",
            "reason": "诉讼需要",
            "materials": [],
            "applied_at": "2026-05-06T09:00:00+08:00",
        },
    )
    body = {"opinion": "approve", "mode": "onsite", "start_date": start, "end_date": end}
    usecases.decide(uow, CLERK, app_id, body, case_summary=dict)


def small_room(uow, capacity: int = 1) -> None:
    slots = [
        {"start": "09:00", "end": "12:00", "capacity": capacity},
        {"start": "14:00", "end": "17:00", "capacity": 5},
    ]
    usecases.configure_reading_room(uow, ARCHIVIST, {"slots": slots})


def published(uow, event_type: str) -> list[dict]:
    """The ``event_type`` events the use cases announced, in order (the outbox on SQL)."""
    if not isinstance(uow, RepositoryUnitOfWork):
        return [payload for kind, payload in uow.repository.events if kind == event_type]
    with uow.uow.read() as session:
        rows = session.scalars(select(Outbox).where(Outbox.event_type == event_type).order_by(Outbox.id)).all()
    return [json.loads(r.payload) for r in rows]


def test_who_may_set_the_room_and_the_default_of_a_court_that_never_did(uow):
    assert usecases.reading_room(uow, ARCHIVIST) == {
        "court": COURT,
        **domain.room_shape(domain.DEFAULT_ROOM),
        "configured": False,
    }
    for who in (CLERK, READER):
        with pytest.raises(DomainError, match="forbidden"):
            usecases.reading_room(uow, who)
    with pytest.raises(DomainError, match="forbidden"):
        usecases.reading_room(uow, ARCHIVIST, court="别的法院")
    with pytest.raises(DomainError, match="validation_error"):
        usecases.reading_room(uow, ADMIN)
    small_room(uow)
    assert usecases.reading_room(uow, ADMIN, court=COURT)["slots"][0] == {
        "start": "09:00",
        "end": "12:00",
        "capacity": 1,
    }
    # an admin names the court in the body, as the admin routes do
    body = {"court": "另一法院", "slots": [{"start": "08:30", "end": "11:30", "capacity": 9}]}
    assert usecases.configure_reading_room(uow, ADMIN, body)["court"] == "另一法院"
    assert usecases.reading_room(uow, ADMIN, court="另一法院")["configured"] is True
    assert usecases.reading_room(uow, ARCHIVIST)["slots"][0]["capacity"] == 1  # its own court's, untouched


def test_only_the_owner_of_an_onsite_approval_sees_its_slots(uow):
    approved_onsite(uow, 1)
    usecases.receive_submitted(uow, {**_submitted_like(2), "applicant": {**READER}})  # pending
    for who, app_id, code in ((OTHER_READER, 1, "not_found"), (READER, 99, "not_found"), (READER, 2, "not_approved")):
        with pytest.raises(DomainError) as refused:
            usecases.onsite_slots(uow, who, app_id)
        assert refused.value.code == code
    slots = usecases.onsite_slots(uow, READER, 1)
    assert slots["booking"] is None
    # 10:00 on Thursday: the morning slot is under way and still open
    assert slots["items"][0] == {"date": "2026-05-07", "start": "09:00", "end": "12:00", "free": 5}
    assert {i["date"] for i in slots["items"]} == {"2026-05-07", "2026-05-08", "2026-05-11", "2026-05-12"}


def _submitted_like(app_id: int) -> dict:
    return {
        "event_id": f"submitted-{app_id}",
        "application_id": app_id,
        "applicant": READER,
        "case_no": "（2026）粤01民初9号",
        "court": COURT,
        "scope": "全案卷宗",
        "reason": "诉讼需要",
        "materials": [],
        "applied_at": "2026-05-06T09:00:00+08:00",
    }


def test_a_new_booking_replaces_the_old_and_a_full_slot_refuses(uow):
    small_room(uow, capacity=1)
    approved_onsite(uow, 1)
    approved_onsite(uow, 2, OTHER_READER)
    first = usecases.book_onsite(uow, READER, 1, {"date": "2026-05-08", "start": "09:00"})
    assert first == {"date": "2026-05-08", "start": "09:00", "end": "12:00"}
    with pytest.raises(DomainError) as full:
        usecases.book_onsite(uow, OTHER_READER, 2, {"date": "2026-05-08", "start": "09:00"})
    assert full.value.code == "slot_full" and type(full.value) is DomainError
    # the same slot again changes nothing and announces nothing more
    assert usecases.book_onsite(uow, READER, 1, {"date": "2026-05-08", "start": "09:00"}) == first
    moved = usecases.book_onsite(uow, READER, 1, {"date": "2026-05-11", "start": "14:00"})
    assert moved == {"date": "2026-05-11", "start": "14:00", "end": "17:00"}
    # the seat given back is free for the other reader
    assert usecases.book_onsite(uow, OTHER_READER, 2, {"date": "2026-05-08", "start": "09:00"})["start"] == "09:00"
    assert [(e["application_id"], e["date"], e["version"]) for e in published(uow, "onsite_booked")] == [
        ("1", "2026-05-08", 1),
        ("1", "2026-05-11", 2),
        ("2", "2026-05-08", 1),
    ]
    assert usecases.onsite_slots(uow, READER, 1)["booking"] == moved
    day = usecases.room_bookings(uow, ARCHIVIST, "2026-05-08")
    assert [(i["application_id"], i["start"], i["applicant"]) for i in day["items"]] == [
        (2, "09:00", {"name": "李四", "role": "party"})
    ]
    assert day["slots"][0] == {"start": "09:00", "end": "12:00", "capacity": 1, "taken": 1}
    # a key replays its first answer, and refuses another body
    keyed = usecases.book_onsite(uow, READER, 1, {"date": "2026-05-12", "start": "14:00"}, idempotency_key="b-1")
    again = usecases.book_onsite(uow, READER, 1, {"date": "2026-05-12", "start": "14:00"}, idempotency_key="b-1")
    assert keyed == again and len(published(uow, "onsite_booked")) == 4
    with pytest.raises(DomainError, match="idempotency_key_reused"):
        usecases.book_onsite(uow, READER, 1, {"date": "2026-05-08", "start": "14:00"}, idempotency_key="b-1")


def test_the_day_list_defaults_to_today_and_keeps_an_expired_no_show(uow, now):
    approved_onsite(uow, 1, end="2026-05-08")
    usecases.book_onsite(uow, READER, 1, {"date": "2026-05-08", "start": "09:00"})
    with pytest.raises(DomainError, match="forbidden"):
        usecases.room_bookings(uow, CLERK)
    with pytest.raises(DomainError, match="invalid_date"):
        usecases.room_bookings(uow, ARCHIVIST, "tomorrow")
    assert usecases.room_bookings(uow, ARCHIVIST)["date"] == "2026-05-07"
    now("2026-05-15T17:00:00+08:00")  # the window ended a week ago: expired, still listed
    (line,) = usecases.room_bookings(uow, ARCHIVIST, "2026-05-08")["items"]
    assert line["status"] == "expired" and line["attended"] is None
    marked = usecases.record_attendance(uow, ARCHIVIST, 1, {"attended": False})
    assert marked["reading"]["attended"] is False
    assert marked["reading"]["booking"] == {"date": "2026-05-08", "start": "09:00", "end": "12:00"}
    now("2026-05-16T00:00:01+08:00")  # a week and a moment: too late
    with pytest.raises(DomainError) as late:
        usecases.record_attendance(uow, ARCHIVIST, 1, {"attended": True})
    assert late.value.code == "invalid_state"
    with pytest.raises(DomainError, match="validation_error"):  # the input is judged first
        usecases.record_attendance(uow, ARCHIVIST, 1, {"attended": "是"})


def test_borrowing_and_returning_now_take_the_courts_clock(uow, now):
    approved_onsite(uow, 1)
    now("2026-05-08T09:40:00+08:00")
    reading = usecases.record_attendance(uow, ARCHIVIST, 1, {"attended": True, "borrowed_at": "now"})["reading"]
    assert reading["borrowed_at"] == "2026-05-08T09:40:00+08:00" and reading["returned_at"] is None
    now("2026-05-08T11:05:00+08:00")
    back = {"attended": True, "borrowed_at": reading["borrowed_at"], "returned_at": "now"}
    assert usecases.record_attendance(uow, ARCHIVIST, 1, back)["reading"]["returned_at"] == "2026-05-08T11:05:00+08:00"


def test_a_booking_is_told_once_and_reminded_once_the_day_before(uow, now):
    texts = Texts()
    approved_onsite(uow, 1)
    approved_onsite(uow, 2, OTHER_READER)
    usecases.book_onsite(uow, READER, 1, {"date": "2026-05-11", "start": "09:00"})
    usecases.book_onsite(uow, OTHER_READER, 2, {"date": "2026-05-12", "start": "14:00"})
    for event in published(uow, "onsite_booked"):
        assert usecases.notify_booking(uow, texts, event) is True
        assert usecases.notify_booking(uow, texts, event) is False  # redelivered
    assert [(t, p["slot"]) for _, t, p in texts.sent] == [
        ("onsite_booked", "2026-05-11 上午 09:00-12:00"),
        ("onsite_booked", "2026-05-12 下午 14:00-17:00"),
    ]
    assert usecases.send_booking_reminders(uow, texts) == 0  # Thursday: nobody comes tomorrow
    now("2026-05-10T08:00:00+08:00")  # Sunday: reader 1 comes tomorrow
    assert usecases.send_booking_reminders(uow, texts) == 1
    assert usecases.send_booking_reminders(uow, texts) == 0  # the sweep again, or another replica
    assert texts.sent[-1] == (
        "13800000042",
        "onsite_reminder",
        {"case_no": "（2026）粤01民初1号", "slot": "2026-05-11 上午 09:00-12:00"},
    )
    # rebooked to another day that is tomorrow too: a booking of its own, reminded again
    now("2026-05-11T08:00:00+08:00")
    usecases.book_onsite(uow, READER, 1, {"date": "2026-05-12", "start": "09:00"})
    assert usecases.send_booking_reminders(uow, texts) == 2  # both readers, once each
    assert usecases.send_booking_reminders(uow, texts) == 0
    kinds = sorted(kind for kind in message_kinds(uow) if kind.startswith("onsite_reminder:"))
    assert kinds == ["onsite_reminder:1", "onsite_reminder:1", "onsite_reminder:2"]


def test_a_revoked_reader_is_not_reminded_and_frees_the_seat(uow, now):
    small_room(uow, capacity=1)
    approved_onsite(uow, 1)
    approved_onsite(uow, 2, OTHER_READER)
    usecases.book_onsite(uow, READER, 1, {"date": "2026-05-08", "start": "09:00"})
    usecases.receive_revoked(
        uow,
        Texts(),
        {"event_id": "r-1", "application_id": 1, "applicant_id": 42, "case_no": "x", "reason": "代理关系已终止"},
    )
    assert usecases.send_booking_reminders(uow, Texts()) == 0
    assert usecases.room_bookings(uow, ARCHIVIST, "2026-05-08")["items"] == []
    assert usecases.book_onsite(uow, OTHER_READER, 2, {"date": "2026-05-08", "start": "09:00"})["start"] == "09:00"
    with pytest.raises(DomainError, match="not_approved"):
        usecases.onsite_slots(uow, READER, 1)


# -- applications hears of it -------------------------------------------------------------------
@pytest.fixture
def applications(now) -> app_repository.ApplicationsWork:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    app_models.Base.metadata.create_all(engine)
    work = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    with work.transaction() as session:
        session.add(
            app_models.Application(
                id=1,
                applicant_id=42,
                applicant_name="金家慧",
                applicant_role="party",
                case_no="（2026）粤01民初1号",
                court=COURT,
                scope="全案卷宗",
                reason="诉讼需要",
                status="approved",
                applied_at=clock.utcnow(),
                opinion="approve",
                mode="onsite",
                start_date=date(2026, 5, 7),
                end_date=date(2026, 5, 12),
            )
        )
    return app_repository.unit_of_work(work)


def booked_event(version: int, day: str, event_id: str | None = None) -> dict:
    return {
        "event_id": event_id or f"booked-{version}",
        "application_id": 1,
        "date": day,
        "start": "09:00",
        "end": "12:00",
        "version": version,
    }


def test_applications_keeps_the_newest_booking_whatever_the_order(applications):
    assert app_usecases.on_booked(applications, booked_event(2, "2026-05-11")) is True
    assert app_usecases.on_booked(applications, booked_event(1, "2026-05-08")) is False  # older, heard later
    assert app_usecases.on_booked(applications, booked_event(2, "2026-05-11")) is False  # redelivered
    assert app_usecases.on_booked(applications, {"event_id": "bad", "application_id": 1}) is False
    view = app_usecases.detail(applications, {"id": 42, "role": "party"}, 1)
    assert view["reading"]["booking"] == {"date": "2026-05-11", "start": "09:00", "end": "12:00"}
    (facts,) = app_usecases.consistency_facts(applications, ids=[1])
    assert facts["booking"] == "2026-05-11 09:00-12:00"
    review_facts = dict(facts, booking="2026-05-08 09:00-12:00")
    assert consistency.disagreements(facts, review_facts, None) == [
        "booking: applications 2026-05-11 09:00-12:00, review 2026-05-08 09:00-12:00"
    ]
    assert consistency.disagreements(facts, dict(facts), None) == []
