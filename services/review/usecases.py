"""What the review service does. Functions take the unit of work and collaborators
explicitly (case directory, SMS provider, fault point), so tests can call them without a
broker."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common import case_numbers, clock, consistency, idempotency, metrics, paging, reading, text, verification
from services.common.db import UnitOfWork, serialise
from services.common.errors import DomainError, not_found, validation_error
from services.common.messaging import first_delivery, read_event, record_event
from services.review import calendar, domain, schemas
from services.review.dependencies import SmsProvider, onsite_notice
from services.review.models import (
    EndedApplication,
    IdempotencyKey,
    Inbox,
    Message,
    Outbox,
    ReadingRoom,
    ReviewedApplication,
    RoomBooking,
    WorkCalendarYear,
)

log = logging.getLogger("review")

STAFF_ROLES = ("clerk", "archivist")  # 审查人, 档案室
MAX_ID = 64
NO_FAULT: Callable[[str], None] = lambda _name: None  # noqa: E731


# -- the queue, fed by applications' events -----------------------------------------------------
def receive_submitted(uow: UnitOfWork, payload: dict) -> bool:
    """``applications.application_submitted``: the application joins its court's queue.
    Returns False for a redelivery or a payload that cannot be read (logged, dropped)."""
    row = read_event("application_submitted", payload, _replica_from)
    if row is None:
        return False
    with uow.transaction() as session:
        serialise(session, "application", row.id)  # with an end of it heard at the same moment
        if not first_delivery(session, Inbox, str(payload.get("event_id") or f"submitted:{row.id}")):
            return False
        if session.get(ReviewedApplication, row.id) is not None:
            return False
        ended = session.get(EndedApplication, row.id)
        if ended is not None:  # its withdrawal or revocation came first: it never queues
            row.status = ended.status
            if ended.status == "revoked":
                row.revoked_at, row.revoked_reason = ended.at, ended.reason
        session.add(row)
    return True


def _replica_from(payload: dict) -> ReviewedApplication:
    applicant = payload["applicant"]
    applied_at = clock.as_aware(datetime.fromisoformat(str(payload["applied_at"]).replace("Z", "+00:00")))
    materials = [
        {"id": m["id"], "kind": str(m["kind"]), "filename": str(m["filename"])} for m in payload.get("materials") or []
    ]
    app_id = str(payload["application_id"])
    if not app_id or len(app_id) > MAX_ID:
        raise ValueError("application id")
    phone = applicant.get("phone")
    return ReviewedApplication(
        id=app_id,
        applicant_id=int(applicant["id"]),
        applicant_name=str(applicant["name"])[:50],
        applicant_role=str(applicant.get("role") or "party")[:16],
        applicant_phone=str(phone)[:20] if phone else None,
        applicant_relation=text.clip(applicant.get("relation"), 32),
        applicant_license_no=text.clip(applicant.get("license_no"), 32),
        applicant_law_firm=text.clip(applicant.get("law_firm"), 100),
        acts_for=text.clip(applicant.get("acts_for"), 100),
        case_no=str(payload["case_no"])[:64],
        court=str(payload["court"])[:100],
        scope=str(payload.get("scope") or ""),
        reason=str(payload.get("reason") or ""),
        materials=json.dumps(materials, ensure_ascii=False),
        applied_at=applied_at,
        received_at=clock.utcnow(),
        status="pending",
    )


def receive_withdrawn(uow: UnitOfWork, payload: dict) -> bool:
    """``applications.application_withdrawn``: leaves the queue for good; heard before the
    submission, it is remembered, so the submission never queues."""
    app_id = str(payload.get("application_id") or "")
    if not 0 < len(app_id) <= MAX_ID:
        log.error("application_withdrawn without an application id; dropped (event %s)", payload.get("event_id"))
        return False
    with uow.transaction() as session:
        serialise(session, "application", app_id)
        if not first_delivery(session, Inbox, str(payload.get("event_id") or f"withdrawn:{app_id}")):
            return False
        # Applications lets a reader withdraw only while it has heard no decision, so a
        # decision review took meanwhile is void: the withdrawal stands.
        return _end(session, app_id, "withdrawn", ("pending", "approved", "rejected", "returned"))


def receive_revoked(uow: UnitOfWork, sms: SmsProvider, payload: dict) -> bool:
    """``applications.application_revoked`` (已终止): the reader's relation to the case
    ended. A pending one leaves the queue and can no longer be decided; the reader is told
    once, in the inbox and by text."""
    app_id = str(payload.get("application_id") or "")
    facts = read_event("application_revoked", payload, lambda p: (int(p["applicant_id"]), str(p["case_no"])))
    if facts is None:
        return False
    user_id, case_no = facts
    if not 0 < len(app_id) <= MAX_ID:
        return False
    reason = str(payload.get("reason") or "您与本案的关系已终止")[:500]
    title, body = domain.revocation_notice(case_no, reason)
    with uow.transaction() as session:
        serialise(session, "application", app_id)
        if not first_delivery(session, Inbox, str(payload.get("event_id") or f"revoked:{app_id}")):
            return False
        _end(session, app_id, "revoked", ("pending", "approved"), reason)
        created = _add_message(session, user_id=user_id, application_id=app_id, kind="revoked", title=title, body=body)
        phone = session.scalar(select(ReviewedApplication.applicant_phone).where(ReviewedApplication.id == app_id))
    if created:
        _text(sms, phone, "application_revoked", case_no)
    return True


def _end(session: Session, app_id: str, status: str, from_statuses: tuple[str, ...], reason: str | None = None) -> bool:
    """Move a known application to a final status, or remember the end for one not yet
    heard of (the first end heard wins)."""
    values: dict[str, Any] = {"status": status}
    if status == "revoked":
        values.update(revoked_at=clock.utcnow(), revoked_reason=reason)
    result = session.execute(
        update(ReviewedApplication)
        .where(ReviewedApplication.id == app_id, ReviewedApplication.status.in_(from_statuses))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return True
    if session.get(ReviewedApplication, app_id) is None and session.get(EndedApplication, app_id) is None:
        session.add(EndedApplication(application_id=app_id, status=status, reason=reason, at=clock.utcnow()))
        return True
    return False


# -- staff reads -------------------------------------------------------------------------------
def _require_staff(actor: dict, roles: tuple[str, ...] = STAFF_ROLES) -> str:
    if not isinstance(actor, dict) or actor.get("role") not in roles:
        raise DomainError("forbidden", "您无权执行此操作")
    court = actor.get("court")
    if not court:
        raise DomainError("forbidden", "您的账号未设置所属法院")
    return court


def _own_court_row(session: Session, actor_court: str, application_id: Any) -> ReviewedApplication:
    """Another court's application answers exactly like a missing one."""
    key = str(application_id) if application_id is not None else ""
    row = session.get(ReviewedApplication, key) if 0 < len(key) <= MAX_ID else None
    if row is None or row.court != actor_court:
        raise not_found("阅卷申请不存在")
    return row


