"""The electronic dossier end to end: ingestion, grants from events, stamped pages and
print copies, 复制链接, the access log and its check command. Applications and review
decisions are published straight into the broker in the contract's shapes, so these tests
exercise dossier's consumers exactly as the other services drive them."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
import requests
from PIL import Image, ImageChops

from tests.support import (
    Api,
    assert_documented,
    assert_error,
    court_today,
    create_staff,
    events_consumed,
    make_chinese_pdf,
    make_encrypted_pdf,
    make_pdf,
    new_case_no,
    object_store,
    wait_for_events_consumed,
    wait_for_log,
)

COURT = "广东省广州市中级人民法院"


def wait_until(check, seconds: float = 10.0):
    """Poll an event-driven effect with a deadline; returns the first truthy result."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def import_case(admin: Api, case_no: str) -> None:
    case = {
        "case_no": case_no,
        "court": COURT,
        "cause": "买卖合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": False,
        "parties": [],
        "lawyers": [],
    }
    response = admin.post("/api/v1/admin/cases", json={"cases": [case]})
    assert response.status_code == 200, response.text


def ingest(admin: Api, case_no: str, pdf: bytes, volume: str, title: str, filename: str = "a.pdf"):
    return admin.post(
        f"/api/v1/admin/cases/{case_no}/documents",
        files={"file": (filename, pdf, "application/pdf")},
        data={"volume": volume, "title": title},
    )


def grant(stack, reader: Api, case_no: str, valid_until: str | None, opinion="approve", mode="online") -> str:
    """An application of ``reader`` for ``case_no``, submitted and (unless opinion is None)
    decided, as applications and review announce them."""
    application_id = str(random.randint(10**9, 2 * 10**9))
    stack.dispatch_event(
        "applications",
        "application_submitted",
        {
            "event_id": str(uuid.uuid4()),
            "application_id": int(application_id),
            "applicant": {"id": reader.user["id"], "name": reader.user["name"], "role": reader.user["role"]},
            "case_no": case_no,
            "court": COURT,
            "scope": "全案卷宗",
            "reason": "阅卷",
            "materials": [],
            "applied_at": "2026-05-01T09:00:00+08:00",
        },
    )
    expected = 403
    if opinion is not None:
        decided = {
            "event_id": str(uuid.uuid4()),
            "application_id": int(application_id),
            "applicant_id": reader.user["id"],
            "case_no": case_no,
            "court": COURT,
            "opinion": opinion,
            "mode": mode,
            "explanation": "",
            "reviewer": "审查员",
            "reviewed_at": "2026-05-02T09:00:00+08:00",
        }
        if valid_until:
            decided["valid_until"] = valid_until
        stack.dispatch_event("review", "application_decided", decided)
        expected = 200 if (opinion, mode) == ("approve", "online") else 403
    path = f"/api/v1/applications/{application_id}/dossier"
    assert wait_until(lambda: reader.get(path).status_code in (expected, 410)), reader.get(path).text
    return application_id


@pytest.fixture(scope="module")
def world(stack):
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    case_no, other_case = new_case_no(), new_case_no()
    import_case(admin, case_no)
    import_case(admin, other_case)
    docs = []
    for case, pdf, volume, title in (
        (case_no, make_chinese_pdf(["民事起诉状 第一页", "民事起诉状 第二页"]), "正卷", "民事起诉状"),
        (case_no, make_pdf(3), "副卷", "审理报告"),
        (other_case, make_pdf(1), "正卷", "他案文书"),
    ):
        response = ingest(admin, case, pdf, volume, title)
        assert response.status_code == 201, response.text
        docs.append(response.json())
    readers = []
    for name in ("张阅卷", "李阅卷"):
        reader = Api(stack.base_url)
        reader.register(name=name)
        readers.append(reader)
    valid_until = (court_today() + timedelta(days=10)).isoformat()
    return SimpleNamespace(
        admin=admin,
        case_no=case_no,
        other_case=other_case,
        doc=docs[0],
        doc2=docs[1],
        other_doc=docs[2],
        a=readers[0],
        b=readers[1],
        valid_until=valid_until,
        app_a=grant(stack, readers[0], case_no, valid_until),
        app_b=grant(stack, readers[1], case_no, valid_until),
    )


