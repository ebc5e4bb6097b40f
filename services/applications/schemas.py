"""Wire shapes of applications (API.md "Materials", "Dossier-reading applications")."""

from __future__ import annotations

from datetime import date

from services.applications import domain
from services.common import clock, reading


def upload(material) -> dict:
    return {
        "id": material.id,
        "kind": material.kind,
        "filename": material.filename,
        "size": material.size,
        "content_type": material.content_type,
        "sha256": material.sha256,
    }


def material_ref(material) -> dict:
    return {
        "id": material.id,
        "kind": material.kind,
        "filename": material.filename,
        "content_type": material.content_type,
        "size": material.size,
    }


def review(app) -> dict | None:
    if app.opinion is None:
        return None
    return {
        "reviewer": app.reviewer,
        "reviewed_at": clock.isoformat(clock.as_aware(app.reviewed_at)),
        "opinion": app.opinion,
        "explanation": app.explanation,
        "mode": app.mode,
    }


def booking(app) -> dict | None:
    """预约到场, as review last announced it."""
    return reading.booking(app.booking_date, app.booking_start, app.booking_end)


def application(app, materials: list, today: date) -> dict:
    return {
        "id": app.id,
        "status": domain.effective_status(app, today),
        "case_no": app.case_no,
        "court": app.court,
        "applicant": reading.applicant(app),
        "applied_at": clock.isoformat(clock.as_aware(app.applied_at)),
        "scope": app.scope,
        "reason": app.reason,
        "materials": [material_ref(m) for m in materials],
        "review": review(app),
        "reading": reading.arrangement(app, booking(app)),
        "reapplied_from": app.reapplied_from,
        "revocation": reading.revocation(app),
    }


def revoked_event(app) -> dict:
    return {
        "application_id": app.id,
        "applicant_id": app.applicant_id,
        "case_no": app.case_no,
        "court": app.court,
        "reason": app.revoked_reason,
        "revoked_at": clock.isoformat(clock.as_aware(app.revoked_at)),
    }


def submitted_event(app, materials: list, phone: str | None = None) -> dict:
    """The phone is the applicant's verified number from the sign-in, passed on for
    review's text-message copy of a notice and not kept by this service."""
    applicant = {"id": app.applicant_id, **reading.applicant(app)}
    if phone:
        applicant["phone"] = phone
    return {
        "application_id": app.id,
        "applicant": applicant,
        "case_no": app.case_no,
        "court": app.court,
        "scope": app.scope,
        "reason": app.reason,
        "materials": [material_ref(m) for m in materials],
        "applied_at": clock.isoformat(clock.as_aware(app.applied_at)),
    }
