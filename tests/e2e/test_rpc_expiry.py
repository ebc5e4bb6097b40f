"""A request nobody waits for any more is not carried out after an outage: the gateway's
RPC requests carry its deadline as their time to live, so a decision sent while review
was down, answered 503, is not taken behind the clerk's back when review comes back."""

from __future__ import annotations

import os
import random
import signal
import uuid

from tests.e2e.test_review import submitted_payload
from tests.support import assert_error, create_staff, new_case_no, new_party, wait_dead, wait_until


def test_a_request_answered_503_is_not_done_later(stack, admin):
    reader = new_party(stack.base_url, "过期请求读者")
    court = f"测试法院{uuid.uuid4().hex[:8]}"
    clerk = create_staff(admin, "clerk", court)
    app_id = random.randint(10**12, 10**13)
    stack.dispatch_event(
        "applications",
        "application_submitted",
        submitted_payload(app_id, reader, new_case_no(), court, "2026-05-01T09:00:00+08:00"),
    )
    pending = lambda: clerk.get("/api/v1/staff/applications", params={"status": "pending"}).json()["items"]  # noqa: E731
    assert wait_until(lambda: [a["id"] for a in pending()] == [app_id])
    pid = stack.pid("review")
    os.killpg(pid, signal.SIGTERM)
    wait_dead(pid)
    try:
        decision = clerk.post(
            f"/api/v1/staff/applications/{app_id}/decision",
            json={"opinion": "reject", "explanation": "不予准许"},
            timeout=60,
        )
        assert_error(decision, 503, "service_unavailable")
    finally:
        stack.up()
    # review is back and works; the abandoned request expired in its queue
    assert wait_until(lambda: clerk.get("/api/v1/staff/applications").status_code == 200, seconds=30)
    assert [a["id"] for a in pending()] == [app_id]
    assert "不予准许" not in str(clerk.get("/api/v1/staff/applications", params={"limit": 100}).json())
