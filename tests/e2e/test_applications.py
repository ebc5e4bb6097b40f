"""Dossier-reading applications (阅卷申请) over HTTP, on the real broker, database and S3:
eligibility from case_binding, materials, idempotency, review's decisions by event, expiry."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.test_uploads import pdf_bytes, png_bytes, upload
from tests.support import (
    Api,
    assert_documented,
    assert_error,
    create_staff,
    eventually,
    new_case_no,
    new_lawyer,
    new_party,
)

COURT = "广东省广州市中级人民法院"
OTHER_COURT = "广东省深圳市中级人民法院"
LAWYER_KINDS = ("license", "firm_letter", "authorization", "party_id")


def import_case(admin: Api, *, status: str = "in_trial", parties=(), lawyers=()) -> str:
    case_no = new_case_no()
    case = {
        "case_no": case_no,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": status,
        "has_electronic_dossier": True,
        "parties": [{"name": p.user["name"], "id_number": p.id_number, "side": "原告"} for p in parties],
        "lawyers": [{"name": lw.user["name"], "license_no": lw.license_no, "party_name": "张三"} for lw in lawyers],
    }
    response = admin.post("/api/v1/admin/cases", json={"cases": [case]})
    assert response.status_code == 200, response.text
    return case_no


def apply(client: Api, case_no: str, material_ids=(), key: str | None = None, **extra):
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": list(material_ids), **extra}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/applications", json=body, headers=headers)


def lawyer_materials(lawyer: Api, kinds=LAWYER_KINDS) -> list[str]:
    return [upload(lawyer, pdf_bytes(), kind, f"{kind}.pdf").json()["id"] for kind in kinds]


def decide(stack, application: dict, opinion: str, event_id: str | None = None, **fields) -> None:
    stack.dispatch_event(
        "review",
        "application_decided",
        {
            "event_id": event_id or str(uuid.uuid4()),
            "application_id": application["id"],
            "case_no": application["case_no"],
            "court": application["court"],
            "opinion": opinion,
            "mode": fields.pop("mode", None),
            "explanation": fields.pop("explanation", "申请符合法律规定, 予以同意"),
            "reviewer": "中欣",
            "reviewed_at": "2025-06-01T10:00:00+08:00",
            **fields,
        },
    )


def test_party_submits_reads_lists_withdraws(stack, admin):
    party = new_party(stack.base_url, name="金家慧")
    stranger = new_party(stack.base_url, name="李四")
    case_no = import_case(admin, parties=[party])
    ascii_case = case_no.replace("（", "(").replace("）", ")")

    # Eligibility: a case that is not theirs is exactly like one that does not exist.
    unknown = assert_error(apply(stranger, new_case_no()), 404, "not_found")
    assert apply(stranger, case_no).json() == unknown
    assert_error(apply(party, "粤01民初1号"), 422, "invalid_case_no")
    assert_error(apply(party, case_no, scope=""), 422, "validation_error")
    assert_error(
        party.post("/api/v1/applications", data="{", headers={"Content-Type": "application/json"}), 400, "bad_request"
    )
    assert_error(Api(stack.base_url).post("/api/v1/applications", json={}), 401, "unauthenticated")
    clerk = create_staff(admin, "clerk", court=COURT)
    assert_error(apply(clerk, case_no), 403, "forbidden")

    # Fields the server owns are never taken from the client; a retry with the key is the first answer.
    created = apply(party, ascii_case, key="submit-1", status="approved", applicant={"name": "别人"}, review={})
    assert created.status_code == 201, created.text
    app = created.json()
    assert app["status"] == "pending" and app["case_no"] == case_no and app["court"] == COURT
    assert (
        app["applicant"] == {"name": "金家慧", "role": "party", "relation": "party"}
        and app["review"] is None
        and app["reading"] is None
    )
    assert app["scope"] == "全案卷宗" and app["reason"] == "诉讼需要" and app["materials"] == []
    assert app["applied_at"].endswith("+08:00")
    retry = apply(party, ascii_case, key="submit-1", status="approved", applicant={"name": "别人"}, review={})
    assert (retry.status_code, retry.json()) == (201, app)
    assert_error(apply(party, case_no, key="submit-1", reason="另一个原因"), 422, "idempotency_key_reused")
    assert_error(apply(party, case_no), 409, "duplicate_pending")

    # Detail: the owner, and the clerks and archivists of the case's court; nobody else.
    assert party.get(f"/api/v1/applications/{app['id']}").json() == app
    assert clerk.get(f"/api/v1/applications/{app['id']}").json()["id"] == app["id"]
    archivist = create_staff(admin, "archivist", court=COURT)
    assert archivist.get(f"/api/v1/applications/{app['id']}").status_code == 200
    missing = assert_error(stranger.get("/api/v1/applications/999999999"), 404, "not_found")
    outsiders = (stranger, create_staff(admin, "clerk", court=OTHER_COURT))
    for outsider in outsiders:
        assert outsider.get(f"/api/v1/applications/{app['id']}").json() == missing
        for action in ("withdraw", "reapply"):
            response = outsider.post(f"/api/v1/applications/{app['id']}/{action}")
            assert response.status_code in (403, 404) and response.json()["error"]["code"] in ("forbidden", "not_found")
    assert stranger.post(f"/api/v1/applications/{app['id']}/withdraw").json() == missing
    assert stranger.post(f"/api/v1/applications/{app['id']}/reapply").json() == missing
    assert_error(party.get("/api/v1/applications/abc"), 404, "not_found")
    assert stranger.get("/api/v1/applications").json() == {"items": [], "next_cursor": None}

    # Withdraw while pending (idempotent), then neither withdraw nor reapply.
    assert_error(party.post(f"/api/v1/applications/{app['id']}/reapply"), 409, "invalid_state")
    withdrawn = party.post(f"/api/v1/applications/{app['id']}/withdraw", headers={"Idempotency-Key": "w-1"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = party.post(f"/api/v1/applications/{app['id']}/withdraw", headers={"Idempotency-Key": "w-1"})
    assert (again.status_code, again.json()) == (200, withdrawn.json())
    assert_error(party.post(f"/api/v1/applications/{app['id']}/withdraw"), 409, "invalid_state")
    assert_error(party.post(f"/api/v1/applications/{app['id']}/reapply"), 409, "invalid_state")

    # A new one is allowed once nothing is pending; the list is newest first, paged, filtered.
    second = apply(party, case_no).json()
    page = party.get("/api/v1/applications", params={"limit": 1}).json()
    assert [a["id"] for a in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = party.get("/api/v1/applications", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [a["id"] for a in rest["items"]] == [app["id"]] and rest["next_cursor"] is None
    only = party.get("/api/v1/applications", params={"status": "withdrawn"}).json()["items"]
    assert [a["id"] for a in only] == [app["id"]]
    assert_error(party.get("/api/v1/applications", params={"status": "nonsense"}), 422, "validation_error")
    assert_error(party.get("/api/v1/applications", params={"cursor": "!!"}), 400, "bad_request")


def test_lawyer_rules_and_materials(stack, admin):
    of_record = new_lawyer(admin, name="王律师")
    outsider = new_lawyer(admin, name="赵律师")
    case_no = import_case(admin, lawyers=[of_record])
    archived = import_case(admin, status="archived")

    # Every lawyer's application carries the four materials of the manual.
    body = assert_error(apply(of_record, case_no), 422, "materials_missing")
    assert body["error"]["details"]["missing"] == list(LAWYER_KINDS)
    two = lawyer_materials(of_record, ("license", "authorization"))
    body = assert_error(apply(of_record, case_no, two), 422, "materials_missing")
    assert body["error"]["details"]["missing"] == ["firm_letter", "party_id"]
    ids = lawyer_materials(of_record)
    # Another user's material is as unknown as a missing one.
    someone_elses = lawyer_materials(outsider, ("license",))
    assert_error(apply(of_record, case_no, [*ids, someone_elses[0]]), 404, "not_found")
    assert_error(apply(of_record, case_no, [*ids, str(uuid.uuid4())]), 404, "not_found")
    app = apply(of_record, case_no, ids).json()
    assert [m["kind"] for m in app["materials"]] == list(LAWYER_KINDS)
    assert [m["filename"] for m in app["materials"]] == [f"{k}.pdf" for k in LAWYER_KINDS]

    # The clerks of the case's court may open the materials of an application in their queue.
    clerk = create_staff(admin, "clerk", court=COURT)
    opened = clerk.get(f"/api/v1/uploads/{ids[0]}")
    assert opened.status_code == 200 and opened.content.startswith(b"%PDF-")
    assert_error(create_staff(admin, "clerk", court=OTHER_COURT).get(f"/api/v1/uploads/{ids[0]}"), 404, "not_found")
    assert_error(clerk.get(f"/api/v1/uploads/{someone_elses[0]}"), 404, "not_found")

    # Not of record nor bound, in trial: bind first. Archived: no binding needed.
    mine = lawyer_materials(outsider)
    body = assert_error(apply(outsider, case_no, mine), 409, "binding_required")
    assert body["error"]["details"]["binding_route"] == "/api/v1/bindings"
    created = apply(outsider, archived, mine)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pending"


def test_review_decisions_reading_and_expiry(stack, admin, clock):
    # Sign in after setting the clock, so sessions live in the same (fake) time.
    clock.set("2025-06-10T23:59:00+08:00")
    party = new_party(stack.base_url, name="金家慧")
    case_no = import_case(admin, parties=[party])
    online = apply(party, case_no).json()

    decide(stack, online, "approve", event_id=f"online-{online['id']}", mode="online", valid_until="2025-06-10")
    url = f"/api/v1/applications/{online['id']}"
    shown = eventually(lambda: party.get(url).json(), lambda a: a["status"] != "pending")
    assert shown["status"] == "approved"
    assert shown["review"] == {
        "reviewer": "中欣",
        "reviewed_at": "2025-06-01T10:00:00+08:00",
        "opinion": "approve",
        "explanation": "申请符合法律规定, 予以同意",
        "mode": "online",
    }
    assert shown["reading"] == {
        "mode": "online",
        "valid_until": "2025-06-10",
        "documents": None,  # the decision chose none: the whole 正卷
        "document_titles": None,
        "print": True,
    }
    # The same event again (AMQP redelivers) changes nothing, even if it said otherwise.
    decide(stack, online, "reject", event_id=f"online-{online['id']}")
    assert_error(party.post(f"{url}/reapply"), 409, "invalid_state")
    assert_error(party.post(f"{url}/withdraw"), 409, "invalid_state")

    # valid_until is inclusive to the end of that day in Asia/Shanghai, and then expired at once.
    clock.set("2025-06-11T00:00:01+08:00")
    expired = party.get(url).json()
    assert expired["status"] == "expired" and expired["reading"]["valid_until"] == "2025-06-10"
    listed = party.get("/api/v1/applications", params={"status": "expired"}).json()["items"]
    assert [a["id"] for a in listed] == [online["id"]]
    assert party.get("/api/v1/applications", params={"status": "approved"}).json()["items"] == []
    again = party.post(f"{url}/reapply", headers={"Idempotency-Key": "again-1"})
    assert again.status_code == 201, again.text
    renewed = again.json()
    assert renewed["id"] != online["id"] and renewed["status"] == "pending" and renewed["review"] is None
    assert (renewed["case_no"], renewed["scope"], renewed["reason"]) == (case_no, "全案卷宗", "诉讼需要")
    retry = party.post(f"{url}/reapply", headers={"Idempotency-Key": "again-1"})
    assert (retry.status_code, retry.json()) == (201, renewed)
    assert_error(party.post(f"{url}/reapply"), 409, "duplicate_pending")
    assert party.get(url).json()["status"] == "expired"

    # On site: past the window without attending is expired; attended stays approved.
    decide(
        stack, renewed, "approve", mode="onsite", start_date="2025-06-09", end_date="2025-06-10", notice="档案阅卷室"
    )
    onsite_url = f"/api/v1/applications/{renewed['id']}"
    shown = eventually(lambda: party.get(onsite_url).json(), lambda a: a["status"] != "pending")
    assert shown["status"] == "expired"
    assert shown["reading"] == {
        "mode": "onsite",
        "start_date": "2025-06-09",
        "end_date": "2025-06-10",
        "notice": "档案阅卷室",
        "attended": None,
        "borrowed_at": None,
        "returned_at": None,
        "booking": None,  # 预约到场: no slot booked
    }
    attendance = {
        "event_id": str(uuid.uuid4()),
        "application_id": renewed["id"],
        "attended": True,
        "borrowed_at": "2025-06-10T09:30:00+08:00",
        "returned_at": "2025-06-10T11:00:00+08:00",
    }
    stack.dispatch_event("review", "attendance_recorded", attendance)
    shown = eventually(lambda: party.get(onsite_url).json(), lambda a: a["reading"]["attended"] is not None)
    assert shown["status"] == "approved" and shown["reading"]["attended"] is True
    assert shown["reading"]["borrowed_at"] == "2025-06-10T09:30:00+08:00"
    assert shown["reading"]["returned_at"] == "2025-06-10T11:00:00+08:00"

    # A rejection and a return show in the status, and both may be reapplied.
    other_case = import_case(admin, parties=[party])
    rejected = apply(party, other_case).json()
    decide(stack, rejected, "reject", explanation="不符合条件")
    shown = eventually(lambda: party.get(f"/api/v1/applications/{rejected['id']}").json(), lambda a: a["review"])
    assert shown["status"] == "rejected" and shown["reading"] is None and shown["review"]["opinion"] == "reject"
    assert party.post(f"/api/v1/applications/{rejected['id']}/reapply").status_code == 201


def test_material_upload_by_a_party_is_optional_and_listed(stack, admin):
    party = new_party(stack.base_url)
    case_no = import_case(admin, parties=[party])
    photo = upload(party, png_bytes(), "party_id", "身份证.png").json()
    app = apply(party, case_no, [photo["id"]]).json()
    shown = {"id": photo["id"], "kind": "party_id", "filename": "身份证.png"}
    assert app["materials"] == [{**shown, "content_type": "image/png", "size": photo["size"]}]


def test_a_correction_after_a_return_replaces_what_changed_and_shows_it(stack, admin):
    """补正: the clerk returns (请补充授权委托书); the party corrects the reason and adds the
    material; the clerk sees what changed since the return, and the queue has the new one."""
    party = new_party(stack.base_url, name="补正人")
    clerk = create_staff(admin, "clerk", COURT)
    case_no = import_case(admin, parties=[party])
    photo = upload(party, png_bytes(), "party_id", "身份证.png").json()
    app = apply(party, case_no, [photo["id"]]).json()
    queued = eventually(
        lambda: clerk.get("/api/v1/staff/applications", params={"status": "pending", "limit": 100}).json()["items"],
        lambda items: any(a["id"] == app["id"] for a in items),
    )
    assert any(a["id"] == app["id"] for a in queued)
    returned = clerk.post(
        f"/api/v1/staff/applications/{app['id']}/decision",
        json={"opinion": "return", "explanation": "请补充授权委托书"},
    )
    assert returned.status_code == 200, returned.text
    shown = eventually(
        lambda: party.get(f"/api/v1/applications/{app['id']}").json(), lambda a: a["status"] == "returned"
    )
    assert shown["review"]["explanation"] == "请补充授权委托书"

    letter = upload(party, pdf_bytes(), "authorization", "授权委托书.pdf").json()
    url = f"/api/v1/applications/{app['id']}/reapply"
    assert_error(party.post(url, json={"reason": "   "}), 422, "validation_error")
    assert_error(party.post(url, json={"material_ids": "x"}), 422, "validation_error")
    other = new_party(stack.base_url)
    foreign = upload(other, png_bytes(), "other", "别人的.png").json()
    refused = party.post(url, json={"material_ids": [foreign["id"]]})
    assert refused.status_code in (404, 422), refused.text  # another account's file is never taken
    corrected = party.post(url, json={"reason": "已补充授权委托书", "material_ids": [photo["id"], letter["id"]]})
    assert corrected.status_code == 201, corrected.text
    new = corrected.json()
    assert (new["status"], new["reapplied_from"], new["scope"]) == ("pending", app["id"], "全案卷宗")
    assert new["changes"]["reason"] == {"before": "诉讼需要", "after": "已补充授权委托书"}
    assert [m["filename"] for m in new["changes"]["materials_added"]] == ["授权委托书.pdf"]
    assert "scope" not in new["changes"] and "materials_removed" not in new["changes"]

    pending = eventually(
        lambda: clerk.get("/api/v1/staff/applications", params={"status": "pending", "limit": 100}).json()["items"],
        lambda items: any(a["id"] == new["id"] for a in items),
    )
    assert next(a for a in pending if a["id"] == new["id"])["reason"] == "已补充授权委托书"
    staff_view = clerk.get(f"/api/v1/applications/{new['id']}").json()
    assert staff_view["changes"] == new["changes"]
    assert_error(party.post(url, json={"reason": "再来一次"}), 409, "duplicate_pending")


def test_the_reader_flows_answers_are_what_the_openapi_document_says(stack, admin):
    """Sign-in, cases, materials, applications, bindings and messages, each answer (and
    each refusal's code) checked against the schema the document gives its status."""
    doc = requests.get(stack.base_url + "/api/v1/openapi.json", timeout=10).json()
    party = new_party(stack.base_url, name="金家慧")
    lawyer = new_lawyer(admin)
    case_no = import_case(admin, parties=[party], lawyers=[lawyer])
    anyone = Api(stack.base_url)

    assert assert_documented(doc, "GET", "/api/v1/me", party.get("/api/v1/me"))["verified"] is True
    signed_in = anyone.post("/api/v1/auth/login", json={"phone": party.phone, "password": "Reader-2024"})
    assert assert_documented(doc, "POST", "/api/v1/auth/login", signed_in)["user"]["name"] == "金家慧"
    for body, status in (({"phone": party.phone, "password": "Wrong-2024"}, 401), ({}, 422)):
        refused = anyone.post("/api/v1/auth/login", json=body)
        assert refused.status_code == status
        assert_documented(doc, "POST", "/api/v1/auth/login", refused)
    texted = anyone.post("/api/v1/auth/sms-codes", json={"phone": "1380000", "purpose": "register"})
    assert assert_documented(doc, "POST", "/api/v1/auth/sms-codes", texted)["error"]["code"] == "invalid_phone"
    assert_documented(doc, "GET", "/api/v1/staff/verifications", admin.get("/api/v1/staff/verifications"))
    assert_documented(doc, "GET", "/api/v1/admin/users", admin.get("/api/v1/admin/users", params={"limit": 5}))

    lookup = party.get("/api/v1/cases/lookup", params={"case_no": case_no})
    assert assert_documented(doc, "GET", "/api/v1/cases/lookup", lookup)["relation"] == "party"
    assert assert_documented(doc, "GET", "/api/v1/my/cases", party.get("/api/v1/my/cases"))["items"]
    bad_case = party.get("/api/v1/cases/lookup", params={"case_no": "粤01民初1号"})
    assert_documented(doc, "GET", "/api/v1/cases/lookup", bad_case)
    material = upload(lawyer, pdf_bytes(), "license", "执业证.pdf")
    assert_documented(doc, "POST", "/api/v1/uploads", material)
    body = {"case_no": case_no, "party_name": "张三", "material_ids": [material.json()["id"]]}
    binding = lawyer.post("/api/v1/bindings", json=body)
    assert binding.status_code in (409, 422), binding.text  # of record already, and no authorization
    assert_documented(doc, "POST", "/api/v1/bindings", binding)
    assert_documented(doc, "GET", "/api/v1/bindings", lawyer.get("/api/v1/bindings"))

    created = assert_documented(doc, "POST", "/api/v1/applications", apply(party, case_no, key=str(uuid.uuid4())))
    assert_documented(doc, "POST", "/api/v1/applications", apply(party, case_no))  # 409 duplicate_pending
    assert_documented(doc, "POST", "/api/v1/applications", apply(party, case_no, scope=""))  # 422
    assert_documented(doc, "GET", "/api/v1/applications", party.get("/api/v1/applications"))
    decide(stack, created, "approve", mode="online", valid_until="2099-12-31")
    path = f"/api/v1/applications/{created['id']}"
    approved = eventually(lambda: party.get(path).json(), lambda app: app["status"] == "approved")
    assert approved["reading"]["mode"] == "online", approved
    assert assert_documented(doc, "GET", "/api/v1/applications/{application_id}", party.get(path))["review"]
    assert_documented(doc, "GET", "/api/v1/messages", party.get("/api/v1/messages"))

    second = assert_documented(doc, "POST", "/api/v1/applications", apply(party, case_no))
    withdraw = "/api/v1/applications/{application_id}/withdraw"
    withdrawn = party.post(f"/api/v1/applications/{second['id']}/withdraw")
    assert assert_documented(doc, "POST", withdraw, withdrawn)["status"] == "withdrawn"
    assert_documented(doc, "POST", withdraw, party.post(f"/api/v1/applications/{second['id']}/withdraw"))  # 409
    reapply = party.post(f"/api/v1/applications/{created['id']}/reapply", json={"reason": "补充"})
    assert_documented(doc, "POST", "/api/v1/applications/{application_id}/reapply", reapply)  # 409 invalid_state
