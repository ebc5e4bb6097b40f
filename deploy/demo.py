"""Demo data for `make run`: the manual's own example and a dozen more cases, people in
every role, multi-page dossiers with real Chinese text, and applications in every status,
so a newcomer can walk every screen at once.

Loaded through the public HTTP API, as court IT and users would, so it exercises the same
rules. Safe to run twice: imports are upserts, accounts that exist are signed in, and
one-time steps (dossier documents, applications) are skipped once done.

    python -m deploy.demo http://127.0.0.1:8000
"""

from __future__ import annotations

import io
import json
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import requests
from PIL import Image, ImageDraw, ImageFont

from services.common.court import clock

GZ = "广东省广州市中级人民法院"
TH = "广州市天河区人民法院"
YX = "广州市越秀区人民法院"
MANUAL_CASE = "（2021）粤01民初1号"

LAWYERS = [
    {"license_no": "14401201810000001", "name": "李明律", "law_firm": "广东正平律师事务所"},
    {"license_no": "14401201910000002", "name": "王晓律", "law_firm": "广东华南律师事务所"},
    {"license_no": "14401202010000003", "name": "陈立言", "law_firm": "广州珠江律师事务所"},
    {"license_no": "14401202110000004", "name": "赵慎行", "law_firm": "广东岭南律师事务所"},
    {"license_no": "14401202210000005", "name": "周法勤", "law_firm": "广州羊城律师事务所"},
]

# People who sign up themselves (当事人, 律师); ID numbers pass the GB 11643 check digit.
PEOPLE = {
    "party": {"phone": "13800000001", "name": "金家慧", "id_number": "440106199001010013", "role": "party"},
    "party2": {"phone": "13800000002", "name": "张伟", "id_number": "440104198505050011", "role": "party"},
    "lawyer": {"phone": "13800000003", "role": "lawyer", "id_number": "44010319800101001X", **LAWYERS[0]},
    "lawyer_unbound": {"phone": "13800000004", "role": "lawyer", "id_number": "440105198203030011", **LAWYERS[1]},
}
STAFF = {
    "clerk": {"phone": "13900000011", "name": "中欣", "role": "clerk", "court": GZ},
    "archivist": {"phone": "13900000012", "name": "林档案", "role": "archivist", "court": GZ},
    "clerk_th": {"phone": "13900000013", "name": "黄审查", "role": "clerk", "court": TH},
}


def _case(no, court, cause, status, dossier, parties, lawyers=()):
    return {
        "case_no": no,
        "court": court,
        "cause": cause,
        "status": status,
        "has_electronic_dossier": dossier,
        "parties": [{"name": n, "id_number": i, "side": s} for n, i, s in parties],
        "lawyers": [
            {"name": LAWYERS[k]["name"], "license_no": LAWYERS[k]["license_no"], "party_name": p} for k, p in lawyers
        ],
    }


P1 = (PEOPLE["party"]["name"], PEOPLE["party"]["id_number"])
P2 = (PEOPLE["party2"]["name"], PEOPLE["party2"]["id_number"])
OTHER = ("刘建国", "440102197508080024")

CASES = [
    _case(MANUAL_CASE, GZ, "买卖合同纠纷", "in_trial", True, [(*P1, "原告"), (*OTHER, "被告")], [(0, P1[0])]),
    _case("（2021）粤01民终2345号", GZ, "房屋租赁合同纠纷", "archived", False, [(*P1, "上诉人"), (*P2, "被上诉人")]),
    _case("（2022）粤01民初88号", GZ, "民间借贷纠纷", "in_trial", True, [(*P2, "原告"), (*P1, "被告")], [(0, P2[0])]),
    _case("（2022）粤0106民初1024号", TH, "劳动争议", "in_trial", True, [(*P1, "原告"), (*OTHER, "被告")]),
    _case(
        "（2023）粤01民初15号",
        GZ,
        "建设工程施工合同纠纷",
        "in_trial",
        False,
        [(*P1, "原告"), (*OTHER, "被告")],
        [(2, OTHER[0])],
    ),
    _case("（2023）粤01刑初7号", GZ, "合同诈骗", "in_trial", True, [(*P2, "被害人")], [(3, P2[0])]),
    _case("（2023）粤0104民初3321号", YX, "物业服务合同纠纷", "archived", True, [(*P2, "原告"), (*OTHER, "被告")]),
    _case("（2023）粤01行初42号", GZ, "行政许可", "in_trial", False, [(*P1, "原告")]),
    _case(
        "（2024）粤01民终678号", GZ, "机动车交通事故责任纠纷", "in_trial", True, [(*P1, "上诉人"), (*P2, "被上诉人")]
    ),
    _case("（2024）粤01执123号", GZ, "申请执行", "in_trial", False, [(*P1, "申请执行人"), (*OTHER, "被执行人")]),
    _case("（2024）粤0106民初2048号", TH, "离婚纠纷", "in_trial", True, [(*P2, "原告")], [(4, P2[0])]),
    _case("（2020）粤01民初999号", GZ, "股权转让纠纷", "archived", True, [(*P1, "原告"), (*OTHER, "被告")]),
    _case("（2024）粤01民初4096号", GZ, "著作权权属、侵权纠纷", "in_trial", True, [(*OTHER, "原告"), (*P2, "被告")]),
]

