"""Text messages (短信): one provider interface for every service.

A message is a template id and its parameters, the way the Chinese SMS gateways take them
(a template is registered with the gateway once, with ``${name}`` placeholders; a send
names the registered template and gives the values). :data:`TEMPLATES` holds every
template's text as the recipient reads it (the signature 【网上阅卷】 first; a gateway adds
the signature itself, so the text registered there is the rest).

Providers (``SMS_PROVIDER``, chosen by :func:`load_provider`):

- ``outbox`` (:class:`OutboxFileSms`): one JSON line per message appended to
  ``SMS_OUTBOX_FILE`` (local stacks and tests read what would have gone out there);
- ``log`` (:class:`LogOnlySms`): a log line with the masked number and the template id;
- ``aliyun`` (:class:`AliyunSms`): Alibaba Cloud SMS (SendSms) through its published SDK;
- ``package.module:ClassName``: any class built with no arguments that has
  ``send(phone, template, params)``.

Services take :class:`Sms`, a nameko dependency whose ``send`` never raises: a text is a
courtesy copy and never undoes the work that caused it. Parameters are never logged (an
SMS code is a secret), nor is the text.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from nameko.extensions import DependencyProvider
from prometheus_client import Counter

from services.common.court import clock
from services.common.court.people import mask_phone
from services.common.infra import config

log = logging.getLogger("sms")

# -- templates -----------------------------------------------------------------------------------
TEMPLATES: dict[str, str] = {
    # identity: sign-up and 找回密码 (API.md: 6 digits, valid 10 minutes)
    "sms_code": "【网上阅卷】您的验证码为${code}，10分钟内有效，请勿泄露给他人。",
    # identity: 实名认证 results, and a changed password
    "verification_approved": "【网上阅卷】您的实名认证已通过，请登录查看详情。",
    "verification_rejected": "【网上阅卷】您的实名认证未通过，原因：${explanation}。请登录查看详情并重新提交。",
    "password_changed": "【网上阅卷】您的账号密码已修改。如非本人操作，请立即联系法院。",
    # review: the copies of the applicant's 站内信 (services/review/domain.py notices)
    "application_approved": "【网上阅卷】阅卷申请已通过（${case_no}），请登录查看详情。",
    "application_approved_onsite": "【网上阅卷】阅卷申请已通过（${case_no}），阅卷方式：现场阅卷，请登录查看详情。",
    "application_rejected": "【网上阅卷】阅卷申请未通过（${case_no}），请登录查看详情。",
    "application_returned": "【网上阅卷】阅卷申请被退回补正（${case_no}），请登录查看详情。",
    "application_revoked": "【网上阅卷】阅卷申请已终止（${case_no}），请登录查看详情。",
    "expiry_reminder": "【网上阅卷】在线阅卷即将到期（${case_no}），请登录查看详情。",
    "binding_approved": "【网上阅卷】案件绑定已通过（${case_no}），请登录查看详情。",
    "binding_rejected": "【网上阅卷】案件绑定未通过（${case_no}），请登录查看详情。",
    "binding_revoked": "【网上阅卷】案件绑定已撤销（${case_no}），请登录查看详情。",
    "onsite_no_show": "【网上阅卷】现场阅卷已登记为未到场（${case_no}），如仍需阅卷请重新申请。",
    "onsite_returned": "【网上阅卷】现场阅卷已完成，卷宗已归还（${case_no}）。",
    # the reading room (阅卷室): a booked slot, and the reminder the day before it
    "onsite_booked": "【网上阅卷】现场阅卷已预约（${case_no}）：${slot}，请按时到院并带齐相关证明材料。",
    "onsite_reminder": "【网上阅卷】现场阅卷提醒（${case_no}）：您预约的时间为${slot}（明天），请按时到院。",
}

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(template: str) -> list[str]:
    """The parameter names a template takes, in order (ValueError for an unknown one)."""
    return _PLACEHOLDER.findall(_text_of(template))


def _text_of(template: str) -> str:
    text = TEMPLATES.get(template) if isinstance(template, str) else None
    if text is None:
        raise ValueError(f"unknown SMS template {str(template)[:40]!r}")
    return text


def _clean(template: str, params: Mapping[str, Any] | None) -> dict[str, str]:
    """The template's parameters as strings, exactly the ones it takes. Errors name the
    parameters, never their values (a code is a secret)."""
    names = placeholders(template)
    params = dict(params or {})
    missing = [name for name in names if params.get(name) is None]
    if missing:
        raise ValueError(f"SMS template {template} needs {', '.join(missing)}")
    extra = sorted(str(name) for name in params if name not in names)
    if extra:
        raise ValueError(f"SMS template {template} takes no {', '.join(extra)[:200]}")
    return {name: str(params[name]) for name in names}


def render(template: str, params: Mapping[str, Any]) -> str:
    """The text the recipient reads. ValueError for an unknown template, a missing
    parameter or one the template does not take."""
    values = _clean(template, params)
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _text_of(template))


# -- the interface ---------------------------------------------------------------------------------
class SmsProvider(Protocol):
    def send(self, phone: str, template: str, params: dict[str, str]) -> None: ...


class SmsError(RuntimeError):
    """A gateway refused or could not be reached. The text names the gateway's error code
    only: never the keys, the number or the parameters."""


class OutboxFileSms:
    """Appends each message to a file as one JSON line ``{"at", "phone", "template",
    "params", "text"}``. Several processes append to the same file safely: each line is one
    ``write`` on a descriptor opened with O_APPEND. The file holds codes: mode 0600."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        values = _clean(template, params)
        line = {
            "at": clock.now().isoformat(timespec="milliseconds"),
            "phone": str(phone),
            "template": template,
            "params": values,
            "text": render(template, values),
        }
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            written = os.write(fd, data)
        finally:
            os.close(fd)
        if written != len(data):
            raise SmsError(f"short write to the SMS outbox ({written} of {len(data)} bytes)")


