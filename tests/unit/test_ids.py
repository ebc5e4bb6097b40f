"""The ids that cross services: one form on the wire, one row key in applications."""

from __future__ import annotations

import pytest

from services.common.ids import ApplicationId, application_id, application_row


def test_an_application_id_is_the_contracts_string_whatever_number_an_event_carried():
    assert application_id(42) == application_id("42") == ApplicationId("42") == "42"


@pytest.mark.parametrize(
    ("value", "row"),
    [
        ("42", 42),
        (42, 42),
        ("999999999999999999", 999999999999999999),
        ("0", None),
        (0, None),
        (-3, None),
        ("042", None),
        ("4 2", None),
        ("1e3", None),
        ("٤٢", None),  # Arabic-Indic digits: isdigit() says yes, an id says no
        ("4٢", None),
        ("1" * 19, None),
        (True, None),
        (None, None),
        (4.0, None),
    ],
)
def test_only_a_positive_decimal_names_a_row(value, row):
    assert application_row(value) == row