def page_path(app: str, doc: int, page: int) -> str:
    return f"/api/v1/applications/{app}/dossier/documents/{doc}/pages/{page}"


def test_ingestion_counts_pages_and_refuses_bad_files(stack, world, api):
    doc = world.doc
    assert doc["page_count"] == 2 and doc["volume"] == "正卷" and doc["title"] == "民事起诉状"
    assert world.doc2["page_count"] == 3

    # case_binding learns of the dossier from the event (has_electronic_dossier)
    from nameko.standalone.rpc import ClusterRpcClient

    with ClusterRpcClient(uri=stack.amqp_uri, timeout=10) as rpc:
        assert wait_until(lambda: rpc.case_binding.case_summary(case_no=world.case_no)["has_electronic_dossier"])

    store = object_store(stack)
    staged = lambda: sorted(o.object_name for o in store.client.list_objects("court", "dossier/originals/", True))  # noqa: E731
    before = staged()
    admin = world.admin
    assert_error(ingest(admin, world.case_no, b"GIF89a not a pdf", "正卷", "图片"), 415, "unsupported_media_type")
    assert_error(ingest(admin, world.case_no, make_encrypted_pdf(), "正卷", "加密"), 422, "encrypted_pdf")
    assert_error(ingest(admin, world.case_no, b"%PDF-1.4\nbroken", "正卷", "损坏"), 422, "invalid_pdf")
    body = assert_error(ingest(admin, world.case_no, make_pdf(1), "", "无卷"), 422, "validation_error")
    assert "volume" in body["error"]["details"]["fields"]
    assert_error(ingest(admin, new_case_no(), make_pdf(1), "正卷", "无此案"), 404, "not_found")
    assert_error(
        admin.post(f"/api/v1/admin/cases/{world.case_no}/documents", data={"volume": "正卷"}), 400, "bad_request"
    )
    assert_error(ingest(world.a, world.case_no, make_pdf(1), "正卷", "越权"), 403, "forbidden")
    assert_error(ingest(api, world.case_no, make_pdf(1), "正卷", "匿名"), 401, "unauthenticated")
    assert staged() == before  # nothing half-ingested remains
    structure = world.a.get(f"/api/v1/applications/{world.app_a}/dossier").json()
    # the 副卷 审理报告 is the court's own: never in a reader's dossier
    assert [d["title"] for v in structure["volumes"] for d in v["documents"]] == ["民事起诉状"]


