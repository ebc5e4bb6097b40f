"""What the applications service does, step by step as the court's procedure goes. Functions
take the service's unit of work (``repository.unit_of_work``, or the unit tests' in-memory
one) and, where they need case_binding, a ``relation`` function, so tests can call them
without a broker."""

from __future__ import annotations

import json
import logging
import operator
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from services.applications import domain, quota, repository, schemas
from services.applications.models import Application, IdempotencyKey, Inbox, Material, Outbox, RepresentationEnd
from services.applications.repository import ApplicationsRepository, ApplicationsWork
from services.common.court import clock, consistency, events, reading, text, verification
from services.common.court.verification import VERIFICATION_GRANT, require_verified
from services.common.infra import housekeeping, idempotency, paging, staging
from services.common.infra.actor import Actor
from services.common.infra.db import Conflict, RepositoryUnitOfWork
from services.common.infra.errors import DomainError, not_found, validation_error
from services.common.infra.ids import ApplicationId, application_row
from services.common.infra.messaging import read_event
from services.common.infra.shapes import ApplicationJson, MaterialRefJson

log = logging.getLogger(__name__)

Relation = Callable[[Actor, str], dict]  # case_binding.relation(actor, case_no)
MATERIAL_KEY_PREFIX = "materials/"
KEYS = operator.attrgetter("idempotency_keys")  # where each repository keeps Idempotency-Keys


def _actor_id(actor: Any) -> int:
    if not isinstance(actor, dict) or not isinstance(actor.get("id"), int):
        raise DomainError("forbidden", "您无权执行此操作")
    return actor["id"]


def _require_applicant(actor: Actor) -> int:
    user_id = _actor_id(actor)
    if actor.get("role") not in domain.APPLICANT_ROLES:
        raise DomainError("forbidden", "仅当事人和律师可以申请阅卷")
    return user_id


# -- materials (申请材料) ---------------------------------------------------------------------


def register_material(
    uow: ApplicationsWork,
    actor: Actor,
    *,
    key: str,
    kind: str,
    filename: str,
    size: int,
    content_type: str,
    sha256: str,
    stored: Callable[[str], bool],
) -> schemas.UploadJson:
    """Record an upload the gateway has already checked and stored under a server key.
    Asked twice for one key (a redelivered request) it answers with the first record; a
    key whose object is gone (swept after the gateway gave up) is refused."""
    owner = _actor_id(actor)
    domain.check_kind(kind)
    if not staging.is_staged_key(key, MATERIAL_KEY_PREFIX):
        raise validation_error({"key": "存储键不正确"})
    with uow.read() as applications:
        known = applications.material_at(key)
        if known is not None:
            if known.owner_id != owner:
                raise validation_error({"key": "存储键不正确"})
            return schemas.upload(known)
    if not stored(key):
        raise validation_error({"file": "上传未完成，请重新上传"})
    with uow.transaction() as applications:
        applications.take_turns("material-quota", owner)  # the owner's uploads, one at a time
        # refused: the gateway deletes the bytes
        quota.check_material_quota(*applications.held_by(owner), int(size))
        material = Material(
            id=str(uuid.uuid4()),
            owner_id=owner,
            kind=kind,
            filename=str(filename)[:120],
            size=int(size),
            content_type=str(content_type)[:32],
            sha256=str(sha256)[:64],
            key=key,
            created_at=clock.utcnow(),
        )
        return schemas.upload(applications.add_material(material))


def registered_keys(uow: ApplicationsWork, keys: list[str]) -> set[str]:
    """Which of these object keys are materials (the rest are uploads nobody registered)."""
    with uow.read() as applications:
        return applications.registered_keys(keys)


def _owned_materials(
    applications: ApplicationsRepository, owner: int, material_ids: tuple[str, ...] | list[str]
) -> list[Material]:
    """The materials in the order asked for; any id not owned by ``owner`` is not found."""
    if not material_ids:
        return []
    if not all(domain.could_be_material_id(mid) for mid in material_ids):
        raise not_found("材料不存在")
    rows = applications.materials(material_ids)
    materials = [rows.get(mid) for mid in material_ids]
    if any(m is None or m.owner_id != owner for m in materials):
        raise not_found("材料不存在")
    return [m for m in materials if m is not None]  # every one, as just checked


