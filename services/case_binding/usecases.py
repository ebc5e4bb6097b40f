"""What the case_binding service does. Functions take the unit of work explicitly so tests
and the command-line import can call them without a broker."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.case_binding import domain, schemas
from services.case_binding.models import Binding, Case, CaseLawyer, CaseParty, Claim, Inbox, Outbox
from services.common import case_numbers, clock, metrics, paging, verification
from services.common.db import UnitOfWork
from services.common.errors import DomainError, not_found, validation_error
from services.common.messaging import first_delivery, record_event
from services.common.verification import require_verified

log = logging.getLogger(__name__)

CHUNK = 500  # rows per statement: well under SQLite's bound-parameter limit
STAFF_ROLES = ("clerk", "archivist", "admin")
NO_CASE = "案件不存在，请核对案号"


def _role(actor: Any) -> str:
    if not isinstance(actor, dict) or not isinstance(actor.get("role"), str):
        raise DomainError("forbidden", "无法识别当前用户")
    return actor["role"]


def _require(actor: Any, *roles: str) -> None:
    if _role(actor) not in roles:
        raise DomainError("forbidden", "您无权执行此操作")


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- the case directory -------------------------------------------------------------------


def import_cases(uow: UnitOfWork, actor: dict, body: Any) -> dict:
    """The court's feed (admin route): upsert by case number, all or nothing."""
    _require(actor, "admin")
    started = time.perf_counter()
    records = domain.parse_import(body)
    parsed = time.perf_counter()
    imported = upsert_cases(uow, records)
    log.info(
        "imported %d cases: checked in %.1fs, written in %.1fs",
        imported,
        parsed - started,
        time.perf_counter() - parsed,
    )
    return {"imported": imported}