def test_readers_get_their_own_stamp_on_pages_and_print_copies(stack, world):
    a, b = world.a, world.b
    response = a.get(f"/api/v1/applications/{world.app_a}/dossier")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "case_no": world.case_no,
        "valid_until": world.valid_until,
        "print": True,
        "volumes": [
            {"title": "正卷", "documents": [{"id": world.doc["id"], "title": "民事起诉状", "page_count": 2}]},
        ],
    }

    # what a process killed mid-page by an earlier test left parked, for the sweep to take
    parked_before = {o.object_name for o in object_store(stack).client.list_objects("court", "dossier/tmp/", True)}
    page_a = a.get(page_path(world.app_a, world.doc["id"], 1))
    page_b = b.get(page_path(world.app_b, world.doc["id"], 1))
    for response in (page_a, page_b):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["Cache-Control"] == "no-store"
    image_a = Image.open(io.BytesIO(page_a.content)).convert("RGB")
    image_b = Image.open(io.BytesIO(page_b.content)).convert("RGB")
    assert image_a.width >= 1000 and image_a.size == image_b.size
    # The same page, stamped for two readers: the pictures differ, and each differs from
    # the shared unstamped render that the cache holds.
    assert ImageChops.difference(image_a, image_b).getbbox() is not None
    store = object_store(stack)
    cached = [o.object_name for o in store.client.list_objects("court", f"dossier/renders/{world.doc['id']}/", True)]
    assert len(cached) == 1
    raw = Image.open(io.BytesIO(store.get(cached[0]))).convert("RGB")
    assert ImageChops.difference(raw, image_a).getbbox() is not None
    # stamped results are parked only until streamed
    parked = lambda: {o.object_name for o in store.client.list_objects("court", "dossier/tmp/", True)}  # noqa: E731
    assert wait_until(lambda: parked() <= parked_before, 5), parked() - parked_before

    pdf_a = a.get(f"/api/v1/applications/{world.app_a}/dossier/documents/{world.doc['id']}/pdf")
    pdf_b = b.get(f"/api/v1/applications/{world.app_b}/dossier/documents/{world.doc['id']}/pdf")
    for response in (pdf_a, pdf_b):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert len(pdfium.PdfDocument(response.content)) == 2
    printed_a = pdfium.PdfDocument(pdf_a.content)[1].render(scale=1).to_pil().convert("RGB")
    printed_b = pdfium.PdfDocument(pdf_b.content)[1].render(scale=1).to_pil().convert("RGB")
    assert ImageChops.difference(printed_a, printed_b).getbbox() is not None

    # out of range, another case's document, someone else's application: 404
    for path in (
        page_path(world.app_a, world.doc["id"], 3),
        page_path(world.app_a, world.doc["id"], 0),
        page_path(world.app_a, world.other_doc["id"], 1),
        page_path(world.app_a, world.doc2["id"], 1),  # 副卷
        f"/api/v1/applications/{world.app_a}/dossier/documents/{world.doc2['id']}/pdf",
        page_path(world.app_a, 99999999, 1),
        page_path(world.app_a, "x", 1),
        f"/api/v1/applications/{world.app_a}/dossier/documents/{world.other_doc['id']}/pdf",
    ):
        assert_error(a.get(path), 404, "not_found")
    for path in (
        f"/api/v1/applications/{world.app_a}/dossier",
        page_path(world.app_a, world.doc["id"], 1),
        f"/api/v1/applications/{world.app_a}/dossier/documents/{world.doc['id']}/pdf",
        f"/api/v1/applications/{world.app_a}/access-log",
        "/api/v1/applications/12345678901/dossier",
    ):
        assert_error(b.get(path), 404, "not_found")
    assert_error(b.post(f"/api/v1/applications/{world.app_a}/dossier/links"), 404, "not_found")

    log = a.get(f"/api/v1/applications/{world.app_a}/access-log")
    assert log.status_code == 200, log.text
    items = log.json()["items"]
    assert {(i["action"], i.get("document_id"), i.get("page")) for i in items} >= {
        ("view_page", world.doc["id"], 1),
        ("download_pdf", world.doc["id"], None),
    }
    assert all(i["actor"] == "张阅卷" for i in items)
    assert {i["document_title"] for i in items if "document_id" in i} == {world.doc["title"]}
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", items[0]["at"])
    first = a.get(f"/api/v1/applications/{world.app_a}/access-log?limit=1").json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    rest = a.get(f"/api/v1/applications/{world.app_a}/access-log?limit=1&cursor={first['next_cursor']}").json()
    assert rest["items"][0] != first["items"][0]


def test_the_courts_clerks_audit_the_same_log_and_no_one_else_does(stack, world):
    a = world.a
    assert a.get(page_path(world.app_a, world.doc["id"], 2)).status_code == 200
    own = a.get(f"/api/v1/applications/{world.app_a}/access-log?limit=100").json()["items"]
    audit = f"/api/v1/staff/applications/{world.app_a}/access-log?limit=100"
    for role in ("clerk", "archivist"):
        staff = create_staff(world.admin, role, court=COURT)
        seen = staff.get(audit)
        assert seen.status_code == 200, seen.text
        assert seen.json()["items"] == own and own[0]["page"] == 2
    elsewhere = create_staff(world.admin, "clerk", court="广东省广州市天河区人民法院")
    assert_error(elsewhere.get(audit), 404, "not_found")
    assert_error(
        create_staff(world.admin, "clerk", court=COURT).get(audit.replace(world.app_a, "999")), 404, "not_found"
    )
    assert_error(a.get(audit), 403, "forbidden")  # the reader has their own route
    assert_error(world.admin.get(audit), 403, "forbidden")


