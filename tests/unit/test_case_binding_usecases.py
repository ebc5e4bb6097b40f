"""The case_binding use cases over an in-memory repository: the court's procedure for the
case directory, readers' claims and bindings (案件绑定), without a database."""

from __future__ import annotations

import pytest

from services.case_binding import domain, usecases
from services.common.infra.errors import DomainError
from tests.support import new_id_number
from tests.unit.fakes.case_binding import fake_unit_of_work

CASE = "（2021）粤01民初1号"
COURT = "广东省广州市中级人民法院"
ADMIN = {"id": 1, "role": "admin", "name": "管理员"}
CLERK = {"id": 2, "role": "clerk", "name": "审查员", "court": COURT}
LICENSE = "14401201910000001"


def party(id_number: str, **more) -> dict:
    return {"id": 10, "role": "party", "name": "张三", "id_number": id_number, "verified": True, **more}


def lawyer(**more) -> dict:
    return {"id": 20, "role": "lawyer", "name": "王律师", "license_no": LICENSE, "verified": True, **more}


def feed(id_number: str, *, lawyers=True, status="in_trial") -> dict:
    case = {
        "case_no": CASE,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": status,
        "parties": [
            {"name": "张三", "id_number": id_number, "side": "原告"},
            {"name": "李四", "id_number": new_id_number(), "side": "被告"},
        ],
        "lawyers": [{"name": "王律师", "license_no": LICENSE, "party_name": "张三"}] if lawyers else [],
    }
    return {"cases": [case]}


@pytest.fixture
def uow():
    return fake_unit_of_work()


@pytest.fixture
def person() -> str:
    return new_id_number()


MATERIALS = [{"id": "m1", "kind": "license", "filename": "证.pdf"}, {"id": "m2", "kind": "authorization"}]


def test_a_party_is_answered_and_a_stranger_learns_nothing(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person))
    answer = usecases.relation(uow, party(person), CASE)
    assert answer["relation"] == "party" and answer["can_apply"] is True and answer["court"] == COURT
    with pytest.raises(DomainError) as refused:
        usecases.relation(uow, party(new_id_number()), CASE)
    assert refused.value.code == "not_found"
    # a clerk of another court is as far from the case as a stranger
    with pytest.raises(DomainError) as refused:
        usecases.relation(uow, {**CLERK, "court": "另一法院"}, CASE)
    assert refused.value.code == "not_found"


def test_a_lawyer_of_record_acts_for_the_party_the_feed_names(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person))
    answer = usecases.relation(uow, lawyer(), CASE)
    assert answer["relation"] == "lawyer_of_record" and answer["acts_for"] == "张三"


def test_a_claim_ends_when_the_feed_drops_the_party(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person))
    answer = usecases.claim_relation(uow, party(person), CASE)
    assert answer["claimed_at"] and uow.repository.held == [(CASE, False)]
    assert [c.relation for c in uow.repository.claims.values()] == ["party"]
    usecases.import_cases(uow, ADMIN, feed(person))  # the same lists: nothing ends
    assert uow.repository.events == []
    usecases.import_cases(uow, ADMIN, feed(new_id_number()))
    [(kind, payload)] = uow.repository.events
    assert kind == "representation_ended" and payload["user_id"] == 10 and payload["case_no"] == CASE
    assert payload["reason"] == domain.NO_LONGER_PARTY and uow.repository.claims == {}


def test_a_lawyer_dropped_from_the_record_but_bound_keeps_reading_as_bound(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person, lawyers=False))
    binding = usecases.apply_binding(uow, lawyer(), CASE, "张三", MATERIALS)
    usecases.decide_binding(uow, CLERK, binding["id"], {"decision": "approve"})
    usecases.import_cases(uow, ADMIN, feed(person))  # now of record too
    assert usecases.claim_relation(uow, lawyer(), CASE)["relation"] == "lawyer_of_record"
    uow.repository.events.clear()
    usecases.import_cases(uow, ADMIN, feed(person, lawyers=False))
    assert uow.repository.events == []  # weakened, not ended
    assert [c.relation for c in uow.repository.claims.values()] == ["lawyer_bound"]


