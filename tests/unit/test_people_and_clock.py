from datetime import date, datetime

import pytest

from services.common import clock
from services.common.people import (
    id_check_digit,
    is_valid_id_number,
    is_valid_phone,
    mask_id_number,
    mask_phone,
)


def test_id_number_check_digit_follows_gb11643():
    assert is_valid_id_number("11010519491231002X")  # the standard's own example
    assert is_valid_id_number("11010519491231002x")  # lower-case x accepted, normalised later
    assert not is_valid_id_number("110105194912310021")  # wrong check digit
    assert not is_valid_id_number("11010519491331002" + id_check_digit("11010519491331002"))  # month 13
    assert not is_valid_id_number("1101051949123100")  # too short
    assert not is_valid_id_number(110105194912310020)  # not text
    assert not is_valid_id_number("１１０１０５１９４９１２３１００２Ｘ")  # full-width digits are not an ID


@pytest.mark.parametrize(
    "phone,ok",
    [
        ("13800000000", True),
        ("19912345678", True),
        ("12800000000", False),
        ("1380000000", False),
        ("+8613800000000", False),
        ("1380000000a", False),
    ],
)
def test_phone_rule(phone, ok):
    assert is_valid_phone(phone) is ok


def test_masks_keep_only_the_ends():
    assert mask_phone("13800000000") == "138****0000"
    assert mask_id_number("440106199001011234") == "4401**********1234"


def test_fake_clock_file_is_read_at_every_call(tmp_path, monkeypatch):
    path = tmp_path / "now"
    monkeypatch.setenv("COURT_FAKE_NOW_FILE", str(path))
    path.write_text("2022-05-22T23:59:00+08:00")
    assert clock.today() == date(2022, 5, 22)
    path.write_text("2022-05-22T16:01:00Z")  # UTC input: 00:01 the next day in Beijing
    assert clock.today() == date(2022, 5, 23)
    assert clock.isoformat(clock.now()) == "2022-05-23T00:01:00+08:00"
    path.write_text("")  # empty: the system clock again
    assert abs((clock.now() - datetime.now(clock.COURT_TZ)).total_seconds()) < 5


def test_end_of_day_is_midnight_in_beijing():
    assert clock.isoformat(clock.end_of_day(date(2022, 5, 22))) == "2022-05-23T00:00:00+08:00"


def test_an_applicant_s_phone_is_sealed_for_whoever_holds_the_contact_key():
    from nameko import config

    from services.common.contact import new_key, phone_of, seal_phone

    key = new_key()
    with config.patch({"CONTACT_KEY": key}):
        applicant: dict = {"id": 1}
        seal_phone(applicant, "13812345678")
        assert "phone" not in applicant and "13812345678" not in applicant["phone_sealed"]
        assert phone_of(applicant) == "13812345678"
        assert phone_of({"phone": "13900000000"}) == "13900000000"  # an event from before
    with config.patch({"CONTACT_KEY": new_key()}):  # another key: nothing to read
        assert phone_of(applicant) is None
    plain: dict = {}
    seal_phone(plain, "13812345678")  # no key configured: plain, as before
    assert plain == {"phone": "13812345678"}
