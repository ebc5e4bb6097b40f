"""A service believes only the gateway (services/common/infra/actor.py): a process that reaches
the broker but holds no signing key cannot act as anyone. A plain actor, a statement signed
by another key, an expired one and one addressed to another method are all refused with
``forbidden`` before any use case runs, and nothing changes."""

from __future__ import annotations

import time

import pytest
from nameko.standalone.rpc import ClusterRpcClient

from services.common.infra import actor as statements
from services.common.infra.errors import DomainError
from tests.e2e.test_applications import apply, import_case
from tests.support import new_party


def gateway_actor(party) -> dict:
    """What the gateway says of this user (identity's principal)."""
    user = party.user
    return {
        "id": user["id"],
        "role": "party",
        "name": user["name"],
        "phone": party.phone,
        "id_number": party.id_number,
        "license_no": None,
        "law_firm": None,
        "court": None,
        "verified": True,
    }


def forgeries(stack, actor: dict, target: str, elsewhere: str) -> dict[str, object]:
    other_key = statements.new_key_pair()[0]
    return {
        "plain actor": actor,
        "another key": stack.signed_actor(actor, target, key=other_key),
        "expired": stack.signed_actor(actor, target, issued_at=time.time() - 120, lifetime=30),
        "another method": stack.signed_actor(actor, elsewhere),
        "another user's fields, re-signed by nobody": tampered(stack.signed_actor(actor, target)),
    }


def tampered(statement: str) -> str:
    """The payload swapped for one naming user 1 (the admin), the gateway's signature kept."""
    import base64
    import json

    payload, signature = statement.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["act"] = dict(claims["act"], id=1, role="admin")
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return forged + "." + signature


def refused(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_services_refuse_every_actor_the_gateway_did_not_sign(stack, admin):
    party = new_party(stack.base_url, name="冒名顶替")
    case_no = import_case(admin, parties=[party])
    second_case = import_case(admin, parties=[party])
    created = apply(party, case_no)
    assert created.status_code == 201, created.text
    application = created.json()
    actor = gateway_actor(party)

    with ClusterRpcClient(uri=stack.amqp_uri, timeout=15) as rpc:
        # The control: signed as the gateway signs, the same calls are believed.
        own = rpc.applications.get_application(
            actor=stack.signed_actor(actor, "applications.get_application"), application_id=application["id"]
        )
        assert own["id"] == application["id"] and own["status"] == "pending"
        not_yet = refused(
            lambda: rpc.dossier.dossier(
                actor=stack.signed_actor(actor, "dossier.dossier"), application_id=application["id"]
            )
        )
        assert not_yet == "not_approved"  # believed, and refused by the rule, not by the door

        attempts = 0
        for name, forged in forgeries(stack, actor, "applications.withdraw", "applications.get_application").items():
            code = refused(lambda f=forged: rpc.applications.withdraw(actor=f, application_id=application["id"]))
            assert code == "forbidden", name
            attempts += 1
        for name, forged in forgeries(stack, actor, "applications.submit", "applications.list_applications").items():
            body = {"case_no": second_case, "scope": "全案卷宗", "reason": "冒名申请", "material_ids": []}
            assert refused(lambda f=forged, b=body: rpc.applications.submit(actor=f, body=b)) == "forbidden", name
            attempts += 1
        for name, forged in forgeries(stack, actor, "dossier.create_link", "dossier.dossier").items():
            code = refused(
                lambda f=forged: rpc.dossier.create_link(actor=f, application_id=application["id"], token_hash="0" * 64)
            )
            assert code == "forbidden", name  # not not_approved: no rule was even asked
            attempts += 1
        for name, forged in forgeries(stack, actor, "dossier.dossier", "dossier.access_log").items():
            assert refused(lambda f=forged: rpc.dossier.dossier(actor=f, application_id=application["id"])) == (
                "forbidden"
            ), name
            attempts += 1
        # a statement passed on to a method it may not be passed on to
        for_submit = stack.signed_actor(actor, "applications.submit")
        assert refused(lambda: rpc.case_binding.relation(actor=for_submit, case_no=case_no)) == "forbidden"
        # the actor must come by keyword, as a statement
        assert refused(lambda: rpc.applications.list_applications(actor=None)) == "forbidden"

    # Nothing changed: the application is still pending and the only one.
    mine = party.get("/api/v1/applications").json()["items"]
    assert [(a["id"], a["status"]) for a in mine] == [(application["id"], "pending")]
    # The refusals are in the services' logs, without the statements or the user's numbers.
    log = stack.log("applications") + stack.log("dossier") + stack.log("case_binding")
    assert log.count("refused a call to") >= attempts
    assert "refused a call to applications.withdraw: a plain actor" in log
    assert "signature does not check" in log and "expired" in log and "addressed to" in log
    assert party.id_number not in log and for_submit not in log and for_submit.split(".")[0] not in log
