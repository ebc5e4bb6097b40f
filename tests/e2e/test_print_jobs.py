"""打印 of a whole dossier, end to end: a reader asks for one stamped PDF of the documents
they tick (by default every one they may read), watches it being made (pages done of
total) and downloads it as often as they like while the grant lasts; each download is in
the access log and in "who read my case". The rules of reading apply to every step, and
the PDF goes when the grant ends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from minio.error import S3Error

from tests.e2e.test_applications import apply, import_case
from tests.e2e.test_crash_matrix import kill
from tests.e2e.test_dossier import ingest
from tests.e2e.test_reading_rights import approve_online
from tests.support import Api, assert_error, create_staff, make_pdf, new_party, object_store, wait_until

COURT = "广东省广州市中级人民法院"


def prints(app_id: int) -> str:
    return f"/api/v1/applications/{app_id}/dossier/prints"


def finished(reader: Api, app_id: int, job: dict, seconds: float = 60) -> dict:
    """Polls the job as the pages do, keeping every progress it saw."""
    seen: list[tuple[str, int]] = []

    def look():
        now = reader.get(f"{prints(app_id)}/{job['id']}").json()
        seen.append((now["status"], now["pages_done"]))
        return now if now["status"] in ("done", "failed") else None

    done = wait_until(look, seconds, interval=0.05)
    assert done, f"the print job did not finish: {seen[-5:]}"
    done["seen"] = seen
    return done


@pytest.fixture(scope="module")
def case(stack):
    admin = stack.admin_api()
    reader, other = new_party(stack.base_url, "打印读者"), new_party(stack.base_url, "另一读者")
    case_no = import_case(admin, parties=(reader, other))
    docs = {}
    for volume, title, pages in (("正卷", "起诉状", 30), ("副卷", "审理报告", 2), ("正卷", "证据材料", 12)):
        response = ingest(admin, case_no, make_pdf(pages, title), volume, title)
        assert response.status_code == 201, response.text
        docs[title] = response.json()["id"]
    clerk = create_staff(admin, "clerk", COURT, name="打印审查员")
    apps = {}
    for person in (reader, other):
        response = apply(person, case_no)
        assert response.status_code == 201, response.text
        apps[person.user["name"]] = response.json()["id"]
    approve_online(clerk, reader, apps[reader.user["name"]])
    return SimpleNamespace(admin=admin, case_no=case_no, docs=docs, reader=reader, other=other, clerk=clerk, apps=apps)


def test_the_whole_readable_dossier_in_one_stamped_pdf_with_progress(case, stack):
    app_id = case.apps[case.reader.user["name"]]
    response = case.reader.post(prints(app_id), json={})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] in ("queued", "running") and job["pages_total"] == 42  # 30 + 12, 副卷 never
    assert job["documents"] == [case.docs["起诉状"], case.docs["证据材料"]]
    early = case.reader.get(f"{prints(app_id)}/{job['id']}/pdf")
    assert early.status_code in (200, 409), early.text  # 409 not_ready unless it was already made
    if early.status_code == 409:
        assert_error(early, 409, "not_ready")
    done = finished(case.reader, app_id, job)
    assert done["status"] == "done" and done["pages_done"] == 42, done
    assert all(0 <= pages <= 42 for _, pages in done["seen"])
    pdf = case.reader.get(f"{prints(app_id)}/{job['id']}/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Cache-Control"] == "no-store" and "inline" in pdf.headers["Content-Disposition"]
    document = pdfium.PdfDocument(pdf.content)
    assert len(document) == 42
    # a second download is the same file: the job's PDF stays while the grant lasts
    again = case.reader.get(f"{prints(app_id)}/{job['id']}/pdf")
    assert again.status_code == 200 and again.content == pdf.content


def test_ticked_documents_come_in_the_dossiers_order(case):
    app_id = case.apps[case.reader.user["name"]]
    body = {"documents": [case.docs["证据材料"], case.docs["起诉状"]]}
    job = case.reader.post(prints(app_id), json=body).json()
    assert job["documents"] == [case.docs["起诉状"], case.docs["证据材料"]]
    only = case.reader.post(prints(app_id), json={"documents": [case.docs["证据材料"]]}).json()
    assert only["pages_total"] == 12
    assert finished(case.reader, app_id, only)["status"] == "done"
    pdf = case.reader.get(f"{prints(app_id)}/{only['id']}/pdf")
    assert len(pdfium.PdfDocument(pdf.content)) == 12
    finished(case.reader, app_id, job)


def test_downloads_are_logged_per_document_and_read_as_prints(case, stack):
    app_id = case.apps[case.reader.user["name"]]
    job = case.reader.post(prints(app_id), json={"documents": [case.docs["证据材料"]]}).json()
    finished(case.reader, app_id, job)
    before = case.reader.get(f"/api/v1/applications/{app_id}/access-log", params={"limit": 100}).json()["items"]
    assert case.reader.get(f"{prints(app_id)}/{job['id']}/pdf").status_code == 200
    after = case.reader.get(f"/api/v1/applications/{app_id}/access-log", params={"limit": 100}).json()["items"]
    new = after[: len(after) - len(before)]
    assert [(e["action"], e.get("document_id")) for e in new] == [("download_pdf", case.docs["证据材料"])]
    # the other party of the case sees the print in "who read my case"
    rows = case.other.get(f"/api/v1/my/cases/{case.case_no}/reads").json()["items"]
    mine = [r for r in rows if r["reader"]["name"] == case.reader.user["name"]]
    assert mine and mine[0]["prints"] >= 1 and "证据材料" in mine[0]["documents"]


def test_the_rules_of_reading_apply_to_every_step(case):
    app_id = case.apps[case.reader.user["name"]]
    other_app = case.apps[case.other.user["name"]]
    job = case.reader.post(prints(app_id), json={"documents": [case.docs["证据材料"]]}).json()
    # not approved yet
    assert_error(case.other.post(prints(other_app), json={}), 403, "not_approved")
    # another reader's application and another reader's job are as missing as none
    assert_error(case.other.post(prints(app_id), json={}), 404, "not_found")
    assert_error(case.other.get(f"{prints(app_id)}/{job['id']}"), 404, "not_found")
    assert_error(case.other.get(f"{prints(app_id)}/{job['id']}/pdf"), 404, "not_found")
    assert_error(case.reader.get(f"{prints(app_id)}/{'0' * 32}"), 404, "not_found")
    # a 副卷 document, another case's, or nonsense
    assert_error(case.reader.post(prints(app_id), json={"documents": [case.docs["审理报告"]]}), 404, "not_found")
    assert_error(case.reader.post(prints(app_id), json={"documents": [999999]}), 404, "not_found")
    for bad in ([], ["a"], "all", [True]):
        assert_error(case.reader.post(prints(app_id), json={"documents": bad}), 422, "validation_error")
    assert_error(case.reader.post(prints(app_id), json=[1]), 422, "validation_error")
    # another site's page cannot fetch a print nor write into the log
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert_error(case.reader.get(f"{prints(app_id)}/{job['id']}/pdf", headers=cross), 403, "forbidden")
    finished(case.reader, app_id, job)


def test_a_retry_with_the_same_key_is_the_same_job(case):
    app_id = case.apps[case.reader.user["name"]]
    headers = {"Idempotency-Key": "print-once-1"}
    body = {"documents": [case.docs["起诉状"]]}
    first = case.reader.post(prints(app_id), json=body, headers=headers)
    second = case.reader.post(prints(app_id), json=body, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    changed = case.reader.post(prints(app_id), json={"documents": [case.docs["证据材料"]]}, headers=headers)
    assert_error(changed, 422, "idempotency_key_reused")
    finished(case.reader, app_id, first.json())


def test_a_reader_has_at_most_three_jobs_waiting(case):
    app_id = case.apps[case.reader.user["name"]]
    # six at once: they land well within the time one whole dossier takes to make
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: case.reader.post(prints(app_id), json={}), range(6)))
    codes = [a.status_code for a in answers]
    assert set(codes) == {202, 429} and codes.count(202) >= 3, codes
    assert_error(next(a for a in answers if a.status_code == 429), 429, "rate_limited")
    for answer in answers:
        if answer.status_code == 202:
            finished(case.reader, app_id, answer.json())


def test_without_print_allowed_there_is_no_print_job(stack, case):
    reader = new_party(stack.base_url, "只读读者")
    admin = case.admin
    case_no = import_case(admin, parties=(reader,))
    ingest(admin, case_no, make_pdf(1), "正卷", "起诉状")
    app_id = apply(reader, case_no).json()["id"]
    approve_online(case.clerk, reader, app_id, print=False)
    assert_error(reader.post(prints(app_id), json={}), 403, "print_not_allowed")


def test_a_job_outlives_the_death_of_its_maker(stack, case):
    """kill -9 while the job is being made: another start of dossier takes it up again once
    the lease runs out, and it finishes once, whole."""
    app_id = case.apps[case.reader.user["name"]]
    asked = case.reader.post(prints(app_id), json={})
    assert asked.status_code == 202, asked.text
    job = asked.json()
    assert wait_until(
        lambda: case.reader.get(f"{prints(app_id)}/{job['id']}").json()["status"] == "running", 30, interval=0.02
    )
    kill(stack, "dossier")
    stack.up()
    done = finished(case.reader, app_id, job, seconds=120)
    assert done["status"] == "done" and done["pages_done"] == 42
    pdf = case.reader.get(f"{prints(app_id)}/{job['id']}/pdf")
    assert len(pdfium.PdfDocument(pdf.content)) == 42


def test_the_pdf_goes_when_the_grant_ends(stack, case, clock):
    """Last in this file: a month on, every sign-in of the stack has lapsed and gone."""
    reader = new_party(stack.base_url, "到期读者")
    admin = case.admin
    case_no = import_case(admin, parties=(reader,))
    ingest(admin, case_no, make_pdf(3), "正卷", "起诉状")
    app_id = apply(reader, case_no).json()["id"]
    approve_online(case.clerk, reader, app_id)
    job = reader.post(prints(app_id), json={}).json()
    assert finished(reader, app_id, job)["status"] == "done"
    key = stack.sql("dossier", "SELECT object_key FROM print_jobs WHERE id = ?", (job["id"],))[0][0]
    store = object_store(stack)
    assert store.get(key)[:5] == b"%PDF-"
    clock.set((datetime.now(UTC) + timedelta(days=30)).isoformat())
    try:
        reader.login(reader.phone, "Reader-2024")  # a month on, the sign-in has lapsed too
        assert_error(reader.get(f"{prints(app_id)}/{job['id']}/pdf"), 410, "access_expired")
        gone = wait_until(lambda: not stack.sql("dossier", "SELECT 1 FROM print_jobs WHERE id = ?", (job["id"],)), 30)
        assert gone, "the expired job was not swept"
    finally:
        clock.reset()
    with pytest.raises(S3Error):
        store.get(key)
