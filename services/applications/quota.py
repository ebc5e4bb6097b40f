"""How many materials (申请材料), and how many bytes of them, one account may hold.

Uploading is open to anyone signed in; without a bound one account could fill the object
store. Both limits count every material the account holds, used in an application or not
(housekeeping removes the unused ones after UNATTACHED_MATERIAL_DAYS). Past either, the
registration is refused with 413 ``too_large``: not 429, since waiting does not help; the
gateway then deletes the bytes it stored.

Settings (services.common.infra.config.get): MATERIALS_MAX_COUNT_PER_ACCOUNT (200) and
MATERIALS_MAX_BYTES_PER_ACCOUNT (500 MiB).
"""

from __future__ import annotations

from services.common.infra import config
from services.common.infra.errors import DomainError

MiB = 1024 * 1024
DEFAULT_MAX_COUNT = 200
DEFAULT_MAX_BYTES = 500 * MiB


def limits() -> tuple[int, int]:
    count = int(config.get("MATERIALS_MAX_COUNT_PER_ACCOUNT", DEFAULT_MAX_COUNT))
    size = int(config.get("MATERIALS_MAX_BYTES_PER_ACCOUNT", DEFAULT_MAX_BYTES))
    return count, size


def check_material_quota(count: int, used: int, size: int) -> None:
    """Raise ``too_large`` if one more material of ``size`` bytes would take an owner who
    holds ``count`` materials of ``used`` bytes past a limit. Count them in the transaction
    that adds the material, after the owner's uploads took turns (``take_turns``), so two
    at once cannot both slip under a limit."""
    max_count, max_bytes = limits()
    details = {"count": int(count), "max_count": max_count, "bytes": int(used), "max_bytes": max_bytes}
    if count + 1 > max_count:
        raise DomainError(
            "too_large",
            f"您已上传 {count} 份材料，达到上限（{max_count} 份），不能继续上传；未用于申请的材料会定期清理",
            details,
        )
    if used + size > max_bytes:
        raise DomainError(
            "too_large",
            f"您上传的材料已达容量上限（{max_bytes // MiB} MB），不能继续上传；未用于申请的材料会定期清理",
            details,
        )
