"""Rendering, stamping and print copies on real PDFs, without the stack."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
from PIL import ImageChops

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
