"""Real-name rules: mainland phone numbers, resident ID numbers (GB 11643), masking."""

from __future__ import annotations

import re
from datetime import date

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def is_valid_phone(value: object) -> bool:
    return isinstance(value, str) and bool(_PHONE.match(value))


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: object) -> bool:
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


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(id_number: str) -> str:
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:] if len(id_number) > 8 else "****"
