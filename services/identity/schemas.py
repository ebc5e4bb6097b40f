"""Wire shapes of identity: primitives only."""

from __future__ import annotations

import json

from services.common import clock
from services.common.people import mask_id_number, mask_phone
from services.identity import domain


def public_user(user) -> dict:
    """What a client may see of an account (API.md GET /me): phone and ID number masked."""
    data = {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "phone": mask_phone(user.phone),
        "id_number": mask_id_number(user.id_number) if user.id_number else None,
        "verified": user.verified_at is not None,
    }
    for key in ("license_no", "law_firm", "court"):
        value = getattr(user, key)
        if value:
            data[key] = value
    return data


def own_account(user, latest_verification) -> dict:
    """GET /me: the account, and where its 实名认证 stands."""
    data = public_user(user)
    data["verification"] = (
        None
        if latest_verification is None
        else {
            "id": latest_verification.id,
            "status": latest_verification.status,
            "explanation": latest_verification.explanation,
        }
    )
    if user.verified_at is not None:
        data["verified_via"] = domain.via_label(user.verified_via)
        data["verified_at"] = clock.isoformat(clock.as_aware(user.verified_at))
    return data


def admin_user(user) -> dict:
    """账号管理 list row: phone masked; whether verified and whether disabled."""
    data = {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "phone": mask_phone(user.phone),
        "verified": user.verified_at is not None,
        "disabled": user.disabled_at is not None,
        "created_at": clock.isoformat(clock.as_aware(user.created_at)),
    }
    if user.court:
        data["court"] = user.court
    return data


def verification_state(user) -> dict:
    """How an account was verified, as clerks see it beside what the account asked for."""
    at = clock.as_aware(user.verified_at)
    return {
        "verified": at is not None,
        "via": user.verified_via,
        "label": domain.via_label(user.verified_via),
        "at": clock.isoformat(at) if at else None,
        "disabled": user.disabled_at is not None,
    }


def verification_view(row, user) -> dict:
    """A 实名认证 request as the queue shows it: the account's real data unmasked, since
    the clerk compares it with the document."""
    person = {"id": user.id, "name": user.name, "role": user.role, "id_number": user.id_number, "phone": user.phone}
    for key in ("license_no", "law_firm"):
        value = getattr(user, key)
        if value:
            person[key] = value
    return {
        "id": row.id,
        "at": clock.isoformat(clock.as_aware(row.submitted_at)),
        "status": row.status,
        "via": row.via,
        "via_label": domain.via_label(row.via),
        "decided_at": clock.isoformat(clock.as_aware(row.decided_at)) if row.decided_at else None,
        "decided_by_name": row.decided_by_name,
        "explanation": row.explanation,
        "user": person,
        "materials": json.loads(row.materials or "[]"),
    }


def principal(user) -> dict:
    """The verified identity the gateway hands to services with every call. Internal only:
    it carries the unmasked ID number, which case_binding matches parties on, and the
    phone, which review texts decisions to."""
    return {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "phone": user.phone,
        "id_number": user.id_number,
        "license_no": user.license_no,
        "law_firm": user.law_firm,
        "court": user.court,
        "verified": user.verified_at is not None,
    }
