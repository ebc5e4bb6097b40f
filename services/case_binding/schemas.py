"""Wire shapes of case_binding: primitives only."""

from __future__ import annotations

import json

from services.common import clock


def case_summary(case) -> dict:
    return {
        "case_no": case.case_no,
        "court": case.court,
        "status": case.status,
        "has_electronic_dossier": bool(case.has_electronic_dossier or case.dossier_ingested),
    }


def staff_case(case, parties, lawyers) -> dict:
    """The case as the court's staff see it: no ID numbers, only who is in it as what."""
    return {
        **case_summary(case),
        "cause": case.cause,
        "parties": [
            {
                "name": p.name,
                "side": p.side,
                "kind": "organisation" if p.credit_code else "person",
                "representative": p.representative_name,
            }
            for p in parties
        ],
        "lawyers": [{"name": lw.name, "party_name": lw.party_name} for lw in lawyers],
    }


def binding(row, staff: bool = False) -> dict:
    """A binding application (API.md). Staff also see who applied."""
    data = {
        "id": row.id,
        "case_no": row.case_no,
        "court": row.court,
        "party_name": row.party_name,
        "status": row.status,
        "materials": json.loads(row.materials),
        "applied_at": clock.isoformat(clock.as_aware(row.applied_at)),
        "decided_at": clock.isoformat(clock.as_aware(row.decided_at)),
        "reviewer": row.decided_by,
        "explanation": row.explanation,  # once revoked, the revocation's
        "revoked_at": clock.isoformat(clock.as_aware(row.revoked_at)),
    }
    if staff:
        data["lawyer"] = {
            "id": row.lawyer_id,
            "name": row.lawyer_name,
            "license_no": row.license_no,
            "law_firm": row.law_firm,
        }
    return data
