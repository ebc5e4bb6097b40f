"""Structured logs: redaction of secrets, the JSON line, request-id hygiene, metric helpers."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

from services.common import logging as court_logging
from services.common import metrics

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "q3Vd9_xk2LrT8wYb1mZ0aPcE4sNfGhJuKi7oQ6tR5yU"


def test_redact_takes_out_every_kind_of_secret():
    cases = {
        f"Authorization: Bearer {TOKEN}": TOKEN,
        "{'phone': '13700000000', 'password': 'Reader-2024'}": "Reader-2024",
        '{"token": "abc.def-ghi", "user": 1}': "abc.def-ghi",
        f"GET /api/v1/x?token={TOKEN}&a=1": TOKEN,
        "https://s3/b/k?X-Amz-Credential=AKIA%2F2024&X-Amz-Signature=0f3c9a77be": "0f3c9a77be",
        f"GET /r/{TOKEN} 200": TOKEN,
        "amqp://guest:s3cr3t-pass@rabbitmq:5672/court": "s3cr3t-pass",
        "party 44010619900101001X not matched": "44010619900101001X",
        "IntegrityError [parameters: ('440106199001010011', 'x')]": "440106199001010011",
        "S3_SECRET_KEY=abcdEFGH1234": "abcdEFGH1234",
        "sms to 13800138000 failed": "13800138000",
        "{'phone': '13700000000'}": "13700000000",
    }
    for text, secret in cases.items():
        redacted = court_logging.redact(text)
        assert secret not in redacted, (text, redacted)
    # What is not a secret stays readable: a masked ID keeps its ends, counts stay numbers.
    assert court_logging.redact("id 440106199001010011") == "id 4401**********0011"
    assert court_logging.redact("rpc identity.login refused 12 ms") == "rpc identity.login refused 12 ms"
    assert court_logging.redact("order 12345678901234567890") == "order 12345678901234567890"
    assert court_logging.redact("login 13800138000 refused") == "login 138****8000 refused"
    assert court_logging.redact("application 1380013800012 read") == "application 1380013800012 read"


def _record(msg: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("court.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_json_line_carries_request_id_and_no_secret():
    formatter = court_logging.JsonFormatter()
    filters = [court_logging.RequestContextFilter(), court_logging.RedactionFilter()]
    court_logging.bind_request_id("req-1")
    try:
        try:
            raise ValueError(f"token={TOKEN}")
        except ValueError as exc:
            record = _record("login %s with password=%s", "13700000000", "Reader-2024", exc=exc)
        for f in filters:
            assert f.filter(record)
        entry = json.loads(formatter.format(record))
    finally:
        court_logging.bind_request_id(None)
    assert entry["request_id"] == "req-1"
    assert entry["level"] == "WARNING" and entry["logger"] == "court.test"
    assert "Reader-2024" not in entry["msg"] and "13700000000" not in entry["msg"] and "137****0000" in entry["msg"]
    assert "ValueError" in entry["exc"] and TOKEN not in entry["exc"]
    # Without the filters (a handler configured by hand) the formatter still redacts.
    plain = json.loads(formatter.format(_record('{"password": "%s"}', "Reader-2024")))
    assert "Reader-2024" not in plain["msg"] and plain["request_id"] is None


def test_request_id_from_clients_must_be_plain_and_short():
    assert court_logging.sane_request_id("abc-123_x.y:z") == "abc-123_x.y:z"
    for bad in ("", "a b", "x" * 65, "id\nforged", None, 42, "<b>", "440106199001010011", "token=abc"):
        assert court_logging.sane_request_id(bad) is None
    # Made ones never hold a run of digits that reads as an ID number or a phone.
    made = [court_logging.new_request_id() for _ in range(5000)]
    assert all(court_logging.sane_request_id(m) == m and not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", m) for m in made)


def test_refusals_lose_their_traceback_but_failures_keep_it():
    quiet = court_logging.QuietRefusals()
    refused = logging.LogRecord("nameko.containers", logging.WARNING, __file__, 1, "(expected) error x", (), None)
    failed = logging.LogRecord("nameko.containers", logging.ERROR, __file__, 1, "error handling worker", (), None)
    assert not quiet.filter(refused) and quiet.filter(failed)


def test_applications_by_status_zeroes_a_status_that_emptied():
    metrics.set_applications_by_status({"pending": 3, "approved": 1})
    metrics.set_applications_by_status({"approved": 2})
    assert metrics.APPLICATIONS.labels("pending")._value.get() == 0  # noqa: SLF001
    assert metrics.APPLICATIONS.labels("approved")._value.get() == 2  # noqa: SLF001


def test_a_review_queue_that_empties_goes_to_zero():
    from services.common import metrics

    metrics.set_review_queues([("甲法院", 2, 3600.0), ("乙法院", 1, 60.0)], {"甲法院": 3, "乙法院": 0})
    metrics.set_review_queues([("乙法院", 1, 120.0)], {"乙法院": 1})  # 甲法院's queue emptied
    assert metrics.REVIEW_PENDING.labels("甲法院")._value.get() == 0  # noqa: SLF001
    assert metrics.REVIEW_OLDEST_SECONDS.labels("甲法院")._value.get() == 0  # noqa: SLF001
    assert metrics.REVIEW_OLDEST_SECONDS.labels("乙法院")._value.get() == 120.0  # noqa: SLF001
    assert metrics.REVIEW_OLDEST_WORKING_DAYS.labels("甲法院")._value.get() == 0  # noqa: SLF001
    assert metrics.REVIEW_OLDEST_WORKING_DAYS.labels("乙法院")._value.get() == 1  # noqa: SLF001


# A green process where one real thread (eventlet's pool, as fpdf2 subsetting a font runs)
# and greenthreads log at once through the handler the services use. With logging's own
# StreamHandler (a green lock) this program hangs within a second or two.
_THREAD_AND_GREEN = """
import os, sys, logging
import eventlet
eventlet.monkey_patch()
import eventlet.tpool
from services.common import logging as court_logging

handler = getattr(court_logging, sys.argv[1])
log = logging.getLogger("both")
log.addHandler(handler(open("/dev/null", "w")))
log.setLevel(logging.INFO)

def from_thread():
    for i in range(20000):
        log.info("thread %s", i)
    return "thread done"

def from_greenthreads():
    for i in range(20000):
        log.info("green %s", i)
        if i % 50 == 0:
            eventlet.sleep(0)  # yields, so green and OS threads write interleaved

green = eventlet.spawn(from_greenthreads)
thread = eventlet.spawn(eventlet.tpool.execute, from_thread)
try:
    with eventlet.Timeout(20):
        print(thread.wait())
        green.wait()
except eventlet.Timeout:
    os._exit(3)  # the pool thread waits forever on a lock nobody can hand it
"""


def _log_from_both(handler: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _THREAD_AND_GREEN, handler],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_real_thread_and_greenthreads_log_at_once_without_hanging():
    done = _log_from_both("LineHandler")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "thread done" in done.stdout
    assert "Cannot switch to a different thread" not in done.stderr