def describe_materials(
    uow: ApplicationsWork, actor: Actor, material_ids: Any, court: str | None = None
) -> list[MaterialRefJson]:
    """Kinds and names of the actor's own materials; with ``court``, that court's clerks
    may open them from now on (a binding application is about to use them: the gateway
    grants before case_binding records the binding, so no binding exists whose files its
    clerks cannot open). Granting again grants nothing more: a retry, or a racing twin,
    answers the same."""
    owner = _actor_id(actor)
    ids = domain.parse_material_ids(material_ids)
    try:
        return _describe_and_grant(uow, owner, ids, court)
    except Conflict:  # a twin granted the same first: once more, seeing its grant
        return _describe_and_grant(uow, owner, ids, court)


def _describe_and_grant(
    uow: ApplicationsWork, owner: int, ids: tuple[str, ...], court: str | None
) -> list[MaterialRefJson]:
    with uow.transaction() as applications:
        materials = _owned_materials(applications, owner, ids)
        if court:
            for material in materials:
                if not applications.granted(material.id, court):
                    applications.grant(material.id, court)
        return [schemas.material_ref(m) for m in materials]


def open_material(uow: ApplicationsWork, actor: Actor, material_id: Any) -> dict:
    """Where to read a material, for its owner or a clerk of a court allowed to see it."""
    user_id = _actor_id(actor)
    if not isinstance(material_id, str) or len(material_id) > 36:
        raise not_found("材料不存在")
    with uow.read() as applications:
        material = applications.material(material_id)
        if material is None or not _may_open(applications, actor, user_id, material):
            raise not_found("材料不存在")
        return {
            "key": material.key,
            "filename": material.filename,
            "content_type": material.content_type,
            "size": material.size,
        }


def _may_open(applications: ApplicationsRepository, actor: Actor, user_id: int, material: Material) -> bool:
    if material.owner_id == user_id:
        return True
    if actor.get("role") in ("clerk", "admin") and applications.granted(material.id, VERIFICATION_GRANT):
        return True  # an identity document sent for 实名认证, which any clerk or admin may decide
    court = actor.get("court")
    if actor.get("role") != "clerk" or not court:
        return False
    return applications.granted(material.id, court) or applications.used_in_court(material.id, court)


# -- applications (阅卷申请) ------------------------------------------------------------------


def _view(applications: ApplicationsRepository, app: Application, *, for_owner: bool = True) -> ApplicationJson:
    view = schemas.application(app, applications.materials_of([app.id])[app.id], clock.today(), for_owner=for_owner)
    if app.reapplied_from is not None:
        previous = applications.application(app.reapplied_from)
        if previous is not None:  # what the applicant corrected since the return (补正)
            changes = domain.changes(_submission_of(applications, previous), _submission_of(applications, app))
            refs = {m.id: schemas.material_ref(m) for m in applications.materials_of([previous.id])[previous.id]}
            refs.update({m["id"]: m for m in view["materials"]})
            for key in ("materials_added", "materials_removed"):
                if key in changes:
                    changes[key] = [refs[i] for i in changes[key] if i in refs]
            view["changes"] = changes
    return view


def _submission_of(applications: ApplicationsRepository, app: Application) -> domain.Submission:
    material_ids = tuple(m.id for m in applications.materials_of([app.id])[app.id])
    return domain.Submission(app.case_no, app.scope, app.reason, material_ids)


def _create(
    applications: ApplicationsRepository,
    actor: Actor,
    relation: dict,
    submission: domain.Submission,
    reapplied_from: int | None = None,
) -> ApplicationJson:
    """The checks that need this service's data, then the application and its event, in the
    caller's transaction."""
    applicant = actor["id"]
    materials = _owned_materials(applications, applicant, submission.material_ids)
    missing = domain.missing_kinds(actor["role"], {m.kind for m in materials})
    if missing:
        raise domain.materials_missing(missing)
    case_no = relation.get("case_no") or submission.case_no
    applications.take_turns("representation", applicant, case_no)  # with an end of it heard now
    if _ended_since_claimed(applications, applicant, case_no, relation.get("claimed_at")):
        relation = dict(relation, can_apply=False, needs_binding=relation.get("status") == "in_trial")
    domain.check_eligibility(actor["role"], relation)
    key = domain.pending_key(applicant, case_no)
    if applications.has_pending(key):
        raise _duplicate_pending()
    app = Application(
        applicant_id=applicant,
        applicant_name=str(actor.get("name") or "")[:50],
        applicant_role=actor["role"],
        applicant_relation=reading.applicant_relation(actor["role"], relation),
        applicant_license_no=text.clip(actor.get("license_no"), 32) if actor["role"] == "lawyer" else None,
        applicant_law_firm=text.clip(actor.get("law_firm"), 100) if actor["role"] == "lawyer" else None,
        acts_for=text.clip(relation.get("acts_for"), 100),
        case_no=case_no,
        court=relation["court"],
        scope=submission.scope,
        reason=submission.reason,
        status="pending",
        pending_key=key,
        applied_at=clock.utcnow(),
        reapplied_from=reapplied_from,
    )
    try:
        applications.add_application(app, materials)
    except Conflict:  # a twin that passed the check above committed first
        raise _duplicate_pending() from None
    phone = actor.get("phone") if isinstance(actor.get("phone"), str) else None
    applications.announce("application_submitted", schemas.submitted_event(app, materials, phone))
    return _view(applications, app)


