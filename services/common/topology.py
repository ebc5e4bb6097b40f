"""Who hears which announcement: the outbox events each service publishes and the
services that consume them (one ``@handles`` each; tests/unit/test_topology.py checks this
table against the handlers themselves).

The relay publishes an event that someone must hear with mandatory routing and publisher
confirms, and marks it published only once the broker has put it in at least one queue;
an event nobody has bound a queue for yet (a fresh install, a broker that lost its
definitions) stays in the outbox and is tried again with growing pauses. An event listed
with no consumer would be an announcement for whoever comes later.
"""

from __future__ import annotations

SUBSCRIBERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("applications", "application_submitted"): ("dossier", "review"),
    ("applications", "application_withdrawn"): ("dossier", "review"),
    ("applications", "application_revoked"): ("dossier", "review"),
    ("review", "application_decided"): ("applications", "dossier", "review"),
    ("review", "attendance_recorded"): ("applications", "review"),
    ("review", "onsite_booked"): ("applications", "review"),
    ("case_binding", "representation_ended"): ("applications",),
    ("case_binding", "binding_decided"): ("review",),
    ("case_binding", "binding_revoked"): ("review",),
    ("dossier", "document_ingested"): ("case_binding",),
}


def must_be_heard(source: str, event_type: str) -> bool:
    return bool(SUBSCRIBERS.get((source, event_type)))
