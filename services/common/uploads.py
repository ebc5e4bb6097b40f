"""Checking uploaded files by what they are, not by what they are called.

Only PDF, JPEG and PNG are accepted. The type comes from the first bytes (magic numbers),
and then the whole file must decode as that type: an image is fully decoded by Pillow
(a truncated PNG fails), after its declared size is checked against a pixel cap so a small
file that would expand into gigabytes (a decompression bomb) is refused before decoding;
a PDF must open in PDFium. The user's file name is kept only as display text.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import warnings
from dataclasses import dataclass
from typing import BinaryIO

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel scan is generous for a licence or ID card
MAX_FILENAME = 100

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"

# 申请材料: the kinds a user can upload (API.md "Materials"), with the manual's names. The
# gateway refuses an unknown kind before storing a byte; applications owns what each needs.
MATERIAL_KINDS = {
    "license": "执业证",
    "firm_letter": "律所介绍信或证明",
    "authorization": "当事人授权委托书或法律援助公函",
    "party_id": "当事人身份证明",
    "other": "其他材料",
}


class Refused(Exception):
    """The file is not one we accept; ``reason`` is a sentence for the user."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    size: int
    sha256: str


def sniff_type(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def digest(stream: BinaryIO, chunk: int = 1024 * 1024) -> tuple[int, str]:
    """Size and SHA-256 of a seekable stream, read in chunks; leaves it at the start."""
    stream.seek(0)
    sha, size = hashlib.sha256(), 0
    while block := stream.read(chunk):
        sha.update(block)
        size += len(block)
    stream.seek(0)
    return size, sha.hexdigest()


def _check_image(stream: BinaryIO) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Refused("图片尺寸过大，请压缩后重新上传")
                image.load()  # full decode: truncated or corrupt data fails here
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("图片尺寸过大，请压缩后重新上传") from None
    except Exception:
        raise Refused("图片已损坏或不完整，无法打开") from None
    finally:
        stream.seek(0)


def _check_pdf(stream: BinaryIO) -> None:
    stream.seek(0, os.SEEK_END)
    end = stream.tell()
    stream.seek(max(0, end - 2048))
    tail = stream.read()
    stream.seek(0)
    if b"%%EOF" not in tail:
        raise Refused("PDF 文件不完整，无法打开")
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(stream, autoclose=False)  # reads from the spooled file, not a copy
        try:
            if len(document) < 1:
                raise Refused("PDF 文件没有页面")
        finally:
            document.close()
    except Refused:
        raise
    except Exception:
        raise Refused("PDF 文件已损坏或已加密，无法打开") from None
    finally:
        stream.seek(0)


def check_file(stream: BinaryIO) -> Sniffed:
    """Decide what a (seekable) uploaded file is, or raise ``Refused``."""
    stream.seek(0)
    content_type = sniff_type(stream.read(16))
    stream.seek(0)
    if content_type is None:
        raise Refused("仅支持 PDF、JPG、PNG 格式的文件")
    size, sha = digest(stream)
    if content_type == PDF:
        _check_pdf(stream)
    else:
        _check_image(stream)
    return Sniffed(content_type, size, sha)


def display_filename(raw: object, content_type: str | None = None) -> str:
    """The user's file name as display text: no directories, no control characters,
    bounded; never used as a storage key."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFC", text).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if len(text) > MAX_FILENAME:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: MAX_FILENAME - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else text[:MAX_FILENAME]
    if not text:
        text = {PDF: "file.pdf", JPEG: "image.jpg", PNG: "image.png"}.get(content_type or "", "file")
    return text
