"""Working days (工作日) for the review's time limits: weekends are rest days, except the
weekend days the State Council's yearly notice makes working days (调休上班); public
holidays are rest days whatever the weekday. An admin uploads each year's holidays and
调休 working days; a year nobody uploaded counts Monday to Friday. No I/O here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.common.infra.errors import validation_error

MAX_DAYS_A_YEAR = 120  # holidays and 调休 days together: some thirty in a real year


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)  # 调休: weekend days worked

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def working_days_after(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``: an application made on
        a Friday has waited one working day on Monday, whatever the hour."""
        if end <= start:
            return 0
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    @classmethod
    def of_years(cls, years: Iterable[tuple[Iterable[date], Iterable[date]]]) -> WorkCalendar:
        holidays: set[date] = set()
        workdays: set[date] = set()
        for year_holidays, year_workdays in years:
            holidays.update(year_holidays)
            workdays.update(year_workdays)
        return cls(frozenset(holidays), frozenset(workdays))


def parse_year_number(year: Any) -> int:
    """A year the court keeps figures or a calendar for: 2000 to 2100 (a number or its digits)."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise validation_error({"year": "应为年份，如 2026"}) from None
    if not 2000 <= year <= 2100:
        raise validation_error({"year": "应为 2000 至 2100 之间的年份"})
    return year


def parse_year(year: Any, body: Any) -> tuple[int, list[date], list[date]]:
    """An admin's upload of one year: ``{holidays: [YYYY-MM-DD], workdays: [YYYY-MM-DD]}``
    (workdays: the weekend days worked, 调休上班). Every date within the year, none twice."""
    year = parse_year_number(year)
    if not isinstance(body, dict):
        raise validation_error({"body": "应为 JSON 对象"})
    lists = {}
    for name, label in (("holidays", "法定节假日"), ("workdays", "调休上班日")):
        values = body.get(name, [])
        if not isinstance(values, list) or len(values) > MAX_DAYS_A_YEAR:
            raise validation_error({name: f"{label}应为日期列表（不超过 {MAX_DAYS_A_YEAR} 天）"})
        days = []
        for value in values:
            try:
                day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
            except ValueError:
                day = None
            if day is None or day.year != year:
                raise validation_error({name: f"{label}应为 {year} 年内 YYYY-MM-DD 格式的日期"})
            days.append(day)
        lists[name] = sorted(set(days))
    both = set(lists["holidays"]) & set(lists["workdays"])
    if both:
        raise validation_error({"workdays": f"{min(both)} 不能既是节假日又是调休上班日"})
    weekday_worked = [d for d in lists["workdays"] if d.weekday() < 5]
    if weekday_worked:
        raise validation_error({"workdays": f"{weekday_worked[0]} 本是工作日：调休上班日应为周六或周日"})
    return year, lists["holidays"], lists["workdays"]
