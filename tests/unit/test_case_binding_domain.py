"""case_binding's rules without I/O: the relation answers, the feed's validation, bindings."""

from __future__ import annotations

import pytest

from services.case_binding import domain
from services.common.errors import DomainError
from tests.support import new_id_number


@pytest.mark.parametrize(
    ("role", "relation", "status", "can_apply", "needs_binding"),
    [
        ("party", "party", "in_trial", True, False),
        ("party", "party", "archived", True, False),
        ("lawyer", "lawyer_of_record", "in_trial", True, False),
        ("lawyer", "lawyer_bound", "in_trial", True, False),
        ("lawyer", "none", "in_trial", False, True),  # must bind first (案件绑定)
        ("lawyer", "none", "archived", True, False),  # archived: materials only, no binding
        ("clerk", "none", "in_trial", False, False),
        ("clerk", "none", "archived", False, False),
    ],
)
def test_relation_answers_follow_the_manual(role, relation, status, can_apply, needs_binding):
    assert domain.relation_answer(role, relation, status) == {"can_apply": can_apply, "needs_binding": needs_binding}


def test_the_strongest_relation_wins():
    assert domain.strongest({"lawyer_bound", "lawyer_of_record"}) == "lawyer_of_record"
    assert domain.strongest({"lawyer_bound"}) == "lawyer_bound"
    assert domain.strongest(set()) == "none"


def feed_case(**changes) -> dict:
    case = {
        "case_no": "(2021) 粤01民初1号",
        "court": " 广东省广州市中级人民法院 ",
        "cause": "买卖合同纠纷",
        "status": "in_trial",
        "has_electronic_dossier": True,
        "parties": [{"name": "张三", "id_number": new_id_number(), "side": "原告"}],
        "lawyers": [{"name": "王律师", "license_no": "14401201910000001", "party_name": "张三"}],
        "extra": "ignored",
    }
    case.update(changes)
    return case


def test_a_feed_case_is_cleaned_to_canonical_form():
    id_number = next(n for n in iter(new_id_number, None) if n.endswith("X"))
    raw = feed_case(parties=[{"name": "张三", "id_number": id_number.lower(), "side": "原告"}])
    (record,) = domain.parse_import({"cases": [raw]})
    assert record.case_no == "（2021）粤01民初1号"
    assert record.court == "广东省广州市中级人民法院"
    assert record.parties[0].id_number == id_number


def test_a_valid_feed_parses_and_the_last_duplicate_wins():
    party = {"name": "张三", "id_number": new_id_number(), "side": "原告"}
    cases = [feed_case(parties=[party, party]), feed_case(parties=[party], status="archived")]
    (record,) = domain.parse_import({"cases": cases})
    assert record.status == "archived"
    assert record.parties == (domain.Party("张三", party["id_number"], "原告"),)
    assert record.lawyers == (domain.Lawyer("王律师", "14401201910000001", "张三"),)
    assert domain.parse_import({"cases": []}) == []


@pytest.mark.parametrize(
    ("case", "code", "where"),
    [
        (feed_case(case_no="粤01民初1号"), "invalid_case_no", "cases[1]"),
        (feed_case(status="open"), "validation_error", "cases[1].status"),
        (feed_case(has_electronic_dossier="true"), "validation_error", "cases[1].has_electronic_dossier"),
        (feed_case(court=None), "validation_error", "cases[1].court"),
        (feed_case(court="广州\u200b中院"), "validation_error", "cases[1].court"),
        (feed_case(court="法" * 101), "validation_error", "cases[1].court"),
        (feed_case(parties={"name": "张三"}), "validation_error", "cases[1].parties"),
        (feed_case(parties=["张三"]), "validation_error", "cases[1].parties[0]"),
        (feed_case(parties=[{"name": "张三", "id_number": "123"}]), "invalid_id_number", "cases[1].parties[0]"),
        (
            feed_case(parties=[{"name": "", "id_number": new_id_number()}]),
            "validation_error",
            "cases[1].parties[0].name",
        ),
        (
            feed_case(lawyers=[{"name": "王律师", "license_no": 1}]),
            "validation_error",
            "cases[1].lawyers[0].license_no",
        ),
        ("a case", "validation_error", "cases[1]"),
    ],
)
def test_a_bad_case_refuses_the_batch_naming_it(case, code, where):
    with pytest.raises(DomainError) as caught:
        domain.parse_import({"cases": [feed_case(case_no="(2021)粤01民初2号"), case]})
    error = caught.value
    assert error.code == code
    assert where in (error.details.get("fields") or {error.details.get("field"): ""})
    assert "cases[1]" in error.message


@pytest.mark.parametrize("body", [None, [], {"cases": "all"}, {"cases": None}, {}])
def test_the_feed_must_be_an_object_with_a_list(body):
    with pytest.raises(DomainError) as caught:
        domain.parse_import(body)
    assert caught.value.code == "validation_error"


def test_a_batch_has_a_ceiling():
    with pytest.raises(DomainError) as caught:
        domain.parse_import({"cases": [{}] * (domain.IMPORT_MAX_CASES + 1)})
    assert "cases" in caught.value.details["fields"]


def test_missing_binding_materials_are_named_in_order():
    assert domain.missing_kinds([]) == ["license", "authorization"]
    assert domain.missing_kinds([{"kind": "authorization"}, {"kind": "other"}]) == ["license"]
    assert domain.missing_kinds([{"kind": "license"}, {"kind": "authorization"}]) == []


def test_a_decision_is_approve_or_reject_with_a_reason():
    assert domain.parse_decision({"decision": "approve"}) == ("approved", None)
    assert domain.parse_decision({"decision": "reject", "explanation": " 材料不全 "}) == ("rejected", "材料不全")
    for body in ({"decision": "reject"}, {"decision": "reject", "explanation": "  "}, {"decision": "return"}, [], None):
        with pytest.raises(DomainError) as caught:
            domain.parse_decision(body)
        assert caught.value.code == "validation_error"
    with pytest.raises(DomainError):
        domain.parse_decision({"decision": "approve", "explanation": "长" * (domain.MAX_EXPLANATION + 1)})


def test_status_filters():
    assert domain.parse_status_filter(None) is None
    assert domain.parse_status_filter("pending") == "pending"
    with pytest.raises(DomainError):
        domain.parse_status_filter("expired")
