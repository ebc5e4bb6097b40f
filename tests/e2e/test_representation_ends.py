"""When a reader's relation to a case ends, case_binding announces it per account
(``representation_ended``): the feed no longer lists a party or a lawyer of record who
claimed the case, or a clerk revokes a binding (撤销绑定). A relation that weakens but
stays (of record → still bound) ends nothing, and nothing ends twice."""

from __future__ import annotations

from datetime import datetime

import pytest
from nameko.standalone.rpc import ClusterRpcClient

from services.common.infra.errors import DomainError
from tests.e2e.test_bindings import apply, materials
from tests.e2e.test_cases import case_body, import_cases, lookup
from tests.support import (
    Api,
    EventTap,
    SignedRpc,
    assert_error,
    create_staff,
    new_case_no,
    new_lawyer,
    new_party,
    wait_until,
)

RELAY = 3.0  # longer than the outbox relay's tick: what has not come by then is not coming

PARTY_ENDED = "案件信息更新：您已不是本案当事人"
LAWYER_ENDED = "案件信息更新：您已不是本案代理律师"


# What the gateway would say of these users; SignedRpc signs it with the stack's key.
def party_actor(party: Api) -> dict:
    user = party.user
    return {"id": user["id"], "role": "party", "name": user["name"], "id_number": party.id_number, "verified": True}


def lawyer_actor(lawyer: Api) -> dict:
    user = lawyer.user
    return {"id": user["id"], "role": "lawyer", "name": user["name"], "license_no": lawyer.license_no, "verified": True}


def ends(tap: EventTap, user: Api, case_no: str, seconds: float = 0.2) -> list[dict]:
    return [e for e in tap.drain(seconds) if (e["user_id"], e["case_no"]) == (user.user["id"], case_no)]


def wait_for_end(tap: EventTap, user: Api, case_no: str) -> list[dict]:
    return wait_until(lambda: ends(tap, user, case_no), seconds=15)


def bound_lawyer(admin: Api, clerk: Api, case_no: str) -> tuple[Api, dict]:
    """A lawyer with an approved binding for the case (the case has a party 张三)."""
    lawyer = new_lawyer(admin)
    created = apply(lawyer, case_no, materials(lawyer, "license", "authorization"))
    assert created.status_code == 201, created.text
    decided = clerk.post(
        f"/api/v1/staff/bindings/{created.json()['id']}/decision",
        json={"decision": "approve", "explanation": "材料齐全，予以绑定"},
    )
    assert decided.status_code == 200, decided.text
    assert lookup(lawyer, case_no).json()["relation"] == "lawyer_bound"
    return lawyer, decided.json()