class LogOnlySms:
    """Sends nothing: logs that a text would go out, the number masked and the template id
    (never the parameters or the text)."""

    def __init__(self, **_: Any) -> None:
        pass

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        _clean(template, params)  # the same refusals as a real gateway's
        log.info("sms (log only) to %s, template %s", mask_phone(str(phone)), template)


class AliyunSms:
    """Alibaba Cloud SMS (阿里云短信服务, SendSms) through its SDK
    (``alibabacloud-dysmsapi20170525``). Configuration: ``SMS_ALIYUN_ACCESS_KEY_ID``,
    ``SMS_ALIYUN_ACCESS_KEY_SECRET``, ``SMS_SIGN_NAME`` (the registered signature, e.g.
    网上阅卷), ``SMS_TEMPLATE_CODES`` (JSON object: our template id → the gateway's
    TemplateCode, ``SMS_…``) and optionally ``SMS_ALIYUN_ENDPOINT``
    (``dysmsapi.aliyuncs.com``)."""

    DEFAULT_ENDPOINT = "dysmsapi.aliyuncs.com"

    def __init__(
        self,
        access_key_id: str | None = None,
        access_key_secret: str | None = None,
        sign_name: str | None = None,
        template_codes: Mapping[str, str] | str | None = None,
        endpoint: str | None = None,
    ) -> None:
        settings = {
            "SMS_ALIYUN_ACCESS_KEY_ID": access_key_id or config.get("SMS_ALIYUN_ACCESS_KEY_ID"),
            "SMS_ALIYUN_ACCESS_KEY_SECRET": access_key_secret or config.get("SMS_ALIYUN_ACCESS_KEY_SECRET"),
            "SMS_SIGN_NAME": sign_name or config.get("SMS_SIGN_NAME"),
            "SMS_TEMPLATE_CODES": template_codes or config.get("SMS_TEMPLATE_CODES"),
        }
        missing = [name for name, value in settings.items() if not value]
        if missing:
            raise RuntimeError(f"SMS_PROVIDER=aliyun needs {', '.join(missing)}")
        self.sign_name = str(settings["SMS_SIGN_NAME"])
        self.template_codes = _template_codes(settings["SMS_TEMPLATE_CODES"])
        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models

        self._request_class = models.SendSmsRequest
        self.client = Client(
            utils_models.Config(
                access_key_id=str(settings["SMS_ALIYUN_ACCESS_KEY_ID"]),
                access_key_secret=str(settings["SMS_ALIYUN_ACCESS_KEY_SECRET"]),
                endpoint=endpoint or config.get("SMS_ALIYUN_ENDPOINT") or self.DEFAULT_ENDPOINT,
                connect_timeout=5000,
                read_timeout=10000,
            )
        )

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        values = _clean(template, params)
        code = self.template_codes.get(template)
        if not code:
            raise SmsError(f"SMS_TEMPLATE_CODES has no TemplateCode for {template}")
        request = self._request_class(
            phone_numbers=str(phone),
            sign_name=self.sign_name,
            template_code=code,
            template_param=json.dumps(values, ensure_ascii=False, separators=(",", ":")),
        )
        try:
            response = self.client.send_sms(request)
        except Exception as exc:  # the SDK's messages may echo what was sent
            raise SmsError(f"aliyun SendSms failed: {type(exc).__name__} {_safe(getattr(exc, 'code', ''))}") from None
        body = getattr(response, "body", None)
        answer = getattr(body, "code", None)
        if answer != "OK":
            request_id = _safe(getattr(body, "request_id", ""))
            raise SmsError(f"aliyun SendSms answered {_safe(answer)} (request {request_id})")


