"""Wire shapes of review: primitives only (API.md's application object, messages)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import ClassVar, Literal, NotRequired, TypedDict, cast

from pydantic import Field
from pydantic.json_schema import JsonDict

from services.common.court import clock, events, reading
from services.common.court.reading import effective_status
from services.common.infra.shapes import (
    DATE_TIME,
    DAY,
    Application,
    ApplicationFields,
    ApplicationJson,
    Booking,
    BookingJson,
    MaterialRefJson,
    PageQuery,
    application_object,
)
from services.common.infra.wire import Answer, Body, Described, Page
from services.review import domain
from services.review.models import Message, ReviewedApplication, RoomBooking

STATUS = Literal["pending", "approved", "rejected", "returned", "withdrawn", "expired", "revoked"]
MODE = Literal["online", "onsite"]
HHMM: JsonDict = {"type": "string", "pattern": "^([01]\\d|2[0-3]):[0-5]\\d$", "examples": ["09:00"]}
DATES: JsonDict = {"type": "array", "items": {"type": "string", "format": "date"}}


# -- what clients send -----------------------------------------------------------------------


class QueueQuery(PageQuery):
    """?status=&mode=&case_no=&applicant= of the review queue."""

    status: STATUS | None = Field(None, description="只看该状态")
    mode: MODE | None = Field(None, description="只看该阅卷方式（档案室用 status=approved&mode=onsite）")
    case_no: str | None = Field(None, description="只看该案号")
    applicant: str | None = Field(None, max_length=50, description="申请人姓名")


class CountsQuery(Body):
    mode: MODE | None = Field(None, description="只数该阅卷方式")


class Decision(Described):
    """审查决定. ``mode`` is required with ``approve``; online: ``valid_until`` (default 15
    days on), ``documents`` (default the whole 正卷), ``print``; on-site: both dates."""

    example: ClassVar = {"opinion": "approve", "mode": "online", "valid_until": "2026-06-02", "explanation": "同意"}
    opinion: Literal["approve", "reject", "return"] = Field(description="同意、不同意、退回补正")
    explanation: str | None = Field(None, max_length=500, description="说明（不同意、退回补正时必填）")
    mode: MODE | None = Field(None, description="同意时必填：online 在线阅卷，onsite 现场阅卷")
    valid_until: str | None = Field(None, description="在线阅卷的有效截止日期", json_schema_extra=DAY)
    start_date: str | None = Field(None, description="现场阅卷的起始日期", json_schema_extra=DAY)
    end_date: str | None = Field(None, description="现场阅卷的截止日期", json_schema_extra=DAY)
    documents: list[int] | None = Field(None, description="可查阅的正卷文件编号；省略为全部正卷")
    print: bool | None = Field(None, description="是否允许打印（默认允许）")


class Attendance(Described):
    """现场阅卷登记: 是否到场, 借阅时间, 还卷时间 (a time may be ``"now"``: the court's clock)."""

    example: ClassVar = {"attended": True, "borrowed_at": "now", "returned_at": None}
    attended: bool = Field(description="是否到场")
    borrowed_at: str | None = Field(None, description="借阅时间（ISO 8601 或 now）")
    returned_at: str | None = Field(None, description="还卷时间（ISO 8601 或 now）")


class RoomSlot(Answer):
    start: str = Field(json_schema_extra=HHMM)
    end: str = Field(json_schema_extra={**HHMM, "examples": ["12:00"]})
    capacity: int = Field(ge=1, le=500, description="名额")


class RoomQuery(Body):
    court: str | None = Field(None, description="法院（管理员必填；档案室为本院）")


class RoomSettings(Described):
    """阅卷室设置: 1–12 slots that do not overlap; weekends are closed unless in ``open_dates``."""

    example: ClassVar = {
        "slots": [{"start": "09:00", "end": "12:00", "capacity": 5}, {"start": "14:00", "end": "17:00", "capacity": 5}],
        "closed_dates": ["2026-10-01"],
        "open_dates": [],
    }
    slots: list[RoomSlot] = Field(min_length=1, max_length=12)
    closed_dates: list[str] | None = Field(None, json_schema_extra=DATES)
    open_dates: list[str] | None = Field(None, json_schema_extra=DATES)
    court: str | None = Field(None, description="管理员指定法院")


class BookingsQuery(Body):
    date: str | None = Field(None, description="日期，默认今天（北京时间）", json_schema_extra=DAY)


class BookingRequest(Described):
    """预约到场: a day in the window and a slot's start."""

    example: ClassVar = {"date": "2026-05-20", "start": "09:00"}
    date: str = Field(json_schema_extra=DAY)
    start: str = Field(json_schema_extra=HHMM)


class CalendarUpload(Described):
    """工作日历: the year's holidays and its 调休 working weekend days, replaced whole."""

    example: ClassVar = {"holidays": ["2026-10-01", "2026-10-02"], "workdays": ["2026-09-27"]}
    holidays: list[str] = Field(json_schema_extra=DATES)
    workdays: list[str] = Field(json_schema_extra=DATES)


# -- what clients get back -------------------------------------------------------------------


class QueueMaterialJson(MaterialRefJson):
    url: str


class QueueMaterial(Answer):
    id: str
    kind: str
    filename: str
    url: str = Field(description="打开该材料的地址")


class DecisionOption(Answer):
    """A decision the caller may take now, and what review writes when it has no explanation."""

    opinion: Literal["approve", "reject", "return"] = Field(description="同意、不同意、退回补正")
    mode: MODE | None = Field(description="同意时的阅卷方式；不同意、退回补正为 null")
    explanation_required: bool = Field(description="是否必须填写审查意见说明")
    default_explanation: str | None = Field(
        description="未填写说明时服务端写入的审查意见说明；现场阅卷为模板，{start_date}、{end_date} 换为起止日期"
    )
    default_valid_days: int | None = Field(None, description="在线阅卷：不填有效截止日期时为今天之后的天数")


class StaffApplicationJson(ApplicationJson):
    decisions: list[domain.DecisionOptionJson]


class StaffApplication(Application):
    """The application as review holds it, for the court's staff: with the decisions the caller
    may take now (empty unless a clerk and the application is pending)."""

    example: ClassVar = {
        **{k: v for k, v in Application.example.items() if k not in ("review", "reading")},
        "status": "pending",
        "review": None,
        "reading": None,
        "actions": [],
        "decisions": domain.allowed_decisions("pending", "clerk"),
    }
    decisions: list[DecisionOption] = Field(description="现在可作出的审查决定及其默认说明（审查人、待审查时才有）")


class QueueItemJson(ApplicationFields):
    materials: list[QueueMaterialJson]
    decisions: list[domain.DecisionOptionJson]
    waited_seconds: int | None
    waited_working_days: NotRequired[int | None]  # the queue's lines (usecases: by the work calendar)


class QueueItem(StaffApplication):
    """A line of the review queue: the application, how long it has waited, its materials' addresses."""

    example: ClassVar = {
        **StaffApplication.example,
        "materials": [dict(m, url=f"/api/v1/uploads/{m['id']}") for m in StaffApplication.example["materials"]],
        "waited_seconds": 3600,
        "waited_working_days": 0,
    }
    materials: list[QueueMaterial]  # type: ignore[assignment]
    waited_seconds: int | None = Field(None, description="待审查已等待的秒数")
    waited_working_days: int | None = Field(None, description="待审查已等待的工作日数（按工作日历）")


class QueuePage(Page[QueueItem]):
    """A page of the review queue (待审查的阅卷申请)."""


class Counts(Answer):
    counts: dict[str, int] = Field(description="各状态的申请数")


class ReadingRoom(Answer):
    example: ClassVar = {
        "court": "广州市中级人民法院",
        "slots": [{"start": "09:00", "end": "12:00", "capacity": 5}],
        "closed_dates": [],
        "open_dates": [],
        "configured": True,
    }
    court: str
    slots: list[RoomSlot]
    closed_dates: list[str] = Field(json_schema_extra=DATES)
    open_dates: list[str] = Field(json_schema_extra=DATES)
    configured: bool = Field(description="false：从未设置，为默认值")


class TakenSlot(RoomSlot):
    taken: int = Field(description="已预约人数")


class PersonJson(TypedDict):
    name: str
    role: str | None


class Person(Answer):
    name: str
    role: str | None = None


class DayBookingJson(TypedDict):
    application_id: int | str | None
    applicant: PersonJson
    case_no: str
    date: str
    start: str
    end: str
    attended: bool | None
    borrowed_at: str | None
    returned_at: str | None
    status: str
    start_date: str | None
    end_date: str | None


class DayBooking(Answer):
    """A line of the archivist's day list (今日到场)."""

    application_id: int | str
    applicant: Person
    case_no: str
    date: str = Field(json_schema_extra=DAY)
    start: str
    end: str
    attended: bool | None
    borrowed_at: str | None = Field(json_schema_extra=DATE_TIME)
    returned_at: str | None = Field(json_schema_extra=DATE_TIME)
    status: STATUS
    start_date: str | None = Field(None, json_schema_extra=DAY)
    end_date: str | None = Field(None, json_schema_extra=DAY)


class DayBookings(Answer):
    date: str = Field(json_schema_extra=DAY)
    open: bool = Field(description="当天是否开放")
    slots: list[TakenSlot]
    items: list[DayBooking]
    next_cursor: None = None


class FreeSlot(Answer):
    date: str = Field(json_schema_extra=DAY)
    start: str
    end: str
    free: int = Field(description="剩余名额；0 为已满")


class OnsiteSlots(Answer):
    items: list[FreeSlot]
    booking: Booking | None = None


class WorkCalendar(Answer):
    example: ClassVar = {"year": 2026, "holidays": ["2026-10-01"], "workdays": ["2026-09-27"], "uploaded": True}
    year: int
    holidays: list[str] = Field(json_schema_extra=DATES)
    workdays: list[str] = Field(json_schema_extra=DATES)
    uploaded: bool = Field(description="false：未上传，按周一至周五计")


class InboxMessageJson(TypedDict):
    id: int
    at: str | None
    title: str
    body: str
    application_id: int | str | None
    read: bool


class InboxMessage(Answer):
    """站内信."""

    example: ClassVar = {
        "id": 5,
        "at": "2026-05-18T10:00:00+08:00",
        "title": "阅卷申请已通过",
        "body": "您的阅卷申请（（2021）粤01民初1号）已通过，可在线阅卷至 2026-06-02。",
        "application_id": 12,
        "read": False,
    }
    id: int
    at: str = Field(json_schema_extra=DATE_TIME)
    title: str
    body: str
    application_id: int | str | None
    read: bool


class InboxPage(Page[InboxMessage]):
    """A page of the caller's messages (站内消息)."""


def wire_id(value: str | None) -> int | str | None:
    """An application's id as the HTTP answers show it: the number applications issued
    (API.md). Events and this service's records keep the contract's string (ApplicationId)."""
    if value is None:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else value


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _instant(value: datetime | None) -> str | None:
    return clock.isoformat(clock.as_aware(value))


def booked(booking: RoomBooking | None) -> BookingJson | None:
    """预约到场: ``{date, start, end}`` of the reader's booked slot, or None."""
    return reading.booking(booking.day, booking.start, booking.end) if booking is not None else None


def application(
    row: ReviewedApplication, now: datetime, booking: RoomBooking | None = None, role: str | None = None
) -> StaffApplicationJson:
    """The application object of API.md (services.common.infra.shapes.application_object), status
    computed at ``now`` (expired on read), with the decisions a member of staff in ``role``
    may take on it now (domain.allowed_decisions)."""
    view = application_object(
        row,
        id=cast(int | str, wire_id(row.id)),  # a row always has its id
        reapplied_from=wire_id(row.reapplied_from),
        materials=json.loads(row.materials),
        now=now,
        booked=booked(booking),
        actions=[],  # the applicant's; review answers the court's staff (their decisions below)
    )
    return {**view, "decisions": domain.allowed_decisions(view["status"], role)}


def queue_item(
    row: ReviewedApplication, now: datetime, booking: RoomBooking | None = None, role: str | None = None
) -> QueueItemJson:
    """A staff queue line: the application plus how long it has waited, and where each
    material opens."""
    data = application(row, now, booking, role)
    applied = clock.as_aware(row.applied_at)
    return {
        **data,
        "materials": [{**m, "url": f"/api/v1/uploads/{m['id']}"} for m in data["materials"]],
        "waited_seconds": max(0, int((now - applied).total_seconds())) if row.status == "pending" else None,
    }


def message(row: Message) -> InboxMessageJson:
    return {
        "id": row.id,
        "at": _instant(row.created_at),
        "title": row.title,
        "body": row.body,
        "application_id": wire_id(row.application_id),
        "read": row.read_at is not None,
    }


def decided_event(row: ReviewedApplication) -> events.ApplicationDecided:
    """``application_decided`` as docs/contracts.md fixes it."""
    payload: events.ApplicationDecided = {
        "application_id": row.id,
        "applicant_id": row.applicant_id,
        "case_no": row.case_no,
        "court": row.court,
        "opinion": row.opinion,
        "mode": row.mode,
        "explanation": row.explanation,
        "reviewer": row.reviewer,
        "reviewed_at": _instant(row.reviewed_at),
    }
    if row.mode == "online":
        payload["valid_until"] = _day(row.valid_until)
        chosen = reading.granted_documents(row.granted_documents)
        payload["documents"] = [d["id"] for d in chosen] if chosen is not None else None
        payload["document_titles"] = [d["title"] for d in chosen] if chosen is not None else None
        payload["print"] = row.print_allowed is not False
    elif row.mode == "onsite":
        payload["start_date"] = _day(row.start_date)
        payload["end_date"] = _day(row.end_date)
        payload["notice"] = row.notice
    return payload


def attendance_event(row: ReviewedApplication) -> events.AttendanceRecorded:
    """``recorded_at`` (to the microsecond) orders corrections: a consumer keeps the newest."""
    return {
        "application_id": row.id,
        "recorded_at": clock.as_aware(clock.utcnow()).isoformat(),
        "attended": row.attended,
        "borrowed_at": _instant(row.borrowed_at),
        "returned_at": _instant(row.returned_at),
    }


def booking_event(row: ReviewedApplication, booking: RoomBooking) -> events.OnsiteBooked:
    """``onsite_booked``: ``version`` orders rebookings (a consumer keeps the highest)."""
    return {
        "application_id": row.id,
        "applicant_id": row.applicant_id,
        "case_no": row.case_no,
        "court": row.court,
        "date": booking.day.isoformat(),
        "start": booking.start,
        "end": booking.end,
        "version": booking.version,
        "booked_at": _instant(booking.booked_at),
    }


def room_booking(row: ReviewedApplication, booking: RoomBooking, now: datetime) -> DayBookingJson:
    """A line of the archivist's day list (今日到场): who comes when, and what was recorded."""
    return {
        "application_id": wire_id(row.id),
        "applicant": {"name": row.applicant_name, "role": row.applicant_role},
        "case_no": row.case_no,
        "date": booking.day.isoformat(),
        "start": booking.start,
        "end": booking.end,
        "attended": row.attended,
        "borrowed_at": _instant(row.borrowed_at),
        "returned_at": _instant(row.returned_at),
        "status": effective_status(row.status, reading.arrangement(row), now),
        "start_date": _day(row.start_date),
        "end_date": _day(row.end_date),
    }


class StatisticsTable(Answer):
    """按月统计 on screen (``format=json``): the table the CSV and XLSX exports hold."""

    example: ClassVar = {
        "title": "2026 年阅卷申请统计",
        "columns": ["月份", "收到申请"],
        "rows": [["2026-01", 12], ["2026 全年", 12]],
    }
    title: str
    columns: list[str]
    rows: list[list[str | int | float]] = Field(description="每月一行，最后一行为全年")


class ExportQuery(Body):
    """?format= and the filters of an export (queue: status, mode, case_no, applicant;
    decisions: from, to; statistics: year)."""

    format: Literal["csv", "xlsx", "json"] = Field("csv", description="csv 或 xlsx；按月统计（statistics）也可为 json")
    status: STATUS | None = Field(None, description="queue：只导出该状态")
    mode: MODE | None = Field(None, description="queue：只导出该阅卷方式")
    case_no: str | None = Field(None, description="queue：只导出该案号")
    applicant: str | None = Field(None, description="queue：申请人姓名")
    from_: str | None = Field(
        None, alias="from", description="decisions：起始日期（默认 30 天前）", json_schema_extra=DAY
    )
    to: str | None = Field(None, description="decisions：截止日期（默认今天）", json_schema_extra=DAY)
    year: int | None = Field(None, ge=2000, le=2100, description="statistics：年份")
