"""Text messages (services/common/infra/sms.py) without a broker or a network: templates, the
outbox file's lines (also from several processes at once), what the log provider never
writes, the provider a configuration picks, and the Aliyun SendSms request as its SDK
builds and signs it, caught before it would leave the machine. (Marked ``unit`` by
tests/conftest.py, as everything under tests/unit.)"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import requests

from services.common.infra import sms
from services.review import usecases

ROOT = Path(__file__).resolve().parents[2]
PHONE = "13712345678"
CODE = "834261"
# Made up for the test: the shape of a key pair, nothing that signs anything real.
TEST_KEY_ID = "test-key-id-0000"
TEST_KEY_SECRET = "test-secret-not-a-real-key"
SMS_SETTINGS = (
    "SMS_PROVIDER",
    "SMS_OUTBOX_FILE",
    "SMS_ALIYUN_ACCESS_KEY_ID",
    "SMS_ALIYUN_ACCESS_KEY_SECRET",
    "SMS_ALIYUN_ENDPOINT",
    "SMS_SIGN_NAME",
    "SMS_TEMPLATE_CODES",
    "REVIEW_SMS_PROVIDER",
)


@pytest.fixture(autouse=True)
def no_sms_settings(monkeypatch):
    for key in SMS_SETTINGS:
        monkeypatch.delenv(key, raising=False)


# -- templates -----------------------------------------------------------------------------------
def test_render_fills_the_placeholders():
    assert sms.render("sms_code", {"code": CODE}) == f"【网上阅卷】您的验证码为{CODE}，10分钟内有效，请勿泄露给他人。"
    assert sms.render("expiry_reminder", {"case_no": "（2024）粤01民初1号"}) == (
        "【网上阅卷】在线阅卷即将到期（（2024）粤01民初1号），请登录查看详情。"
    )
    assert "原因：材料不清晰" in sms.render("verification_rejected", {"explanation": "材料不清晰"})
    assert sms.render("password_changed", {}) == sms.TEMPLATES["password_changed"]
    assert sms.render("sms_code", {"code": 123456}).count("123456") == 1  # values become text


def test_every_template_is_signed_and_takes_known_parameters():
    for template, text in sms.TEMPLATES.items():
        assert text.startswith("【网上阅卷】"), template
        names = sms.placeholders(template)
        assert set(names) <= {"code", "case_no", "explanation", "slot"}, template
        rendered = sms.render(template, dict.fromkeys(names, "X"))
        assert "${" not in rendered and rendered.count("X") == len(names), template
    assert sms.placeholders("sms_code") == ["code"]
    assert sms.placeholders("verification_rejected") == ["explanation"]
    assert sms.placeholders("verification_approved") == [] and sms.placeholders("password_changed") == []


def test_review_sends_a_template_for_every_notice():
    decided = {
        usecases._decision_template(opinion, mode)
        for opinion, mode in (("approve", "online"), ("approve", "onsite"), ("reject", None), ("return", None))
    }
    assert decided == {
        "application_approved",
        "application_approved_onsite",
        "application_rejected",
        "application_returned",
    }
    for template in (
        *decided,
        "application_revoked",
        "expiry_reminder",
        *(f"binding_{s}" for s in ("approved", "rejected", "revoked")),
    ):
        assert sms.placeholders(template) == ["case_no"], template
    # the reading room's: the case and the booked slot (2026-05-08 上午 09:00-12:00)
    for template in ("onsite_booked", "onsite_reminder"):
        assert sms.placeholders(template) == ["case_no", "slot"], template


def test_render_refuses_unknown_templates_and_wrong_parameters_without_echoing_values():
    with pytest.raises(ValueError, match="unknown SMS template"):
        sms.render("no_such_template", {})
    with pytest.raises(ValueError, match="unknown SMS template"):
        sms.render(None, {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs code"):
        sms.render("sms_code", {})
    with pytest.raises(ValueError, match="needs code"):
        sms.render("sms_code", {"code": None})
    with pytest.raises(ValueError, match="takes no extra") as info:  # names it, not its value
        sms.render("sms_code", {"code": CODE, "extra": "secret-value"})
    assert CODE not in str(info.value) and "secret-value" not in str(info.value)


# -- the outbox file ---------------------------------------------------------------------------------
def test_the_outbox_appends_one_json_line_in_the_contracts_shape(tmp_path):
    path = tmp_path / "deeper" / "sms.jsonl"
    outbox = sms.OutboxFileSms(path)
    outbox.send(PHONE, "sms_code", {"code": CODE})
    outbox.send("13800000000", "application_revoked", {"case_no": "（2024）粤01民初1号"})
    first, second = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    assert set(first) == {"at", "phone", "template", "params", "text"}
    assert first["phone"] == PHONE and first["template"] == "sms_code" and first["params"] == {"code": CODE}
    assert first["text"] == sms.render("sms_code", {"code": CODE})
    assert datetime.fromisoformat(first["at"]).utcoffset() is not None  # ISO 8601 with its offset
    assert second["text"] == "【网上阅卷】阅卷申请已终止（（2024）粤01民初1号），请登录查看详情。"
    assert "（2024）粤01民初1号" in path.read_text(encoding="utf-8")  # readable, not \\u escapes
    assert path.stat().st_mode & 0o777 == 0o600  # it holds codes
    with pytest.raises(ValueError):
        outbox.send(PHONE, "sms_code", {})
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2  # nothing written for a refusal


def test_threads_share_one_outbox(tmp_path):
    outbox = sms.OutboxFileSms(tmp_path / "sms.jsonl")
    threads = [
        threading.Thread(
            target=lambda n=n: [outbox.send(PHONE, "sms_code", {"code": f"{n}{i:05d}"}) for i in range(50)]
        )
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = [json.loads(line)["params"]["code"] for line in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert sorted(codes) == sorted(f"{n}{i:05d}" for n in range(4) for i in range(50))


WRITER = """
import sys, threading
from services.common.infra.sms import OutboxFileSms
path, writer, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
outbox = OutboxFileSms(path)
filler = "材料" * 1500  # a 9 KB line: longer than any pipe's atomic write

