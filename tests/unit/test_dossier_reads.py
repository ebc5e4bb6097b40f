"""Who read my case: others' reads under reading grants of the case, one row per reader and
court day, for a party of the case only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.errors import DomainError
from services.dossier import reads
from services.dossier.models import Document, Reading
from tests.unit.fakes import dossier as fakes

CASE = "（2021）粤01民初1号"
OTHER = "（2021）粤01民初2号"
PARTY = {"id": 1, "role": "party", "name": "金家慧", "verified": True}


@pytest.fixture(params=["memory", "sqlite"])
def uow(request):
    uow = fakes.unit_of_work(request.param)
    at = datetime(2026, 5, 1, tzinfo=UTC)
    with uow.transaction() as dossiers:
        for doc_id, title in ((1, "起诉状"), (2, "答辩状")):
            dossiers.add_document(
                Document(id=doc_id, case_no=CASE, court="广州中院", volume="正卷", title=title, object_key=f"k{doc_id}",
                         page_count=3, size=1, sha256="0" * 64, created_at=at)
            )  # fmt: skip
        readers = (("7", 2, "李律师", CASE), ("8", 1, "金家慧", CASE), ("9", 3, "旁人", OTHER))
        for app, applicant, name, case_no in readers:
            dossiers.add_reading(
                Reading(application_id=app, applicant_id=applicant, applicant_name=name, case_no=case_no, updated_at=at)
            )
        entries = [
            # 2026-05-01 23:30 Shanghai (15:30 UTC) and 2026-05-02 00:30 Shanghai: two court days
            ("7", 2, "李律师", "view_page", 1, datetime(2026, 5, 1, 15, 30, tzinfo=UTC)),
            ("7", 2, "李律师", "view_page", 2, datetime(2026, 5, 1, 15, 31, tzinfo=UTC)),
            ("7", 2, "李律师", "download_pdf", 2, datetime(2026, 5, 1, 15, 32, tzinfo=UTC)),
            ("7", 2, "李律师", "view_page", 1, datetime(2026, 5, 1, 16, 30, tzinfo=UTC)),
            ("7", 2, "李律师", "link_created", None, datetime(2026, 5, 1, 16, 31, tzinfo=UTC)),
            ("8", 1, "金家慧", "view_page", 1, datetime(2026, 5, 1, 16, 32, tzinfo=UTC)),  # the party's own
            ("9", 3, "旁人", "view_page", 1, datetime(2026, 5, 1, 16, 33, tzinfo=UTC)),  # another case
        ]
        for seq, (app, actor, name, action, doc, when) in enumerate(entries, start=1):
            entry = {
                "seq": seq,
                "at": when,
                "application_id": app,
                "case_no": None,
                "actor_id": actor,
                "actor_name": name,
                "actor_role": "lawyer",
                "action": action,
                "document_id": doc,
                "page": 1,
            }
            dossiers.add_entry(entry, prev_hash="", digest="")  # fmt: skip
    return uow


def party_relation(actor, case_no):
    return {"case_no": case_no, "relation": "party"}


def test_others_reads_grouped_by_reader_and_court_day(uow):
    page = reads.case_reads(uow, party_relation, PARTY, "(2021)粤01民初1号")
    assert page == {
        "items": [
            {"date": "2026-05-02", "reader": {"name": "李律师", "role": "lawyer"}, "documents": ["起诉状"],
             "pages": 1, "prints": 0},
            {"date": "2026-05-01", "reader": {"name": "李律师", "role": "lawyer"}, "documents": ["答辩状", "起诉状"],
             "pages": 2, "prints": 1},
        ],
        "next_cursor": None,
    }  # fmt: skip
    first = reads.case_reads(uow, party_relation, PARTY, CASE, limit=1)
    rest = reads.case_reads(uow, party_relation, PARTY, CASE, limit=1, cursor=first["next_cursor"])
    assert [r["date"] for r in first["items"] + rest["items"]] == ["2026-05-02", "2026-05-01"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize(
    "actor, relation",
    [
        ({"id": 2, "role": "lawyer"}, party_relation),
        (PARTY, lambda actor, case_no: {"case_no": case_no, "relation": "lawyer_of_record"}),
    ],
)
def test_only_a_party_of_the_case_learns_anything(uow, actor, relation):
    with pytest.raises(DomainError) as refused:
        reads.case_reads(uow, relation, actor, CASE)
    assert refused.value.code == "not_found"


def test_a_cursor_not_handed_out_is_a_bad_request(uow):
    with pytest.raises(DomainError) as refused:
        reads.case_reads(uow, party_relation, PARTY, CASE, cursor="x")
    assert refused.value.code == "bad_request"
