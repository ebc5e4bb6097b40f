"""identity's repository on a real database (SQLite, and PostgreSQL with --postgres): the
one-statement counters, accounts, sign-ins and 实名认证, and a sign-up end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.infra.db import Conflict
from services.identity import repository, usecases
from services.identity.models import Session, SmsCode, User, Verification
from tests.support import new_id_number, new_phone

NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


@pytest.fixture
def uow(database) -> repository.RepositoryUnitOfWork[repository.IdentityRepository]:
    return repository.unit_of_work(database("identity"))


def account(phone: str | None = None, **more) -> User:
    fields = dict(phone=phone or new_phone(), password_hash="x", name="张三", role="party", created_at=NOW)
    fields.update(more)
    return User(**fields)


def test_login_attempts_count_lock_and_give_back(uow):
    with uow.transaction() as accounts:
        assert all(accounts.take_attempt("p", NOW, 3, WINDOW) for _ in range(3))
        assert not accounts.take_attempt("p", NOW, 3, WINDOW)  # the fourth locks it
        assert accounts.failures_of("p") == 4 and accounts.failures_of("q") == 0
        accounts.clear_attempts("p", NOW)  # a lock came first: nothing forgiven
    with uow.transaction() as accounts:
        assert not accounts.take_attempt("p", NOW + timedelta(minutes=1), 3, WINDOW)
        later = NOW + WINDOW + timedelta(minutes=1)
        assert accounts.take_attempt("p", later, 3, WINDOW)  # a new window after the lock
        assert accounts.failures_of("p") == 1
        accounts.give_back_attempt("p")
        assert accounts.failures_of("p") == 0
        accounts.give_back_attempt("p")  # never below nothing
        assert accounts.failures_of("p") == 0
        accounts.take_attempt("a", NOW, 3, WINDOW)
        accounts.lock("a", NOW, WINDOW)
        assert not accounts.take_attempt("a", NOW, 3, WINDOW)
        accounts.forget_attempts("a")
        assert accounts.failures_of("a") == 0 and accounts.take_attempt("a", NOW, 3, WINDOW)


def test_only_the_newest_code_lives_and_its_tries_are_counted(uow):
    phone = new_phone()

    def code(at: datetime) -> SmsCode:
        return SmsCode(phone=phone, purpose="register", code_hash="h", created_at=at, expires_at=at + WINDOW, tries=0)

    with uow.transaction() as accounts:
        accounts.add_sms_code(code(NOW - timedelta(minutes=2)))
        accounts.add_sms_code(code(NOW))
        assert accounts.codes_sent_since(phone, NOW - timedelta(minutes=1)) == 1
        newest = accounts.live_code(phone, "register", NOW)
        assert newest.created_at == NOW and accounts.live_code(phone, "reset_password", NOW) is None
        assert accounts.take_code_try(newest.id, 2) and accounts.take_code_try(newest.id, 2)
        assert not accounts.take_code_try(newest.id, 2)
        assert accounts.consume_code(newest.id, NOW) and not accounts.consume_code(newest.id, NOW)
        assert accounts.live_code(phone, "register", NOW) is None
        assert accounts.live_code(phone, "register", NOW + WINDOW) is None


def test_one_account_per_phone_id_number_and_license(uow):
    person = new_id_number()
    with uow.transaction() as accounts:
        first = accounts.add_user(account(id_number=person, license_no="L1"))
        assert accounts.phone_taken(first.phone) and accounts.id_number_taken(person) and accounts.license_taken("L1")
        assert not accounts.id_number_taken(new_id_number())
    for twin in (account(first.phone), account(id_number=person), account(license_no="L1")):
        with pytest.raises(Conflict), uow.transaction() as accounts:
            accounts.add_user(twin)
    with uow.transaction() as accounts:
        accounts.set_password(first.id, "y")
        accounts.add_user(account(role="admin", name="管理员"))
    with uow.read() as accounts:
        assert accounts.user_with_phone(first.phone).password_hash == "y" and accounts.has_admin()
        rows, more = accounts.users("party", None, 10, None)
        assert [u.id for u in rows] == [first.id] and more is None
        assert [u.role for u in accounts.users(None, "管理", 10, None)[0]] == ["admin"]
        assert [u.id for u in accounts.users(None, first.phone, 10, None)[0]] == [first.id]
        assert [u.id for u in accounts.users_among([first.id, 999])] == [first.id] and accounts.users_among([]) == []


def test_sign_ins_end_together_but_the_one_kept(uow):
    with uow.transaction() as accounts:
        user = accounts.add_user(account())
        for token in ("a", "b", "c"):
            accounts.add_session(Session(token_hash=token, user_id=user.id, created_at=NOW, expires_at=NOW + WINDOW))
    with uow.transaction() as accounts:
        accounts.end_sessions(user.id, keep="b")
    with uow.read() as accounts:
        assert [accounts.session(t).revoked_at is None for t in ("a", "b", "c")] == [False, True, False]
        assert accounts.session("z") is None


def test_a_verification_is_decided_once_the_queue_oldest_first_and_the_decided_newest_first(uow):
    with uow.transaction() as accounts:
        accounts.take_turns("verification", 1)
        user = accounts.add_user(account())
        ids = [
            accounts.add_verification(
                Verification(user_id=user.id, status="pending", via="manual", materials="[]", submitted_at=NOW)
            ).id
            for _ in range(3)
        ]
        assert accounts.has_pending_verification(user.id)
    with uow.transaction() as accounts:
        for done in (ids[0], ids[1]):
            assert accounts.decide_pending_verification(done, status="approved", decided_at=NOW).status == "approved"
        assert accounts.decide_pending_verification(ids[0], status="rejected") is None
    with uow.read() as accounts:
        assert [v.id for v in accounts.verifications("pending", 10, None)[0]] == [ids[2]]
        first, more = accounts.verifications("approved", 1, None)
        assert [v.id for v in first] == [ids[1]] and more
        rest, more = accounts.verifications("approved", 1, more)
        assert [v.id for v in rest] == [ids[0]] and more is None
        assert accounts.latest_verification_of(user.id).id == ids[2]
        assert accounts.verification(999) is None


def test_a_sign_up_and_a_sign_in_over_the_real_database(uow):
    class Texts:
        sent: list = []

        def send(self, phone: str, template: str, params: dict) -> None:
            self.sent.append((phone, template, params))

    class Hasher:
        def hash(self, password: str) -> str:
            return "plain:" + password

        def verify(self, stored: str, password: str) -> bool:
            return stored == "plain:" + password

    texts, hasher, phone = Texts(), Hasher(), new_phone()
    usecases.request_sms_code(uow, texts, phone, "register")
    body = {"phone": phone, "password": "Reader-2024", "name": "张三", "id_number": new_id_number(), "role": "party"}
    usecases.register(uow, hasher, {**body, "sms_code": texts.sent[-1][2]["code"]})
    token = usecases.login(uow, hasher, phone, "Reader-2024", 12)["token"]
    assert usecases.resolve(uow, token)["name"] == "张三"
    usecases.logout(uow, token)
    assert usecases.resolve(uow, token) is None
