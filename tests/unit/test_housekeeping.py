"""Housekeeping against in-memory databases: what is past its retention goes, in batches;
what is young, unpublished or still used stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.applications import models as applications
from services.applications import repository as applications_repository
from services.applications import usecases as applications_usecases
from services.common import housekeeping, idempotency
from services.common.db import UnitOfWork
from services.dossier import models as dossier
from services.dossier import repository as dossier_repository
from services.dossier import usecases as dossier_usecases
from services.identity import models as identity
from services.identity import repository as identity_repository
from services.identity import usecases as identity_usecases
from tests.unit.conftest import NOW

COURT = "广东省广州市中级人民法院"
LAWYER = {"id": 2, "role": "lawyer", "name": "中欣", "court": None, "verified": True}


def database(base) -> UnitOfWork:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    base.metadata.create_all(engine)
    return UnitOfWork(sessionmaker(engine, expire_on_commit=False))


def count(uow: UnitOfWork, model: type) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def add(uow: UnitOfWork, *rows) -> None:
    with uow.transaction() as session:
        session.add_all(rows)


def outbox_row(n: int, published_days_ago: float | None, created_days_ago: float = 30):
    return applications.Outbox(
        event_id=f"e-{n}",
        event_type="application_submitted",
        payload="{}",
        created_at=NOW - timedelta(days=created_days_ago),
        published_at=None if published_days_ago is None else NOW - timedelta(days=published_days_ago),
    )


def test_purge_deletes_old_rows_batch_by_batch_until_none_is_left(clock):
    uow = database(applications.Base)
    add(uow, *(applications.Inbox(event_id=f"old-{n}", handled_at=NOW - timedelta(days=31)) for n in range(7)))
    add(uow, applications.Inbox(event_id="young", handled_at=NOW - timedelta(days=29)))
    statements = []

    def deleted(session, rows):
        statements.append(len(rows))

    condition = applications.Inbox.handled_at < housekeeping.cutoff(timedelta(days=30))
    assert housekeeping.purge(uow, applications.Inbox, condition, batch=3, on_deleted=deleted) == 7
    assert statements == [3, 3, 1]  # one short transaction per batch, until a batch comes short
    with uow.read() as session:
        assert list(session.scalars(select(applications.Inbox.event_id))) == ["young"]
    assert housekeeping.purge(uow, applications.Inbox, condition, batch=3) == 0  # again: nothing, no harm


def test_published_outbox_rows_go_after_their_retention_and_unpublished_ones_never(clock, monkeypatch):
    uow = database(applications.Base)
    add(
        uow,
        outbox_row(1, published_days_ago=8),
        outbox_row(2, published_days_ago=6),
        outbox_row(3, published_days_ago=None, created_days_ago=400),  # never published: kept
        applications.Inbox(event_id="a", handled_at=NOW - timedelta(days=31)),
        applications.Inbox(event_id="b", handled_at=NOW - timedelta(days=2)),
    )
    done = housekeeping.run(housekeeping.messaging_purges(uow, applications.Outbox, applications.Inbox))
    assert done == {"published outbox rows": 1, "inbox ids": 1}
    with uow.read() as session:
        assert sorted(session.scalars(select(applications.Outbox.event_id))) == ["e-2", "e-3"]
        assert list(session.scalars(select(applications.Inbox.event_id))) == ["b"]

    # Retentions are configuration, read at every run; the inbox's has a floor of a day,
    # above every redelivery and retry window.
    monkeypatch.setenv("OUTBOX_RETENTION_DAYS", "1")
    monkeypatch.setenv("INBOX_RETENTION_DAYS", "0")
    assert housekeeping.inbox_retention() == timedelta(days=1)
    done = housekeeping.run(housekeeping.messaging_purges(uow, applications.Outbox, applications.Inbox))
    assert done == {"published outbox rows": 1, "inbox ids": 1}
    with uow.read() as session:
        assert list(session.scalars(select(applications.Outbox.event_id))) == ["e-3"]


def test_a_failing_purge_does_not_stop_the_others():
    def broken():
        raise RuntimeError("database away")

    assert housekeeping.run([("broken", broken), ("fine", lambda: 2)]) == {"fine": 2}


def test_idempotency_keys_go_through_the_same_purge_with_their_two_column_key(clock):
    uow = database(applications.Base)
    add(
        uow,
        *(
            applications.IdempotencyKey(
                user_id=user, key=f"k{n}", request_hash="h", response="{}", created_at=NOW - timedelta(hours=hours)
            )
            for user in (1, 2)
            for n, hours in enumerate((49, 50, 47))
        ),
    )
    assert idempotency.purge(uow, applications.IdempotencyKey) == 4
    with uow.read() as session:
        kept = session.execute(select(applications.IdempotencyKey.user_id, applications.IdempotencyKey.key))
        assert sorted(kept) == [(1, "k2"), (2, "k2")]


def test_sessions_and_login_throttles_go_a_while_after_they_stop_mattering(clock):
    uow = database(identity.Base)
    add(uow, identity.User(id=1, phone="13800000000", password_hash="x", name="甲", role="party", created_at=NOW))
    add(
        uow,
        identity.Session(token_hash="old", user_id=1, created_at=NOW, expires_at=NOW - timedelta(days=1, minutes=1)),
        identity.Session(token_hash="recent", user_id=1, created_at=NOW, expires_at=NOW - timedelta(hours=23)),
        identity.Session(token_hash="live", user_id=1, created_at=NOW, expires_at=NOW + timedelta(hours=12)),
        # failures whose 15-minute window ended more than a day ago
        identity.LoginThrottle(key="a", failures=2, first_failure_at=NOW - timedelta(hours=24, minutes=16)),
        # a window that ended less than a day ago
        identity.LoginThrottle(key="b", failures=2, first_failure_at=NOW - timedelta(hours=24, minutes=14)),
        # a lockout that ended a day ago, and one that ended an hour ago
        identity.LoginThrottle(key="c", failures=0, locked_until=NOW - timedelta(hours=24, minutes=1)),
        identity.LoginThrottle(key="d", failures=0, locked_until=NOW - timedelta(hours=1)),
    )
    accounts = identity_repository.unit_of_work(uow)
    assert identity_usecases.purge_sessions(accounts) == 1
    assert identity_usecases.purge_login_throttles(accounts) == 2
    with uow.read() as session:
        assert sorted(session.scalars(select(identity.Session.token_hash))) == ["live", "recent"]
        assert sorted(session.scalars(select(identity.LoginThrottle.key))) == ["b", "d"]
    clock(hours=2)
    assert identity_usecases.purge_sessions(accounts) == 1
    assert identity_usecases.purge_login_throttles(accounts) == 1
    with uow.read() as session:
        assert list(session.scalars(select(identity.Session.token_hash))) == ["live"]
        assert list(session.scalars(select(identity.LoginThrottle.key))) == ["d"]


def test_links_go_a_day_after_they_expire(clock):
    uow = database(dossier.Base)
    add(
        uow,
        *(
            dossier.Link(token_hash=name, application_id="1", user_id=1, created_at=NOW, expires_at=NOW - age)
            for name, age in (("old", timedelta(days=1, seconds=1)), ("recent", timedelta(hours=1)))
        ),
    )
    assert dossier_usecases.purge_expired_links(dossier_repository.unit_of_work(uow)) == 1
    with uow.read() as session:
        assert list(session.scalars(select(dossier.Link.token_hash))) == ["recent"]


def upload(uow: applications_repository.ApplicationsWork, name: str) -> str:
    return applications_usecases.register_material(
        uow,
        LAWYER,
        key=f"materials/2026/06/01/{name}",
        kind="license",
        filename=f"{name}.pdf",
        size=10,
        content_type="application/pdf",
        sha256="0" * 64,
        stored=lambda key: True,
    )["id"]


class Store:
    def __init__(self, keys):
        self.keys = set(keys)
        self.fail = False

    def delete(self, key: str) -> None:
        if self.fail:
            raise OSError("storage away")
        self.keys.discard(key)


def test_materials_never_attached_go_with_their_objects_and_used_or_young_ones_stay(clock):
    uow = database(applications.Base)
    work = applications_repository.unit_of_work(uow)
    unused, granted, attached = (upload(work, n) for n in ("unused", "granted", "attached"))
    applications_usecases.describe_materials(work, LAWYER, [granted], court=COURT)
    applications_usecases.describe_materials(work, LAWYER, [granted], court=COURT)  # granting again: the same
    with uow.transaction() as session:
        session.add(
            applications.Application(
                id=1,
                applicant_id=2,
                applicant_name="中欣",
                applicant_role="lawyer",
                case_no="（2021）粤01民初1号",
                court=COURT,
                scope="全案",
                reason="测试",
                status="pending",
                applied_at=NOW,
            )
        )
        session.add(applications.ApplicationMaterial(application_id=1, material_id=attached, position=0))
    clock(days=8)
    young = upload(work, "young")
    store = Store(f"materials/2026/06/01/{n}" for n in ("unused", "granted", "attached", "young"))

    # Storage fails after the rows went: the note of the object stays for the next run.
    store.fail = True
    with pytest.raises(OSError):
        applications_usecases.purge_unattached_materials(work, store.delete)
    with uow.read() as session:
        assert sorted(session.scalars(select(applications.Material.id))) == sorted([granted, attached, young])
        assert list(session.scalars(select(applications.DiscardedObject.key))) == ["materials/2026/06/01/unused"]
    store.fail = False
    assert applications_usecases.purge_unattached_materials(work, store.delete) == 0
    assert count(uow, applications.DiscardedObject) == 0
    assert sorted(store.keys) == [f"materials/2026/06/01/{n}" for n in ("attached", "granted", "young")]
    assert count(uow, applications.MaterialGrant) == 1

    clock(days=16)  # the young one is old now, and still unused
    done = housekeeping.run(applications_usecases.purges(work, store.delete))
    assert done["unattached materials"] == 1
    with uow.read() as session:
        assert sorted(session.scalars(select(applications.Material.id))) == sorted([granted, attached])
    assert sorted(store.keys) == [f"materials/2026/06/01/{n}" for n in ("attached", "granted")]
