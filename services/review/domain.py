"""Review rules (审查): what a decision and an attendance record may say. No I/O here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, NotRequired, TypedDict, overload

from services.common.court import clock, text
from services.common.infra.errors import DomainError, validation_error

OPINIONS = ("approve", "reject", "return")  # 同意, 不同意, 退回补正
MODES = ("online", "onsite")  # 在线阅卷, 现场阅卷
STATUS_BY_OPINION = {"approve": "approved", "reject": "rejected", "return": "returned"}
STATUSES = ("pending", "approved", "rejected", "returned", "withdrawn", "expired", "revoked")
DEFAULT_ONLINE_DAYS = 15
MAX_AHEAD_DAYS = 366  # a date further out than a year is a typo, not a plan
MAX_EXPLANATION = 500

APPROVE_ONLINE_TEXT = "申请符合法律规定, 予以同意"
NO_ELECTRONIC_DOSSIER_TEXT = "因未扫描电子卷, 需到库申请纸质卷"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Decision:
    opinion: str
    mode: str | None
    explanation: str
    valid_until: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    # An online grant's reach: chosen 正卷 documents (None: the whole 正卷, later ones
    # included) and 允许打印.
    documents: tuple[int, ...] | None = None
    print_allowed: bool = True

    @property
    def status(self) -> str:
        return STATUS_BY_OPINION[self.opinion]


ONSITE_TEXT = "请于【{start_date}】-【{end_date}】前到院现场阅卷。逾期未能阅卷, 卷将转入库, 需要重新申请。"
EXPLAINED_OPINIONS = ("reject", "return")  # the applicant is told why, or cannot fix anything


def onsite_explanation(start: date, end: date) -> str:
    """The manual's wording for an on-site arrangement (figure 14)."""
    return ONSITE_TEXT.format(start_date=start.isoformat(), end_date=end.isoformat())


class DecisionOptionJson(TypedDict):
    """A decision the caller may take now (schemas.DecisionOption)."""

    opinion: str
    mode: str | None
    explanation_required: bool
    default_explanation: str | None
    default_valid_days: NotRequired[int]


def allowed_decisions(status: str, role: str | None) -> list[DecisionOptionJson]:
    """The decisions a member of the court's staff may take on an application now: a clerk
    decides a pending one (同意 online or on site, 不同意, 退回补正), nobody anything else.
    Each says whether an explanation is required and, when not, the one written for an
    empty one (:func:`parse_decision`: the one place these defaults live; the on-site one
    is a template of ``{start_date}`` and ``{end_date}``); an online approval says how many
    days ``valid_until`` runs by default."""
    if role != "clerk" or status != "pending":
        return []

    def one(opinion: str, mode: str | None, default: str | None) -> DecisionOptionJson:
        return {
            "opinion": opinion,
            "mode": mode,
            "explanation_required": opinion in EXPLAINED_OPINIONS,
            "default_explanation": default,
        }

    return [
        {**one("approve", "online", APPROVE_ONLINE_TEXT), "default_valid_days": DEFAULT_ONLINE_DAYS},
        one("approve", "onsite", ONSITE_TEXT),
        one("reject", None, None),
        one("return", None, None),
    ]


@overload
def clean_explanation(value: Any, *, required: Literal[True]) -> str: ...
@overload
def clean_explanation(value: Any, *, required: bool) -> str | None: ...
def clean_explanation(value: Any, *, required: bool) -> str | None:
    return text.clean_text(
        value, "explanation", max_len=MAX_EXPLANATION, required=required, label="审查意见说明", multiline=True
    )