def test_a_binding_goes_from_application_to_decision_once(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person, lawyers=False))
    stranger = lawyer(license_no="14401201910000009")
    with pytest.raises(DomainError) as refused:
        usecases.apply_binding(uow, stranger, CASE, "王五", MATERIALS)
    assert refused.value.code == "validation_error"
    with pytest.raises(DomainError) as refused:
        usecases.apply_binding(uow, stranger, CASE, "张三", MATERIALS[:1])
    assert refused.value.code == "materials_missing" and refused.value.details["missing"] == ["authorization"]
    assert usecases.apply_binding(uow, stranger, CASE, "张三", MATERIALS, check_only=True) is None
    assert uow.repository.bindings == {}  # a check records nothing
    binding = usecases.apply_binding(uow, stranger, CASE, "张三", MATERIALS)
    assert binding["status"] == "pending" and binding["court"] == COURT
    with pytest.raises(DomainError) as refused:
        usecases.apply_binding(uow, stranger, CASE, "张三", MATERIALS)
    assert refused.value.code == "duplicate_pending" and len(uow.repository.bindings) == 1
    queue = usecases.staff_bindings(uow, CLERK, status="pending")
    assert [b["id"] for b in queue["items"]] == [binding["id"]] and queue["items"][0]["lawyer"]["id"] == 20
    decided = usecases.decide_binding(uow, CLERK, binding["id"], {"decision": "reject", "explanation": "材料不全"})
    assert decided["status"] == "rejected" and decided["reviewer"] == "审查员"
    [(kind, payload)] = uow.repository.events
    assert kind == "binding_decided" and payload["decision"] == "reject" and payload["explanation"] == "材料不全"
    with pytest.raises(DomainError) as refused:
        usecases.decide_binding(uow, CLERK, binding["id"], {"decision": "approve"})
    assert refused.value.code == "invalid_state" and len(uow.repository.events) == 1


def test_a_twin_that_slipped_past_the_check_is_a_duplicate_and_leaves_nothing(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person, lawyers=False))
    first = usecases.apply_binding(uow, lawyer(), CASE, "张三", MATERIALS)
    # the twin read before the first committed: the store's uniqueness refuses it
    uow.repository.has_pending_binding = lambda lawyer_id, case_no: False
    with pytest.raises(DomainError) as refused:
        usecases.apply_binding(uow, lawyer(), CASE, "张三", MATERIALS)
    assert refused.value.code == "duplicate_pending" and list(uow.repository.bindings) == [first["id"]]


def test_revoking_a_binding_ends_the_representation_unless_of_record(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person, lawyers=False))
    binding = usecases.apply_binding(uow, lawyer(), CASE, "张三", MATERIALS)
    usecases.decide_binding(uow, CLERK, binding["id"], {"decision": "approve"})
    assert usecases.claim_relation(uow, lawyer(), CASE)["relation"] == "lawyer_bound"
    uow.repository.events.clear()
    with pytest.raises(DomainError) as refused:
        usecases.revoke_binding(uow, CLERK, binding["id"], {"explanation": ""})
    assert refused.value.code == "validation_error"
    revoked = usecases.revoke_binding(uow, CLERK, binding["id"], {"explanation": "委托已解除"})
    assert revoked["status"] == "revoked" and revoked["explanation"] == "委托已解除"
    assert [kind for kind, _ in uow.repository.events] == ["binding_revoked", "representation_ended"]
    assert uow.repository.events[1][1]["reason"] == domain.revocation_reason("委托已解除")
    assert uow.repository.held[-1] == (CASE, True) and uow.repository.claims == {}
    with pytest.raises(DomainError) as refused:
        usecases.revoke_binding(uow, CLERK, binding["id"], {"explanation": "再次"})
    assert refused.value.code == "invalid_state"


def test_a_revoked_lawyer_still_of_record_keeps_the_case(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person))
    usecases.import_cases(uow, ADMIN, feed(person, lawyers=False))
    binding = usecases.apply_binding(uow, lawyer(), CASE, "张三", MATERIALS)
    usecases.decide_binding(uow, CLERK, binding["id"], {"decision": "approve"})
    usecases.import_cases(uow, ADMIN, feed(person))
    uow.repository.events.clear()
    usecases.revoke_binding(uow, CLERK, binding["id"], {"explanation": "委托已解除"})
    assert [kind for kind, _ in uow.repository.events] == ["binding_revoked"]


def test_my_cases_pages_newest_first(uow):
    person = new_id_number()
    for n in range(1, 4):
        body = feed(person)
        body["cases"][0]["case_no"] = f"（2021）粤01民初{n}号"
        usecases.import_cases(uow, ADMIN, body)
    first = usecases.my_cases(uow, party(person), limit=2)
    assert [c["case_no"] for c in first["items"]] == ["（2021）粤01民初3号", "（2021）粤01民初2号"]
    rest = usecases.my_cases(uow, party(person), limit=2, cursor=first["next_cursor"])
    assert [c["case_no"] for c in rest["items"]] == ["（2021）粤01民初1号"] and rest["next_cursor"] is None
    assert usecases.my_cases(uow, party(new_id_number()))["items"] == []


def test_an_ingested_document_shows_the_dossier_once(uow, person):
    usecases.import_cases(uow, ADMIN, feed(person))
    assert usecases.case_summary(uow, CASE)["has_electronic_dossier"] is False
    assert usecases.document_ingested(uow, {"event_id": "e1", "case_no": CASE}) is True
    assert usecases.document_ingested(uow, {"event_id": "e1", "case_no": CASE}) is False
    assert usecases.case_summary(uow, CASE)["has_electronic_dossier"] is True
    usecases.import_cases(uow, ADMIN, feed(person))  # a re-import cannot hide it
    assert usecases.case_summary(uow, CASE)["has_electronic_dossier"] is True
