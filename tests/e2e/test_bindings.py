"""Lawyer–case binding (案件绑定) over HTTP: a lawyer applies with materials, a clerk of the
case's court decides, the lawyer becomes ``lawyer_bound``, and the decision is announced."""

from __future__ import annotations

import json
import time

from kombu import Connection, Exchange, Queue

from tests.e2e.test_cases import COURT, case_body, import_cases, lookup
from tests.e2e.test_uploads import pdf_bytes, png_bytes, upload
from tests.support import Api, assert_error, create_staff, new_case_no, new_lawyer, new_party, wait_for_timer_runs


def materials(lawyer: Api, *kinds: str) -> list[str]:
    ids = []
    for kind in kinds:
        response = upload(lawyer, pdf_bytes() if kind == "authorization" else png_bytes(), kind, f"{kind}.png")
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def apply(lawyer: Api, case_no: str, material_ids: list[str], party_name: str = "张三"):
    return lawyer.post(
        "/api/v1/bindings", json={"case_no": case_no, "party_name": party_name, "material_ids": material_ids}
    )


class DecidedEvents:
    """A queue of our own on case_binding's event exchange, as any consumer would bind."""

    def __init__(self, stack):
        self.connection = Connection(stack.amqp_uri)
        exchange = Exchange("case_binding.events", type="topic", durable=True)
        self.queue = Queue(exclusive=True, auto_delete=True, exchange=exchange, routing_key="binding_decided")
        self.bound = self.queue(self.connection.default_channel)
        self.bound.declare()

    def wait_for(self, binding_id: int, seconds: float = 10) -> dict:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = self.bound.get(no_ack=True)
            if message is None:
                time.sleep(0.1)
                continue
            payload = json.loads(message.body)
            if payload.get("binding_id") == binding_id:
                return payload
        raise AssertionError("binding_decided was not announced")

    def assert_quiet(self, stack) -> None:
        """No copy of an announcement arrives later: once case_binding's outbox relay has
        run twice more, whatever it would send again has been sent."""
        wait_for_timer_runs(stack, "case_binding", "relay_outbox")
        message = self.bound.get(no_ack=True)
        assert message is None, f"announced again: {message.body}"

    def close(self) -> None:
        self.connection.release()


