"""Rendering, stamping and print copies on real PDFs, without the stack."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

from services.dossier import rendering
from tests.support import make_chinese_pdf, make_encrypted_pdf, make_pdf


@pytest.fixture(scope="module")
def stamper():
    return rendering.Stamper(rendering.find_cjk_font())


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_pdfs_are_counted_and_bad_ones_refused_with_the_contracts_codes(tmp_path):
    assert rendering.inspect_pdf(write(tmp_path, "ok.pdf", make_pdf(4))) == 4
    cases = {
        "png.pdf": (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "unsupported_media_type"),
        "broken.pdf": (b"%PDF-1.7\n1 0 obj garbage", "invalid_pdf"),
        "locked.pdf": (make_encrypted_pdf(), "encrypted_pdf"),
    }
    for name, (data, code) in cases.items():
        with pytest.raises(rendering.PdfRefused) as caught:
            rendering.inspect_pdf(write(tmp_path, name, data))
        assert caught.value.code == code


def test_a_page_renders_readably_wide_and_two_stamps_differ(tmp_path, stamper):
    path = write(tmp_path, "zh.pdf", make_chinese_pdf(["起诉状", "证据"]))
    page = rendering.render_page(path, 1)
    assert page.width >= 1000 and page.height > page.width
    one = stamper.stamp(page, ["张三 4401**********1234", "2026-05-22 10:00 仅供阅卷"])
    two = stamper.stamp(page, ["李四 4401**********5678", "2026-05-22 10:00 仅供阅卷"])
    assert ImageChops.difference(one, page).getbbox() is not None
    assert ImageChops.difference(one, two).getbbox() is not None
    assert rendering.decode(rendering.encode_png(one)).size == page.size


def test_the_print_copy_has_every_page_stamped(tmp_path, stamper):
    path = write(tmp_path, "three.pdf", make_pdf(3))
    out = io.BytesIO()
    assert rendering.print_copy(path, stamper, ["张三", "2026-05-22"], out) == 3
    printed = pdfium.PdfDocument(out.getvalue())
    assert len(printed) == 3
    for index in range(3):
        stamped = printed[index].render(scale=1240 / 595).to_pil().convert("RGB")
        plain = rendering.render_page(path, index).convert("RGB").resize(stamped.size)
        assert ImageChops.difference(stamped, plain).getbbox() is not None
    assert printed[0].get_size() == pytest.approx((595, 842), abs=1)


def test_documents_stay_open_between_pages_within_their_bounds(tmp_path, monkeypatch):
    opened = []
    real = pdfium.PdfDocument

    def counting(path, *args, **kwargs):
        opened.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(rendering.pdfium, "PdfDocument", counting)
    documents = rendering.OpenDocuments(size=2, pages_per_open=3)
    monkeypatch.setattr(rendering, "_documents", documents)
    long, a, b = (
        write(tmp_path, f"{n}.pdf", make_pdf(pages, label=n)) for n, pages in (("long", 1000), ("a", 2), ("b", 2))
    )

    fresh = real(long)
    try:
        expected = rendering.page_image(rendering.rasterize(fresh, 699, 300)[0])
    finally:
        fresh.close()
    assert ImageChops.difference(rendering.render_page(long, 699, 300), expected).getbbox() is None
    rendering.render_page(long, 1, 300)
    rendering.render_page(long, 999, 300)
    assert opened == [long]  # three pages, one opening: the page index is built once
    rendering.render_page(long, 2, 300)
    assert opened == [long, long]  # reopened after pages_per_open renders
    rendering.render_page(a, 0, 300)
    rendering.render_page(b, 0, 300)  # a third document: the least recently used one is closed
    rendering.render_page(a, 1, 300)
    rendering.render_page(long, 3, 300)
    assert opened == [long, long, a, b, long]
    documents.close()


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_pages_encode_as_pngs_any_reader_gives_back_pixel_for_pixel(tmp_path, stamper, mode):
    path = write(tmp_path, "zh.pdf", make_chinese_pdf(["起诉状"]))
    page = rendering.render_page(path, 0).convert(mode)
    stamped = stamper.stamp(page, ["张三 4401**********1234", "2026-05-22 10:00 仅供阅卷"])
    data = rendering.encode_png(stamped)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    checked = Image.open(io.BytesIO(data))
    checked.verify()  # chunk lengths and CRCs as the PNG specification has them
    again = rendering.decode(data)
    assert again.mode == mode and again.size == stamped.size
    assert ImageChops.difference(again, stamped).getbbox() is None


def test_a_grey_page_comes_as_one_channel_and_a_colour_page_as_rgb_with_pdfiums_pixels(tmp_path):
    """The page image is what PDFium draws, pixel for pixel: one channel where every pixel is
    grey, RGB where any is not (a red seal, 公章)."""
    from tests.support import build_pdf

    typed = b"BT /F1 24 Tf 72 700 Td (Typed page) Tj ET"
    red_seal = b"1 0 0 rg 200 200 80 80 re f 0 g BT /F1 24 Tf 72 700 Td (Seal) Tj ET"
    resources = b"/Resources << /Font << /F1 3 0 R >> >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R 6 0 R] /Count 2 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R " + resources,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(typed), typed),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 7 0 R " + resources,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(red_seal), red_seal),
    ]
    path = write(tmp_path, "seal.pdf", build_pdf(objects))
    document = pdfium.PdfDocument(path)
    for index, mode in ((0, "L"), (1, "RGB")):
        image = rendering.render_page(path, index, width=400)
        page = document[index]
        drawn = page.render(scale=400 / page.get_width(), may_draw_forms=False, rev_byteorder=True).to_pil()
        assert image.mode == mode
        assert ImageChops.difference(image.convert("RGB"), drawn.convert("RGB")).getbbox() is None
