"""Do applications, review and dossier agree about every application? The rules of
agreement, in one place, for the operator's ``python -m deploy.admin check-consistency``
and for the applications service's timer (the ``court_inconsistencies`` gauge).

Each service states what it holds about a page of applications as plain facts (its
``consistency_facts`` use case); applications is the source, the others are replicas fed
by events. Facts still on their way (an event queued, a retry waiting) look like
disagreements for a moment, so a disagreement counts only when it is still there on a
second look a little later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.common.infra.ids import ApplicationId

Facts = dict[str, Any]  # what one service holds about an application; ``id`` names it
# A page of the source's facts after an application id (None: from the start).
SourcePage = Callable[[ApplicationId | None, int], list[Facts]]
# Each service's facts about these applications, by id (one it never heard of is absent).
Fetch = Callable[[list[ApplicationId]], dict[ApplicationId, Facts]]

ATTENDANCE = ("attended", "borrowed_at", "returned_at")
GRANT = ("valid_until", "documents", "print")
ENDED = ("withdrawn", "revoked")


def _online_grant(facts: Facts) -> bool:
    return facts.get("opinion") == "approve" and facts.get("mode") == "online"


def disagreements(source: Facts, review: Facts | None, dossier: Facts | None) -> list[str]:
    """What review and dossier hold that differs from applications, in words an operator
    can act on (empty: they agree)."""
    found: list[str] = []
    status = source["status"]
    if review is None:
        found.append("review has never heard of it")
    else:
        if review["status"] != status:
            found.append(f"status: applications {status}, review {review['status']}")
        if status not in ENDED and source.get("opinion") and review.get("opinion") != source.get("opinion"):
            found.append(f"decision: applications {source.get('opinion')}, review {review.get('opinion')}")
        if status == "approved" and _online_grant(source):
            for field in GRANT:
                if review.get(field) != source.get(field):
                    found.append(f"grant {field}: applications {source.get(field)}, review {review.get(field)}")
        if source.get("mode") == "onsite" and status == "approved":
            for field in ATTENDANCE:
                if review.get(field) != source.get(field):
                    found.append(f"attendance {field}: applications {source.get(field)}, review {review.get(field)}")
            if "booking" in source and review.get("booking") != source.get("booking"):
                found.append(f"booking: applications {source.get('booking')}, review {review.get('booking')}")
    readable = status == "approved" and _online_grant(source)
    if dossier is None:
        if readable:
            found.append("dossier has no grant for an online approval")
        return found
    grants = _online_grant(dossier) and not any(dossier.get(e) for e in ENDED)
    if readable and not grants:
        found.append("dossier does not grant an online approval")
    elif not readable and grants:
        found.append(f"dossier grants reading of a {status} application")
    if readable and grants:
        for field in GRANT:
            if dossier.get(field) != source.get(field):
                found.append(f"grant {field}: applications {source.get(field)}, dossier {dossier.get(field)}")
    return found


def check(
    source_page: SourcePage, review: Fetch, dossier: Fetch, page_size: int = 500
) -> dict[ApplicationId, list[str]]:
    """Every application with a disagreement, by id, walking the source page by page."""
    found: dict[ApplicationId, list[str]] = {}
    after: ApplicationId | None = None
    while True:
        page = source_page(after, page_size)
        if not page:
            return found
        ids = [facts["id"] for facts in page]
        replicas = review(ids), dossier(ids)
        for facts in page:
            problems = disagreements(facts, replicas[0].get(facts["id"]), replicas[1].get(facts["id"]))
            if problems:
                found[facts["id"]] = problems
        after = ids[-1]


def confirm(
    suspects: dict[ApplicationId, list[str]], source: Fetch, review: Fetch, dossier: Fetch
) -> dict[ApplicationId, list[str]]:
    """The suspects that still disagree on a second look (facts in flight have landed)."""
    ids = list(suspects)
    if not ids:
        return {}
    sources, reviews, dossiers = source(ids), review(ids), dossier(ids)
    still: dict[ApplicationId, list[str]] = {}
    for app_id in ids:
        if app_id not in sources:
            continue
        problems = disagreements(sources[app_id], reviews.get(app_id), dossiers.get(app_id))
        if problems:
            still[app_id] = problems
    return still


def grant_facts(row: Any) -> Facts:
    """The decision, grant and attendance of any service's record of an application, as
    the comparison reads them (the same column names in applications and review)."""
    from services.common.court import clock, reading

    online = row.opinion == "approve" and row.mode == "online"
    chosen = reading.granted_documents(row.granted_documents) if online else None
    return {
        "opinion": row.opinion,
        "mode": row.mode,
        "valid_until": row.valid_until.isoformat() if online and row.valid_until else None,
        "documents": sorted(d["id"] for d in chosen) if chosen is not None else None,
        "print": (row.print_allowed is not False) if online else None,
        "attended": row.attended,
        "borrowed_at": clock.isoformat(clock.as_aware(row.borrowed_at)),
        "returned_at": clock.isoformat(clock.as_aware(row.returned_at)),
    }


def booking_fact(booking: Mapping[str, object] | None) -> str | None:
    """An on-site reader's booked slot (预约到场) as one comparable fact: ``2026-05-08
    09:00-12:00`` or None. Review holds the booking; applications shows what it heard."""
    if not booking:
        return None
    return f"{booking['date']} {booking['start']}-{booking['end']}"
