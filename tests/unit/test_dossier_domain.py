"""Dossier rules without I/O: grants and their end, the hash chain, the stamp's text."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.common.court import clock
from services.common.infra.errors import DomainError
from services.dossier import domain

OWNER = {"id": 7, "name": "张三", "id_number": "440106199001011234"}


def reading(**changes) -> domain.Reading:
    values = dict(application_id="1", applicant_id=7, case_no="（2024）粤01民初1号", opinion="approve", mode="online")
    values.update(valid_until=date(2026, 5, 22))
    values.update(changes)
    return domain.Reading(**values)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def code_of(fn) -> str:
    with pytest.raises(DomainError) as caught:
        fn()
    return caught.value.code


def test_an_online_grant_lasts_to_the_end_of_its_day_in_shanghai():
    grant = reading()
    assert grant.grant_ends_at == at("2026-05-23T00:00:00+08:00")
    assert domain.authorize(grant, OWNER, at("2026-05-22T23:59:59+08:00")) is grant
    # 16:00 UTC is already the next day in Beijing
    assert code_of(lambda: domain.authorize(grant, OWNER, at("2026-05-22T16:00:00+00:00"))) == "access_expired"
    assert code_of(lambda: domain.authorize(grant, OWNER, at("2026-05-23T00:01:00+08:00"))) == "access_expired"


@pytest.mark.parametrize(
    "changes",
    [
        {"opinion": None, "mode": None, "valid_until": None},  # pending
        {"opinion": "reject", "mode": None, "valid_until": None},
        {"opinion": "return", "mode": None, "valid_until": None},
        {"mode": "onsite", "valid_until": None},
    ],
)
def test_anything_but_an_online_approval_is_not_approved(changes):
    now = at("2026-05-01T10:00:00+08:00")
    assert code_of(lambda: domain.authorize(reading(**changes), OWNER, now)) == "not_approved"
    assert domain.authorize(reading(**changes), OWNER, now, for_log=True)  # the log stays readable


def test_someone_elses_or_an_unknown_application_is_not_found():
    now = at("2026-05-01T10:00:00+08:00")
    assert code_of(lambda: domain.authorize(reading(applicant_id=8), OWNER, now)) == "not_found"
    assert code_of(lambda: domain.authorize(reading(applicant_id=None), OWNER, now)) == "not_found"
    assert code_of(lambda: domain.authorize(None, OWNER, now, for_log=True)) == "not_found"
    expired = at("2026-06-01T10:00:00+08:00")  # ownership is checked before state
    assert code_of(lambda: domain.authorize(reading(applicant_id=8), OWNER, expired)) == "not_found"


def test_the_stamp_names_the_reader_with_a_masked_id_number_in_beijing_time():
    lines = domain.stamp_lines(OWNER, datetime(2026, 5, 22, 15, 59, tzinfo=UTC))
    assert lines[0] == "张三 4401**********1234"
    assert lines[1].startswith("2026-05-22 23:59")
    assert "199001" not in "".join(lines)


def entries(n: int, key: bytes | None = None, keyed_from: int = 1) -> list[dict]:
    chain, previous = [], domain.GENESIS_HASH
    for seq in range(1, n + 1):
        entry = {
            "seq": seq,
            "at": datetime(2026, 5, 1, 10, seq, tzinfo=UTC),
            "application_id": "1",
            "actor_id": 7,
            "actor_name": "张三",
            "action": domain.VIEW_PAGE,
            "document_id": 3,
            "page": seq,
        }
        entry["prev_hash"] = previous
        entry["hash"] = previous = domain.chain_hash(previous, entry, key if seq >= keyed_from else None)
        chain.append(entry)
    return chain


def check(chain: list[dict], head: tuple[int, str] | None = None) -> list[str]:
    checker = domain.ChainCheck()
    for entry in chain:
        checker.feed(entry)
    head = head or ((chain[-1]["seq"], chain[-1]["hash"]) if chain else (0, domain.GENESIS_HASH))
    return checker.finish(*head)


def test_an_intact_chain_checks_clean_and_naive_times_hash_like_aware_ones():
    chain = entries(5)
    assert check(chain) == []
    naive = dict(chain[0], at=chain[0]["at"].replace(tzinfo=None))  # SQLite's way back
    assert domain.chain_hash(domain.GENESIS_HASH, naive) == chain[0]["hash"]
    shanghai = dict(chain[0], at=chain[0]["at"].astimezone(clock.COURT_TZ))  # PostgreSQL's
    assert domain.chain_hash(domain.GENESIS_HASH, shanghai) == chain[0]["hash"]


def test_alterations_removals_and_a_cut_tail_are_reported():
    chain = entries(5)
    altered = [dict(e) for e in chain]
    altered[2]["page"] = 99
    assert check(altered, (5, chain[-1]["hash"])) == ["entry 3: its content does not match its hash (altered)"]

    missing = chain[:2] + chain[3:]
    problems = check(missing, (5, chain[-1]["hash"]))
    assert any("entry 4" in p and "missing" in p for p in problems)
    assert any("entry 4" in p and "does not link" in p for p in problems)

    rehashed = [dict(e) for e in chain]  # an altered entry whose own hash was recomputed
    rehashed[1]["actor_name"] = "李四"
    rehashed[1]["hash"] = domain.chain_hash(rehashed[1]["prev_hash"], rehashed[1])
    assert check(rehashed, (5, chain[-1]["hash"])) == ["entry 3: does not link to the entry before it"]

    assert check(chain[:3], (5, chain[-1]["hash"])) == ["the chain's head (entry 5) does not match its last entry (3)"]


def test_only_the_applications_own_court_audits_its_log():
    grant = reading(court="广州中院")
    for role in ("clerk", "archivist"):
        assert domain.authorize_audit(grant, {"id": 9, "role": role, "court": "广州中院"}) is grant
    refused = [
        {"id": 9, "role": "clerk", "court": "天河法院"},  # another court
        {"id": 9, "role": "admin", "court": "广州中院"},
        {"id": 7, "role": "party", "court": None},  # the reader has a route of their own
        {"id": 9, "role": "clerk", "court": None},
    ]
    for actor in refused:
        assert code_of(lambda actor=actor: domain.authorize_audit(grant, actor)) == "not_found"
    assert code_of(lambda: domain.authorize_audit(reading(court=None), {"role": "clerk", "court": None})) == "not_found"
    assert code_of(lambda: domain.authorize_audit(None, {"role": "clerk", "court": "广州中院"})) == "not_found"


def test_volumes_are_placed_by_their_first_two_characters():
    assert domain.volume_kind("正卷") == domain.volume_kind("正卷（一）") == "正卷"
    assert domain.volume_kind("副卷（二）") == "副卷"
    for title in ("卷一", "正", "", None, " 正卷"):
        assert domain.volume_kind(title) is None
    assert code_of(lambda: domain.check_volume("诉讼卷")) == "validation_error"
    assert domain.check_volume("副卷（二）") == "副卷（二）"


def test_a_grant_covers_the_main_volume_or_the_documents_chosen_from_it():
    whole = reading()
    assert whole.covers(1, "正卷") and whole.covers(99, "正卷（二）")  # later documents too
    assert not whole.covers(1, "副卷") and not whole.covers(1, "卷一")
    chosen = reading(documents=frozenset({1, 3}))
    assert chosen.covers(1, "正卷") and chosen.covers(3, "正卷")
    assert not chosen.covers(2, "正卷") and not chosen.covers(3, "副卷")
    assert domain.parse_granted_documents(None) is None
    assert domain.parse_granted_documents([3, 1, True, "2"]) == frozenset({1, 3})


def test_printing_is_only_where_the_clerk_allowed_it():
    assert domain.authorize_print(reading()).print_allowed
    assert code_of(lambda: domain.authorize_print(reading(print_allowed=False))) == "print_not_allowed"


def test_only_the_cases_own_court_previews_it():
    for role in ("clerk", "archivist"):
        assert domain.authorize_staff_case({"role": role, "court": "广州中院"}, "广州中院") == "广州中院"
    for actor, court in (
        ({"role": "clerk", "court": "天河法院"}, "广州中院"),
        ({"role": "party", "court": "广州中院"}, "广州中院"),
        ({"role": "admin", "court": "广州中院"}, "广州中院"),
        ({"role": "clerk", "court": None}, None),
        ({"role": "clerk", "court": "广州中院"}, None),  # a case whose court nobody recorded
    ):
        assert code_of(lambda actor=actor, court=court: domain.authorize_staff_case(actor, court)) == "not_found"


def test_fields_the_log_gained_later_leave_older_hashes_as_they_were():
    entry = {
        "seq": 1,
        "at": datetime(2026, 5, 1, tzinfo=UTC),
        "application_id": "5",
        "actor_id": 7,
        "actor_name": "张三",
        "action": domain.VIEW_PAGE,
        "document_id": 1,
        "page": 2,
    }
    old = domain.chain_hash(domain.GENESIS_HASH, entry)
    assert domain.chain_hash(domain.GENESIS_HASH, dict(entry, case_no=None, actor_role=None)) == old
    staff = dict(entry, application_id=None, case_no="（2024）粤01民初1号", actor_role="clerk")
    assert domain.chain_hash(domain.GENESIS_HASH, staff) != domain.chain_hash(
        domain.GENESIS_HASH, dict(staff, case_no="（2024）粤01民初2号")
    )


KEY = b"a secret the database does not hold"


def keyed_check(chain: list[dict], keyed_from: int, exported=(), head=None, key: bytes | None = KEY) -> list[str]:
    checker = domain.ChainCheck(key, keyed_from)
    for entry in chain:
        checker.feed(entry)
    head = head or ((chain[-1]["seq"], chain[-1]["hash"]) if chain else (0, domain.GENESIS_HASH))
    held = {entry["seq"]: ("", entry["hash"]) for entry in chain}  # what the log holds at each seq
    return checker.finish(*head) + domain.exported_problems(exported, held)


def test_a_keyed_chain_cannot_be_recomputed_without_the_key():
    chain = entries(6, KEY, keyed_from=4)  # written plain before the log was keyed, keyed after
    assert keyed_check(chain, 4) == []
    # someone with the tables but not the key alters entry 5 and recomputes every hash after it
    forged = [dict(e) for e in chain]
    forged[4]["actor_name"] = "李四"
    for i in range(4, 6):
        forged[i]["prev_hash"] = forged[i - 1]["hash"]
        forged[i]["hash"] = domain.chain_hash(forged[i]["prev_hash"], forged[i])
    assert keyed_check(forged, 4) == [
        "entry 5: its content does not match its hash (altered)",
        "entry 6: its content does not match its hash (altered)",
    ]
    assert "cannot be checked" in keyed_check(chain, 4, key=None)[0]


def test_exported_heads_find_a_cut_tail_a_wiped_log_and_a_rewritten_chain():
    chain = entries(6, KEY)
    exported = [("", 3, chain[2]["hash"]), ("", 6, chain[5]["hash"])]  # (lane, seq, hash)
    assert keyed_check(chain, 1, exported) == []
    # the tail cut and the head row put back to match: only the export knows
    assert keyed_check(chain[:4], 1, exported) == [
        "entry 6 was exported as a head and is no longer in the log (cut or wiped)"
    ]
    assert keyed_check([], 1, exported) == [
        "entry 3 was exported as a head and is no longer in the log (cut or wiped)",
        "entry 6 was exported as a head and is no longer in the log (cut or wiped)",
    ]
    # the whole chain recomputed (by someone who had the key, or on a plain log): heads differ
    rewritten = entries(6, b"another key")
    assert "entry 3 no longer has the hash exported for it (the chain was rewritten)" in keyed_check(
        rewritten, 1, exported, key=b"another key"
    )


def test_the_end_of_a_grant_in_sql_gives_the_same_answers_as_in_python():
    """``ended_sql`` and ``lapsed_sql`` are ``Reading.ended`` and ``lapsed`` written for the
    database: over the real tables, at moments either side of an end, they agree."""
    from datetime import timedelta

    from sqlalchemy import create_engine, insert, select

    from services.dossier.models import Base, PrintJob, Reading
    from services.dossier.repository import as_reading

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    end = clock.end_of_day(date(2026, 6, 15))
    stamp = at("2026-06-01T12:00:00+08:00")
    with engine.begin() as conn:
        for n, (revoked, withdrawn) in enumerate(((None, None), (stamp, None), (None, stamp), (stamp, stamp))):
            conn.execute(
                insert(Reading).values(
                    application_id=str(n), revoked_at=revoked, withdrawn_at=withdrawn, updated_at=stamp
                )
            )
            conn.execute(
                insert(PrintJob).values(id=str(n), application_id=str(n), user_id=1, documents="[]", stamp="[]",
                                        status="queued", pages_total=1, created_at=stamp, expires_at=end)
            )  # fmt: skip
    with engine.connect() as conn:
        by_sql = set(conn.scalars(select(Reading.application_id).where(domain.ended_sql(Reading))))
        rows = conn.execute(select(Reading)).all()
        by_python = {row.application_id for row in rows if as_reading(row).ended}
        assert by_sql == by_python == {"1", "2", "3"}
        for now in (end - timedelta(seconds=1), end, end + timedelta(days=1)):
            lapsed_sql = set(conn.scalars(select(PrintJob.id).where(domain.lapsed_sql(PrintJob.expires_at, now))))
            jobs = conn.execute(select(PrintJob)).all()
            assert lapsed_sql == {job.id for job in jobs if domain.lapsed(job.expires_at, now)}
            assert bool(lapsed_sql) == (now >= end)
