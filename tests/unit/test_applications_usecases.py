"""The applications use cases against a fake case_binding, each test twice: over the
in-memory repository the other unit tests use, and over the SQL one on an in-memory
SQLite database, so the two answer alike."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.applications import repository, usecases
from services.applications.models import Base, Outbox
from services.common.infra.db import RepositoryUnitOfWork, UnitOfWork
from services.common.infra.errors import DomainError
from tests.unit.fakes.applications import fake_unit_of_work

CASE = "（2021）粤01民初1号"
COURT = "广东省广州市中级人民法院"
PARTY = {"id": 1, "role": "party", "name": "金家慧", "court": None, "verified": True}
LAWYER = {"id": 2, "role": "lawyer", "name": "中欣", "court": None, "verified": True}
CLERK = {"id": 3, "role": "clerk", "name": "审查员", "court": COURT}


@pytest.fixture(params=["memory", "sqlite"])
def uow(request):
    if request.param == "memory":
        return fake_unit_of_work()
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    return repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))


def relation(answers: dict):
    calls = []

    def ask(actor: dict, case_no: str) -> dict:
        calls.append((actor["id"], case_no))
        answer = answers.get(actor["id"])
        if answer is None:
            raise DomainError("not_found", "案件不存在")
        return {"case_no": case_no, "court": COURT, **answer}

    ask.calls = calls
    return ask


def material(uow, actor, kind):
    return usecases.register_material(
        uow,
        actor,
        key=f"materials/2026/11/29/{kind}-{actor['id']}",
        kind=kind,
        filename=f"{kind}.pdf",
        size=10,
        content_type="application/pdf",
        sha256="0" * 64,
        stored=lambda key: True,
    )


def events(uow) -> list[tuple[str, dict]]:
    """What the use cases announced, in order (the outbox on SQL)."""
    if not isinstance(uow, RepositoryUnitOfWork):
        return uow.repository.events
    with uow.uow.read() as session:
        return [(r.event_type, json.loads(r.payload)) for r in session.scalars(select(Outbox).order_by(Outbox.id))]


def kept_keys(uow) -> int:
    """How many Idempotency-Keys are kept."""
    with uow.read() as applications:
        keys = applications.idempotency_keys
        return len(keys.rows) if hasattr(keys, "rows") else len(keys.session.scalars(select(keys.model)).all())


def body(material_ids=()):
    return {"case_no": "(2021)粤01民初1号", "scope": "全案卷宗", "reason": "测试", "material_ids": list(material_ids)}


def test_submit_records_the_application_and_its_event_together(uow):
    ask = relation({1: {"relation": "party", "can_apply": True}})
    app = usecases.submit(uow, ask, PARTY, {**body(), "status": "approved", "review": {"opinion": "approve"}})
    assert app["status"] == "pending" and app["review"] is None and app["reading"] is None
    # who the applicant is to the case travels with it, for the clerk
    assert app["court"] == COURT and app["applicant"] == {"name": "金家慧", "role": "party", "relation": "party"}
    [(kind, payload)] = events(uow)
    # events carry the id as the contract's string; the answer shows the number (API.md)
    assert kind == "application_submitted" and payload["application_id"] == str(app["id"])
    assert payload["applicant"] == {"id": 1, "name": "金家慧", "role": "party", "relation": "party"}
    assert payload["event_id"]
    with pytest.raises(DomainError) as info:
        usecases.submit(uow, ask, PARTY, body())
    assert info.value.code == "duplicate_pending"
    assert len(events(uow)) == 1


def test_lawyer_needs_materials_then_binding(uow):
    ask = relation({2: {"relation": "none", "can_apply": False, "needs_binding": True}})
    with pytest.raises(DomainError) as info:
        usecases.submit(uow, ask, LAWYER, body())
    assert info.value.code == "materials_missing"
    assert info.value.details["missing"] == ["license", "firm_letter", "authorization", "party_id"]
    ids = [material(uow, LAWYER, k)["id"] for k in ("license", "firm_letter", "authorization", "party_id")]
    with pytest.raises(DomainError) as info:
        usecases.submit(uow, ask, LAWYER, body(ids))
    assert info.value.code == "binding_required"
    # Someone else's material is as unknown as a missing one.
    other = material(uow, PARTY, "other")["id"]
    with pytest.raises(DomainError) as info:
        usecases.submit(uow, ask, LAWYER, body([*ids, other]))
    assert info.value.code == "not_found"
    assert events(uow) == []


def test_idempotency_key_returns_the_first_result_and_refuses_another_body(uow):
    ask = relation({1: {"relation": "party", "can_apply": True}})
    first = usecases.submit(uow, ask, PARTY, body(), idempotency_key="k-1")
    again = usecases.submit(uow, ask, PARTY, body(), idempotency_key="k-1")
    assert again == first and len(ask.calls) == 1 and len(events(uow)) == 1
    with pytest.raises(DomainError) as info:
        usecases.submit(uow, ask, PARTY, {**body(), "reason": "另一个原因"}, idempotency_key="k-1")
    assert info.value.code == "idempotency_key_reused"
    withdrawn = usecases.withdraw(uow, PARTY, first["id"], idempotency_key="w-1")
    assert usecases.withdraw(uow, PARTY, first["id"], idempotency_key="w-1") == withdrawn
    assert withdrawn["status"] == "withdrawn"
    with pytest.raises(DomainError) as info:
        usecases.withdraw(uow, PARTY, first["id"])
    assert info.value.code == "invalid_state"
    assert [kind for kind, _ in events(uow)] == ["application_submitted", "application_withdrawn"]
    assert kept_keys(uow) == 2


def test_an_application_is_named_by_the_id_the_path_carries(uow):
    """The gateway passes the path's string (ApplicationId); a retry of the same key from a
    caller that still sends the row's number is the same request."""
    ask = relation({1: {"relation": "party", "can_apply": True}})
    app = usecases.submit(uow, ask, PARTY, body())
    assert usecases.detail(uow, PARTY, str(app["id"])) == usecases.detail(uow, PARTY, app["id"])
    for unknown in ("0", "abc", "", f"{app['id']}x", True, None, str(app["id"] + 1000)):
        with pytest.raises(DomainError) as info:
            usecases.detail(uow, PARTY, unknown)
        assert info.value.code == "not_found", unknown
    withdrawn = usecases.withdraw(uow, PARTY, str(app["id"]), idempotency_key="w-2")
    assert usecases.withdraw(uow, PARTY, app["id"], idempotency_key="w-2") == withdrawn
    assert withdrawn["status"] == "withdrawn" and withdrawn["id"] == app["id"]


