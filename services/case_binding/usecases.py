"""What the case_binding service does, step by step as the court's procedure goes. Functions
take the service's unit of work (``repository.unit_of_work``, or the unit tests' in-memory
one) so tests and the command-line import can call them without a broker."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from services.case_binding import domain, schemas
from services.case_binding.models import Binding, Case, Claim
from services.case_binding.repository import CaseBindingRepository, CaseBindingWork, chunks
from services.common.court import case_numbers, clock, verification
from services.common.court.verification import require_verified
from services.common.infra import metrics, paging
from services.common.infra.actor import Actor
from services.common.infra.db import Conflict
from services.common.infra.errors import DomainError, not_found, validation_error

log = logging.getLogger(__name__)

STAFF_ROLES = ("clerk", "archivist", "admin")
NO_CASE = "案件不存在，请核对案号"


def _role(actor: Any) -> str:
    if not isinstance(actor, dict) or not isinstance(actor.get("role"), str):
        raise DomainError("forbidden", "无法识别当前用户")
    return actor["role"]


def _require(actor: Any, *roles: str) -> None:
    if _role(actor) not in roles:
        raise DomainError("forbidden", "您无权执行此操作")


# -- the case directory -------------------------------------------------------------------


def import_cases(uow: CaseBindingWork, actor: Actor, body: Any) -> dict:
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


def upsert_cases(uow: CaseBindingWork, records: list[domain.CaseRecord]) -> int:
    """The feed is the source of truth: its cases are written with their parties and
    lawyers replaced wholesale, and readers whose claimed relation the new lists end are
    announced (representation_ended) in the same transaction."""
    now = clock.utcnow()
    with uow.transaction() as cases:
        for chunk in chunks(records, 2000):
            cases.write_feed(chunk, now)
            _claims_after_feed(cases, chunk, now)
    return len(records)


def staff_case(uow: CaseBindingWork, actor: Actor, case_no: Any) -> schemas.StaffCaseJson:
    """What a clerk or archivist needs beside an application: the case's status, cause,
    whether it has an electronic dossier, its parties and lawyers of record. Another
    court's case is as missing as none."""
    _require(actor, "clerk", "archivist")
    try:
        number = case_numbers.canonical(case_no)
    except DomainError:
        raise not_found(NO_CASE) from None
    with uow.read() as cases:
        case = cases.case(number)
        if case is None or case.court != actor.get("court"):
            raise not_found(NO_CASE)
        return schemas.staff_case(case, cases.parties_of(number), cases.lawyers_of(number))


def case_summary(uow: CaseBindingWork, case_no: Any) -> schemas.CaseSummary:
    number = case_numbers.canonical(case_no)
    with uow.read() as cases:
        case = cases.case(number)
        if case is None:
            raise not_found(NO_CASE)
        return schemas.case_summary(case)


def relation(uow: CaseBindingWork, actor: Actor, case_no: Any) -> dict:
    """What this user is to this case, in one round trip to the database. A party with no
    relation, like a staff member of another court, learns nothing: not_found."""
    require_verified(actor)
    number = case_numbers.canonical(case_no)
    with uow.read() as cases:
        return _relation(cases, actor, number)


def _relation(cases: CaseBindingRepository, actor: Actor, number: str) -> dict:
    role = _role(actor)
    facts = cases.relation_facts(actor, number)
    if facts is None:
        raise not_found(NO_CASE)
    case = facts.case
    answer = domain.strongest(set(facts.held))
    if role == "party" and answer == domain.NONE:
        raise not_found(NO_CASE)
    if role in STAFF_ROLES and role != "admin" and actor.get("court") != case.court:
        raise not_found(NO_CASE)
    answered = dict(schemas.case_summary(case), relation=answer, **domain.relation_answer(role, answer, case.status))
    acts_for = facts.acts_for.get(answer)
    if acts_for:  # for whom the reader acts: a lawyer's party, a 法定代表人's organisation
        answered["acts_for"] = acts_for
    return answered


