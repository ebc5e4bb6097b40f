"""Print jobs (打印 of several documents in one stamped PDF): which documents a reader may
ask for, how a job is claimed and made by exactly one maker, taken over when its maker
falls silent, stopped when the grant ends, and swept with its PDF afterwards."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pypdfium2 as pdfium
import pytest

from services.common.infra.errors import DomainError
from services.dossier import domain, print_processes, printing, reads, rendering
from services.dossier.models import Document, PrintJob, Reading
from tests.support import make_pdf
from tests.unit.fakes import dossier as fakes

CASE = "（2021）粤01民初1号"
READER = {"id": 5, "role": "lawyer", "name": "李律师", "id_number": "440101199001011234", "verified": True}


# -- the rules --------------------------------------------------------------------------------
READABLE = [(3, 10), (7, 2), (9, 5)]  # (id, pages) in the dossier's order


def test_by_default_every_readable_document_in_the_dossiers_order():
    assert domain.print_selection(None, READABLE, 100) == ([3, 7, 9], 17)


def test_a_choice_is_taken_in_the_dossiers_order_not_the_order_sent():
    assert domain.print_selection([9, 3, 9], READABLE, 100) == ([3, 9], 15)


def test_a_document_the_grant_does_not_cover_is_as_missing_as_none():
    with pytest.raises(DomainError) as refused:
        domain.print_selection([3, 4], READABLE, 100)
    assert refused.value.code == "not_found"


@pytest.mark.parametrize("documents", [[], "3", [3, "7"], [True], list(range(1001))])
def test_a_choice_that_is_not_a_list_of_ids_is_refused(documents):
    with pytest.raises(DomainError) as refused:
        domain.print_selection(documents, READABLE, 100)
    assert refused.value.code == "validation_error"


def test_more_pages_than_one_job_may_hold_is_refused_saying_how_many():
    with pytest.raises(DomainError) as refused:
        domain.print_selection(None, READABLE, 16)
    assert refused.value.code == "validation_error" and "17" in refused.value.message


def test_a_dossier_with_nothing_readable_has_nothing_to_print():
    with pytest.raises(DomainError) as refused:
        domain.print_selection(None, [], 100)
    assert refused.value.code == "not_found"


# -- the PDF ----------------------------------------------------------------------------------
def test_one_stamped_pdf_holds_the_chosen_documents_pages_in_order(tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    first.write_bytes(make_pdf(3))
    second.write_bytes(make_pdf(2))
    out = io.BytesIO()
    copy = rendering.StampedPdf(out, rendering.Stamper(rendering.find_cjk_font()), ["李律师 4401**********1234"])
    added = [copy.add_pages(str(first), 0, 2), copy.add_pages(str(first), 2, 10), copy.add_pages(str(second))]
    copy.close()
    assert added == [2, 1, 2]
    assert len(pdfium.PdfDocument(out.getvalue())) == 5


def test_pages_stamped_side_by_side_come_out_in_the_documents_order(tmp_path):
    """Several threads stamp and encode while PDFium renders the next page: the copy is the
    same, byte for byte, as the one a single thread writes."""
    source = tmp_path / "a.pdf"
    source.write_bytes(make_pdf(12))
    stamper = rendering.Stamper(rendering.find_cjk_font())
    copies = []
    for threads in (1, 4):
        out = io.BytesIO()
        copy = rendering.StampedPdf(out, stamper, ["李律师 4401**********1234"], width=300, threads=threads)
        assert copy.add_pages(str(source)) == 12
        copy.close()
        copies.append(out.getvalue())
    assert copies[0] == copies[1]


def test_worker_processes_make_the_same_copy_byte_for_byte_whole_or_in_runs(tmp_path):
    """A long copy's pages made by worker processes, asked for at once or in the runs a
    print job asks for them in (reporting progress between), and across two documents."""
    long, short = tmp_path / "long.pdf", tmp_path / "short.pdf"
    long.write_bytes(make_pdf(print_processes.MIN_PAGES + 6))
    short.write_bytes(make_pdf(3))
    stamper = rendering.Stamper(rendering.find_cjk_font())
    lines = ["李律师 4401**********1234"]

    def copy_of(workers, runs):
        out = io.BytesIO()
        copy = rendering.StampedPdf(out, stamper, lines, width=300, workers=workers)
        try:
            for path in (long, short, long):
                for first in range(0, 1000, runs):
                    if not copy.add_pages(str(path), first, first + runs):
                        break
            copy.close()
        finally:
            copy.end_workers()
        return out.getvalue()

    alone = copy_of(None, 1000)
    workers = print_processes.PageProcesses(2)
    assert copy_of(workers, 1000) == alone
    assert copy_of(workers, 8) == alone
    assert workers._workers == []  # ended with the copy
    assert len(pdfium.PdfDocument(alone)) == 2 * (print_processes.MIN_PAGES + 6) + 3


def test_a_worker_that_dies_fails_the_copy_and_takes_the_others_down(tmp_path):
    source = tmp_path / "a.pdf"
    source.write_bytes(make_pdf(print_processes.MIN_PAGES * 4))
    stamper = rendering.Stamper(rendering.find_cjk_font())
    workers = print_processes.PageProcesses(2)
    copy = rendering.StampedPdf(io.BytesIO(), stamper, ["阅卷人"], width=300, workers=workers)
    made = workers.pages(copy, str(source), 0, print_processes.MIN_PAGES * 4, print_processes.MIN_PAGES * 4)
    next(made)
    started = list(workers._workers)
    started[1].kill()
    with pytest.raises(print_processes.PrintProcessFailed):
        for _ in made:
            pass
    assert all(w.poll() is not None for w in started) and workers._workers == []


def test_a_page_that_fails_to_stamp_fails_the_copy(tmp_path):
    source = tmp_path / "a.pdf"
    source.write_bytes(make_pdf(6))

    class Failing(rendering.Stamper):
        calls = 0

        def stamp(self, image, lines):
            Failing.calls += 1
            if Failing.calls == 3:
                raise OSError("disk full")
            return super().stamp(image, lines)

    copy = rendering.StampedPdf(io.BytesIO(), Failing(rendering.find_cjk_font()), ["阅卷人"], width=300, threads=2)
    with pytest.raises(OSError):
        copy.add_pages(str(source))


# -- the maker --------------------------------------------------------------------------------
class Machine:
    """Makes a job's "PDF" by counting pages; ``stop_after``: how many progress reports go by
    before ``during`` runs (another maker's takeover, the grant ending...)."""

    def __init__(self, during=None, stop_after=1):
        self.made: list[tuple] = []
        self.discarded: list[str] = []
        self.during, self.stop_after = during, stop_after

    def print_job(self, documents, lines, progress):
        done = 0
        for _key, count in documents:
            for _ in range(count):
                done += 1
                progress(done)
                if self.during and done == self.stop_after:
                    self.during()
        key = f"dossier/prints/{len(self.made)}.pdf"
        self.made.append((tuple(documents), tuple(lines)))
        return {"key": key, "size": done * 100, "pages": done}

    def discard(self, key):
        self.discarded.append(key)


@pytest.fixture(params=["memory", "sqlite"])
def uow(request, clock):
    uow = fakes.unit_of_work(request.param)
    at = datetime(2026, 5, 1, tzinfo=UTC)
    with uow.transaction() as dossiers:
        for doc_id, volume, pages in ((1, "正卷", 3), (2, "副卷", 4), (3, "正卷", 2)):
            dossiers.add_document(
                Document(id=doc_id, case_no=CASE, court="广州中院", volume=volume, title=f"文书{doc_id}",
                         object_key=f"k{doc_id}", page_count=pages, size=1, sha256="0" * 64, created_at=at)
            )  # fmt: skip
        dossiers.add_reading(
            Reading(application_id="11", applicant_id=READER["id"], applicant_name="李律师", case_no=CASE,
                    court="广州中院", opinion="approve", mode="online", valid_until=date(2026, 6, 15), updated_at=at)
        )  # fmt: skip
    return uow


def ask(uow, **body):
    return printing.create_print(uow, actor=READER, application_id="11", body=body)


def job_row(uow, job_id) -> PrintJob | None:
    with uow.read() as dossiers:
        return dossiers.job(job_id)


def test_a_job_covers_the_readable_documents_and_is_made_once(uow):
    job = ask(uow)
    assert (job["status"], job["pages_total"], job["documents"]) == ("queued", 5, [1, 3])  # 副卷 never
    machine = Machine()
    assert printing.make_next(uow, machine) == job["id"]
    assert printing.make_next(uow, machine) is None  # nothing left: a job is made once
    done = printing.get_print(uow, actor=READER, application_id="11", print_id=job["id"])
    assert (done["status"], done["pages_done"], done["size"]) == ("done", 5, 500)
    documents, lines = machine.made[0]
    assert documents == (("k1", 3), ("k3", 2))
    assert any("李律师" in line for line in lines) and not any("440101199001011234" in line for line in lines)


def test_another_readers_job_is_as_missing_as_none(uow):
    job = ask(uow)
    stranger = dict(READER, id=6)
    with pytest.raises(DomainError) as refused:
        printing.get_print(uow, actor=stranger, application_id="11", print_id=job["id"])
    assert refused.value.code == "not_found"


def test_a_reader_has_at_most_three_jobs_waiting(uow):
    for _ in range(printing.MAX_UNFINISHED_PER_READER):
        ask(uow)
    with pytest.raises(DomainError) as refused:
        ask(uow)
    assert refused.value.code == "rate_limited"
    printing.make_next(uow, Machine())
    assert ask(uow)["status"] == "queued"  # one finished: room for one more


def test_without_print_allowed_no_job_is_made(uow):
    with uow.transaction() as dossiers:
        dossiers.reading_row("11").print_allowed = False
    with pytest.raises(DomainError) as refused:
        ask(uow)
    assert refused.value.code == "print_not_allowed"


def test_the_pdf_is_not_handed_out_before_it_is_done(uow):
    job = ask(uow)
    with pytest.raises(DomainError) as refused:
        printing.print_pdf(uow, actor=READER, application_id="11", print_id=job["id"])
    assert refused.value.code == "not_ready"


def test_each_download_logs_every_document_at_one_instant_and_counts_as_one_print(uow):
    job = ask(uow)
    printing.make_next(uow, Machine())
    for _ in range(2):
        result = printing.print_pdf(uow, actor=READER, application_id="11", print_id=job["id"])
    assert result["key"].startswith("dossier/prints/") and result["content_type"] == "application/pdf"
    with uow.read() as dossiers:
        entries = [entry for entry, _ in dossiers.log_of_application("11", None, 100)]
    assert [(e.action, e.document_id) for e in entries] == [("download_pdf", 3), ("download_pdf", 1)] * 2
    titles = {1: "文书1", 3: "文书3"}
    (day,) = reads.reader_days(entries, titles)
    assert (day.prints, sorted(day.documents)) == (2, ["文书1", "文书3"])


def test_a_job_whose_maker_fell_silent_is_taken_over_and_the_late_copy_discarded(uow, clock):
    job = ask(uow)

    def another_maker_takes_over():
        clock(seconds=printing.lease_seconds() + 1)  # the first maker's lease ran out
        assert printing.make_next(uow, second) == job["id"]

    second = Machine()
    first = Machine(during=another_maker_takes_over, stop_after=1)
    printing.make_next(uow, first)
    assert first.made == [] and len(second.made) == 1  # the first stopped at its next report
    assert job_row(uow, job["id"]).status == "done"


def test_a_grant_that_ends_while_the_job_is_made_stops_it(uow):
    job = ask(uow)

    def revoked():
        with uow.transaction() as dossiers:
            dossiers.reading_row("11").revoked_at = datetime(2026, 6, 1, tzinfo=UTC)

    machine = Machine(during=revoked, stop_after=1)
    printing.make_next(uow, machine)
    assert machine.made == [] and job_row(uow, job["id"]).status == "failed"


def test_jobs_go_with_their_pdf_once_the_grant_ends(uow, clock):
    job = ask(uow)
    printing.make_next(uow, Machine())
    deleted: list[str] = []
    assert printing.sweep(uow, deleted.append) == 0
    clock(days=15)  # past 2026-06-15, the end of valid_until in Shanghai
    assert printing.sweep(uow, deleted.append) == 1
    assert deleted == ["dossier/prints/0.pdf"]
    assert job_row(uow, job["id"]) is None


def test_a_failed_job_stays_a_day_then_goes(uow, clock):
    job = ask(uow, documents=[1])
    with uow.transaction() as dossiers:
        row = dossiers.job(job["id"])
        row.status, row.finished_at = "failed", datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert printing.sweep(uow, lambda key: None) == 0
    clock(days=1, seconds=1)
    assert printing.sweep(uow, lambda key: None) == 1


def test_the_lease_is_renewed_while_pages_are_made(uow, clock):
    job = ask(uow)
    seen = []

    def look():  # the row as it is at that moment, not as it ends up
        row = job_row(uow, job["id"])
        seen.append((row.status, row.pages_done, row.lease_until))

    printing.make_next(uow, Machine(during=look, stop_after=2))
    ((status, pages_done, lease_until),) = seen
    assert status == "running" and pages_done == 2
    assert lease_until.replace(tzinfo=UTC) >= datetime(2026, 6, 1, 12, tzinfo=UTC) + timedelta(seconds=59)
