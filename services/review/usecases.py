"""What the review service does, step by step as the court's procedure goes. Functions take
the service's unit of work (``repository.unit_of_work``, or the unit tests' in-memory one)
and collaborators explicitly (case directory, SMS provider, fault point), so tests can
call them without a broker."""

from __future__ import annotations

import json
import logging
import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.common.court import case_numbers, clock, consistency, events, reading, text, verification
from services.common.infra import idempotency, ids, metrics, paging
from services.common.infra.actor import Actor
from services.common.infra.contact import phone_of
from services.common.infra.db import Conflict
from services.common.infra.errors import DomainError, not_found, validation_error
from services.common.infra.ids import ApplicationId
from services.common.infra.messaging import read_event
from services.common.infra.shapes import BookingJson
from services.common.testing.faults import NO_FAULT, Fault
from services.review import calendar, domain, schemas
from services.review.dependencies import SmsProvider, onsite_notice
from services.review.models import EndedApplication, ReadingRoom, ReviewedApplication, RoomBooking, WorkCalendarYear
from services.review.repository import QueueFilter, ReviewRepository, ReviewWork

log = logging.getLogger("review")

STAFF_ROLES = ("clerk", "archivist")  # 审查人, 档案室
KEYS = operator.attrgetter("idempotency_keys")  # where each repository keeps Idempotency-Keys


# -- the queue, fed by applications' events -----------------------------------------------------
def receive_submitted(uow: ReviewWork, payload: dict) -> bool:
    """``applications.application_submitted``: the application joins its court's queue.
    Returns False for a redelivery or a payload that cannot be read (logged, dropped)."""
    row = read_event("application_submitted", payload, _replica_from)
    if row is None:
        return False
    with uow.transaction() as review:
        review.take_turns("application", row.id)  # with an end of it heard at the same moment
        if not review.first_delivery(str(payload.get("event_id") or f"submitted:{row.id}")):
            return False
        if review.application(row.id) is not None:
            return False
        ended = review.ended(row.id)
        if ended is not None:  # its withdrawal or revocation came first: it never queues
            row.status = ended.status
            if ended.status == "revoked":
                row.revoked_at, row.revoked_reason = ended.at, ended.reason
        review.add_application(row)
    return True


def _replica_from(payload: events.ApplicationSubmitted) -> ReviewedApplication:
    applicant = payload["applicant"]
    applied_at = clock.as_aware(datetime.fromisoformat(str(payload["applied_at"]).replace("Z", "+00:00")))
    materials = [_material(m) for m in payload.get("materials") or []]
    app_id: ApplicationId = payload["application_id"]  # read_event's form
    phone = phone_of(applicant)
    previous = payload.get("reapplied_from")
    prior = ids.application_id(previous) if previous is not None else None
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
        reapplied_from=prior if prior and len(prior) <= ids.APPLICATION_ID_MAX else None,
    )


def _material(m: Mapping[str, Any]) -> dict:
    """A material as the application object shows it (shapes.MaterialRef); an event of
    before content_type and size names only the first three."""
    ref = {"id": str(m["id"]), "kind": str(m["kind"]), "filename": str(m["filename"])}
    if isinstance(m.get("content_type"), str):
        ref["content_type"] = m["content_type"][:100]
    if isinstance(m.get("size"), int) and not isinstance(m.get("size"), bool):
        ref["size"] = m["size"]
    return ref


def receive_withdrawn(uow: ReviewWork, payload: dict) -> bool:
    """``applications.application_withdrawn``: leaves the queue for good; heard before the
    submission, it is remembered, so the submission never queues."""
    app_id = read_event("application_withdrawn", payload, lambda p: p["application_id"])
    if app_id is None:
        return False
    with uow.transaction() as review:
        review.take_turns("application", app_id)
        if not review.first_delivery(str(payload.get("event_id") or f"withdrawn:{app_id}")):
            return False
        # Applications lets a reader withdraw only while it has heard no decision, so a
        # decision review took meanwhile is void: the withdrawal stands.
        return _end(review, app_id, "withdrawn", ("pending", "approved", "rejected", "returned"))


