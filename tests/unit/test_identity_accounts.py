"""Identity's use cases without a broker: SMS codes, one account per person, the lockout
under a burst of parallel guesses (on a real SQLite file: the counters are SQL
statements), recovery and 实名认证. The other tests run twice: over the in-memory
repository and over the SQL one on a SQLite file, so the two answer alike."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import sessionmaker

from services.common.infra.db import UnitOfWork, make_engine
from services.common.infra.errors import DomainError
from services.identity import models, repository, usecases
from services.identity.dependencies import ManualCheck
from tests.support import new_id_number, new_phone
from tests.unit.fakes.identity import fake_unit_of_work

PASSWORD = "Reader-2024"
IDENTITY_CARD = {"id": "m1", "kind": "identity", "filename": "id.jpg", "content_type": "image/jpeg", "size": 9}


class PlainHasher:
    """Counts the passwords it checks: what the lockout must keep at five."""

    def __init__(self) -> None:
        self.checked = 0
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, stored: str, password: str) -> bool:
        with self._lock:
            self.checked += 1
        time.sleep(0.02)  # a real hash takes about this long: the burst overlaps it
        return stored == "plain:" + password


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def send(self, phone: str, template: str, params: dict) -> None:
        self.sent.append((phone, template, params))

    def code(self, phone: str) -> str:
        return [p["code"] for to, t, p in self.sent if to == phone and t == "sms_code"][-1]


@pytest.fixture
def sqlite_uow(tmp_path):
    engine = make_engine("identity", f"sqlite:///{tmp_path / 'identity.db'}", pool_size=40)
    models.Base.metadata.create_all(engine)
    return repository.unit_of_work(UnitOfWork(sessionmaker(engine, expire_on_commit=False)))


@pytest.fixture(params=["memory", "sqlite"])
def uow(request):
    return fake_unit_of_work() if request.param == "memory" else request.getfixturevalue("sqlite_uow")


def sign_up(uow, texts, hasher, clock_move=None, **fields) -> dict:
    body = {
        "phone": new_phone(),
        "password": PASSWORD,
        "name": "张三",
        "id_number": new_id_number(),
        "role": "party",
        **fields,
    }
    usecases.request_sms_code(uow, texts, body["phone"], "register")
    body.setdefault("sms_code", texts.code(body["phone"]))
    usecases.register(uow, hasher, body)
    return body


def code_of(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


def test_a_burst_of_thirty_wrong_passwords_checks_at_most_five(sqlite_uow, clock):
    uow = sqlite_uow
    texts, hasher = Outbox(), PlainHasher()
    account = sign_up(uow, texts, hasher)
    hasher.checked = 0

    def attempt(_):
        try:
            usecases.login(uow, hasher, account["phone"], "Wrong-pass1", 12)
        except DomainError as refused:
            return refused.code
        return "ok"

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(attempt, range(30)))
    assert hasher.checked <= 5
    assert answers.count("invalid_credentials") <= 5 and set(answers) <= {"invalid_credentials", "rate_limited"}
    assert code_of(lambda: usecases.login(uow, hasher, account["phone"], PASSWORD, 12)) == "rate_limited"
    clock(minutes=16)
    assert usecases.login(uow, hasher, account["phone"], PASSWORD, 12)["token"]


def test_one_address_cannot_lock_many_phones(uow, clock, monkeypatch):
    monkeypatch.setenv("LOGIN_ADDRESS_FAILURES", "7")
    texts, hasher = Outbox(), PlainHasher()
    phones = [sign_up(uow, texts, hasher)["phone"] for _ in range(4)]
    codes = [
        code_of(lambda p=p: usecases.login(uow, hasher, p, "Wrong-pass1", 12, client="203.0.113.9"))
        for p in phones
        for _ in range(5)
    ]
    assert codes.count("invalid_credentials") == 7 and codes.count("rate_limited") == 13
    # the phones themselves are not locked: their owners elsewhere still sign in
    for phone in phones[1:]:
        assert usecases.login(uow, hasher, phone, PASSWORD, 12, client="198.51.100.1")["token"]


def test_sms_codes_are_limited_and_die_after_five_wrong_tries(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    phone = new_phone()
    usecases.request_sms_code(uow, texts, phone, "register")
    assert code_of(lambda: usecases.request_sms_code(uow, texts, phone, "reset_password")) == "rate_limited"
    for minute in range(1, 10):
        clock(minutes=minute, seconds=1)
        usecases.request_sms_code(uow, texts, phone, "register")
    clock(minutes=11)
    assert code_of(lambda: usecases.request_sms_code(uow, texts, phone, "register")) == "rate_limited"  # ten a day
    body = {"phone": phone, "password": PASSWORD, "name": "张三", "id_number": new_id_number(), "role": "party"}
    right = texts.code(phone)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert code_of(lambda: usecases.register(uow, hasher, {**body, "sms_code": wrong})) == "invalid_sms_code"
    assert code_of(lambda: usecases.register(uow, hasher, {**body, "sms_code": right})) == "invalid_sms_code"


def test_a_code_expires_after_ten_minutes_and_a_reset_code_reaches_only_accounts(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    phone = new_phone()
    usecases.request_sms_code(uow, texts, phone, "reset_password")  # no account: nothing sent
    assert texts.sent == []
    usecases.request_sms_code(uow, texts, new_phone(), "register")
    clock(minutes=10, seconds=1)
    body = {"phone": texts.sent[0][0], "password": PASSWORD, "name": "张三", "id_number": new_id_number()}
    stale = {**body, "role": "party", "sms_code": texts.sent[0][2]["code"]}
    assert code_of(lambda: usecases.register(uow, hasher, stale)) == "invalid_sms_code"


def test_one_account_per_id_number_and_license(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    first = sign_up(uow, texts, hasher)
    assert code_of(lambda: sign_up(uow, texts, hasher, id_number=first["id_number"])) == "id_number_taken"
    registry = {"lawyers": [{"license_no": "14401201010000001", "name": "王律师", "law_firm": "某律所"}]}
    assert usecases.import_lawyers(uow, {"id": 10_000, "role": "admin"}, registry) == {"imported": 1}
    lawyer = {"role": "lawyer", "name": "王律师", "license_no": "14401201010000001", "law_firm": "某律所"}
    sign_up(uow, texts, hasher, **lawyer)
    assert code_of(lambda: sign_up(uow, texts, hasher, **lawyer)) == "license_taken"


def test_reset_and_change_end_sessions(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    account = sign_up(uow, texts, hasher)
    phone = account["phone"]
    first = usecases.login(uow, hasher, phone, PASSWORD, 12)["token"]
    second = usecases.login(uow, hasher, phone, PASSWORD, 12)["token"]
    usecases.change_password(uow, hasher, texts, second, PASSWORD, "Another-2025")
    assert usecases.resolve(uow, first) is None and usecases.resolve(uow, second) is not None
    assert (
        code_of(lambda: usecases.change_password(uow, hasher, texts, second, "nope", "Third-20255")) == "wrong_password"
    )
    clock(minutes=2)
    usecases.request_sms_code(uow, texts, phone, "reset_password")
    usecases.reset_password(uow, hasher, texts, phone, texts.code(phone), "Reset-2026x")
    assert usecases.resolve(uow, second) is None
    assert [t for _, t, _ in texts.sent].count("password_changed") == 2
    assert usecases.login(uow, hasher, phone, "Reset-2026x", 12)["token"]


def test_verification_by_the_manual_check(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    account = sign_up(uow, texts, hasher)
    token = usecases.login(uow, hasher, account["phone"], PASSWORD, 12)["token"]
    actor = usecases.resolve(uow, token)
    assert actor["verified"] is False
    assert code_of(lambda: usecases.request_verification(uow, ManualCheck(), texts, actor, [])) == "materials_missing"
    asked = usecases.request_verification(uow, ManualCheck(), texts, actor, [IDENTITY_CARD])
    assert asked["status"] == "pending"
    again = lambda: usecases.request_verification(uow, ManualCheck(), texts, actor, [IDENTITY_CARD])  # noqa: E731
    assert code_of(again) == "duplicate_pending"
    clerk = {"id": 999, "role": "clerk", "name": "陈审查"}
    queue = usecases.staff_verifications(uow, clerk)
    assert [item["id"] for item in queue["items"]] == [asked["id"]]
    assert queue["items"][0]["user"]["id_number"] == account["id_number"]
    assert code_of(lambda: usecases.staff_verifications(uow, actor)) == "forbidden"
    assert code_of(lambda: usecases.decide_verification(uow, texts, clerk, asked["id"], {"decision": "reject"})) == (
        "validation_error"  # a refusal says why
    )
    decided = usecases.decide_verification(uow, texts, clerk, asked["id"], {"decision": "approve"})
    assert decided["status"] == "approved"
    assert usecases.resolve(uow, token)["verified"] is True
    assert code_of(again) == "already_verified"
    assert texts.sent[-1][1] == "verification_approved"
    with uow.read() as accounts:
        assert accounts.user_with_phone(account["phone"]).verified_via == "manual"


def test_a_disabled_account_is_out(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    account = sign_up(uow, texts, hasher)
    token = usecases.login(uow, hasher, account["phone"], PASSWORD, 12)["token"]
    user_id = usecases.resolve(uow, token)["id"]
    admin = {"id": 10_000, "role": "admin", "name": "管理员"}
    usecases.set_disabled(uow, admin, user_id, True)
    assert usecases.resolve(uow, token) is None
    assert code_of(lambda: usecases.login(uow, hasher, account["phone"], PASSWORD, 12)) == "account_disabled"
    assert code_of(lambda: usecases.set_disabled(uow, admin, 10_000, True)) == "cannot_disable_self"
    usecases.set_disabled(uow, admin, user_id, False)
    assert usecases.login(uow, hasher, account["phone"], PASSWORD, 12)["token"]
    listed = usecases.list_users(uow, admin, role="party", q="张")
    assert any(item["id"] == user_id and item["disabled"] is False for item in listed["items"])


@pytest.mark.parametrize(
    ("phone", "password", "said"),
    [
        ("1390000000", PASSWORD, "BOOTSTRAP_ADMIN_PHONE"),  # ten digits: a typo
        ("139OOOO0000", PASSWORD, "BOOTSTRAP_ADMIN_PHONE"),  # letters O for zeros
        (None, "qwertyuiop", "BOOTSTRAP_ADMIN_PASSWORD"),  # one kind of character; the phone is made below
        (None, "short1", "BOOTSTRAP_ADMIN_PASSWORD"),
    ],
)
def test_a_bootstrap_admin_the_rules_refuse_is_not_created_and_the_log_says_which_setting(uow, phone, password, said):
    lines: list[str] = []
    phone = phone or new_phone()
    assert usecases.ensure_admin(uow, PlainHasher(), phone, password, log=lines.append) is False
    with uow.read() as accounts:
        assert not accounts.has_admin()
    assert lines == [lines[0]] and said in lines[0] and "not created" in lines[0]
    assert phone not in lines[0] and password not in lines[0]  # a setting's value never reaches a log


def test_a_bootstrap_admin_is_created_once(uow):
    lines: list[str] = []
    phone = new_phone()
    assert usecases.ensure_admin(uow, PlainHasher(), phone, PASSWORD, log=lines.append) is True
    assert usecases.ensure_admin(uow, PlainHasher(), new_phone(), PASSWORD, log=lines.append) is False
    assert lines == ["bootstrap admin created"]
    assert usecases.login(uow, PlainHasher(), phone, PASSWORD, 12)["user"]["role"] == "admin"


def test_the_verification_queue_is_oldest_first_and_what_was_decided_newest_first(uow, clock):
    texts, hasher = Outbox(), PlainHasher()
    asked = []
    for _ in range(3):
        account = sign_up(uow, texts, hasher)
        actor = usecases.resolve(uow, usecases.login(uow, hasher, account["phone"], PASSWORD, 12)["token"])
        asked.append(usecases.request_verification(uow, ManualCheck(), texts, actor, [IDENTITY_CARD])["id"])
    clerk = {"id": 999, "role": "clerk", "name": "陈审查"}
    assert [item["id"] for item in usecases.staff_verifications(uow, clerk)["items"]] == asked
    for verification_id in asked:
        usecases.decide_verification(uow, texts, clerk, verification_id, {"decision": "approve"})
    first = usecases.staff_verifications(uow, clerk, "approved", limit=2)
    rest = usecases.staff_verifications(uow, clerk, "approved", limit=2, cursor=first["next_cursor"])
    assert [item["id"] for item in first["items"] + rest["items"]] == asked[::-1] and rest["next_cursor"] is None
