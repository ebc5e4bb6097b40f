"""The table of who hears which announcement (services.common.topology) is the handlers
themselves: every @handles is in it, and every event a service records is listed."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from services.applications.service import ApplicationsService
from services.case_binding.service import CaseBindingService
from services.common.events import RetryingEventHandler
from services.common.topology import SUBSCRIBERS, must_be_heard
from services.dossier.service import DossierService
from services.review.service import ReviewService

ROOT = Path(__file__).resolve().parents[2]
SERVICES = (ApplicationsService, CaseBindingService, DossierService, ReviewService)


def test_the_table_is_what_the_handlers_subscribe_to():
    heard: dict[tuple[str, str], set[str]] = defaultdict(set)
    for service in SERVICES:
        for method in vars(service).values():
            for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                if isinstance(entrypoint, RetryingEventHandler):
                    heard[(entrypoint.source_service, entrypoint.event_type)].add(service.name)
    assert {key: set(names) for key, names in SUBSCRIBERS.items() if names} == dict(heard)


def test_every_recorded_event_is_in_the_table():
    recorded = set()
    for service in ("applications", "case_binding", "dossier", "review"):
        source = (ROOT / "services" / service / "usecases.py").read_text()
        # record_event(session, Outbox, "name", ...) or, through a repository, announce("name", ...)
        announced = re.findall(r'(?:Outbox,|announce\()\s*"([a-z_]+)"', source)
        recorded |= {(service, name) for name in announced}
    assert recorded and recorded == set(SUBSCRIBERS)
    assert must_be_heard("review", "application_decided") and not must_be_heard("review", "no_such_event")
