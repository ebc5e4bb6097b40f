"""The case directory over HTTP: the court's feed, case numbers, the relation question and
the privacy rule (a party learns nothing about a case that is not theirs)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from tests.support import Api, assert_error, new_case_no, new_id_number, new_lawyer, new_party

COURT = "广东省广州市中级人民法院"


def case_body(case_no: str, *, status: str = "in_trial", parties=(), lawyers=(), **extra) -> dict:
    return {
        "case_no": case_no,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": status,
        "has_electronic_dossier": False,
        "parties": [{"name": p.user["name"], "id_number": p.id_number, "side": "原告"} for p in parties],
        "lawyers": [{"name": lw.user["name"], "license_no": lw.license_no, "party_name": "张三"} for lw in lawyers],
        **extra,
    }


def import_cases(admin: Api, *cases: dict) -> None:
    response = admin.post("/api/v1/admin/cases", json={"cases": list(cases)})
    assert response.status_code == 200, response.text
    assert response.json() == {"imported": len(cases)}


def lookup(client: Api, case_no: str):
    return client.get("/api/v1/cases/lookup", params={"case_no": case_no})


def test_relations_and_the_privacy_rule(stack, admin):
    party = new_party(stack.base_url, name="张三")
    stranger = new_party(stack.base_url, name="李四")
    namesake = new_party(stack.base_url, name="张三")  # same name, another ID number
    of_record = new_lawyer(admin, name="王律师")
    other_lawyer = new_lawyer(admin, name="赵律师")
    case_no = new_case_no()
    import_cases(admin, case_body(case_no, parties=[party], lawyers=[of_record], unknown_field="ignored"))
    ascii_form = " " + case_no.replace("（", "(").replace("）", ") ") + " "

    answer = lookup(party, ascii_form)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "case_no": case_no,
        "court": COURT,
        "status": "in_trial",
        "has_electronic_dossier": False,
        "relation": "party",
        "can_apply": True,
        "needs_binding": False,
    }
    assert lookup(of_record, case_no).json()["relation"] == "lawyer_of_record"
    none = lookup(other_lawyer, case_no).json()
    assert (none["relation"], none["can_apply"], none["needs_binding"]) == ("none", False, True)

    # A party with no relation gets exactly what an unknown case gets.
    unknown = lookup(stranger, new_case_no())
    assert_error(unknown, 404, "not_found")
    for outsider in (stranger, namesake):
        refused = lookup(outsider, case_no)
        assert (refused.status_code, refused.json()) == (404, unknown.json())
    assert_error(lookup(other_lawyer, new_case_no()), 404, "not_found")
    bad = assert_error(lookup(party, "(2021)粤01民初0号"), 422, "invalid_case_no")
    assert "序号" in bad["error"]["message"]
    assert_error(lookup(party, ""), 422, "invalid_case_no")
    assert_error(Api(stack.base_url).get("/api/v1/cases/lookup", params={"case_no": case_no}), 401, "unauthenticated")
    assert_error(lookup(admin, case_no), 403, "forbidden")

    mine = party.get("/api/v1/my/cases").json()
    assert [c["case_no"] for c in mine["items"]] == [case_no]
    assert mine["items"][0]["relation"] == "party" and mine["items"][0]["status"] == "in_trial"
    assert mine["next_cursor"] is None
    assert stranger.get("/api/v1/my/cases").json() == {"items": [], "next_cursor": None}
    assert namesake.get("/api/v1/my/cases").json()["items"] == []
    lawyer_cases = of_record.get("/api/v1/my/cases").json()["items"]
    assert [(c["case_no"], c["relation"]) for c in lawyer_cases] == [(case_no, "lawyer_of_record")]

    # Only an admin feeds the directory.
    assert_error(party.post("/api/v1/admin/cases", json={"cases": []}), 403, "forbidden")


def test_reimport_changes_status_and_lawyers(stack, admin):
    party = new_party(stack.base_url)
    first, second = new_lawyer(admin), new_lawyer(admin)
    case_no, other_no = new_case_no(), new_case_no()
    import_cases(admin, case_body(case_no, parties=[party], lawyers=[first]), case_body(other_no, lawyers=[first]))
    assert lookup(first, case_no).json()["relation"] == "lawyer_of_record"
    assert lookup(second, case_no).json()["needs_binding"] is True

    # The feed changes its mind: archived, the other lawyer now of record, the party gone.
    import_cases(admin, case_body(case_no, status="archived", lawyers=[second], has_electronic_dossier=True))
    moved = lookup(first, case_no).json()
    assert (moved["status"], moved["relation"], moved["needs_binding"], moved["can_apply"]) == (
        "archived",
        "none",
        False,
        True,  # an archived case needs no binding
    )
    assert moved["has_electronic_dossier"] is True
    assert lookup(second, case_no).json()["relation"] == "lawyer_of_record"
    assert_error(lookup(party, case_no), 404, "not_found")
    assert party.get("/api/v1/my/cases").json()["items"] == []
    # The other case of the first batch is untouched, and pages newest first.
    assert [c["case_no"] for c in first.get("/api/v1/my/cases").json()["items"]] == [other_no]
    third = new_case_no()
    import_cases(admin, case_body(third, lawyers=[second]))
    page = second.get("/api/v1/my/cases", params={"limit": 1}).json()
    assert [c["case_no"] for c in page["items"]] == [third] and page["next_cursor"]
    rest = second.get("/api/v1/my/cases", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [c["case_no"] for c in rest["items"]] == [case_no] and rest["next_cursor"] is None
    assert_error(second.get("/api/v1/my/cases", params={"cursor": "x"}), 400, "bad_request")  # as every list


def test_bad_input_is_refused_and_changes_nothing(stack, admin):
    lawyer = new_lawyer(admin)
    fresh = new_case_no()

    def refused(case: dict, status: int, code: str) -> dict:
        body = assert_error(admin.post("/api/v1/admin/cases", json={"cases": [case_body(fresh), case]}), status, code)
        assert_error(lookup(lawyer, fresh), 404, "not_found")  # the good case of the batch was not written
        return body["error"]

    error = refused(case_body("(2021)粤01民初", lawyers=[]), 422, "invalid_case_no")
    assert error["details"]["field"] == "cases[1]"
    assert "cases[1]" in error["message"]
    error = refused(
        {**case_body(new_case_no()), "parties": [{"name": "甲", "id_number": "440106199001011234"}]},
        422,
        "invalid_id_number",
    )
    assert error["details"]["field"] == "cases[1].parties[0].id_number"
    error = refused({**case_body(new_case_no()), "status": "open"}, 422, "validation_error")
    assert "cases[1].status" in error["details"]["fields"]
    error = refused({**case_body(new_case_no()), "has_electronic_dossier": "yes"}, 422, "validation_error")
    assert "cases[1].has_electronic_dossier" in error["details"]["fields"]
    error = refused({**case_body(new_case_no()), "parties": "张三"}, 422, "validation_error")
    error = refused(
        {**case_body(new_case_no()), "lawyers": [{"name": "钱律师", "license_no": 123}]}, 422, "validation_error"
    )
    assert "cases[1].lawyers[0].license_no" in error["details"]["fields"]
    refused({**case_body(new_case_no()), "court": ""}, 422, "validation_error")
    refused("not a case", 422, "validation_error")

    assert_error(admin.post("/api/v1/admin/cases", json={"cases": "all"}), 422, "validation_error")
    assert_error(admin.post("/api/v1/admin/cases", json=[1, 2]), 422, "validation_error")
    assert_error(
        admin.post("/api/v1/admin/cases", data=b"{not json", headers={"Content-Type": "application/json"}),
        400,
        "bad_request",
    )
    assert_error(admin.post("/api/v1/admin/cases", data=b"cases=1"), 400, "bad_request")
    assert_error(lookup(lawyer, fresh), 404, "not_found")


def test_a_document_ingested_event_gives_the_case_an_electronic_dossier(stack, admin):
    lawyer = new_lawyer(admin)
    case_no = new_case_no()
    import_cases(admin, case_body(case_no, status="archived"))
    assert lookup(lawyer, case_no).json()["has_electronic_dossier"] is False
    event = {"case_no": case_no, "document_id": 1, "event_id": f"test-{case_no}"}
    for _ in range(2):  # at-least-once delivery: the second copy changes nothing
        stack.dispatch_event("dossier", "document_ingested", event)
    deadline = time.monotonic() + 10
    while lookup(lawyer, case_no).json()["has_electronic_dossier"] is False:
        assert time.monotonic() < deadline, "document_ingested was not consumed"
        time.sleep(0.1)
    # A later feed that still says "no electronic dossier" cannot hide the ingested one.
    import_cases(admin, case_body(case_no, status="archived"))
    assert lookup(lawyer, case_no).json()["has_electronic_dossier"] is True


def realistic_cases(count: int) -> list[dict]:
    cases = []
    for i in range(count):
        case_no = new_case_no(court="粤0106", type_code="民初")
        cases.append(
            {
                "case_no": case_no,
                "court": "广东省广州市天河区人民法院",
                "cause": "民间借贷纠纷" if i % 2 else "机动车交通事故责任纠纷",
                "status": "archived" if i % 3 == 0 else "in_trial",
                "has_electronic_dossier": i % 4 != 0,
                "parties": [
                    {"name": f"原告{i}", "id_number": new_id_number(), "side": "原告"},
                    {"name": f"被告{i}", "id_number": new_id_number(), "side": "被告"},
                    {"name": f"第三人{i}", "id_number": new_id_number(), "side": "第三人"},
                ],
                "lawyers": [
                    {"name": f"律师{i}", "license_no": f"144012019{i:08d}", "party_name": f"原告{i}"},
                    {"name": f"律师乙{i}", "license_no": f"144012020{i:08d}", "party_name": f"被告{i}"},
                ],
            }
        )
    return cases


def test_ten_thousand_cases_in_one_call(stack, admin):
    cases = realistic_cases(10_000)
    # ~6 MiB of JSON: over the gateway's default body limit, under the route's own. A 200
    # (not 503) means the import finished within the route's RPC deadline.
    response = admin.post("/api/v1/admin/cases", json={"cases": cases}, timeout=200)
    assert response.status_code == 200, response.text[:500]
    assert response.json() == {"imported": 10_000}
    party = Api(stack.base_url)
    sample = cases[-1]
    party.register("party", name=sample["parties"][1]["name"], id_number=sample["parties"][1]["id_number"])
    answer = lookup(party, sample["case_no"]).json()
    assert (answer["relation"], answer["status"]) == ("party", sample["status"])
    assert [c["case_no"] for c in party.get("/api/v1/my/cases").json()["items"]] == [sample["case_no"]]


def test_court_it_imports_a_file_from_the_command_line(stack, admin, tmp_path):
    lawyer = new_lawyer(admin)
    case_no = new_case_no()
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"cases": [case_body(case_no, lawyers=[lawyer])]}, ensure_ascii=False), "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "services.case_binding.cli", "import-cases", str(feed)],
        cwd=stack.root,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "imported 1 cases" in run.stdout
    assert lookup(lawyer, case_no).json()["relation"] == "lawyer_of_record"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"cases": [case_body(new_case_no()), case_body("(2021)粤01民初0号")]}), "utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "services.case_binding.cli", "import-cases", str(bad)],
        cwd=stack.root,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1
    assert "invalid_case_no" in refused.stderr and "Traceback" not in refused.stderr