def claim_relation(uow: CaseBindingWork, actor: Actor, case_no: Any) -> dict:
    """``relation``'s answer (and refusals), and when the reader holds a relation that can
    end (party, of record, bound) it is recorded as their claim to the case, so the end of
    it is announced. A lawyer reading an archived case on the four materials has none."""
    require_verified(actor)
    number = case_numbers.canonical(case_no)
    with uow.transaction() as cases:
        # a feed or a revocation committing meanwhile must see this claim, or it never ends
        cases.hold_case(number)
        answer = _relation(cases, actor, number)
        if answer["relation"] in domain.CLAIMABLE and actor.get("role") in ("party", "lawyer"):
            cases.record_claim(_claim_of(actor, number, answer["relation"]), clock.utcnow())
            # when it was claimed, so that an end announced after it is known to end it
            answer = dict(answer, claimed_at=clock.as_aware(clock.utcnow()).isoformat())
        return answer


def _claim_of(actor: Actor, number: str, held: str) -> domain.Claim:
    """The claim with the verified fields its relation was matched on."""
    return domain.Claim(
        user_id=actor["id"],
        case_no=number,
        role=actor["role"],
        name=actor.get("name") or "",
        id_number=actor.get("id_number"),
        license_no=actor.get("license_no"),
        relation=held,
    )


def _end(cases: CaseBindingRepository, ended: list[tuple[int | None, int, str, str]], now: datetime) -> None:
    """Relations that ended, as (claim row id or None, user id, case number, reason): the
    claims go, and ``representation_ended`` is recorded in the same transaction for the
    other services to end that user's reading of the case at once."""
    cases.drop_claims([claim_id for claim_id, *_ in ended if claim_id is not None])
    at = clock.as_aware(now).isoformat()  # to the microsecond: compared with claims' claimed_at
    for _, user_id, number, reason in ended:
        cases.announce("representation_ended", schemas.representation_ended_event(number, user_id, reason, at))


def _claims_after_feed(cases: CaseBindingRepository, chunk: list[domain.CaseRecord], now: datetime) -> None:
    """The feed replaced these cases' parties and lawyers: every claim on them is weighed
    against the new lists (and the lawyer's approved bindings); one whose relation is gone
    ends, one that weakens (of record to bound) is kept with its new relation. A few
    statements per chunk, whatever its size, and none for cases nobody claimed."""
    records = {r.case_no: r for r in chunk}
    rows = cases.claims_on(list(records))
    if not rows:
        return
    bound = cases.approved_bindings_on(sorted({row.case_no for row in rows if row.role == "lawyer"}))
    ended: list[tuple[int | None, int, str, str]] = []
    weakened = {}
    for row in rows:
        claim = _claim(row)
        record = records[claim.case_no]
        held = domain.claimed_relation(claim, record.parties, record.lawyers, (claim.user_id, claim.case_no) in bound)
        reason = domain.ended_reason(claim, held)
        if reason:
            ended.append((row.id, claim.user_id, claim.case_no, reason))
        elif held != claim.relation:
            weakened[row.id] = held
    cases.weaken_claims(weakened)
    if ended:
        _end(cases, ended, now)
        log.info("the feed ended %d readers' relation to their cases", len(ended))


def _claim(row: Claim) -> domain.Claim:
    return domain.Claim(row.user_id, row.case_no, row.role, row.name, row.id_number, row.license_no, row.relation)


def _page(items: Sequence[Mapping[str, object]], rows: list, limit: int) -> dict:
    more = len(rows) > limit
    return {"items": items[:limit], "next_cursor": str(rows[limit - 1].id) if more else None}


def my_cases(uow: CaseBindingWork, actor: Actor, limit: Any = None, cursor: Any = None) -> dict:
    """The caller's cases, newest first: a party's by verified name and ID number (their
    own or an organisation's representative's), a lawyer's of record and bound ones."""
    role = _role(actor)
    _require(actor, "party", "lawyer")
    require_verified(actor)
    limit, after = paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as cases:
        if role == "party":
            mine = cases.cases_as_party(actor.get("name") or "", actor.get("id_number") or "")
            relations = dict.fromkeys(mine, domain.PARTY)
        else:
            recorded = cases.cases_of_record(actor.get("license_no") or "")
            bound = cases.bound_cases(actor.get("id"))
            relations = {**dict.fromkeys(bound, domain.BOUND), **dict.fromkeys(recorded, domain.OF_RECORD)}
        rows = cases.cases_newest_first(list(relations), after, limit + 1)
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