def _ended_since_claimed(applications: ApplicationsRepository, user_id: int, case_no: str, claimed_at: Any) -> bool:
    """An end of this reader's relation announced after case_binding answered (the feed
    or a clerk overtook the submission): the answer no longer holds."""
    claimed = _instant(claimed_at)
    end = applications.representation_end(user_id, case_no)
    return claimed is not None and end is not None and clock.as_aware(end.ended_at) >= claimed


def _duplicate_pending() -> DomainError:
    return DomainError("duplicate_pending", "您已有该案件待审查的阅卷申请，请等待审查结果")


def submit(
    uow: ApplicationsWork, relation: Relation, actor: Actor, body: Any, idempotency_key: Any = None
) -> ApplicationJson:
    user_id = _require_applicant(actor)
    require_verified(actor)
    key = idempotency.check_key(idempotency_key)
    submission = domain.parse_submission(body)
    request_hash = idempotency.fingerprint("submit", submission.__dict__)
    # A retry answers before anything else is asked: the first result, whatever changed since.
    replayed = idempotency.recall(uow, KEYS, user_id=user_id, key=key, request_hash=request_hash)
    if replayed is not None:
        return replayed
    return _create_once(uow, relation, actor, submission, user_id=user_id, key=key, request_hash=request_hash)


def _create_once(
    uow: ApplicationsWork,
    relation: Relation,
    actor: Actor,
    submission: domain.Submission,
    *,
    user_id: int,
    key: str | None,
    request_hash: str,
    reapplied_from: int | None = None,
) -> ApplicationJson:
    """The new pending application, once per ``Idempotency-Key``: case_binding is asked
    what the reader is to the case outside any transaction, then the application is
    created with it (``_create``) and the first answer kept with the key."""
    answer = relation(actor, submission.case_no)
    return idempotency.once(
        uow,
        KEYS,
        user_id=user_id,
        key=key,
        request_hash=request_hash,
        effect=lambda applications: _create(applications, actor, answer, submission, reapplied_from=reapplied_from),
    )


def _own(
    applications: ApplicationsRepository, user_id: int, application_id: ApplicationId | int, *, lock: bool = False
) -> Application:
    row = application_row(application_id)
    if row is None:
        raise not_found("阅卷申请不存在")
    app = applications.application(row, for_update=lock)
    if app is None or app.applicant_id != user_id:
        raise not_found("阅卷申请不存在")
    return app


def detail(
    uow: ApplicationsWork,
    actor: Actor,
    application_id: ApplicationId | int,
    verifications: verification.Accounts | None = None,
) -> ApplicationJson:
    """The owner, or the clerks and archivists of the case's court, may read it; staff
    also see how the applicant was verified (实名认证) when ``verifications`` can tell."""
    user_id = _actor_id(actor)
    with uow.read() as applications:
        row = application_row(application_id)
        app = applications.application(row) if row is not None else None
        staff = app is not None and (
            actor.get("role") in domain.REVIEW_ROLES and actor.get("court") and actor.get("court") == app.court
        )
        if not (app is not None and (app.applicant_id == user_id or staff)):
            raise not_found("阅卷申请不存在")
        view = _view(applications, app, for_owner=app.applicant_id == user_id)
        applicant_id = app.applicant_id
    if staff and verifications is not None:
        state = verification.states_of(verifications, [applicant_id]).get(applicant_id)
        if state is not None:
            view["applicant"]["verification"] = state
    return view