def test_decisions_are_applied_once_and_reapply_makes_a_new_application(uow):
    ask = relation({1: {"relation": "party", "can_apply": True}})
    app = usecases.submit(uow, ask, PARTY, body())
    decided = {
        "event_id": "e-1",
        "application_id": app["id"],
        "opinion": "return",
        "mode": None,
        "explanation": "材料不全",
        "reviewer": "中欣",
        "reviewed_at": "2022-05-18T09:00:00+08:00",
    }
    assert usecases.on_decided(uow, decided) is True
    assert usecases.on_decided(uow, decided) is False  # redelivered: nothing more
    shown = usecases.detail(uow, PARTY, app["id"])
    assert shown["status"] == "returned"
    assert shown["review"]["reviewed_at"] == "2022-05-18T09:00:00+08:00" and shown["reading"] is None
    assert usecases.detail(uow, CLERK, app["id"])["id"] == app["id"]
    with pytest.raises(DomainError):
        usecases.detail(uow, {**CLERK, "court": "别的法院"}, app["id"])
    new = usecases.reapply(uow, ask, PARTY, app["id"])
    assert new["id"] != app["id"] and new["status"] == "pending" and new["reapplied_from"] == app["id"]
    with pytest.raises(DomainError) as info:
        usecases.reapply(uow, ask, PARTY, new["id"])
    assert info.value.code == "invalid_state"
    page = usecases.list_own(uow, PARTY, limit=1)
    assert [a["id"] for a in page["items"]] == [new["id"]] and page["next_cursor"]
    rest = usecases.list_own(uow, PARTY, limit=1, cursor=page["next_cursor"])
    assert [a["id"] for a in rest["items"]] == [app["id"]] and rest["next_cursor"] is None
    assert [a["id"] for a in usecases.list_own(uow, PARTY, status="returned")["items"]] == [app["id"]]


def test_registering_an_upload_twice_answers_with_the_first_and_a_missing_object_is_refused(uow):
    first = material(uow, PARTY, "other")
    assert material(uow, PARTY, "other") == first  # a redelivered registration
    with pytest.raises(DomainError) as other_owner:
        usecases.register_material(
            uow, LAWYER, key="materials/2026/11/29/other-1", kind="other", filename="x.pdf",
            size=1, content_type="application/pdf", sha256="0" * 64, stored=lambda key: True,
        )  # fmt: skip
    assert other_owner.value.code == "validation_error"
    with pytest.raises(DomainError) as swept:
        usecases.register_material(
            uow, PARTY, key="materials/2026/11/29/gone", kind="other", filename="x.pdf",
            size=1, content_type="application/pdf", sha256="0" * 64, stored=lambda key: False,
        )  # fmt: skip
    assert swept.value.details == {"fields": {"file": "上传未完成，请重新上传"}}
    assert usecases.registered_keys(uow, ["materials/2026/11/29/other-1", "materials/2026/11/29/gone"]) == {
        "materials/2026/11/29/other-1"
    }