def test_revoking_links_voids_every_link_of_the_application_at_once(stack, world):
    a, b = world.a, world.b
    links = f"/api/v1/applications/{world.app_a}/dossier/links"
    tokens = [a.post(links).json()["url"].rsplit("/r/", 1)[1] for _ in range(2)]
    other = b.post(f"/api/v1/applications/{world.app_b}/dossier/links").json()["url"].rsplit("/r/", 1)[1]
    assert all(a.get(f"/r/{t}", allow_redirects=False).status_code == 303 for t in tokens)

    assert_error(b.request("DELETE", links), 404, "not_found")  # not b's application
    assert a.get(f"/r/{tokens[0]}", allow_redirects=False).status_code == 303  # b changed nothing
    revoked = a.request("DELETE", links)
    assert revoked.status_code == 200 and revoked.json()["revoked"] >= 2, revoked.text
    for token in tokens:
        assert_error(a.get(f"/r/{token}", allow_redirects=False), 404, "not_found")
    assert b.get(f"/r/{other}", allow_redirects=False).status_code == 303  # another reader's link lives
    assert a.request("DELETE", links).json() == {"revoked": 0}
    log = a.get(f"/api/v1/applications/{world.app_a}/access-log?limit=5").json()["items"]
    assert [i["action"] for i in log[:2]] == ["link_revoked", "link_revoked"]
    assert a.post(links).status_code == 201  # a new link can be made afterwards


def test_not_approved_and_the_last_minute_of_the_grant(stack, world, clock):
    a = world.a
    pending = grant(stack, a, world.case_no, None, opinion=None)
    rejected = grant(stack, a, world.case_no, None, opinion="reject", mode=None)
    onsite = grant(stack, a, world.case_no, None, mode="onsite")
    for app in (pending, rejected, onsite):
        assert_error(a.get(f"/api/v1/applications/{app}/dossier"), 403, "not_approved")
        assert_error(a.get(page_path(app, world.doc["id"], 1)), 403, "not_approved")
        assert_error(a.post(f"/api/v1/applications/{app}/dossier/links"), 403, "not_approved")

    app = grant(stack, a, world.case_no, "2026-05-22")
    clock.set("2026-05-22T23:59:00+08:00")
    assert a.get(f"/api/v1/applications/{app}/dossier").status_code == 200
    assert a.get(page_path(app, world.doc["id"], 2)).status_code == 200
    link = a.post(f"/api/v1/applications/{app}/dossier/links")
    assert link.status_code == 201 and link.json()["expires_at"] == "2026-05-23T00:00:00+08:00"

    clock.set("2026-05-23T00:01:00+08:00")
    for path in (
        f"/api/v1/applications/{app}/dossier",
        page_path(app, world.doc["id"], 1),
        f"/api/v1/applications/{app}/dossier/documents/{world.doc['id']}/pdf",
    ):
        assert_error(a.get(path), 410, "access_expired")
    assert_error(a.post(f"/api/v1/applications/{app}/dossier/links"), 410, "access_expired")
    token_path = "/r/" + link.json()["url"].rsplit("/r/", 1)[1]
    assert_error(a.get(token_path, allow_redirects=False), 404, "not_found")  # the link died with the grant
    log = a.get(f"/api/v1/applications/{app}/access-log")  # stays readable
    assert log.status_code == 200
    assert [i["action"] for i in log.json()["items"]] == ["link_created", "view_page"]


def test_copied_links_open_only_for_their_owner(stack, world):
    a, b = world.a, world.b
    response = a.post(f"/api/v1/applications/{world.app_a}/dossier/links")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["url"].startswith(stack.base_url + "/r/")
    token = body["url"].rsplit("/r/", 1)[1]
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert (
        body["expires_at"]
        == (date.fromisoformat(world.valid_until) + timedelta(days=1)).isoformat() + "T00:00:00+08:00"
    )

    anonymous = Api(stack.base_url)
    for path in (f"/r/{token}", "/r/" + "A" * 43):  # an unknown token looks the same signed out
        opened = anonymous.get(path, allow_redirects=False)
        assert opened.status_code == 303
        assert opened.headers["Location"] == f"/web/login?next={path}"
    anonymous.get(f"/web/login?next=/r/{token}")  # the browser's next stop: its request is logged too
    assert_error(b.get(f"/r/{token}", allow_redirects=False), 404, "not_found")
    assert_error(a.get("/r/" + "A" * 43, allow_redirects=False), 404, "not_found")
    for _ in range(2):  # a GET (a mail scanner, a link preview) never uses the link up
        opened = a.get(f"/r/{token}", allow_redirects=False)
        assert opened.status_code == 303
        assert opened.headers["Location"] == f"/web/applications/{world.app_a}/dossier"
    cookie = anonymous.get(f"/r/{token}", allow_redirects=False, cookies={"court_session": a.token})
    assert cookie.status_code == 303 and cookie.headers["Location"].endswith(f"/{world.app_a}/dossier")

    actions = [i["action"] for i in a.get(f"/api/v1/applications/{world.app_a}/access-log?limit=100").json()["items"]]
    assert actions.count("link_opened") >= 3 and "link_created" in actions
    # A request after all of those, with its own id: once its access line is in the
    # gateway's log, so is every line the requests before it wrote.
    marker = "after-links-" + uuid.uuid4().hex.translate(str.maketrans("0123456789", "ghijklmnop"))  # no digit runs
    a.get(f"/api/v1/applications/{world.app_a}/access-log", headers={"X-Request-Id": marker})
    wait_for_log(stack, "gateway", marker)
    for name, text in stack.logs().items():
        assert token not in text, f"link token written to {name}.log"