def write(thread):
    for i in range(count):
        outbox.send("13700000000", "verification_rejected", {"explanation": f"{writer}/{thread}/{i}/{filler}"})

threads = [threading.Thread(target=write, args=(t,)) for t in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def test_several_processes_and_threads_append_whole_lines(tmp_path):
    path = tmp_path / "sms.jsonl"
    count, writers = 40, 4
    env = dict(os.environ, PYTHONPATH=str(ROOT), EVENTLET_TESTS="1")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(w), str(count)], cwd=ROOT, env=env)
        for w in range(writers)
    ]
    assert [proc.wait(timeout=120) for proc in procs] == [0] * writers
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == writers * 3 * count
    seen = set()
    for line in lines:
        sent = json.loads(line)  # a torn or interleaved line would not parse
        writer, thread, i, filler = sent["params"]["explanation"].split("/")
        assert filler == "材料" * 1500 and sent["text"].count(filler) == 1
        seen.add((writer, thread, i))
    assert len(seen) == writers * 3 * count  # every message once


# -- logging: never the parameters -------------------------------------------------------------------
def test_the_log_provider_logs_a_masked_number_and_the_template_only(caplog):
    caplog.set_level(logging.DEBUG)
    provider = sms.LogOnlySms()
    provider.send(PHONE, "sms_code", {"code": CODE})
    provider.send(PHONE, "verification_rejected", {"explanation": "身份证照片不清晰"})
    assert "137****5678" in caplog.text and "sms_code" in caplog.text and "verification_rejected" in caplog.text
    assert PHONE not in caplog.text and CODE not in caplog.text and "身份证照片不清晰" not in caplog.text
    assert "验证码" not in caplog.text  # nor the text
    with pytest.raises(ValueError):
        provider.send(PHONE, "no_such_template", {})


def test_the_dependency_never_raises_and_counts_by_template(caplog):
    class Broken:
        def send(self, phone, template, params):
            raise ConnectionError(f"gateway down while sending {params}")

    class Taken:
        sent: list = []

        def send(self, phone, template, params):
            self.sent.append((phone, template, params))

    def count(name: str, template: str) -> float:
        from prometheus_client import REGISTRY

        return REGISTRY.get_sample_value(name, {"template": template}) or 0.0

    caplog.set_level(logging.DEBUG)
    failed, sent = count("court_sms_failures_total", "sms_code"), count("court_sms_sent_total", "sms_code")
    assert sms.SmsSender(Broken()).send(PHONE, "sms_code", {"code": CODE}) is False
    assert "ConnectionError" in caplog.text and CODE not in caplog.text and PHONE not in caplog.text
    assert "gateway down" not in caplog.text  # the exception's class only
    assert count("court_sms_failures_total", "sms_code") == failed + 1

    taken = Taken()
    assert sms.SmsSender(taken).send(PHONE, "sms_code", {"code": 834261}) is True
    assert taken.sent == [(PHONE, "sms_code", {"code": 834261})]
    assert count("court_sms_sent_total", "sms_code") == sent + 1
    unknown = count("court_sms_failures_total", "unknown")
    assert sms.SmsSender(sms.LogOnlySms()).send(PHONE, "made-up-template-id", {}) is False
    assert count("court_sms_failures_total", "unknown") == unknown + 1  # labels stay few

    dependency = sms.Sms()
    dependency.setup()
    assert isinstance(dependency.get_dependency(None), sms.SmsSender)