def withdraw(
    uow: ApplicationsWork, actor: Actor, application_id: ApplicationId | int, idempotency_key: Any = None
) -> ApplicationJson:
    user_id = _actor_id(actor)
    key = idempotency.check_key(idempotency_key)

    def effect(applications: ApplicationsRepository) -> ApplicationJson:
        app = _own(applications, user_id, application_id, lock=True)
        domain.check_can_withdraw(domain.effective_status(app, clock.today()))
        app.status, app.pending_key = "withdrawn", None
        applications.announce("application_withdrawn", schemas.withdrawn_event(app))
        return _view(applications, app)

    return idempotency.once(
        uow,
        KEYS,
        user_id=user_id,
        key=key,
        request_hash=idempotency.fingerprint("withdraw", application_row(application_id) or application_id),
        effect=effect,
    )


def reapply(
    uow: ApplicationsWork,
    relation: Relation,
    actor: Actor,
    application_id: ApplicationId | int,
    idempotency_key: Any = None,
    body: Any = None,
) -> ApplicationJson:
    """A new pending application for the same case (重新申请); with ``body`` a 补正: the
    corrected scope, reason or materials replace the old ones (domain.amend). The
    submission rules apply again."""
    user_id = _require_applicant(actor)
    require_verified(actor)
    key = idempotency.check_key(idempotency_key)
    row = application_row(application_id) or application_id
    request_hash = idempotency.fingerprint("reapply", {"application_id": row, "body": body})
    replayed = idempotency.recall(uow, KEYS, user_id=user_id, key=key, request_hash=request_hash)
    if replayed is not None:
        return replayed
    with uow.read() as applications:
        old = _own(applications, user_id, application_id)
        domain.check_can_reapply(domain.effective_status(old, clock.today()))
        submission = domain.amend(_submission_of(applications, old), body)
        old_id = old.id
    return _create_once(
        uow, relation, actor, submission, user_id=user_id, key=key, request_hash=request_hash, reapplied_from=old_id
    )


def _int_key(key: str) -> int:
    if not (key.isascii() and key.isdigit() and len(key) < 19):
        raise DomainError("bad_request", "分页参数 cursor 不正确")
    return int(key)


def list_own(uow: ApplicationsWork, actor: Actor, status: Any = None, limit: int = 20, cursor: Any = None) -> dict:
    """The caller's applications, newest first (ties by id, descending), cursor paging."""
    user_id = _actor_id(actor)
    if status not in (None, "") and status not in domain.STATUSES:
        raise validation_error({"status": "应为 " + "、".join(domain.STATUSES) + " 之一"}, "状态参数不正确")
    limit = max(1, min(100, int(limit or 20)))
    today = clock.today()
    after = None
    if cursor:
        position = paging.position_after(str(cursor))
        assert position is not None  # a cursor was given
        at, app_id = position
        after = (at, _int_key(app_id))
    with uow.read() as applications:
        rows = applications.applications_of(user_id, status or None, today, after, limit + 1)
        page = rows[:limit]
        materials = applications.materials_of([a.id for a in page])
        items = [schemas.application(a, materials[a.id], today, for_owner=True) for a in page]
        last = page[-1] if len(rows) > limit else None
        next_cursor = paging.position_cursor(clock.as_aware(last.applied_at), last.id) if last else None
    return {"items": items, "next_cursor": next_cursor}


# -- review's decisions, consumed through the inbox -------------------------------------------


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # Stored in UTC: SQLite keeps no offset and hands back naive UTC.
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.COURT_TZ)).astimezone(UTC)


def _granted(payload: Mapping[str, Any]) -> str | None:
    """The chosen documents of an online grant as ``[{id, title}]`` JSON (None: all 正卷)."""
    ids, titles = payload.get("documents"), payload.get("document_titles")
    if not isinstance(ids, list):
        return None
    titles = titles if isinstance(titles, list) and len(titles) == len(ids) else [""] * len(ids)
    return json.dumps([{"id": int(i), "title": str(t)} for i, t in zip(ids, titles, strict=True)], ensure_ascii=False)