def upsert_cases(uow: UnitOfWork, records: list[domain.CaseRecord]) -> int:
    """Bulk upsert: INSERT ... ON CONFLICT as one executemany per chunk of cases (batched
    into multi-row statements by the driver layer, not one ORM object per row), and the
    parties and lawyers of those cases replaced wholesale: the feed is the source of truth.
    Readers whose claimed relation the new lists end are announced (representation_ended)
    in the same transaction."""
    now = clock.utcnow()
    cases, parties, lawyers = Case.__table__, CaseParty.__table__, CaseLawyer.__table__
    with uow.transaction() as session:
        conn = session.connection()
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(cases)
        upsert = stmt.on_conflict_do_update(
            index_elements=[cases.c.case_no],
            set_={
                "court": stmt.excluded.court,
                "cause": stmt.excluded.cause,
                "status": stmt.excluded.status,
                "has_electronic_dossier": stmt.excluded.has_electronic_dossier,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        for chunk in _chunks(records, 2000):
            numbers = [r.case_no for r in chunk]
            conn.execute(
                upsert,
                [
                    {
                        "case_no": r.case_no,
                        "court": r.court,
                        "cause": r.cause,
                        "status": r.status,
                        "has_electronic_dossier": r.has_electronic_dossier,
                        "dossier_ingested": False,
                        "updated_at": now,
                    }
                    for r in chunk
                ],
            )
            for part in _chunks(numbers):
                conn.execute(parties.delete().where(parties.c.case_no.in_(part)))
                conn.execute(lawyers.delete().where(lawyers.c.case_no.in_(part)))
            party_rows = [_party_row(r.case_no, p) for r in chunk for p in r.parties]
            lawyer_rows = [
                {"case_no": r.case_no, "name": lw.name, "license_no": lw.license_no, "party_name": lw.party_name}
                for r in chunk
                for lw in r.lawyers
            ]
            if party_rows:
                conn.execute(parties.insert(), party_rows)
            if lawyer_rows:
                conn.execute(lawyers.insert(), lawyer_rows)
            _claims_after_feed(session, chunk, now)
    return len(records)


def _party_row(case_no: str, party: domain.Party) -> dict:
    representative = party.representative
    return {
        "case_no": case_no,
        "name": party.name,
        "id_number": party.id_number,
        "side": party.side,
        "credit_code": party.credit_code,
        "representative_name": representative.name if representative else None,
        "representative_id_number": representative.id_number if representative else None,
    }


def _is_the_party(actor: dict):
    """The rows that make this verified person a party: their own (name and ID number), or
    an organisation's whose 法定代表人 they are. An organisation has no ID number, so its
    own row never matches a person."""
    id_number, name = actor.get("id_number") or "", actor.get("name") or ""
    return or_(
        and_(CaseParty.id_number == id_number, CaseParty.name == name),
        and_(CaseParty.representative_id_number == id_number, CaseParty.representative_name == name),
    )


def staff_case(uow: UnitOfWork, actor: dict, case_no: Any) -> dict:
    """What a clerk or archivist needs beside an application: the case's status, cause,
    whether it has an electronic dossier, its parties and lawyers of record. Another
    court's case is as missing as none."""
    _require(actor, "clerk", "archivist")
    try:
        number = case_numbers.canonical(case_no)
    except DomainError:
        raise not_found(NO_CASE) from None
    with uow.read() as session:
        case = session.scalar(select(Case).where(Case.case_no == number))
        if case is None or case.court != actor.get("court"):
            raise not_found(NO_CASE)
        parties = session.scalars(select(CaseParty).where(CaseParty.case_no == number).order_by(CaseParty.id)).all()
        lawyers = session.scalars(select(CaseLawyer).where(CaseLawyer.case_no == number).order_by(CaseLawyer.id)).all()
        return schemas.staff_case(case, parties, lawyers)


def case_summary(uow: UnitOfWork, case_no: Any) -> dict:
    number = case_numbers.canonical(case_no)
    with uow.read() as session:
        case = session.scalar(select(Case).where(Case.case_no == number))
        if case is None:
            raise not_found(NO_CASE)
        return schemas.case_summary(case)


def relation(uow: UnitOfWork, actor: dict, case_no: Any) -> dict:
    """What this user is to this case, in one round trip to the database. A party with no
    relation, like a staff member of another court, learns nothing: not_found."""
    require_verified(actor)
    number = case_numbers.canonical(case_no)
    with uow.read() as session:
        return _relation(session, actor, number)


def _relation(session: Session, actor: dict, number: str) -> dict:
    role = _role(actor)
    is_party = is_of_record = is_bound = literal(False)
    # for whom: the party a lawyer acts for, or the organisation a 法定代表人 speaks for
    party_for = record_for = bound_for = literal(None)
    if role == "party":
        is_party = exists().where(CaseParty.case_no == number, _is_the_party(actor))
        party_for = (
            select(CaseParty.name)
            .where(
                CaseParty.case_no == number,
                CaseParty.representative_id_number == (actor.get("id_number") or ""),
                CaseParty.representative_name == (actor.get("name") or ""),
            )
            .limit(1)
            .scalar_subquery()
        )
    elif role == "lawyer":
        of_record = and_(CaseLawyer.case_no == number, CaseLawyer.license_no == (actor.get("license_no") or ""))
        approved = and_(Binding.case_no == number, Binding.lawyer_id == actor.get("id"), Binding.status == "approved")
        is_of_record = exists().where(of_record)
        is_bound = exists().where(approved)
        record_for = select(CaseLawyer.party_name).where(of_record).limit(1).scalar_subquery()
        bound_for = select(Binding.party_name).where(approved).order_by(Binding.id.desc()).limit(1).scalar_subquery()
    row = session.execute(
        select(
            Case,
            is_party.label("party"),
            is_of_record.label("of_record"),
            is_bound.label("bound"),
            party_for.label("party_for"),
            record_for.label("record_for"),
            bound_for.label("bound_for"),
        ).where(Case.case_no == number)
    ).first()
    if row is None:
        raise not_found(NO_CASE)
    case = row[0]
    held = {
        name
        for name, flag in ((domain.PARTY, row.party), (domain.OF_RECORD, row.of_record), (domain.BOUND, row.bound))
        if flag
    }
    answer = domain.strongest(held)
    if role == "party" and answer == domain.NONE:
        raise not_found(NO_CASE)
    if role in STAFF_ROLES and role != "admin" and actor.get("court") != case.court:
        raise not_found(NO_CASE)
    answered = dict(schemas.case_summary(case), relation=answer, **domain.relation_answer(role, answer, case.status))
    acts_for = {domain.PARTY: row.party_for, domain.OF_RECORD: row.record_for, domain.BOUND: row.bound_for}.get(answer)
    if acts_for:  # for whom the reader acts: a lawyer's party, a 法定代表人's organisation
        answered["acts_for"] = acts_for
    return answered


def _hold_case(session: Session, number: str, *, exclusive: bool = False) -> None:
    """Serialise this transaction with the others that change or weigh who relates to the
    case: the feed (whose upsert updates the case row), a binding's revocation and a claim.
    Without it a claim read just before a re-import or a revocation commits would be
    written just after, unseen by it, and never end. PostgreSQL: the case row, shared by
    claims (they run side by side) and exclusive for a revocation; SQLite: a no-op write
    takes the database's single write lock, and the reads after it see every earlier
    commit."""
    if session.connection().dialect.name == "postgresql":
        session.execute(select(Case.id).where(Case.case_no == number).with_for_update(read=not exclusive))
    else:
        session.execute(update(Case).where(Case.case_no == number).values(id=Case.id))


def claim_relation(uow: UnitOfWork, actor: dict, case_no: Any) -> dict:
    """``relation``'s answer (and refusals), and when the reader holds a relation that can
    end (party, of record, bound) it is recorded as their claim to the case, so the end of
    it is announced. A lawyer reading an archived case on the four materials has none."""
    require_verified(actor)
    number = case_numbers.canonical(case_no)
    with uow.transaction() as session:
        _hold_case(session, number)
        answer = _relation(session, actor, number)
        if answer["relation"] in domain.CLAIMABLE and actor.get("role") in ("party", "lawyer"):
            _record_claim(session, actor, number, answer["relation"])
            # when it was claimed, so that an end announced after it is known to end it
            answer = dict(answer, claimed_at=clock.as_aware(clock.utcnow()).isoformat())
        return answer


def _record_claim(session: Session, actor: dict, number: str, held: str) -> None:
    claims = Claim.__table__
    conn = session.connection()
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    row = {
        "user_id": actor["id"],
        "case_no": number,
        "role": actor["role"],
        "name": actor.get("name") or "",
        "id_number": actor.get("id_number"),
        "license_no": actor.get("license_no"),
        "relation": held,
        "claimed_at": clock.utcnow(),
    }
    stmt = insert(claims).values(row)
    refreshed = {k: getattr(stmt.excluded, k) for k in row if k not in ("user_id", "case_no")}
    conn.execute(stmt.on_conflict_do_update(index_elements=[claims.c.user_id, claims.c.case_no], set_=refreshed))


def _end(session: Session, ended: list[tuple[int | None, int, str, str]], now) -> None:
    """Relations that ended, as (claim row id or None, user id, case number, reason): the
    claims go, and ``representation_ended`` is recorded in the same transaction for the
    other services to end that user's reading of the case at once."""
    ids = [claim_id for claim_id, *_ in ended if claim_id is not None]
    for part in _chunks(ids):
        session.execute(Claim.__table__.delete().where(Claim.__table__.c.id.in_(part)))
    at = clock.as_aware(now).isoformat()  # to the microsecond: compared with claims' claimed_at
    for _, user_id, number, reason in ended:
        record_event(
            session,
            Outbox,
            "representation_ended",
            {"case_no": number, "user_id": user_id, "reason": reason, "ended_at": at},
        )


def _claims_after_feed(session: Session, chunk: list[domain.CaseRecord], now) -> None:
    """The feed replaced these cases' parties and lawyers: every claim on them is weighed
    against the new lists (and the lawyer's approved bindings); one whose relation is gone
    ends, one that weakens (of record to bound) is kept with its new relation. A few
    statements per chunk, whatever its size, and none for cases nobody claimed."""
    records = {r.case_no: r for r in chunk}
    rows = []
    for part in _chunks(list(records)):
        rows += session.execute(select(Claim).where(Claim.case_no.in_(part))).scalars().all()
    if not rows:
        return
    lawyered = sorted({row.case_no for row in rows if row.role == "lawyer"})
    bound: set[tuple[int, str]] = set()
    for part in _chunks(lawyered):
        approved = select(Binding.lawyer_id, Binding.case_no).where(
            Binding.case_no.in_(part), Binding.status == "approved"
        )
        bound.update((lawyer_id, number) for lawyer_id, number in session.execute(approved))
    ended, weakened = [], []
    for row in rows:
        claim = _claim(row)
        record = records[claim.case_no]
        held = domain.claimed_relation(claim, record.parties, record.lawyers, (claim.user_id, claim.case_no) in bound)
        reason = domain.ended_reason(claim, held)
        if reason:
            ended.append((row.id, claim.user_id, claim.case_no, reason))
        elif held != claim.relation:
            weakened.append({"claim_id": row.id, "held": held})
    if weakened:
        claims = Claim.__table__
        session.execute(
            update(claims).where(claims.c.id == bindparam("claim_id")).values(relation=bindparam("held")), weakened
        )
    if ended:
        _end(session, ended, now)
        log.info("the feed ended %d readers' relation to their cases", len(ended))


def _claim(row: Claim) -> domain.Claim:
    return domain.Claim(row.user_id, row.case_no, row.role, row.name, row.id_number, row.license_no, row.relation)


def _page(items: list[dict], rows: list, limit: int) -> dict:
    more = len(rows) > limit
    return {"items": items[:limit], "next_cursor": str(rows[limit - 1].id) if more else None}


def my_cases(uow: UnitOfWork, actor: dict, limit: Any = None, cursor: Any = None) -> dict:
    """The caller's cases, newest first: a party's by verified name and ID number (their
    own or an organisation's representative's), a lawyer's of record and bound ones."""
    role = _role(actor)
    _require(actor, "party", "lawyer")
    require_verified(actor)
    limit, after = paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as session:
        # The person's own rows first (indexed by ID number, a representative's ID number,
        # license or lawyer), then their cases: driving from the directory would scan every
        # case on each call.
        if role == "party":
            mine = session.scalars(select(CaseParty.case_no).where(_is_the_party(actor))).all()
            relations = dict.fromkeys(mine, domain.PARTY)
        else:
            recorded = session.scalars(
                select(CaseLawyer.case_no).where(CaseLawyer.license_no == (actor.get("license_no") or ""))
            ).all()
            bound = session.scalars(
                select(Binding.case_no).where(Binding.lawyer_id == actor.get("id"), Binding.status == "approved")
            ).all()
            relations = {**dict.fromkeys(bound, domain.BOUND), **dict.fromkeys(recorded, domain.OF_RECORD)}
        query = select(Case).where(Case.case_no.in_(list(relations)))
        if after is not None:
            query = query.where(Case.id < after)
        rows = session.scalars(query.order_by(Case.id.desc()).limit(limit + 1)).all() if relations else []
    items = [
        dict(
            schemas.case_summary(c),
            cause=c.cause,
            relation=relations[c.case_no],
            **domain.relation_answer(role, relations[c.case_no], c.status),
        )
        for c in rows
    ]
    return _page(items, rows, limit)


def document_ingested(uow: UnitOfWork, payload: dict) -> bool:
    """dossier.document_ingested: the case now has an electronic dossier. Idempotent."""
    event_id = payload.get("event_id") if isinstance(payload, dict) else None
    if not event_id:
        log.warning("document_ingested without event_id ignored")
        return False
    try:
        number = case_numbers.canonical(payload.get("case_no"))
    except DomainError:
        log.warning("document_ingested with a malformed case number ignored")
        return False
    with uow.transaction() as session:
        if not first_delivery(session, Inbox, event_id):
            return False
        changed = session.execute(update(Case).where(Case.case_no == number).values(dossier_ingested=True))
        if changed.rowcount == 0:
            log.warning("document_ingested for a case not in the directory")
    return True


# -- bindings (案件绑定) -------------------------------------------------------------------


def _lawyer_related(session: Session, actor: dict, number: str) -> bool:
    return bool(
        session.scalar(
            select(
                or_(
                    exists().where(
                        CaseLawyer.case_no == number, CaseLawyer.license_no == (actor.get("license_no") or "")
                    ),
                    exists().where(
                        Binding.case_no == number, Binding.lawyer_id == actor["id"], Binding.status == "approved"
                    ),
                )
            )
        )
    )


def apply_binding(
    uow: UnitOfWork, actor: dict, case_no: Any, party_name: Any, materials: Any, check_only: bool = False
) -> dict | None:
    """A lawyer asks to be bound to an in-trial case for the party they represent.
    ``materials`` are as applications described them (ownership already verified).
    ``check_only`` refuses as the application would, and records nothing: the gateway
    asks it before granting the court's clerks the materials, so a refused binding opens
    nobody's files."""
    _require(actor, "lawyer")
    require_verified(actor)
    number = case_numbers.canonical(case_no)
    with uow.read() as session:
        case = session.scalar(select(Case).where(Case.case_no == number))
        if case is None:
            raise not_found(NO_CASE)
        name = domain.text_field(party_name, "party_name", max_len=100)
        party_names = set(session.scalars(select(CaseParty.name).where(CaseParty.case_no == number)))
        if name not in party_names:
            raise validation_error({"party_name": "不是本案当事人"}, "被代理人不是本案当事人，请核对姓名")
        listed = _materials(materials)
        missing = domain.missing_kinds(listed)
        if missing:
            raise DomainError("materials_missing", "请上传执业证和当事人授权委托书或法律援助公函", {"missing": missing})
        if _lawyer_related(session, actor, number):
            raise DomainError("already_related", "您已是本案代理律师或已绑定本案，无需再次绑定")
        if case.status != "in_trial":
            raise DomainError("invalid_state", "该案件已归档，律师无需绑定即可申请阅卷")
        if session.scalar(
            select(Binding.id).where(
                Binding.case_no == number, Binding.lawyer_id == actor["id"], Binding.status == "pending"
            )
        ):
            raise _duplicate()
    if check_only:
        return None
    try:
        with uow.transaction() as session:
            binding = Binding(
                case_no=number,
                court=case.court,
                lawyer_id=actor["id"],
                lawyer_name=actor.get("name") or "",
                lawyer_phone=str(actor["phone"])[:20] if actor.get("phone") else None,
                license_no=actor.get("license_no"),
                law_firm=actor.get("law_firm"),
                party_name=name,
                materials=json.dumps(listed, ensure_ascii=False),
                status="pending",
                applied_at=clock.utcnow(),
            )
            session.add(binding)
            session.flush()
            return schemas.binding(binding)
    except IntegrityError:  # a concurrent twin got in first: the partial unique index says so
        raise _duplicate() from None


def _duplicate() -> DomainError:
    return DomainError("duplicate_pending", "该案件已有待审查的绑定申请，请等待审查结果")


def _materials(materials: Any) -> list[dict]:
    if not isinstance(materials, list) or len(materials) > 50:
        raise validation_error({"material_ids": "应为列表"})
    listed = []
    for m in materials:
        if not isinstance(m, dict) or not isinstance(m.get("id"), str):
            raise validation_error({"material_ids": "材料无效"})
        listed.append({"id": m["id"], "kind": m.get("kind"), "filename": m.get("filename")})
    return listed


def list_bindings(uow: UnitOfWork, actor: dict, status: Any = None, limit: Any = None, cursor: Any = None) -> dict:
    """A lawyer's own binding applications, newest first."""
    _require(actor, "lawyer")
    wanted, limit, after = domain.parse_status_filter(status), paging.limit_of(limit), paging.id_after(cursor)
    query = select(Binding).where(Binding.lawyer_id == actor["id"])
    if wanted:
        query = query.where(Binding.status == wanted)
    if after is not None:
        query = query.where(Binding.id < after)
    with uow.read() as session:
        rows = session.scalars(query.order_by(Binding.id.desc()).limit(limit + 1)).all()
    return _page([schemas.binding(b) for b in rows], rows, limit)


def _visible_binding(session: Session, actor: dict, binding_id: Any) -> Binding:
    """The binding if this user may see it: its lawyer, or a clerk of its court."""
    if isinstance(binding_id, bool) or not isinstance(binding_id, int):
        raise not_found("绑定申请不存在")
    binding = session.get(Binding, binding_id)
    role = _role(actor)
    visible = binding is not None and (
        (role == "lawyer" and binding.lawyer_id == actor.get("id"))
        or (role == "clerk" and binding.court == actor.get("court"))
    )
    if not visible:
        raise not_found("绑定申请不存在")
    return binding


def get_binding(uow: UnitOfWork, actor: dict, binding_id: Any) -> dict:
    with uow.read() as session:
        return schemas.binding(_visible_binding(session, actor, binding_id))


def staff_bindings(
    uow: UnitOfWork,
    actor: dict,
    status: Any = None,
    limit: Any = None,
    cursor: Any = None,
    verifications: verification.Accounts | None = None,
) -> dict:
    """The binding queue of the clerk's own court, oldest first, each with how its lawyer
    was verified (实名认证) when ``verifications`` can tell."""
    _require(actor, "clerk")
    wanted, limit, after = domain.parse_status_filter(status), paging.limit_of(limit), paging.id_after(cursor)
    query = select(Binding).where(Binding.court == (actor.get("court") or ""))
    if wanted:
        query = query.where(Binding.status == wanted)
    if after is not None:
        query = query.where(Binding.id > after)
    with uow.read() as session:
        rows = session.scalars(query.order_by(Binding.id).limit(limit + 1)).all()
    states = verification.states_of(verifications, [b.lawyer_id for b in rows[:limit]]) if verifications else {}
    items = []
    for row in rows:
        item = schemas.binding(row, staff=True)
        item["verification"] = states.get(row.lawyer_id)
        items.append(item)
    return _page(items, rows, limit)


def decide_binding(uow: UnitOfWork, actor: dict, binding_id: Any, body: Any) -> dict:
    """A clerk of the case's court approves or rejects; the decision and its announcement
    (binding_decided) commit together through the outbox."""
    _require(actor, "clerk")
    with uow.read() as session:
        _visible_binding(session, actor, binding_id)
    status, explanation = domain.parse_decision(body)
    now = clock.utcnow()
    with uow.transaction() as session:
        changed = session.execute(
            update(Binding)
            .where(and_(Binding.id == binding_id, Binding.status == "pending"))
            .values(status=status, decided_at=now, decided_by=actor.get("name"), explanation=explanation)
        )
        if changed.rowcount != 1:
            raise DomainError("invalid_state", "该绑定申请已审查，不能重复审查")
        binding = session.get(Binding, binding_id)
        session.refresh(binding)
        record_event(
            session,
            Outbox,
            "binding_decided",
            {
                "binding_id": binding.id,
                "lawyer_id": binding.lawyer_id,
                "case_no": binding.case_no,
                "court": binding.court,
                "party_name": binding.party_name,
                "decision": "approve" if status == "approved" else "reject",
                "explanation": explanation,
                "decided_at": clock.isoformat(now),
                "lawyer_phone": binding.lawyer_phone,  # for review's text of the decision
            },
        )
        return schemas.binding(binding, staff=True)


def revoke_binding(uow: UnitOfWork, actor: dict, binding_id: Any, body: Any) -> dict:
    """A clerk of the case's court revokes an approved binding (撤销绑定) with an explanation
    the lawyer reads. ``binding_revoked`` is announced, and if the lawyer is not also of
    record the representation ends (``representation_ended``) and their claim goes, all in
    the one transaction."""
    _require(actor, "clerk")
    with uow.read() as session:
        number = _visible_binding(session, actor, binding_id).case_no
    explanation = domain.parse_revocation(body)
    now = clock.utcnow()
    with uow.transaction() as session:
        _hold_case(session, number, exclusive=True)
        changed = session.execute(
            update(Binding)
            .where(and_(Binding.id == binding_id, Binding.status == "approved"))
            .values(status="revoked", revoked_at=now, revoked_by=actor.get("name"), explanation=explanation)
        )
        if changed.rowcount != 1:
            raise DomainError("invalid_state", "只能撤销已同意的绑定")
        binding = session.get(Binding, binding_id)
        session.refresh(binding)
        record_event(
            session,
            Outbox,
            "binding_revoked",
            {
                "binding_id": binding.id,
                "lawyer_id": binding.lawyer_id,
                "case_no": binding.case_no,
                "court": binding.court,
                "explanation": explanation,
                "revoked_at": clock.isoformat(now),
                "lawyer_phone": binding.lawyer_phone,
            },
        )
        claim = session.scalar(
            select(Claim).where(Claim.user_id == binding.lawyer_id, Claim.case_no == binding.case_no)
        )
        licenses = {n for n in (binding.license_no, claim.license_no if claim else None) if n}
        still_related = session.scalar(
            select(
                or_(
                    exists().where(CaseLawyer.case_no == binding.case_no, CaseLawyer.license_no.in_(licenses or [""])),
                    exists().where(
                        Binding.case_no == binding.case_no,
                        Binding.lawyer_id == binding.lawyer_id,
                        Binding.status == "approved",
                    ),
                )
            )
        )
        if not still_related:
            reason = domain.revocation_reason(explanation)
            _end(session, [(claim.id if claim else None, binding.lawyer_id, binding.case_no, reason)], now)
        return schemas.binding(binding, staff=True)


def queue_by_court(uow: UnitOfWork) -> list[tuple[str, int, float | None]]:
    """(court, pending bindings, age in seconds of the oldest) for the operators' dashboard."""
    with uow.read() as session:
        rows = session.execute(
            select(Binding.court, func.count(), func.min(Binding.applied_at))
            .where(Binding.status == "pending")
            .group_by(Binding.court)
        ).all()
    return metrics.queue_ages(rows)
