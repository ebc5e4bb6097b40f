"""Case-number rules (reference/case-numbers.md): what is accepted, its canonical form,
and a clear refusal for each way a number can be malformed."""

from __future__ import annotations

import pytest

from services.common.court import case_numbers, clock
from services.common.court.case_numbers import CaseNumber, canonical, parse
from services.common.infra.errors import DomainError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(2021)粤01民初1号", "（2021）粤01民初1号"),  # the manual's example, ASCII brackets
        ("（2021）粤01民初1号", "（2021）粤01民初1号"),  # already canonical
        ("(2021）粤01民初1号", "（2021）粤01民初1号"),  # mixed brackets
        ("  (2021) 粤01 民初 1 号 ", "（2021）粤01民初1号"),  # stray spaces
        ("（２０２１）粤０１民初１号", "（2021）粤01民初1号"),  # full-width digits
        ("(2021)\u3000粤01民初1号", "（2021）粤01民初1号"),  # ideographic space
        ("(2021)粤0106民初23号", "（2021）粤0106民初23号"),  # basic court, four digits
        ("(2021)粤民终5号", "（2021）粤民终5号"),  # high court, no digits
        ("(2019)最高法民申100号", "（2019）最高法民申100号"),  # Supreme People's Court
        ("(2020)最高法知民终7号", "（2020）最高法知民终7号"),  # special-trial code 知
        ("(2021)粤73知民初9号", "（2021）粤73知民初9号"),  # specialised intermediate court 71–99
        ("(2021)粤0106执1号", "（2021）粤0106执1号"),  # one-character type code
        ("(2021)粤01执恢3号", "（2021）粤01执恢3号"),
        ("(2021)京01刑初1号", "（2021）京01刑初1号"),
        ("(2021)内01行初1号", "（2021）内01行初1号"),  # Inner Mongolia
        ("(2021)军01刑初1号", "（2021）军01刑初1号"),  # military courts
        ("(2021)兵01民初1号", "（2021）兵01民初1号"),  # XPCC branch
        ("(2021)最高法刑核12345678号", "（2021）最高法刑核12345678号"),  # criminal review: 8 random digits
    ],
)
def test_accepted_numbers_have_one_canonical_form(raw: str, expected: str) -> None:
    assert canonical(raw) == expected
    assert canonical(expected) == expected  # canonical form is a fixed point


def test_parse_gives_the_parts() -> None:
    assert parse("(2021)粤0106知民初12号") == CaseNumber(2021, "粤0106", "知民初", 12)
    assert parse("(2019)最高法民申1号").court == "最高法"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (None, "请填写案号"),
        ("", "请填写案号"),
        ("   ", "请填写案号"),
        (20211, "请填写案号"),  # not text
        (["(2021)粤01民初1号"], "请填写案号"),
        ("粤01民初1号", "收案年度开头"),  # no year
        ("2021粤01民初1号", "收案年度开头"),  # year without brackets
        ("(21)粤01民初1号", "四位数字"),  # two-digit year
        ("(二〇二一)粤01民初1号", "四位数字"),  # year in Chinese numerals
        ("(1900)粤01民初1号", "收案年度不正确"),
        ("(2021)粤01民初1", "以“号”结尾"),  # no 号
        ("(2021)粤01民初1号号", "格式不正确"),
        ("(2021)粤01民初号", "类型代字"),  # no number
        ("(2021)粤0112号", "类型代字"),  # a type code of digits
        ("(2021)粤01１２号", "类型代字"),
        ("(2021)粤01ab1号", "类型代字"),
        ("(2021)粤01民初一号", "类型代字"),  # number in Chinese numerals
        ("(2021)粤01民事初审案件1号", "类型代字"),  # type code too long
        ("(2021)粤01民初0号", "从1开始"),  # number 0
        ("(2021)粤01民初000号", "从1开始"),
        ("(2021)粤01民初01号", "不应以0开头"),
        ("(2021)XX民初1号", "法院代字"),  # unknown court code
        ("(2021)粤1民初1号", "法院代字"),  # one digit
        ("(2021)粤010民初1号", "法院代字"),  # three digits
        ("(2021)粤01061民初1号", "法院代字"),  # five digits
        ("(2021)民初1号", "法院代字"),  # no court code at all
        ("(2021)粤\u0660\u0661民初1号", "类型代字"),  # Arabic-Indic digits are not digits here
        ("(2021)粤01民初1号" + " " * 60, "过长"),
        ("(2021)粤01民初" + "1" * 80 + "号", "过长"),
    ],
)
def test_malformed_numbers_are_refused_saying_what_is_wrong(raw: object, words: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse(raw)
    assert caught.value.code == "invalid_case_no"
    assert words in caught.value.message


def test_a_year_in_the_future_is_refused_by_the_court_clock(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "now"
    fake.write_text("2024-12-31T23:59:00+08:00")
    monkeypatch.setenv("COURT_FAKE_NOW_FILE", str(fake))
    assert canonical("(2024)粤01民初1号") == "（2024）粤01民初1号"
    with pytest.raises(DomainError, match="invalid_case_no"):
        parse("(2025)粤01民初1号")
    fake.write_text("2025-01-01T00:00:00+08:00")  # New Year in Beijing, still 2024 in UTC
    assert clock.today().year == 2025
    assert canonical("(2025)粤01民初1号") == "（2025）粤01民初1号"


def test_every_high_court_code_is_accepted() -> None:
    for code in case_numbers.PROVINCES:
        assert canonical(f"(2021){code}01民初1号") == f"（2021）{code}01民初1号"
