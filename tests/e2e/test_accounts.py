"""Accounts people can trust, over HTTP on the real stack (API.md "Accounts people can
trust"): phones proven by SMS codes, one account per person, 实名认证 before case data,
recovery that ends sessions, disabled accounts out at once, a lockout that holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import requests

from tests.support import (
    Api,
    assert_error,
    create_staff,
    make_pdf,
    new_case_no,
    new_id_number,
    new_lawyer,
    new_phone,
)

PASSWORD = "Reader-2024"


def import_case(admin: Api, case_no: str, party: str, id_number: str) -> None:
    """An in-trial case of the Guangzhou court with one party, from the case feed."""
    case = {
        "case_no": case_no,
        "court": "广东省广州市中级人民法院",
        "cause": "合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": False,
        "parties": [{"name": party, "id_number": id_number, "side": "原告"}],
        "lawyers": [],
    }
    imported = admin.post("/api/v1/admin/cases", json={"cases": [case]})
    assert imported.status_code == 200, imported.text


def minutes_ahead(minutes: float = 2) -> str:
    """A moment a little after now, for the court's clock: the one-code-a-minute limit
    has passed, and nothing else has."""
    return (datetime.now().astimezone() + timedelta(minutes=minutes)).isoformat()


def test_a_code_is_asked_for_any_phone_alike_and_limited(api: Api, stack, clock):
    taken = Api(api.base_url)
    taken.register(verified=False)
    clock.set(minutes_ahead())  # the sign-up's code is a minute old
    for phone in (taken.phone, new_phone()):
        response = api.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "reset_password"})
        assert (response.status_code, response.json()) == (202, {})
        assert_error(
            api.post("/api/v1/auth/sms-codes", json={"phone": phone, "purpose": "register"}), 429, "rate_limited"
        )
    assert_error(api.post("/api/v1/auth/sms-codes", json={"phone": "123", "purpose": "register"}), 422, "invalid_phone")
    assert_error(
        api.post("/api/v1/auth/sms-codes", json={"phone": new_phone(), "purpose": "x"}), 422, "validation_error"
    )
    sent = stack.sms_sent(taken.phone)[-1]
    assert (
        sent["template"] == "sms_code" and len(sent["params"]["code"]) == 6 and sent["params"]["code"] in sent["text"]
    )


def test_one_account_per_id_number_and_the_code_before_taken(api: Api, stack, clock):
    first = Api(api.base_url).register(verified=False)
    again = {
        "phone": new_phone(),
        "password": PASSWORD,
        "name": "冒名者",
        "id_number": first["id_number"],
        "role": "party",
    }
    # without the phone's code nothing is told, not even whether the ID number is taken
    assert_error(api.post("/api/v1/auth/register", json=again), 422, "invalid_sms_code")
    coded = {**again, "sms_code": api.sms_code(again["phone"], "register")}
    assert_error(api.post("/api/v1/auth/register", json=coded), 409, "id_number_taken")
    clock.set(minutes_ahead())
    retaken = {**first, "id_number": new_id_number(), "sms_code": api.sms_code(first["phone"], "register")}
    assert_error(api.post("/api/v1/auth/register", json=retaken), 409, "phone_taken")


def test_unverified_accounts_reach_no_case_data(api: Api, admin: Api, stack):
    case_no = new_case_no()
    party = Api(api.base_url)
    data = party.register(verified=False)
    import_case(admin, case_no, data["name"], data["id_number"])
    refused = [
        party.get("/api/v1/my/cases"),
        party.get("/api/v1/cases/lookup", params={"case_no": case_no}),
        party.post("/api/v1/applications", json={"case_no": case_no}),
    ]
    for response in refused:
        assert_error(response, 403, "verification_required")
    me = party.get("/api/v1/me").json()
    assert me["verified"] is False and me["verification"] is None

    material = party.upload_identity()
    asked = party.post("/api/v1/me/verification", json={"material_ids": [material["id"]]})
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    assert_error(
        party.post("/api/v1/me/verification", json={"material_ids": [material["id"]]}), 409, "duplicate_pending"
    )
    assert party.get("/api/v1/me").json()["verification"]["status"] == "pending"

    clerk = create_staff(admin, "clerk")
    queue = clerk.get("/api/v1/staff/verifications", params={"status": "pending", "limit": 100}).json()
    mine = next(item for item in queue["items"] if item["id"] == asked.json()["id"])
    assert mine["user"]["id_number"] == data["id_number"] and mine["materials"][0]["kind"] == "identity"
    opened = clerk.get(f"/api/v1/uploads/{material['id']}")
    assert opened.status_code == 200 and opened.content.startswith(b"%PDF")
    assert_error(party.get("/api/v1/staff/verifications"), 403, "forbidden")

    decision = f"/api/v1/staff/verifications/{mine['id']}/decision"
    assert_error(clerk.post(decision, json={"decision": "reject"}), 422, "validation_error")
    rejected = clerk.post(decision, json={"decision": "reject", "explanation": "照片不清晰，请重新拍摄"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert_error(clerk.post(decision, json={"decision": "approve"}), 409, "invalid_state")
    me = party.get("/api/v1/me").json()
    assert me["verified"] is False and me["verification"]["explanation"] == "照片不清晰，请重新拍摄"
    assert stack.sms_sent(data["phone"])[-1]["template"] == "verification_rejected"
    assert_error(party.get("/api/v1/my/cases"), 403, "verification_required")

    party.verify()  # a second try, approved
    assert party.get("/api/v1/me").json()["verified"] is True
    cases = party.get("/api/v1/my/cases")
    assert cases.status_code == 200 and [c["case_no"] for c in cases.json()["items"]] == [case_no]
    assert_error(
        party.post("/api/v1/me/verification", json={"material_ids": [material["id"]]}), 409, "already_verified"
    )


def test_reset_and_change_of_password_end_the_other_sessions(api: Api, stack, clock):
    user = Api(api.base_url)
    data = user.register(verified=False)
    other = Api(api.base_url)
    other.login(data["phone"], PASSWORD)
    changed = user.post("/api/v1/me/password", json={"old_password": PASSWORD, "new_password": "Changed-2026"})
    assert changed.status_code == 204, changed.text
    assert user.get("/api/v1/me").status_code == 200
    assert_error(other.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(
        user.post("/api/v1/me/password", json={"old_password": "nope", "new_password": "Another-2026"}),
        422,
        "wrong_password",
    )
    assert_error(
        user.post("/api/v1/me/password", json={"old_password": "Changed-2026", "new_password": "password1"}),
        422,
        "weak_password",
    )

    clock.set(minutes_ahead())  # past the one-code-a-minute limit of the sign-up's code
    code = Api(api.base_url).sms_code(data["phone"], "reset_password")
    reset = {"phone": data["phone"], "sms_code": code, "new_password": "Recovered-2026"}
    assert_error(api.post("/api/v1/auth/password-reset", json={**reset, "new_password": "short"}), 422, "weak_password")
    wrong = "000000" if code != "000000" else "111111"
    assert_error(api.post("/api/v1/auth/password-reset", json={**reset, "sms_code": wrong}), 422, "invalid_sms_code")
    assert api.post("/api/v1/auth/password-reset", json=reset).status_code == 204
    assert_error(user.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(api.post("/api/v1/auth/password-reset", json=reset), 422, "invalid_sms_code")  # used up
    assert_error(
        api.post("/api/v1/auth/login", json={"phone": data["phone"], "password": "Changed-2026"}),
        401,
        "invalid_credentials",
    )
    user.login(data["phone"], "Recovered-2026")
    third = Api(api.base_url)
    third.login(data["phone"], "Recovered-2026")
    assert user.post("/api/v1/auth/logout", json={"everywhere": True}).status_code == 204
    assert_error(third.get("/api/v1/me"), 401, "unauthenticated")


def test_a_disabled_account_is_out_at_once(api: Api, admin: Api):
    user = Api(api.base_url)
    data = user.register()
    assert user.get("/api/v1/my/cases").status_code == 200
    user_id = user.user["id"]
    found = admin.get("/api/v1/admin/users", params={"q": data["phone"]}).json()["items"]
    assert [(u["id"], u["verified"], u["disabled"]) for u in found] == [(user_id, True, False)]
    assert "*" in found[0]["phone"]
    assert_error(user.get("/api/v1/admin/users"), 403, "forbidden")
    assert admin.post(f"/api/v1/admin/users/{user_id}/disable").status_code == 204
    assert_error(user.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(
        api.post("/api/v1/auth/login", json={"phone": data["phone"], "password": PASSWORD}), 403, "account_disabled"
    )
    assert admin.get("/api/v1/admin/users", params={"q": data["phone"]}).json()["items"][0]["disabled"] is True
    assert_error(admin.post(f"/api/v1/admin/users/{admin.user['id']}/disable"), 409, "cannot_disable_self")
    assert_error(admin.post("/api/v1/admin/users/999999999/disable"), 404, "not_found")
    assert admin.post(f"/api/v1/admin/users/{user_id}/enable").status_code == 204
    user.login(data["phone"], PASSWORD)
    assert user.get("/api/v1/me").status_code == 200


def test_a_burst_of_thirty_wrong_logins_lets_at_most_five_through(api: Api):
    data = Api(api.base_url).register(verified=False)
    url = api.base_url + "/api/v1/auth/login"

    def attempt(_):
        return requests.post(url, json={"phone": data["phone"], "password": "Wrong-pass1"}, timeout=60)

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(attempt, range(30)))
    statuses = [r.status_code for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= 5, statuses
    assert all(r.json()["error"]["code"] in ("invalid_credentials", "rate_limited") for r in answers)
    assert_error(
        api.post("/api/v1/auth/login", json={"phone": data["phone"], "password": PASSWORD}), 429, "rate_limited"
    )


def test_one_address_cannot_lock_many_phones(api: Api, stack):
    """Behind a trusted proxy the address is X-Forwarded-For's; its failures are bounded
    over all phones, so the phones themselves stay open to their owners elsewhere."""
    phones = [Api(api.base_url).register(verified=False)["phone"] for _ in range(3)]
    with stack.running_with(identity={"LOGIN_ADDRESS_FAILURES": "4"}, gateway={"TRUSTED_PROXY_HOPS": "1"}):
        attacker = {"X-Forwarded-For": "203.0.113.50"}
        codes = []
        for phone in phones:
            for _ in range(3):
                response = api.post(
                    "/api/v1/auth/login", json={"phone": phone, "password": "Wrong-pass1"}, headers=attacker
                )
                codes.append(response.json()["error"]["code"])
        assert codes.count("invalid_credentials") == 4 and codes.count("rate_limited") == 5
        for phone in phones:
            owner = api.post(
                "/api/v1/auth/login",
                json={"phone": phone, "password": PASSWORD},
                headers={"X-Forwarded-For": "198.51.100.7"},
            )
            assert owner.status_code == 200, owner.text


def test_clerks_see_how_an_applicant_was_verified(admin: Api):
    lawyer_name, firm = "核验律师", "广东核验律师事务所"
    lawyer = new_lawyer(admin, name=lawyer_name, law_firm=firm)
    case_no = new_case_no()
    import_case(admin, case_no, "甲某", new_id_number())
    materials = []
    for kind in ("license", "authorization"):
        uploaded = lawyer.post(
            "/api/v1/uploads", files={"file": (f"{kind}.pdf", make_pdf(1), "application/pdf")}, data={"kind": kind}
        )
        assert uploaded.status_code == 201, uploaded.text
        materials.append(uploaded.json()["id"])
    binding = lawyer.post(
        "/api/v1/bindings", json={"case_no": case_no, "party_name": "甲某", "material_ids": materials}
    )
    assert binding.status_code == 201, binding.text
    clerk = create_staff(admin, "clerk")
    queue = clerk.get("/api/v1/staff/bindings", params={"status": "pending", "limit": 100}).json()["items"]
    mine = next(item for item in queue if item["id"] == binding.json()["id"])
    assert mine["verification"]["verified"] is True and mine["verification"]["label"] == "人工核验身份证件"