# -- which provider --------------------------------------------------------------------------------------
def test_the_provider_is_configuration(monkeypatch, tmp_path):
    assert isinstance(sms.load_provider(), sms.LogOnlySms)  # nothing set
    monkeypatch.setenv("SMS_OUTBOX_FILE", str(tmp_path / "out.jsonl"))
    provider = sms.load_provider()
    assert isinstance(provider, sms.OutboxFileSms) and provider.path == tmp_path / "out.jsonl"
    monkeypatch.setenv("SMS_PROVIDER", "log")
    assert isinstance(sms.load_provider(), sms.LogOnlySms)  # chosen over the file
    monkeypatch.setenv("SMS_PROVIDER", "outbox")
    assert isinstance(sms.load_provider(), sms.OutboxFileSms)
    monkeypatch.setenv("SMS_PROVIDER", "services.common.infra.sms:LogOnlySms")
    assert isinstance(sms.load_provider(), sms.LogOnlySms)
    monkeypatch.delenv("SMS_OUTBOX_FILE")
    monkeypatch.setenv("SMS_PROVIDER", "outbox")
    with pytest.raises(RuntimeError, match="SMS_OUTBOX_FILE"):
        sms.load_provider()
    monkeypatch.setenv("SMS_PROVIDER", "carrier-pigeon")
    with pytest.raises(RuntimeError, match="none of"):
        sms.load_provider()
    monkeypatch.setenv("SMS_PROVIDER", "services.common.infra.sms:TEMPLATES")  # not a provider
    with pytest.raises((RuntimeError, TypeError)):
        sms.load_provider()
    monkeypatch.setenv("SMS_PROVIDER", "aliyun")
    with pytest.raises(RuntimeError, match="SMS_ALIYUN_ACCESS_KEY_ID, SMS_ALIYUN_ACCESS_KEY_SECRET, SMS_SIGN_NAME"):
        sms.load_provider()
    monkeypatch.setenv("SMS_ALIYUN_ACCESS_KEY_ID", TEST_KEY_ID)
    monkeypatch.setenv("SMS_ALIYUN_ACCESS_KEY_SECRET", TEST_KEY_SECRET)
    monkeypatch.setenv("SMS_SIGN_NAME", "网上阅卷")
    monkeypatch.setenv("SMS_TEMPLATE_CODES", "not json")
    with pytest.raises(RuntimeError, match="JSON object") as info:
        sms.load_provider()
    assert TEST_KEY_SECRET not in str(info.value)
    monkeypatch.setenv("SMS_TEMPLATE_CODES", json.dumps({"sms_cod": "SMS_000000001"}))
    with pytest.raises(RuntimeError, match="unknown templates: sms_cod"):
        sms.load_provider()
    monkeypatch.setenv("SMS_TEMPLATE_CODES", json.dumps({"sms_code": "SMS_000000001"}))
    provider = sms.load_provider()
    assert isinstance(provider, sms.AliyunSms) and provider.template_codes == {"sms_code": "SMS_000000001"}


# -- Aliyun: the request the SDK builds, caught at its transport -----------------------------------------
class Transport:
    """Stands in for the requests session the SDK sends through (DaraCore._get_session),
    answering as Aliyun would; anything reaching a real socket fails the test."""

    def __init__(self, status: int = 200, answer: dict | None = None) -> None:
        self.status = status
        self.answer = answer or {"Code": "OK", "Message": "OK", "BizId": "900000000000000000", "RequestId": "R-1"}
        self.sent: list[requests.PreparedRequest] = []

    def send(self, prepared, **_):
        self.sent.append(prepared)
        response = requests.Response()
        response.status_code, response.reason = self.status, "OK" if self.status == 200 else "Bad Request"
        response.headers["Content-Type"] = "application/json;charset=utf-8"
        response._content = json.dumps(self.answer).encode()
        return response


