"""case_binding's rules without I/O: the relation answers, the feed's validation, bindings."""

from __future__ import annotations

import pytest

from services.case_binding import cli, domain
from services.common.court.people import credit_code_check_character, is_valid_credit_code, normalise_credit_code
from services.common.infra.errors import DomainError
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
        (
            feed_case(parties=[{"name": "张三", "id_number": "123"}]),
            "invalid_id_number",
            "cases[1].parties[0].id_number",
        ),
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


# -- organisation parties (单位当事人) -------------------------------------------------------

# Codes built for these tests: the first 17 characters chosen, the check character computed
# by hand from GB 32100-2015 (the first is the standard's own example).
CREDIT_CODES = (
    "91350100M000100Y43",  # 企业 (9 1), 福州
    "91440101MA59ABCD1D",
    "12440000455858888E",  # 机关 (1 2)
    "91110000100008445X",
    "52440106MJL123456H",  # 民办非企业单位 (5 2)
)


@pytest.mark.parametrize("code", CREDIT_CODES)
def test_a_credit_code_with_its_check_character_is_valid(code):
    assert is_valid_credit_code(code)
    assert is_valid_credit_code(" " + code.lower() + " ")  # case and stray spaces, normalised later
    assert normalise_credit_code(code.lower()) == code
    assert credit_code_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y431",  # 19 characters
        "",
        "91350100I000100Y43",  # I, O, Z, S, V are not in the alphabet
        "91350100O000100Y43",
        "91350100Z000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "91350100M000100YI3",
        "91350100M 00100Y43",  # a space inside
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
        913501001000100143,  # not text
        None,
    ],
)
def test_a_bad_credit_code_is_refused(code):
    assert not is_valid_credit_code(code)


def test_the_check_character_is_the_standards():
    # (31 - sum mod 31) mod 31 through the alphabet: a sum divisible by 31 checks with "0".
    assert credit_code_check_character("0" * 17) == "0"
    assert credit_code_check_character("1" + "0" * 16) == "Y"  # weight 1: 31 - 1 = 30, the last letter
    assert credit_code_check_character("0" * 16 + "1") == "3"  # weight 28: 31 - 28 = 3


REPRESENTATIVE_ID = next(n for n in iter(new_id_number, None) if n.endswith("X"))


def organisation(**changes) -> dict:
    """An organisation party of the feed; a field given as ``...`` is left out."""
    party = {
        "name": "广州某某贸易有限公司",
        "credit_code": "91440101ma59abcd1d",
        "side": "被告",
        "representative": {"name": " 李四 ", "id_number": REPRESENTATIVE_ID.lower()},
    }
    party.update(changes)
    return {k: v for k, v in party.items() if v is not ...}


def test_an_organisation_party_parses_with_its_representative():
    person = {"name": "张三", "id_number": new_id_number(), "side": "原告"}
    (record,) = domain.parse_import({"cases": [feed_case(parties=[person, organisation()])]})
    assert record.parties == (
        domain.Party("张三", person["id_number"], "原告"),
        domain.Party(
            "广州某某贸易有限公司",
            None,
            "被告",
            "91440101MA59ABCD1D",
            domain.Representative("李四", REPRESENTATIVE_ID),
        ),
    )


@pytest.mark.parametrize(
    "party",
    [
        organisation(representative=...),
        organisation(representative=None),
        organisation(id_number=None),
        organisation(id_number=" "),  # an empty cell gives no ID number
    ],
)
def test_an_organisation_may_come_without_a_representative_or_with_empty_id_cells(party):
    (record,) = domain.parse_import({"cases": [feed_case(parties=[party])]})
    (parsed,) = record.parties
    assert (parsed.id_number, parsed.credit_code) == (None, "91440101MA59ABCD1D")