def on_decided(uow: ApplicationsWork, payload: dict) -> bool:
    """review.application_decided → the application shows 审查信息 and 阅卷材料.
    Returns False when the event was already handled or does not apply."""

    def read(payload: events.ApplicationDecided) -> tuple:
        event_id = str(payload["event_id"])
        application_id = _event_row(payload)
        opinion = payload["opinion"]
        status = domain.OPINION_STATUS[opinion or ""]  # a KeyError: not a decision this service knows
        mode = payload.get("mode") if opinion == "approve" else None
        fields = {
            "reviewer": str(payload.get("reviewer") or "")[:50],
            "reviewed_at": _instant(payload.get("reviewed_at")) or clock.utcnow(),
            "opinion": opinion,
            "explanation": payload.get("explanation"),
            "mode": mode if mode in ("online", "onsite") else None,
            "valid_until": _date(payload.get("valid_until")) if mode == "online" else None,
            "granted_documents": _granted(payload) if mode == "online" else None,
            "print_allowed": payload.get("print") is not False if mode == "online" else None,
            "start_date": _date(payload.get("start_date")) if mode == "onsite" else None,
            "end_date": _date(payload.get("end_date")) if mode == "onsite" else None,
            "notice": payload.get("notice") if mode == "onsite" else None,
        }
        return event_id, application_id, status, fields

    facts = read_event("application_decided", payload, read)
    if facts is None:
        return False
    event_id, application_id, status, fields = facts
    with uow.transaction() as applications:
        if not applications.first_delivery(event_id):
            return False
        app = applications.application(application_id, for_update=True)
        if app is None or app.status != "pending":
            log.warning("decision for application %s ignored: not pending", application_id)
            return False
        for name, value in fields.items():
            setattr(app, name, value)
        app.status, app.pending_key = status, None
        return True


def on_representation_ended(uow: ApplicationsWork, payload: dict) -> list[int]:
    """case_binding.representation_ended: the reader is no longer a party to the case nor
    represents anyone in it, so their pending and approved applications for it end
    (已终止), each announced as ``application_revoked`` for review and dossier. Returns the
    ids revoked (none for a redelivery)."""
    facts = read_event(
        "representation_ended",
        payload,
        lambda p: (
            str(p["event_id"]),
            int(p["user_id"]),
            str(p["case_no"]),
            str(p.get("reason") or "您与本案的关系已终止")[:500],
            _instant(p.get("ended_at")) or clock.utcnow(),
        ),
    )
    if facts is None:
        return []
    event_id, user_id, case_no, reason, ended_at = facts
    now = clock.utcnow()
    with uow.transaction() as applications:
        # a submission weighing this reader's claim to the case waits, or is waited for
        applications.take_turns("representation", user_id, case_no)
        if not applications.first_delivery(event_id):
            return []
        known = applications.representation_end(user_id, case_no)
        if known is None:
            applications.add_representation_end(RepresentationEnd(user_id=user_id, case_no=case_no, ended_at=ended_at))
        elif clock.as_aware(known.ended_at) < ended_at:
            known.ended_at = ended_at
        apps = applications.revocable_of(user_id, case_no)
        for app in apps:
            app.status, app.pending_key = "revoked", None
            app.revoked_at, app.revoked_reason = now, reason
            applications.announce("application_revoked", schemas.revoked_event(app))
        return [app.id for app in apps]


def _event_row(payload: Mapping[str, Any]) -> int:
    """The row one of review's events is about (read_event gives its ``application_id`` as
    the contract's string); ValueError for an id this service never issued."""
    row = application_row(payload["application_id"])
    if row is None:
        raise ValueError("application id")
    return row


def _hear(
    uow: ApplicationsWork,
    event_type: str,
    payload: dict,
    read: Callable[[Any], tuple],
    apply: Callable[..., bool],
) -> bool:
    """One of review's facts about an application: ``read`` takes ``(event_id, row,
    *facts)`` out of the payload, and ``apply(app, *facts)`` changes the application, locked,
    the first time the event is heard. False for a redelivery, an unreadable payload or an
    application never heard of (logged)."""
    facts = read_event(event_type, payload, read)
    if facts is None:
        return False
    event_id, application_id, *heard = facts
    with uow.transaction() as applications:
        if not applications.first_delivery(event_id):
            return False
        app = applications.application(application_id, for_update=True)
        if app is None:
            log.warning("%s for unknown application %s ignored", event_type, application_id)
            return False
        return apply(app, *heard)


def on_attendance(uow: ApplicationsWork, payload: dict) -> bool:
    """review.attendance_recorded → 是否到场, 借阅时间, 还卷时间."""

    def read(p: events.AttendanceRecorded) -> tuple:
        attended = p.get("attended")
        if attended is not None and not isinstance(attended, bool):
            raise ValueError("attended")
        times = _instant(p.get("borrowed_at")), _instant(p.get("returned_at")), _instant(p.get("recorded_at"))
        return str(p["event_id"]), _event_row(p), attended, *times

    def apply(app: Application, attended, borrowed_at, returned_at, recorded_at) -> bool:
        # Review records attendance only on on-site approvals, so an attendance that
        # overtakes its decision (another queue) is kept for it; of two records the newer wins.
        shown = clock.as_aware(app.attendance_recorded_at)
        if shown is not None and (recorded_at is None or recorded_at <= shown):
            return False
        app.attended, app.borrowed_at, app.returned_at = attended, borrowed_at, returned_at
        app.attendance_recorded_at = recorded_at
        return True

    return _hear(uow, "attendance_recorded", payload, read, apply)


