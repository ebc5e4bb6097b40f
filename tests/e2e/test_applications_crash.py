"""A submission survives its service being killed between commit and publish.

The applications process is restarted with ``COURT_FAULT_FILE`` (services/common/testing/faults.py)
armed with ``publish_after_commit``: the process kills itself (SIGKILL) right after a
submission commits and before its ``application_submitted`` event is published. The test
brings it back with ``deploy/stack.py up`` and watches the ``applications.events`` exchange
with a queue of its own: the event arrives, once.
"""

from __future__ import annotations

import threading

from tests.e2e.test_applications import apply, import_case
from tests.support import EventTap, new_party, wait_dead, wait_until


def test_sigkill_between_commit_and_publish_loses_nothing_and_duplicates_nothing(stack, admin, tmp_path):
    party = new_party(stack.base_url)
    case_no = import_case(admin, parties=[party])
    fault_file = tmp_path / "applications-fault"

    with EventTap(stack.amqp_uri, "applications", "application_submitted") as tap:
        seen, drain = tap.seen, tap.drain
        try:
            armed_pid = stack.restart_with("applications", COURT_FAULT_FILE=str(fault_file))
            fault_file.write_text("publish_after_commit")
            responses: list = []
            client = threading.Thread(
                target=lambda: responses.append(apply(party, case_no, key="crash-1")), daemon=True
            )
            client.start()
            wait_dead(armed_pid)  # committed, not yet published
            assert not fault_file.exists(), "the fault point was not reached"  # it fired, once
            drain(1.0)
            assert seen == [], "the event went out before the crash: the fault point is in the wrong place"
        finally:
            fault_file.unlink(missing_ok=True)
            stack.up()  # starts only what is not running: the applications service comes back

        client.join(30)
        # The request the kill interrupted was redelivered to the restarted service or timed
        # out at the gateway; a retry with the same key answers with the one application.
        retry = apply(party, case_no, key="crash-1")
        assert retry.status_code == 201, retry.text
        application = retry.json()
        if responses and responses[0].status_code == 201:
            assert responses[0].json() == application

        ours = str(application["id"])  # events carry the id as the contract's string
        assert wait_until(lambda: drain(0.3) or any(e["application_id"] == ours for e in seen), 20), "the event"
        drain(3.0)  # longer than the relay timer's interval: a duplicate would show by now
        mine = [e for e in seen if e["application_id"] == ours]
        assert len(mine) == 1, mine
        assert mine[0]["case_no"] == case_no and mine[0]["event_id"]
        listed = party.get("/api/v1/applications").json()["items"]
        assert [a["id"] for a in listed] == [application["id"]]
