"""Materials (申请材料): uploads to the real S3 server through the gateway, and back."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import signal
import struct
import uuid
import zlib

import pytest
from PIL import Image

from services.common import staging
from tests.e2e.test_dossier import import_case, ingest
from tests.support import Api, assert_error, create_staff, make_pdf, new_case_no, object_store, wait_until

MiB = 1024 * 1024


def png_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def pdf_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(buf, "PDF")
    return buf.getvalue()


def png_bomb() -> bytes:
    """A tiny PNG that declares 30000 x 30000 pixels: 900 million pixels to decode."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * 30001 * 16, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def upload(client: Api, data: bytes, kind: str = "license", filename: str = "file.png", **kwargs):
    return client.post("/api/v1/uploads", files={"file": (filename, data)}, data={"kind": kind}, **kwargs)


def stored_materials(stack) -> set[str]:
    """Keys under materials/ in the stack's bucket, read straight from the S3 server."""
    store = object_store(stack)
    return {o.object_name for o in store.client.list_objects(store.bucket, prefix="materials/", recursive=True)}


def test_upload_each_type_and_read_it_back(stack, api):
    api.register()
    for data, kind, name, content_type in (
        (png_bytes(), "license", "执业证.png", "image/png"),
        (jpeg_bytes(), "party_id", "身份证.jpg", "image/jpeg"),
        (pdf_bytes(), "firm_letter", "介绍信.pdf", "application/pdf"),
    ):
        response = upload(api, data, kind, name)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["kind"] == kind and body["filename"] == name
        assert body["size"] == len(data) and body["content_type"] == content_type
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        back = api.get(f"/api/v1/uploads/{body['id']}")
        assert back.status_code == 200
        assert back.content == data
        assert back.headers["Content-Type"] == content_type
        assert back.headers["X-Content-Type-Options"] == "nosniff"
        assert back.headers["Content-Disposition"].startswith("attachment;")

    # The user's name is display text only: no directories, no control characters, bounded.
    body = upload(api, png_bytes(), "other", "../../etc/\x07pass\x00wd.png").json()
    assert body["filename"] == "passwd.png"
    long_name = "很长的文件名" * 40 + ".png"
    body = upload(api, png_bytes(), "other", long_name).json()
    assert len(body["filename"]) <= 100 and body["filename"].endswith(".png")
    # The content type comes from the bytes, not from the name.
    body = upload(api, pdf_bytes(), "other", "scan.png").json()
    assert body["content_type"] == "application/pdf"