def parse_day(value: Any, field: str) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise _invalid_date(field, "日期格式应为 YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid_date(field, "日期不存在") from None


def _invalid_date(field: str, reason: str) -> DomainError:
    return DomainError("invalid_date", f"日期不正确：{reason}", {"fields": {field: reason}})


def _within_reach(day: date, field: str, today: date) -> date:
    if day < today:
        raise _invalid_date(field, "不能早于今天")
    if day > today + timedelta(days=MAX_AHEAD_DAYS):
        raise _invalid_date(field, f"不能晚于{MAX_AHEAD_DAYS}天之后")
    return day


def parse_decision(body: Any, today: date) -> Decision:
    """A clerk's decision, checked field by field: shape first (validation_error), then dates."""
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    opinion = body.get("opinion")
    if opinion not in OPINIONS:
        raise validation_error({"opinion": "应为 approve、reject 或 return"}, "请选择审查意见：同意、不同意或退回补正")
    if opinion in EXPLAINED_OPINIONS:
        explanation = clean_explanation(body.get("explanation"), required=True)
        return Decision(opinion, None, explanation)
    mode = body.get("mode")
    if mode not in MODES:
        raise validation_error({"mode": "同意时必须选择 online 或 onsite"}, "请选择阅卷方式：在线阅卷或现场阅卷")
    given = clean_explanation(body.get("explanation"), required=False)
    if mode == "online":
        raw = body.get("valid_until")
        if raw is None or raw == "":
            valid_until = today + timedelta(days=DEFAULT_ONLINE_DAYS)
        else:
            valid_until = _within_reach(parse_day(raw, "valid_until"), "valid_until", today)
        return Decision(
            opinion,
            mode,
            given or APPROVE_ONLINE_TEXT,
            valid_until=valid_until,
            documents=parse_documents(body.get("documents")),
            print_allowed=parse_print(body.get("print")),
        )
    missing = {f: "现场阅卷必须填写" for f in ("start_date", "end_date") if body.get(f) in (None, "")}
    if missing:
        raise validation_error(missing, "请填写现场阅卷的起始时间和截止时间")
    start = _within_reach(parse_day(body["start_date"], "start_date"), "start_date", today)
    end = _within_reach(parse_day(body["end_date"], "end_date"), "end_date", today)
    if start > end:
        raise _invalid_date("end_date", "截止时间不能早于起始时间")
    return Decision(opinion, mode, given or onsite_explanation(start, end), start_date=start, end_date=end)


MAX_GRANTED_DOCUMENTS = 1000


def parse_documents(value: Any) -> tuple[int, ...] | None:
    """``documents``: absent or null for the whole 正卷; else the ids of chosen documents,
    at least one (which ones exist is the dossier's to say: :func:`check_grantable`)."""
    if value is None:
        return None
    if not isinstance(value, list) or not 0 < len(value) <= MAX_GRANTED_DOCUMENTS:
        raise validation_error({"documents": "应为文件编号的列表（至少一份）"}, "请至少选择一份可查阅的卷宗文件")
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in value):
        raise validation_error({"documents": "文件编号应为正整数"}, "卷宗文件编号不正确")
    return tuple(dict.fromkeys(value))


def parse_print(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, bool):
        raise validation_error({"print": "应为 true 或 false"}, "请选择是否允许打印")
    return value


def check_grantable(documents: tuple[int, ...], grantable: list[dict]) -> list[dict]:
    """Only 正卷 documents of the case can be granted; returns them ({id, title}) in the
    dossier's order."""
    known = {d["id"]: d for d in grantable}
    unknown = [d for d in documents if d not in known]
    if unknown:
        listed = "、".join(str(d) for d in unknown[:10])
        raise validation_error({"documents": f"不是本案正卷的文件：{listed}"}, "所选文件不属于本案正卷，请重新选择")
    chosen = set(documents)
    return [{"id": d["id"], "title": d["title"]} for d in grantable if d["id"] in chosen]


def grant_description(documents: list[dict] | None, print_allowed: bool) -> str:
    """What the reader is told the grant covers (部分卷宗：起诉状、答辩状；仅限在线查看)."""
    scope = "全部正卷" if documents is None else "部分卷宗：" + "、".join(d["title"] for d in documents)
    return scope + ("" if print_allowed else "；仅限在线查看，不可打印")


@dataclass(frozen=True)
class Attendance:
    """是否到场, 借阅时间, 还卷时间."""

    attended: bool
    borrowed_at: datetime | None
    returned_at: datetime | None


