"""The WeChat mini-program's API layer against the real stack: its own compiled TypeScript
(api/index.ts over api/client.ts, with the pages' helpers from utils/) runs in node, with
``wx.request``, ``wx.uploadFile`` and ``wx.downloadFile`` over real HTTP
(clients/miniprogram/e2e/wx-http.js, the only stand-in: WeChat's client is outside).

One node process walks a reader's way (clients/miniprogram/e2e/reader.js): the SMS code,
注册, 登录, 实名认证 with the identity document uploaded, the case lookup, 申请 with a material,
the list with 状态, the detail, a dossier page fetched with the bearer header after the
clerk's approval, 复制链接, 站内信, 退出登录. It prints a JSON line per step; where the phone
or the court must act it asks, and this side answers: the code from the SMS outbox, the
clerk's decisions over the HTTP API."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
import warnings
from pathlib import Path

import pytest

from tests.support import Api, create_staff, make_pdf, new_case_no, new_id_number, new_phone

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "clients" / "miniprogram"
TSC = APP / "node_modules" / ".bin" / "tsc"
COURT = "广东省广州市中级人民法院"
FLOW_SECONDS = 150


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    """The mini-program as tsc compiles it (what the unit tests run, too)."""
    if not TSC.exists() or shutil.which("node") is None:
        pytest.fail("the mini-program's npm packages are missing: run `make deps` (make miniprogram-deps)")
    out = tmp_path_factory.mktemp("miniprogram-build")
    compiled = subprocess.run(
        [str(TSC), "-p", ".", "--outDir", str(out)], cwd=APP, capture_output=True, text=True, timeout=300
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    return out


class Flow:
    """The node process, its lines read on a thread so every wait has a deadline."""

    def __init__(self, build: Path, base_url: str, reader: dict):
        env = {**os.environ, "MINIPROGRAM_BUILD": str(build), "BASE_URL": base_url, "READER": json.dumps(reader)}
        env["FLOW_DEADLINE_MS"] = str(FLOW_SECONDS * 1000)
        self.process = subprocess.Popen(
            ["node", str(APP / "e2e" / "reader.js")],
            cwd=APP,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        self.deadline = time.monotonic() + FLOW_SECONDS + 10
        self.steps: dict[str, dict] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def next(self) -> dict:
        try:
            line = self.lines.get(timeout=max(self.deadline - time.monotonic(), 0.1))
        except queue.Empty:
            pytest.fail(f"the mini-program's flow said nothing in time; steps so far: {list(self.steps)}")
        if line is None:
            self.process.wait(timeout=10)
            pytest.fail(f"the flow ended early ({self.process.returncode}): {self.process.stderr.read()[-3000:]}")
        if line.get("step") == "failed":
            pytest.fail(f"the flow failed after {list(self.steps)}: {json.dumps(line, ensure_ascii=False)}")
        if "step" in line:
            self.steps[line["step"]] = line
        return line

    def until_asked(self, what: str) -> dict:
        while True:
            line = self.next()
            if line.get("ask") == what:
                return line

    def answer(self, **answer) -> None:
        self.process.stdin.write(json.dumps(answer) + "\n")
        self.process.stdin.flush()

    def finish(self) -> dict[str, dict]:
        while "done" not in self.steps:
            self.next()
        assert self.process.wait(timeout=10) == 0
        return self.steps

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def wait_in_review(clerk: Api, application_id: int, seconds: float = 20) -> None:
    """Review learns of the application from its event: until then it is unknown (404); an
    unreadable decision then answers 422, which decides nothing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = clerk.post(f"/api/v1/staff/applications/{application_id}/decision", json={"opinion": "?"})
        if response.status_code != 404:
            assert response.status_code == 422, response.text
            return
        time.sleep(0.2)
    pytest.fail(f"application {application_id} never reached review")


