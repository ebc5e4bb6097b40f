"""case_binding's repository on a real database (SQLite, and PostgreSQL with --postgres):
the SQL the use cases rely on, and one procedure end to end over it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.case_binding import domain, repository, usecases
from services.case_binding.models import Binding, Outbox
from services.common.infra.db import Conflict
from tests.support import new_id_number

CASE = "（2021）粤01民初1号"
COURT = "广东省广州市中级人民法院"
LICENSE = "14401201910000001"
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def uow(database) -> repository.CaseBindingWork:
    return repository.unit_of_work(database("case_binding"))


def record(
    number: str = CASE, *, person: str, status: str = "in_trial", lawyers=True, company=None
) -> domain.CaseRecord:
    parties = [domain.Party("张三", person, "原告")]
    if company:
        parties.append(domain.Party("某某公司", None, "被告", company, domain.Representative("赵六", person)))
    lawyer = (domain.Lawyer("王律师", LICENSE, "张三"),) if lawyers else ()
    return domain.CaseRecord(number, COURT, "买卖合同纠纷", status, False, tuple(parties), lawyer)


def binding(status: str = "pending", lawyer_id: int = 20, party_name: str = "张三") -> Binding:
    return Binding(
        case_no=CASE,
        court=COURT,
        lawyer_id=lawyer_id,
        lawyer_name="王律师",
        party_name=party_name,
        materials="[]",
        status=status,
        applied_at=NOW,
    )


def test_the_feed_upserts_cases_and_replaces_their_people(uow):
    person = new_id_number()
    with uow.transaction() as cases:
        cases.write_feed([record(person=person)], NOW)
        assert cases.mark_dossier_ingested(CASE) and not cases.mark_dossier_ingested("（2021）粤01民初9号")
    with uow.transaction() as cases:
        cases.write_feed([record(person=person, status="archived", lawyers=False)], NOW)
    with uow.read() as cases:
        case = cases.case(CASE)
        assert case.status == "archived" and case.dossier_ingested  # a re-import keeps what dossier said
        assert [p.name for p in cases.parties_of(CASE)] == ["张三"] and cases.lawyers_of(CASE) == []
        assert cases.party_names_of(CASE) == {"张三"}


def test_relation_facts_hold_every_relation_and_for_whom(uow):
    person = new_id_number()
    with uow.transaction() as cases:
        cases.write_feed([record(person=person, company="91440101MA59XXXX0X")], NOW)
        cases.add_binding(binding("approved", party_name="某某公司"))
    with uow.read() as cases:
        as_party = cases.relation_facts({"role": "party", "name": "张三", "id_number": person}, CASE)
        as_representative = cases.relation_facts({"role": "party", "name": "赵六", "id_number": person}, CASE)
        stranger = cases.relation_facts({"role": "party", "name": "张三", "id_number": new_id_number()}, CASE)
        as_lawyer = cases.relation_facts({"role": "lawyer", "id": 20, "license_no": LICENSE}, CASE)
        missing = cases.relation_facts({"role": "party", "name": "张三", "id_number": person}, "（2021）粤01民初9号")
    assert as_party.held == {domain.PARTY} and as_party.acts_for[domain.PARTY] is None
    assert as_representative.held == {domain.PARTY} and as_representative.acts_for[domain.PARTY] == "某某公司"
    assert stranger.held == set() and stranger.case.case_no == CASE
    assert as_lawyer.held == {domain.OF_RECORD, domain.BOUND}
    assert as_lawyer.acts_for[domain.OF_RECORD] == "张三" and as_lawyer.acts_for[domain.BOUND] == "某某公司"
    assert missing is None


def test_a_second_pending_binding_is_refused_by_the_database(uow):
    with uow.transaction() as cases:
        cases.write_feed([record(person=new_id_number(), lawyers=False)], NOW)
        first = cases.add_binding(binding())
        assert cases.has_pending_binding(20, CASE) and not cases.has_pending_binding(21, CASE)
    with pytest.raises(Conflict), uow.transaction() as cases:
        cases.add_binding(binding())
    with uow.read() as cases:
        assert [b.id for b in cases.bindings_of_lawyer(20, None, None, 10)] == [first.id]


def test_a_decision_is_written_once_and_a_revocation_only_after_approval(uow):
    with uow.transaction() as cases:
        cases.write_feed([record(person=new_id_number(), lawyers=False)], NOW)
        binding_id = cases.add_binding(binding()).id
    with uow.transaction() as cases:
        assert cases.revoke_approved(binding_id, revoked_at=NOW, revoked_by="审查员", explanation="x") is None
        decided = cases.decide_pending(binding_id, status="approved", decided_at=NOW, decided_by="审查员")
        assert decided.status == "approved" and decided.decided_by == "审查员"
        assert cases.decide_pending(binding_id, status="rejected", decided_at=NOW) is None
        assert cases.lawyer_of(CASE, 20, [""]) and cases.approved_bindings_on([CASE]) == {(20, CASE)}
        assert cases.bound_cases(20) == [CASE]
    with uow.transaction() as cases:
        cases.hold_case(CASE, exclusive=True)
        revoked = cases.revoke_approved(binding_id, revoked_at=NOW, revoked_by="审查员", explanation="委托已解除")
        assert revoked.status == "revoked" and revoked.explanation == "委托已解除"
        assert not cases.lawyer_of(CASE, 20, [""])


def test_queues_and_lists_page_by_id(uow):
    with uow.transaction() as cases:
        cases.write_feed([record(person=new_id_number(), lawyers=False)], NOW)
        ids = [cases.add_binding(binding(lawyer_id=lawyer_id)).id for lawyer_id in (20, 21, 22)]
        cases.decide_pending(ids[1], status="rejected", decided_at=NOW)
    with uow.read() as cases:
        assert [b.id for b in cases.queue_of_court(COURT, None, None, 10)] == ids
        assert [b.id for b in cases.queue_of_court(COURT, "pending", ids[0], 10)] == [ids[2]]
        assert cases.queue_of_court("另一法院", None, None, 10) == []
        [(court, pending, oldest)] = cases.pending_by_court()
        assert court == COURT and pending == 2 and oldest == NOW


def test_a_readers_cases_come_newest_first(uow):
    person = new_id_number()
    numbers = [f"（2021）粤01民初{n}号" for n in (1, 2, 3)]
    with uow.transaction() as cases:
        cases.write_feed([record(n, person=person) for n in numbers], NOW)
    with uow.read() as cases:
        assert sorted(cases.cases_as_party("张三", person)) == sorted(numbers)
        assert cases.cases_as_party("张三", new_id_number()) == []
        assert sorted(cases.cases_of_record(LICENSE)) == sorted(numbers)
        newest = cases.cases_newest_first(numbers, None, 2)
        assert [c.case_no for c in newest] == numbers[:0:-1]
        assert [c.case_no for c in cases.cases_newest_first(numbers, newest[-1].id, 2)] == numbers[:1]
        assert cases.cases_newest_first([], None, 2) == []


def test_claims_are_refreshed_weakened_and_dropped(uow):
    person = new_id_number()
    claim = domain.Claim(10, CASE, "party", "张三", person, None, domain.PARTY)
    with uow.transaction() as cases:
        cases.write_feed([record(person=person)], NOW)
        cases.record_claim(claim, NOW)
        cases.record_claim(domain.Claim(10, CASE, "party", "张三", person, None, domain.BOUND), NOW)
    with uow.transaction() as cases:
        [row] = cases.claims_on([CASE])
        assert row.relation == domain.BOUND and cases.claim_of(10, CASE).id == row.id
        cases.weaken_claims({row.id: domain.PARTY})
    with uow.transaction() as cases:
        assert cases.claim_of(10, CASE).relation == domain.PARTY
        cases.drop_claims([row.id])
    with uow.read() as cases:
        assert cases.claims_on([CASE]) == [] and cases.claim_of(10, CASE) is None


def test_an_event_is_heard_once_and_announcements_wait_in_the_outbox(uow):
    with uow.transaction() as cases:
        assert cases.first_delivery("e1") and not cases.first_delivery("e1")
        cases.announce("binding_decided", {"binding_id": 1})
    with uow.uow.read() as session:
        [row] = session.query(Outbox).all()
        assert row.event_type == "binding_decided" and row.published_at is None


def test_the_feed_ends_a_claim_over_the_real_database(uow):
    """The procedure of the unit tests once over SQL: claim, re-import without the party."""
    person = new_id_number()
    admin = {"id": 1, "role": "admin"}
    reader = {"id": 10, "role": "party", "name": "张三", "id_number": person, "verified": True}
    body = {"cases": [{"case_no": CASE, "court": COURT, "status": "in_trial", "parties": []}]}
    body["cases"][0]["parties"] = [{"name": "张三", "id_number": person, "side": "原告"}]
    usecases.import_cases(uow, admin, body)
    assert usecases.claim_relation(uow, reader, CASE)["relation"] == domain.PARTY
    body["cases"][0]["parties"] = [{"name": "李四", "id_number": new_id_number(), "side": "原告"}]
    usecases.import_cases(uow, admin, body)
    with uow.read() as cases:
        assert cases.claims_on([CASE]) == []
    with uow.uow.read() as session:
        [row] = session.query(Outbox).all()
        assert row.event_type == "representation_ended" and domain.NO_LONGER_PARTY in row.payload