def check_log(stack) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services.dossier.cli", "check-log"],
        cwd=stack.root,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_log_finds_an_altered_entry(stack, world):
    assert world.a.get(page_path(world.app_a, world.doc["id"], 2)).status_code == 200
    intact = check_log(stack)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert "intact" in intact.stdout
    # page 7 exists nowhere, so the alteration and its undoing touch only these rows
    stack.sql("dossier", "UPDATE access_log SET page = 7 WHERE document_id = ? AND page = 2", (world.doc["id"],))
    try:
        broken = check_log(stack)
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert "altered" in broken.stdout
    finally:
        stack.sql("dossier", "UPDATE access_log SET page = 2 WHERE document_id = ? AND page = 7", (world.doc["id"],))
    assert check_log(stack).returncode == 0


def test_exported_heads_find_a_tail_cut_with_the_head_row_put_back(stack, world):
    from services.dossier.usecases import exported_heads
    from tests.e2e.test_observability import metrics_port, scrape

    for page in (1, 2):  # the case's lane has an entry before its tip
        assert world.a.get(page_path(world.app_a, world.doc["id"], page)).status_code == 200
    ((lane,),) = stack.sql(
        "dossier", "SELECT lane FROM access_log WHERE application_id = ? ORDER BY seq DESC LIMIT 1", (world.app_a,)
    )
    (tip,) = stack.sql("dossier", "SELECT seq, lane_seq, hash FROM access_log_heads WHERE lane = ?", (lane,))
    store = object_store(stack)
    assert wait_until(lambda: (lane, tip[0], tip[2]) in exported_heads(store)), exported_heads(store)
    assert check_log(stack).returncode == 0
    columns = (
        "seq, at, application_id, case_no, actor_id, actor_name, actor_role, action, document_id, page, lane,"
        " lane_seq, prev_hash, hash"
    )
    (last,) = stack.sql("dossier", f"SELECT {columns} FROM access_log WHERE seq = ?", (tip[0],))
    (before,) = stack.sql(
        "dossier",
        "SELECT seq, lane_seq, hash FROM access_log WHERE lane = ? AND seq < ? ORDER BY seq DESC LIMIT 1",
        (lane, tip[0]),
    )
    put_head = "UPDATE access_log_heads SET seq = ?, lane_seq = ?, hash = ? WHERE lane = ?"
    stack.sql("dossier", "DELETE FROM access_log WHERE seq = ?", (tip[0],))
    stack.sql("dossier", put_head, (*before, lane))
    try:
        broken = check_log(stack)
        assert broken.returncode == 1, broken.stdout
        assert f"entry {tip[0]} was exported as a head and is no longer in the log" in broken.stdout
        gauge = lambda: scrape(f"http://127.0.0.1:{metrics_port(stack, 'dossier')}/metrics")  # noqa: E731
        assert wait_until(lambda: gauge().get("court_access_log_problems", 0) >= 1, seconds=20)
    finally:
        stack.sql("dossier", f"INSERT INTO access_log ({columns}) VALUES ({', '.join('?' * 14)})", tuple(last))
        stack.sql("dossier", put_head, (*tip, lane))
    assert check_log(stack).returncode == 0


