"""The ids that cross services: one form on the wire, one row key in applications."""

from __future__ import annotations

import pytest

from services.common.infra.ids import ApplicationId, application_id, application_row, event_application_id
from services.common.infra.messaging import read_event


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


@pytest.mark.parametrize("value", [42, "42", "a-7"])
def test_an_events_application_id_is_the_string_whether_it_came_as_a_number_or_not(value):
    assert event_application_id(value) == str(value)


@pytest.mark.parametrize("value", [None, "", 0, -3, True, 4.0, "9" * 65, ["42"]])
def test_an_events_application_id_that_names_nothing_is_refused(value):
    with pytest.raises(ValueError):
        event_application_id(value)


def test_read_event_hands_the_reader_the_string_and_drops_an_unreadable_id():
    seen = read_event("application_withdrawn", {"event_id": "w-1", "application_id": 42}, lambda p: p["application_id"])
    assert seen == "42" and isinstance(seen, str)
    assert read_event("application_withdrawn", {"event_id": "w-2", "application_id": None}, lambda p: p) is None
    assert read_event("representation_ended", {"user_id": 1}, lambda p: p) == {"user_id": 1}  # no id: as it came
