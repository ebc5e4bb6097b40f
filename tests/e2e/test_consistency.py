"""python -m deploy.admin check-consistency compares what applications, review and
dossier hold about every application and names each disagreement; the applications
service runs the same comparison on a timer and exposes the count."""

from __future__ import annotations

from tests.e2e.test_admin_cli import admin_tool
from tests.e2e.test_applications import apply, decide, eventually, import_case
from tests.e2e.test_dossier import ingest
from tests.e2e.test_observability import metrics_port, scrape
from tests.e2e.test_reading_rights import approve_online
from tests.support import create_staff, make_pdf, new_party, wait_until

COURT = "广东省广州市中级人民法院"


def test_disagreements_are_found_and_named(stack, admin):
    agreed, forged = new_party(stack.base_url, "一致读者"), new_party(stack.base_url, "不一致读者")
    case_no = import_case(admin, parties=(agreed, forged))
    ingest(admin, case_no, make_pdf(1), "正卷", "起诉状")
    clerk = create_staff(admin, "clerk", COURT)
    good = apply(agreed, case_no).json()
    approve_online(clerk, agreed, good["id"])
    bad = apply(forged, case_no).json()
    assert eventually(lambda: clerk.get(f"/api/v1/applications/{bad['id']}").status_code, lambda s: s == 200)
    # a decision review never took (a forged event as review would send it): applications
    # and dossier apply it, review still has the application pending
    decide(stack, bad, "approve", mode="online", valid_until="2099-12-31")
    eventually(lambda: forged.get(f"/api/v1/applications/{bad['id']}").json()["status"], lambda s: s == "approved")

    done = admin_tool(stack, "check-consistency", "--settle", "1")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = {line.split(":", 1)[0]: line for line in done.stdout.splitlines()}
    assert f"application {good['id']}" not in lines
    named = lines[f"application {bad['id']}"]
    assert "status: applications approved, review pending" in named
    assert "decision: applications approve, review None" in named
    assert "disagreement(s)" in done.stdout.splitlines()[-1]

    # the timer says the same, in the metric and the log
    assert wait_until(
        lambda: (
            scrape(f"http://127.0.0.1:{metrics_port(stack, 'applications')}/metrics").get("court_inconsistencies", 0)
            >= 1
        ),
        seconds=30,
    )
    assert wait_until(
        lambda: f"services disagree about application {bad['id']}" in stack.log("applications"), seconds=30
    )