def test_the_feed_ends_a_party_who_claimed_the_case_once(stack, admin):
    dropped = new_party(stack.base_url, name="张三")
    kept = new_party(stack.base_url, name="李四")
    unclaimed = new_party(stack.base_url, name="王五")  # dropped too, but never claimed: nothing to end
    stranger = new_party(stack.base_url, name="赵六")
    archived_reader = new_lawyer(admin)
    case_no, archived_no = new_case_no(), new_case_no()
    import_cases(
        admin,
        case_body(case_no, parties=[dropped, kept, unclaimed]),
        case_body(archived_no, status="archived", parties=[kept]),
    )
    with (
        ClusterRpcClient(uri=stack.amqp_uri, timeout=10) as client,
        EventTap(stack.amqp_uri, "case_binding", "representation_ended") as tap,
    ):
        rpc = SignedRpc(stack, client)  # the actor signed as the gateway signs it
        # claim_relation answers what relation answers, and the same refusals, plus when
        # the claim was recorded
        answer = rpc.case_binding.claim_relation(actor=party_actor(dropped), case_no=case_no)
        claimed_at = answer.pop("claimed_at")
        assert datetime.fromisoformat(claimed_at).tzinfo is not None
        assert answer == rpc.case_binding.relation(actor=party_actor(dropped), case_no=case_no)
        assert (answer["case_no"], answer["relation"], answer["can_apply"]) == (case_no, "party", True)
        ascii_form = case_no.replace("（", "(").replace("）", ")")
        assert rpc.case_binding.claim_relation(actor=party_actor(kept), case_no=ascii_form)["relation"] == "party"
        assert rpc.case_binding.claim_relation(actor=party_actor(kept), case_no=case_no)["relation"] == "party"
        for actor, number, code in (
            (party_actor(stranger), case_no, "not_found"),
            (party_actor(dropped), new_case_no(), "not_found"),
            (party_actor(dropped), "（2024）粤01民初0号", "invalid_case_no"),
        ):
            with pytest.raises(DomainError) as refused:
                rpc.case_binding.claim_relation(actor=actor, case_no=number)
            assert refused.value.code == code
        # an archived case read on the four materials: relation none, no claim to end
        archived = rpc.case_binding.claim_relation(actor=lawyer_actor(archived_reader), case_no=archived_no)
        assert (archived["relation"], archived["can_apply"]) == ("none", True)

        import_cases(admin, case_body(case_no, parties=[kept]), case_body(archived_no, status="archived"))
        (ended,) = wait_for_end(tap, dropped, case_no)
        assert ended["reason"] == PARTY_ENDED
        assert ended["event_id"] and ended["ended_at"]
        assert set(ended) >= {"case_no", "user_id", "reason", "ended_at"}

        # The same feed again, and once more with nobody: the claim is gone, nothing ends twice.
        import_cases(admin, case_body(case_no, parties=[kept]))
        tap.drain(RELAY)
        assert len(ends(tap, dropped, case_no)) == 1
        assert ends(tap, kept, case_no) == []  # still listed
        assert ends(tap, unclaimed, case_no) == []
        assert ends(tap, archived_reader, archived_no) == []
        assert lookup(kept, case_no).json()["relation"] == "party"
        assert_error(lookup(dropped, case_no), 404, "not_found")

        # A party listed again may claim again, and the next drop ends them again.
        import_cases(admin, case_body(case_no, parties=[kept, dropped]))
        rpc.case_binding.claim_relation(actor=party_actor(dropped), case_no=case_no)
        import_cases(admin, case_body(case_no, parties=[dropped]))
        assert [e["reason"] for e in wait_for_end(tap, kept, case_no)] == [PARTY_ENDED]
        tap.drain(RELAY)
        assert len(ends(tap, dropped, case_no)) == 1


def test_a_clerk_revokes_a_binding_and_the_lawyers_reading_ends(stack, admin):
    clerk = create_staff(admin, "clerk")
    other_clerk = create_staff(admin, "clerk", court="广东省深圳市中级人民法院")
    party = new_party(stack.base_url, name="张三")
    case_no = new_case_no()
    import_cases(admin, case_body(case_no, parties=[party]))
    lawyer, binding = bound_lawyer(admin, clerk, case_no)
    revoke = f"/api/v1/staff/bindings/{binding['id']}/revoke"
    with (
        ClusterRpcClient(uri=stack.amqp_uri, timeout=10) as client,
        EventTap(stack.amqp_uri, "case_binding", "representation_ended") as tap,
        EventTap(stack.amqp_uri, "case_binding", "binding_revoked") as revoked_tap,
    ):
        rpc = SignedRpc(stack, client)  # the actor signed as the gateway signs it
        claimed = rpc.case_binding.claim_relation(actor=lawyer_actor(lawyer), case_no=case_no)
        assert claimed["relation"] == "lawyer_bound"

        # Refusals first, none of which revokes anything.
        assert_error(party.post(revoke, json={"explanation": "撤销"}), 403, "forbidden")
        assert_error(lawyer.post(revoke, json={"explanation": "撤销"}), 403, "forbidden")
        assert_error(admin.post(revoke, json={"explanation": "撤销"}), 403, "forbidden")
        assert_error(Api(stack.base_url).post(revoke, json={"explanation": "撤销"}), 401, "unauthenticated")
        assert_error(other_clerk.post(revoke, json={"explanation": "撤销"}), 404, "not_found")
        assert_error(
            clerk.post("/api/v1/staff/bindings/999999999/revoke", json={"explanation": "撤销"}), 404, "not_found"
        )
        for body in ({}, {"explanation": "   "}, {"explanation": "长" * 501}, {"explanation": 7}):
            refused = assert_error(clerk.post(revoke, json=body), 422, "validation_error")
            assert "explanation" in refused["error"]["details"]["fields"]
        assert_error(clerk.post(revoke, json=["撤销"]), 422, "validation_error")
        pending_lawyer = new_lawyer(admin)
        pending = apply(pending_lawyer, case_no, materials(pending_lawyer, "license", "authorization")).json()
        assert_error(
            clerk.post(f"/api/v1/staff/bindings/{pending['id']}/revoke", json={"explanation": "撤销"}),
            409,
            "invalid_state",
        )
        assert lawyer.get(f"/api/v1/bindings/{binding['id']}").json()["status"] == "approved"
        assert ends(tap, lawyer, case_no, RELAY) == []

        done = clerk.post(revoke, json={"explanation": " 当事人已解除委托 "})
        assert done.status_code == 200, done.text
        shown = done.json()
        assert (shown["id"], shown["status"], shown["explanation"]) == (binding["id"], "revoked", "当事人已解除委托")
        assert shown["revoked_at"] and shown["lawyer"]["id"] == lawyer.user["id"]

        (ended,) = wait_for_end(tap, lawyer, case_no)
        assert ended["reason"] == "案件绑定已被撤销：当事人已解除委托" and ended["ended_at"]
        announced = wait_until(lambda: [e for e in revoked_tap.drain(0.2) if e["binding_id"] == binding["id"]])
        assert len(announced) == 1
        assert {k: announced[0][k] for k in ("lawyer_id", "case_no", "court", "explanation")} == {
            "lawyer_id": lawyer.user["id"],
            "case_no": case_no,
            "court": binding["court"],
            "explanation": "当事人已解除委托",
        }
        assert announced[0]["revoked_at"]

        assert_error(clerk.post(revoke, json={"explanation": "再次撤销"}), 409, "invalid_state")
        assert_error(
            clerk.post(f"/api/v1/staff/bindings/{binding['id']}/decision", json={"decision": "approve"}),
            409,
            "invalid_state",
        )
        tap.drain(RELAY)
        assert len(ends(tap, lawyer, case_no)) == 1

    # The lawyer reads why; the case is no longer theirs; the queue shows the revocation.
    mine = lawyer.get("/api/v1/bindings").json()["items"]
    assert [(b["id"], b["status"], b["explanation"]) for b in mine] == [(binding["id"], "revoked", "当事人已解除委托")]
    assert [b["id"] for b in lawyer.get("/api/v1/bindings", params={"status": "revoked"}).json()["items"]] == [
        binding["id"]
    ]
    after = lookup(lawyer, case_no).json()
    assert (after["relation"], after["needs_binding"]) == ("none", True)
    assert lawyer.get("/api/v1/my/cases").json()["items"] == []
    queue = clerk.get("/api/v1/staff/bindings", params={"status": "revoked"}).json()["items"]
    assert binding["id"] in [b["id"] for b in queue]
    assert binding["id"] not in [b["id"] for b in clerk.get("/api/v1/staff/bindings?status=approved").json()["items"]]