def parse_instant(value: Any, field: str) -> datetime | None:
    """ISO 8601 with or without offset (a bare time is the court's), or the manual's
    ``2022-05-18 00:07:00``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise _invalid_date(field, "时间格式应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _invalid_date(field, "时间格式应为 YYYY-MM-DD HH:MM:SS 或 ISO 8601") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=clock.COURT_TZ)
    return parsed


def parse_attendance(
    body: Any, now: datetime, start_date: date | None = None, end_date: date | None = None
) -> Attendance:
    """Without a window (no on-site arrangement) only the record's own sense is checked."""
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    attended = body.get("attended")
    if not isinstance(attended, bool):
        raise validation_error({"attended": "应为 true 或 false"}, "请选择是否到场")
    # "now": the court's clock at recording, for the day list's 借阅 / 还卷 buttons (the
    # archive room's PC may not keep the court's time)
    borrowed, returned = (
        now if body.get(f) == "now" else parse_instant(body.get(f), f) for f in ("borrowed_at", "returned_at")
    )
    if not attended:
        fields = {f: "未到场时不应填写" for f, v in (("borrowed_at", borrowed), ("returned_at", returned)) if v}
        if fields:
            raise validation_error(fields, "未到场时不应填写借阅时间或还卷时间")
        return Attendance(False, None, None)
    for field, value in (("borrowed_at", borrowed), ("returned_at", returned)):
        if value is not None and value > now:
            raise _invalid_date(field, "不能晚于当前时间")
    if returned is not None and borrowed is None:
        raise _invalid_date("borrowed_at", "填写还卷时间前需先填写借阅时间")
    if borrowed is not None and start_date and end_date:
        day = borrowed.astimezone(clock.COURT_TZ).date()
        if not start_date <= day <= end_date:
            raise _invalid_date("borrowed_at", "借阅时间应在现场阅卷的起始时间与截止时间之间")
    if returned is not None and borrowed is not None and returned < borrowed:
        raise _invalid_date("returned_at", "还卷时间不能早于借阅时间")
    return Attendance(True, borrowed, returned)


def decision_notice(
    opinion: str | None, mode: str | None, case_no: str, explanation: str, reading: Mapping[str, Any]
) -> tuple[str, str]:
    """Title and body of the message (站内信) an applicant gets for a decision."""
    if opinion == "approve" and mode == "online":
        titles = reading.get("document_titles")
        reach = grant_description(
            [{"title": t} for t in titles] if isinstance(titles, list) else None, reading.get("print") is not False
        )
        return (
            "阅卷申请已通过",
            f"您申请查阅{case_no}卷宗的申请已审查通过，阅卷方式：在线阅卷，阅卷范围：{reach}，"
            f"有效截止日期{reading['valid_until']}，逾期需重新申请。审查意见说明：{explanation}",
        )
    if opinion == "approve":
        return (
            "阅卷申请已通过（现场阅卷）",
            f"您申请查阅{case_no}卷宗的申请已审查通过，阅卷方式：现场阅卷，"
            f"请于{reading['start_date']}至{reading['end_date']}到院阅卷。审查意见说明：{explanation}"
            + (f" 温馨提示：{reading['notice']}" if reading.get("notice") else ""),
        )
    if opinion == "reject":
        return "阅卷申请未通过", f"您申请查阅{case_no}卷宗的申请未通过审查。审查意见说明：{explanation}"
    return (
        "阅卷申请被退回补正",
        f"您申请查阅{case_no}卷宗的申请被退回补正，请按审查意见补正后重新申请。审查意见说明：{explanation}",
    )


def attendance_notice(case_no: str, attended: bool | None, returned: bool) -> tuple[str, str, str] | None:
    """The kind, title and body of the message an on-site reader gets when the archivist
    records their attendance: a no-show (未到场), or the file returned (还卷, reading done).
    Other records (到场, 借阅) say nothing: the reader is in the room."""
    if attended is False:
        return (
            "onsite_no_show",
            "现场阅卷未到场",
            f"您申请查阅{case_no}卷宗的现场阅卷已登记为未到场。如仍需阅卷，请重新申请。",
        )
    if attended and returned:
        return (
            "onsite_returned",
            "现场阅卷已完成",
            f"您查阅{case_no}卷宗的现场阅卷已完成，卷宗已归还档案室。",
        )
    return None


