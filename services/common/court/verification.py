"""实名认证 before case data: one rule, asked by each service that owns case data."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from services.common.infra.errors import DomainError
from services.common.infra.rpc import DeadlineRpc

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


class Accounts(Protocol):
    """identity as :func:`account_directory` injects it (a DeadlineClient)."""

    def call(self, method: str, **kwargs: Any) -> Any: ...


def account_directory(timeout_setting: str) -> DeadlineRpc:
    """identity, asked with a deadline for ``verification_states(user_ids)``: how the
    accounts in a clerk's queue were verified."""
    return DeadlineRpc("identity", timeout_setting, unavailable="账号信息暂时无法查询，请稍后再试")


def states_of(accounts: Accounts, user_ids: list[int]) -> dict[int, dict]:
    """How each account was verified (identity's ``verification_states``), for clerks
    deciding what those accounts asked for. A queue still opens when identity is slow:
    the state then shows as unknown (missing), never as "not verified"."""
    wanted = sorted({i for i in user_ids if isinstance(i, int)})
    if not wanted:
        return {}
    try:
        found = accounts.call("verification_states", user_ids=wanted)
    except Exception:
        log.warning("verification states unavailable", exc_info=False)
        return {}
    return {int(key): value for key, value in (found or {}).items()}
