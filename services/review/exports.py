"""Exports for the court (导出): the review queue as the console filters it, the decisions
of a period, and a year's statistics by month, for the clerks and archivists of the court.

Each is a table of rows in the console's own words (Chinese headings, 待审查 rather than
``pending``), handed out a page at a time: the gateway writes the pages as CSV or XLSX as
they come, so no answer grows with the court's history. The statistics are one small page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.common.court import clock, reading
from services.common.court.words import LABELS
from services.common.infra import paging
from services.common.infra.actor import Actor
from services.common.infra.errors import DomainError
from services.review import calendar, domain
from services.review.models import ReviewedApplication
from services.review.repository import ReviewWork
from services.review.usecases import _require_staff, queue_filter

KINDS = ("queue", "decisions", "statistics")
PAGE_ROWS = 500
MAX_PERIOD_DAYS = 366 * 3

# in the words the console shows (services/common/court/words.py, from the web pages' own)
STATUS_WORDS, OPINION_WORDS = LABELS["status"], LABELS["opinion"]
MODE_WORDS, ROLE_WORDS = LABELS["mode"], LABELS["role"]

APPLICATION_COLUMNS = [
    "申请编号", "案号", "申请人", "身份", "申请时间", "状态", "申请内容", "申请原因",
    "阅卷方式", "审查人", "审查时间", "审查意见", "审查意见说明", "有效截止日期",
    "现场阅卷起始", "现场阅卷截止", "是否到场",
]  # fmt: skip
STATISTICS_COLUMNS = [
    "月份", "收到申请", "同意（在线）", "同意（现场）", "不同意", "退回补正", "撤回", "审查决定合计",
    "平均审查用时（小时）",
]  # fmt: skip


def export_page(uow: ReviewWork, actor: Actor, kind: Any, params: Any = None, cursor: Any = None) -> dict:
    """One page of an export: ``{title, columns, rows, next_cursor}``."""
    court = _require_staff(actor)
    params = params if isinstance(params, dict) else {}
    if kind == "queue":
        return _queue(uow, court, params, cursor)
    if kind == "decisions":
        return _decisions(uow, court, params, cursor)
    if kind == "statistics":
        return _statistics(uow, court, params)
    raise DomainError("not_found", "没有这种导出")


def _queue(uow: ReviewWork, court: str, params: dict, cursor: Any) -> dict:
    now = clock.now()
    chosen = queue_filter(
        status=params.get("status"),
        mode=params.get("mode"),
        case_no=params.get("case_no"),
        applicant=params.get("applicant"),
    )
    after = paging.position_after(cursor)
    with uow.read() as review:
        rows = review.court_applications(court, now.date(), chosen, after, PAGE_ROWS + 1)
    return _page("阅卷申请", rows, now, lambda row: row.applied_at)


def _decisions(uow: ReviewWork, court: str, params: dict, cursor: Any) -> dict:
    """Decided within ``from``..``to`` (court days, inclusive; the last 30 days unless
    asked), in the order they were made."""
    today = clock.today()
    first = _day(params.get("from"), "from") or today - timedelta(days=29)
    last = _day(params.get("to"), "to") or today
    if first > last or (last - first).days > MAX_PERIOD_DAYS:
        raise DomainError("invalid_date", f"起止日期应先后有序，且不超过 {MAX_PERIOD_DAYS} 天")
    start, end = clock.start_of_day(first), clock.start_of_day(last + timedelta(days=1))
    after = paging.position_after(cursor)
    with uow.read() as review:
        rows = review.decided_between(court, start, end, after, PAGE_ROWS + 1)
    return _page(f"审查决定 {first}至{last}", rows, clock.now(), lambda row: row.reviewed_at)


def _page(title: str, rows: list[ReviewedApplication], now: datetime, position) -> dict:
    more = len(rows) > PAGE_ROWS
    rows = rows[:PAGE_ROWS]
    last = rows[-1] if more else None
    return {
        "title": title,
        "columns": APPLICATION_COLUMNS,
        "rows": [application_row(row, now) for row in rows],
        "next_cursor": paging.position_cursor(clock.as_aware(position(last)), last.id) if last else None,
    }


ATTENDED: dict[bool | None, str] = {True: "是", False: "否"}  # 是否到场


def application_row(row: ReviewedApplication, now: datetime) -> list[Any]:
    """One application as a line of the exports, in the console's words."""
    status = reading.effective_status(row.status, reading.arrangement(row), now)
    attended = ATTENDED.get(row.attended, "") if row.mode == "onsite" else ""
    return [
        row.id,
        row.case_no,
        row.applicant_name,
        ROLE_WORDS.get(row.applicant_role, row.applicant_role),
        _local(row.applied_at),
        STATUS_WORDS.get(status, status),
        row.scope,
        row.reason,
        MODE_WORDS.get(row.mode or "", ""),
        row.reviewer or "",
        _local(row.reviewed_at),
        OPINION_WORDS.get(row.opinion or "", ""),
        row.explanation or "",
        row.valid_until.isoformat() if row.valid_until else "",
        row.start_date.isoformat() if row.start_date else "",
        row.end_date.isoformat() if row.end_date else "",
        attended,
    ]


def _statistics(uow: ReviewWork, court: str, params: dict) -> dict:
    """A year by month (court time): applications received, decisions by outcome, and the
    mean time from application to decision. Grouped here rather than in SQL, which
    would need each database's own date functions: a year of one court is some thousands
    of rows."""
    year = calendar.parse_year_number(params.get("year") or clock.today().year)
    start, end = clock.start_of_day(date(year, 1, 1)), clock.start_of_day(date(year + 1, 1, 1))
    with uow.read() as review:
        received = review.received_between(court, start, end)
        decided = review.decisions_between(court, start, end)
    months = {m: domain.MonthFigures() for m in range(1, 13)}
    for applied_at, status in received:
        figures = months[_month(applied_at)]
        figures.received += 1
        figures.withdrawn += status == "withdrawn"
    for applied_at, reviewed_at, opinion, mode in decided:
        months[_month(reviewed_at)].decided(opinion, mode, clock.as_aware(reviewed_at) - clock.as_aware(applied_at))
    rows = [[f"{year}-{m:02d}", *months[m].as_row()] for m in range(1, 13)]
    total = domain.MonthFigures.total(months.values())
    rows.append([f"{year} 全年", *total.as_row()])
    return {"title": f"{year} 年阅卷申请统计", "columns": STATISTICS_COLUMNS, "rows": rows, "next_cursor": None}


def _month(instant: datetime) -> int:
    return clock.as_aware(instant).astimezone(clock.COURT_TZ).month


def _local(instant: datetime | None) -> str:
    if instant is None:
        return ""
    return clock.as_aware(instant).astimezone(clock.COURT_TZ).strftime("%Y-%m-%d %H:%M")


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("invalid_date", f"{field} 应为 YYYY-MM-DD 格式的日期") from None
