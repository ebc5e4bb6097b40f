"""What the answers say a viewer may do, on the real stack: the applicant's ``actions`` in each
status (the buttons of every front end), the clerk's ``decisions`` with review's default
explanations, and the application object the same whichever service answers it."""

from __future__ import annotations

from services.common.infra.shapes import Application
from tests.e2e import test_applications as cases
from tests.support import Api, create_staff, eventually, make_pdf, new_party

COURT = "广东省广州市中级人民法院"
# the application object of API.md and its additions; ``changes`` (what a 补正 changed) is
# applications' to tell, from the two submissions only it keeps
SHARED = set(Application.model_fields) - {"changes"}


def import_case(admin: Api, party: Api) -> str:
    return cases.import_case(admin, parties=[party])


def apply(party: Api, case_no: str) -> dict:
    response = cases.apply(party, case_no)
    assert response.status_code == 201, response.text
    return response.json()


def in_review(staff: Api, app_id: int) -> dict:
    """Review's line of the application, once its submission event arrived."""
    path = f"/api/v1/staff/applications/{app_id}"
    response = eventually(lambda: staff.get(path), lambda r: r.status_code != 404)
    assert response.status_code == 200, response.text
    return response.json()


def decide(clerk: Api, app_id: int, **body) -> dict:
    response = clerk.post(f"/api/v1/staff/applications/{app_id}/decision", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def owner_sees(party: Api, app_id: int, status: str) -> dict:
    """The applicant's answer once applications heard of the decision."""
    shown = eventually(lambda: party.get(f"/api/v1/applications/{app_id}").json(), lambda a: a["status"] == status)
    assert shown["status"] == status, shown
    return shown


def same_application(from_applications: dict, from_review: dict) -> None:
    """The same fields, the same values; a staff read adds the applicant's 实名认证 from identity
    (``applicant.verification``), which a decision's answer leaves out."""
    assert SHARED <= from_applications.keys() and SHARED <= from_review.keys()
    for field in SHARED - {"materials", "applicant"}:
        assert from_applications[field] == from_review[field], field
    person = [
        {k: v for k, v in a["applicant"].items() if k != "verification"} for a in (from_applications, from_review)
    ]
    assert person[0] == person[1]
    strip = [{k: v for k, v in m.items() if k != "url"} for m in from_review["materials"]]
    assert from_applications["materials"] == strip


def test_applications_and_review_answer_the_same_application_object(stack, admin):
    party = new_party(stack.base_url, name="金家慧")
    clerk = create_staff(admin, "clerk", COURT, name="中欣")
    case_no = import_case(admin, party)
    upload = party.post(
        "/api/v1/uploads",
        files={"file": ("授权书.pdf", make_pdf(1), "application/pdf")},
        data={"kind": "authorization"},
    )
    assert upload.status_code == 201, upload.text
    body = {"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": [upload.json()["id"]]}
    first = party.post("/api/v1/applications", json=body).json()

    line = in_review(clerk, first["id"])
    read = clerk.get(f"/api/v1/applications/{first['id']}").json()
    same_application(read, line)
    assert read["applicant"]["verification"] == line["applicant"]["verification"]
    assert line["applicant"]["verification"]["verified"] is True
    assert line["materials"][0]["content_type"] == "application/pdf" and line["materials"][0]["size"] > 0

    returned = decide(clerk, first["id"], opinion="return", explanation="请补充授权委托书")
    owner_sees(party, first["id"], "returned")
    same_application(clerk.get(f"/api/v1/applications/{first['id']}").json(), returned)

    # 补正: review's copy knows the application it was made from, as applications does
    fresh = party.post(f"/api/v1/applications/{first['id']}/reapply", json={"reason": "补充：需查阅庭审笔录"})
    assert fresh.status_code == 201, fresh.text
    again = in_review(clerk, fresh.json()["id"])
    assert again["reapplied_from"] == first["id"]
    same_application(clerk.get(f"/api/v1/applications/{again['id']}").json(), again)
    queued = clerk.get("/api/v1/staff/applications", params={"case_no": case_no, "limit": 100}).json()["items"]
    assert {a["id"]: a["reapplied_from"] for a in queued} == {first["id"]: None, again["id"]: first["id"]}


def test_the_applicants_actions_follow_the_status(stack, clock):
    clock.set("2030-03-04T23:00:00+08:00")  # sign in on the court's clock, which moves below
    admin = stack.admin_api()
    party = new_party(stack.base_url, name="金家慧")
    clerk = create_staff(admin, "clerk", COURT, name="中欣")

    def actions(app_id: int) -> list[str]:
        return party.get(f"/api/v1/applications/{app_id}").json()["actions"]

    # 待审查: 撤回 only; the court's staff read it with nothing of the applicant's to do
    pending = apply(party, import_case(admin, party))
    assert pending["actions"] == ["withdraw"]
    in_review(clerk, pending["id"])
    assert clerk.get(f"/api/v1/applications/{pending['id']}").json()["actions"] == []
    listed = party.get("/api/v1/applications", params={"status": "pending"}).json()["items"]
    assert {a["id"]: a["actions"] for a in listed}[pending["id"]] == ["withdraw"]
    withdrawn = party.post(f"/api/v1/applications/{pending['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["actions"] == []

    # 退回补正: 补正 and 重新申请
    back = apply(party, import_case(admin, party))
    in_review(clerk, back["id"])
    decide(clerk, back["id"], opinion="return", explanation="材料不全")
    assert owner_sees(party, back["id"], "returned")["actions"] == ["correct", "reapply"]

    # 不通过: 重新申请
    refused = apply(party, import_case(admin, party))
    in_review(clerk, refused["id"])
    decide(clerk, refused["id"], opinion="reject", explanation="不符合条件")
    assert owner_sees(party, refused["id"], "rejected")["actions"] == ["reapply"]

    # 通过 online: 查看案卷, 复制链接, 打印 unless the grant forbids it, 阅卷记录
    online = apply(party, import_case(admin, party))
    in_review(clerk, online["id"])
    decide(clerk, online["id"], opinion="approve", mode="online", valid_until="2030-03-04")
    assert owner_sees(party, online["id"], "approved")["actions"] == [
        "view_dossier",
        "copy_link",
        "print",
        "access_log",
    ]
    no_print = apply(party, import_case(admin, party))
    in_review(clerk, no_print["id"])
    decide(clerk, no_print["id"], opinion="approve", mode="online", valid_until="2030-03-05", print=False)
    assert owner_sees(party, no_print["id"], "approved")["actions"] == ["view_dossier", "copy_link", "access_log"]

    # 通过 on site: 预约到场时间
    onsite = apply(party, import_case(admin, party))
    in_review(clerk, onsite["id"])
    decide(clerk, onsite["id"], opinion="approve", mode="onsite", start_date="2030-03-05", end_date="2030-03-06")
    assert owner_sees(party, onsite["id"], "approved")["actions"] == ["book_onsite"]

    # 已过期 the moment the last day ends: 重新申请, and the reading's record stays readable
    clock.set("2030-03-05T00:00:01+08:00")
    assert actions(online["id"]) == ["reapply", "access_log"]
    assert actions(no_print["id"]) == ["view_dossier", "copy_link", "access_log"]
    assert actions(onsite["id"]) == ["book_onsite"]


def test_the_clerks_decisions_come_with_reviews_defaults(stack, admin):
    party = new_party(stack.base_url, name="金家慧")
    clerk = create_staff(admin, "clerk", COURT, name="中欣")
    archivist = create_staff(admin, "archivist", COURT, name="档案员")
    elsewhere = create_staff(admin, "clerk", "广东省深圳市中级人民法院", name="外院")
    app = apply(party, import_case(admin, party))

    line = in_review(clerk, app["id"])
    offered = {(d["opinion"], d["mode"]): d for d in line["decisions"]}
    assert list(offered) == [("approve", "online"), ("approve", "onsite"), ("reject", None), ("return", None)]
    assert offered[("approve", "online")]["default_explanation"] == "申请符合法律规定, 予以同意"
    assert offered[("approve", "online")]["default_valid_days"] == 15
    assert "{start_date}" in offered[("approve", "onsite")]["default_explanation"]
    assert offered[("reject", None)]["explanation_required"] is True
    queued = clerk.get("/api/v1/staff/applications", params={"status": "pending", "limit": 100}).json()["items"]
    assert {a["id"]: a["decisions"] for a in queued}[app["id"]] == line["decisions"]
    # an archivist reads the same line and decides nothing; another court's clerk sees nothing
    assert in_review(archivist, app["id"])["decisions"] == []
    assert elsewhere.get(f"/api/v1/staff/applications/{app['id']}").status_code == 404
    assert clerk.get("/api/v1/staff/applications/999999999999").status_code == 404

    # the decision left without an explanation gets the default it was offered
    decided = decide(clerk, app["id"], opinion="approve", mode="online")
    assert decided["review"]["explanation"] == offered[("approve", "online")]["default_explanation"]
    assert decided["decisions"] == [] and in_review(clerk, app["id"])["decisions"] == []