def test_bad_uploads_are_refused_and_leave_nothing_behind(stack, api):
    api.register()
    before = stored_materials(stack)
    good_png = png_bytes((400, 300))
    cases = [
        (b"just some text, not a PDF at all\n" * 20, "notes.pdf", 415, "unsupported_media_type"),
        (b"%PDF-1.4\nthis is not really a pdf\n", "fake.pdf", 415, "unsupported_media_type"),
        (good_png[: len(good_png) // 2], "cut.png", 415, "unsupported_media_type"),
        (png_bomb(), "bomb.png", 415, "unsupported_media_type"),
        (b"GIF89a" + b"\0" * 100, "a.gif", 415, "unsupported_media_type"),
    ]
    for data, name, status, code in cases:
        assert_error(upload(api, data, "license", name), status, code)
    assert_error(upload(api, png_bytes(), "passport"), 422, "invalid_kind")
    assert_error(api.post("/api/v1/uploads", data={"kind": "license"}), 400, "bad_request")
    assert_error(
        api.post("/api/v1/uploads", files={"other": ("x", b"y")}, data={"kind": "license"}), 422, "validation_error"
    )
    anonymous = Api(stack.base_url)
    assert_error(anonymous.post("/api/v1/uploads", files={"file": ("a.png", png_bytes())}), 401, "unauthenticated")

    # 21 MiB: refused from the Content-Length alone, before the body is sent.
    host, port = stack.base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("POST", "/api/v1/uploads")
    conn.putheader("Authorization", f"Bearer {api.token}")
    conn.putheader("Content-Type", "multipart/form-data; boundary=xyz")
    conn.putheader("Content-Length", str(21 * MiB))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    assert b"too_large" in response.read()
    conn.close()

    # The same without a Content-Length (chunked): counted while streaming and stopped.
    def chunks():
        yield b'--xyz\r\nContent-Disposition: form-data; name="kind"\r\n\r\nlicense\r\n'
        yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'
        yield good_png
        for _ in range(21):
            yield b"\0" * MiB
        yield b"\r\n--xyz--\r\n"

    try:
        response = api.post(
            "/api/v1/uploads", data=chunks(), headers={"Content-Type": "multipart/form-data; boundary=xyz"}
        )
        assert_error(response, 413, "too_large")
    except (ConnectionError, OSError) as exc:  # the server may close before the client finishes sending
        pytest.fail(f"connection dropped instead of a 413: {exc}")

    assert stored_materials(stack) == before


def test_materials_are_visible_only_to_their_owner(stack, api, admin):
    api.register()
    material = upload(api, png_bytes(), "license").json()
    other = Api(stack.base_url)
    other.register()
    missing = assert_error(other.get(f"/api/v1/uploads/{uuid.uuid4()}"), 404, "not_found")
    theirs = assert_error(other.get(f"/api/v1/uploads/{material['id']}"), 404, "not_found")
    assert missing == theirs
    assert_error(other.get("/api/v1/uploads/..%2F..%2Fetc"), 404, "not_found")
    clerk = create_staff(admin, "clerk", court="广东省深圳市中级人民法院")
    assert_error(clerk.get(f"/api/v1/uploads/{material['id']}"), 404, "not_found")
    assert_error(Api(stack.base_url).get(f"/api/v1/uploads/{material['id']}"), 401, "unauthenticated")


def test_stored_files_nobody_registered_are_swept_and_registered_ones_stay(stack, api, admin):
    """The gateway stores first and registers second; what never got registered (the
    gateway died in between) goes after the grace period, in both owning services."""
    api.register()
    kept = upload(api, png_bytes(), "other", "kept.png")
    assert kept.status_code == 201, kept.text
    case_no = new_case_no()
    import_case(admin, case_no)
    document = ingest(admin, case_no, make_pdf(1), "正卷", "起诉状")
    assert document.status_code == 201, document.text

    store = object_store(stack)
    orphans = [staging.staged_key("materials/"), staging.staged_key("dossier/originals/", ".pdf")]
    for key in orphans:
        store.put(key, io.BytesIO(pdf_bytes()), len(pdf_bytes()), "application/pdf")

    def left() -> set[str]:
        return {key for key in orphans if store.exists(key)}

    # this stack sweeps every 2 s and waits 15 s (STAGED_SWEEP_SECONDS, STAGED_GRACE_SECONDS)
    assert wait_until(lambda: not left(), seconds=60, interval=1), left()
    assert api.get(f"/api/v1/uploads/{kept.json()['id']}").content == png_bytes()  # older, but registered
    (key,) = stack.sql("dossier", "SELECT object_key FROM documents WHERE id = ?", (document.json()["id"],))[0]
    assert store.exists(key)


def test_a_registration_that_lands_after_the_gateway_gave_up_keeps_its_bytes(stack, api):
    """The gateway stops waiting (10 s here) while the request sits in the queue of a stalled
    applications service; when the service catches up it registers the upload, and the
    object is still there: the gateway deletes only what the service refused."""
    api.register()
    data = png_bytes((70, 70))
    pid = stack.pid("applications")
    os.kill(pid, signal.SIGSTOP)
    try:
        response = upload(api, data, "other", "late.png")
    finally:
        os.kill(pid, signal.SIGCONT)
    assert_error(response, 503, "service_unavailable")

    def registered() -> list[tuple]:
        query = "SELECT id, key FROM materials WHERE owner_id = ? AND kind = 'other'"  # not the 实名认证 card
        return stack.sql("applications", query, (api.user["id"],))

    assert wait_until(registered, seconds=30), "the queued registration never landed"
    ((material_id, key),) = registered()
    # A file nobody registers, stored after this one: once a sweep has taken it, this one
    # too is past its grace and has been looked at by a sweep.
    store = object_store(stack)
    control = staging.staged_key("materials/")
    store.put(control, io.BytesIO(png_bytes()), len(png_bytes()), "image/png")
    assert wait_until(lambda: not store.exists(control), seconds=60, interval=1), "no sweep ran past the grace"
    assert store.exists(key)
    assert api.get(f"/api/v1/uploads/{material_id}").content == data