def _search(case_no: Any, applicant: Any) -> list[Any]:
    """The console's search: a whole case number (either bracket), a part of a name."""
    A = ReviewedApplication
    found = []
    if case_no not in (None, ""):
        found.append(A.case_no == case_numbers.canonical(case_no))
    if applicant not in (None, ""):
        if not isinstance(applicant, str) or len(applicant) > 50:
            raise validation_error({"applicant": "应为不超过50个字符的姓名"})
        found.append(A.applicant_name.contains(applicant.strip(), autoescape=True))
    return found


def staff_counts(uow: UnitOfWork, actor: dict, mode: Any = None) -> dict:
    """How many of the court's applications are in each status, counted (not a page's
    length): the console's tabs."""
    court = _require_staff(actor)
    if mode not in (None, "", *domain.MODES):
        raise validation_error({"mode": "应为 online 或 onsite"})
    today = clock.now().date()
    A = ReviewedApplication
    with uow.read() as session:
        counts = {}
        for status in domain.STATUSES:
            query = select(func.count()).select_from(A).where(A.court == court, reading.status_sql(A, status, today))
            if mode:
                query = query.where(A.mode == mode)
            counts[status] = session.scalar(query) or 0
    return {"counts": counts}


def court_applications(
    court: str, today: date, *, status: Any = None, mode: Any = None, case_no: Any = None, applicant: Any = None
) -> Select:
    """The court's applications the console's filters choose (the queue and its exports):
    a status as people see it, a mode, a case number, a part of the applicant's name."""
    if status not in (None, "", *domain.STATUSES):
        raise validation_error({"status": "应为 " + "、".join(domain.STATUSES)})
    if mode not in (None, "", *domain.MODES):
        raise validation_error({"mode": "应为 online 或 onsite"})
    A = ReviewedApplication
    query = select(A).where(A.court == court, *_search(case_no, applicant))
    if status:
        query = query.where(reading.status_sql(ReviewedApplication, status, today))
    if mode:
        query = query.where(A.mode == mode)
    return query


