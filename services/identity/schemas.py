"""Wire shapes of identity: primitives only."""

from __future__ import annotations

from services.common.people import mask_id_number, mask_phone


def public_user(user) -> dict:
    """What a client may see of an account (API.md GET /me): phone and ID number masked."""
    data = {
        "id": user.id,
        "role": user.role,
        "name": user.name,
        "phone": mask_phone(user.phone),
        "id_number": mask_id_number(user.id_number) if user.id_number else None,
    }
    for key in ("license_no", "law_firm", "court"):
        value = getattr(user, key)
        if value:
            data[key] = value
    return data


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
    }
