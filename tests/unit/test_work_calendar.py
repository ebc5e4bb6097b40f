"""Working days for the review's time limits: weekends rest unless worked (调休), public
holidays rest whatever the weekday, and an admin's upload of a year is checked."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.infra.errors import DomainError
from services.review.calendar import WorkCalendar, parse_year

# A 国庆 week of the shape the State Council's yearly notice sets (an example, not the
# notice itself): 1-8 October rest, Sunday 27 September and Saturday 10 October worked.
NATIONAL_DAY = [date(2026, 10, d) for d in range(1, 9)]
WORKED = [date(2026, 9, 27), date(2026, 10, 10)]
CALENDAR = WorkCalendar(frozenset(NATIONAL_DAY), frozenset(WORKED))


def test_weekdays_work_and_weekends_rest_without_a_calendar():
    plain = WorkCalendar()
    assert plain.is_working_day(date(2026, 12, 4))  # a Friday
    assert not plain.is_working_day(date(2026, 12, 5))


def test_holidays_rest_and_worked_weekends_count():
    assert not CALENDAR.is_working_day(date(2026, 10, 5))  # a Monday of 国庆
    assert CALENDAR.is_working_day(date(2026, 10, 10))  # a Saturday worked (调休)


def test_an_application_from_friday_has_waited_one_working_day_on_monday():
    assert WorkCalendar().working_days_after(date(2026, 12, 4), date(2026, 12, 7)) == 1
    assert WorkCalendar().working_days_after(date(2026, 12, 7), date(2026, 12, 7)) == 0


def test_the_national_day_week_does_not_count_but_its_worked_saturday_does():
    # applied Wednesday 30 September; by Monday 12 October: 9 and 10 (Sat, worked) and 12
    assert CALENDAR.working_days_after(date(2026, 9, 30), date(2026, 10, 12)) == 3


def test_an_upload_of_a_year_is_sorted_and_deduplicated():
    year, holidays, workdays = parse_year("2026", {"holidays": ["2026-10-02", "2026-10-01", "2026-10-01"],
                                                   "workdays": ["2026-10-10"]})  # fmt: skip
    assert (year, holidays, workdays) == (2026, [date(2026, 10, 1), date(2026, 10, 2)], [date(2026, 10, 10)])


@pytest.mark.parametrize(
    ("year", "body", "field"),
    [
        ("twenty", {}, "year"),
        (1999, {}, "year"),
        (2026, [], "body"),
        (2026, {"holidays": "2026-10-01"}, "holidays"),
        (2026, {"holidays": ["2027-01-01"]}, "holidays"),
        (2026, {"holidays": ["2026-02-30"]}, "holidays"),
        (2026, {"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}, "workdays"),
        (2026, {"workdays": ["2026-10-09"]}, "workdays"),  # a Friday is a working day anyway
        (2026, {"holidays": [f"2026-01-{d:02d}" for d in range(1, 32)] * 4 + ["2026-02-01"]}, "holidays"),
    ],
)
def test_an_upload_that_is_not_a_years_calendar_is_refused(year, body, field):
    with pytest.raises(DomainError) as refused:
        parse_year(year, body)
    assert refused.value.code == "validation_error" and field in refused.value.details["fields"]