def document_ingested(uow: CaseBindingWork, payload: dict) -> bool:
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
    with uow.transaction() as cases:
        if not cases.first_delivery(event_id):
            return False
        if not cases.mark_dossier_ingested(number):
            log.warning("document_ingested for a case not in the directory")
    return True


# -- bindings (案件绑定) -------------------------------------------------------------------


def apply_binding(
    uow: CaseBindingWork, actor: Actor, case_no: Any, party_name: Any, materials: Any, check_only: bool = False
) -> schemas.BindingJson | None:
    """A lawyer asks to be bound to an in-trial case for the party they represent.
    ``materials`` are as applications described them (ownership already verified).
    ``check_only`` refuses as the application would, and records nothing: the gateway
    asks it before granting the court's clerks the materials, so a refused binding opens
    nobody's files."""
    _require(actor, "lawyer")
    require_verified(actor)
    number = case_numbers.canonical(case_no)
    with uow.read() as cases:
        case = cases.case(number)
        if case is None:
            raise not_found(NO_CASE)
        name = domain.text_field(party_name, "party_name", max_len=100)
        if name not in cases.party_names_of(number):
            raise validation_error({"party_name": "不是本案当事人"}, "被代理人不是本案当事人，请核对姓名")
        listed = _materials(materials)
        missing = domain.missing_kinds(listed)
        if missing:
            raise DomainError("materials_missing", "请上传执业证和当事人授权委托书或法律援助公函", {"missing": missing})
        if cases.lawyer_of(number, actor["id"], [actor.get("license_no") or ""]):
            raise DomainError("already_related", "您已是本案代理律师或已绑定本案，无需再次绑定")
        if case.status != "in_trial":
            raise DomainError("invalid_state", "该案件已归档，律师无需绑定即可申请阅卷")
        if cases.has_pending_binding(actor["id"], number):
            raise _duplicate()
    if check_only:
        return None
    try:
        with uow.transaction() as cases:
            binding = cases.add_binding(_new_binding(actor, case, name, listed))
            return schemas.binding(binding)
    except Conflict:  # a concurrent twin got in first
        raise _duplicate() from None


def _new_binding(actor: Actor, case: Case, party_name: str, materials: list[dict]) -> Binding:
    return Binding(
        case_no=case.case_no,
        court=case.court,
        lawyer_id=actor["id"],
        lawyer_name=actor.get("name") or "",
        lawyer_phone=str(actor["phone"])[:20] if actor.get("phone") else None,
        license_no=actor.get("license_no"),
        law_firm=actor.get("law_firm"),
        party_name=party_name,
        materials=json.dumps(materials, ensure_ascii=False),
        status="pending",
        applied_at=clock.utcnow(),
    )


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


def list_bindings(
    uow: CaseBindingWork, actor: Actor, status: Any = None, limit: Any = None, cursor: Any = None
) -> dict:
    """A lawyer's own binding applications, newest first."""
    _require(actor, "lawyer")
    wanted, limit, after = domain.parse_status_filter(status), paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as cases:
        rows = cases.bindings_of_lawyer(actor["id"], wanted, after, limit + 1)
    return _page([schemas.binding(b) for b in rows], rows, limit)


def _visible_binding(cases: CaseBindingRepository, actor: Actor, binding_id: Any) -> Binding:
    """The binding if this user may see it: its lawyer, or a clerk of its court."""
    if isinstance(binding_id, bool) or not isinstance(binding_id, int):
        raise not_found("绑定申请不存在")
    binding = cases.binding(binding_id)
    role = _role(actor)
    visible = binding is not None and (
        (role == "lawyer" and binding.lawyer_id == actor.get("id"))
        or (role == "clerk" and binding.court == actor.get("court"))
    )
    if binding is None or not visible:
        raise not_found("绑定申请不存在")
    return binding