VOLUMES = {  # per case with an electronic dossier: (volume, title, pages); 副卷 is the court's own
    "default": [
        ("正卷", "起诉状", 3),
        ("正卷", "答辩状", 2),
        ("正卷", "证据材料", 4),
        ("副卷", "审理报告", 2),
    ],
}


class Demo:
    def __init__(self, base: str, data_dir: Path):
        self.base = base.rstrip("/")
        self.data_dir = data_dir
        self.state_path = data_dir / "run" / "demo.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
        self.state.setdefault("password", "Demo-" + secrets.token_urlsafe(6))
        self.state.setdefault("done", [])
        self.sessions: dict[str, requests.Session] = {}
        self._font = None

    # -- plumbing ------------------------------------------------------------------------
    def save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.state, fh, ensure_ascii=False)

    def once(self, step: str) -> bool:
        return step not in self.state["done"]

    def did(self, step: str) -> None:
        self.state["done"].append(step)
        self.save()

    def call(self, who: str, method: str, path: str, ok=(200, 201, 204), **kwargs) -> dict | None:
        response = self.sessions[who].request(method, self.base + path, timeout=120, **kwargs)
        if response.status_code not in ok:
            raise SystemExit(f"demo data: {method} {path} as {who}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def sign_in(self, who: str, phone: str, password: str) -> None:
        session = requests.Session()
        response = session.post(
            self.base + "/api/v1/auth/login", json={"phone": phone, "password": password}, timeout=60
        )
        if response.status_code != 200:
            raise SystemExit(f"demo data: cannot sign in {who}: {response.text[:200]}")
        session.headers["Authorization"] = "Bearer " + response.json()["token"]
        self.sessions[who] = session

    def sign_up(self, who: str, person: dict, password: str) -> None:
        """As a person does on the sign-up page: a code to the phone (read from the local
        stack's SMS outbox, where its texts go), then the form. Signed in afterwards."""
        if self.state.get("signed_up", {}).get(who):
            self.sign_in(who, person["phone"], password)
            return
        fields = ("phone", "name", "id_number", "role", "license_no", "law_firm")
        body = {k: v for k, v in person.items() if k in fields}
        self.sessions[who] = requests.Session()
        self.call(
            who, "POST", "/api/v1/auth/sms-codes", ok=(202,), json={"phone": person["phone"], "purpose": "register"}
        )
        body["sms_code"] = self.texted_code(person["phone"])
        self.call(who, "POST", "/api/v1/auth/register", ok=(201, 409), json={**body, "password": password})
        self.state.setdefault("signed_up", {})[who] = True
        self.save()
        self.sign_in(who, person["phone"], password)

    def texted_code(self, phone: str) -> str:
        outbox = Path(os.environ.get("SMS_OUTBOX_FILE") or self.data_dir / "sms-outbox.jsonl")
        lines = outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
        codes = [m["params"]["code"] for m in map(json.loads, filter(None, lines)) if m["phone"] == phone]
        if not codes:
            raise SystemExit(f"demo data: no SMS code in {outbox}: the stack must use the outbox provider")
        return codes[-1]

    def verify(self, who: str) -> None:
        """实名认证 as a court runs it with the built-in provider: the account holder sends a
        photo of their ID card, the court's clerk compares it and approves."""
        if self.call(who, "GET", "/api/v1/me")["verified"]:
            return
        card = self.pdf({"case_no": "", "cause": "实名认证"}, "居民身份证", 1)
        upload = self.call(
            who,
            "POST",
            "/api/v1/uploads",
            data={"kind": "identity"},
            files={"file": ("身份证.pdf", card, "application/pdf")},
        )
        asked = self.call(who, "POST", "/api/v1/me/verification", json={"material_ids": [upload["id"]]})
        self.call("clerk", "POST", f"/api/v1/staff/verifications/{asked['id']}/decision", json={"decision": "approve"})

    # -- steps ---------------------------------------------------------------------------
    def load(self, admin_phone: str, admin_password: str) -> None:
        self.sign_in("admin", admin_phone, admin_password)
        self.call("admin", "POST", "/api/v1/admin/lawyers", json={"lawyers": LAWYERS})
        self.call("admin", "POST", "/api/v1/admin/cases", json={"cases": CASES})
        password = self.state["password"]
        for who, staff in STAFF.items():
            self.call("admin", "POST", "/api/v1/admin/staff", ok=(201, 409), json={**staff, "password": password})
            self.sign_in(who, staff["phone"], password)
        for who, person in PEOPLE.items():
            self.sign_up(who, person, password)
            self.verify(who)
        self.dossiers()
        self.applications()
        self.binding()

    def dossiers(self) -> None:
        for case in CASES:
            if not case["has_electronic_dossier"] or not self.once(f"dossier {case['case_no']}"):
                continue
            for volume, title, pages in VOLUMES["default"]:
                pdf = self.pdf(case, title, pages)
                self.call(
                    "admin",
                    "POST",
                    f"/api/v1/admin/cases/{case['case_no']}/documents",
                    data={"volume": volume, "title": title},
                    files={"file": (f"{title}.pdf", pdf, "application/pdf")},
                )
            self.did(f"dossier {case['case_no']}")

    def materials(self, who: str) -> list[int]:
        kinds = ["license", "firm_letter", "authorization", "party_id"] if who.startswith("lawyer") else []
        ids = []
        for kind in kinds:
            pdf = self.pdf(
                {"case_no": "", "cause": "申请材料"},
                {
                    "license": "律师执业证",
                    "firm_letter": "律所介绍信",
                    "authorization": "授权委托书",
                    "party_id": "当事人身份证明",
                }[kind],
                1,
            )
            upload = self.call(
                who,
                "POST",
                "/api/v1/uploads",
                data={"kind": kind},
                files={"file": (f"{kind}.pdf", pdf, "application/pdf")},
            )
            ids.append(upload["id"])
        return ids

    def apply(self, who: str, case_no: str, reason: str, scope: str = "全案卷宗") -> dict:
        return self.call(
            who,
            "POST",
            "/api/v1/applications",
            json={"case_no": case_no, "scope": scope, "reason": reason, "material_ids": self.materials(who)},
        )

    def decide(self, clerk: str, application: dict, **decision) -> None:
        self.call(clerk, "POST", f"/api/v1/staff/applications/{application['id']}/decision", json=decision)

    def applications(self) -> None:
        if not self.once("applications"):
            return
        today = clock.today()
        # 通过 · 在线阅卷: the manual's figure 13
        a = self.apply("party", MANUAL_CASE, "核对庭审前证据材料")
        self.decide(
            "clerk",
            a,
            opinion="approve",
            mode="online",
            explanation="申请符合法律规定, 予以同意",
            valid_until=(today + timedelta(days=15)).isoformat(),
        )
        # 通过 · 现场阅卷 with attendance: figure 14 (no electronic dossier)
        b = self.apply("party", "（2021）粤01民终2345号", "查阅二审卷宗", scope="二审全部卷宗")
        self.decide(
            "clerk",
            b,
            opinion="approve",
            mode="onsite",
            explanation=f"因未扫描电子卷, 需到库申请纸质卷。请于【{today}】-【{today + timedelta(days=1)}】"
            "前到院现场阅卷。逾期未能阅卷, 卷将转入库, 需要重新申请。",
            start_date=today.isoformat(),
            end_date=(today + timedelta(days=1)).isoformat(),
        )
        now = clock.now().replace(microsecond=0)
        # borrowed an hour ago, but never before the window opened today (just after
        # midnight an hour ago is yesterday, which the archive room could not record)
        borrowed = max(now - timedelta(hours=1), clock.start_of_day(today))
        self.call(
            "archivist",
            "POST",
            f"/api/v1/staff/applications/{b['id']}/attendance",
            json={"attended": True, "borrowed_at": clock.isoformat(borrowed), "returned_at": clock.isoformat(now)},
        )
        # 通过 · 现场阅卷 waiting for the reader (the archivist's list for today)
        c = self.apply("party", "（2023）粤01民初15号", "准备质证意见")
        self.decide(
            "clerk",
            c,
            opinion="approve",
            mode="onsite",
            explanation="因未扫描电子卷, 需到库申请纸质卷",
            start_date=today.isoformat(),
            end_date=(today + timedelta(days=3)).isoformat(),
        )
        # 通过 · 在线阅卷 ending today: shows 已过期 from tomorrow, then 重新申请
        d = self.apply("party", "（2020）粤01民初999号", "执行阶段查阅")
        self.decide(
            "clerk", d, opinion="approve", mode="online", explanation="同意在线阅卷", valid_until=today.isoformat()
        )
        # 不通过, 退回补正, 已撤回, 待审查
        e = self.apply("party", "（2024）粤01民终678号", "了解案件进展")
        self.decide("clerk", e, opinion="reject", explanation="申请内容与案件无关, 不予同意")
        f = self.apply("lawyer", MANUAL_CASE, "代理案件需要阅卷")
        self.decide("clerk", f, opinion="return", explanation="授权委托书未盖章, 请补正后重新申请")
        g = self.apply("party", "（2024）粤01执123号", "查阅执行卷宗")
        self.call("party", "POST", f"/api/v1/applications/{g['id']}/withdraw")
        self.apply("party2", "（2022）粤01民初88号", "准备开庭")
        self.apply("lawyer", "（2022）粤01民初88号", "代理被告阅卷", scope="证据材料卷")
        self.did("applications")

    def binding(self) -> None:
        """王晓律 is not on record for an in-trial case: a pending binding (案件绑定)."""
        if not self.once("binding"):
            return
        ids = []
        for kind in ("license", "authorization"):
            pdf = self.pdf({"case_no": "", "cause": "绑定材料"}, kind, 1)
            ids.append(
                self.call(
                    "lawyer_unbound",
                    "POST",
                    "/api/v1/uploads",
                    data={"kind": kind},
                    files={"file": (f"{kind}.pdf", pdf, "application/pdf")},
                )["id"]
            )
        self.call(
            "lawyer_unbound",
            "POST",
            "/api/v1/bindings",
            json={"case_no": "（2024）粤01民初4096号", "party_name": P2[0], "material_ids": ids},
        )
        self.did("binding")

    # -- documents with real Chinese text ------------------------------------------------
    def font(self, size: int):
        from services.dossier.rendering import find_cjk_font

        path, index = find_cjk_font()
        return ImageFont.truetype(path, size, index=index)

    def pdf(self, case: dict, title: str, pages: int) -> bytes:
        heading, body = self.font(46), self.font(30)
        images = []
        for n in range(1, pages + 1):
            page = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
            draw = ImageDraw.Draw(page)
            draw.text((120, 140), f"{title}", font=heading, fill=0)
            draw.text((120, 230), f"{case.get('case_no', '')}  {case.get('cause', '')}", font=body, fill=0)
            lines = [
                "本院受理原告与被告纠纷一案，依法适用普通程序，公开开庭进行了审理。",
                "原告向本院提出诉讼请求：一、判令被告支付货款及逾期付款利息；",
                "二、本案诉讼费用由被告负担。事实与理由：双方签订买卖合同，",
                "原告依约交付货物，被告至今未付清货款，经多次催告仍未履行。",
                "被告辩称：货物存在质量问题，原告主张的利息计算标准过高。",
                "本院经审理认定事实如下：双方当事人对合同的真实性均无异议。",
            ]
            for i, line in enumerate(lines * 3):
                draw.text((120, 330 + i * 62), line, font=body, fill=40)
            draw.text((560, 1640), f"第 {n} 页 共 {pages} 页", font=body, fill=0)
            images.append(page)
        out = io.BytesIO()
        images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])
        return out.getvalue()

    def accounts_text(self) -> str:
        password = self.state["password"]
        rows = [
            ("当事人", PEOPLE["party"]),
            ("当事人", PEOPLE["party2"]),
            ("律师（代理律师）", PEOPLE["lawyer"]),
            ("律师（未绑定）", PEOPLE["lawyer_unbound"]),
            ("审查人", STAFF["clerk"]),
            ("档案室", STAFF["archivist"]),
            ("审查人（天河）", STAFF["clerk_th"]),
        ]
        lines = [f"  demo accounts (password {password}):"]
        lines += [f"    {label:10} {p['name']:6} {p['phone']}" for label, p in rows]
        return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    base = argv[0] if argv else f"http://127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
    data_dir = Path(os.environ.get("DATA_DIR", "var")).resolve()
    demo = Demo(base, data_dir)
    demo.load(os.environ["BOOTSTRAP_ADMIN_PHONE"], os.environ["BOOTSTRAP_ADMIN_PASSWORD"])
    demo.save()
    accounts = demo.accounts_text()
    fd = os.open(data_dir / "run" / "demo-accounts.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(accounts)
    print("[demo] demo data loaded", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
