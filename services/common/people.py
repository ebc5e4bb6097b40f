"""Real-name rules: mainland phone numbers, resident ID numbers (GB 11643), unified social
credit codes of organisations (GB 32100), masking."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeGuard

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# 统一社会信用代码 (GB 32100-2015): 18 characters of this alphabet (no I, O, Z, S, V), the
# last a check character over the first 17 with these weights (3**i mod 31).
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def is_valid_phone(value: object) -> bool:
    return isinstance(value, str) and bool(_PHONE.match(value))


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: object) -> TypeGuard[str]:
    """An 18-digit resident ID number whose check digit and birth date are right."""
    if not isinstance(value, str):
        return False
    text = normalise_id_number(value)
    if not _ID.match(text):
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > date.today():
        return False
    return id_check_digit(text[:17]) == text[17]


def normalise_credit_code(value: str) -> str:
    return value.strip().upper()


def credit_code_check_character(first17: str) -> str:
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value: object) -> TypeGuard[str]:
    """An organisation's 18-character unified social credit code whose check character is
    right (lower case accepted, normalised later)."""
    if not isinstance(value, str):
        return False
    text = normalise_credit_code(value)
    if len(text) != 18 or any(c not in _CREDIT_ALPHABET for c in text):
        return False
    return credit_code_check_character(text[:17]) == text[17]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:] if len(id_number) > 8 else "****"
