"""applications' persistence: materials (申请材料), who may open them, reading applications
(阅卷申请) and the facts heard about them, as the use cases ask for them.
``ApplicationsRepository`` is what the use cases may ask; ``SqlRepository`` answers it from
the service's own database (SQLite or PostgreSQL), the unit tests' fake from memory
(tests/unit/fakes/applications.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import delete, exists, func, select, tuple_
from sqlalchemy.orm import Session

from services.applications.domain import REVOCABLE
from services.applications.models import (
    Application,
    ApplicationMaterial,
    DiscardedObject,
    IdempotencyKey,
    Inbox,
    Material,
    MaterialGrant,
    Outbox,
    RepresentationEnd,
)
from services.common.court import clock, reading
from services.common.infra import housekeeping, idempotency
from services.common.infra.db import RepositoryUnitOfWork, UnitOfWork, UnitOfWorkOf, add_unique
from services.common.infra.messaging import Messages, ServiceSqlRepository


class ApplicationsRepository(Messages, Protocol):
    idempotency_keys: idempotency.Keys

    def take_turns(self, *key: object) -> None:
        """Hold ``key`` until the transaction ends: workers weighing the same thing take turns."""

    # -- materials
    def material(self, material_id: str) -> Material | None: ...
    def material_at(self, key: str) -> Material | None: ...
    def materials(self, material_ids: Iterable[str]) -> dict[str, Material]: ...
    def registered_keys(self, keys: list[str]) -> set[str]: ...
    def held_by(self, owner: int) -> tuple[int, int]:
        """How many materials ``owner`` holds, and how many bytes."""

    def add_material(self, material: Material) -> Material: ...
    def granted(self, material_id: str, court: str) -> bool:
        """The clerks of ``court`` (or ``VERIFICATION_GRANT``) may open the material."""

    def grant(self, material_id: str, court: str) -> None:
        """Raises ``Conflict`` when a twin granted the same first."""

    def used_in_court(self, material_id: str, court: str) -> bool:
        """An application of ``court`` carries the material."""

    def discarded_keys(self, limit: int) -> list[str]: ...
    def forget_discarded(self, keys: list[str]) -> None: ...

    # -- applications
    def application(self, application_id: int, *, for_update: bool = False) -> Application | None: ...
    def materials_of(self, application_ids: list[int]) -> dict[int, list[Material]]:
        """Each application's materials in the order they were attached."""

    def has_pending(self, pending_key: str) -> bool: ...
    def add_application(self, app: Application, materials: list[Material]) -> Application:
        """Raises ``Conflict`` when a twin is already pending (the unique ``pending_key``)."""

    def applications_of(
        self, applicant_id: int, status: str | None, today: date, after: tuple[datetime, int] | None, limit: int
    ) -> list[Application]:
        """Newest first (by ``applied_at``, then id), in the status a person sees on ``today``."""

    def revocable_of(self, applicant_id: int, case_no: str) -> list[Application]:
        """Pending and approved applications of the reader for the case, locked."""

    def counts_by_stored_status(self, besides: str) -> dict[str, int]: ...
    def with_status(self, status: str) -> list[Application]: ...
    def by_ids(self, ids: list[int], court: str | None) -> list[Application]: ...
    def page_by_id(self, after: int | None, limit: int, court: str | None) -> list[Application]: ...

    # -- what case_binding said
    def representation_end(self, user_id: int, case_no: str) -> RepresentationEnd | None: ...
    def add_representation_end(self, end: RepresentationEnd) -> None: ...


ApplicationsWork = UnitOfWorkOf[ApplicationsRepository]


def unit_of_work(uow: UnitOfWork) -> RepositoryUnitOfWork[ApplicationsRepository]:
    return RepositoryUnitOfWork(uow, SqlRepository)


def unattached_materials(age: timedelta):
    """Materials uploaded more than ``age`` ago that no application uses and no court's
    clerks were granted (a binding uses those: case_binding keeps bindings for good)."""
    return (
        (Material.created_at < housekeeping.cutoff(age))
        & ~exists().where(ApplicationMaterial.material_id == Material.id)
        & ~exists().where(MaterialGrant.material_id == Material.id)
    )


def note_discarded(session: Session, rows: list) -> None:
    """The deleted materials' objects, noted in the deleting transaction (``DiscardedObject``)."""
    now = clock.utcnow()
    for (key,) in rows:
        session.merge(DiscardedObject(key=key, discarded_at=now))