def receive_revoked(uow: ReviewWork, sms: SmsProvider, payload: dict) -> bool:
    """``applications.application_revoked`` (已终止): the reader's relation to the case
    ended. A pending one leaves the queue and can no longer be decided; the reader is told
    once, in the inbox and by text."""
    facts = read_event(
        "application_revoked", payload, lambda p: (p["application_id"], int(p["applicant_id"]), str(p["case_no"]))
    )
    if facts is None:
        return False
    app_id, user_id, case_no = facts
    reason = str(payload.get("reason") or "您与本案的关系已终止")[:500]
    title, body = domain.revocation_notice(case_no, reason)
    with uow.transaction() as review:
        review.take_turns("application", app_id)
        if not review.first_delivery(str(payload.get("event_id") or f"revoked:{app_id}")):
            return False
        _end(review, app_id, "revoked", ("pending", "approved"), reason)
        created = review.add_message(user_id=user_id, application_id=app_id, kind="revoked", title=title, body=body)
        phone = review.applicant_phone(app_id)
    if created:
        _text(sms, phone, "application_revoked", case_no)
    return True


def _end(
    review: ReviewRepository,
    app_id: ApplicationId,
    status: str,
    from_statuses: tuple[str, ...],
    reason: str | None = None,
) -> bool:
    """Move a known application to a final status, or remember the end for one not yet
    heard of (the first end heard wins)."""
    values: dict[str, Any] = {"status": status}
    if status == "revoked":
        values.update(revoked_at=clock.utcnow(), revoked_reason=reason)
    if review.end_if(app_id, from_statuses, values):
        return True
    if review.application(app_id) is None and review.ended(app_id) is None:
        review.remember_end(EndedApplication(application_id=app_id, status=status, reason=reason, at=clock.utcnow()))
        return True
    return False


# -- staff reads -------------------------------------------------------------------------------
def _require_staff(actor: Actor, roles: tuple[str, ...] = STAFF_ROLES) -> str:
    if not isinstance(actor, dict) or actor.get("role") not in roles:
        raise DomainError("forbidden", "您无权执行此操作")
    court = actor.get("court")
    if not court:
        raise DomainError("forbidden", "您的账号未设置所属法院")
    return court


def _named(review: ReviewRepository, raw: Any) -> ReviewedApplication | None:
    """The application a caller's ``application_id`` names, or None (none, too long, unknown)."""
    key = ids.application_id(raw) if raw is not None else ApplicationId("")
    return review.application(key) if 0 < len(key) <= ids.APPLICATION_ID_MAX else None


def _own_court_row(review: ReviewRepository, actor_court: str, raw: Any) -> ReviewedApplication:
    """Another court's application answers exactly like a missing one."""
    row = _named(review, raw)
    if row is None or row.court != actor_court:
        raise not_found("阅卷申请不存在")
    return row


def staff_counts(uow: ReviewWork, actor: Actor, mode: Any = None) -> dict:
    """How many of the court's applications are in each status, counted (not a page's
    length): the console's tabs."""
    court = _require_staff(actor)
    if mode not in (None, "", *domain.MODES):
        raise validation_error({"mode": "应为 online 或 onsite"})
    today = clock.now().date()
    with uow.read() as review:
        counts = {status: review.count_of_court(court, status, today, mode or None) for status in domain.STATUSES}
    return {"counts": counts}


def queue_filter(*, status: Any = None, mode: Any = None, case_no: Any = None, applicant: Any = None) -> QueueFilter:
    """The console's filters (the queue and its exports), checked: a status as people see
    it, a mode, a whole case number (either bracket), a part of the applicant's name."""
    if status not in (None, "", *domain.STATUSES):
        raise validation_error({"status": "应为 " + "、".join(domain.STATUSES)})
    if mode not in (None, "", *domain.MODES):
        raise validation_error({"mode": "应为 online 或 onsite"})
    number = name = None
    if case_no not in (None, ""):
        number = case_numbers.canonical(case_no)
    if applicant not in (None, ""):
        if not isinstance(applicant, str) or len(applicant) > 50:
            raise validation_error({"applicant": "应为不超过50个字符的姓名"})
        name = applicant.strip()
    return QueueFilter(status=status or None, mode=mode or None, case_no=number, applicant=name)


