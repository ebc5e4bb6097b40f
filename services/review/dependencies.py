"""Review's providers: the case directory and the dossier over RPC (with a deadline), the
text messages (``services.common.infra.sms.Sms``, shared by every service), and the
reading-room notices per court."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from services.common.infra import config
from services.common.infra.rpc import DeadlineRpc
from services.common.infra.sms import Sms, SmsProvider

__all__ = ["Sms", "SmsProvider", "case_directory", "dossier_directory", "onsite_notice"]

log = logging.getLogger("review")


# -- the services review asks (with a deadline) ------------------------------------------------
def case_directory() -> DeadlineRpc:
    """case_binding: ``case_summary(case_no)`` (has the case an electronic dossier?)."""
    return DeadlineRpc("case_binding", "REVIEW_RPC_TIMEOUT", unavailable="案件信息暂时无法查询，请稍后再试")


def dossier_directory() -> DeadlineRpc:
    """dossier: ``grantable_documents(actor, case_no)``, the 正卷 a clerk may grant."""
    return DeadlineRpc("dossier", "REVIEW_RPC_TIMEOUT", unavailable="电子卷宗暂时无法查询，请稍后再试")


# -- on-site reading notices (温馨提示), per court -------------------------------------------------
GUANGZHOU_INTERMEDIATE = "广东省广州市中级人民法院"
DEFAULT_NOTICES = {
    GUANGZHOU_INTERMEDIATE: (
        "现场阅卷需要带齐相关证明材料, 现场阅卷地址: 广州市白云区应潭路66号广州市中级人民法院2楼221房档案阅卷室, "
        "营业时间: 9:00-11:30, 14:10-17:40 (节假日除外, 警务服务), 电话: 020-83210148, 020-83210152"
    )
}


def onsite_notice(court: str) -> str:
    """The reading room's notice for a court: ``REVIEW_ONSITE_NOTICES`` (a JSON object
    court → text) or ``REVIEW_ONSITE_NOTICES_FILE`` (the same in a file) override the
    built-in Guangzhou text; a court nobody configured gets a general notice."""
    notices = dict(DEFAULT_NOTICES)
    raw = config.get("REVIEW_ONSITE_NOTICES")
    path = config.get("REVIEW_ONSITE_NOTICES_FILE")
    try:
        if path:
            raw = Path(path).read_text(encoding="utf-8")
        if raw:
            configured = json.loads(raw) if isinstance(raw, str) else raw
            notices.update({str(k): str(v) for k, v in dict(configured).items()})
    except (OSError, ValueError, TypeError):
        log.error("on-site notices configuration is unreadable; using the defaults")
    return notices.get(court) or f"现场阅卷需要带齐相关证明材料, 请在起始时间至截止时间内到{court}档案阅卷室现场阅卷。"
