import pytest

from services.common.infra.errors import DomainError
from services.identity import domain

VALID = {
    "phone": "13800000000",
    "password": "Reader-2024",
    "name": "张三",
    "id_number": "11010519491231002X",
    "role": "party",
}


def code_of(body):
    with pytest.raises(DomainError) as info:
        domain.parse_registration(body)
    return info.value.code


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "ALLUPPERCASE", "1234567890", "!!!!!!!!!"])
def test_weak_passwords(password):
    assert code_of({**VALID, "password": password}) == "weak_password"


@pytest.mark.parametrize("password", ["lowercase1", "Upperlower", "abc-defgh", "中文密码中文密码1"])
def test_passwords_with_two_kinds_pass(password):
    assert domain.parse_registration({**VALID, "password": password}).password == password


def test_each_rule_has_its_code():
    assert code_of({**VALID, "phone": "12345"}) == "invalid_phone"
    assert code_of({**VALID, "id_number": "110105194912310021"}) == "invalid_id_number"
    assert code_of({**VALID, "role": "admin"}) == "validation_error"  # staff cannot sign themselves up
    assert code_of({**VALID, "name": ""}) == "validation_error"
    assert code_of({**VALID, "name": 42}) == "validation_error"
    assert code_of({**VALID, "name": "张" * 51}) == "validation_error"
    assert code_of({**VALID, "name": "张\u202e三"}) == "validation_error"  # bidi override
    assert code_of({**VALID, "password": ["x"]}) == "validation_error"
    assert code_of({**VALID, "role": "lawyer"}) == "validation_error"  # license number missing


def test_lawyer_fields_are_kept():
    reg = domain.parse_registration(
        {**VALID, "role": "lawyer", "license_no": "14401201010000001", "law_firm": "广东某某律师事务所"}
    )
    assert (reg.license_no, reg.law_firm) == ("14401201010000001", "广东某某律师事务所")


@pytest.mark.parametrize("password", ["Password1", "woaini1314", "Aa123456", "1qaz2WSX", "qwer1234"])
def test_the_commonest_passwords_are_refused(password):
    assert code_of({**VALID, "password": password}) == "weak_password"


def test_sms_codes_are_six_ascii_digits():
    codes = {domain.new_sms_code() for _ in range(200)}
    assert all(domain.is_code_shape(c) for c in codes) and len(codes) > 150
    for odd in ("１２３４５６", "12345", "1234567", None, 123456):
        assert not domain.is_code_shape(odd)


def test_an_approval_without_a_note_says_the_one_default_and_a_rejection_needs_its_reason():
    assert domain.check_decision({"decision": "approve"}) == ("approve", "证件与注册信息一致")
    assert domain.check_decision({"decision": "approve", "explanation": " "}) == ("approve", domain.APPROVE_TEXT)
    assert domain.check_decision({"decision": "approve", "explanation": "已人工核对"}) == ("approve", "已人工核对")
    assert domain.check_decision({"decision": "reject", "explanation": "照片不清晰"}) == ("reject", "照片不清晰")
    with pytest.raises(DomainError) as refused:
        domain.check_decision({"decision": "reject"})
    assert refused.value.code == "validation_error"
    assert "explanation" in refused.value.details["fields"]