def staff_queue(
    uow: ReviewWork,
    actor: Actor,
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
    chosen = queue_filter(status=status, mode=mode, case_no=case_no, applicant=applicant)
    after = paging.position_after(cursor)
    with uow.read() as review:
        rows = review.court_applications(court, now.date(), chosen, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    states = verification.states_of(verifications, [r.applicant_id for r in rows]) if verifications else {}
    with uow.read() as review:
        booked = review.bookings_of([r.id for r in rows if r.mode == "onsite"])
    days = work_calendar(uow) if any(r.status == "pending" for r in rows) else None
    items = []
    for row in rows:
        item = schemas.queue_item(row, now, booked.get(row.id), actor.get("role"))
        if row.applicant_id in states:
            item["applicant"]["verification"] = states[row.applicant_id]
        # the review's limit counts working days (an addition to API.md's queue item)
        waiting = days is not None and row.status == "pending"
        since = _court_day(row.applied_at)
        item["waited_working_days"] = (
            days.working_days_after(since, now.date()) if waiting and days is not None else None
        )
        items.append(item)
    last = rows[-1] if more else None
    return {
        "items": items,
        "next_cursor": paging.position_cursor(clock.as_aware(last.applied_at), last.id) if last else None,
    }


def staff_application(
    uow: ReviewWork, actor: Actor, application_id: Any, verifications: verification.Accounts | None = None
) -> schemas.QueueItemJson:
    """One application of the actor's court as a queue line shows it, with the decisions the
    actor may take on it now; another court's answers like a missing one."""
    court = _require_staff(actor)
    now = clock.now()
    with uow.read() as review:
        row = _own_court_row(review, court, application_id)
        item = schemas.queue_item(row, now, review.booking(row.id), actor.get("role"))
    waiting = row.status == "pending"
    days = work_calendar(uow) if waiting else None
    item["waited_working_days"] = days.working_days_after(_court_day(row.applied_at), now.date()) if days else None
    state = verification.states_of(verifications, [row.applicant_id]).get(row.applicant_id) if verifications else None
    if state is not None:
        item["applicant"]["verification"] = state
    return item


# -- decisions ---------------------------------------------------------------------------------
def decide(
    uow: ReviewWork,
    actor: Actor,
    application_id: Any,
    body: Any,
    case_summary: Callable[[str], dict],
    idempotency_key: str | None = None,
    fault: Fault = NO_FAULT,
    grantable_documents: Callable[[Actor, str], list[dict]] | None = None,
) -> schemas.StaffApplicationJson:
    """A clerk's decision (审查). Checks in the contract's order: role, the application,
    the input, then the state; only a pending application can be decided, and of two
    clerks deciding at once exactly one wins (a conditional update)."""
    court = _require_staff(actor, ("clerk",))
    with uow.read() as review:
        row = _own_court_row(review, court, application_id)
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint("decide", row.id, body)
    found = idempotency.recall(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash)
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

    def effect(review: ReviewRepository) -> schemas.StaffApplicationJson:
        decided = review.decide_pending(row.id, values)  # of two clerks at once, one wins
        if decided is None:
            raise _LostRace()
        review.announce("application_decided", schemas.decided_event(decided))
        fault("decision_before_commit")
        return schemas.application(decided, now, role=actor.get("role"))

    try:
        answer = idempotency.once(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)
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
    uow: ReviewWork, actor: Actor, application_id: Any, body: Any, idempotency_key: str | None = None
) -> schemas.StaffApplicationJson:
    """The archivist records 是否到场, 借阅时间, 还卷时间 for an on-site approval; a retry
    with the same Idempotency-Key gives the first answer and records nothing more."""
    court = _require_staff(actor, ("archivist",))
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint("attendance", str(application_id), body)
    now = clock.now()

    def effect(review: ReviewRepository) -> schemas.StaffApplicationJson:
        row = _own_court_row(review, court, application_id)
        if row.status != "approved" or row.mode != "onsite":
            domain.parse_attendance(body, now)  # the input is judged before the state (422, then 409)
            raise DomainError("invalid_state", "只有同意现场阅卷的申请可以登记到场情况")
        attendance = domain.parse_attendance(body, now, row.start_date, row.end_date)
        # the window's end does not hide it: a no-show is marked up to a week later
        domain.check_attendance_window(row.end_date, now.date())
        row.attended = attendance.attended
        row.borrowed_at = attendance.borrowed_at
        row.returned_at = attendance.returned_at
        review.announce("attendance_recorded", schemas.attendance_event(row))
        return schemas.application(row, now, review.booking(row.id), actor.get("role"))

    return idempotency.once(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)


# -- messages (站内信) ----------------------------------------------------------------------------
def notify_decision(uow: ReviewWork, sms: SmsProvider, payload: dict) -> bool:
    """``review.application_decided`` → a message to the applicant, and a text message."""

    def read(p: events.ApplicationDecided) -> tuple:
        notice = domain.decision_notice(p["opinion"], p.get("mode"), p["case_no"], p.get("explanation") or "", p)
        return (p["application_id"], *notice, int(p["applicant_id"]))

    facts = read_event("application_decided", payload, read)
    if facts is None:
        return False
    app_id, title, body, user_id = facts
    with uow.transaction() as review:
        if not review.first_delivery(str(payload.get("event_id") or f"decided:{app_id}")):
            return False
        created = review.add_message(user_id=user_id, application_id=app_id, kind="decision", title=title, body=body)
        phone = review.applicant_phone(app_id)
    if created:
        _text(sms, phone, _decision_template(payload["opinion"], payload.get("mode")), payload["case_no"])
    return created


def notify_attendance(uow: ReviewWork, sms: SmsProvider, payload: dict) -> bool:
    """Its own ``review.attendance_recorded`` → the reader's message and text when they did
    not come or when the file is back (domain.attendance_notice), once per kind."""
    facts = read_event(
        "attendance_recorded",
        payload,
        lambda p: (p["application_id"], p.get("attended"), bool(p.get("returned_at"))),
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
    uow: ReviewWork,
    sms: SmsProvider,
    event_id: str,
    app_id: ApplicationId,
    notice: Callable[[ReviewedApplication], Notice | None],
) -> bool:
    """One of review's own events about an application → its reader's message and the
    text copy, once (the inbox, and the unique (application, kind) of messages)."""
    with uow.transaction() as review:
        if not review.first_delivery(event_id):
            return False
        row = review.application(app_id)
        told = notice(row) if row is not None else None
        if row is None or told is None:
            return False
        kind, title, body, template, params = told
        created = review.add_message(user_id=row.applicant_id, application_id=app_id, kind=kind, title=title, body=body)
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


def notify_binding(uow: ReviewWork, sms: SmsProvider, payload: dict, revoked: bool = False) -> bool:
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
    with uow.transaction() as review:
        if not review.first_delivery(str(payload.get("event_id") or kind)):
            return False
        created = review.add_message(user_id=user_id, application_id=None, kind=kind, title=title, body=body)
    if created:
        _text(sms, payload.get("lawyer_phone"), template, case_no)
    return created


def send_expiry_reminders(uow: ReviewWork, sms: SmsProvider, limit: int = 500) -> int:
    """The sweep: a reminder during the last day of every online approval. Safe in every
    replica at once: the unique (application, kind) lets only one insert win."""
    now = clock.now()
    sent = 0
    with uow.read() as review:
        due = review.due_expiry_reminders(now, limit)
    for reader in due:
        assert reader.valid_until is not None  # an online approval's reminder
        title, body = domain.reminder_notice(reader.case_no, reader.valid_until.isoformat())
        with uow.transaction() as review:
            created = review.add_message(
                user_id=reader.user_id,
                application_id=reader.application_id,
                kind="expiry_reminder",
                title=title,
                body=body,
            )
        if created:
            sent += 1
            _text(sms, reader.phone, "expiry_reminder", reader.case_no)
    return sent


def _text(sms: SmsProvider, phone: str | None, template: str, case_no: str, **more: str) -> None:
    """The text-message copy of a 站内信: a template of ``services.common.infra.sms`` with the
    case number (and ``more`` parameters: a booked slot). The service's ``Sms`` never
    raises; other providers are guarded here."""
    if not phone:
        return  # the applicant's number did not come with the application: inbox only
    try:
        sms.send(phone, template, {"case_no": case_no, **more})
    except Exception as exc:  # a text is a courtesy; the inbox message is the record
        log.warning("sms provider failed: %s", type(exc).__name__)


def list_messages(uow: ReviewWork, actor: Actor, limit: int = 20, cursor: Any = None) -> dict:
    user_id = actor.get("id") if isinstance(actor, dict) else None
    limit = max(1, min(100, int(limit)))
    before = None
    if cursor:
        if not re.fullmatch(r"[0-9]{1,18}", str(cursor)):  # ASCII: str.isdigit takes "²"
            raise DomainError("bad_request", "参数 cursor 无效")
        before = int(cursor)
    with uow.read() as review:
        rows = review.messages_of(user_id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [schemas.message(r) for r in rows], "next_cursor": str(rows[-1].id) if more else None}


def mark_read(uow: ReviewWork, actor: Actor, message_id: Any) -> None:
    """Someone else's message answers exactly like a missing one."""
    key = str(message_id)
    if not re.fullmatch(r"[0-9]{1,18}", key):
        raise not_found("消息不存在")
    with uow.transaction() as review:
        row = review.message(int(key))
        if row is None or row.user_id != actor.get("id"):
            raise not_found("消息不存在")
        if row.read_at is None:
            row.read_at = clock.utcnow()


def queue_by_court(uow: ReviewWork) -> tuple[list[tuple[str, int, float | None]], dict[str, int]]:
    """(court, pending, age in seconds of the oldest pending) for the operators' dashboard,
    and how many working days the oldest of each court has waited (the review's limit)."""
    with uow.read() as review:
        rows = review.pending_by_court()
    days, today = work_calendar(uow), clock.today()
    working = {court: days.working_days_after(_court_day(oldest), today) for court, _, oldest in rows if oldest}
    return metrics.queue_ages(rows), working


def _court_day(instant: datetime) -> date:
    return clock.as_aware(instant).astimezone(clock.COURT_TZ).date()


# -- what the services must agree on (services.common.court.consistency) --------------------------
def consistency_facts(uow: ReviewWork, ids: list[ApplicationId]) -> dict[ApplicationId, dict]:
    """Review's copy of these applications: status, decision, grant, attendance."""
    keys = [str(i) for i in ids][:2000]  # an earlier caller's numbers read alike
    with uow.read() as review:
        rows = review.by_ids(keys)
        ended = review.ended_among(keys)
        booked = review.bookings_of(keys)
    facts = {
        r.id: {
            "id": r.id,
            "status": r.status,
            **consistency.grant_facts(r),
            "booking": consistency.booking_fact(schemas.booked(booked.get(r.id))),
        }
        for r in rows
    }
    for end in ended:  # heard of only by its end: that is all review can say
        facts.setdefault(end.application_id, {"id": end.application_id, "status": end.status})
    return facts


# -- the reading room (阅卷室) ------------------------------------------------------------------
ROOM_ROLES = ("archivist", "admin")
APPLICANT_ROLES = ("party", "lawyer")


def _room_court(actor: Actor, court: Any) -> str:
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


def _room_of(review: ReviewRepository, court: str) -> domain.Room:
    stored = review.reading_room(court)
    return domain.room_from_shape(json.loads(stored.config)) if stored is not None else domain.DEFAULT_ROOM


def reading_room(uow: ReviewWork, actor: Actor, court: Any = None) -> dict:
    """阅卷室设置 as stored, or the default for a court that never set it (``configured``
    false)."""
    court = _room_court(actor, court)
    with uow.read() as review:
        configured = review.reading_room(court) is not None
        room = _room_of(review, court)
    return {"court": court, **domain.room_shape(room), "configured": configured}


def configure_reading_room(
    uow: ReviewWork, actor: Actor, body: Any, court: Any = None, idempotency_key: str | None = None
) -> dict:
    """The archivist (or an admin) sets the room: slots, seats, closed and open days. Seats
    already booked stay booked when the capacity shrinks; new bookings see the new room."""
    if isinstance(body, dict) and court in (None, ""):
        court = body.get("court")
    court = _room_court(actor, court)
    key = idempotency.check_key(idempotency_key)
    room = domain.parse_room(body)
    shape = domain.room_shape(room)

    def effect(review: ReviewRepository) -> dict:
        stored = review.reading_room(court)
        first = stored is None
        if stored is None:
            stored = ReadingRoom(court=court)
        stored.config = json.dumps(shape, ensure_ascii=False)
        stored.updated_at, stored.updated_by = clock.utcnow(), actor.get("id")
        if first:
            review.add_reading_room(stored)
        return {"court": court, **shape, "configured": True}

    request_hash = idempotency.fingerprint("reading_room", court, shape)
    try:
        return idempotency.once(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)
    except Conflict:  # two first settings at once: the later one is the room
        return idempotency.once(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)


def _own_onsite(review: ReviewRepository, actor: Actor, raw: Any, now: datetime) -> ReviewedApplication:
    """The caller's own on-site approval: another's (or none) is not found; any other of
    theirs (pending, online, expired, ended...) is ``not_approved``."""
    if not isinstance(actor, dict) or actor.get("role") not in APPLICANT_ROLES:
        raise DomainError("forbidden", "仅申请人本人可以预约现场阅卷")
    row = _named(review, raw)
    if row is None or row.applicant_id != actor.get("id"):
        raise not_found("阅卷申请不存在")
    status = reading.effective_status(row.status, reading.arrangement(row), now)
    if status != "approved" or row.mode != "onsite" or row.start_date is None or row.end_date is None:
        raise DomainError("not_approved", "该申请不是已同意的现场阅卷，无需预约阅卷时间")
    return row


def onsite_slots(uow: ReviewWork, actor: Actor, application_id: Any) -> dict:
    """预约到场时间: the open slots of the reader's window from now on, with free seats."""
    now = clock.now()
    with uow.read() as review:
        row = _own_onsite(review, actor, application_id, now)
        assert row.start_date is not None and row.end_date is not None  # _own_onsite checked
        room = _room_of(review, row.court)
        # a revoked reader's seat is free again: only approved applications' bookings count
        taken = review.seats_taken(row.court, max(row.start_date, now.date()), row.end_date)
        current = review.booking(row.id)
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
    uow: ReviewWork, actor: Actor, application_id: Any, body: Any, idempotency_key: str | None = None
) -> BookingJson:
    """The reader books a slot (预约到场); a new booking replaces the old. Of two readers
    taking the last seat at once exactly one wins: the slot is locked (PostgreSQL) and the
    transaction's first statement is the booking's own write (SQLite's single writer), so
    the count of seats that follows sees every committed booking and the ones in flight
    wait."""
    now = clock.now()
    with uow.read() as review:
        row = _own_onsite(review, actor, application_id, now)
        assert row.start_date is not None and row.end_date is not None  # _own_onsite checked
        room = _room_of(review, row.court)
    day, slot = domain.parse_booking(body, room, row.start_date, row.end_date, now)
    key = idempotency.check_key(idempotency_key)
    request_hash = idempotency.fingerprint("onsite_booking", row.id, {"date": day.isoformat(), "start": slot.start})

    def effect(review: ReviewRepository) -> BookingJson | None:
        review.take_turns("application", row.id)
        review.take_turns("room", row.court, day.isoformat(), slot.start)
        booking = review.booking(row.id)
        if booking is not None and (booking.day, booking.start) == (day, slot.start):
            return schemas.booked(booking)  # the slot already held: nothing changes, nothing is sent
        if booking is None:
            booking = RoomBooking(application_id=row.id, court=row.court, version=0)
        booking.day, booking.start, booking.end = day, slot.start, slot.end
        booking.version += 1
        booking.booked_at = clock.utcnow()
        review.hold_booking(booking)  # the write first: see the docstring
        taken = review.seats_taken(row.court, day, day).get((day, slot.start), 0)
        current = review.application(row.id, fresh=True)
        if taken > slot.capacity:
            raise _SlotFull()
        if current is None or current.status != "approved":  # revoked meanwhile
            raise DomainError("not_approved", "该申请不是已同意的现场阅卷，无需预约阅卷时间")
        review.announce("onsite_booked", schemas.booking_event(current, booking))
        return schemas.booked(booking)

    try:
        return idempotency.once(uow, KEYS, user_id=actor["id"], key=key, request_hash=request_hash, effect=effect)
    except _SlotFull:
        raise DomainError("slot_full", "该时段名额已满，请选择其他时段") from None