def test_binding_from_application_to_decision(stack, admin):
    clerk = create_staff(admin, "clerk")
    other_clerk = create_staff(admin, "clerk", court="广东省深圳市中级人民法院")
    party = new_party(stack.base_url, name="张三")
    lawyer, of_record, other_lawyer = new_lawyer(admin), new_lawyer(admin), new_lawyer(admin)
    case_no, archived_no = new_case_no(), new_case_no()
    import_cases(
        admin,
        case_body(case_no, parties=[party], lawyers=[of_record]),
        case_body(archived_no, status="archived", parties=[party]),
    )
    assert lookup(lawyer, case_no).json()["needs_binding"] is True
    license_id, authorization_id, letter_id = materials(lawyer, "license", "authorization", "firm_letter")
    foreign_id = materials(other_lawyer, "authorization")[0]

    # Refusals first, none of which leaves a binding behind.
    body = assert_error(apply(lawyer, case_no, [license_id]), 422, "materials_missing")
    assert body["error"]["details"]["missing"] == ["authorization"]
    body = assert_error(apply(lawyer, case_no, []), 422, "materials_missing")
    assert body["error"]["details"]["missing"] == ["license", "authorization"]
    assert_error(apply(lawyer, case_no, [license_id, foreign_id]), 404, "not_found")
    assert_error(apply(lawyer, new_case_no(), [license_id, authorization_id]), 404, "not_found")
    assert_error(apply(lawyer, "（2021）粤01民初", [license_id, authorization_id]), 422, "invalid_case_no")
    assert_error(apply(lawyer, case_no, [license_id, authorization_id], party_name="路人"), 422, "validation_error")
    assert_error(apply(lawyer, case_no, "all"), 422, "validation_error")
    assert_error(apply(lawyer, archived_no, [license_id, authorization_id]), 409, "invalid_state")
    assert_error(apply(party, case_no, []), 403, "forbidden")
    assert_error(Api(stack.base_url).post("/api/v1/bindings", json={"case_no": case_no}), 401, "unauthenticated")
    assert lawyer.get("/api/v1/bindings").json() == {"items": [], "next_cursor": None}
    recorded = materials(of_record, "license", "authorization")
    assert_error(apply(of_record, case_no, recorded), 409, "already_related")
    # a refused binding lets no clerk open the files it carried
    assert clerk.get(f"/api/v1/uploads/{recorded[0]}").status_code == 404
    assert clerk.get(f"/api/v1/uploads/{license_id}").status_code == 404

    created = apply(lawyer, case_no.replace("（", "(").replace("）", ")"), [license_id, authorization_id, letter_id])
    assert created.status_code == 201, created.text
    binding = created.json()
    assert (binding["status"], binding["case_no"], binding["party_name"]) == ("pending", case_no, "张三")
    assert {m["kind"] for m in binding["materials"]} == {"license", "authorization", "firm_letter"}
    assert binding["decided_at"] is None and binding["explanation"] is None
    assert_error(apply(lawyer, case_no, [license_id, authorization_id]), 409, "duplicate_pending")

    # The lawyer sees their own; nobody else's.
    assert [b["id"] for b in lawyer.get("/api/v1/bindings").json()["items"]] == [binding["id"]]
    assert lawyer.get(f"/api/v1/bindings/{binding['id']}").json()["status"] == "pending"
    assert_error(other_lawyer.get(f"/api/v1/bindings/{binding['id']}"), 404, "not_found")
    assert_error(lawyer.get("/api/v1/bindings/999999999"), 404, "not_found")
    assert_error(lawyer.get("/api/v1/bindings", params={"status": "maybe"}), 422, "validation_error")

    # Clerks: their own court's queue only, oldest first; the materials open for them.
    second_lawyer = new_lawyer(admin)
    second = apply(second_lawyer, case_no, materials(second_lawyer, "license", "authorization")).json()
    queue = clerk.get("/api/v1/staff/bindings", params={"status": "pending"}).json()["items"]
    ids = [b["id"] for b in queue]
    assert ids.index(binding["id"]) < ids.index(second["id"])
    assert queue[ids.index(binding["id"])]["lawyer"]["license_no"] == lawyer.license_no
    assert binding["id"] not in [b["id"] for b in other_clerk.get("/api/v1/staff/bindings").json()["items"]]
    assert clerk.get(f"/api/v1/uploads/{license_id}").status_code == 200
    assert other_clerk.get(f"/api/v1/uploads/{license_id}").status_code == 404
    assert_error(lawyer.get("/api/v1/staff/bindings"), 403, "forbidden")

    decision = f"/api/v1/staff/bindings/{binding['id']}/decision"
    assert_error(other_clerk.post(decision, json={"decision": "approve"}), 404, "not_found")
    assert_error(clerk.post(decision, json={"decision": "maybe"}), 422, "validation_error")
    assert_error(clerk.post(decision, json={"decision": "reject"}), 422, "validation_error")  # no explanation
    assert_error(lawyer.post(decision, json={"decision": "approve"}), 403, "forbidden")
    assert_error(
        clerk.post("/api/v1/staff/bindings/999999999/decision", json={"decision": "approve"}), 404, "not_found"
    )
    assert lawyer.get(f"/api/v1/bindings/{binding['id']}").json()["status"] == "pending"

    events = DecidedEvents(stack)
    try:
        approved = clerk.post(decision, json={"decision": "approve", "explanation": "材料齐全，予以绑定"})
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved"
        announced = events.wait_for(binding["id"])
        assert announced["lawyer_id"] == lawyer.user["id"]
        assert (announced["case_no"], announced["decision"], announced["explanation"]) == (
            case_no,
            "approve",
            "材料齐全，予以绑定",
        )
        assert announced["event_id"]

        rejected = clerk.post(
            f"/api/v1/staff/bindings/{second['id']}/decision",
            json={"decision": "reject", "explanation": "授权委托书不清晰"},
        )
        assert rejected.json()["status"] == "rejected"
        assert events.wait_for(second["id"])["decision"] == "reject"
        events.assert_quiet(stack)  # each decision announced once
    finally:
        events.close()
    assert_error(clerk.post(decision, json={"decision": "reject", "explanation": "再议"}), 409, "invalid_state")

    # The approved lawyer is bound; the rejected one is not, reads why, and may apply again.
    seen = lawyer.get(f"/api/v1/bindings/{binding['id']}").json()
    assert (seen["status"], seen["explanation"]) == ("approved", "材料齐全，予以绑定") and seen["decided_at"]
    bound = lookup(lawyer, case_no).json()
    assert (bound["relation"], bound["can_apply"], bound["needs_binding"]) == ("lawyer_bound", True, False)
    assert [(c["case_no"], c["relation"]) for c in lawyer.get("/api/v1/my/cases").json()["items"]] == [
        (case_no, "lawyer_bound")
    ]
    assert_error(apply(lawyer, case_no, [license_id, authorization_id]), 409, "already_related")
    assert second_lawyer.get(f"/api/v1/bindings/{second['id']}").json()["explanation"] == "授权委托书不清晰"
    assert lookup(second_lawyer, case_no).json()["relation"] == "none"
    again = apply(second_lawyer, case_no, materials(second_lawyer, "license", "authorization"))
    assert again.status_code == 201, again.text
    pending = clerk.get("/api/v1/staff/bindings", params={"status": "pending"}).json()["items"]
    assert again.json()["id"] in [b["id"] for b in pending] and binding["id"] not in [b["id"] for b in pending]
    assert COURT == pending[0]["court"]


def test_the_lawyer_is_told_of_the_decision_and_of_a_revocation(stack, admin):
    from tests.support import wait_until

    lawyer = new_lawyer(admin, name="通知律师")
    party = new_party(stack.base_url, name="张三")
    case_no = new_case_no()
    import_cases(admin, case_body(case_no, parties=[party]))
    clerk = create_staff(admin, "clerk", COURT)
    applied = apply(lawyer, case_no, materials(lawyer, "license", "authorization"))
    assert applied.status_code == 201, applied.text
    binding = applied.json()
    decided = clerk.post(f"/api/v1/staff/bindings/{binding['id']}/decision", json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["explanation"] == "材料齐全，予以绑定"  # the service's default, not the console's

    def titles() -> list[str]:
        return [m["title"] for m in lawyer.get("/api/v1/messages", params={"limit": 100}).json()["items"]]

    assert wait_until(lambda: "案件绑定已通过" in titles()), titles()
    revoked = clerk.post(f"/api/v1/staff/bindings/{binding['id']}/revoke", json={"explanation": "委托已解除"})
    assert revoked.status_code == 200, revoked.text
    assert wait_until(lambda: "案件绑定已撤销" in titles()), titles()
    assert titles().count("案件绑定已通过") == 1 and titles().count("案件绑定已撤销") == 1  # once each
    texts = stack.texts_to(lawyer.phone)
    assert any("案件绑定已通过" in t and case_no in t for t in texts), texts
    assert any("案件绑定已撤销" in t for t in texts), texts
