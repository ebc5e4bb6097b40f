"""case_binding's persistence: the case directory, readers' claims and binding applications
as the use cases ask for them. ``CaseBindingRepository`` is what the use cases may ask;
``SqlRepository`` answers it from the service's own database (SQLite or PostgreSQL), the
unit tests' fake from memory (tests/unit/fakes/case_binding.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.case_binding import domain
from services.case_binding.models import Binding, Case, CaseLawyer, CaseParty, Claim, Inbox, Outbox
from services.common.infra.actor import Actor
from services.common.infra.db import (
    RepositoryUnitOfWork,
    UnitOfWork,
    UnitOfWorkOf,
    add_unique,
    affected,
    table_of,
)
from services.common.infra.messaging import Messages, OutboxAndInbox

CHUNK = 500  # rows per statement: well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class RelationFacts:
    """What the directory holds about one reader and one case: the case, the relations the
    reader holds to it (``domain.PARTY``, ``OF_RECORD``, ``BOUND``) and, for each, for whom
    they act (a lawyer's party, the organisation a 法定代表人 speaks for)."""

    case: Case
    held: frozenset[str]
    acts_for: dict[str, str | None] = field(default_factory=dict)


class CaseBindingRepository(Messages, Protocol):
    # -- the case directory
    def case(self, case_no: str) -> Case | None: ...
    def parties_of(self, case_no: str) -> list[CaseParty]: ...
    def lawyers_of(self, case_no: str) -> list[CaseLawyer]: ...
    def party_names_of(self, case_no: str) -> set[str]: ...
    def write_feed(self, records: list[domain.CaseRecord], now: datetime) -> None:
        """Upsert these cases and replace their parties and lawyers: the feed is the source."""

    def mark_dossier_ingested(self, case_no: str) -> bool: ...
    def hold_case(self, case_no: str, *, exclusive: bool = False) -> None:
        """Take turns with whatever else changes or weighs who relates to the case."""

    def relation_facts(self, actor: Actor, case_no: str) -> RelationFacts | None: ...

    # -- a reader's own cases
    def cases_as_party(self, name: str, id_number: str) -> list[str]: ...
    def cases_of_record(self, license_no: str) -> list[str]: ...
    def bound_cases(self, lawyer_id: Any) -> list[str]: ...
    def cases_newest_first(self, case_nos: list[str], before_id: int | None, limit: int) -> list[Case]: ...

    # -- claims (claim_relation)
    def record_claim(self, claim: domain.Claim, at: datetime) -> None: ...
    def claims_on(self, case_nos: list[str]) -> list[Claim]: ...
    def claim_of(self, user_id: int, case_no: str) -> Claim | None: ...
    def weaken_claims(self, relations: dict[int, str]) -> None: ...
    def drop_claims(self, claim_ids: list[int]) -> None: ...

    # -- bindings (案件绑定)
    def binding(self, binding_id: int) -> Binding | None: ...
    def add_binding(self, binding: Binding) -> Binding:
        """Raises ``Conflict`` when a twin is already pending."""

    def has_pending_binding(self, lawyer_id: int, case_no: str) -> bool: ...
    def lawyer_of(self, case_no: str, lawyer_id: Any, licenses: Iterable[str]) -> bool:
        """A lawyer of record (by any of ``licenses``) or bound by an approved binding."""

    def approved_bindings_on(self, case_nos: list[str]) -> set[tuple[int, str]]: ...
    def bindings_of_lawyer(
        self, lawyer_id: int, status: str | None, before_id: int | None, limit: int
    ) -> list[Binding]:
        """Newest first."""

    def queue_of_court(self, court: str, status: str | None, after_id: int | None, limit: int) -> list[Binding]:
        """Oldest first."""

    def decide_pending(self, binding_id: int, **decision: Any) -> Binding | None:
        """The decision written if the binding is still pending; None once it is not."""

    def revoke_approved(self, binding_id: int, **revocation: Any) -> Binding | None:
        """The revocation written if the binding is approved; None otherwise."""

    def pending_by_court(self) -> list[tuple[str, int, datetime]]: ...


CaseBindingWork = UnitOfWorkOf[CaseBindingRepository]


def unit_of_work(uow: UnitOfWork) -> RepositoryUnitOfWork[CaseBindingRepository]:
    return RepositoryUnitOfWork(uow, SqlRepository)


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is_the_party(name: str, id_number: str):
    """The rows that make this verified person a party (``domain.is_the_person`` in SQL):
    their own (name and ID number), or an organisation's whose 法定代表人 they are. An
    organisation has no ID number, so its own row never matches a person."""
    return or_(
        and_(CaseParty.id_number == id_number, CaseParty.name == name),
        and_(CaseParty.representative_id_number == id_number, CaseParty.representative_name == name),
    )


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


class SqlRepository(OutboxAndInbox, outbox=Outbox, inbox=Inbox):
    def __init__(self, session: Session):
        self.session = session

    def _insert(self, table):
        dialect = postgresql if self.session.connection().dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # -- the case directory ---------------------------------------------------------------

    def case(self, case_no: str) -> Case | None:
        return self.session.scalar(select(Case).where(Case.case_no == case_no))

    def parties_of(self, case_no: str) -> list[CaseParty]:
        return list(self.session.scalars(select(CaseParty).where(CaseParty.case_no == case_no).order_by(CaseParty.id)))

    def lawyers_of(self, case_no: str) -> list[CaseLawyer]:
        query = select(CaseLawyer).where(CaseLawyer.case_no == case_no).order_by(CaseLawyer.id)
        return list(self.session.scalars(query))

    def party_names_of(self, case_no: str) -> set[str]:
        return set(self.session.scalars(select(CaseParty.name).where(CaseParty.case_no == case_no)))

    def write_feed(self, records: list[domain.CaseRecord], now: datetime) -> None:
        """INSERT ... ON CONFLICT as one executemany (batched into multi-row statements by
        the driver layer, not one ORM object per row), and the parties and lawyers of those
        cases deleted and inserted again."""
        cases, parties, lawyers = table_of(Case), table_of(CaseParty), table_of(CaseLawyer)
        conn = self.session.connection()
        stmt = self._insert(cases)
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
                for r in records
            ],
        )
        for part in chunks([r.case_no for r in records]):
            conn.execute(parties.delete().where(parties.c.case_no.in_(part)))
            conn.execute(lawyers.delete().where(lawyers.c.case_no.in_(part)))
        party_rows = [_party_row(r.case_no, p) for r in records for p in r.parties]
        lawyer_rows = [
            {"case_no": r.case_no, "name": lw.name, "license_no": lw.license_no, "party_name": lw.party_name}
            for r in records
            for lw in r.lawyers
        ]
        if party_rows:
            conn.execute(parties.insert(), party_rows)
        if lawyer_rows:
            conn.execute(lawyers.insert(), lawyer_rows)

    def mark_dossier_ingested(self, case_no: str) -> bool:
        changed = self.session.execute(update(Case).where(Case.case_no == case_no).values(dossier_ingested=True))
        return affected(changed) > 0

    def hold_case(self, case_no: str, *, exclusive: bool = False) -> None:
        """Serialise this transaction with the others that change or weigh who relates to
        the case: the feed (whose upsert updates the case row), a binding's revocation and
        a claim. Without it a claim read just before a re-import or a revocation commits
        would be written just after, unseen by it, and never end. PostgreSQL: the case row,
        shared by claims (they run side by side) and exclusive for a revocation; SQLite: a
        no-op write takes the database's single write lock, and the reads after it see
        every earlier commit."""
        if self.session.connection().dialect.name == "postgresql":
            self.session.execute(select(Case.id).where(Case.case_no == case_no).with_for_update(read=not exclusive))
        else:
            self.session.execute(update(Case).where(Case.case_no == case_no).values(id=Case.id))

    def relation_facts(self, actor: Actor, case_no: str) -> RelationFacts | None:
        """One round trip: the case and every relation the actor's role can hold to it."""
        role = actor.get("role")
        name, id_number = actor.get("name") or "", actor.get("id_number") or ""
        is_party: ColumnElement[Any] = literal(False)
        is_of_record: ColumnElement[Any] = literal(False)
        is_bound: ColumnElement[Any] = literal(False)
        party_for: ColumnElement[Any] = literal(None)
        record_for: ColumnElement[Any] = literal(None)
        bound_for: ColumnElement[Any] = literal(None)
        if role == "party":
            is_party = exists().where(CaseParty.case_no == case_no, _is_the_party(name, id_number))
            party_for = (
                select(CaseParty.name)
                .where(
                    CaseParty.case_no == case_no,
                    CaseParty.representative_id_number == id_number,
                    CaseParty.representative_name == name,
                )
                .limit(1)
                .scalar_subquery()
            )
        elif role == "lawyer":
            of_record = and_(CaseLawyer.case_no == case_no, CaseLawyer.license_no == (actor.get("license_no") or ""))
            approved = and_(
                Binding.case_no == case_no, Binding.lawyer_id == actor.get("id"), Binding.status == "approved"
            )
            is_of_record = exists().where(of_record)
            is_bound = exists().where(approved)
            record_for = select(CaseLawyer.party_name).where(of_record).limit(1).scalar_subquery()
            bound_for = (
                select(Binding.party_name).where(approved).order_by(Binding.id.desc()).limit(1).scalar_subquery()
            )
        row = self.session.execute(
            select(
                Case,
                is_party.label("party"),
                is_of_record.label("of_record"),
                is_bound.label("bound"),
                party_for.label("party_for"),
                record_for.label("record_for"),
                bound_for.label("bound_for"),
            ).where(Case.case_no == case_no)
        ).first()
        if row is None:
            return None
        flags = ((domain.PARTY, row.party), (domain.OF_RECORD, row.of_record), (domain.BOUND, row.bound))
        return RelationFacts(
            case=row[0],
            held=frozenset(relation for relation, flag in flags if flag),
            acts_for={domain.PARTY: row.party_for, domain.OF_RECORD: row.record_for, domain.BOUND: row.bound_for},
        )

    # -- a reader's own cases ---------------------------------------------------------------
    # The person's own rows first (indexed by ID number, a representative's ID number, license
    # or lawyer), then their cases: driving from the directory would scan every case.

    def cases_as_party(self, name: str, id_number: str) -> list[str]:
        return list(self.session.scalars(select(CaseParty.case_no).where(_is_the_party(name, id_number))))

    def cases_of_record(self, license_no: str) -> list[str]:
        return list(self.session.scalars(select(CaseLawyer.case_no).where(CaseLawyer.license_no == license_no)))

    def bound_cases(self, lawyer_id: Any) -> list[str]:
        query = select(Binding.case_no).where(Binding.lawyer_id == lawyer_id, Binding.status == "approved")
        return list(self.session.scalars(query))

    def cases_newest_first(self, case_nos: list[str], before_id: int | None, limit: int) -> list[Case]:
        if not case_nos:
            return []
        query = select(Case).where(Case.case_no.in_(case_nos))
        if before_id is not None:
            query = query.where(Case.id < before_id)
        return list(self.session.scalars(query.order_by(Case.id.desc()).limit(limit)))

    # -- claims ---------------------------------------------------------------------------

    def record_claim(self, claim: domain.Claim, at: datetime) -> None:
        """One claim per reader and case: claiming again refreshes what it was matched on."""
        claims = table_of(Claim)
        row = {
            "user_id": claim.user_id,
            "case_no": claim.case_no,
            "role": claim.role,
            "name": claim.name,
            "id_number": claim.id_number,
            "license_no": claim.license_no,
            "relation": claim.relation,
            "claimed_at": at,
        }
        stmt = self._insert(claims).values(row)
        refreshed = {k: getattr(stmt.excluded, k) for k in row if k not in ("user_id", "case_no")}
        self.session.connection().execute(
            stmt.on_conflict_do_update(index_elements=[claims.c.user_id, claims.c.case_no], set_=refreshed)
        )

    def claims_on(self, case_nos: list[str]) -> list[Claim]:
        rows: list[Claim] = []
        for part in chunks(case_nos):
            rows += self.session.scalars(select(Claim).where(Claim.case_no.in_(part))).all()
        return rows

    def claim_of(self, user_id: int, case_no: str) -> Claim | None:
        return self.session.scalar(select(Claim).where(Claim.user_id == user_id, Claim.case_no == case_no))

    def weaken_claims(self, relations: dict[int, str]) -> None:
        if not relations:
            return
        claims = table_of(Claim)
        self.session.execute(
            update(claims).where(claims.c.id == bindparam("claim_id")).values(relation=bindparam("held")),
            [{"claim_id": claim_id, "held": held} for claim_id, held in relations.items()],
        )

    def drop_claims(self, claim_ids: list[int]) -> None:
        claims = table_of(Claim)
        for part in chunks(claim_ids):
            self.session.execute(claims.delete().where(claims.c.id.in_(part)))

    # -- bindings ---------------------------------------------------------------------------

    def binding(self, binding_id: int) -> Binding | None:
        return self.session.get(Binding, binding_id)

    def add_binding(self, binding: Binding) -> Binding:
        add_unique(self.session, binding)  # the partial unique index: one pending per lawyer and case
        return binding

    def has_pending_binding(self, lawyer_id: int, case_no: str) -> bool:
        query = select(Binding.id).where(
            Binding.case_no == case_no, Binding.lawyer_id == lawyer_id, Binding.status == "pending"
        )
        return self.session.scalar(query) is not None

    def lawyer_of(self, case_no: str, lawyer_id: Any, licenses: Iterable[str]) -> bool:
        return bool(
            self.session.scalar(
                select(
                    or_(
                        exists().where(CaseLawyer.case_no == case_no, CaseLawyer.license_no.in_(list(licenses))),
                        exists().where(
                            Binding.case_no == case_no, Binding.lawyer_id == lawyer_id, Binding.status == "approved"
                        ),
                    )
                )
            )
        )

    def approved_bindings_on(self, case_nos: list[str]) -> set[tuple[int, str]]:
        bound: set[tuple[int, str]] = set()
        for part in chunks(case_nos):
            approved = select(Binding.lawyer_id, Binding.case_no).where(
                Binding.case_no.in_(part), Binding.status == "approved"
            )
            bound.update((lawyer_id, case_no) for lawyer_id, case_no in self.session.execute(approved))
        return bound

    def bindings_of_lawyer(
        self, lawyer_id: int, status: str | None, before_id: int | None, limit: int
    ) -> list[Binding]:
        query = select(Binding).where(Binding.lawyer_id == lawyer_id)
        if status:
            query = query.where(Binding.status == status)
        if before_id is not None:
            query = query.where(Binding.id < before_id)
        return list(self.session.scalars(query.order_by(Binding.id.desc()).limit(limit)))

    def queue_of_court(self, court: str, status: str | None, after_id: int | None, limit: int) -> list[Binding]:
        query = select(Binding).where(Binding.court == court)
        if status:
            query = query.where(Binding.status == status)
        if after_id is not None:
            query = query.where(Binding.id > after_id)
        return list(self.session.scalars(query.order_by(Binding.id).limit(limit)))

    def _change_if(self, binding_id: int, status_now: str, values: dict) -> Binding | None:
        """A guarded update: two clerks at once cannot both decide (or revoke) one binding."""
        changed = self.session.execute(
            update(Binding).where(and_(Binding.id == binding_id, Binding.status == status_now)).values(**values)
        )
        if affected(changed) != 1:
            return None
        binding = self.session.get(Binding, binding_id)
        self.session.refresh(binding)
        return binding

    def decide_pending(self, binding_id: int, **decision: Any) -> Binding | None:
        return self._change_if(binding_id, "pending", decision)

    def revoke_approved(self, binding_id: int, **revocation: Any) -> Binding | None:
        return self._change_if(binding_id, "approved", dict(revocation, status="revoked"))

    def pending_by_court(self) -> list[tuple[str, int, datetime]]:
        query = (
            select(Binding.court, func.count(), func.min(Binding.applied_at))
            .where(Binding.status == "pending")
            .group_by(Binding.court)
        )
        return [tuple(row) for row in self.session.execute(query)]
