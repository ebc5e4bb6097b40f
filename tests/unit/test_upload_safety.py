"""The upload check under pressure: PDFium from many threads, decompression bombs, the
decode budget, active content in PDFs, and the per-account quota."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.applications import quota, repository, usecases
from services.applications.models import Base
from services.applications.repository import ApplicationsWork
from services.common import pdf_active, staging, uploads
from services.common import pdfium as shared_pdfium
from services.common.db import UnitOfWork
from services.common.errors import DomainError
from services.dossier import rendering
from tests.e2e.test_upload_safety import active_pdf, png_of
from tests.support import make_pdf

ROOT = Path(__file__).resolve().parents[2]


def run_threads(count: int, work) -> list:
    results, lock = [], threading.Lock()
    start = threading.Barrier(count)

    def run():
        start.wait()
        out = work()
        with lock:
            results.extend(out)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def pdf_checks(data: bytes, rounds: int):
    def work():
        failures = []
        for _ in range(rounds):
            try:
                uploads._check_pdf(io.BytesIO(data))
            except uploads.Refused as exc:
                failures.append(exc.reason)
        return failures

    return work


# -- PDFium: one lock per process ------------------------------------------------------------


def test_the_upload_check_and_rendering_share_one_pdfium_lock():
    assert uploads.PDFIUM_LOCK is shared_pdfium.PDFIUM_LOCK
    assert rendering.PDFIUM_LOCK is shared_pdfium.PDFIUM_LOCK


def test_valid_pdfs_checked_from_many_threads_at_once_all_pass():
    assert run_threads(16, pdf_checks(make_pdf(2000), 40)) == []
    # the whole check too (PDFium, then the active-content scan)
    data = make_pdf(40)
    assert run_threads(8, lambda: [uploads.check_file(io.BytesIO(data)).cleaned for _ in range(5)]) == [False] * 40


# -- images: pixels and memory ---------------------------------------------------------------


def test_a_decompression_bomb_is_refused_before_it_is_decoded(monkeypatch):
    bomb = png_of(6300, 6300)  # 39.7 MP from ~130 KB
    reserved = []
    monkeypatch.setattr(uploads.DecodeBudget, "reserve", lambda self, n, timeout=0: reserved.append(n))
    with pytest.raises(uploads.Refused) as refused:
        uploads.check_file(io.BytesIO(bomb))
    assert "万像素" in refused.value.reason and refused.value.details == {"max_pixels": 25_000_000}
    assert reserved == []  # nothing was about to be decoded


def test_an_image_under_the_cap_decodes_and_reserves_its_size():
    budget = uploads.decode_budget()
    seen = []
    original = budget.reserve

    def spy(amount, timeout=uploads.DECODE_WAIT_SECONDS):
        seen.append(amount)
        return original(amount, timeout)

    budget.reserve = spy
    try:
        assert uploads.check_file(io.BytesIO(png_of(5000, 4990))).content_type == "image/png"
        buf = io.BytesIO()
        Image.new("RGB", (4000, 3000), (9, 9, 9)).save(buf, "JPEG")
        assert uploads.check_file(buf).content_type == "image/jpeg"
    finally:
        del budget.reserve
    assert seen[0] >= 5000 * 4990 * 4  # RGB is four bytes a pixel in Pillow
    assert seen[1] < 16 * 1024 * 1024  # a baseline JPEG decodes at an eighth each way
    assert budget.free == budget.total


def test_truncated_jpeg_still_fails_at_an_eighth_of_its_size():
    buf = io.BytesIO()
    Image.effect_noise((800, 600), 50).convert("RGB").save(buf, "JPEG")
    with pytest.raises(uploads.Refused):
        uploads.check_file(io.BytesIO(buf.getvalue()[: len(buf.getvalue()) // 2]))


def test_the_decode_budget_never_lends_more_than_it_has():
    budget = uploads.DecodeBudget(100)
    held, peak, lock = [0], [0], threading.Lock()

    def work():
        for _ in range(20):
            with budget.reserve(40):
                with lock:
                    held[0] += 40
                    peak[0] = max(peak[0], held[0])
                time.sleep(0.001)  # holds the reservation so the threads overlap: the race under test
                with lock:
                    held[0] -= 40
        return []

    run_threads(6, work)
    assert peak[0] == 80 and budget.free == 100
    with budget.reserve(500):  # more than the whole budget: waits for all of it
        assert budget.free == 0
        with pytest.raises(uploads.Busy):
            with budget.reserve(1, timeout=0.05):
                pass


# -- PDFs: active content --------------------------------------------------------------------

MARKERS = (b"/JavaScript", b"/JS", b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile", b"/EF ")


def cleaned(data: bytes) -> bytes:
    checked = uploads.check_file(io.BytesIO(data))
    assert checked.cleaned
    body = checked.body.read()
    checked.body.close()
    assert len(body) == checked.size
    for marker in MARKERS:
        assert marker not in body, marker
    document = pdfium.PdfDocument(body)
    assert len(document) == 1
    document.close()
    return body


def test_javascript_launch_and_attachments_are_rewritten_away():
    js = b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>"
    cleaned(active_pdf(b"/OpenAction 5 0 R", extra=[js]))
    cleaned(active_pdf(b"/AA << /WC << /S /JavaScript /JS (1) >> >>", b"/AA << /O << /S /Launch /F (x.exe) >> >>"))
    cleaned(active_pdf(b"/Names << /JavaScript << /Names [(a) 5 0 R] >> >>", extra=[js]))
    body = cleaned(
        active_pdf(
            b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>",
            extra=[
                b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
            ],
            annots=[b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS 5 0 R >>"],
        )
    )
    with pikepdf.open(io.BytesIO(body)) as pdf:
        assert not pdf.attachments and "/Annots" in pdf.pages[0] and len(pdf.pages[0].Annots) == 0
    # a shared action object reached only from the object table is emptied as well
    body = cleaned(active_pdf(b"/Outlines 6 0 R", extra=[js, b"<< /Type /Outlines /First 7 0 R /Count 1 >>",
                                                        b"<< /Title (x) /Parent 6 0 R /A 5 0 R >>"]))  # fmt: skip
    assert b"app.alert" not in body


def test_links_keep_web_addresses_and_lose_the_rest():
    data = active_pdf(
        annots=[
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://example.org/) >> >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 20 9 29] /A << /S /URI /URI (javascript:alert(1)) >> >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 40 9 49] /A << /S /GoToR /F (//host/share/x.pdf) >> >>",
        ]
    )
    with pikepdf.open(io.BytesIO(cleaned(data))) as pdf:
        actions = [annot.get("/A") for annot in pdf.pages[0].Annots]
    assert str(actions[0].URI) == "https://example.org/" and actions[1:] == [None, None]


def test_escaped_names_are_the_same_names():
    cleaned(active_pdf(b"/Open#41ction << /S /J#61vaScript /J#53 (app.alert(3)) >>"))


def test_a_clean_pdf_is_stored_byte_for_byte():
    for data in (active_pdf(), make_pdf(3)):
        stream = io.BytesIO(data)
        checked = uploads.check_file(stream)
        assert checked.body is stream and not checked.cleaned and checked.size == len(data)
        assert pdf_active.strip_active_content(io.BytesIO(data)) is None


def test_a_pdf_with_an_absurd_number_of_objects_is_refused(monkeypatch):
    monkeypatch.setattr(pdf_active, "MAX_OBJECTS", 3)
    with pytest.raises(uploads.Refused) as refused:
        uploads.check_file(io.BytesIO(make_pdf(5)))
    assert "复杂" in refused.value.reason


# -- the per-account quota -------------------------------------------------------------------


@pytest.fixture
def uow() -> ApplicationsWork:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    return repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))


def register(uow, owner: int, size: int, key: str | None = None) -> dict:
    return usecases.register_material(
        uow,
        {"id": owner, "role": "lawyer"},
        key=key or staging.staged_key("materials/"),
        kind="other",
        filename="a.pdf",
        size=size,
        content_type="application/pdf",
        sha256="0" * 64,
        stored=lambda key: True,
    )


def test_the_quota_counts_materials_and_bytes_per_account(uow, monkeypatch):
    monkeypatch.setenv("MATERIALS_MAX_COUNT_PER_ACCOUNT", "3")
    monkeypatch.setenv("MATERIALS_MAX_BYTES_PER_ACCOUNT", "1000")
    assert quota.limits() == (3, 1000)
    first = register(uow, 7, 100)
    register(uow, 7, 100)
    register(uow, 7, 100)
    with pytest.raises(DomainError) as refused:
        register(uow, 7, 1)
    assert refused.value.code == "too_large" and "3 份" in refused.value.message
    assert refused.value.details == {"count": 3, "max_count": 3, "bytes": 300, "max_bytes": 1000}
    # a redelivered registration of one it already holds is answered, not refused
    assert register(uow, 7, 100, key=first_key(uow, first["id"]))["id"] == first["id"]

    register(uow, 8, 900)
    with pytest.raises(DomainError) as refused:
        register(uow, 8, 101)
    assert refused.value.code == "too_large" and "容量" in refused.value.message
    register(uow, 8, 100)  # exactly at the limit is still allowed


def test_the_quota_defaults(monkeypatch):
    monkeypatch.delenv("MATERIALS_MAX_COUNT_PER_ACCOUNT", raising=False)
    monkeypatch.delenv("MATERIALS_MAX_BYTES_PER_ACCOUNT", raising=False)
    assert quota.limits() == (200, 500 * 1024 * 1024)


def first_key(uow, material_id: str) -> str:
    with uow.read() as applications:
        return applications.material(material_id).key