def _template_codes(value: Mapping[str, str] | str) -> dict[str, str]:
    try:
        codes = json.loads(value) if isinstance(value, str) else dict(value)
        if not isinstance(codes, dict):
            raise TypeError
    except (TypeError, ValueError):
        raise RuntimeError("SMS_TEMPLATE_CODES is not a JSON object of template id → TemplateCode") from None
    unknown = sorted(str(k) for k in codes if k not in TEMPLATES)
    if unknown:
        raise RuntimeError(f"SMS_TEMPLATE_CODES names unknown templates: {', '.join(unknown)[:200]}")
    return {str(k): str(v) for k, v in codes.items() if v}


def _safe(value: Any) -> str:
    """A gateway's error code or request id, kept to the characters such ids use."""
    return re.sub(r"[^A-Za-z0-9_.:-]", "", str(value or ""))[:64] or "-"


def load_provider() -> SmsProvider:
    """``SMS_PROVIDER``: ``outbox`` (needs ``SMS_OUTBOX_FILE``), ``log``, ``aliyun``, or
    ``package.module:ClassName`` (built with no arguments). Unset: ``outbox`` when
    ``SMS_OUTBOX_FILE`` is set, else ``log``."""
    if config.get("REVIEW_SMS_PROVIDER"):
        log.warning("REVIEW_SMS_PROVIDER is no longer read: set SMS_PROVIDER (see README)")
    spec = str(config.get("SMS_PROVIDER") or "").strip()
    outbox = config.get("SMS_OUTBOX_FILE")
    if not spec:
        spec = "outbox" if outbox else "log"
    if spec == "outbox":
        if not outbox:
            raise RuntimeError("SMS_PROVIDER=outbox needs SMS_OUTBOX_FILE")
        return OutboxFileSms(outbox)
    if spec == "log":
        return LogOnlySms()
    if spec == "aliyun":
        return AliyunSms()
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise RuntimeError("SMS_PROVIDER is none of outbox, log, aliyun or package.module:ClassName")
    provider = getattr(importlib.import_module(module_name), class_name)()
    if not callable(getattr(provider, "send", None)):
        raise RuntimeError(f"SMS_PROVIDER {spec} has no send(phone, template, params)")
    return provider


# -- the nameko dependency ----------------------------------------------------------------------------
SMS_SENT = Counter("court_sms_sent_total", "Text messages handed to the SMS provider", ["template"])
SMS_FAILURES = Counter(
    "court_sms_failures_total", "Text messages the SMS provider refused or failed to take", ["template"]
)


class SmsSender:
    """What a service's ``sms`` is: ``send`` hands the message to the provider and never
    raises; a failure is logged (the exception's class only) and counted."""

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    def send(self, phone: str, template: str, params: Mapping[str, Any] | None = None) -> bool:
        """True when the provider took the message."""
        label = template if isinstance(template, str) and template in TEMPLATES else "unknown"
        try:
            self.provider.send(phone, template, dict(params or {}))
        except Exception as exc:  # a text is a courtesy: it never undoes the caller's work
            SMS_FAILURES.labels(label).inc()
            log.warning("sms %s to %s failed: %s", label, mask_phone(str(phone or "")), type(exc).__name__)
            return False
        SMS_SENT.labels(label).inc()
        return True


class Sms(DependencyProvider):
    """``sms = Sms()`` on a service: ``self.sms.send(phone, template, params)``. The provider
    is built at start-up, so a misconfigured gateway stops the service from starting."""

    def setup(self) -> None:
        self.sender = SmsSender(load_provider())

    def get_dependency(self, worker_ctx) -> SmsSender:
        return self.sender
