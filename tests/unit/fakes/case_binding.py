"""case_binding's repository in memory (``services.case_binding.repository``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.case_binding import domain
from services.case_binding.models import Binding, Case, CaseLawyer, CaseParty, Claim
from services.case_binding.repository import RelationFacts
from services.common.infra.db import Conflict
from tests.unit.fakes import FakeMessages, FakeUnitOfWork


class FakeCaseBindingRepository(FakeMessages):
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.parties: list[CaseParty] = []
        self.lawyers: list[CaseLawyer] = []
        self.bindings: dict[int, Binding] = {}
        self.claims: dict[tuple[int, str], Claim] = {}
        self.events: list[tuple[str, dict]] = []
        self.heard: set[str] = set()
        self.held: list[tuple[str, bool]] = []  # hold_case calls, to see a use case takes turns
        self._ids = itertools.count(1)

    # -- the case directory
    def case(self, case_no: str) -> Case | None:
        return self.cases.get(case_no)

    def parties_of(self, case_no: str) -> list[CaseParty]:
        return [p for p in self.parties if p.case_no == case_no]

    def lawyers_of(self, case_no: str) -> list[CaseLawyer]:
        return [lw for lw in self.lawyers if lw.case_no == case_no]

    def party_names_of(self, case_no: str) -> set[str]:
        return {p.name for p in self.parties_of(case_no)}

    def write_feed(self, records: list[domain.CaseRecord], now: datetime) -> None:
        numbers = {r.case_no for r in records}
        self.parties = [p for p in self.parties if p.case_no not in numbers]
        self.lawyers = [lw for lw in self.lawyers if lw.case_no not in numbers]
        for r in records:
            case = self.cases.get(r.case_no) or Case(id=next(self._ids), case_no=r.case_no, dossier_ingested=False)
            case.court, case.cause, case.status = r.court, r.cause, r.status
            case.has_electronic_dossier, case.updated_at = r.has_electronic_dossier, now
            self.cases[r.case_no] = case
            for p in r.parties:
                rep = p.representative
                self.parties.append(
                    CaseParty(
                        id=next(self._ids),
                        case_no=r.case_no,
                        name=p.name,
                        id_number=p.id_number,
                        side=p.side,
                        credit_code=p.credit_code,
                        representative_name=rep.name if rep else None,
                        representative_id_number=rep.id_number if rep else None,
                    )
                )
            for lw in r.lawyers:
                self.lawyers.append(
                    CaseLawyer(
                        id=next(self._ids),
                        case_no=r.case_no,
                        name=lw.name,
                        license_no=lw.license_no,
                        party_name=lw.party_name,
                    )
                )

    def mark_dossier_ingested(self, case_no: str) -> bool:
        case = self.cases.get(case_no)
        if case is not None:
            case.dossier_ingested = True
        return case is not None

    def hold_case(self, case_no: str, *, exclusive: bool = False) -> None:
        self.held.append((case_no, exclusive))

    def _is_the_party(self, p: CaseParty, name: str, id_number: str) -> bool:
        return (p.id_number == id_number and p.name == name) or (
            p.representative_id_number == id_number and p.representative_name == name
        )

    def relation_facts(self, actor: dict, case_no: str) -> RelationFacts | None:
        case = self.cases.get(case_no)
        if case is None:
            return None
        held, acts_for = set(), {}
        name, id_number = actor.get("name") or "", actor.get("id_number") or ""
        if actor.get("role") == "party":
            if any(self._is_the_party(p, name, id_number) for p in self.parties_of(case_no)):
                held.add(domain.PARTY)
            acts_for[domain.PARTY] = next(
                (
                    p.name
                    for p in self.parties_of(case_no)
                    if p.representative_id_number == id_number and p.representative_name == name
                ),
                None,
            )
        elif actor.get("role") == "lawyer":
            recorded = [lw for lw in self.lawyers_of(case_no) if lw.license_no == (actor.get("license_no") or "")]
            bound = [b for b in self._approved(case_no) if b.lawyer_id == actor.get("id")]
            if recorded:
                held.add(domain.OF_RECORD)
                acts_for[domain.OF_RECORD] = recorded[0].party_name
            if bound:
                held.add(domain.BOUND)
                acts_for[domain.BOUND] = max(bound, key=lambda b: b.id).party_name
        return RelationFacts(case=case, held=frozenset(held), acts_for=acts_for)

    # -- a reader's own cases
    def cases_as_party(self, name: str, id_number: str) -> list[str]:
        return [p.case_no for p in self.parties if self._is_the_party(p, name, id_number)]

    def cases_of_record(self, license_no: str) -> list[str]:
        return [lw.case_no for lw in self.lawyers if lw.license_no == license_no]

    def bound_cases(self, lawyer_id: Any) -> list[str]:
        return [b.case_no for b in self.bindings.values() if b.lawyer_id == lawyer_id and b.status == "approved"]

    def cases_newest_first(self, case_nos: list[str], before_id: int | None, limit: int) -> list[Case]:
        found = [c for n, c in self.cases.items() if n in case_nos and (before_id is None or c.id < before_id)]
        return sorted(found, key=lambda c: -c.id)[:limit]

    # -- claims
    def record_claim(self, claim: domain.Claim, at: datetime) -> None:
        known = self.claims.get((claim.user_id, claim.case_no))
        row = Claim(id=known.id if known else next(self._ids), claimed_at=at, **vars(claim))
        self.claims[(claim.user_id, claim.case_no)] = row

    def claims_on(self, case_nos: list[str]) -> list[Claim]:
        return [c for c in self.claims.values() if c.case_no in case_nos]

    def claim_of(self, user_id: int, case_no: str) -> Claim | None:
        return self.claims.get((user_id, case_no))

    def weaken_claims(self, relations: dict[int, str]) -> None:
        for claim in self.claims.values():
            claim.relation = relations.get(claim.id, claim.relation)

    def drop_claims(self, claim_ids: list[int]) -> None:
        self.claims = {k: c for k, c in self.claims.items() if c.id not in claim_ids}

    # -- bindings
    def binding(self, binding_id: int) -> Binding | None:
        return self.bindings.get(binding_id)

    def add_binding(self, binding: Binding) -> Binding:
        # the database's partial unique index, whatever the use case checked before
        if FakeCaseBindingRepository.has_pending_binding(self, binding.lawyer_id, binding.case_no):
            raise Conflict()
        binding.id = next(self._ids)
        self.bindings[binding.id] = binding
        return binding

    def has_pending_binding(self, lawyer_id: int, case_no: str) -> bool:
        return any(
            b.lawyer_id == lawyer_id and b.case_no == case_no and b.status == "pending" for b in self.bindings.values()
        )

    def _approved(self, case_no: str) -> list[Binding]:
        return [b for b in self.bindings.values() if b.case_no == case_no and b.status == "approved"]

    def lawyer_of(self, case_no: str, lawyer_id: Any, licenses: Iterable[str]) -> bool:
        licenses = set(licenses)
        return any(lw.license_no in licenses for lw in self.lawyers_of(case_no)) or any(
            b.lawyer_id == lawyer_id for b in self._approved(case_no)
        )

    def approved_bindings_on(self, case_nos: list[str]) -> set[tuple[int, str]]:
        return {(b.lawyer_id, b.case_no) for n in case_nos for b in self._approved(n)}

    def bindings_of_lawyer(self, lawyer_id: int, status: str | None, before_id: int | None, limit: int) -> list:
        rows = [
            b
            for b in self.bindings.values()
            if b.lawyer_id == lawyer_id
            and (not status or b.status == status)
            and (before_id is None or b.id < before_id)
        ]
        return sorted(rows, key=lambda b: -b.id)[:limit]

    def queue_of_court(self, court: str, status: str | None, after_id: int | None, limit: int) -> list[Binding]:
        rows = [
            b
            for b in self.bindings.values()
            if b.court == court and (not status or b.status == status) and (after_id is None or b.id > after_id)
        ]
        return sorted(rows, key=lambda b: b.id)[:limit]

    def _change_if(self, binding_id: int, status_now: str, values: dict) -> Binding | None:
        binding = self.bindings.get(binding_id)
        if binding is None or binding.status != status_now:
            return None
        for name, value in values.items():
            setattr(binding, name, value)
        return binding

    def decide_pending(self, binding_id: int, **decision: Any) -> Binding | None:
        return self._change_if(binding_id, "pending", decision)

    def revoke_approved(self, binding_id: int, **revocation: Any) -> Binding | None:
        return self._change_if(binding_id, "approved", dict(revocation, status="revoked"))

    def pending_by_court(self) -> list[tuple[str, int, datetime]]:
        courts: dict[str, list[datetime]] = {}
        for b in self.bindings.values():
            if b.status == "pending":
                courts.setdefault(b.court, []).append(b.applied_at)
        return [(court, len(times), min(times)) for court, times in courts.items()]


def fake_unit_of_work() -> FakeUnitOfWork[FakeCaseBindingRepository]:
    return FakeUnitOfWork(FakeCaseBindingRepository())