def on_booked(uow: ApplicationsWork, payload: dict) -> bool:
    """review.onsite_booked → the on-site ``reading`` shows the booked slot (预约到场). Kept
    whatever the application's state here (a booking may overtake its decision: another
    queue); of two bookings the higher version wins, so an older one heard later is ignored."""

    def read(p: dict) -> tuple:
        day = date.fromisoformat(str(p["date"]))
        return str(p["event_id"]), _event_row(p), int(p["version"]), day, str(p["start"])[:5], str(p["end"])[:5]

    def apply(app: Application, version: int, day: date, start: str, end: str) -> bool:
        if app.booking_version is not None and version <= app.booking_version:
            return False
        app.booking_date, app.booking_start, app.booking_end = day, start, end
        app.booking_version = version
        return True

    return _hear(uow, "onsite_booked", payload, read, apply)


def count_by_status(uow: ApplicationsWork) -> dict[str, int]:
    """Applications by the status a person sees now (approved ones may read expired)."""
    counts = dict.fromkeys(domain.STATUSES, 0)
    today = clock.today()
    with uow.read() as applications:
        for status, total in applications.counts_by_stored_status(besides="approved").items():
            counts[status] = counts.get(status, 0) + total
        for app in applications.with_status("approved"):
            counts[domain.effective_status(app, today)] += 1
    return counts


# -- what the services must agree on (services.common.court.consistency) --------------------------


def consistency_facts(
    uow: ApplicationsWork,
    *,
    ids: list[ApplicationId] | None = None,
    after: ApplicationId | None = None,
    limit: int = 500,
    court: str | None = None,
) -> list[dict]:
    """The source's facts about the given applications, or a page of them by id (of one
    court's applications only, with ``court``)."""
    with uow.read() as applications:
        if ids is not None:
            apps = applications.by_ids([row for row in map(application_row, ids) if row is not None], court)
        else:
            start = None if after is None else application_row(after)
            apps = applications.page_by_id(start, max(1, min(2000, int(limit))), court)
        return [
            {
                "id": ApplicationId(str(app.id)),
                "status": app.status,
                **consistency.grant_facts(app),
                "booking": consistency.booking_fact(schemas.booking(app)),
            }
            for app in apps
        ]


# -- housekeeping -------------------------------------------------------------------------


def purge_unattached_materials(
    uow: RepositoryUnitOfWork[ApplicationsRepository], delete_object: Callable[[str], None]
) -> int:
    """Uploads never attached to anything within UNATTACHED_MATERIAL_DAYS (7), with their
    objects in storage. The row goes first, with a note of its object in the same
    transaction (``DiscardedObject``); the object goes after, then the note. So no row
    ever names a missing object (an upload attached while this runs keeps its row and its
    object: the delete checks the rule again, and the database refuses to delete a
    material an application row refers to), and a crash between the two leaves the note
    for the next run."""
    age = housekeeping.retention("UNATTACHED_MATERIAL_DAYS", 7)
    removed = housekeeping.purge(
        uow.uow,
        Material,
        repository.unattached_materials(age),
        returning=(Material.key,),
        on_deleted=repository.note_discarded,
    )
    discard_objects(uow, delete_object)
    return removed


def discard_objects(uow: ApplicationsWork, delete_object: Callable[[str], None], batch: int = 500) -> int:
    """Delete from storage the objects whose material rows are gone, and then their notes.
    Deleting an object twice (two replicas at once, a crash before the note went) is
    harmless: storage says nothing of a missing key."""
    done = 0
    while True:
        with uow.read() as applications:
            keys = applications.discarded_keys(batch)
        for key in keys:
            delete_object(key)
        if keys:
            with uow.transaction() as applications:
                applications.forget_discarded(keys)
        done += len(keys)
        if len(keys) < batch:
            return done


def purges(
    uow: RepositoryUnitOfWork[ApplicationsRepository], delete_object: Callable[[str], None]
) -> list[tuple[str, Callable[[], int]]]:
    return [
        *housekeeping.messaging_purges(uow.uow, Outbox, Inbox),
        ("idempotency keys", lambda: idempotency.purge(uow.uow, IdempotencyKey)),
        ("unattached materials", lambda: purge_unattached_materials(uow, delete_object)),
    ]
