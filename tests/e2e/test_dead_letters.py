"""A handler that keeps failing (its table gone, as in a database failover) is retried
with growing delays, not in a hot loop; after its last try the event waits in the
consumer's dead-letter queue, counted in the metrics, and an operator's replay completes
the work once the cause is fixed. Nothing is lost on the way."""

from __future__ import annotations

import os
import random
import signal
import time
import uuid

from kombu import Connection, Queue

from tests.e2e.test_admin_cli import admin_tool
from tests.e2e.test_applications import eventually
from tests.e2e.test_observability import metrics_port, scrape
from tests.e2e.test_review import submitted_payload
from tests.support import create_staff, new_party, wait_dead, wait_until

QUEUE = "evt-applications-application_submitted--review.on_application_submitted"


def waiting(stack, queue: str) -> int:
    with Connection(stack.amqp_uri) as connection:
        return Queue(queue, durable=True).bind(connection.channel()).queue_declare(passive=True).message_count


def peek(stack, queue: str):
    """The first message of a queue, put back untouched."""
    with Connection(stack.amqp_uri) as connection:
        message = Queue(queue, durable=True).bind(connection.channel()).get(no_ack=False)
        headers = dict(message.headers)
        message.requeue()
        return headers


def test_a_failing_handler_backs_off_then_parks_its_event_and_a_replay_completes_it(stack, admin):
    reader = new_party(stack.base_url, "死信读者")
    court = f"测试法院{uuid.uuid4().hex[:8]}"
    clerk = create_staff(admin, "clerk", court)
    before = scrape(f"http://127.0.0.1:{metrics_port(stack, 'review')}/metrics")
    dead_sample = f'court_dead_letters_total{{queue="{QUEUE}"}}'
    retry_sample = f'court_event_retries_total{{queue="{QUEUE}"}}'
    app_id = random.randint(10**12, 10**13)
    stack.sql("review", "ALTER TABLE inbox RENAME TO inbox_away")  # every review handler now fails
    try:
        started = time.monotonic()
        stack.dispatch_event(
            "applications",
            "application_submitted",
            submitted_payload(app_id, reader, "（2024）粤01民初1号", court, "2026-05-01T09:00:00+08:00"),
        )
        assert wait_until(lambda: waiting(stack, QUEUE + ".dead") == 1, seconds=30), (
            "the event never became a dead letter"
        )
        elapsed = time.monotonic() - started
    finally:
        stack.sql("review", "ALTER TABLE inbox_away RENAME TO inbox")
    # three tries: the first, then after waiting 1 s and 2 s in the retry queues
    assert elapsed >= 3
    headers = peek(stack, QUEUE + ".dead")
    assert headers["x-court-tries"] == 3
    assert "inbox" in headers["x-court-error"]
    waited = sorted(d["queue"] for d in headers["x-death"])
    assert waited == [QUEUE + ".backoff-1s", QUEUE + ".backoff-2s"]
    after = scrape(f"http://127.0.0.1:{metrics_port(stack, 'review')}/metrics")
    assert after[dead_sample] - before.get(dead_sample, 0) == 1
    assert after[retry_sample] - before.get(retry_sample, 0) == 2
    assert clerk.get("/api/v1/staff/applications").json()["items"] == []  # not applied, not lost

    done = admin_tool(stack, "replay-dead-letters", "--service", "review")
    assert done.returncode == 0, done.stderr
    assert "共放回 1 条死信事件" in done.stdout
    queued = eventually(lambda: clerk.get("/api/v1/staff/applications").json()["items"], lambda items: bool(items))
    assert [a["id"] for a in queued] == [app_id]
    assert waiting(stack, QUEUE + ".dead") == 0
    again = admin_tool(stack, "replay-dead-letters")
    assert again.returncode == 0 and "共放回 0 条死信事件" in again.stdout


def test_a_vhost_of_the_older_retry_queues_restarts_and_their_events_still_come_back(stack, admin):
    """Before the retry exchanges, a failed event waited in ``<queue>.retry-<n>s``, which
    dead-lettered through the default exchange. Such a queue, still holding an event, must
    neither stop the service from restarting nor lose the event: when its time runs out
    the event returns to its consumer and is handled."""
    reader = new_party(stack.base_url, "旧重试队列读者")
    court = f"测试法院{uuid.uuid4().hex[:8]}"
    clerk = create_staff(admin, "clerk", court)
    app_id = random.randint(10**12, 10**13)
    old = Queue(
        QUEUE + ".retry-7s",
        durable=True,
        queue_arguments={"x-message-ttl": 7000, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": QUEUE},
    )
    payload = submitted_payload(app_id, reader, "（2024）粤01民初2号", court, "2026-05-01T09:00:00+08:00")
    with Connection(stack.amqp_uri) as connection:
        old.bind(connection.channel()).declare()
        connection.Producer(channel=connection.channel()).publish(
            payload, exchange="", routing_key=old.name, serializer="json", headers={"x-court-tries": 1}, delivery_mode=2
        )
    assert waiting(stack, old.name) == 1
    pid = stack.pid("review")
    os.kill(pid, signal.SIGTERM)
    wait_dead(pid)
    stack.up()  # the new code on the old vhost: only review starts
    assert stack.pid("review") not in (None, pid)
    queued = eventually(lambda: clerk.get("/api/v1/staff/applications").json()["items"], lambda items: bool(items))
    assert [a["id"] for a in queued] == [app_id]
    assert waiting(stack, old.name) == 0
    with Connection(stack.amqp_uri) as connection:  # an operator deletes it once empty
        old.bind(connection.channel()).delete()
