"""An event is marked published only once the broker has put it in a queue: published
while no consumer's queue exists (a fresh install, a broker that lost its definitions),
it stays in the outbox, is tried again with growing pauses, and arrives once the
consumers are back."""

from __future__ import annotations

import subprocess

from kombu import Connection

from tests.e2e.test_applications import apply, eventually, import_case
from tests.support import create_staff, new_party, wait_until

COURT = "广东省广州市中级人民法院"
CONSUMERS = ("review", "dossier")


def bound_to_submissions(stack) -> dict[str, str]:
    """The queues bound to ``application_submitted`` on applications' exchange, each with
    its consumer count: the consumers' two, and any another test or process left behind."""
    vhost = stack.state()["vhost"]

    def ctl(*args: str) -> list[list[str]]:
        done = subprocess.run(["rabbitmqctl", "-q", *args, "-p", vhost], capture_output=True, text=True, timeout=60)
        return [line.split("\t") for line in done.stdout.splitlines() if "\t" in line]

    bound = {
        row[1]
        for row in ctl("list_bindings", "source_name", "destination_name", "routing_key")
        if row[0] == "applications.events" and row[2] == "application_submitted"
    }
    return {name: consumers for name, consumers in ctl("list_queues", "name", "consumers") if name in bound}


def test_an_event_no_queue_takes_waits_in_the_outbox_until_one_does(stack, admin):
    reader = new_party(stack.base_url, "未路由读者")
    case_no = import_case(admin, parties=(reader,))
    clerk = create_staff(admin, "clerk", COURT)
    for service in CONSUMERS:
        stack.stop(service)
    try:
        with Connection(stack.amqp_uri) as connection:  # as if the broker had lost them
            channel = connection.channel()
            for queue in bound_to_submissions(stack):
                channel.queue_delete(queue)
        assert bound_to_submissions(stack) == {}
        applied = apply(reader, case_no)
        assert applied.status_code == 201, applied.text
        app_id = applied.json()["id"]
        row = "SELECT published_at, attempts FROM outbox WHERE payload LIKE ? AND event_type = 'application_submitted'"
        kept = lambda: stack.sql("applications", row, (f'%"application_id": "{app_id}",%',))  # noqa: E731
        # a queue declared again meanwhile (by a process still running) would have taken it
        assert wait_until(lambda: kept() and kept()[0][1] >= 2, seconds=20), (kept(), bound_to_submissions(stack))
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
