"""Identity over HTTP on the real stack: every rule and error code of API.md's Identity
and Administration (staff, lawyers) sections, and bad input that changes nothing."""

from __future__ import annotations

from tests.support import Api, assert_error, create_staff, new_id_number, new_phone

PASSWORD = "Reader-2024"


def registration(**fields):
    return {
        "phone": new_phone(),
        "password": PASSWORD,
        "name": "李四",
        "id_number": new_id_number(),
        "role": "party",
        **fields,
    }


def coded(api: Api, body: dict) -> dict:
    """The sign-up with the code texted to its phone, as the page sends it."""
    return {**body, "sms_code": api.sms_code(body["phone"], "register")}


def test_register_login_me_logout(api: Api):
    data = coded(api, registration())
    created = api.post("/api/v1/auth/register", json=data)
    assert created.status_code == 201
    user = created.json()
    assert user["role"] == "party" and user["name"] == "李四"
    assert user["phone"] == data["phone"][:3] + "****" + data["phone"][-4:]
    assert "password" not in created.text and data["id_number"] not in created.text

    login = api.login(data["phone"], PASSWORD)
    assert login["expires_at"].endswith("+08:00") and len(login["token"]) >= 40
    me = api.get("/api/v1/me").json()
    assert me["id"] == user["id"]
    assert me["id_number"] == data["id_number"][:4] + "*" * 10 + data["id_number"][-4:]

    assert api.post("/api/v1/auth/logout").status_code == 204
    assert_error(api.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(api.post("/api/v1/auth/logout"), 401, "unauthenticated")


def test_every_registration_error_code(api: Api):
    cases = [
        (registration(phone="1234"), 422, "invalid_phone"),
        (registration(password="short1"), 422, "weak_password"),
        (registration(password="onlylowercase"), 422, "weak_password"),
        (registration(id_number="110105194912310021"), 422, "invalid_id_number"),
        (
            coded(api, registration(role="lawyer", license_no="99999999999999999", law_firm="不存在律所")),
            422,
            "license_not_verified",
        ),
        (registration(), 422, "invalid_sms_code"),
        (registration(sms_code="12345"), 422, "invalid_sms_code"),
        (registration(sms_code="０１２３４５"), 422, "invalid_sms_code"),
        (registration(role="admin"), 422, "validation_error"),
        (registration(name=None), 422, "validation_error"),
        (registration(name=["张三"]), 422, "validation_error"),
        (registration(name="张三" * 100), 422, "validation_error"),
        (registration(name="张\u0000三"), 422, "validation_error"),
        (registration(phone=13800000000), 422, "invalid_phone"),
        (registration(password=12345678), 422, "validation_error"),
        (registration(password="Aa1" + "x" * 5000), 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = api.post("/api/v1/auth/register", json=body)
        assert_error(response, status, code)
        # nothing was created: the phone can still sign up (when it was valid)
        if code not in ("invalid_phone",):
            login = api.post("/api/v1/auth/login", json={"phone": body["phone"], "password": body["password"]})
            assert login.status_code in (401, 422), login.text

    data = coded(api, registration())
    assert api.post("/api/v1/auth/register", json=data).status_code == 201
    # the code is used up: a second sign-up with it is refused before "taken" is told
    again = {**registration(phone=data["phone"]), "sms_code": data["sms_code"]}
    assert_error(api.post("/api/v1/auth/register", json=again), 422, "invalid_sms_code")


def test_unknown_fields_and_server_owned_fields_are_ignored(api: Api):
    body = coded(api, registration(id=1, court="某法院", is_admin=True, extra={"a": 1}, verified=True))
    created = api.post("/api/v1/auth/register", json=body)
    assert created.status_code == 201
    assert created.json()["role"] == "party" and "court" not in created.json()
    assert created.json()["verified"] is False


def test_lawyer_must_match_the_registry(admin: Api, api: Api):
    license_no = "1440" + new_phone()
    imported = admin.post(
        "/api/v1/admin/lawyers",
        json={"lawyers": [{"license_no": license_no, "name": "王律师", "law_firm": "广东正义律师事务所"}]},
    )
    assert imported.status_code == 200 and imported.json() == {"imported": 1}
    lawyer = coded(api, registration(role="lawyer", name="王律师", license_no=license_no))
    assert_error(
        api.post("/api/v1/auth/register", json={**lawyer, "law_firm": "别的律所"}), 422, "license_not_verified"
    )
    assert_error(
        api.post("/api/v1/auth/register", json={**lawyer, "law_firm": "广东正义律师事务所", "name": "王五"}),
        422,
        "license_not_verified",
    )
    created = api.post("/api/v1/auth/register", json={**lawyer, "law_firm": "广东正义律师事务所"})
    assert created.status_code == 201, created.text
    assert created.json()["license_no"] == license_no and created.json()["role"] == "lawyer"


def test_login_errors_and_lockout(api: Api):
    data = Api(api.base_url).register(verified=False)
    login = {"phone": data["phone"], "password": PASSWORD}
    wrong = {"phone": data["phone"], "password": "Wrong-pass1"}
    assert_error(api.post("/api/v1/auth/login", json=wrong), 401, "invalid_credentials")
    assert_error(
        api.post("/api/v1/auth/login", json={"phone": new_phone(), "password": PASSWORD}), 401, "invalid_credentials"
    )
    assert_error(api.post("/api/v1/auth/login", json={"phone": data["phone"]}), 422, "validation_error")

    # a success resets the count: 4 failures, a success, 4 more failures and still no lock
    for _ in range(3):
        api.post("/api/v1/auth/login", json=wrong)
    assert api.post("/api/v1/auth/login", json=login).status_code == 200
    for _ in range(4):
        assert_error(api.post("/api/v1/auth/login", json=wrong), 401, "invalid_credentials")
    assert api.post("/api/v1/auth/login", json=login).status_code == 200

    for _ in range(5):
        api.post("/api/v1/auth/login", json=wrong)
    assert_error(api.post("/api/v1/auth/login", json=login), 429, "rate_limited")  # right password too


def test_lockout_ends_after_fifteen_minutes_and_tokens_expire(api: Api, clock):
    data = Api(api.base_url).register(verified=False)
    clock.set("2026-03-01T10:00:00+08:00")
    for _ in range(5):
        api.post("/api/v1/auth/login", json={"phone": data["phone"], "password": "Wrong-pass1"})
    assert_error(
        api.post("/api/v1/auth/login", json={"phone": data["phone"], "password": PASSWORD}), 429, "rate_limited"
    )
    clock.set("2026-03-01T10:14:59+08:00")
    assert_error(
        api.post("/api/v1/auth/login", json={"phone": data["phone"], "password": PASSWORD}), 429, "rate_limited"
    )
    clock.set("2026-03-01T10:15:01+08:00")
    api.login(data["phone"], PASSWORD)
    assert api.get("/api/v1/me").status_code == 200
    clock.set("2026-03-01T22:15:02+08:00")  # tokens live 12 hours
    assert_error(api.get("/api/v1/me"), 401, "unauthenticated")


def test_staff_accounts_and_roles(admin: Api, api: Api):
    clerk = create_staff(admin, "clerk", court="广东省广州市中级人民法院", name="陈审查")
    me = clerk.get("/api/v1/me").json()
    assert me["role"] == "clerk" and me["court"] == "广东省广州市中级人民法院"
    body = {
        "phone": new_phone(),
        "password": "Staff-2024x",
        "name": "档案员",
        "role": "archivist",
        "court": "广州市天河区人民法院",
    }
    assert_error(clerk.post("/api/v1/admin/staff", json=body), 403, "forbidden")
    assert_error(Api(api.base_url).post("/api/v1/admin/staff", json=body), 401, "unauthenticated")
    assert_error(admin.post("/api/v1/admin/staff", json={**body, "role": "party"}), 422, "validation_error")
    assert_error(admin.post("/api/v1/admin/staff", json={**body, "court": ""}), 422, "validation_error")
    assert_error(admin.post("/api/v1/admin/staff", json={**body, "password": "weak"}), 422, "weak_password")
    assert admin.post("/api/v1/admin/staff", json=body).status_code == 201
    assert_error(admin.post("/api/v1/admin/staff", json=body), 409, "phone_taken")

    api.register()
    assert_error(api.post("/api/v1/admin/lawyers", json={"lawyers": []}), 403, "forbidden")
    assert_error(admin.post("/api/v1/admin/lawyers", json={"lawyers": [{"license_no": "1"}]}), 422, "validation_error")
    assert_error(admin.post("/api/v1/admin/lawyers", json={"lawyers": "x"}), 422, "validation_error")


def test_malformed_and_oversized_bodies(api: Api):
    url = "/api/v1/auth/register"
    assert_error(api.post(url, data="{not json", headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert_error(
        api.post(url, data="phone=1", headers={"Content-Type": "application/x-www-form-urlencoded"}), 400, "bad_request"
    )
    assert_error(api.post(url, data=b"\xff\xfe", headers={"Content-Type": "application/json"}), 400, "bad_request")
    assert_error(api.post(url, json=[1, 2]), 422, "validation_error")
    huge = b'{"name": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    assert_error(api.post(url, data=huge, headers={"Content-Type": "application/json"}), 413, "too_large")