@pytest.fixture
def transport(monkeypatch):
    from darabonba.core import DaraCore

    def no_network(*_args, **_kwargs):
        raise AssertionError("the test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fake = Transport()
    monkeypatch.setattr(DaraCore, "_get_session", staticmethod(lambda **_: fake))
    return fake


def aliyun() -> sms.AliyunSms:
    codes = {"sms_code": "SMS_000000001", "application_approved": "SMS_000000002"}
    return sms.AliyunSms(TEST_KEY_ID, TEST_KEY_SECRET, "网上阅卷", json.dumps(codes))


def v3_signature(prepared: requests.PreparedRequest, signed_headers: str, secret: str) -> str:
    """ACS3-HMAC-SHA256 as Alibaba Cloud's V3 signature documentation defines it, written
    out here independently of the SDK."""
    url = urlsplit(prepared.url)
    query = sorted(parse_qsl(url.query, keep_blank_values=True))
    canonical_query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in query)
    headers = {k.lower(): str(v).strip() for k, v in prepared.headers.items()}
    names = signed_headers.split(";")
    canonical_headers = "".join(f"{name}:{headers[name]}\n" for name in names)
    payload = hashlib.sha256(prepared.body or b"").hexdigest()
    canonical = "\n".join(
        [prepared.method, url.path or "/", canonical_query, canonical_headers, signed_headers, payload]
    )
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def test_aliyun_sends_a_signed_sendsms_request(transport):
    aliyun().send(PHONE, "sms_code", {"code": CODE})
    (request,) = transport.sent
    url = urlsplit(request.url)
    assert request.method == "POST" and url.scheme == "https" and url.netloc == "dysmsapi.aliyuncs.com"
    assert request.headers["x-acs-action"] == "SendSms" and request.headers["x-acs-version"] == "2017-05-25"
    query = dict(parse_qsl(url.query))
    assert query["PhoneNumbers"] == PHONE and query["SignName"] == "网上阅卷"
    assert query["TemplateCode"] == "SMS_000000001"
    assert json.loads(query["TemplateParam"]) == {"code": CODE}
    # signed with the key pair: the signature checks against the secret, which never travels
    scheme, _, fields = request.headers["Authorization"].partition(" ")
    parts = dict(field.split("=", 1) for field in fields.split(","))
    assert scheme == "ACS3-HMAC-SHA256" and parts["Credential"] == TEST_KEY_ID
    assert {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(parts["SignedHeaders"].split(";"))
    assert parts["Signature"] == v3_signature(request, parts["SignedHeaders"], TEST_KEY_SECRET)
    assert parts["Signature"] != v3_signature(request, parts["SignedHeaders"], TEST_KEY_SECRET + "x")
    everything = request.url + json.dumps(dict(request.headers)) + str(request.body or "")
    assert TEST_KEY_SECRET not in everything


def test_aliyun_refusals_raise_without_keys_numbers_or_parameters(transport):
    provider = aliyun()
    transport.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": f"触发{PHONE}流控", "RequestId": "R-2"}
    with pytest.raises(sms.SmsError) as info:
        provider.send(PHONE, "sms_code", {"code": CODE})
    message = str(info.value)
    assert "isv.BUSINESS_LIMIT_CONTROL" in message and "R-2" in message
    transport.status = 400
    transport.answer = {"Code": "SignatureDoesNotMatch", "Message": f"string to sign {CODE}", "RequestId": "R-3"}
    with pytest.raises(sms.SmsError) as second:
        provider.send(PHONE, "sms_code", {"code": CODE})
    assert "SignatureDoesNotMatch" in str(second.value)
    assert second.value.__cause__ is None and second.value.__suppress_context__  # the SDK's error stays out
    for error in (info.value, second.value):
        for secret in (TEST_KEY_SECRET, TEST_KEY_ID, PHONE, CODE):
            assert secret not in str(error)
    with pytest.raises(sms.SmsError, match="no TemplateCode for binding_revoked"):
        provider.send(PHONE, "binding_revoked", {"case_no": "（2024）粤01民初1号"})
    with pytest.raises(ValueError):
        provider.send(PHONE, "sms_code", {})
    assert len(transport.sent) == 2  # nothing sent for what could not be sent


def test_aliyun_takes_its_endpoint_from_configuration(transport, monkeypatch):
    monkeypatch.setenv("SMS_ALIYUN_ENDPOINT", "dysmsapi.example.internal")
    aliyun().send(PHONE, "application_approved", {"case_no": "（2024）粤01民初1号"})
    (request,) = transport.sent
    assert urlsplit(request.url).netloc == "dysmsapi.example.internal"
    assert json.loads(dict(parse_qsl(urlsplit(request.url).query))["TemplateParam"]) == {
        "case_no": "（2024）粤01民初1号"
    }