def test_a_lawyer_of_record_keeps_the_case_when_the_binding_goes(stack, admin):
    clerk = create_staff(admin, "clerk")
    party = new_party(stack.base_url, name="张三")
    case_no = new_case_no()
    import_cases(admin, case_body(case_no, parties=[party]))
    lawyer, binding = bound_lawyer(admin, clerk, case_no)
    import_cases(admin, case_body(case_no, parties=[party], lawyers=[lawyer]))  # now of record too
    with (
        ClusterRpcClient(uri=stack.amqp_uri, timeout=10) as client,
        EventTap(stack.amqp_uri, "case_binding", "representation_ended") as tap,
    ):
        rpc = SignedRpc(stack, client)  # the actor signed as the gateway signs it
        assert rpc.case_binding.claim_relation(actor=lawyer_actor(lawyer), case_no=case_no)["relation"] == (
            "lawyer_of_record"
        )
        # dropped from the record but still bound: weakened, not ended
        import_cases(admin, case_body(case_no, parties=[party]))
        assert ends(tap, lawyer, case_no, RELAY) == []
        assert lookup(lawyer, case_no).json()["relation"] == "lawyer_bound"

        # of record again, the binding revoked: still of record, nothing ends
        import_cases(admin, case_body(case_no, parties=[party], lawyers=[lawyer]))
        done = clerk.post(f"/api/v1/staff/bindings/{binding['id']}/revoke", json={"explanation": "已列为代理律师"})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "revoked"
        assert ends(tap, lawyer, case_no, RELAY) == []
        assert lookup(lawyer, case_no).json()["relation"] == "lawyer_of_record"

        # and when the feed then drops them, with no binding left, their representation ends
        import_cases(admin, case_body(case_no, parties=[party]))
        (ended,) = wait_for_end(tap, lawyer, case_no)
        assert ended["reason"] == LAWYER_ENDED
        tap.drain(RELAY)
        assert len(ends(tap, lawyer, case_no)) == 1