def room_bookings(uow: ReviewWork, actor: Actor, day: Any = None) -> dict:
    """The archivist's day list (今日到场, any day): that day's bookings of the court by
    slot, each with what was recorded; expired approvals (a no-show not yet marked) stay on
    it, revoked or withdrawn ones leave it."""
    court = _require_staff(actor, ("archivist",))
    now = clock.now()
    the_day = now.date() if day in (None, "") else domain.parse_day(day, "date")
    with uow.read() as review:
        rows = review.bookings_on(court, the_day)
        room = _room_of(review, court)
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


def notify_booking(uow: ReviewWork, sms: SmsProvider, payload: dict) -> bool:
    """Its own ``review.onsite_booked`` → the reader's message and text, once per booking
    (the kind names the booking's version: a rebooking is told again)."""
    facts = read_event(
        "onsite_booked",
        payload,
        lambda p: (
            p["application_id"],
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


def send_booking_reminders(uow: ReviewWork, sms: SmsProvider, limit: int = 500) -> int:
    """The sweep: the day before a booked slot, a reminder (站内信 and text) to its reader,
    once per booking however often the sweep runs and in however many replicas (the unique
    (application, kind) lets one insert win; the kind names the booking's version, so a
    rebooked slot has its own reminder)."""
    tomorrow = clock.now().date() + timedelta(days=1)
    with uow.read() as review:
        due = review.due_booking_reminders(tomorrow, limit)
    sent = 0
    for reader in due:
        assert reader.day is not None and reader.start is not None and reader.end is not None  # a booking's reminder
        slot = domain.slot_words(reader.day, reader.start, reader.end)
        title, body = domain.booking_reminder_notice(reader.case_no, slot)
        with uow.transaction() as review:
            created = review.add_message(
                user_id=reader.user_id,
                application_id=reader.application_id,
                kind=f"onsite_reminder:{reader.version}",
                title=title,
                body=body,
            )
        if created:
            sent += 1
            _text(sms, reader.phone, "onsite_reminder", reader.case_no, slot=slot)
    return sent


# -- the work calendar (法定节假日, 调休): working-day time limits ------------------------------
def work_calendar(uow: ReviewWork) -> calendar.WorkCalendar:
    """Every uploaded year together (a few dozen dates each)."""
    with uow.read() as review:
        years = review.calendar_years()
    return calendar.WorkCalendar.of_years(
        (
            [date.fromisoformat(d) for d in json.loads(y.holidays)],
            [date.fromisoformat(d) for d in json.loads(y.workdays)],
        )
        for y in years
    )


def calendar_year(uow: ReviewWork, actor: Actor, year: Any) -> dict:
    _require_admin(actor)
    number, _, _ = calendar.parse_year(year, {})
    with uow.read() as review:
        row = review.calendar_year(number)
    if row is None:  # never uploaded: Monday to Friday
        return {"year": number, "holidays": [], "workdays": [], "uploaded": False}
    return {
        "year": number,
        "holidays": json.loads(row.holidays),
        "workdays": json.loads(row.workdays),
        "uploaded": True,
    }


def set_calendar_year(uow: ReviewWork, actor: Actor, year: Any, body: Any) -> dict:
    """An admin uploads a year's holidays and 调休 working days; the upload replaces it."""
    _require_admin(actor)
    number, holidays, workdays = calendar.parse_year(year, body)
    with uow.transaction() as review:
        row = review.calendar_year(number) or WorkCalendarYear(year=number)
        row.holidays = json.dumps([d.isoformat() for d in holidays])
        row.workdays = json.dumps([d.isoformat() for d in workdays])
        row.updated_at, row.updated_by = clock.utcnow(), actor.get("id")
        review.save_calendar_year(row)
    return calendar_year(uow, actor, number)


def _require_admin(actor: Any) -> None:
    if not isinstance(actor, dict) or actor.get("role") != "admin":
        raise DomainError("forbidden", "您无权执行此操作")
