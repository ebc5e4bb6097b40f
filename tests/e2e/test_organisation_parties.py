"""Organisation parties (单位当事人) in the court's feed, over HTTP: a company identified by its
统一社会信用代码 is a party of the case, its 法定代表人 reads for it as a party, nobody
matches the company itself, and one bad credit code refuses the whole batch."""

from __future__ import annotations

import subprocess
import sys

from tests.support import Api, assert_error, new_case_no, new_id_number, new_party

COURT = "广东省广州市中级人民法院"
COMPANY = "广州市某某贸易有限公司"
# Built for these tests: 17 characters chosen, the check character computed (GB 32100-2015).
CREDIT_CODE = "91440101MA59ABCD1D"
OTHER_CREDIT_CODE = "91350100M000100Y43"


def case_body(case_no: str, parties: list[dict], status: str = "in_trial") -> dict:
    return {
        "case_no": case_no,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": status,
        "has_electronic_dossier": False,
        "parties": parties,
        "lawyers": [],
    }


def person(client: Api, side: str = "原告") -> dict:
    return {"name": client.user["name"], "id_number": client.id_number, "side": side}


def company(representative: Api | None = None, credit_code: str = CREDIT_CODE, name: str = COMPANY) -> dict:
    party = {"name": name, "credit_code": credit_code, "side": "被告"}
    if representative is not None:
        party["representative"] = {"name": representative.user["name"], "id_number": representative.id_number}
    return party


def lookup(client: Api, case_no: str):
    return client.get("/api/v1/cases/lookup", params={"case_no": case_no})


def import_cases(admin: Api, *cases: dict):
    return admin.post("/api/v1/admin/cases", json={"cases": list(cases)})


def test_the_representative_of_an_organisation_party_is_a_party(stack, admin):
    plaintiff = new_party(stack.base_url, name="张原告")
    representative = new_party(stack.base_url, name="李法人")
    namesake = new_party(stack.base_url, name=COMPANY)  # the company's name, a person's ID number
    other_li = new_party(stack.base_url, name="李法人")  # the representative's name, another ID number
    case_no, unrepresented_no = new_case_no(), new_case_no()
    done = import_cases(
        admin,
        case_body(case_no, [person(plaintiff), company(representative)]),
        case_body(unrepresented_no, [company(credit_code=OTHER_CREDIT_CODE.lower())], status="archived"),
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"imported": 2}
    stored = stack.sql(
        "case_binding",
        "SELECT name, id_number, credit_code, representative_name, representative_id_number FROM case_parties"
        " WHERE case_no IN (?, ?) ORDER BY id",
        (case_no, unrepresented_no),
    )
    assert [tuple(row) for row in stored] == [
        ("张原告", plaintiff.id_number, None, None, None),
        (COMPANY, None, CREDIT_CODE, "李法人", representative.id_number),
        (COMPANY, None, OTHER_CREDIT_CODE, None, None),  # normalised to upper case
    ]

    # The 法定代表人 is a party of the case: they see it, and may apply for it.
    answer = lookup(representative, case_no)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "case_no": case_no,
        "court": COURT,
        "status": "in_trial",
        "has_electronic_dossier": False,
        "relation": "party",
        "can_apply": True,
        "needs_binding": False,
        "acts_for": COMPANY,  # the 法定代表人 speaks for the organisation
    }
    mine = representative.get("/api/v1/my/cases").json()
    assert [(c["case_no"], c["relation"], c["can_apply"]) for c in mine["items"]] == [(case_no, "party", True)]
    applied = representative.post(
        "/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "诉讼需要", "material_ids": []}
    )
    assert applied.status_code == 201, applied.text
    # Nothing changes for persons.
    assert lookup(plaintiff, case_no).json()["relation"] == "party"

    # Nobody is the company itself: its name with another ID number, or the representative's
    # name with another ID number, learns exactly what an unknown case would tell them.
    unknown = lookup(namesake, new_case_no())
    assert_error(unknown, 404, "not_found")
    for outsider in (namesake, other_li):
        for number in (case_no, unrepresented_no):
            refused = lookup(outsider, number)
            assert (refused.status_code, refused.json()) == (404, unknown.json())
        assert outsider.get("/api/v1/my/cases").json() == {"items": [], "next_cursor": None}
    assert_error(lookup(representative, unrepresented_no), 404, "not_found")

    # The feed is the source of truth: a company without its representative takes the
    # representative's relation with it.
    again = import_cases(admin, case_body(case_no, [person(plaintiff), company()]))
    assert again.status_code == 200, again.text
    assert_error(lookup(representative, case_no), 404, "not_found")
    assert representative.get("/api/v1/my/cases").json()["items"] == []


