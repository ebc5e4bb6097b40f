"""Review's use cases without a broker: redeliveries change nothing, a crash before commit
leaves no decision and no announcement, one reminder per approval, and the text message
goes to the number the application carried. Each test runs twice: over the in-memory
repository and over the SQL one on an in-memory SQLite database, so the two answer alike."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.common.infra.db import RepositoryUnitOfWork, UnitOfWork
from services.common.infra.errors import DomainError
from services.review import repository, usecases
from services.review.models import Base, Message, Outbox, ReviewedApplication
from tests.unit.fakes.review import announced, fake_unit_of_work, message_kinds

CLERK = {"id": 7, "role": "clerk", "name": "中欣", "court": "某法院"}


class Texts:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (phone, template)

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        self.sent.append((phone, template))


@pytest.fixture(params=["memory", "sqlite"])
def uow(request, tmp_path, monkeypatch):
    now = tmp_path / "now"
    now.write_text("2026-05-07T10:00:00+08:00")
    monkeypatch.setenv("COURT_FAKE_NOW_FILE", str(now))
    if request.param == "memory":
        return fake_unit_of_work()
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    return repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))


def submitted(app_id: int = 1, event_id: str = "e-1") -> dict:
    return {
        "event_id": event_id,
        "application_id": app_id,
        "applicant": {"id": 42, "name": "金家慧", "role": "party", "phone": "13812345678"},
        "case_no": "（2021）粤01民初1号",
        "court": "某法院",
        "scope": "全案卷宗",
        "reason": "测试",
        "materials": [],
        "applied_at": "2026-05-07T09:00:00+08:00",
    }


def count(uow, model: type) -> int:
    """Rows of ``model`` (queued applications, outbox events, messages) the use cases left."""
    if not isinstance(uow, RepositoryUnitOfWork):
        held = {ReviewedApplication: "apps", Outbox: "events", Message: "messages"}[model]
        return len(getattr(uow.repository, held))
    with uow.uow.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_redelivered_submission_queues_once(uow):
    assert usecases.receive_submitted(uow, submitted()) is True
    assert usecases.receive_submitted(uow, submitted()) is False
    assert usecases.receive_submitted(uow, submitted(event_id="e-2")) is False
    assert usecases.receive_submitted(uow, {"event_id": "e-3", "application_id": 2}) is False  # unreadable
    assert count(uow, ReviewedApplication) == 1


def test_a_crash_before_commit_leaves_nothing_and_the_retry_decides(uow):
    usecases.receive_submitted(uow, submitted())
    body = {"opinion": "reject", "explanation": "不符合条件"}

    def crash(point: str) -> None:
        if point == "decision_before_commit":
            raise KeyboardInterrupt  # stands in for the process dying

    with pytest.raises(KeyboardInterrupt):
        usecases.decide(uow, CLERK, 1, body, case_summary=dict, fault=crash)
    assert count(uow, Outbox) == 0
    assert usecases.decide(uow, CLERK, "1", body, case_summary=dict)["status"] == "rejected"
    [(_, event)] = announced(uow)
    assert event["opinion"] == "reject"
    with pytest.raises(DomainError) as again:
        usecases.decide(uow, CLERK, 1, body, case_summary=dict)
    assert again.value.code == "invalid_state" and type(again.value) is DomainError


def test_online_approval_asks_for_the_electronic_dossier(uow):
    usecases.receive_submitted(uow, submitted())
    body = {"opinion": "approve", "mode": "online"}
    for answer in ({"has_electronic_dossier": False}, DomainError("not_found")):

        def summary(case_no: str, answer=answer) -> dict:
            if isinstance(answer, Exception):
                raise answer
            return answer

        with pytest.raises(DomainError) as refused:
            usecases.decide(uow, CLERK, 1, body, case_summary=summary)
        assert refused.value.code == "no_electronic_dossier"
    approved = usecases.decide(uow, CLERK, 1, body, case_summary=lambda _: {"has_electronic_dossier": True})
    assert approved["reading"] == {
        "mode": "online",
        "valid_until": "2026-05-22",
        "documents": None,  # the whole 正卷, documents ingested later included
        "document_titles": None,
        "print": True,
    }


MAIN_VOLUME = [
    {"id": 11, "title": "起诉状", "volume": "正卷", "page_count": 3},
    {"id": 12, "title": "答辩状", "volume": "正卷（一）", "page_count": 2},
    {"id": 13, "title": "证据材料", "volume": "正卷", "page_count": 4},
]


def test_a_grant_is_the_documents_and_printing_the_clerk_chose(uow):
    usecases.receive_submitted(uow, submitted())
    asked: list[tuple[dict, str]] = []

    def grantable(actor: dict, case_no: str) -> list[dict]:
        asked.append((actor, case_no))
        return MAIN_VOLUME

    def decide(body: dict) -> dict:
        return usecases.decide(
            uow, CLERK, 1, body, lambda _: {"has_electronic_dossier": True}, grantable_documents=grantable
        )

    online = {"opinion": "approve", "mode": "online"}
    for documents in ([], [11, 99], ["11"], [True], "11"):  # 99: a 副卷 document, or another case's
        with pytest.raises(DomainError) as refused:
            decide(dict(online, documents=documents))
        assert refused.value.code == "validation_error" and "documents" in refused.value.details["fields"]
    with pytest.raises(DomainError) as refused:
        decide(dict(online, print="no"))
    assert refused.value.details["fields"] == {"print": "应为 true 或 false"}
    approved = decide(dict(online, documents=[13, 11, 13], print=False))
    # in the dossier's order, each once, asked as the deciding clerk
    assert approved["reading"]["documents"] == [11, 13]
    assert approved["reading"]["document_titles"] == ["起诉状", "证据材料"]
    assert approved["reading"]["print"] is False
    assert asked[-1] == (CLERK, "（2021）粤01民初1号")
    [(_, event)] = announced(uow)
    assert (event["documents"], event["print"]) == ([11, 13], False)
    texts = Texts()
    usecases.notify_decision(uow, texts, event)
    (message,) = usecases.list_messages(uow, {"id": 42})["items"]
    assert "部分卷宗：起诉状、证据材料；仅限在线查看，不可打印" in message["body"]


def test_on_site_approval_carries_no_grant_reach(uow):
    usecases.receive_submitted(uow, submitted())
    body = {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-08", "end_date": "2026-05-09"}
    approved = usecases.decide(uow, CLERK, 1, dict(body, documents=[1], print=False), dict)
    assert "documents" not in approved["reading"] and "print" not in approved["reading"]


def test_messages_once_per_decision_and_one_reminder_with_its_text(uow, tmp_path, monkeypatch):
    texts = Texts()
    usecases.receive_submitted(uow, submitted())
    usecases.decide(
        uow,
        CLERK,
        1,
        {"opinion": "approve", "mode": "online", "valid_until": "2026-05-08"},
        lambda _: {"has_electronic_dossier": True},
    )
    [(_, event)] = announced(uow)
    assert usecases.notify_decision(uow, texts, event) is True
    assert usecases.notify_decision(uow, texts, event) is False
    assert usecases.notify_decision(uow, texts, dict(event, event_id="other")) is False
    assert usecases.send_expiry_reminders(uow, texts) == 0  # not the last day yet
    (tmp_path / "now").write_text("2026-05-08T00:01:00+08:00")
    assert usecases.send_expiry_reminders(uow, texts) == 1
    assert usecases.send_expiry_reminders(uow, texts) == 0
    assert count(uow, Message) == 2
    assert texts.sent == [("13812345678", "application_approved"), ("13812345678", "expiry_reminder")]
    listed = usecases.list_messages(uow, {"id": 42})["items"]
    assert [m["title"] for m in listed] == ["在线阅卷即将到期", "阅卷申请已通过"]
    with pytest.raises(DomainError):
        usecases.mark_read(uow, {"id": 43}, listed[0]["id"])
    (tmp_path / "now").write_text("2026-05-09T00:00:00+08:00")
    assert usecases.staff_queue(uow, CLERK, status="expired")["items"][0]["status"] == "expired"


def revoked_event(app_id: int = 1, event_id: str = "r-1") -> dict:
    return {
        "event_id": event_id,
        "application_id": app_id,
        "applicant_id": 42,
        "case_no": "（2021）粤01民初1号",
        "court": "某法院",
        "reason": "案件绑定已被撤销：委托已解除",
    }


def test_an_end_heard_before_the_submission_wins_and_the_reader_is_told_once(uow):
    texts = Texts()
    assert usecases.receive_withdrawn(uow, {"event_id": "w-1", "application_id": 2}) is True
    assert usecases.receive_revoked(uow, texts, revoked_event(1)) is True
    assert usecases.receive_revoked(uow, texts, revoked_event(1)) is False  # redelivered
    usecases.receive_submitted(uow, submitted(1, "e-1"))
    usecases.receive_submitted(uow, submitted(2, "e-2"))
    assert usecases.staff_queue(uow, CLERK, status="pending")["items"] == []
    (revoked,) = usecases.staff_queue(uow, CLERK, status="revoked")["items"]
    assert revoked["revocation"]["reason"] == "案件绑定已被撤销：委托已解除"
    assert [a["id"] for a in usecases.staff_queue(uow, CLERK, status="withdrawn")["items"]] == [2]
    for app_id in (1, 2):
        with pytest.raises(DomainError) as refused:
            usecases.decide(uow, CLERK, app_id, {"opinion": "reject", "explanation": "x"}, dict)
        assert refused.value.code == "invalid_state"
    (message,) = usecases.list_messages(uow, {"id": 42})["items"]
    assert message["title"] == "阅卷申请已终止" and "委托已解除" in message["body"]
    assert texts.sent == []  # the number came with the submission, after the end


def test_an_approved_application_is_revoked_and_texted(uow):
    texts = Texts()
    usecases.receive_submitted(uow, submitted())
    usecases.decide(uow, CLERK, 1, {"opinion": "approve", "mode": "online"}, lambda _: {"has_electronic_dossier": True})
    assert usecases.receive_revoked(uow, texts, revoked_event()) is True
    (row,) = usecases.staff_queue(uow, CLERK, status="revoked")["items"]
    assert row["status"] == "revoked"
    assert texts.sent == [("13812345678", "application_revoked")]


def test_a_retried_attendance_with_its_key_records_once(uow):
    archivist = {"id": 8, "role": "archivist", "name": "档案员", "court": "某法院"}
    usecases.receive_submitted(uow, submitted())
    onsite = {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-07", "end_date": "2026-05-08"}
    usecases.decide(uow, CLERK, 1, onsite, dict)
    body = {"attended": True, "borrowed_at": "2026-05-07 09:30:00"}
    first = usecases.record_attendance(uow, archivist, 1, body, idempotency_key="k-1")
    again = usecases.record_attendance(uow, archivist, 1, body, idempotency_key="k-1")
    assert again == first
    kinds = [kind for kind, _ in announced(uow)]
    assert kinds.count("attendance_recorded") == 1
    with pytest.raises(DomainError) as reused:
        usecases.record_attendance(uow, archivist, 1, {"attended": False}, idempotency_key="k-1")
    assert reused.value.code == "idempotency_key_reused"


def test_counts_are_counted_and_the_queue_is_found_by_case_and_name(uow):
    """The console's tabs are real counts, past any page size; the queue is searchable."""
    for n in range(1, 131):
        event = {**submitted(n, f"e-{n}"), "case_no": f"（2021）粤01民初{n}号"}
        if n % 2:
            event["applicant"] = {**event["applicant"], "name": "李四"}
        usecases.receive_submitted(uow, event)
    counts = usecases.staff_counts(uow, CLERK)["counts"]
    assert counts["pending"] == 130 and counts["approved"] == 0 and set(counts) >= {"expired", "revoked"}
    assert usecases.staff_counts(uow, {**CLERK, "court": "别的法院"})["counts"]["pending"] == 0
    found = usecases.staff_queue(uow, CLERK, case_no="(2021)粤01民初7号")["items"]
    assert [a["id"] for a in found] == [7]
    named = usecases.staff_queue(uow, CLERK, applicant="李", limit=100)
    assert len(named["items"]) == 65 and named["next_cursor"] is None
    with pytest.raises(DomainError) as refused:
        usecases.staff_queue(uow, CLERK, case_no="nonsense")
    assert refused.value.code == "invalid_case_no"


