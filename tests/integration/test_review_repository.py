"""review's repository on a real database (SQLite, and PostgreSQL with --postgres): the
SQL the use cases and exports rely on, and one decision end to end over it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from services.common.court import clock
from services.common.infra.db import Conflict
from services.common.infra.errors import DomainError
from services.review import repository, usecases
from services.review.models import (
    EndedApplication,
    Outbox,
    ReadingRoom,
    ReviewedApplication,
    RoomBooking,
    WorkCalendarYear,
)
from services.review.repository import QueueFilter

COURT = "某法院"
NOW = datetime(2026, 5, 7, 2, 0, tzinfo=UTC)  # 10:00 in the court
TODAY = date(2026, 5, 7)


@pytest.fixture
def uow(database) -> repository.ReviewWork:
    return repository.unit_of_work(database("review"))


def queued(app_id: str, *, name: str = "金家慧", at: datetime = NOW, court: str = COURT, **more) -> ReviewedApplication:
    fields = dict(
        id=app_id,
        applicant_id=42,
        applicant_name=name,
        applicant_role="party",
        applicant_phone="13812345678",
        case_no=f"（2021）粤01民初{app_id}号",
        court=court,
        scope="全案卷宗",
        reason="诉讼需要",
        materials="[]",
        applied_at=at,
        received_at=at,
        status="pending",
    )
    fields.update(more)
    return ReviewedApplication(**fields)


def test_a_decision_is_written_once_and_an_end_only_from_the_statuses_named(uow):
    with uow.transaction() as review:
        review.take_turns("application", "1")
        review.add_application(queued("1"))
        review.add_application(queued("2"))
    with uow.transaction() as review:
        decided = review.decide_pending("1", {"status": "rejected", "opinion": "reject", "reviewed_at": NOW})
        assert decided.status == "rejected" and decided.opinion == "reject"
        assert review.decide_pending("1", {"status": "approved"}) is None
        assert review.end_if("2", ("pending",), {"status": "withdrawn"})
        assert not review.end_if("2", ("pending",), {"status": "withdrawn"})
        review.remember_end(EndedApplication(application_id="9", status="revoked", reason="x", at=NOW))
    with uow.read() as review:
        assert review.application("2").status == "withdrawn" and review.applicant_phone("2") == "13812345678"
        assert review.ended("9").status == "revoked" and review.ended("2") is None
        assert [e.application_id for e in review.ended_among(["9", "2"])] == ["9"]
        assert {a.id for a in review.by_ids(["1", "2", "3"])} == {"1", "2"}
        assert review.pending_by_court() == []


def test_the_courts_queue_is_found_by_status_case_and_name_and_pages_by_time(uow):
    with uow.transaction() as review:
        review.add_application(queued("1", name="李四"))
        review.add_application(queued("2", name="李%四", at=NOW + timedelta(minutes=1)))
        expired = dict(status="approved", mode="online", valid_until=TODAY - timedelta(days=1))
        review.add_application(queued("3", at=NOW + timedelta(minutes=2), **expired))
        review.add_application(queued("4", court="别的法院"))
    with uow.read() as review:
        everything = review.court_applications(COURT, TODAY, QueueFilter(), None, 10)
        assert [a.id for a in everything] == ["1", "2", "3"]
        after_first = review.court_applications(COURT, TODAY, QueueFilter(), (NOW, "1"), 10)
        assert [a.id for a in after_first] == ["2", "3"]
        assert [a.id for a in review.court_applications(COURT, TODAY, QueueFilter(applicant="李"), None, 10)] == [
            "1",
            "2",
        ]
        # a percent sign in a name is a character, not a wildcard
        assert [a.id for a in review.court_applications(COURT, TODAY, QueueFilter(applicant="%"), None, 10)] == ["2"]
        by_case = QueueFilter(case_no="（2021）粤01民初3号", status="expired")
        assert [a.id for a in review.court_applications(COURT, TODAY, by_case, None, 10)] == ["3"]
        assert review.count_of_court(COURT, "expired", TODAY, None) == 1
        assert review.count_of_court(COURT, "approved", TODAY, None) == 0
        assert review.count_of_court(COURT, "expired", TODAY, "onsite") == 0
        assert review.count_of_court(COURT, "pending", TODAY, None) == 2
        queues = {court: (pending, oldest) for court, pending, oldest in review.pending_by_court()}
        assert queues == {COURT: (2, NOW), "别的法院": (1, NOW)}


def test_decisions_and_receipts_of_a_period(uow):
    with uow.transaction() as review:
        review.add_application(queued("1", status="approved", opinion="approve", mode="online", reviewed_at=NOW))
        review.add_application(queued("2", status="withdrawn", at=NOW - timedelta(days=40)))
        later = NOW + timedelta(hours=1)
        review.add_application(queued("3", status="rejected", opinion="reject", reviewed_at=later))
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=1)
    with uow.read() as review:
        assert [a.id for a in review.decided_between(COURT, start, end, None, 10)] == ["1", "3"]
        assert [a.id for a in review.decided_between(COURT, start, end, (NOW, "1"), 10)] == ["3"]
        assert sorted(status for _, status in review.received_between(COURT, start, end)) == ["approved", "rejected"]
        decided = sorted(review.decisions_between(COURT, start, end), key=lambda row: row[1])
        assert [(opinion, mode) for _, _, opinion, mode in decided] == [("approve", "online"), ("reject", None)]


def test_a_message_is_added_once_per_application_and_kind(uow):
    with uow.transaction() as review:
        assert review.add_message(user_id=42, application_id="1", kind="decision", title="t", body="b")
        assert not review.add_message(user_id=42, application_id="1", kind="decision", title="t", body="b")
        # a binding's message has no application: the inbox keeps those once
        assert review.add_message(user_id=42, application_id=None, kind="binding-decided:1", title="t", body="b")
        assert review.add_message(user_id=43, application_id="2", kind="decision", title="t", body="b")
    with uow.read() as review:
        mine = review.messages_of(42, None, 10)
        assert [m.kind for m in mine] == ["binding-decided:1", "decision"]
        assert [m.id for m in review.messages_of(42, mine[0].id, 10)] == [mine[1].id]
        assert review.message(mine[1].id).user_id == 42


def test_reminders_are_due_once_each(uow):
    tomorrow = TODAY + timedelta(days=1)
    online = dict(status="approved", opinion="approve", mode="online", valid_until=TODAY)
    with uow.transaction() as review:
        review.add_application(queued("1", **online))
        review.add_application(queued("2", **dict(online, valid_until=tomorrow)))
        onsite = dict(status="approved", opinion="approve", mode="onsite", start_date=TODAY, end_date=tomorrow)
        review.add_application(queued("3", **onsite))
        booking = RoomBooking(application_id="3", court=COURT, day=tomorrow, start="09:00", end="12:00", version=2)
        booking.booked_at = NOW
        review.hold_booking(booking)
    with uow.transaction() as review:
        [due] = review.due_expiry_reminders(NOW, 10)
        assert (due.application_id, due.valid_until, due.phone) == ("1", TODAY, "13812345678")
        review.add_message(user_id=42, application_id="1", kind="expiry_reminder", title="t", body="b")
        [seat] = review.due_booking_reminders(tomorrow, 10)
        assert (seat.application_id, seat.start, seat.end, seat.version) == ("3", "09:00", "12:00", 2)
        review.add_message(user_id=42, application_id="3", kind="onsite_reminder:1", title="t", body="b")
    with uow.read() as review:
        assert review.due_expiry_reminders(NOW, 10) == []
        assert len(review.due_booking_reminders(tomorrow, 10)) == 1  # reminded of an older booking only
        assert review.due_booking_reminders(TODAY, 10) == []


def test_seats_are_counted_for_approved_readers_only(uow):
    onsite = dict(status="approved", opinion="approve", mode="onsite", start_date=TODAY, end_date=TODAY)
    with uow.transaction() as review:
        for app_id, status in (("1", "approved"), ("2", "approved"), ("3", "revoked")):
            review.add_application(queued(app_id, **dict(onsite, status=status)))
            booking = RoomBooking(application_id=app_id, court=COURT, day=TODAY, start="09:00", end="12:00", version=1)
            booking.booked_at = NOW - timedelta(minutes=int(app_id))
            review.hold_booking(booking)
    with uow.read() as review:
        assert review.seats_taken(COURT, TODAY, TODAY) == {(TODAY, "09:00"): 2}
        assert review.seats_taken("别的法院", TODAY, TODAY) == {}
        assert [app.id for app, _ in review.bookings_on(COURT, TODAY)] == ["2", "1"]  # by booking time
        assert set(review.bookings_of(["1", "3", "9"])) == {"1", "3"} and review.bookings_of([]) == {}
        assert review.booking("1").version == 1


def test_a_reading_room_is_set_first_once_and_the_calendar_kept_by_year(uow):
    with uow.transaction() as review:
        review.add_reading_room(ReadingRoom(court=COURT, config="{}", updated_at=NOW))
    with pytest.raises(Conflict), uow.transaction() as review:
        review.add_reading_room(ReadingRoom(court=COURT, config="{}", updated_at=NOW))
    with uow.transaction() as review:
        assert review.reading_room(COURT).config == "{}" and review.reading_room("别的法院") is None
        review.save_calendar_year(WorkCalendarYear(year=2026, holidays="[]", workdays="[]", updated_at=NOW))
    with uow.read() as review:
        assert [y.year for y in review.calendar_years()] == [2026] and review.calendar_year(2027) is None


def test_a_decision_and_its_retry_over_the_real_database(uow):
    clerk = {"id": 7, "role": "clerk", "name": "中欣", "court": COURT}
    event = {
        "event_id": "e-1",
        "application_id": 1,
        "applicant": {"id": 42, "name": "金家慧", "role": "party"},
        "case_no": "（2021）粤01民初1号",
        "court": COURT,
        "applied_at": clock.isoformat(clock.utcnow()),
    }
    assert usecases.receive_submitted(uow, event) is True
    assert usecases.receive_submitted(uow, event) is False
    body = {"opinion": "reject", "explanation": "不符合条件"}
    first = usecases.decide(uow, clerk, 1, body, case_summary=dict, idempotency_key="k-1")
    assert usecases.decide(uow, clerk, 1, body, case_summary=dict, idempotency_key="k-1") == first
    with pytest.raises(DomainError) as again:
        usecases.decide(uow, clerk, 1, body, case_summary=dict)
    assert again.value.code == "invalid_state"
    with uow.uow.read() as session:
        assert [r.event_type for r in session.scalars(select(Outbox))] == ["application_decided"]