def reminder_notice(case_no: str, valid_until: str) -> tuple[str, str]:
    return (
        "在线阅卷即将到期",
        f"您查阅{case_no}卷宗的在线阅卷有效截止日期为{valid_until}，今日24时后将无法查看，逾期需重新申请。",
    )


def revocation_notice(case_no: str, reason: str) -> tuple[str, str]:
    """已终止: the reader's relation to the case ended, and their reading with it."""
    return (
        "阅卷申请已终止",
        f"您查阅{case_no}卷宗的申请已终止，阅卷权限随之终止（已复制的阅卷链接同时失效）。原因：{reason}。"
        "如您仍为本案当事人或代理律师，可重新申请阅卷。",
    )


def binding_notice(case_no: str, decision: str, explanation: str | None) -> tuple[str, str]:
    """案件绑定: the lawyer learns the clerk's decision (and may now apply, if approved)."""
    if decision == "approve":
        return (
            "案件绑定已通过",
            f"您申请绑定{case_no}的案件绑定申请已审查通过，现在可以申请阅卷。"
            + (f"说明：{explanation}" if explanation else ""),
        )
    return "案件绑定未通过", f"您申请绑定{case_no}的案件绑定申请未通过审查。说明：{explanation or '—'}"


def binding_revoked_notice(case_no: str, explanation: str | None) -> tuple[str, str]:
    return (
        "案件绑定已撤销",
        f"您与{case_no}的案件绑定已被审查人撤销，您在本案的阅卷随之终止。说明：{explanation or '—'}",
    )


@dataclass
class MonthFigures:
    """A month of a court's statistics (统计): applications received and withdrawn,
    decisions by outcome, and the mean time from application to decision."""

    received: int = 0
    withdrawn: int = 0
    online: int = 0
    onsite: int = 0
    rejected: int = 0
    returned: int = 0
    waited: timedelta = timedelta(0)

    @property
    def decisions(self) -> int:
        return self.online + self.onsite + self.rejected + self.returned

    def decided(self, opinion: str | None, mode: str | None, waited: timedelta) -> None:
        if opinion == "approve":
            if mode == "onsite":
                self.onsite += 1
            else:
                self.online += 1
        elif opinion == "reject":
            self.rejected += 1
        elif opinion == "return":
            self.returned += 1
        else:
            return
        self.waited += max(waited, timedelta(0))

    def as_row(self) -> list:
        hours = round(self.waited.total_seconds() / 3600 / self.decisions, 1) if self.decisions else ""
        return [
            self.received,
            self.online,
            self.onsite,
            self.rejected,
            self.returned,
            self.withdrawn,
            self.decisions,
            hours,
        ]

    @classmethod
    def total(cls, months) -> MonthFigures:
        whole = cls()
        for month in months:
            for name in ("received", "withdrawn", "online", "onsite", "rejected", "returned", "waited"):
                setattr(whole, name, getattr(whole, name) + getattr(month, name))
        return whole


# -- the reading room (阅卷室): slots, closed days, bookings (预约到场) -----------------------------
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_SLOTS = 12  # a day cut finer than hourly is a typo
MAX_CAPACITY = 500
MAX_LISTED_DATES = 400  # closed or open days listed: more than a year of them
ATTENDANCE_GRACE_DAYS = 7  # a no-show is marked after the fact, up to a week after the window


