"""Review's providers: the case directory and the dossier over RPC (with a deadline), the
SMS provider, and the reading-room notices per court."""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any, Protocol

from nameko.extensions import DependencyProvider

from services.common import config
from services.common.people import mask_phone
from services.common.rpc import DeadlineRpc

log = logging.getLogger("review")


# -- the services review asks (with a deadline) ------------------------------------------------
def case_directory() -> DeadlineRpc:
    """case_binding: ``case_summary(case_no)`` (has the case an electronic dossier?)."""
    return DeadlineRpc("case_binding", "REVIEW_RPC_TIMEOUT", unavailable="案件信息暂时无法查询，请稍后再试")


def dossier_directory() -> DeadlineRpc:
    """dossier: ``grantable_documents(actor, case_no)``, the 正卷 a clerk may grant."""
    return DeadlineRpc("dossier", "REVIEW_RPC_TIMEOUT", unavailable="电子卷宗暂时无法查询，请稍后再试")


# -- SMS (短信) ----------------------------------------------------------------------------------
class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogOnlySms:
    """The default: writes that a text would go out, phone masked, body not logged."""

    def __init__(self, **_: Any) -> None:
        pass

    def send(self, phone: str, text: str) -> None:
        log.info("sms (log only) to %s, %d characters", mask_phone(phone), len(text))


def load_sms_provider(spec: str | None) -> SmsProvider:
    """``REVIEW_SMS_PROVIDER``: ``log`` (default) or ``package.module:ClassName`` of a class
    built with no arguments that has ``send(phone, text)``. A real gateway is configuration:
    its class reads its own keys (REVIEW_SMS_...) from the environment."""
    if not spec or spec == "log":
        return LogOnlySms()
    module_name, _, class_name = spec.partition(":")
    provider = getattr(importlib.import_module(module_name), class_name)()
    if not callable(getattr(provider, "send", None)):
        raise RuntimeError("REVIEW_SMS_PROVIDER has no send(phone, text)")
    return provider


class Sms(DependencyProvider):
    def setup(self) -> None:
        self.provider = load_sms_provider(config.get("REVIEW_SMS_PROVIDER"))

    def get_dependency(self, worker_ctx) -> SmsProvider:
        return self.provider


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
