"""The dossier service killed (SIGKILL) right after an ingestion commits, before it has
answered or announced anything: the request is delivered again to the restarted service,
which answers with the document already recorded. One document, one announcement, the
case marked as having an electronic dossier, the stored original kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.e2e.test_dossier import import_case
from tests.support import EventTap, make_pdf, new_case_no, object_store, wait_dead, wait_until


def test_dossier_killed_after_an_ingestion_commits_records_and_announces_it_once(stack, admin, tmp_path):
    case_no = new_case_no()
    import_case(admin, case_no)
    fault_file = tmp_path / "dossier-fault"
    with EventTap(stack.amqp_uri, "dossier", "document_ingested") as tap:
        try:
            armed_pid = stack.restart_with("dossier", COURT_FAULT_FILE=str(fault_file))
            fault_file.write_text("ingest_after_commit")
            with ThreadPoolExecutor(1) as pool:
                pending = pool.submit(
                    admin.post,
                    f"/api/v1/admin/cases/{case_no}/documents",
                    files={"file": ("a.pdf", make_pdf(4), "application/pdf")},
                    data={"volume": "正卷", "title": "起诉状"},
                    timeout=120,
                )
                wait_dead(armed_pid)
                assert not fault_file.exists()  # the point fired, once
                stack.up()  # as an operator would: only the dead service starts
                answered = pending.result()
        finally:
            fault_file.unlink(missing_ok=True)
            if not stack.pid("dossier"):
                stack.up()

        # The gateway was still waiting: the redelivered request got the recorded document.
        assert answered.status_code == 201, answered.text
        document = answered.json()
        assert document["page_count"] == 4
        rows = stack.sql("dossier", "SELECT id, object_key FROM documents WHERE case_no = ?", (case_no,))
        assert [row[0] for row in rows] == [document["id"]]
        assert object_store(stack).exists(rows[0][1])

        def announced() -> list[dict]:
            return [e for e in tap.drain(0.5) if e.get("case_no") == case_no]

        assert wait_until(announced, seconds=20)
        tap.drain(3)  # longer than the relay timer: a second announcement would show
        assert [e["document_id"] for e in announced()] == [document["id"]]
    # case_binding took the announcement: the case has an electronic dossier now
    flag = "SELECT dossier_ingested FROM cases WHERE case_no = ?"
    assert wait_until(lambda: stack.sql("case_binding", flag, (case_no,))[0][0]), "case_binding missed the event"