@pytest.mark.parametrize(
    ("party", "code", "fields"),
    [
        (organisation(credit_code="91440101MA59ABCD1E"), "validation_error", ["credit_code"]),
        (organisation(credit_code="91440101MA59ABCD1"), "validation_error", ["credit_code"]),
        (organisation(credit_code="91440101IA59ABCD1D"), "validation_error", ["credit_code"]),
        (organisation(credit_code=91440101), "validation_error", ["credit_code"]),
        (organisation(id_number=new_id_number()), "validation_error", ["id_number", "credit_code"]),  # both
        (organisation(credit_code=...), "validation_error", ["id_number", "credit_code"]),  # neither
        ({"name": "张三", "side": "原告"}, "validation_error", ["id_number", "credit_code"]),
        ({"name": "张三", "id_number": "", "credit_code": ""}, "validation_error", ["id_number", "credit_code"]),
        (organisation(representative={"name": "李四", "id_number": "440106199001011234"}), "invalid_id_number", None),
        (organisation(representative={"name": "李四"}), "validation_error", ["representative.id_number"]),
        (organisation(representative={"name": "", "id_number": new_id_number()}), "validation_error", None),
        (organisation(representative="李四"), "validation_error", ["representative"]),
        (
            {"name": "张三", "id_number": new_id_number(), "representative": {"name": "李四", "id_number": "x"}},
            "validation_error",
            ["representative"],  # only an organisation has a 法定代表人
        ),
    ],
)
def test_a_bad_party_refuses_the_batch_naming_the_field(party, code, fields):
    good = feed_case(case_no="(2021)粤01民初2号", parties=[organisation()])
    bad = feed_case(parties=[{"name": "张三", "id_number": new_id_number()}, party])
    with pytest.raises(DomainError) as caught:
        domain.parse_import({"cases": [good, bad]})
    error = caught.value
    assert error.code == code
    if code == "invalid_id_number":
        assert error.details["field"] == "cases[1].parties[1].representative.id_number"
        assert "法定代表人" in error.message and "cases[1].parties[1].representative.id_number" in error.message
    elif fields is None:
        assert list(error.details["fields"]) == ["cases[1].parties[1].representative.name"]
    else:
        assert list(error.details["fields"]) == [f"cases[1].parties[1].{f}" for f in fields]
        assert all(f"cases[1].parties[1].{f}" in error.message for f in fields)


def test_a_bad_id_number_keeps_its_code_and_names_its_place():
    with pytest.raises(DomainError) as caught:
        domain.parse_import({"cases": [feed_case(parties=[organisation(), {"name": "张三", "id_number": "1"}])]})
    assert caught.value.code == "invalid_id_number"
    assert caught.value.details == {"field": "cases[0].parties[1].id_number"}
    assert "cases[0].parties[1].id_number" in caught.value.message


def test_the_csv_carries_organisation_parties_and_old_files_still_read(tmp_path):
    person_id, representative_id = new_id_number(), new_id_number()
    old = tmp_path / "old.csv"
    old.write_text(
        "case_no,court,cause,status,has_electronic_dossier,role,name,id_number,side,license_no,party_name\n"
        f"(2021)粤01民初1号,某法院,合同纠纷,in_trial,否,party,张三,{person_id},原告,,\n",
        encoding="utf-8",
    )
    body, lines = cli.read_csv(str(old))
    assert body["cases"][0]["parties"] == [{"name": "张三", "id_number": person_id, "side": "原告"}]
    new = tmp_path / "new.csv"
    new.write_text(
        "case_no,court,cause,status,has_electronic_dossier,role,name,id_number,side,license_no,party_name,"
        "credit_code,representative_name,representative_id_number\n"
        f"(2021)粤01民初1号,某法院,合同纠纷,in_trial,否,party,张三,{person_id},原告,,,,,\n"
        "(2021)粤01民初1号,,,,,party,某某有限公司,,被告,,,91350100M000100Y43,,\n"
        f"(2021)粤01民初1号,,,,,party,某某贸易公司,,第三人,,,91440101MA59ABCD1D,李四,{representative_id}\n"
        "(2021)粤01民初1号,,,,,lawyer,王律师,,,14401201910000001,某某有限公司,,,\n",
        encoding="utf-8",
    )
    body, lines = cli.read_csv(str(new))
    (record,) = domain.parse_import(body)
    assert record.parties == (
        domain.Party("张三", person_id, "原告"),
        domain.Party("某某有限公司", None, "被告", "91350100M000100Y43"),
        domain.Party(
            "某某贸易公司", None, "第三人", "91440101MA59ABCD1D", domain.Representative("李四", representative_id)
        ),
    )
    assert record.lawyers == (domain.Lawyer("王律师", "14401201910000001", "某某有限公司"),)


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
    # an approval the clerk wrote nothing for says the one default; a rejection needs its reason
    assert domain.parse_decision({"decision": "approve"}) == ("approved", "材料齐全，予以绑定")
    assert domain.parse_decision({"decision": "approve", "explanation": "  "}) == ("approved", domain.APPROVE_TEXT)
    assert domain.parse_decision({"decision": "approve", "explanation": "已核对"}) == ("approved", "已核对")
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
    assert domain.parse_status_filter("revoked") == "revoked"
    with pytest.raises(DomainError):
        domain.parse_status_filter("expired")