def test_a_no_show_and_a_returned_file_reach_the_reader_once(uow):
    """到场 and 借阅 say nothing; 未到场 and 还卷 each give one message and one text."""
    archivist = {"id": 8, "role": "archivist", "name": "档案员", "court": "某法院"}
    usecases.receive_submitted(uow, submitted())
    onsite = {"opinion": "approve", "mode": "onsite", "start_date": "2026-05-07", "end_date": "2026-05-08"}
    usecases.decide(uow, CLERK, 1, onsite, dict)
    texts = Texts()

    def recorded(body: dict, event_id: str) -> bool:
        usecases.record_attendance(uow, archivist, 1, body)
        payload = announced(uow)[-1][1]
        return usecases.notify_attendance(uow, texts, {**payload, "event_id": event_id})

    assert recorded({"attended": True, "borrowed_at": "2026-05-07 09:30:00"}, "a-1") is False
    done = {"attended": True, "borrowed_at": "2026-05-07 09:30:00", "returned_at": "2026-05-07 09:50:00"}
    assert recorded(done, "a-2") is True
    assert recorded(done, "a-3") is False  # recorded again: told once
    assert recorded({"attended": False}, "a-4") is True  # a correction to a no-show is news
    kinds = sorted(kind for kind in message_kinds(uow) if kind.startswith("onsite"))
    assert kinds == ["onsite_no_show", "onsite_returned"]
    assert [t for _, t in texts.sent] == ["onsite_returned", "onsite_no_show"]