def test_representation_ending_revokes_the_readers_pending_and_approved_applications(uow):
    ask = relation({1: {"relation": "party", "can_apply": True, "needs_binding": False}})
    pending = usecases.submit(uow, ask, PARTY, {"case_no": CASE, "scope": "全案卷宗", "reason": "阅卷"})
    other_case = usecases.submit(
        uow, ask, PARTY, {"case_no": "（2021）粤01民初2号", "scope": "全案卷宗", "reason": "x"}
    )
    ended = {"event_id": "end-1", "case_no": CASE, "user_id": 1, "reason": "案件信息更新：您已不是本案当事人"}
    assert usecases.on_representation_ended(uow, ended) == [pending["id"]]
    assert usecases.on_representation_ended(uow, ended) == []  # a redelivery changes nothing
    assert usecases.on_representation_ended(uow, {"event_id": "bad", "case_no": CASE}) == []
    shown = usecases.detail(uow, PARTY, pending["id"])
    assert shown["status"] == "revoked" and shown["revocation"]["reason"] == ended["reason"]
    assert usecases.detail(uow, PARTY, other_case["id"])["status"] == "pending"
    revoked = [payload for kind, payload in events(uow) if kind == "application_revoked"]
    assert [(p["application_id"], p["applicant_id"], p["case_no"]) for p in revoked] == [(str(pending["id"]), 1, CASE)]
    # a decision heard after the end does not bring the application back
    decided = {"event_id": "d-1", "application_id": pending["id"], "opinion": "approve", "mode": "online"}
    assert usecases.on_decided(uow, dict(decided, valid_until="2099-01-01")) is False
    assert usecases.detail(uow, PARTY, pending["id"])["status"] == "revoked"
    # from 已终止 one may reapply (the submission rules apply again)
    again = usecases.reapply(uow, ask, PARTY, pending["id"])
    assert again["status"] == "pending" and again["reapplied_from"] == pending["id"]


def test_an_end_announced_between_the_answer_and_the_submission_refuses_it(uow):
    claimed = {
        "relation": "party",
        "can_apply": True,
        "needs_binding": False,
        "claimed_at": "2026-05-01T10:00:00+08:00",
    }
    ended = {"event_id": "end-2", "case_no": CASE, "user_id": 1, "ended_at": "2026-05-01T10:00:00.500000+08:00"}
    assert usecases.on_representation_ended(uow, ended) == []  # nothing to revoke yet: remembered
    with pytest.raises(DomainError) as refused:
        usecases.submit(uow, relation({1: claimed}), PARTY, body())
    assert refused.value.code == "not_found"
    # a claim made after the end (the feed lists the reader again) stands
    later = dict(claimed, claimed_at="2026-05-02T09:00:00+08:00")
    assert usecases.submit(uow, relation({1: later}), PARTY, body())["status"] == "pending"


def test_a_lawyers_application_says_how_they_relate_to_the_case(uow):
    lawyer = dict(LAWYER, license_no="14401201010000001", law_firm="广东某律师事务所")
    kinds = [material(uow, lawyer, k)["id"] for k in ("license", "firm_letter", "authorization", "party_id")]
    answers = {
        2: {"relation": "lawyer_bound", "can_apply": True, "acts_for": "张三", "status": "in_trial"},
    }
    app = usecases.submit(uow, relation(answers), lawyer, body(kinds))
    assert app["applicant"] == {
        "name": "中欣",
        "role": "lawyer",
        "relation": "lawyer_bound",
        "license_no": "14401201010000001",
        "law_firm": "广东某律师事务所",
        "acts_for": "张三",
    }
    archived = {2: {"relation": "none", "can_apply": True, "status": "archived"}}
    other = usecases.submit(uow, relation(archived), lawyer, {**body(kinds), "case_no": "（2020）粤01民初9号"})
    assert other["applicant"]["relation"] == "lawyer_archived" and "acts_for" not in other["applicant"]


def test_attendance_overtaking_its_decision_is_kept_and_the_newest_record_wins(uow):
    ask = relation({1: {"relation": "party", "can_apply": True}})
    app = usecases.submit(uow, ask, PARTY, body())
    attended = {
        "event_id": "a-2",
        "application_id": app["id"],
        "attended": True,
        "borrowed_at": "2026-05-08T09:30:00+08:00",
        "returned_at": None,
        "recorded_at": "2026-05-08T09:31:00.000002+08:00",
    }
    assert usecases.on_attendance(uow, attended) is True  # before the decision: kept
    older = dict(
        attended, event_id="a-1", attended=False, borrowed_at=None, recorded_at="2026-05-08T09:31:00.000001+08:00"
    )
    assert usecases.on_attendance(uow, older) is False  # an older record heard later
    decided = {
        "event_id": "d-1",
        "application_id": app["id"],
        "opinion": "approve",
        "mode": "onsite",
        "start_date": "2026-05-08",
        "end_date": "2026-05-09",
    }
    assert usecases.on_decided(uow, decided) is True
    shown = usecases.detail(uow, PARTY, app["id"])
    assert shown["status"] == "approved" and shown["reading"]["attended"] is True
    assert shown["reading"]["borrowed_at"] == "2026-05-08T09:30:00+08:00"