def test_a_reader_goes_the_whole_way_on_the_mini_programs_api_layer(stack, admin, build, tmp_path):
    reader = {
        "phone": new_phone(),
        "password": "Reader-2024",
        "name": "金家慧",
        "id_number": new_id_number(),
        "identity_file": str(tmp_path / "身份证.pdf"),
        "material_file": str(tmp_path / "起诉状副本.pdf"),
    }
    Path(reader["identity_file"]).write_bytes(make_pdf(1, "ID card"))
    Path(reader["material_file"]).write_bytes(make_pdf(2, "Complaint"))
    case_no, reader["other_case_no"] = new_case_no(), new_case_no()
    # typed as a phone keyboard types it: ASCII brackets, checked and made canonical by the client
    reader["case_no_typed"] = case_no.replace("（", "(").replace("）", ")")
    party = {"name": reader["name"], "id_number": reader["id_number"], "side": "原告"}
    case = {"case_no": case_no, "court": COURT, "cause": "买卖合同纠纷", "status": "in_trial"}
    imported = admin.post(
        "/api/v1/admin/cases",
        json={"cases": [{**case, "has_electronic_dossier": True, "parties": [party], "lawyers": []}]},
    )
    assert imported.status_code == 200, imported.text
    ingested = admin.post(
        f"/api/v1/admin/cases/{case_no}/documents",
        files={"file": ("起诉状.pdf", make_pdf(2, "Dossier"), "application/pdf")},
        data={"volume": "正卷", "title": "民事起诉状"},
    )
    assert ingested.status_code == 201, ingested.text
    clerk = create_staff(admin, "clerk", court=COURT, name="中欣")

    flow = Flow(build, stack.base_url, reader)
    try:
        asked = flow.until_asked("sms_code")
        assert asked["phone"] == reader["phone"]
        flow.answer(code=stack.sms_code(reader["phone"]))

        asked = flow.until_asked("verification")
        decided = clerk.post(f"/api/v1/staff/verifications/{asked['id']}/decision", json={"decision": "approve"})
        assert decided.status_code == 200, decided.text
        flow.answer(done=True)

        asked = flow.until_asked("approval")
        application_id = asked["application_id"]
        wait_in_review(clerk, application_id)
        approved = clerk.post(
            f"/api/v1/staff/applications/{application_id}/decision", json={"opinion": "approve", "mode": "online"}
        )
        assert approved.status_code == 200, approved.text
        flow.answer(done=True)
        steps = flow.finish()
    finally:
        flow.stop()
    if steps["done"]["retried"]:
        warnings.warn(f"reads answered 503 once and were asked again: {steps['done']['retried']}", stacklevel=1)

    # Not signed in: the contract's error shape, no token kept, and the way to 登录.
    anonymous = steps["anonymous"]
    assert (anonymous["status"], anonymous["code"]) == (401, "unauthenticated")
    assert set(anonymous["wire"]) == {"error"} and anonymous["wire"]["error"]["code"] == "unauthenticated"
    assert anonymous["wire"]["error"]["message"] == anonymous["message"] and anonymous["message"]
    assert anonymous["words"] == "登录已失效，请重新登录。"
    assert anonymous["token"] is None
    assert anonymous["redirects"] == ["/pages/login/login?next=%2Fpages%2Freading%2Freading"]

    # 注册 and 登录: the client's checks agree with the server's, and the token is sent.
    assert steps["registered"]["problems"] == {}
    assert steps["registered"]["user"]["role"] == "party" and steps["registered"]["user"]["name"] == "金家慧"
    wrong = steps["signed_in"]["wrong"]
    assert (wrong["status"], wrong["code"]) == (401, "invalid_credentials")
    assert wrong["words"] == "手机号或密码不正确，请重新输入。"
    signed_in = steps["signed_in"]
    assert signed_in["bearer"] is True and signed_in["user"]["verified"] is False
    assert signed_in["verification"] == "未认证"

    # 实名认证: the document went through wx.uploadFile, the request waits for staff, then holds.
    requested = steps["verification_requested"]
    assert requested["material"]["kind"] == "identity" and requested["material"]["filename"] == "身份证.pdf"
    assert requested["progress"] == [100]
    assert requested["verification"]["status"] == "pending" and requested["state"] == "审核中"
    assert steps["verified"] == {"step": "verified", "verified": True, "state": "已认证"}

    # The case picker: the typed 案号 made canonical, found, the reader's own as a party.
    lookup = steps["case_lookup"]
    assert lookup["typed"] == {"ok": True, "canonical": case_no}
    assert lookup["found"]["case_no"] == case_no and lookup["found"]["court"] == COURT
    assert (lookup["status"], lookup["relation"]) == ("审理中", "当事人")
    assert case_no in lookup["my_cases"]
    not_mine = lookup["not_mine"]
    assert (not_mine["status"], not_mine["code"]) == (404, "not_found") and set(not_mine["wire"]) == {"error"}
    assert not_mine["words"] and not_mine["message"]

    # 申请 with a material; a repeated tap with the same key is the same application.
    applied = steps["applied"]
    created = applied["created"]
    assert created["id"] == application_id and applied["repeated_id"] == application_id
    assert created["status"] == "pending" and created["case_no"] == case_no
    assert [(m["id"], m["kind"], m["filename"]) for m in created["materials"]] == [
        (applied["material"]["id"], "other", "起诉状副本.pdf")
    ]
    assert applied["progress"] == [100]
    assert steps["listed"]["items"] == [{"id": application_id, "status": "pending", "label": "待审查", "tone": "blue"}]
    assert steps["listed"]["approved"] == [] and steps["listed"]["next_cursor"] is None

    # 申请详情 while pending: its blocks, 撤回申请 offered; no dossier yet.
    detail = steps["detail"]["detail"]
    assert detail["statusLabel"] == "待审查" and detail["review"] is None
    assert {row["label"]: row["value"] for row in detail["info"]}["案号"] == case_no
    assert [m["label"] for m in detail["materials"]] == ["其他材料"]
    assert detail["actions"] == {"withdraw": True, "reapply": False, "correct": False}

    # Approved online: 审查信息 and 阅卷材料 with 查看案卷 and 复制链接.
    shown = steps["approved"]["detail"]
    assert shown["statusLabel"] == "通过" and shown["tone"] == "green"
    review = {row["label"]: row["value"] for row in shown["review"]}
    assert review["审查人"] == "中欣" and review["审查意见"] == "同意" and review["阅卷方式"] == "在线阅卷"
    assert shown["reading"]["kind"] == "online" and shown["reading"]["canView"] and shown["reading"]["canCopy"]
    assert shown["actions"] == {"withdraw": False, "reapply": False, "correct": False}

    # 查看案卷: a stamped page as a PNG through wx.downloadFile with the bearer header.
    page = steps["page"]
    documents = page["dossier"]["volumes"][0]["documents"]
    assert page["dossier"]["case_no"] == case_no and documents[0]["title"] == "民事起诉状"
    assert documents[0]["page_count"] == 2
    assert page["status"] == 200 and page["bearer"] is True
    assert page["head"] == "89504e470d0a1a0a" and page["bytes"] > 1000
    assert page["beyond"]["status"] == 404 and page["beyond"]["code"] == "not_found", page["beyond"]
    assert page["beyond"]["message"]

    # 复制链接: a /r/<token> address, good until a time the reader is told.
    link = steps["link"]["link"]
    assert "/r/" in link["url"] and len(link["url"].rsplit("/r/", 1)[1]) >= 16
    assert link["expires_at"]

    # 站内信: the decision's message, read once opened.
    messages = steps["messages"]
    assert messages["message"] is not None and messages["message"]["read"] is False
    assert "阅卷" in messages["message"]["title"] + messages["message"]["body"]
    assert messages["marked"] is None and messages["read_after"] is True

    # 退出登录: the old token is refused in the contract's shape, forgotten, and leads to 登录.
    out = steps["signed_out"]
    assert (out["status"], out["code"]) == (401, "unauthenticated") and set(out["wire"]) == {"error"}
    # to 登录 and back to the list; the wrong password on 登录 itself led nowhere
    assert out["token"] is None
    assert out["redirects"] == [
        "/pages/login/login?next=%2Fpages%2Freading%2Freading",
        "/pages/login/login?next=%2Fpages%2Fapplications%2Fapplications",
    ]