class SqlRepository(ServiceSqlRepository, outbox=Outbox, inbox=Inbox, keys=IdempotencyKey):
    # -- materials ------------------------------------------------------------------------

    def material(self, material_id: str) -> Material | None:
        return self.session.get(Material, material_id)

    def material_at(self, key: str) -> Material | None:
        return self.session.scalar(select(Material).where(Material.key == key))

    def materials(self, material_ids: Iterable[str]) -> dict[str, Material]:
        query = select(Material).where(Material.id.in_(list(material_ids)))
        return {m.id: m for m in self.session.scalars(query)}

    def registered_keys(self, keys: list[str]) -> set[str]:
        return set(self.session.scalars(select(Material.key).where(Material.key.in_(keys))))

    def held_by(self, owner: int) -> tuple[int, int]:
        count, used = self.session.execute(
            select(func.count(Material.id), func.coalesce(func.sum(Material.size), 0)).where(Material.owner_id == owner)
        ).one()
        return int(count), int(used)

    def add_material(self, material: Material) -> Material:
        self.session.add(material)
        self.session.flush()
        return material

    def granted(self, material_id: str, court: str) -> bool:
        return self.session.get(MaterialGrant, (material_id, court)) is not None

    def grant(self, material_id: str, court: str) -> None:
        add_unique(self.session, MaterialGrant(material_id=material_id, court=court))  # a twin may grant it at once

    def used_in_court(self, material_id: str, court: str) -> bool:
        used = self.session.scalar(
            select(Application.id)
            .join(ApplicationMaterial, ApplicationMaterial.application_id == Application.id)
            .where(ApplicationMaterial.material_id == material_id, Application.court == court)
            .limit(1)
        )
        return used is not None

    def discarded_keys(self, limit: int) -> list[str]:
        query = select(DiscardedObject.key).order_by(DiscardedObject.key).limit(limit)
        return list(self.session.scalars(query))

    def forget_discarded(self, keys: list[str]) -> None:
        self.session.execute(delete(DiscardedObject).where(DiscardedObject.key.in_(keys)))

    # -- applications ---------------------------------------------------------------------

    def application(self, application_id: int, *, for_update: bool = False) -> Application | None:
        if not for_update:
            return self.session.get(Application, application_id)
        return self.session.scalar(select(Application).where(Application.id == application_id).with_for_update())

    def materials_of(self, application_ids: list[int]) -> dict[int, list[Material]]:
        result: dict[int, list[Material]] = {aid: [] for aid in application_ids}
        if not application_ids:
            return result
        rows = self.session.execute(
            select(ApplicationMaterial.application_id, Material)
            .join(Material, Material.id == ApplicationMaterial.material_id)
            .where(ApplicationMaterial.application_id.in_(application_ids))
            .order_by(ApplicationMaterial.application_id, ApplicationMaterial.position)
        )
        for application_id, material in rows:
            result[application_id].append(material)
        return result

    def has_pending(self, pending_key: str) -> bool:
        return self.session.scalar(select(Application.id).where(Application.pending_key == pending_key)) is not None

    def add_application(self, app: Application, materials: list[Material]) -> Application:
        add_unique(self.session, app, savepoint=True)
        for position, material in enumerate(materials):
            self.session.add(ApplicationMaterial(application_id=app.id, material_id=material.id, position=position))
        return app

    def applications_of(
        self, applicant_id: int, status: str | None, today: date, after: tuple[datetime, int] | None, limit: int
    ) -> list[Application]:
        query = select(Application).where(Application.applicant_id == applicant_id)
        if status:
            query = query.where(reading.status_sql(Application, status, today))
        if after is not None:
            query = query.where(tuple_(Application.applied_at, Application.id) < tuple_(*cast(tuple[Any, Any], after)))
        query = query.order_by(Application.applied_at.desc(), Application.id.desc()).limit(limit)
        return list(self.session.scalars(query))

    def revocable_of(self, applicant_id: int, case_no: str) -> list[Application]:
        query = select(Application).where(
            Application.applicant_id == applicant_id,
            Application.case_no == case_no,
            Application.status.in_(REVOCABLE),
        )
        return list(self.session.scalars(query.with_for_update()))

    def counts_by_stored_status(self, besides: str) -> dict[str, int]:
        query = select(Application.status, func.count()).where(Application.status != besides)
        return {status: total for status, total in self.session.execute(query.group_by(Application.status))}

    def with_status(self, status: str) -> list[Application]:
        return list(self.session.scalars(select(Application).where(Application.status == status)))

    def by_ids(self, ids: list[int], court: str | None) -> list[Application]:
        query = select(Application).where(Application.id.in_(ids))
        if court:
            query = query.where(Application.court == court)
        return list(self.session.scalars(query))

    def page_by_id(self, after: int | None, limit: int, court: str | None) -> list[Application]:
        query = select(Application)
        if court:
            query = query.where(Application.court == court)
        if after is not None:
            query = query.where(Application.id > after)
        return list(self.session.scalars(query.order_by(Application.id).limit(limit)))

    # -- what case_binding said -------------------------------------------------------------

    def representation_end(self, user_id: int, case_no: str) -> RepresentationEnd | None:
        return self.session.get(RepresentationEnd, (user_id, case_no))

    def add_representation_end(self, end: RepresentationEnd) -> None:
        self.session.add(end)