def test_grants_survive_reordered_and_redelivered_events(stack, world):
    a = world.a
    application_id = random.randint(2 * 10**9, 2**31 - 1)
    decided = {
        "event_id": str(uuid.uuid4()),
        "application_id": application_id,
        "applicant_id": a.user["id"],
        "case_no": world.case_no,
        "court": COURT,
        "opinion": "approve",
        "mode": "online",
        "explanation": "",
        "reviewer": "审查员",
        "reviewed_at": "2026-05-02T09:00:00+08:00",
        "valid_until": world.valid_until,
    }
    submissions_before = events_consumed(stack, "dossier", "applications", "application_submitted")
    decisions_before = events_consumed(stack, "dossier", "review", "application_decided")
    stack.dispatch_event("review", "application_decided", decided)  # before its submission
    path = f"/api/v1/applications/{application_id}/dossier"
    assert wait_until(lambda: a.get(path).status_code == 200)
    submitted = {
        "event_id": str(uuid.uuid4()),
        "application_id": application_id,
        "applicant": {"id": a.user["id"], "name": a.user["name"], "role": "party"},
        "case_no": world.case_no,
        "court": COURT,
        "scope": "全案卷宗",
        "reason": "阅卷",
        "materials": [],
        "applied_at": "2026-05-01T09:00:00+08:00",
    }
    stack.dispatch_event("applications", "application_submitted", submitted)
    # A redelivery carries the same event id: whatever it says, it is not applied twice.
    stack.dispatch_event("review", "application_decided", dict(decided, opinion="reject", mode=None))
    wait_for_events_consumed(stack, "dossier", "applications", "application_submitted", submissions_before + 1)
    wait_for_events_consumed(stack, "dossier", "review", "application_decided", decisions_before + 2)
    assert a.get(path).status_code == 200  # the redelivery, handled, changed nothing
    assert_error(world.b.get(path), 404, "not_found")


def test_the_reading_routes_answers_are_what_the_openapi_document_says(stack, world):
    doc = requests.get(stack.base_url + "/api/v1/openapi.json", timeout=10).json()
    a, app = world.a, world.app_a
    base = "/api/v1/applications/{application_id}"
    dossier = assert_documented(doc, "GET", base + "/dossier", a.get(f"/api/v1/applications/{app}/dossier"))
    assert dossier["volumes"]
    page = a.get(page_path(app, world.doc["id"], 1))
    assert_documented(doc, "GET", base + "/dossier/documents/{document_id}/pages/{page}", page)
    assert_documented(doc, "GET", base + "/dossier/documents/{document_id}/pages/{page}", a.get(page_path(app, 1, 99)))
    link = a.post(f"/api/v1/applications/{app}/dossier/links")
    assert "/r/" in assert_documented(doc, "POST", base + "/dossier/links", link)["url"]
    assert_documented(doc, "GET", base + "/access-log", a.get(f"/api/v1/applications/{app}/access-log"))
    job = assert_documented(doc, "POST", base + "/dossier/prints", a.post(f"/api/v1/applications/{app}/dossier/prints"))
    job_path = f"/api/v1/applications/{app}/dossier/prints/{job['id']}"
    assert_documented(doc, "GET", base + "/dossier/prints/{print_id}", a.get(job_path))
    assert_documented(
        doc, "DELETE", base + "/dossier/links", a.request("DELETE", f"/api/v1/applications/{app}/dossier/links")
    )
    stranger = world.b.get(f"/api/v1/applications/{app}/dossier")
    assert assert_documented(doc, "GET", base + "/dossier", stranger)["error"]["code"] == "not_found"

    clerk = create_staff(world.admin, "clerk", court=COURT)
    staff = "/api/v1/staff/cases/{case_no}"
    assert_documented(doc, "GET", staff + "/dossier", clerk.get(f"/api/v1/staff/cases/{world.case_no}/dossier"))
    assert_documented(doc, "GET", staff + "/access-log", clerk.get(f"/api/v1/staff/cases/{world.case_no}/access-log"))
    assert_documented(doc, "GET", staff, clerk.get(f"/api/v1/staff/cases/{world.case_no}"))
    audit = clerk.get(f"/api/v1/staff/applications/{app}/access-log")
    assert_documented(doc, "GET", "/api/v1/staff/applications/{application_id}/access-log", audit)
    case_no = new_case_no()
    import_case(world.admin, case_no)
    ingested = ingest(world.admin, case_no, make_pdf(2), "正卷", "证据材料")
    assert assert_documented(doc, "POST", "/api/v1/admin/cases/{case_no}/documents", ingested)["page_count"] == 2