def test_one_bad_party_refuses_the_whole_batch_naming_it(stack, admin):
    representative = new_party(stack.base_url, name="王法人")
    good_no, bad_no = new_case_no(), new_case_no()
    good = case_body(good_no, [company(representative)])

    def refused(bad_parties: list[dict], code: str) -> dict:
        numbers = [new_case_no(), bad_no, new_case_no()]
        batch = [good, case_body(numbers[0], [company()]), case_body(bad_no, bad_parties), case_body(numbers[2], [])]
        error = assert_error(import_cases(admin, *batch), 422, code)["error"]
        # Nothing of the batch was written: not the good cases before or after the bad one.
        assert_error(lookup(representative, good_no), 404, "not_found")
        placeholders = ", ".join("?" * (len(numbers) + 1))
        assert (
            stack.sql(
                "case_binding", f"SELECT case_no FROM cases WHERE case_no IN ({placeholders})", (good_no, *numbers)
            )
            == []
        )
        return error

    wrong_check = CREDIT_CODE[:17] + "E"
    error = refused(
        [{"name": "张三", "id_number": new_id_number(), "side": "原告"}, company(credit_code=wrong_check)],
        "validation_error",
    )
    assert list(error["details"]["fields"]) == ["cases[2].parties[1].credit_code"]
    assert "cases[2].parties[1].credit_code" in error["message"]

    for code_text in ("91440101MA59ABCD1", "91440101IA59ABCD1D", "９１４４０１０１ＭＡ５９ＡＢＣＤ１Ｄ"):
        error = refused([company(credit_code=code_text)], "validation_error")
        assert "cases[2].parties[0].credit_code" in error["details"]["fields"]

    both = dict(company(), id_number=new_id_number())
    error = refused([both], "validation_error")
    assert {"cases[2].parties[0].id_number", "cases[2].parties[0].credit_code"} <= error["details"]["fields"].keys()
    error = refused([{"name": COMPANY, "side": "被告"}], "validation_error")
    assert {"cases[2].parties[0].id_number", "cases[2].parties[0].credit_code"} <= error["details"]["fields"].keys()

    bad_representative = dict(company(), representative={"name": "王法人", "id_number": "440106199001011234"})
    error = refused([bad_representative], "invalid_id_number")
    assert error["details"]["field"] == "cases[2].parties[0].representative.id_number"
    assert "cases[2].parties[0].representative.id_number" in error["message"]
    error = refused([dict(company(), representative={"id_number": representative.id_number})], "validation_error")
    assert "cases[2].parties[0].representative.name" in error["details"]["fields"]

    # The same batch without the bad party imports whole.
    done = import_cases(admin, good, case_body(bad_no, [company()]))
    assert done.status_code == 200, done.text
    assert lookup(representative, good_no).json()["relation"] == "party"


def test_court_it_imports_organisation_parties_from_csv(stack, admin, tmp_path):
    representative = new_party(stack.base_url, name="赵法人")
    case_no, refused_no = new_case_no(), new_case_no()
    header = (
        "case_no,court,cause,status,has_electronic_dossier,role,name,id_number,side,license_no,party_name,"
        "credit_code,representative_name,representative_id_number\n"
    )
    company_row = f"{COMPANY},,被告,,,{CREDIT_CODE},赵法人,{representative.id_number}"
    feed = tmp_path / "cases.csv"
    feed.write_text(header + f"{case_no},{COURT},合同纠纷,in_trial,否,party,{company_row}\n", encoding="utf-8")

    def run(path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "deploy.admin", "import-cases", str(path)],
            cwd=stack.root,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    done = run(feed)
    assert done.returncode == 0 and "imported 1 cases" in done.stdout, done.stderr
    assert lookup(representative, case_no).json()["relation"] == "party"

    bad = tmp_path / "bad.csv"
    bad.write_text(
        header
        + f"{refused_no},{COURT},合同纠纷,in_trial,否,party,{company_row}\n"
        + f"{new_case_no()},{COURT},合同纠纷,in_trial,否,party,{COMPANY},,被告,,,{CREDIT_CODE[:17]}0,,\n",
        encoding="utf-8",
    )
    done = run(bad)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cases[1].parties[0].credit_code" in done.stderr and "CSV 第3行" in done.stderr, done.stderr
    assert_error(lookup(representative, refused_no), 404, "not_found")