def test_a_correction_replaces_what_the_applicant_changed_and_says_what_changed(uow):
    """补正: a returned application comes back with its scope, reason and materials corrected;
    the new one says what changed, for the clerk; what was left out stays as it was."""
    ask = relation({1: {"relation": "party", "can_apply": True}})
    first = material(uow, PARTY, "party_id")
    app = usecases.submit(uow, ask, PARTY, body([first["id"]]))
    returned = {
        "event_id": "e-return",
        "application_id": app["id"],
        "opinion": "return",
        "mode": None,
        "explanation": "请补充授权委托书",
        "reviewer": "中欣",
        "reviewed_at": "2022-05-18T09:00:00+08:00",
    }
    usecases.on_decided(uow, returned)
    added = material(uow, PARTY, "authorization")
    with pytest.raises(DomainError) as refused:
        usecases.reapply(uow, ask, PARTY, app["id"], body={"reason": ""})
    assert refused.value.code == "validation_error"  # an amendment obeys the submission's rules
    amended = usecases.reapply(
        uow, ask, PARTY, app["id"], body={"reason": "补充了授权委托书", "material_ids": [added["id"], first["id"]]}
    )
    assert amended["scope"] == "全案卷宗" and amended["reason"] == "补充了授权委托书"
    assert [m["id"] for m in amended["materials"]] == [added["id"], first["id"]]
    assert amended["changes"] == {
        "reason": {"before": "测试", "after": "补充了授权委托书"},
        "materials_added": [m for m in amended["materials"] if m["id"] == added["id"]],
    }
    assert usecases.detail(uow, CLERK, amended["id"])["changes"] == amended["changes"]
    assert "changes" not in usecases.detail(uow, PARTY, app["id"])  # the first of its line has none


def test_the_counts_by_status_are_what_people_see(uow, clock):
    ask = relation({1: {"relation": "party", "can_apply": True}})
    cases = [f"（2021）粤01民初{n}号" for n in (1, 2, 3)]
    ids = [usecases.submit(uow, ask, PARTY, {**body(), "case_no": case_no})["id"] for case_no in cases]
    for n, (app_id, valid_until) in enumerate(zip(ids[:2], ("2026-05-31", "2026-06-01"), strict=True)):
        decided = {"event_id": f"d-{n}", "application_id": app_id, "opinion": "approve", "mode": "online"}
        assert usecases.on_decided(uow, dict(decided, valid_until=valid_until)) is True
    counts = usecases.count_by_status(uow)
    assert (counts["pending"], counts["approved"], counts["expired"], counts["rejected"]) == (1, 1, 1, 0)
    facts = usecases.consistency_facts(uow, after=None, limit=2)
    assert [f["id"] for f in facts] == [str(i) for i in ids[:2]] and {f["status"] for f in facts} == {"approved"}
    assert [f["id"] for f in usecases.consistency_facts(uow, ids=[ids[2]], court="别的法院")] == []


def test_review_events_name_the_application_by_the_string_and_an_earlier_versions_number_still_reads(uow):
    ask = relation({1: {"relation": "party", "can_apply": True}})
    old = usecases.submit(uow, ask, PARTY, body())
    decided = {"opinion": "return", "mode": None, "explanation": "材料不全", "reviewer": "中欣"}
    # an event written before ids were strings everywhere (an int), still in a queue or an outbox
    assert usecases.on_decided(uow, {**decided, "event_id": "d-1", "application_id": old["id"]}) is True
    new = usecases.reapply(uow, ask, PARTY, old["id"])
    assert usecases.on_decided(uow, {**decided, "event_id": "d-2", "application_id": str(new["id"])}) is True
    assert [usecases.detail(uow, PARTY, a["id"])["status"] for a in (old, new)] == ["returned", "returned"]
    # an id this service never issued is dropped, not retried, and changes nothing
    for bad in (None, "", "x", "0", -1, True, 2.0, "9" * 65):
        assert usecases.on_decided(uow, {**decided, "event_id": f"bad-{bad!r}", "application_id": bad}) is False
    # what applications announces carries the string
    submitted = [p for kind, p in events(uow) if kind == "application_submitted"]
    assert [p["application_id"] for p in submitted] == [str(old["id"]), str(new["id"])]
