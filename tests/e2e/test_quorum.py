"""The production cluster declares quorum queues (deploy/k8s, deploy/rabbitmq): a stack on
a vhost whose default queue type is quorum carries an application from submission to
decision, its RPC and event queues quorum, the gateway's broadcast queue classic."""

from __future__ import annotations

import subprocess

import pytest

from tests.support import Api, create_staff, new_case_no, start_private_stack, stop_private_stack, wait_until

COURT = "广东省广州市中级人民法院"


@pytest.mark.once
def test_an_application_goes_through_on_quorum_queues():
    stack = start_private_stack("quorum-", RABBITMQ_DEFAULT_QUEUE_TYPE="quorum")
    try:
        admin = Api(stack.base_url)
        admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
        party = Api(stack.base_url)
        id_number = party.register("party", name="全程当事人")["id_number"]
        case_no = new_case_no()
        case = {"case_no": case_no, "court": COURT, "status": "in_trial", "has_electronic_dossier": False,
                "parties": [{"name": "全程当事人", "id_number": id_number, "side": "原告"}]}  # fmt: skip
        assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
        submitted = party.post("/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "核对"})
        assert submitted.status_code == 201, submitted.text
        app_id = submitted.json()["id"]

        clerk = create_staff(admin, "clerk", COURT)
        decide = f"/api/v1/staff/applications/{app_id}/decision"
        decision = {"opinion": "reject", "explanation": "材料不全"}
        # 404 until application_submitted has reached review through its quorum queue
        assert wait_until(lambda: clerk.post(decide, json=decision).status_code == 200, seconds=30)
        # and application_decided back to applications
        mine = f"/api/v1/applications/{app_id}"
        assert wait_until(lambda: party.get(mine).json()["status"] == "rejected", seconds=30), party.get(mine).text

        listed = subprocess.run(
            ["rabbitmqctl", "-q", "list_queues", "-p", stack.state()["vhost"], "name", "type"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        types = dict(line.split("\t")[:2] for line in listed.splitlines() if "\t" in line)
        assert types["rpc-applications"] == "quorum" and types["rpc-review"] == "quorum"
        handler = "evt-applications-application_submitted--review.on_application_submitted"
        assert types[handler] == "quorum"
        broadcast = [name for name in types if name.startswith("evt-identity-session_revoked--gateway")]
        assert broadcast and all(types[name] == "classic" for name in broadcast)
    finally:
        stop_private_stack(stack)
