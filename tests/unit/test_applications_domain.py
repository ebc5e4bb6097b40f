"""Rules of reading applications and checks of uploads, without a broker or database."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest
from PIL import Image

from services.applications import domain
from services.common.infra import idempotency, uploads
from services.common.infra.errors import DomainError


@dataclass
class App:
    status: str = "approved"
    mode: str | None = "online"
    valid_until: date | None = None
    end_date: date | None = None
    attended: bool | None = None


def test_online_approval_expires_after_the_whole_of_its_last_day():
    app = App(valid_until=date(2022, 5, 22))
    assert domain.effective_status(app, date(2022, 5, 22)) == "approved"
    assert domain.effective_status(app, date(2022, 5, 23)) == "expired"


def test_onsite_approval_expires_after_its_window_unless_attended():
    app = App(mode="onsite", end_date=date(2022, 5, 19))
    assert domain.effective_status(app, date(2022, 5, 19)) == "approved"
    assert domain.effective_status(app, date(2022, 5, 20)) == "expired"
    app.attended = False
    assert domain.effective_status(app, date(2022, 5, 20)) == "expired"
    app.attended = True
    assert domain.effective_status(app, date(2022, 5, 20)) == "approved"


@pytest.mark.parametrize("status", ["pending", "rejected", "returned", "withdrawn"])
def test_other_statuses_never_expire(status):
    assert domain.effective_status(App(status=status, valid_until=date(2000, 1, 1)), date(2030, 1, 1)) == status


def test_lawyers_need_the_four_materials_parties_none():
    assert domain.missing_kinds("party", set()) == []
    assert domain.missing_kinds("lawyer", {"license", "other"}) == ["firm_letter", "authorization", "party_id"]
    assert domain.missing_kinds("lawyer", set(domain.LAWYER_REQUIRED)) == []
    error = domain.materials_missing(["license"])
    assert error.code == "materials_missing" and error.details == {"missing": ["license"]}


def test_eligibility_follows_the_relation_answer():
    domain.check_eligibility("party", {"can_apply": True})
    domain.check_eligibility("lawyer", {"can_apply": True, "relation": "none"})  # archived case
    with pytest.raises(DomainError) as info:
        domain.check_eligibility("lawyer", {"can_apply": False, "needs_binding": True, "case_no": "x"})
    assert info.value.code == "binding_required" and info.value.details["binding_route"] == "/api/v1/bindings"
    with pytest.raises(DomainError) as info:
        domain.check_eligibility("party", {"can_apply": False, "needs_binding": False})
    assert info.value.code == "not_found"


def test_submission_takes_only_what_a_client_may_set():
    body = {
        "case_no": "(2021)粤01民初1号",
        "scope": " 全案卷宗 ",
        "reason": "诉讼需要",
        "material_ids": ["a", "b", "a"],
        "status": "approved",
        "applicant": {"name": "别人"},
    }
    sub = domain.parse_submission(body)
    assert sub == domain.Submission("（2021）粤01民初1号", "全案卷宗", "诉讼需要", ("a", "b"))
    for bad, field in (({**body, "scope": ""}, "scope"), ({**body, "reason": 5}, "reason")):
        with pytest.raises(DomainError) as info:
            domain.parse_submission(bad)
        assert info.value.code == "validation_error" and field in info.value.details["fields"]
    with pytest.raises(DomainError) as info:
        domain.parse_submission({**body, "material_ids": "a"})
    assert info.value.details["fields"] == {"material_ids": "应为材料编号的列表"}
    with pytest.raises(DomainError) as info:
        domain.parse_submission({**body, "case_no": "粤01民初1号"})
    assert info.value.code == "invalid_case_no"


def test_withdraw_and_reapply_states():
    domain.check_can_withdraw("pending")
    for status in ("approved", "expired", "withdrawn"):
        with pytest.raises(DomainError):
            domain.check_can_withdraw(status)
    for status in domain.REAPPLY_FROM:
        domain.check_can_reapply(status)
    for status in ("pending", "approved", "withdrawn"):
        with pytest.raises(DomainError) as info:
            domain.check_can_reapply(status)
        assert info.value.code == "invalid_state"


def test_idempotency_fingerprint_and_key_rules():
    assert idempotency.fingerprint("submit", {"a": 1, "b": 2}) == idempotency.fingerprint("submit", {"b": 2, "a": 1})
    assert idempotency.fingerprint("submit", {"a": 1}) != idempotency.fingerprint("submit", {"a": 2})
    assert idempotency.fingerprint("withdraw", 1) != idempotency.fingerprint("reapply", 1)
    assert idempotency.check_key(None) is None and idempotency.check_key("abc-123") == "abc-123"
    for bad in ("x" * 129, "with space", "中文"):
        with pytest.raises(DomainError):
            idempotency.check_key(bad)


def _image(fmt: str, size=(32, 24)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buf, fmt)
    return buf.getvalue()


def test_uploads_are_judged_by_content():
    assert uploads.check_file(io.BytesIO(_image("PNG"))).content_type == "image/png"
    assert uploads.check_file(io.BytesIO(_image("JPEG"))).content_type == "image/jpeg"
    assert uploads.check_file(io.BytesIO(_image("PDF"))).content_type == "application/pdf"
    png = _image("PNG", (300, 300))
    for bad in (b"hello", png[: len(png) // 2], b"%PDF-1.4\n%%EOF\n", b"%PDF-1.4 no end"):
        with pytest.raises(uploads.Refused):
            uploads.check_file(io.BytesIO(bad))


def test_display_filename_is_only_text():
    assert uploads.display_filename("../../etc/passwd") == "passwd"
    assert uploads.display_filename("C:\\Users\\me\\证件.jpg") == "证件.jpg"
    assert uploads.display_filename("a\x00b\x1b.pdf") == "ab.pdf"
    assert uploads.display_filename("", "image/png") == "image.png"
    assert uploads.display_filename("..", "application/pdf") == "file.pdf"
    name = uploads.display_filename("长" * 300 + ".pdf")
    assert len(name) == uploads.MAX_FILENAME and name.endswith(".pdf")


# -- what the applicant may do now (the buttons of every front end) ----------------------------
ONLINE = {"mode": "online", "valid_until": "2026-06-02", "print": True}
ONLINE_NO_PRINT = {"mode": "online", "valid_until": "2026-06-02", "print": False}
ONSITE = {"mode": "onsite", "start_date": "2026-06-01", "end_date": "2026-06-02", "attended": None}


@pytest.mark.parametrize(
    ("status", "reading", "expected"),
    [
        ("pending", None, ["withdraw"]),
        ("returned", None, ["correct", "reapply"]),
        ("rejected", None, ["reapply"]),
        ("withdrawn", None, []),
        ("approved", ONLINE, ["view_dossier", "copy_link", "print", "access_log"]),
        ("approved", ONLINE_NO_PRINT, ["view_dossier", "copy_link", "access_log"]),
        ("approved", ONSITE, ["book_onsite"]),
        ("expired", ONLINE, ["reapply", "access_log"]),
        ("expired", ONSITE, ["reapply"]),
        ("revoked", ONLINE, ["reapply", "access_log"]),
        ("revoked", None, ["reapply"]),
    ],
)
def test_reader_actions_follow_the_status_and_the_arrangement(status, reading, expected):
    assert domain.reader_actions(status, reading) == expected


def test_every_reader_action_is_one_the_application_object_names():
    seen = {a for s in domain.STATUSES for r in (None, ONLINE, ONSITE) for a in domain.reader_actions(s, r)}
    assert seen == set(domain.READER_ACTIONS)


@pytest.mark.parametrize("status", domain.STATUSES)
def test_withdraw_and_reapply_are_refused_exactly_when_the_actions_leave_them_out(status):
    actions = domain.reader_actions(status, None)
    for allowed, check in (
        ("withdraw" in actions, domain.check_can_withdraw),
        ("reapply" in actions, domain.check_can_reapply),
    ):
        if allowed:
            check(status)
        else:
            with pytest.raises(DomainError) as info:
                check(status)
            assert info.value.code == "invalid_state"
