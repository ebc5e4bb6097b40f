"""In-memory stand-ins for the services' repositories, so unit tests run the use cases as
the service does, without a database."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class FakeUnitOfWork(Generic[R]):
    """``services.common.infra.db.RepositoryUnitOfWork`` over one in-memory repository. A block that
    raises leaves the repository as it found it, as a rolled-back transaction would, so a
    test sees what a refused request left behind (nothing)."""

    def __init__(self, repository: R):
        self.repository = repository
        self.committed = 0

    @contextmanager
    def transaction(self) -> Iterator[R]:
        before = copy.deepcopy(vars(self.repository))
        try:
            yield self.repository
        except BaseException:
            vars(self.repository).clear()
            vars(self.repository).update(before)
            raise
        self.committed += 1

    @contextmanager
    def read(self) -> Iterator[R]:
        yield self.repository


class FakeMessages:
    """``services.common.infra.messaging.Messages`` in memory: ``events`` announced, in order, and
    the event ids ``heard``."""

    events: list[tuple[str, dict]]
    heard: set[str]

    def announce(self, event_type: str, payload: Mapping[str, Any]) -> None:
        self.events.append((event_type, dict(payload, event_id=str(uuid.uuid4()))))  # as record_event does

    def first_delivery(self, event_id: str) -> bool:
        if event_id in self.heard:
            return False
        self.heard.add(event_id)
        return True
