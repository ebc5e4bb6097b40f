"""Review rules without a broker: decisions, attendance, expiry at the day boundary."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.common.court import clock
from services.common.court.reading import effective_status, is_expired, reminder_due
from services.common.infra.errors import DomainError
from services.review import domain
from services.review.dependencies import DEFAULT_NOTICES, onsite_notice

TODAY = date(2026, 5, 7)
TZ = clock.COURT_TZ


def code_of(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    return info.value


def test_online_approval_defaults_to_fifteen_days_and_the_manuals_wording():
    decision = domain.parse_decision({"opinion": "approve", "mode": "online"}, TODAY)
    assert decision.valid_until == date(2026, 5, 22)
    assert decision.explanation == "申请符合法律规定, 予以同意"
    assert decision.status == "approved"
    assert domain.parse_decision({"opinion": "approve", "mode": "online", "valid_until": "2026-05-07"}, TODAY)


def test_decision_input_errors_name_the_field():
    assert code_of(domain.parse_decision, {"opinion": "approve"}, TODAY).details["fields"] == {
        "mode": "同意时必须选择 online 或 onsite"
    }
    assert code_of(domain.parse_decision, {"opinion": "maybe"}, TODAY).code == "validation_error"
    assert code_of(domain.parse_decision, [], TODAY).code == "validation_error"
    for body in (
        {"opinion": "approve", "mode": "online", "valid_until": "2026-05-06"},
        {"opinion": "approve", "mode": "online", "valid_until": "2026-02-30"},
        {"opinion": "approve", "mode": "online", "valid_until": "7 May"},
        {"opinion": "approve", "mode": "online", "valid_until": "2028-05-07"},
        {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-09", "end_date": "2026-05-08"},
        {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-06", "end_date": "2026-05-08"},
    ):
        assert code_of(domain.parse_decision, body, TODAY).code == "invalid_date", body
    half = {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-08"}
    missing = code_of(domain.parse_decision, half, TODAY)
    assert missing.code == "validation_error" and "end_date" in missing.details["fields"]


def test_reject_and_return_need_a_bounded_explanation():
    assert code_of(domain.parse_decision, {"opinion": "reject"}, TODAY).details["fields"] == {"explanation": "必填"}
    too_long = {"opinion": "return", "explanation": "补" * (domain.MAX_EXPLANATION + 1)}
    assert code_of(domain.parse_decision, too_long, TODAY).code == "validation_error"
    body = {"opinion": "return", "explanation": " 请补充授权委托书 ", "mode": "online"}
    returned = domain.parse_decision(body, TODAY)
    assert (returned.status, returned.mode, returned.explanation) == ("returned", None, "请补充授权委托书")


def test_onsite_approval_uses_the_manuals_sentence():
    body = {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-07", "end_date": "2026-05-08"}
    decision = domain.parse_decision(body, TODAY)
    assert "请于【2026-05-07】-【2026-05-08】前到院现场阅卷" in decision.explanation
    assert (decision.mode, decision.start_date, decision.end_date) == ("onsite", date(2026, 5, 7), date(2026, 5, 8))


def test_attendance_checks_order_and_window():
    now = datetime(2026, 5, 8, 12, 0, tzinfo=TZ)
    start, end = date(2026, 5, 7), date(2026, 5, 8)
    ok = domain.parse_attendance(
        {"attended": True, "borrowed_at": "2026-05-08 09:00:00", "returned_at": "2026-05-08T11:00:00+08:00"},
        now,
        start,
        end,
    )
    assert ok.attended and ok.borrowed_at.hour == 9 and ok.returned_at > ok.borrowed_at
    bad = [
        {"attended": True, "borrowed_at": "2026-05-08 10:00:00", "returned_at": "2026-05-08 09:00:00"},
        {"attended": True, "returned_at": "2026-05-08 09:00:00"},
        {"attended": True, "borrowed_at": "2026-05-06 09:00:00"},
        {"attended": True, "borrowed_at": "2026-05-08 13:00:00"},
        {"attended": True, "borrowed_at": "yesterday"},
    ]
    for body in bad:
        assert code_of(domain.parse_attendance, body, now, start, end).code == "invalid_date", body
    assert code_of(domain.parse_attendance, {"attended": "yes"}, now, start, end).code == "validation_error"
    absent = {"attended": False, "borrowed_at": "2026-05-08 09:00:00"}
    assert code_of(domain.parse_attendance, absent, now, start, end).code == "validation_error"


def test_expiry_turns_at_midnight_in_the_courts_zone():
    online = {"mode": "online", "valid_until": "2026-05-22"}
    assert effective_status("approved", online, datetime(2026, 5, 22, 23, 59, tzinfo=TZ)) == "approved"
    assert effective_status("approved", online, datetime(2026, 5, 23, 0, 1, tzinfo=TZ)) == "expired"
    # 16:01 UTC on the 22nd is already 00:01 on the 23rd in Beijing.
    assert is_expired(online, datetime.fromisoformat("2026-05-22T16:01:00+00:00"))
    onsite = {"mode": "onsite", "end_date": "2026-05-19", "attended": None}
    after = datetime(2026, 5, 20, 0, 1, tzinfo=TZ)
    assert effective_status("approved", onsite, after) == "expired"
    assert effective_status("approved", dict(onsite, attended=True), after) == "approved"
    assert effective_status("rejected", None, after) == "rejected"


def test_reminder_is_due_only_on_the_last_day():
    assert not reminder_due("2026-05-22", datetime(2026, 5, 21, 23, 59, tzinfo=TZ))
    assert reminder_due("2026-05-22", datetime(2026, 5, 22, 0, 1, tzinfo=TZ))
    assert not reminder_due("2026-05-22", datetime(2026, 5, 23, 0, 0, tzinfo=TZ))


def test_notices_default_to_guangzhou_and_are_configurable(monkeypatch):
    assert "应潭路66号" in onsite_notice("广东省广州市中级人民法院")
    assert "某某法院档案阅卷室" in onsite_notice("某某法院")
    monkeypatch.setenv("REVIEW_ONSITE_NOTICES", '{"某某法院": "地址：某路1号"}')
    assert onsite_notice("某某法院") == "地址：某路1号"
    assert onsite_notice("广东省广州市中级人民法院") == DEFAULT_NOTICES["广东省广州市中级人民法院"]


def test_the_expiry_rule_in_sql_gives_the_same_answers_as_in_python():
    """reading.expired_sql and reading.is_expired are one rule written twice: on every
    kind of approval, at moments either side of its end, they agree."""
    from datetime import UTC, date, timedelta

    from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, create_engine, insert, select

    from services.common.court import clock, reading

    table = Table(
        "decisions",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("status", String),
        Column("mode", String),
        Column("valid_until", Date),
        Column("end_date", Date),
        Column("attended", Boolean),
    )
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    day = date(2026, 6, 10)
    kinds = (("online", day, None), ("onsite", None, day), (None, None, None), ("online", None, None))
    rows = [
        {"status": status, "mode": mode, "valid_until": until, "end_date": end, "attended": attended}
        for status in ("approved", "pending", "rejected")
        for mode, until, end in kinds
        for attended in (None, True, False)
    ]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    moments = [clock.end_of_day(day) + timedelta(seconds=s) for s in (-86400 * 2, -1, 0, 1, 86400)]
    for now in moments:
        today = now.astimezone(clock.COURT_TZ).date()
        with engine.connect() as conn:
            by_sql = {r.id for r in conn.execute(select(table.c.id).where(reading.expired_sql(table.c, today)))}
            due_sql = {r.id for r in conn.execute(select(table.c.id).where(reading.reminder_due_sql(table.c, now)))}
            everything = conn.execute(select(table)).mappings().all()
        by_python = {r["id"] for r in everything if r["status"] == "approved" and reading.is_expired(dict(r), now)}
        assert by_sql == by_python, now.astimezone(UTC)
        due_python = {
            r["id"]
            for r in everything
            if r["status"] == "approved" and r["mode"] == "online" and r["valid_until"]
            and reading.reminder_due(r["valid_until"], now)
        }  # fmt: skip
        assert due_sql == due_python, now


# -- the decisions a clerk may take, and the explanations review writes for an empty one -------
@pytest.mark.parametrize("status", [s for s in domain.STATUSES if s != "pending"])
def test_only_a_pending_application_can_be_decided(status):
    assert domain.allowed_decisions(status, "clerk") == []


@pytest.mark.parametrize("role", ["archivist", "admin", "party", None])
def test_only_a_clerk_decides(role):
    assert domain.allowed_decisions("pending", role) == []


def test_a_clerk_may_approve_online_or_on_site_reject_or_return_a_pending_application():
    options = domain.allowed_decisions("pending", "clerk")
    assert [(o["opinion"], o["mode"]) for o in options] == [
        ("approve", "online"),
        ("approve", "onsite"),
        ("reject", None),
        ("return", None),
    ]
    assert [o["explanation_required"] for o in options] == [False, False, True, True]


def test_the_default_explanations_offered_are_those_a_decision_without_one_gets():
    online, onsite, reject, back = domain.allowed_decisions("pending", "clerk")
    decided = domain.parse_decision({"opinion": "approve", "mode": "online"}, TODAY)
    assert decided.explanation == online["default_explanation"]
    assert decided.valid_until == date.fromordinal(TODAY.toordinal() + online["default_valid_days"])
    body = {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-08", "end_date": "2026-05-09"}
    decided = domain.parse_decision(body, TODAY)
    assert decided.explanation == onsite["default_explanation"].format(start_date="2026-05-08", end_date="2026-05-09")
    for option in (reject, back):
        assert option["default_explanation"] is None
        assert code_of(domain.parse_decision, {"opinion": option["opinion"]}, TODAY).code == "validation_error"
