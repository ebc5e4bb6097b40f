"""The review service killed (SIGKILL) in the middle of a decision, then restarted:
exactly one decision is recorded and exactly one is announced.

The kill comes from a fault-injection point (services/common/testing/faults.py,
``fault_point``): inert unless the process starts with ``COURT_FAULT_FILE`` naming a
file, and it fires only when that file names the point. Here review is restarted with
the variable set, dies right after the decision commits and before the outbox relay has
published anything or the reply has gone out, and is then restarted as an operator would
(``deploy/stack.py up`` starts what is not running).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from tests.e2e.test_review import (
    SHANGHAI,
    court_of_this_test,
    decision_path,
    import_case,
    messages_of,
    queue,
    submit,
    wait_arrived,
    wait_messages,
)
from tests.support import Api, EventTap, assert_error, create_staff, wait_dead


def test_review_killed_mid_decision_records_and_announces_once(stack, admin, tmp_path):
    court = court_of_this_test()
    clerk = create_staff(admin, "clerk", court, name="审查员甲")
    rival = create_staff(admin, "clerk", court, name="审查员乙")
    party = Api(stack.base_url)
    party.register("party")
    app_id = submit(stack, party, import_case(admin, court, electronic=False), court)
    wait_arrived(clerk, app_id)

    # Count every announcement on the broker itself, not what a consumer made of it.
    fault_file = tmp_path / "review-fault"
    with EventTap(stack.amqp_uri, "review", "application_decided") as announcements:
        try:
            armed_pid = stack.restart_with("review", COURT_FAULT_FILE=str(fault_file))
            fault_file.write_text("decision_after_commit")

            today = datetime.now(SHANGHAI).date().isoformat()
            body = {"opinion": "approve", "mode": "onsite", "start_date": today, "end_date": today}
            key = {"Idempotency-Key": f"crash-{app_id}"}
            with ThreadPoolExecutor(1) as pool:
                pending = pool.submit(clerk.post, decision_path(app_id), json=body, headers=key, timeout=60)
                wait_dead(armed_pid)
                assert not fault_file.exists()  # the point fired, once
                stack.up()
                first = pending.result()
            # The request died with the process: the client saw a timeout or, if the
            # redelivered request reached the new process in time, the recorded answer.
            assert first.status_code in (200, 503), first.text

            retry = clerk.post(decision_path(app_id), json=body, headers=key)
            assert retry.status_code == 200, retry.text
            assert retry.json()["status"] == "approved" and retry.json()["review"]["reviewer"] == "审查员甲"
            assert_error(
                rival.post(decision_path(app_id), json={"opinion": "reject", "explanation": "晚了"}),
                409,
                "invalid_state",
            )
            shown = next(i for i in queue(rival) if i["id"] == app_id)
            assert shown["status"] == "approved" and shown["review"]["reviewer"] == "审查员甲"

            # The committed decision is announced after the restart, and only once.
            assert len(wait_messages(party, app_id, 1, seconds=30)) == 1
            # a second relay or a redelivery would have landed within two seconds
            seen = [p for p in announcements.drain(2) if p.get("application_id") == str(app_id)]
            assert len(seen) == 1, seen
            assert seen[0]["opinion"] == "approve" and seen[0]["mode"] == "onsite"
            assert [m["application_id"] for m in messages_of(party)].count(app_id) == 1
        finally:
            fault_file.unlink(missing_ok=True)
            if not stack.pid("review"):
                stack.up()
