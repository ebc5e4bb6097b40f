"""实名认证 before case data: one rule, asked by each service that owns case data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from services.common.errors import DomainError

log = logging.getLogger(__name__)

# Parties and lawyers sign themselves up, so nothing about them is known until verified;
# staff accounts are made by an admin who knows who they are.
MUST_BE_VERIFIED = ("party", "lawyer")

# Materials sent for 实名认证 may be opened by any clerk or admin deciding it (an account is
# no court's): applications records the grant under this name, as it does per court for a
# binding's materials.
VERIFICATION_GRANT = "实名认证"


def require_verified(actor: Any) -> None:
    """403 ``verification_required`` for a party or lawyer not yet verified: they may sign
    in, upload and ask for verification, but reach no case (API.md)."""
    if isinstance(actor, dict) and actor.get("role") in MUST_BE_VERIFIED and actor.get("verified") is not True:
        raise DomainError("verification_required", "请先完成实名认证，再查询案件或申请阅卷")


def states_of(lookup: Callable[[list[int]], dict], user_ids: list[int]) -> dict[int, dict]:
    """How each account was verified (identity's ``verification_states``), for clerks
    deciding what those accounts asked for. A queue still opens when identity is slow:
    the state then shows as unknown (missing), never as "not verified"."""
    wanted = sorted({i for i in user_ids if isinstance(i, int)})
    if not wanted:
        return {}
    try:
        found = lookup(wanted)
    except Exception:
        log.warning("verification states unavailable", exc_info=False)
        return {}
    return {int(key): value for key, value in (found or {}).items()}