def get_binding(uow: CaseBindingWork, actor: Actor, binding_id: Any) -> schemas.BindingJson:
    with uow.read() as cases:
        return schemas.binding(_visible_binding(cases, actor, binding_id))


def staff_bindings(
    uow: CaseBindingWork,
    actor: Actor,
    status: Any = None,
    limit: Any = None,
    cursor: Any = None,
    verifications: verification.Accounts | None = None,
) -> dict:
    """The binding queue of the clerk's own court, oldest first, each with how its lawyer
    was verified (实名认证) when ``verifications`` can tell."""
    _require(actor, "clerk")
    wanted, limit, after = domain.parse_status_filter(status), paging.limit_of(limit), paging.id_after(cursor)
    with uow.read() as cases:
        rows = cases.queue_of_court(actor.get("court") or "", wanted, after, limit + 1)
    states = verification.states_of(verifications, [b.lawyer_id for b in rows[:limit]]) if verifications else {}
    items = []
    for row in rows:
        item = schemas.staff_binding(row)
        item["verification"] = states.get(row.lawyer_id)
        items.append(item)
    return _page(items, rows, limit)


def decide_binding(uow: CaseBindingWork, actor: Actor, binding_id: Any, body: Any) -> schemas.StaffBindingJson:
    """A clerk of the case's court approves or rejects; the decision and its announcement
    (binding_decided) commit together through the outbox."""
    _require(actor, "clerk")
    with uow.read() as cases:
        _visible_binding(cases, actor, binding_id)
    status, explanation = domain.parse_decision(body)
    now = clock.utcnow()
    with uow.transaction() as cases:
        binding = cases.decide_pending(
            binding_id, status=status, decided_at=now, decided_by=actor.get("name"), explanation=explanation
        )
        if binding is None:
            raise DomainError("invalid_state", "该绑定申请已审查，不能重复审查")
        cases.announce(
            "binding_decided",
            schemas.binding_decided_event(
                binding,
                decision="approve" if status == "approved" else "reject",
                explanation=explanation,
                decided_at=clock.isoformat(now),
            ),
        )
        return schemas.staff_binding(binding)


def revoke_binding(uow: CaseBindingWork, actor: Actor, binding_id: Any, body: Any) -> schemas.StaffBindingJson:
    """A clerk of the case's court revokes an approved binding (撤销绑定) with an explanation
    the lawyer reads. ``binding_revoked`` is announced, and if the lawyer is not also of
    record the representation ends (``representation_ended``) and their claim goes, all in
    the one transaction."""
    _require(actor, "clerk")
    with uow.read() as cases:
        number = _visible_binding(cases, actor, binding_id).case_no
    explanation = domain.parse_revocation(body)
    now = clock.utcnow()
    with uow.transaction() as cases:
        cases.hold_case(number, exclusive=True)  # a claim being recorded now is weighed here
        binding = cases.revoke_approved(
            binding_id, revoked_at=now, revoked_by=actor.get("name"), explanation=explanation
        )
        if binding is None:
            raise DomainError("invalid_state", "只能撤销已同意的绑定")
        cases.announce(
            "binding_revoked",
            schemas.binding_revoked_event(binding, explanation=explanation, revoked_at=clock.isoformat(now)),
        )
        claim = cases.claim_of(binding.lawyer_id, binding.case_no)
        licenses = {n for n in (binding.license_no, claim.license_no if claim else None) if n}
        if not cases.lawyer_of(binding.case_no, binding.lawyer_id, licenses or [""]):
            reason = domain.revocation_reason(explanation)
            _end(cases, [(claim.id if claim else None, binding.lawyer_id, binding.case_no, reason)], now)
        return schemas.staff_binding(binding)


def queue_by_court(uow: CaseBindingWork) -> list[tuple[str, int, float | None]]:
    """(court, pending bindings, age in seconds of the oldest) for the operators' dashboard."""
    with uow.read() as cases:
        return metrics.queue_ages(cases.pending_by_court())
