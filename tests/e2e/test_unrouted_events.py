"""An event is marked published only once the broker has put it in a queue: published
while no consumer's queue exists (a fresh install, a broker that lost its definitions),
it stays in the outbox, is tried again with growing pauses, and arrives once the
consumers are back."""

from __future__ import annotations

import os
import signal

from kombu import Connection

from tests.e2e.test_applications import apply, eventually, import_case
from tests.support import create_staff, new_party, wait_dead, wait_until

COURT = "广东省广州市中级人民法院"
CONSUMERS = ("review", "dossier")


def stop(stack, service: str) -> None:
    pid = stack.pid(service)
    os.killpg(pid, signal.SIGTERM)
    wait_dead(pid)


def test_an_event_no_queue_takes_waits_in_the_outbox_until_one_does(stack, admin):
    reader = new_party(stack.base_url, "未路由读者")
    case_no = import_case(admin, parties=(reader,))
    clerk = create_staff(admin, "clerk", COURT)
    for service in CONSUMERS:
        stop(stack, service)
    try:
        with Connection(stack.amqp_uri) as connection:  # as if the broker had lost them
            channel = connection.channel()
            for service in CONSUMERS:
                channel.queue_delete(f"evt-applications-application_submitted--{service}.on_application_submitted")
        applied = apply(reader, case_no)
        assert applied.status_code == 201, applied.text
        app_id = applied.json()["id"]
        row = "SELECT published_at, attempts FROM outbox WHERE payload LIKE ? AND event_type = 'application_submitted'"
        kept = lambda: stack.sql("applications", row, (f'%"application_id": "{app_id}",%',))  # noqa: E731
        assert wait_until(lambda: kept() and kept()[0][1] >= 2, seconds=20), kept()
        assert kept()[0][0] is None  # not marked published: no queue took it
    finally:
        stack.up()  # review and dossier declare their queues again
    assert wait_until(lambda: kept()[0][0] is not None, seconds=60), kept()
    queued = eventually(lambda: clerk.get(f"/api/v1/applications/{app_id}").status_code, lambda s: s == 200)
    assert queued == 200
    in_queue = eventually(
        lambda: clerk.get("/api/v1/staff/applications", params={"limit": 100}).json()["items"],
        lambda items: any(a["id"] == app_id for a in items),
    )
    assert any(a["id"] == app_id for a in in_queue)
