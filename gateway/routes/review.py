"""Review, on-site reading, the reading room and messages (API.md "Review (审查) and on-site
reading", "On-site reading room (additions)", "Messages (站内信)")."""

from __future__ import annotations

from gateway.http import ADMIN, APPLICANTS, NO_CONTENT, STAFF, Context, get, post, put
from gateway.routes.applications import _application_id
from services.common.infra.shapes import Booking, PageQuery
from services.review import schemas


class ReviewRoutes:
    @get("/api/v1/staff/applications", roles=STAFF, query=schemas.QueueQuery, answer=schemas.QueuePage)
    def staff_applications(self, ctx: Context):
        """审查队列：本院的阅卷申请，最早提交的在前（?status=&mode=&case_no=&applicant=&limit=&cursor=）

        200: {items: [application + applicant.role, waited_seconds], next_cursor}
        400: bad_request (limit or cursor)
        422: validation_error (status, mode, applicant), invalid_case_no
        """
        return ctx.call("review", "staff_queue", actor=ctx.actor, **ctx.query())

    @get("/api/v1/staff/applications/counts", roles=STAFF, query=schemas.CountsQuery, answer=schemas.Counts)
    def staff_counts(self, ctx: Context):
        """审查队列各状态的申请数量（本院，?mode=）

        200: {counts: {pending, approved, rejected, returned, withdrawn, expired, revoked}}
        422: validation_error (mode)
        """
        return ctx.call("review", "staff_counts", actor=ctx.actor, **ctx.query())

    @get("/api/v1/staff/applications/<int:id>", roles=STAFF, answer=schemas.QueueItem)
    def staff_application(self, ctx: Context, id: int):
        """审查队列中的一件阅卷申请（本院）：队列中的一行，并列出审查人现在可作出的审查决定及默认说明

        200: application + decisions, waited_seconds, materials[].url
        404: not_found
        """
        return ctx.call("review", "staff_application", actor=ctx.actor, application_id=str(id))

    @post(
        "/api/v1/staff/applications/<id>/decision",
        roles=("clerk",),
        request=schemas.Decision,
        answer=schemas.StaffApplication,
        idempotent=True,
    )
    def decide(self, ctx: Context, id: str):
        """审查决定：同意（在线/现场）、不同意、退回补正

        200: application
        404: not_found
        409: invalid_state, no_electronic_dossier
        422: validation_error, invalid_date, idempotency_key_reused
        """
        return ctx.command("review", "decide", application_id=id)

    @post(
        "/api/v1/staff/applications/<id>/attendance",
        roles=("archivist",),
        request=schemas.Attendance,
        answer=schemas.StaffApplication,
        idempotent=True,
    )
    def attendance(self, ctx: Context, id: str):
        """现场阅卷登记：是否到场、借阅时间、还卷时间（时间可写 "now"：以法院时钟为准）；截止时间后7天内仍可登记
        （含未到场）

        200: application
        404: not_found
        409: invalid_state
        422: validation_error, invalid_date, idempotency_key_reused
        """
        return ctx.command("review", "record_attendance", application_id=id)

    # -- the reading room (阅卷室) ------------------------------------------------------------------
    @get(
        "/api/v1/staff/reading-room", roles=("archivist", "admin"), query=schemas.RoomQuery, answer=schemas.ReadingRoom
    )
    def reading_room(self, ctx: Context):
        """阅卷室设置：时段、名额、闭馆日与开放日（档案室：本院；管理员：?court= 指定法院）。从未设置的法院为默认值：
        09:00-12:00、14:00-17:00，各5个名额，周末闭馆（configured: false）

        200: {court, slots: [{start, end, capacity}], closed_dates, open_dates, configured}
        403: forbidden (another role, or an archivist naming another court)
        422: validation_error (an admin without court)
        """
        return ctx.call("review", "reading_room", actor=ctx.actor, **ctx.query())

    @put(
        "/api/v1/staff/reading-room",
        roles=("archivist", "admin"),
        request=schemas.RoomSettings,
        query=schemas.RoomQuery,
        answer=schemas.ReadingRoom,
        idempotent=True,
    )
    def configure_reading_room(self, ctx: Context):
        """设置阅卷室：{slots: [{start: HH:MM, end: HH:MM, capacity: 1-500}]（1-12个不重叠的时段）, closed_dates?:
        [YYYY-MM-DD], open_dates?: [YYYY-MM-DD]}；周末闭馆，除非列入 open_dates。管理员以请求体的 court（或 ?court=）
        指定法院；可带 Idempotency-Key

        200: {court, slots, closed_dates, open_dates, configured: true}
        403: forbidden
        422: validation_error (details.fields names the wrong part), idempotency_key_reused
        """
        return ctx.command("review", "configure_reading_room", **ctx.query())

    @get(
        "/api/v1/staff/reading-room/bookings",
        roles=("archivist",),
        query=schemas.BookingsQuery,
        answer=schemas.DayBookings,
    )
    def room_bookings(self, ctx: Context):
        """阅卷室当日预约（?date=YYYY-MM-DD，默认今天，北京时间），按时段排列，含是否到场、借阅时间、还卷时间

        200: {date, open, slots: [{start, end, capacity, taken}], items: [{application_id, applicant: {name, role},
            case_no, date, start, end, attended, borrowed_at, returned_at, status}], next_cursor: null}
        422: invalid_date
        """
        return ctx.call("review", "room_bookings", actor=ctx.actor, **ctx.query())

    @get("/api/v1/applications/<application_id>/onsite-slots", roles=APPLICANTS, answer=schemas.OnsiteSlots)
    def onsite_slots(self, ctx: Context, application_id: str):
        """预约阅卷时间：现场阅卷期限内今天起可预约的时段及剩余名额（free 为0即已满），与当前预约

        200: {items: [{date, start, end, free}], booking: null | {date, start, end}}
        403: not_approved (not an approved on-site reading)
        404: not_found
        """
        return ctx.call("review", "onsite_slots", actor=ctx.actor, application_id=_application_id(application_id))

    @post(
        "/api/v1/applications/<application_id>/onsite-booking",
        roles=APPLICANTS,
        request=schemas.BookingRequest,
        answer=Booking,
        idempotent=True,
    )
    def book_onsite(self, ctx: Context, application_id: str):
        """预约到场时间 {date, start}；新的预约替换原预约；可带 Idempotency-Key

        201: {date, start, end}
        403: not_approved
        404: not_found
        409: slot_full
        422: invalid_date (in the past, outside the window, a closed day, a slot already over), validation_error,
            idempotency_key_reused
        """
        return 201, ctx.command("review", "book_onsite", application_id=_application_id(application_id))

    @get("/api/v1/messages", query=PageQuery, answer=schemas.InboxPage)
    def messages(self, ctx: Context):
        """站内信：本人的通知，最新的在前

        200: {items: [{id, at, title, body, application_id, read}], next_cursor}
        """
        return ctx.call("review", "messages", actor=ctx.actor, **ctx.query())

    @post("/api/v1/messages/<id>/read", answer=NO_CONTENT)
    def read_message(self, ctx: Context, id: str):
        """标记站内信为已读

        204:
        404: not_found
        """
        ctx.call("review", "mark_read", actor=ctx.actor, message_id=id)
        return 204, None

    # -- the work calendar (法定节假日, 调休上班日): the review's limits count working days ------------
    @get("/api/v1/admin/holidays/<year>", roles=ADMIN, answer=schemas.WorkCalendar)
    def calendar_year(self, ctx: Context, year: str):
        """工作日历：某年的法定节假日与调休上班日（未上传的年份按周一至周五计）

        200: {year, holidays: [YYYY-MM-DD], workdays: [YYYY-MM-DD], uploaded}
        422: validation_error
        """
        return ctx.call("review", "calendar_year", actor=ctx.actor, year=year)

    @put("/api/v1/admin/holidays/<year>", roles=ADMIN, request=schemas.CalendarUpload, answer=schemas.WorkCalendar)
    def set_calendar_year(self, ctx: Context, year: str):
        """上传某年的工作日历：{holidays: [YYYY-MM-DD], workdays: [YYYY-MM-DD]}（workdays 为调休上班的周末），整年替换

        200: {year, holidays, workdays, uploaded: true}
        422: validation_error
        """
        return ctx.command("review", "set_calendar_year", year=year)