def staff_queue(
    uow: UnitOfWork,
    actor: dict,
    status: str | None = None,
    mode: str | None = None,
    limit: int = 20,
    cursor=None,
    verifications: verification.Accounts | None = None,
    case_no: Any = None,
    applicant: Any = None,
) -> dict:
    """The court's applications, oldest first (the longest wait at the top), each with how
    its applicant was verified (实名认证) when ``verifications`` can tell; found by status,
    mode, case number and a part of the applicant's name."""
    court = _require_staff(actor)
    limit = max(1, min(100, int(limit)))
    now = clock.now()
    A = ReviewedApplication
    query = court_applications(court, now.date(), status=status, mode=mode, case_no=case_no, applicant=applicant)
    after = paging.after_position(A.applied_at, A.id, cursor)
    if after is not None:
        query = query.where(after)
    with uow.read() as session:
        rows = session.scalars(query.order_by(A.applied_at, A.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    states = verification.states_of(verifications, [r.applicant_id for r in rows]) if verifications else {}
    booked = _bookings_of(uow, [r.id for r in rows if r.mode == "onsite"])
    days = work_calendar(uow) if any(r.status == "pending" for r in rows) else None
    items = []
    for row in rows:
        item = schemas.queue_item(row, now, booked.get(row.id))
        if row.applicant_id in states:
            item["applicant"]["verification"] = states[row.applicant_id]
        # the review's limit counts working days (an addition to API.md's queue item)
        waiting = days is not None and row.status == "pending"
        since = _court_day(row.applied_at)
        item["waited_working_days"] = days.working_days_after(since, now.date()) if waiting else None
        items.append(item)
    last = rows[-1] if more else None
    return {
        "items": items,
        "next_cursor": paging.position_cursor(clock.as_aware(last.applied_at), last.id) if last else None,
    }


# -- decisions ---------------------------------------------------------------------------------
def decide(
    uow: UnitOfWork,
    actor: dict,
    application_id: Any,
    body: Any,
    case_summary: Callable[[str], dict],
    idempotency_key: str | None = None,
    fault: Callable[[str], None] = NO_FAULT,
    grantable_documents: Callable[[dict, str], list[dict]] | None = None,
) -> dict:
    """A clerk's decision (审查). Checks in the contract's order: role, the application,
    the input, then the state; only a pending application can be decided, and of two
    clerks deciding at once exactly one wins (a conditional update)."""
    court = _require_staff(actor, ("clerk",))
    with uow.read() as session:
        row = _own_court_row(session, court, application_id)
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint("decide", row.id, body)
    found = idempotency.recall(uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash)
    if found is not None:
        return found
    now = clock.now()
    decision = domain.parse_decision(body, now.date())
    if row.status != "pending":
        raise DomainError("invalid_state", _NOT_PENDING)
    granted = None
    if decision.opinion == "approve" and decision.mode == "online":
        _require_electronic_dossier(case_summary, row.case_no)
        if decision.documents is not None:
            if grantable_documents is None:
                raise DomainError("service_unavailable", "电子卷宗暂时无法查询，请稍后再试")
            granted = domain.check_grantable(decision.documents, grantable_documents(actor, row.case_no))
    values = {
        "status": decision.status,
        "opinion": decision.opinion,
        "mode": decision.mode,
        "explanation": decision.explanation,
        "reviewer": str(actor.get("name") or "")[:50],
        "reviewer_id": actor.get("id"),
        "reviewed_at": now.astimezone(UTC),
        "valid_until": decision.valid_until,
        "granted_documents": json.dumps(granted, ensure_ascii=False) if granted is not None else None,
        "print_allowed": decision.print_allowed if decision.mode == "online" else None,
        "start_date": decision.start_date,
        "end_date": decision.end_date,
        "notice": onsite_notice(row.court) if decision.mode == "onsite" else None,
    }

    def effect(session: Session) -> dict:
        # The first statement of the transaction is the write, so SQLite waits for the
        # lock instead of failing a stale snapshot; PostgreSQL re-checks the WHERE after
        # the other clerk's commit. Either way the loser updates nothing.
        result = session.execute(
            update(ReviewedApplication)
            .where(ReviewedApplication.id == row.id, ReviewedApplication.status == "pending")
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise _LostRace()
        decided = session.get(ReviewedApplication, row.id, populate_existing=True)
        record_event(session, Outbox, "application_decided", schemas.decided_event(decided))
        fault("decision_before_commit")
        return schemas.application(decided, now)

    try:
        answer = idempotency.once(
            uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect
        )
    except _LostRace:
        raise DomainError("invalid_state", _NOT_PENDING) from None
    metrics.decision_made(row.court, decision.opinion, (now - clock.as_aware(row.applied_at)).total_seconds())
    fault("decision_after_commit")
    return answer


_NOT_PENDING = "该申请已不是待审查状态，不能再作审查决定"


class _LostRace(DomainError):
    """Another clerk decided first: raised inside the transaction so it rolls back, and
    turned into a plain DomainError before it leaves (only that class crosses the wire)."""

    def __init__(self) -> None:
        super().__init__("invalid_state", _NOT_PENDING)


def _require_electronic_dossier(case_summary: Callable[[str], dict], case_no: str) -> None:
    """因未扫描电子卷, 需到库申请纸质卷: without an electronic dossier only on site."""
    try:
        summary = case_summary(case_no)
    except DomainError as exc:
        if exc.code != "not_found":
            raise
        summary = {"has_electronic_dossier": False}
    if not summary.get("has_electronic_dossier"):
        raise DomainError(
            "no_electronic_dossier",
            f"{domain.NO_ELECTRONIC_DOSSIER_TEXT}：该案件没有电子卷宗，只能同意现场阅卷",
        )


# -- attendance (现场阅卷登记) --------------------------------------------------------------------
def record_attendance(
    uow: UnitOfWork, actor: dict, application_id: Any, body: Any, idempotency_key: str | None = None
) -> dict:
    """The archivist records 是否到场, 借阅时间, 还卷时间 for an on-site approval; a retry
    with the same Idempotency-Key gives the first answer and records nothing more."""
    court = _require_staff(actor, ("archivist",))
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint("attendance", str(application_id), body)
    now = clock.now()

    def effect(session: Session) -> dict:
        row = _own_court_row(session, court, application_id)
        if row.status != "approved" or row.mode != "onsite":
            domain.parse_attendance(body, now)  # the input is judged before the state (422, then 409)
            raise DomainError("invalid_state", "只有同意现场阅卷的申请可以登记到场情况")
        attendance = domain.parse_attendance(body, now, row.start_date, row.end_date)
        # the window's end does not hide it: a no-show is marked up to a week later
        domain.check_attendance_window(row.end_date, now.date())
        row.attended = attendance.attended
        row.borrowed_at = attendance.borrowed_at
        row.returned_at = attendance.returned_at
        session.flush()
        record_event(session, Outbox, "attendance_recorded", schemas.attendance_event(row))
        return schemas.application(row, now, session.get(RoomBooking, row.id))

    return idempotency.once(uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)


# -- messages (站内信) ----------------------------------------------------------------------------
def _add_message(session: Session, **fields: Any) -> bool:
    """Insert one message unless its (application, kind) exists: a second sender, by a
    redelivery or another replica's sweep, is a no-op."""
    try:
        with session.begin_nested():
            session.add(Message(created_at=clock.utcnow(), **fields))
            session.flush()
    except IntegrityError:
        return False
    return True


def notify_decision(uow: UnitOfWork, sms: SmsProvider, payload: dict) -> bool:
    """``review.application_decided`` → a message to the applicant, and a text message."""
    app_id = str(payload.get("application_id") or "")

    def read(p: dict) -> tuple:
        notice = domain.decision_notice(p["opinion"], p.get("mode"), p["case_no"], p.get("explanation") or "", p)
        return (*notice, int(p["applicant_id"]))

    facts = read_event("application_decided", payload, read)
    if facts is None:
        return False
    title, body, user_id = facts
    with uow.transaction() as session:
        if not first_delivery(session, Inbox, str(payload.get("event_id") or f"decided:{app_id}")):
            return False
        created = _add_message(session, user_id=user_id, application_id=app_id, kind="decision", title=title, body=body)
        phone = session.scalar(select(ReviewedApplication.applicant_phone).where(ReviewedApplication.id == app_id))
    if created:
        _text(sms, phone, _decision_template(payload["opinion"], payload.get("mode")), payload["case_no"])
    return created


def notify_attendance(uow: UnitOfWork, sms: SmsProvider, payload: dict) -> bool:
    """Its own ``review.attendance_recorded`` → the reader's message and text when they did
    not come or when the file is back (domain.attendance_notice), once per kind."""
    facts = read_event(
        "attendance_recorded",
        payload,
        lambda p: (str(p["application_id"]), p.get("attended"), bool(p.get("returned_at"))),
    )
    if facts is None:
        return False
    app_id, attended, returned = facts
    return _tell_reader(
        uow,
        sms,
        str(payload.get("event_id") or f"attendance:{app_id}"),
        app_id,
        lambda row: _notice_texted_as_kind(domain.attendance_notice(row.case_no, attended, returned)),
    )


Notice = tuple[str, str, str, str, dict]  # kind, title, body, SMS template, its parameters beside the case


def _notice_texted_as_kind(notice: tuple[str, str, str] | None) -> Notice | None:
    """An attendance notice's text is the template named as its kind, with the case only."""
    return None if notice is None else (*notice, notice[0], {})


def _tell_reader(
    uow: UnitOfWork,
    sms: SmsProvider,
    event_id: str,
    app_id: str,
    notice: Callable[[ReviewedApplication], Notice | None],
) -> bool:
    """One of review's own events about an application → its reader's message and the
    text copy, once (the inbox, and the unique (application, kind) of messages)."""
    with uow.transaction() as session:
        if not first_delivery(session, Inbox, event_id):
            return False
        row = session.get(ReviewedApplication, app_id)
        told = notice(row) if row is not None else None
        if told is None:
            return False
        kind, title, body, template, params = told
        created = _add_message(
            session, user_id=row.applicant_id, application_id=app_id, kind=kind, title=title, body=body
        )
        phone, case_no = row.applicant_phone, row.case_no
    if created:
        _text(sms, phone, template, case_no, **params)
    return created


def _decision_template(opinion: str, mode: str | None) -> str:
    """The text-message template of a decision, as :func:`domain.decision_notice` words
    its 站内信."""
    if opinion == "approve":
        return "application_approved" if mode == "online" else "application_approved_onsite"
    return "application_rejected" if opinion == "reject" else "application_returned"


def notify_binding(uow: UnitOfWork, sms: SmsProvider, payload: dict, revoked: bool = False) -> bool:
    """``case_binding.binding_decided`` / ``binding_revoked`` → the lawyer's 站内信 and a
    text, once (the inbox; the kind names the binding)."""

    def read(p: dict) -> tuple:
        case_no = str(p["case_no"])
        if revoked:
            notice, template = domain.binding_revoked_notice(case_no, p.get("explanation")), "binding_revoked"
        else:
            decision = str(p["decision"])
            notice = domain.binding_notice(case_no, decision, p.get("explanation"))
            template = "binding_approved" if decision == "approve" else "binding_rejected"
        return int(p["binding_id"]), int(p["lawyer_id"]), case_no, *notice, template

    facts = read_event("binding_revoked" if revoked else "binding_decided", payload, read)
    if facts is None:
        return False
    binding_id, user_id, case_no, title, body, template = facts
    kind = f"binding-{'revoked' if revoked else 'decided'}:{binding_id}"[:32]
    with uow.transaction() as session:
        if not first_delivery(session, Inbox, str(payload.get("event_id") or kind)):
            return False
        created = _add_message(session, user_id=user_id, application_id=None, kind=kind, title=title, body=body)
    if created:
        _text(sms, payload.get("lawyer_phone"), template, case_no)
    return created


def send_expiry_reminders(uow: UnitOfWork, sms: SmsProvider, limit: int = 500) -> int:
    """The sweep: a reminder during the last day of every online approval. Safe in every
    replica at once: the unique (application, kind) lets only one insert win."""
    now = clock.now()
    A = ReviewedApplication
    sent = 0
    with uow.read() as session:
        due = session.execute(
            select(A.id, A.applicant_id, A.case_no, A.valid_until, A.applicant_phone)
            .outerjoin(Message, and_(Message.application_id == A.id, Message.kind == "expiry_reminder"))
            .where(reading.reminder_due_sql(A, now), Message.id.is_(None))
            .limit(limit)
        ).all()
    for app_id, user_id, case_no, valid_until, phone in due:
        title, body = domain.reminder_notice(case_no, valid_until.isoformat())
        with uow.transaction() as session:
            created = _add_message(
                session, user_id=user_id, application_id=app_id, kind="expiry_reminder", title=title, body=body
            )
        if created:
            sent += 1
            _text(sms, phone, "expiry_reminder", case_no)
    return sent


def _text(sms: SmsProvider, phone: str | None, template: str, case_no: str, **more: str) -> None:
    """The text-message copy of a 站内信: a template of ``services.common.sms`` with the
    case number (and ``more`` parameters: a booked slot). The service's ``Sms`` never
    raises; other providers are guarded here."""
    if not phone:
        return  # the applicant's number did not come with the application: inbox only
    try:
        sms.send(phone, template, {"case_no": case_no, **more})
    except Exception as exc:  # a text is a courtesy; the inbox message is the record
        log.warning("sms provider failed: %s", type(exc).__name__)


def list_messages(uow: UnitOfWork, actor: dict, limit: int = 20, cursor: Any = None) -> dict:
    user_id = actor.get("id") if isinstance(actor, dict) else None
    limit = max(1, min(100, int(limit)))
    query = select(Message).where(Message.user_id == user_id)
    if cursor:
        if not re.fullmatch(r"[0-9]{1,18}", str(cursor)):  # ASCII: str.isdigit takes "²"
            raise DomainError("bad_request", "参数 cursor 无效")
        query = query.where(Message.id < int(cursor))
    with uow.read() as session:
        rows = session.scalars(query.order_by(Message.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [schemas.message(r) for r in rows], "next_cursor": str(rows[-1].id) if more else None}


def mark_read(uow: UnitOfWork, actor: dict, message_id: Any) -> None:
    """Someone else's message answers exactly like a missing one."""
    key = str(message_id)
    if not re.fullmatch(r"[0-9]{1,18}", key):
        raise not_found("消息不存在")
    with uow.transaction() as session:
        row = session.get(Message, int(key))
        if row is None or row.user_id != actor.get("id"):
            raise not_found("消息不存在")
        if row.read_at is None:
            row.read_at = clock.utcnow()


def queue_by_court(uow: UnitOfWork) -> tuple[list[tuple[str, int, float | None]], dict[str, int]]:
    """(court, pending, age in seconds of the oldest pending) for the operators' dashboard,
    and how many working days the oldest of each court has waited (the review's limit)."""
    with uow.read() as session:
        rows = session.execute(
            select(ReviewedApplication.court, func.count(), func.min(ReviewedApplication.applied_at))
            .where(ReviewedApplication.status == "pending")
            .group_by(ReviewedApplication.court)
        ).all()
    days, today = work_calendar(uow), clock.today()
    working = {court: days.working_days_after(_court_day(oldest), today) for court, _, oldest in rows if oldest}
    return metrics.queue_ages(rows), working


def _court_day(instant: datetime) -> date:
    return clock.as_aware(instant).astimezone(clock.COURT_TZ).date()


# -- what the services must agree on (services.common.consistency) --------------------------
def consistency_facts(uow: UnitOfWork, ids: list[int]) -> dict[int, dict]:
    """Review's copy of these applications: status, decision, grant, attendance."""
    keys = [str(i) for i in ids][:2000]
    with uow.read() as session:
        rows = session.scalars(select(ReviewedApplication).where(ReviewedApplication.id.in_(keys))).all()
        ended = session.scalars(select(EndedApplication).where(EndedApplication.application_id.in_(keys))).all()
    booked = _bookings_of(uow, keys)
    facts = {
        int(r.id): {
            "id": int(r.id),
            "status": r.status,
            **consistency.grant_facts(r),
            "booking": consistency.booking_fact(schemas.booked(booked.get(r.id))),
        }
        for r in rows
    }
    for end in ended:  # heard of only by its end: that is all review can say
        facts.setdefault(int(end.application_id), {"id": int(end.application_id), "status": end.status})
    return facts


# -- the reading room (阅卷室) ------------------------------------------------------------------
ROOM_ROLES = ("archivist", "admin")
APPLICANT_ROLES = ("party", "lawyer")


def _room_court(actor: dict, court: Any) -> str:
    """Whose room: an archivist's own court (naming another is refused); an admin, who has
    no court of their own, names it (``court``, as the admin routes do)."""
    if not isinstance(actor, dict) or actor.get("role") not in ROOM_ROLES:
        raise DomainError("forbidden", "您无权执行此操作")
    named = court.strip() if isinstance(court, str) else court
    if actor["role"] == "archivist":
        own = _require_staff(actor, ("archivist",))
        if named not in (None, "") and named != own:
            raise DomainError("forbidden", "只能设置本院的阅卷室")
        return own
    if not isinstance(named, str) or not 0 < len(named) <= 100:
        raise validation_error({"court": "请指定法院（不超过100个字符）"}, "请指定要设置阅卷室的法院")
    return named


def _room_of(session: Session, court: str) -> domain.Room:
    stored = session.get(ReadingRoom, court)
    return domain.room_from_shape(json.loads(stored.config)) if stored is not None else domain.DEFAULT_ROOM


def reading_room(uow: UnitOfWork, actor: dict, court: Any = None) -> dict:
    """阅卷室设置 as stored, or the default for a court that never set it (``configured``
    false)."""
    court = _room_court(actor, court)
    with uow.read() as session:
        configured = session.get(ReadingRoom, court) is not None
        room = _room_of(session, court)
    return {"court": court, **domain.room_shape(room), "configured": configured}


def configure_reading_room(
    uow: UnitOfWork, actor: dict, body: Any, court: Any = None, idempotency_key: str | None = None
) -> dict:
    """The archivist (or an admin) sets the room: slots, seats, closed and open days. Seats
    already booked stay booked when the capacity shrinks; new bookings see the new room."""
    if isinstance(body, dict) and court in (None, ""):
        court = body.get("court")
    court = _room_court(actor, court)
    key = idempotency.check_key(idempotency_key)
    room = domain.parse_room(body)
    shape = domain.room_shape(room)

    def effect(session: Session) -> dict:
        stored = session.get(ReadingRoom, court)
        if stored is None:
            stored = ReadingRoom(court=court)
            session.add(stored)
        stored.config = json.dumps(shape, ensure_ascii=False)
        stored.updated_at, stored.updated_by = clock.utcnow(), actor.get("id")
        return {"court": court, **shape, "configured": True}

    request_hash = idempotency.fingerprint("reading_room", court, shape)
    try:
        return idempotency.once(
            uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect
        )
    except IntegrityError:  # two first settings at once: the later one is the room
        return idempotency.once(
            uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect
        )


def _own_onsite(session: Session, actor: dict, application_id: Any, now: datetime) -> ReviewedApplication:
    """The caller's own on-site approval: another's (or none) is not found; any other of
    theirs (pending, online, expired, ended...) is ``not_approved``."""
    if not isinstance(actor, dict) or actor.get("role") not in APPLICANT_ROLES:
        raise DomainError("forbidden", "仅申请人本人可以预约现场阅卷")
    key = str(application_id) if application_id is not None else ""
    row = session.get(ReviewedApplication, key) if 0 < len(key) <= MAX_ID else None
    if row is None or row.applicant_id != actor.get("id"):
        raise not_found("阅卷申请不存在")
    status = reading.effective_status(row.status, reading.arrangement(row), now)
    if status != "approved" or row.mode != "onsite" or row.start_date is None or row.end_date is None:
        raise DomainError("not_approved", "该申请不是已同意的现场阅卷，无需预约阅卷时间")
    return row


def _taken(session: Session, court: str, first: date, last: date) -> dict[tuple[date, str], int]:
    """Seats taken per (day, slot) of a court between two days: bookings of applications
    still approved (a revoked reader's seat is free again)."""
    B, A = RoomBooking, ReviewedApplication
    rows = session.execute(
        select(B.day, B.start, func.count())
        .join(A, A.id == B.application_id)
        .where(B.court == court, B.day >= first, B.day <= last, A.status == "approved")
        .group_by(B.day, B.start)
    ).all()
    return {(day, start): count for day, start, count in rows}


def onsite_slots(uow: UnitOfWork, actor: dict, application_id: Any) -> dict:
    """预约到场时间: the open slots of the reader's window from now on, with free seats."""
    now = clock.now()
    with uow.read() as session:
        row = _own_onsite(session, actor, application_id, now)
        room = _room_of(session, row.court)
        taken = _taken(session, row.court, max(row.start_date, now.date()), row.end_date)
        current = session.get(RoomBooking, row.id)
    return {
        "items": domain.open_slots(room, row.start_date, row.end_date, now, taken),
        "booking": schemas.booked(current),
    }


class _SlotFull(DomainError):
    """Raised inside the transaction so the booking rolls back; turned into a plain
    DomainError before it leaves (only that class crosses the wire)."""

    def __init__(self) -> None:
        super().__init__("slot_full", "该时段名额已满，请选择其他时段")


def book_onsite(
    uow: UnitOfWork, actor: dict, application_id: Any, body: Any, idempotency_key: str | None = None
) -> dict:
    """The reader books a slot (预约到场); a new booking replaces the old. Of two readers
    taking the last seat at once exactly one wins: the slot is locked (PostgreSQL) and the
    transaction's first statement is the booking's own write (SQLite's single writer), so
    the count of seats that follows sees every committed booking and the ones in flight
    wait."""
    now = clock.now()
    with uow.read() as session:
        row = _own_onsite(session, actor, application_id, now)
        room = _room_of(session, row.court)
    day, slot = domain.parse_booking(body, room, row.start_date, row.end_date, now)
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint("onsite_booking", row.id, {"date": day.isoformat(), "start": slot.start})

    def effect(session: Session) -> dict:
        serialise(session, "application", row.id)
        serialise(session, "room", row.court, day.isoformat(), slot.start)
        booking = session.get(RoomBooking, row.id)
        if booking is not None and (booking.day, booking.start) == (day, slot.start):
            return schemas.booked(booking)  # the slot already held: nothing changes, nothing is sent
        if booking is None:
            booking = RoomBooking(application_id=row.id, court=row.court, version=0)
            session.add(booking)
        booking.day, booking.start, booking.end = day, slot.start, slot.end
        booking.version += 1
        booking.booked_at = clock.utcnow()
        session.flush()  # the write first: see the docstring
        taken = _taken(session, row.court, day, day).get((day, slot.start), 0)
        current = session.get(ReviewedApplication, row.id, populate_existing=True)
        if taken > slot.capacity:
            raise _SlotFull()
        if current is None or current.status != "approved":  # revoked meanwhile
            raise DomainError("not_approved", "该申请不是已同意的现场阅卷，无需预约阅卷时间")
        record_event(session, Outbox, "onsite_booked", schemas.booking_event(current, booking))
        return schemas.booked(booking)

    try:
        return idempotency.once(
            uow, IdempotencyKey, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect
        )
    except _SlotFull:
        raise DomainError("slot_full", "该时段名额已满，请选择其他时段") from None


def room_bookings(uow: UnitOfWork, actor: dict, day: Any = None) -> dict:
    """The archivist's day list (今日到场, any day): that day's bookings of the court by
    slot, each with what was recorded; expired approvals (a no-show not yet marked) stay on
    it, revoked or withdrawn ones leave it."""
    court = _require_staff(actor, ("archivist",))
    now = clock.now()
    the_day = now.date() if day in (None, "") else domain.parse_day(day, "date")
    B, A = RoomBooking, ReviewedApplication
    with uow.read() as session:
        rows = session.execute(
            select(A, B)
            .join(B, B.application_id == A.id)
            .where(B.court == court, B.day == the_day, A.status == "approved")
            .order_by(B.start, B.booked_at, B.application_id)
        ).all()
        room = _room_of(session, court)
    taken: dict[str, int] = {}
    for _, booking in rows:
        taken[booking.start] = taken.get(booking.start, 0) + 1
    return {
        "date": the_day.isoformat(),
        "open": room.is_open(the_day),
        "slots": [
            {"start": s.start, "end": s.end, "capacity": s.capacity, "taken": taken.get(s.start, 0)} for s in room.slots
        ],
        "items": [schemas.room_booking(app, booking, now) for app, booking in rows],
        "next_cursor": None,
    }


def _bookings_of(uow: UnitOfWork, ids: list[str]) -> dict[str, RoomBooking]:
    if not ids:
        return {}
    with uow.read() as session:
        rows = session.scalars(select(RoomBooking).where(RoomBooking.application_id.in_(ids)))
        return {b.application_id: b for b in rows}


def notify_booking(uow: UnitOfWork, sms: SmsProvider, payload: dict) -> bool:
    """Its own ``review.onsite_booked`` → the reader's message and text, once per booking
    (the kind names the booking's version: a rebooking is told again)."""
    facts = read_event(
        "onsite_booked",
        payload,
        lambda p: (
            str(p["application_id"]),
            int(p["version"]),
            domain.slot_words(str(p["date"]), str(p["start"]), str(p["end"])),
        ),
    )
    if facts is None:
        return False
    app_id, version, slot = facts

    def notice(row: ReviewedApplication) -> Notice:
        title, body = domain.booking_notice(row.case_no, slot, row.notice)
        return f"onsite_booked:{version}", title, body, "onsite_booked", {"slot": slot}

    return _tell_reader(uow, sms, str(payload.get("event_id") or f"booked:{app_id}:{version}"), app_id, notice)


def send_booking_reminders(uow: UnitOfWork, sms: SmsProvider, limit: int = 500) -> int:
    """The sweep: the day before a booked slot, a reminder (站内信 and text) to its reader,
    once per booking however often the sweep runs and in however many replicas (the unique
    (application, kind) lets one insert win; the kind names the booking's version, so a
    rebooked slot has its own reminder)."""
    tomorrow = clock.now().date() + timedelta(days=1)
    A, B = ReviewedApplication, RoomBooking
    kind = literal("onsite_reminder:") + cast(B.version, String)
    with uow.read() as session:
        due = session.execute(
            select(A.id, A.applicant_id, A.case_no, A.applicant_phone, B.day, B.start, B.end, B.version)
            .join(B, B.application_id == A.id)
            .outerjoin(Message, and_(Message.application_id == A.id, Message.kind == kind))
            .where(B.day == tomorrow, A.status == "approved", Message.id.is_(None))
            .limit(limit)
        ).all()
    sent = 0
    for app_id, user_id, case_no, phone, day, start, end, version in due:
        slot = domain.slot_words(day, start, end)
        title, body = domain.booking_reminder_notice(case_no, slot)
        with uow.transaction() as session:
            reminder = f"onsite_reminder:{version}"
            created = _add_message(
                session, user_id=user_id, application_id=app_id, kind=reminder, title=title, body=body
            )
        if created:
            sent += 1
            _text(sms, phone, "onsite_reminder", case_no, slot=slot)
    return sent


# -- the work calendar (法定节假日, 调休): working-day time limits ------------------------------
def work_calendar(uow: UnitOfWork) -> calendar.WorkCalendar:
    """Every uploaded year together (a few dozen dates each)."""
    with uow.read() as session:
        years = session.scalars(select(WorkCalendarYear)).all()
    return calendar.WorkCalendar.of_years(
        (
            [date.fromisoformat(d) for d in json.loads(y.holidays)],
            [date.fromisoformat(d) for d in json.loads(y.workdays)],
        )
        for y in years
    )


def calendar_year(uow: UnitOfWork, actor: dict, year: Any) -> dict:
    _require_admin(actor)
    number, _, _ = calendar.parse_year(year, {})
    with uow.read() as session:
        row = session.get(WorkCalendarYear, number)
    if row is None:  # never uploaded: Monday to Friday
        return {"year": number, "holidays": [], "workdays": [], "uploaded": False}
    return {
        "year": number,
        "holidays": json.loads(row.holidays),
        "workdays": json.loads(row.workdays),
        "uploaded": True,
    }


def set_calendar_year(uow: UnitOfWork, actor: dict, year: Any, body: Any) -> dict:
    """An admin uploads a year's holidays and 调休 working days; the upload replaces it."""
    _require_admin(actor)
    number, holidays, workdays = calendar.parse_year(year, body)
    with uow.transaction() as session:
        row = session.get(WorkCalendarYear, number) or WorkCalendarYear(year=number)
        row.holidays = json.dumps([d.isoformat() for d in holidays])
        row.workdays = json.dumps([d.isoformat() for d in workdays])
        row.updated_at, row.updated_by = clock.utcnow(), actor.get("id")
        session.add(row)
    return calendar_year(uow, actor, number)


def _require_admin(actor: Any) -> None:
    if not isinstance(actor, dict) or actor.get("role") != "admin":
        raise DomainError("forbidden", "您无权执行此操作")