def test_a_revocation_needs_an_explanation():
    assert domain.parse_revocation({"explanation": " 委托关系已解除 "}) == "委托关系已解除"
    assert domain.parse_revocation({"explanation": "长" * domain.MAX_EXPLANATION}) == "长" * domain.MAX_EXPLANATION
    for body in ({}, {"explanation": None}, {"explanation": "  "}, {"explanation": 5}, [], None):
        with pytest.raises(DomainError) as caught:
            domain.parse_revocation(body)
        assert caught.value.code == "validation_error"
    with pytest.raises(DomainError) as caught:
        domain.parse_revocation({"explanation": "长" * (domain.MAX_EXPLANATION + 1)})
    assert "explanation" in caught.value.details["fields"]
    assert domain.revocation_reason("委托关系已解除") == "案件绑定已被撤销：委托关系已解除"


# -- claims: does the feed end a reader's relation? ----------------------------------------

PERSON_ID, REP_ID, LICENSE = new_id_number(), new_id_number(birth="19800202"), "14401201910000001"


def party_claim(name="张三", id_number=PERSON_ID) -> domain.Claim:
    return domain.Claim(1, "（2024）粤01民初1号", "party", name, id_number, None, "party")


def lawyer_claim(relation="lawyer_of_record", license_no=LICENSE) -> domain.Claim:
    return domain.Claim(2, "（2024）粤01民初1号", "lawyer", "王律师", None, license_no, relation)


PERSON = domain.Party("张三", PERSON_ID, "原告")
COMPANY = domain.Party("某某有限公司", None, "被告", "91440101MA59XXXX0X", domain.Representative("李四", REP_ID))
OF_RECORD = domain.Lawyer("王律师", LICENSE, "张三")


@pytest.mark.parametrize(
    ("claim", "parties", "lawyers", "bound", "relation"),
    [
        (party_claim(), (PERSON,), (), False, "party"),
        (party_claim(), (COMPANY,), (), False, "none"),  # dropped by the feed
        (party_claim(), (), (), False, "none"),
        (party_claim(name="张叁"), (PERSON,), (), False, "none"),  # a name alone is not the person
        (party_claim(id_number=REP_ID), (PERSON,), (), False, "none"),
        (party_claim(name="李四", id_number=REP_ID), (COMPANY,), (), False, "party"),  # the 法定代表人
        (
            party_claim(name="李四", id_number=REP_ID),
            (domain.Party("某某有限公司", None, "被告", "91440101MA59XXXX0X"),),
            (),
            False,
            "none",
        ),
        (
            party_claim(name="某某有限公司", id_number=None),
            (COMPANY,),
            (),
            False,
            "none",
        ),  # an organisation matches nobody
        (party_claim(), (PERSON,), (OF_RECORD,), True, "party"),  # bindings are for lawyers
        (lawyer_claim(), (), (OF_RECORD,), False, "lawyer_of_record"),
        (lawyer_claim(), (), (OF_RECORD,), True, "lawyer_of_record"),
        (lawyer_claim(), (), (), True, "lawyer_bound"),  # weakened, not ended
        (lawyer_claim(), (PERSON,), (), False, "none"),
        (
            lawyer_claim(relation="lawyer_bound"),
            (),
            (domain.Lawyer("赵律师", "14401201910000002", "张三"),),
            False,
            "none",
        ),
        (lawyer_claim(license_no=None), (), (OF_RECORD,), False, "none"),
        (lawyer_claim(license_no=None), (), (), True, "lawyer_bound"),
        (
            domain.Claim(3, "（2024）粤01民初1号", "clerk", "审查员", None, None, "none"),
            (PERSON,),
            (OF_RECORD,),
            True,
            "none",
        ),
    ],
)
def test_a_claimed_relation_is_weighed_against_the_new_parties_and_lawyers(claim, parties, lawyers, bound, relation):
    assert domain.claimed_relation(claim, parties, lawyers, bound) == relation


def test_only_a_relation_that_is_gone_ends_and_the_reader_is_told_why():
    assert domain.ended_reason(party_claim(), "party") is None
    assert domain.ended_reason(party_claim(), "none") == "案件信息更新：您已不是本案当事人"
    assert domain.ended_reason(lawyer_claim(), "lawyer_bound") is None  # of record → still bound
    assert domain.ended_reason(lawyer_claim(), "none") == "案件信息更新：您已不是本案代理律师"
    assert set(domain.CLAIMABLE) == {"party", "lawyer_of_record", "lawyer_bound"}
