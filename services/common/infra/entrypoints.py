"""What the services' entrypoints share, said once: the unit of work their use cases get,
and the steps an entrypoint takes after its use case returned (announcing what the commit
recorded, counting what it served).

nameko finds an entrypoint by the mark its decorator leaves on the method, and checks the
arguments of every RPC against that method's signature before a worker runs
(``IncorrectSignature``). A step here wraps the method and carries its signature over, so
``@actor_rpc`` above it marks and checks the method as written::

    @actor_rpc(expected_exceptions=DomainError)
    @announces
    def withdraw(self, actor, application_id, idempotency_key=None):
        return usecases.withdraw(self.applications, actor, application_id, idempotency_key)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast, overload

from services.common.testing.faults import fault_point

Work = TypeVar("Work")
Method = TypeVar("Method", bound=Callable[..., Any])


class UnitsOfWork(Generic[Work]):
    """The use cases' units of work over this worker's database (the service's ``db``), a
    fresh one at each use: ``dossiers = UnitsOfWork(repository.unit_of_work)``. What each
    one is, use cases see as ``db.UnitOfWorkOf`` (the service's ``...Work`` alias)."""

    def __init__(self, over: Callable[[Any], Work]) -> None:
        self.over = over

    @overload
    def __get__(self, service: None, owner: type) -> UnitsOfWork[Work]: ...

    @overload
    def __get__(self, service: object, owner: type) -> Work: ...

    def __get__(self, service: object | None, owner: type) -> UnitsOfWork[Work] | Work:
        if service is None:  # on the class: nameko looking for its providers and entrypoints
            return self
        return self.over(service.db)  # type: ignore[attr-defined]


def afterwards(step: Callable[[Any], None]) -> Callable[[Method], Method]:
    """A decorator: the entrypoint runs as written and, once it has returned, ``step(service)``
    runs before its answer goes back. A use case that raises skips the step."""

    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        def entrypoint(service: Any, *args: Any, **kwargs: Any) -> Any:
            result = method(service, *args, **kwargs)
            step(service)
            return result

        # what nameko checks a call against (inspect.getcallargs reads __signature__)
        entrypoint.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]
        return cast(Method, entrypoint)

    return decorate


def publish_after_commit(service: Any) -> None:
    """Right after the commit, announce what it recorded (the service's outbox relay,
    ``services.common.infra.messaging.RelaysOutbox``). A failure here loses nothing: the row
    stays unpublished and the relay's timer sends it."""
    fault_point("publish_after_commit")  # tests: die with it committed, unannounced
    service.publish_outbox()


# For an entrypoint whose use case records events: they go out right after its commit.
announces = afterwards(publish_after_commit)
