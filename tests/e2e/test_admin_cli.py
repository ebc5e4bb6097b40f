"""Court IT's tools (python -m deploy.admin) against the running stack: what they write is
what the API serves afterwards, a bad file changes nothing, no traceback reaches the
operator, and no password passes through the command line."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

from tests.support import (
    Api,
    StackHandle,
    assert_error,
    create_staff,
    make_pdf,
    new_case_no,
    new_id_number,
    new_license_no,
    new_party,
    new_phone,
    wait_until,
)

COURT = "广东省广州市中级人民法院"
CSV_HEADER = "case_no,court,cause,status,has_electronic_dossier,role,name,id_number,side,license_no,party_name\n"


def admin_tool(stack: StackHandle, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "deploy.admin", *args],
        cwd=stack.root,
        env=stack.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def lookup(client: Api, case_no: str):
    return client.get("/api/v1/cases/lookup", params={"case_no": case_no})


def register_lawyer(api_url: str, license_no: str, name: str, firm: str):
    client, phone = Api(api_url), new_phone()
    return client.post(
        "/api/v1/auth/register",
        json={
            "sms_code": client.sms_code(phone, "register"),
            "phone": phone,
            "password": "Reader-2024",
            "name": name,
            "id_number": new_id_number(),
            "role": "lawyer",
            "license_no": license_no,
            "law_firm": firm,
        },
    )


def test_case_and_lawyer_imports_from_csv_and_json(stack, tmp_path: Path):
    party = new_party(stack.base_url, name="导入当事人")
    firm = "广东导入律师事务所"
    csv_lawyer, json_lawyer, refused_lawyer = new_license_no(), new_license_no(), new_license_no()
    in_csv, in_json, in_bad = new_case_no(), new_case_no(), new_case_no()

    # The lawyer registry: CSV, then JSON; registration verifies against it afterwards.
    lawyers_csv = tmp_path / "lawyers.csv"
    lawyers_csv.write_text(f"license_no,name,law_firm\n{csv_lawyer},表格律师,{firm}\n", encoding="utf-8-sig")
    done = admin_tool(stack, "import-lawyers", str(lawyers_csv))
    assert done.returncode == 0 and "imported 1 lawyers" in done.stdout, done.stderr
    lawyers_json = tmp_path / "lawyers.json"
    lawyers_json.write_text(
        json.dumps({"lawyers": [{"license_no": json_lawyer, "name": "名册律师", "law_firm": firm}]})
    )
    assert admin_tool(stack, "import-lawyers", str(lawyers_json)).returncode == 0
    assert register_lawyer(stack.base_url, json_lawyer, "名册律师", firm).status_code == 201

    # The case feed as CSV: one row per person, the case's columns given once, either bracket.
    ascii_no = in_csv.replace("（", "(").replace("）", ")")
    cases_csv = tmp_path / "cases.csv"
    cases_csv.write_text(
        CSV_HEADER
        + f"{in_csv},{COURT},合同纠纷,in_trial,否,party,导入当事人,{party.id_number},原告,,\n"
        + f"{ascii_no},,,,,lawyer,表格律师,,,{csv_lawyer},导入当事人\n",
        encoding="utf-8",
    )
    done = admin_tool(stack, "import-cases", str(cases_csv))
    assert done.returncode == 0 and "imported 1 cases" in done.stdout, done.stderr
    found = lookup(party, in_csv)
    assert found.status_code == 200, found.text
    assert found.json()["relation"] == "party" and found.json()["status"] == "in_trial"
    assert found.json()["has_electronic_dossier"] is False
    lawyer = Api(stack.base_url)
    lawyer.register("lawyer", name="表格律师", license_no=csv_lawyer, law_firm=firm)
    assert lookup(lawyer, in_csv).json()["relation"] == "lawyer_of_record"
    # the JSON feed, exactly the route's body
    cases_json = tmp_path / "cases.json"
    case = {
        "case_no": in_json,
        "court": COURT,
        "cause": "借款纠纷",
        "status": "archived",
        "has_electronic_dossier": True,
        "parties": [{"name": "导入当事人", "id_number": party.id_number, "side": "被告"}],
        "lawyers": [{"name": "名册律师", "license_no": json_lawyer, "party_name": "导入当事人"}],
    }
    cases_json.write_text(json.dumps({"cases": [case]}, ensure_ascii=False), encoding="utf-8")
    assert admin_tool(stack, "import-cases", str(cases_json)).returncode == 0
    found = lookup(party, in_json).json()
    assert (found["relation"], found["status"], found["has_electronic_dossier"]) == ("party", "archived", True)

    # A bad file changes nothing: not the good case before the bad line, not an existing case.
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text(
        CSV_HEADER
        + f"{in_csv},{COURT},合同纠纷,archived,是,party,导入当事人,{party.id_number},原告,,\n"
        + f"{in_bad},{COURT},合同纠纷,in_trial,否,party,导入当事人,{party.id_number},原告,,\n"
        + f"{new_case_no()},{COURT},合同纠纷,in_trial,否,party,错号当事人,110105194912310021,原告,,\n",
        encoding="utf-8",
    )
    done = admin_tool(stack, "import-cases", str(bad_csv))
    assert done.returncode == 1 and "invalid_id_number" in done.stderr and "CSV 第4行" in done.stderr, done.stderr
    assert_error(lookup(party, in_bad), 404, "not_found")
    unchanged = lookup(party, in_csv).json()
    assert (unchanged["status"], unchanged["has_electronic_dossier"]) == ("in_trial", False)
    for content, message in (("{", "不是有效的 JSON"), ('{"cases": {}}', "cases"), ("case_no,name\nx,y\n", "缺少列")):
        broken = tmp_path / ("broken.csv" if content.startswith("case_no") else "broken.json")
        broken.write_text(content, encoding="utf-8")
        done = admin_tool(stack, "import-cases", str(broken))
        assert done.returncode == 1 and message in done.stderr, (content, done.stderr)
    done = admin_tool(stack, "import-cases", str(tmp_path / "missing.json"))
    assert done.returncode == 1 and "无法读取文件" in done.stderr

    bad_lawyers = tmp_path / "bad-lawyers.json"
    bad_lawyers.write_text(
        json.dumps(
            {"lawyers": [{"license_no": refused_lawyer, "name": "拒绝律师", "law_firm": firm}, {"name": "无证号"}]}
        )
    )
    done = admin_tool(stack, "import-lawyers", str(bad_lawyers))
    assert done.returncode == 1 and "lawyers[1].license_no" in done.stderr, done.stderr
    assert_error(register_lawyer(stack.base_url, refused_lawyer, "拒绝律师", firm), 422, "license_not_verified")


def test_staff_account_password_never_on_the_command_line(stack):
    phone, password = new_phone(), "Clerk-" + secrets.token_hex(5)
    argv = [sys.executable, "-m", "deploy.admin", "create-staff", "--phone", phone, "--name", "命令行审查员"]
    argv += ["--role", "clerk", "--court", COURT, "--password-stdin"]
    process = subprocess.Popen(
        argv, cwd=stack.root, env=stack.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        # What `ps` shows of the running command, while it waits for the password.
        cmdline = Path(f"/proc/{process.pid}/cmdline")
        shown = wait_until(lambda: cmdline.read_bytes().decode().replace("\0", " "), seconds=10, interval=0.02)
        out, err = process.communicate((password + "\n").encode(), timeout=120)
    finally:
        process.kill()
    assert phone in shown and password not in shown
    assert process.returncode == 0, err.decode()
    assert password not in out.decode() + err.decode() and "created clerk" in out.decode()

    clerk = Api(stack.base_url)
    clerk.login(phone, password)
    assert (clerk.user["role"], clerk.user["court"], clerk.user["name"]) == ("clerk", COURT, "命令行审查员")

    # There is no way to give a password as an argument; refusals are plain sentences.
    in_argv = ("create-staff", "--phone", new_phone(), "--name", "甲", "--role", "clerk", "--court", COURT)
    done = admin_tool(stack, *in_argv, "--password", password)
    assert done.returncode == 2 and "--password-stdin" in done.stderr and password not in done.stderr
    again = ("create-staff", "--phone", phone, "--name", "乙", "--role", "archivist", "--court", COURT)
    done = admin_tool(stack, *again, "--password-stdin", stdin=password + "\n")
    assert done.returncode == 1 and "phone_taken" in done.stderr
    weak = ("create-staff", "--phone", new_phone(), "--name", "丙", "--role", "admin", "--court", COURT)
    done = admin_tool(stack, *weak, "--password-stdin", stdin="short\n")
    assert done.returncode == 1 and "weak_password" in done.stderr


def test_ingest_folder_makes_the_dossier_readable_and_check_log(stack, admin, tmp_path: Path):
    party = new_party(stack.base_url, name="卷宗当事人")
    case_no = new_case_no()
    case = {
        "case_no": case_no,
        "court": COURT,
        "cause": "合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": False,
        "parties": [{"name": "卷宗当事人", "id_number": party.id_number, "side": "原告"}],
        "lawyers": [],
    }
    assert admin.post("/api/v1/admin/cases", json={"cases": [case]}).status_code == 200
    folder = tmp_path / "scans"
    folder.mkdir()
    (folder / "02-证据.pdf").write_bytes(make_pdf(3))
    (folder / "01-起诉状.PDF").write_bytes(make_pdf(2))
    (folder / "03-损坏.pdf").write_bytes(b"%PDF-1.4 this is not a whole PDF")
    (folder / "readme.txt").write_text("not a dossier document")
    admin_phone, admin_password = stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"]
    login = ("--phone", admin_phone, "--password-stdin", "--url", stack.base_url)

    done = admin_tool(stack, "ingest-folder", case_no, str(folder), "--volume", "正卷", *login, stdin=admin_password)
    assert done.returncode == 1, done.stdout + done.stderr  # one file was refused
    assert "01-起诉状.PDF: 2 页" in done.stdout and "02-证据.pdf: 3 页" in done.stdout, done.stdout
    assert "03-损坏.pdf: 未入库：422" in done.stderr and "readme" not in done.stdout + done.stderr
    assert "ingested 2 of 3 files" in done.stdout
    assert admin_password not in done.stdout + done.stderr

    # document_ingested reaches the case directory: the party sees an electronic dossier.
    assert wait_until(lambda: lookup(party, case_no).json().get("has_electronic_dossier")), lookup(party, case_no).text

    # The reader's dossier after an online approval: one volume, documents in name order.
    clerk = create_staff(admin, "clerk", court=COURT)
    submitted = party.post(
        "/api/v1/applications", json={"case_no": case_no, "scope": "全案卷宗", "reason": "阅卷", "material_ids": []}
    )
    assert submitted.status_code == 201, submitted.text
    app_id = submitted.json()["id"]
    decision = {"opinion": "approve", "mode": "online", "explanation": "同意"}
    decide = f"/api/v1/staff/applications/{app_id}/decision"
    assert wait_until(lambda: clerk.post(decide, json=decision).status_code == 200)
    dossier = wait_until(lambda: (r := party.get(f"/api/v1/applications/{app_id}/dossier")).ok and r.json())
    assert dossier, party.get(f"/api/v1/applications/{app_id}/dossier").text
    assert [v["title"] for v in dossier["volumes"]] == ["正卷"]
    documents = [(d["title"], d["page_count"]) for d in dossier["volumes"][0]["documents"]]
    assert documents == [("01-起诉状", 2), ("02-证据", 3)]

    # An unknown case stops at the first refusal instead of trying every file.
    done = admin_tool(stack, "ingest-folder", new_case_no(), str(folder), *login, stdin=admin_password)
    assert done.returncode == 1 and "not_found" in done.stderr and "其余 2 个文件未上传" in done.stderr

    done = admin_tool(stack, "check-log")
    assert done.returncode == 0 and "chain intact" in done.stdout, done.stdout + done.stderr
