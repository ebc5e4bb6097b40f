"""Case numbers (案号): parsing and the canonical form.

Shape: （year）court-code [special-trial code] type-code number 号, e.g. （2021）粤01民初1号.
See shared reference "case-numbers.md". Input may use ASCII or full-width brackets, stray
spaces and full-width digits; output is always full-width brackets and ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.common import clock
from services.common.errors import DomainError

# One-character codes of the high courts, plus 内 (Inner Mongolia), 军 (military), 兵 (XPCC).
PROVINCES = "粤京沪津渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘桂琼川黔云藏陕甘青宁新内军兵"

_PATTERN = re.compile(
    r"^\((?P<year>\d{4})\)"
    rf"(?P<court>最高法|[{PROVINCES}](?:\d{{4}}|\d{{2}})?)"
    r"(?P<trial_type>[\u4e00-\u9fff]{1,4}?)"
    r"(?P<number>\d+)号$"
)


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
    """Parse a case number or raise ``DomainError('invalid_case_no')`` saying what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        raise _invalid("请填写案号，例如（2021）粤01民初1号")
    if len(raw) > 64:
        raise _invalid("案号过长")
    text = _normalise(raw)
    if not text.startswith("(") or ")" not in text:
        raise _invalid("案号应以括号括起的收案年度开头，例如（2021）")
    if not text.endswith("号"):
        raise _invalid("案号应以“号”结尾")
    match = _PATTERN.match(text)
    if not match:
        raise _invalid("案号格式不正确，应为（年度）法院代字类型代字序号号，例如（2021）粤01民初1号")
    year = int(match["year"])
    if year < 1949 or year > clock.today().year:
        raise _invalid("案号中的收案年度不正确")
    number = int(match["number"])
    if number == 0:
        raise _invalid("案号中的序号应从1开始")
    if match["number"].startswith("0"):
        raise _invalid("案号中的序号不应以0开头")
    return CaseNumber(year, match["court"], match["trial_type"], number)


def canonical(raw: object) -> str:
    """The canonical text of a case number: （2021）粤01民初1号."""
    return str(parse(raw))


def _invalid(message: str) -> DomainError:
    return DomainError("invalid_case_no", message)
