"""applications' repository in memory (``services.applications.repository``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from services.applications import domain
from services.applications.models import Application, Material, RepresentationEnd
from services.common.court import clock
from services.common.infra.db import Conflict
from tests.unit.fakes import FakeMessages, FakeUnitOfWork


class FakeKeys:
    """``services.common.infra.idempotency.Keys`` in a dict."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, str], Any] = {}

    def stored(self, user_id: int, key: str) -> Any | None:
        return self.rows.get((user_id, key))

    def keep(self, user_id: int, key: str, request_hash: str, response: str) -> None:
        self.rows[(user_id, key)] = SimpleNamespace(request_hash=request_hash, response=response)


class FakeApplicationsRepository(FakeMessages):
    def __init__(self) -> None:
        self.idempotency_keys = FakeKeys()
        self.materials_by_id: dict[str, Material] = {}
        self.grants: set[tuple[str, str]] = set()
        self.discarded: list[str] = []
        self.apps: dict[int, Application] = {}
        self.attached: dict[int, list[str]] = {}  # application id → material ids in order
        self.ends: dict[tuple[int, str], RepresentationEnd] = {}
        self.events: list[tuple[str, dict]] = []
        self.heard: set[str] = set()
        self.turns: list[tuple[object, ...]] = []  # take_turns calls, to see a use case takes turns
        self._ids = itertools.count(1)

    def take_turns(self, *key: object) -> None:
        self.turns.append(key)

    # -- materials
    def material(self, material_id: str) -> Material | None:
        return self.materials_by_id.get(material_id)

    def material_at(self, key: str) -> Material | None:
        return next((m for m in self.materials_by_id.values() if m.key == key), None)

    def materials(self, material_ids: Iterable[str]) -> dict[str, Material]:
        return {i: self.materials_by_id[i] for i in material_ids if i in self.materials_by_id}

    def registered_keys(self, keys: list[str]) -> set[str]:
        return {m.key for m in self.materials_by_id.values() if m.key in keys}

    def held_by(self, owner: int) -> tuple[int, int]:
        mine = [m for m in self.materials_by_id.values() if m.owner_id == owner]
        return len(mine), sum(m.size for m in mine)

    def add_material(self, material: Material) -> Material:
        self.materials_by_id[material.id] = material
        return material

    def granted(self, material_id: str, court: str) -> bool:
        return (material_id, court) in self.grants

    def grant(self, material_id: str, court: str) -> None:
        if (material_id, court) in self.grants:
            raise Conflict()
        self.grants.add((material_id, court))

    def used_in_court(self, material_id: str, court: str) -> bool:
        return any(material_id in self.attached[a.id] for a in self.apps.values() if a.court == court)

    def discarded_keys(self, limit: int) -> list[str]:
        return sorted(self.discarded)[:limit]

    def forget_discarded(self, keys: list[str]) -> None:
        self.discarded = [k for k in self.discarded if k not in keys]

    # -- applications
    def application(self, application_id: int, *, for_update: bool = False) -> Application | None:
        return self.apps.get(application_id)

    def materials_of(self, application_ids: list[int]) -> dict[int, list[Material]]:
        return {i: [self.materials_by_id[m] for m in self.attached.get(i, [])] for i in application_ids}

    def has_pending(self, pending_key: str) -> bool:
        return any(a.pending_key == pending_key for a in self.apps.values())

    def add_application(self, app: Application, materials: list[Material]) -> Application:
        # the unique pending_key, whatever the use case checked before
        if any(a.pending_key == app.pending_key for a in self.apps.values()):
            raise Conflict()
        app.id = next(self._ids)
        self.apps[app.id] = app
        self.attached[app.id] = [m.id for m in materials]
        return app

    def applications_of(
        self, applicant_id: int, status: str | None, today: date, after: tuple[datetime, int] | None, limit: int
    ) -> list[Application]:
        def position(a: Application) -> tuple[datetime, int]:
            return clock.as_aware(a.applied_at), a.id

        rows = [
            a
            for a in self.apps.values()
            if a.applicant_id == applicant_id
            and (not status or domain.effective_status(a, today) == status)
            and (after is None or position(a) < (clock.as_aware(after[0]), after[1]))
        ]
        return sorted(rows, key=position, reverse=True)[:limit]

    def revocable_of(self, applicant_id: int, case_no: str) -> list[Application]:
        return [
            a
            for a in self.apps.values()
            if a.applicant_id == applicant_id and a.case_no == case_no and a.status in domain.REVOCABLE
        ]

    def counts_by_stored_status(self, besides: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.apps.values():
            if a.status != besides:
                counts[a.status] = counts.get(a.status, 0) + 1
        return counts

    def with_status(self, status: str) -> list[Application]:
        return [a for a in self.apps.values() if a.status == status]

    def by_ids(self, ids: list[int], court: str | None) -> list[Application]:
        return [a for i, a in sorted(self.apps.items()) if i in ids and (not court or a.court == court)]

    def page_by_id(self, after: int | None, limit: int, court: str | None) -> list[Application]:
        rows = [
            a for i, a in sorted(self.apps.items()) if (after is None or i > after) and (not court or a.court == court)
        ]
        return rows[:limit]

    # -- what case_binding said
    def representation_end(self, user_id: int, case_no: str) -> RepresentationEnd | None:
        return self.ends.get((user_id, case_no))

    def add_representation_end(self, end: RepresentationEnd) -> None:
        self.ends[(end.user_id, end.case_no)] = end


def fake_unit_of_work() -> FakeUnitOfWork[FakeApplicationsRepository]:
    return FakeUnitOfWork(FakeApplicationsRepository())