@dataclass(frozen=True)
class Slot:
    """One period of the room's day (时段), ``HH:MM`` to ``HH:MM``, and its seats (名额)."""

    start: str
    end: str
    capacity: int

    @property
    def label(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class Room:
    """A court's reading room: the same slots every open day; weekends are closed unless
    listed in ``open_dates`` (调休 working Saturdays); ``closed_dates`` close any day
    (holidays, a move)."""

    slots: tuple[Slot, ...]
    closed_dates: frozenset[date] = frozenset()
    open_dates: frozenset[date] = frozenset()

    def is_open(self, day: date) -> bool:
        if day in self.closed_dates:
            return False
        return day in self.open_dates or day.weekday() < 5

    def slot(self, start: str) -> Slot | None:
        return next((s for s in self.slots if s.start == start), None)


# A court whose archivist never set the room gets an archive's usual day (上午 09:00-12:00,
# 下午 14:00-17:00, five seats each, weekends closed) until they set their own.
DEFAULT_ROOM = Room(slots=(Slot("09:00", "12:00", 5), Slot("14:00", "17:00", 5)))


def _room_error(fields: dict[str, str]) -> DomainError:
    return validation_error(fields, "阅卷室设置有误：" + "；".join(f"{k} {v}" for k, v in list(fields.items())[:3]))


def _parse_dates(value: Any, field: str) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or len(value) > MAX_LISTED_DATES:
        raise _room_error({field: f"应为不超过{MAX_LISTED_DATES}个日期（YYYY-MM-DD）的列表"})
    days = set()
    for i, raw in enumerate(value):
        if not isinstance(raw, str) or not _DATE.match(raw):
            raise _room_error({f"{field}[{i}]": "日期格式应为 YYYY-MM-DD"})
        try:
            days.add(date.fromisoformat(raw))
        except ValueError:
            raise _room_error({f"{field}[{i}]": "日期不存在"}) from None
    return frozenset(days)


def _parse_slot(raw: Any, i: int) -> Slot:
    where = f"slots[{i}]"
    if not isinstance(raw, dict):
        raise _room_error({where: "应为 {start, end, capacity}"})
    times = {}
    for part in ("start", "end"):
        value = raw.get(part)
        if not isinstance(value, str) or not _TIME.match(value):
            raise _room_error({f"{where}.{part}": "时间格式应为 HH:MM（00:00-23:59）"})
        times[part] = value
    if times["start"] >= times["end"]:
        raise _room_error({f"{where}.end": "结束时间应晚于开始时间"})
    capacity = raw.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        raise _room_error({f"{where}.capacity": f"名额应为1至{MAX_CAPACITY}的整数"})
    return Slot(times["start"], times["end"], capacity)


def parse_room(body: Any) -> Room:
    """The archivist's 阅卷室设置, checked hard: 1 to 12 slots of HH:MM that do not overlap,
    1 to 500 seats each, real dates, no day both closed and open."""
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    raw_slots = body.get("slots")
    if not isinstance(raw_slots, list) or not 1 <= len(raw_slots) <= MAX_SLOTS:
        raise _room_error({"slots": f"应为1至{MAX_SLOTS}个时段的列表"})
    slots = sorted((_parse_slot(raw, i) for i, raw in enumerate(raw_slots)), key=lambda s: s.start)
    for before, after in zip(slots, slots[1:], strict=False):
        if after.start < before.end:
            raise _room_error({"slots": f"时段 {before.label} 与 {after.label} 重叠"})
    closed = _parse_dates(body.get("closed_dates"), "closed_dates")
    opened = _parse_dates(body.get("open_dates"), "open_dates")
    both = sorted(closed & opened)
    if both:
        raise _room_error({"open_dates": f"{both[0].isoformat()} 同时列为闭馆日和开放日"})
    return Room(tuple(slots), closed, opened)


def room_shape(room: Room) -> dict[str, Any]:
    """The configuration as the API shows it (and as review stores it, JSON)."""
    return {
        "slots": [{"start": s.start, "end": s.end, "capacity": s.capacity} for s in room.slots],
        "closed_dates": sorted(d.isoformat() for d in room.closed_dates),
        "open_dates": sorted(d.isoformat() for d in room.open_dates),
    }


def room_from_shape(shape: dict[str, Any]) -> Room:
    """Back from what :func:`room_shape` stored (already checked when it was set)."""
    return Room(
        tuple(Slot(s["start"], s["end"], int(s["capacity"])) for s in shape["slots"]),
        frozenset(date.fromisoformat(d) for d in shape.get("closed_dates") or ()),
        frozenset(date.fromisoformat(d) for d in shape.get("open_dates") or ()),
    )


def _slot_ended(day: date, slot: Slot, now: datetime) -> bool:
    """A slot of today whose end has passed can no longer be booked (its start may have:
    a reader may still come at 10:00 for 09:00-12:00)."""
    local = now.astimezone(clock.COURT_TZ)
    return day < local.date() or (day == local.date() and local.strftime("%H:%M") >= slot.end)


def open_slots(
    room: Room, start_date: date, end_date: date, now: datetime, taken: dict[tuple[date, str], int]
) -> list[dict[str, Any]]:
    """The slots a reader may book within the window (起始时间-截止时间) from now on, each
    with its free seats (``free`` 0: full, shown so the reader sees why it cannot be had)."""
    items = []
    day = max(start_date, now.astimezone(clock.COURT_TZ).date())
    while day <= end_date:
        if room.is_open(day):
            for slot in room.slots:
                if not _slot_ended(day, slot, now):
                    free = max(0, slot.capacity - taken.get((day, slot.start), 0))
                    items.append({"date": day.isoformat(), "start": slot.start, "end": slot.end, "free": free})
        day += timedelta(days=1)
    return items


def parse_booking(body: Any, room: Room, start_date: date, end_date: date, now: datetime) -> tuple[date, Slot]:
    """A reader's choice of day and slot: the shape (validation_error), then the day
    (invalid_date: in the past, outside the window, a closed day, a slot already over).
    Whether a seat is free is the store's to say (slot_full)."""
    if not isinstance(body, dict):
        raise validation_error({"body": "应为对象"})
    start = body.get("start")
    if not isinstance(start, str) or not _TIME.match(start):
        raise validation_error({"start": "时间格式应为 HH:MM"}, "请选择预约时段")
    day = parse_day(body.get("date"), "date")
    slot = room.slot(start)
    if slot is None:
        raise validation_error({"start": "阅卷室没有该时段"}, "阅卷室没有该时段，请从可预约时段中选择")
    if day < now.astimezone(clock.COURT_TZ).date():
        raise _invalid_date("date", "不能早于今天")
    if not start_date <= day <= end_date:
        raise DomainError(
            "invalid_date",
            f"不在阅卷期限内：请在{start_date.isoformat()}至{end_date.isoformat()}之间预约",
            {"fields": {"date": "不在阅卷期限内"}},
        )
    if not room.is_open(day):
        raise DomainError("invalid_date", "该日为闭馆日，请选择其他日期", {"fields": {"date": "闭馆日"}})
    if _slot_ended(day, slot, now):
        raise _invalid_date("start", "该时段已结束")
    return day, slot


def check_attendance_window(end_date: date | None, today: date) -> None:
    """是否到场 can be recorded until a week after the window ends (a no-show is marked
    after the fact), and not later."""
    if end_date is not None and today > end_date + timedelta(days=ATTENDANCE_GRACE_DAYS):
        raise DomainError(
            "invalid_state",
            f"现场阅卷截止时间已过{ATTENDANCE_GRACE_DAYS}天，不能再登记到场情况",
        )


def reminder_day(booked_day: date) -> date:
    """The day a reader is reminded of their slot: the day before it (前一天提醒)."""
    return booked_day - timedelta(days=1)


def slot_words(day: date | str, start: str, end: str) -> str:
    """``2026-05-08 上午 09:00-12:00``: a slot as the reader reads it."""
    part = "上午" if start < "12:00" else "下午" if start < "18:00" else "晚上"
    return f"{day if isinstance(day, str) else day.isoformat()} {part} {start}-{end}"


def booking_notice(case_no: str, slot: str, notice: str | None) -> tuple[str, str]:
    return (
        "现场阅卷已预约",
        f"您已预约于{slot}到院现场查阅{case_no}卷宗，请按时到场并带齐相关证明材料。"
        + (f" 温馨提示：{notice}" if notice else ""),
    )


def booking_reminder_notice(case_no: str, slot: str) -> tuple[str, str]:
    return (
        "现场阅卷提醒",
        f"您预约的现场阅卷时间为{slot}（明天），请按时到院查阅{case_no}卷宗。如不能到场，可在申请详情中更改预约。",
    )
