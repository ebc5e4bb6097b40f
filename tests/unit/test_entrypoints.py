"""The entrypoints' shared steps (services.common.infra.entrypoints): the unit of work the
use cases get, and what runs after a use case returned, without nameko losing sight of the
method it checks calls against."""

from __future__ import annotations

import inspect

import pytest
from nameko.exceptions import IncorrectSignature
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc, rpc

from services.common.infra.entrypoints import UnitsOfWork, afterwards, announces
from services.dossier.service import DossierService
from services.review.service import ReviewService


class Relaying:
    """A service as the steps see it: a database, and an outbox relay that counts."""

    db = "the worker's database"
    work = UnitsOfWork(lambda db: ("work over", db))

    def __init__(self) -> None:
        self.published = 0

    def publish_outbox(self) -> None:
        self.published += 1

    @announces
    def decide(self, actor, application_id, body, idempotency_key=None):
        return {"decided": application_id, "published before the answer": self.published}

    @announces
    def refuse(self, actor):
        raise ValueError("refused")


def test_the_unit_of_work_is_made_over_the_workers_database_at_each_use():
    service = Relaying()
    assert service.work == ("work over", "the worker's database")
    assert isinstance(Relaying.work, UnitsOfWork)  # on the class: no database, nothing made


def test_the_outbox_is_published_after_the_use_case_and_before_its_answer_goes_back():
    service = Relaying()
    assert service.decide("actor", 7, {}) == {"decided": 7, "published before the answer": 0}
    assert service.published == 1
    with pytest.raises(ValueError):
        service.refuse("actor")
    assert service.published == 1  # a use case that raised announces nothing


def test_a_step_keeps_the_signature_nameko_checks_calls_against():
    class Service:
        name = "example"

        @rpc
        @afterwards(lambda service: None)
        def decide(self, actor, application_id, body, idempotency_key=None):
            return "decided"

    (entrypoint,) = getattr(Service.decide, ENTRYPOINT_EXTENSIONS_ATTR)
    assert isinstance(entrypoint, Rpc)
    assert str(inspect.signature(Service.decide)) == "(self, actor, application_id, body, idempotency_key=None)"

    class Container:  # what binding an entrypoint reads of its container
        service_cls = Service
        shared_extensions: dict = {}

    container = Container()  # held: the entrypoint keeps only a weak reference to it
    bound = entrypoint.bind(container, "decide")
    bound.check_signature((), {"actor": 1, "application_id": 2, "body": {}})
    with pytest.raises(IncorrectSignature):
        bound.check_signature((), {"actor": 1, "application_id": 2})
    with pytest.raises(IncorrectSignature):
        bound.check_signature((), {"actor": 1, "application_id": 2, "body": {}, "reason": "no such parameter"})


@pytest.mark.parametrize(
    ("service", "method", "parameters"),
    [
        (ReviewService, "decide", "(self, actor, application_id, body, idempotency_key=None)"),
        (ReviewService, "book_onsite", "(self, actor, application_id, body, idempotency_key=None)"),
        (DossierService, "read_page", "(self, actor, application_id, document_id, page)"),
        (DossierService, "print_pdf", "(self, actor, application_id, print_id)"),
    ],
)
def test_the_services_entrypoints_keep_their_own_parameters(service, method, parameters):
    entrypoint = getattr(service, method)
    assert str(inspect.signature(entrypoint)) == parameters
    spec = inspect.getfullargspec(entrypoint)  # what inspect.getcallargs, and so nameko, reads
    assert spec.varargs is None and spec.varkw is None
