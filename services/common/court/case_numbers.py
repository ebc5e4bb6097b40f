"""Case numbers (案号): parsing and the canonical form.

Shape: （year）court-code [special-trial code] type-code number 号, e.g. （2021）粤01民初1号.
See shared reference "case-numbers.md". Input may use ASCII or full-width brackets, stray
spaces and full-width digits; output is always full-width brackets and ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.common.court import clock
from services.common.infra.errors import DomainError

# One-character codes of the high courts, plus 内 (Inner Mongolia), 军 (military), 兵 (XPCC).
PROVINCES = "粤京沪津渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘桂琼川黔云藏陕甘青宁新内军兵"
MAX_LENGTH = 64
EXAMPLE = "（2021）粤01民初1号"

# [0-9], not \d: \d also matches other scripts' digits (e.g. Arabic-Indic), which NFKC keeps
# and which would otherwise leak into the canonical form.
_YEAR = re.compile(r"^\(([0-9]+)\)")
_COURT = re.compile(rf"^(最高法|[{PROVINCES}](?:[0-9]{{4}}|[0-9]{{2}})?)(?![0-9])")
# Special-trial code (one character, 2018 amendment) + type code (at most three): 1–4 CJK.
_TYPE = re.compile(r"^([\u4e00-\u9fff]{1,4})(?=[0-9])")
_NUMBER = re.compile(r"^([0-9]+)号$")


@dataclass(frozen=True)
class CaseNumber:
    year: int
    court: str
    type_code: str
    number: int

    def __str__(self) -> str:
        return f"（{self.year}）{self.court}{self.type_code}{self.number}号"


def _normalise(raw: str) -> str:
    # NFKC folds full-width digits and brackets into ASCII; spaces of any width go.
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"\s+", "", text)


def parse(raw: object) -> CaseNumber:
    """Parse a case number or raise ``DomainError('invalid_case_no')`` saying what is wrong.

    Checked part by part, left to right, so the message names the first wrong part."""
    if not isinstance(raw, str) or not raw.strip():
        raise _invalid(f"请填写案号，例如{EXAMPLE}")
    if len(raw) > MAX_LENGTH:
        raise _invalid("案号过长")
    text = _normalise(raw)
    year_match = _YEAR.match(text)
    if not text.startswith("(") or ")" not in text:
        raise _invalid("案号应以括号括起的收案年度开头，例如（2021）")
    if not year_match or len(year_match[1]) != 4:
        raise _invalid("案号中的收案年度应为括号内的四位数字，例如（2021）")
    year = int(year_match[1])
    if year < 1949 or year > clock.today().year:
        raise _invalid("案号中的收案年度不正确")
    rest = text[year_match.end() :]
    court_match = _COURT.match(rest)
    if not court_match:
        raise _invalid("案号中的法院代字不正确，应为省份简称加两位或四位数字，例如粤01、粤0106")
    rest = rest[court_match.end() :]
    if not rest.endswith("号"):
        raise _invalid("案号应以“号”结尾")
    type_match = _TYPE.match(rest)
    if not type_match:
        raise _invalid("案号中的类型代字不正确，应为一至四个汉字，例如民初、刑终、执")
    number_match = _NUMBER.match(rest[type_match.end() :])
    if not number_match:
        raise _invalid(f"案号格式不正确，应为（年度）法院代字类型代字序号号，例如{EXAMPLE}")
    digits = number_match[1]
    if int(digits) == 0:
        raise _invalid("案号中的序号应从1开始")
    if digits.startswith("0"):
        raise _invalid("案号中的序号不应以0开头")
    return CaseNumber(year, court_match[1], type_match[1], int(digits))


def canonical(raw: object) -> str:
    """The canonical text of a case number: （2021）粤01民初1号."""
    return str(parse(raw))


def _invalid(message: str) -> DomainError:
    return DomainError("invalid_case_no", message)