def test_material_ids_are_strings_whatever_the_event_carried(uow):
    # the contract's material id is a string (a uuid); an event that carried a number
    # must not give the console a queue item its own document refuses
    event = {**submitted(), "materials": [{"id": 7, "kind": "license", "filename": "执业证.pdf"}]}
    assert usecases.receive_submitted(uow, event) is True
    item = usecases.staff_queue(uow, CLERK)["items"][0]
    assert item["materials"] == [{"id": "7", "kind": "license", "filename": "执业证.pdf", "url": "/api/v1/uploads/7"}]


def test_an_earlier_versions_numeric_application_id_is_the_same_application_as_the_string(uow):
    # applications announces "7"; an event of before (7), still queued or in an outbox, reads alike
    assert usecases.receive_submitted(uow, submitted(7, "e-1")) is True
    assert usecases.receive_submitted(uow, submitted("7", "e-2")) is False  # already queued: the same one
    assert usecases.receive_withdrawn(uow, {"event_id": "w-1", "application_id": "7"}) is True
    assert [a["id"] for a in usecases.staff_queue(uow, CLERK, status="withdrawn")["items"]] == [7]
    for bad in (None, "", True, 0, 2.5, "9" * 65, {"id": 7}):
        assert usecases.receive_withdrawn(uow, {"event_id": f"w-{bad!r}", "application_id": bad}) is False
        assert (
            usecases.receive_submitted(uow, {**submitted(), "event_id": f"s-{bad!r}", "application_id": bad}) is False
        )
    assert count(uow, ReviewedApplication) == 1
    # what review announces carries the string too
    usecases.receive_submitted(uow, submitted(8, "e-3"))
    usecases.decide(uow, CLERK, 8, {"opinion": "reject", "explanation": "不符合条件"}, dict)
    assert [p["application_id"] for kind, p in announced(uow) if kind == "application_decided"] == ["8"]
