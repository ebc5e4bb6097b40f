"""Wire shapes of dossier: primitives only."""

from __future__ import annotations

from services.common import clock
from services.dossier.models import AccessLogEntry, Document


def document(doc: Document) -> dict:
    return {"id": doc.id, "title": doc.title, "volume": doc.volume, "page_count": doc.page_count}


def log_entry(entry: AccessLogEntry, document_title: str | None = None) -> dict:
    item = {"at": clock.isoformat(clock.as_aware(entry.at)), "actor": entry.actor_name, "action": entry.action}
    if entry.document_id is not None:
        item["document_id"] = entry.document_id
        if document_title is not None:
            item["document_title"] = document_title  # an addition to API.md: what a reader recognises
    if entry.page is not None:
        item["page"] = entry.page
    return item


def staff_log_entry(entry: AccessLogEntry, document_title: str | None = None) -> dict:
    """A line of a case's log for its court: who (and as what), under which application."""
    item = log_entry(entry, document_title)
    item["role"] = entry.actor_role
    app_id = entry.application_id
    if app_id is not None:
        item["application_id"] = int(app_id) if app_id.isascii() and app_id.isdigit() else app_id
    return item
