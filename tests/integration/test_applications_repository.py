"""applications' repository on a real database (SQLite, and PostgreSQL with --postgres):
the SQL the use cases rely on, and one submission end to end over it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.applications import repository, usecases
from services.applications.models import Application, DiscardedObject, Material, Outbox, RepresentationEnd
from services.common.court import clock
from services.common.infra import housekeeping
from services.common.infra.db import Conflict

CASE = "（2021）粤01民初1号"
COURT = "广东省广州市中级人民法院"
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def uow(database) -> repository.ApplicationsWork:
    return repository.unit_of_work(database("applications"))


def material(owner: int = 1, size: int = 10, kind: str = "other", at: datetime = NOW) -> Material:
    name = uuid.uuid4().hex
    return Material(
        id=str(uuid.uuid4()),
        owner_id=owner,
        kind=kind,
        filename=f"{name}.pdf",
        size=size,
        content_type="application/pdf",
        sha256="0" * 64,
        key=f"materials/2026/06/01/{name}",
        created_at=at,
    )


def application(applicant: int = 1, case_no: str = CASE, status: str = "pending", **more) -> Application:
    fields = dict(
        applicant_id=applicant,
        applicant_name="金家慧",
        applicant_role="party",
        case_no=case_no,
        court=COURT,
        scope="全案卷宗",
        reason="诉讼需要",
        status=status,
        pending_key=f"{applicant}:{case_no}" if status == "pending" else None,
        applied_at=NOW,
    )
    fields.update(more)
    return Application(**fields)


def test_materials_are_found_by_id_and_key_and_counted_per_owner(uow):
    first, second, other = material(size=10), material(size=32), material(owner=2)
    with uow.transaction() as applications:
        applications.take_turns("material-quota", 1)
        for m in (first, second, other):
            applications.add_material(m)
    with uow.read() as applications:
        assert applications.held_by(1) == (2, 42) and applications.held_by(3) == (0, 0)
        assert applications.material_at(first.key).id == first.id and applications.material_at("x") is None
        assert set(applications.materials([first.id, other.id, "missing"])) == {first.id, other.id}
        assert applications.registered_keys([second.key, "materials/none"]) == {second.key}


def test_a_grant_is_kept_once_and_an_application_opens_its_materials_to_its_court(uow):
    granted, carried = material(), material()
    with uow.transaction() as applications:
        applications.add_material(granted)
        applications.add_material(carried)
        applications.grant(granted.id, COURT)
        applications.add_application(application(), [carried])
    with pytest.raises(Conflict), uow.transaction() as applications:
        applications.grant(granted.id, COURT)
    with uow.read() as applications:
        assert applications.granted(granted.id, COURT) and not applications.granted(carried.id, COURT)
        assert applications.used_in_court(carried.id, COURT) and not applications.used_in_court(carried.id, "别的法院")
        assert not applications.used_in_court(granted.id, COURT)


def test_a_second_pending_application_is_refused_and_the_transaction_goes_on(uow):
    first, second = material(), material()
    with uow.transaction() as applications:
        applications.add_material(first)
        applications.add_material(second)
        app = applications.add_application(application(), [second, first])
        assert applications.has_pending(app.pending_key) and not applications.has_pending("1:other")
        with pytest.raises(Conflict):
            applications.add_application(application(), [])
        applications.announce("application_submitted", {"application_id": app.id})  # still usable
    with uow.read() as applications:
        assert [m.id for m in applications.materials_of([app.id])[app.id]] == [second.id, first.id]
        assert applications.materials_of([]) == {}
        assert applications.application(app.id, for_update=True).status == "pending"
    with uow.uow.read() as session:
        assert [r.event_type for r in session.scalars(select(Outbox))] == ["application_submitted"]


def test_a_readers_list_pages_by_time_and_filters_by_the_status_they_see(uow):
    today = date(2026, 6, 1)
    with uow.transaction() as applications:
        old = applications.add_application(
            application(case_no="（2021）粤01民初2号", status="approved", mode="online", valid_until=date(2026, 5, 31)),
            [],
        )
        live = applications.add_application(
            application(case_no="（2021）粤01民初3号", status="approved", mode="online", valid_until=today),
            [],
        )
        newest = applications.add_application(application(applied_at=NOW + timedelta(hours=1)), [])
        applications.add_application(application(applicant=2), [])
    with uow.read() as applications:
        mine = applications.applications_of(1, None, today, None, 10)
        assert [a.id for a in mine] == [newest.id, live.id, old.id]  # ties on time: by id, descending
        page = applications.applications_of(1, None, today, (NOW, live.id), 10)
        assert [a.id for a in page] == [old.id]
        assert [a.id for a in applications.applications_of(1, "expired", today, None, 10)] == [old.id]
        assert [a.id for a in applications.applications_of(1, "approved", today, None, 10)] == [live.id]
        assert applications.counts_by_stored_status(besides="approved") == {"pending": 2}
        assert {a.id for a in applications.with_status("approved")} == {old.id, live.id}


def test_the_readers_applications_for_a_case_and_what_case_binding_said(uow):
    with uow.transaction() as applications:
        pending = applications.add_application(application(), [])
        applications.add_application(application(status="withdrawn"), [])
        applications.add_application(application(case_no="（2021）粤01民初2号"), [])
        applications.add_representation_end(RepresentationEnd(user_id=1, case_no=CASE, ended_at=NOW))
    with uow.transaction() as applications:
        applications.take_turns("representation", 1, CASE)
        assert [a.id for a in applications.revocable_of(1, CASE)] == [pending.id]
        assert applications.representation_end(1, CASE).ended_at == NOW
        assert applications.representation_end(2, CASE) is None


def test_consistency_pages_by_id_within_a_court(uow):
    with uow.transaction() as applications:
        ids = [applications.add_application(application(applicant=n), []).id for n in (1, 2, 3)]
        applications.add_application(application(applicant=4, court="别的法院"), [])
    with uow.read() as applications:
        assert [a.id for a in applications.page_by_id(None, 2, COURT)] == ids[:2]
        assert [a.id for a in applications.page_by_id(ids[1], 10, COURT)] == ids[2:]
        assert len(applications.page_by_id(None, 10, None)) == 4
        assert {a.id for a in applications.by_ids([ids[0], ids[2]], None)} == {ids[0], ids[2]}
        assert applications.by_ids(ids, "别的法院") == []


def test_unattached_materials_are_purged_with_a_note_of_their_objects(uow):
    now = clock.utcnow()  # housekeeping's cutoff is the system's clock
    unused, used, young = (material(at=now - timedelta(days=age)) for age in (8, 8, 1))
    with uow.transaction() as applications:
        for m in (unused, used, young):
            applications.add_material(m)
        applications.add_application(application(), [used])
    condition = repository.unattached_materials(timedelta(days=7))
    purged = housekeeping.purge(
        uow.uow, Material, condition, returning=(Material.key,), on_deleted=repository.note_discarded
    )
    assert purged == 1
    with uow.transaction() as applications:
        assert applications.discarded_keys(10) == [unused.key] and applications.material(unused.id) is None
        applications.forget_discarded([unused.key])
    with uow.uow.read() as session:
        assert session.scalars(select(DiscardedObject)).all() == []


def test_an_idempotency_key_is_kept_once(uow):
    with uow.transaction() as applications:
        applications.idempotency_keys.keep(1, "k-1", "hash", '{"id": 1}')
    with uow.read() as applications:
        kept = applications.idempotency_keys.stored(1, "k-1")
        assert (kept.request_hash, kept.response) == ("hash", '{"id": 1}')
        assert applications.idempotency_keys.stored(2, "k-1") is None
    with pytest.raises(IntegrityError), uow.transaction() as applications:
        applications.idempotency_keys.keep(1, "k-1", "hash", "{}")


def test_a_submission_and_its_retry_over_the_real_database(uow):
    reader = {"id": 1, "role": "party", "name": "金家慧", "verified": True}
    answer = {"case_no": CASE, "court": COURT, "relation": "party", "can_apply": True}
    body = {"case_no": CASE, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": []}
    first = usecases.submit(uow, lambda actor, case_no: answer, reader, body, idempotency_key="k-1")
    again = usecases.submit(uow, lambda actor, case_no: answer, reader, body, idempotency_key="k-1")
    assert again == first and first["status"] == "pending"
    with uow.uow.read() as session:
        assert [r.event_type for r in session.scalars(select(Outbox))] == ["application_submitted"]
    withdrawn = usecases.withdraw(uow, reader, first["id"])
    assert withdrawn["status"] == "withdrawn"
    assert usecases.list_own(uow, reader, status="withdrawn")["items"][0]["id"] == first["id"]
