"""No input gets a server error: Schemathesis sends what the gateway's own OpenAPI document
allows (and what it does not: negative cases), as a party, a lawyer, a clerk, an archivist, an
admin and signed out (with the Authorization header and session cookie Schemathesis makes up),
and every answer is below 500, every 4xx in the contract's error shape
{"error": {"code", "message"}}, and every answer is one the document promises: its status
is documented for the operation and its body fits that status's schema (an error's code
among those listed).

A bounded run: a fixed number of examples per operation, derandomized (the same cases each
run), no stateful phase. The PostgreSQL pass sends fewer: what it adds to the SQLite pass is
what that database itself refuses (NUL characters, integers past its columns), which the
first cases of each operation already reach. FUZZ_EXAMPLES=N sets both for a deeper run by
hand (each N is another derandomized set of cases). A signed-in identity skips the two
operations that end its own session, so the run never pulls the sign-in from under itself.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.support import Api, assert_error, create_staff, new_lawyer, new_party

EXAMPLES_PER_OPERATION = {"sqlite": 20, "postgresql": 8}
SIGN_OUT = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/session")}
SHOWN_PER_OPERATION = 3  # reproducing requests printed per failing operation


@schemathesis.check
def error_in_contract_shape(ctx, response, case):
    """A refusal is API.md's error object: {"error": {"code": str, "message": str}}."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except Exception:
        raise AssertionError(f"a {response.status_code} whose body is not JSON: {response.text[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
        raise AssertionError(f"a {response.status_code} not in the error shape: {response.text[:200]!r}")
    return None


@pytest.fixture(scope="module")
def schema(stack):
    return schemathesis.openapi.from_url(stack.base_url + "/api/v1/openapi.json", timeout=30)


def _admin(stack) -> Api:
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    return admin


def _token(stack, identity: str) -> str | None:
    if identity == "signed out":
        return None  # Schemathesis makes up the Authorization header and session cookie itself
    if identity == "party":
        return new_party(stack.base_url).token
    admin = _admin(stack)
    if identity == "admin":
        # An admin of its own: well-formed 修改密码 bodies with wrong old passwords count as
        # failed logins, and would lock the bootstrap admin every other test signs in with.
        return create_staff(admin, "admin").token
    if identity == "lawyer":
        return new_lawyer(admin).token
    return create_staff(admin, identity).token


def _strategy(operation):
    modes = [operation.as_strategy(GenerationMode.POSITIVE)]
    try:
        modes.append(operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # nothing in the operation can be made invalid
        pass
    return st.one_of(modes)


def _documented_degradation(operation, response) -> bool:
    """GET /healthz answers 503 while a service does not reply (a broker restart, say): that
    is its contract, about the stack's state, not about the request."""
    if operation.path != "/healthz" or response.status_code != 503:
        return False
    try:
        return response.json().get("status") == "degraded"
    except ValueError:
        return False


def _exercise(operation, base_url, session, headers, failures, statuses, examples: int) -> int:
    """Send ``examples`` generated cases to one operation; return how many went."""
    checks = [not_a_server_error, error_in_contract_shape, status_code_conformance, response_schema_conformance]
    sent = 0

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(case=_strategy(operation))
    def run(case):
        nonlocal sent
        sent += 1
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30, allow_redirects=False)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except (AssertionError, BaseExceptionGroup) as exc:  # collected, not raised: nothing is shrunk
            if _documented_degradation(operation, response):
                return
            shown = failures.setdefault(operation.label, [])
            if len(shown) < SHOWN_PER_OPERATION:
                found = "; ".join(f"{getattr(f, 'title', type(f).__name__)}" for f in getattr(exc, "exceptions", [exc]))
                shown.append(
                    f"{found}: {response.status_code} {response.text[:300]!r}\n"
                    f"    {case.as_curl_command(headers=headers, base_url=base_url)}"
                )

    run()
    return sent


@pytest.mark.parametrize("identity", ["party", "lawyer", "clerk", "archivist", "admin", "signed out"])
def test_no_server_error(stack, schema, identity, postgres_url):
    examples = int(
        os.environ.get("FUZZ_EXAMPLES") or EXAMPLES_PER_OPERATION["postgresql" if postgres_url else "sqlite"]
    )
    base_url = stack.base_url
    assert base_url.startswith("http://127.0.0.1:")
    token = _token(stack, identity)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    session = requests.Session()
    failures: dict[str, list[str]] = {}
    statuses: Counter[int] = Counter()
    cases = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not (token and (operation.method.upper(), operation.path) in SIGN_OUT):
            cases += _exercise(operation, base_url, session, headers, failures, statuses, examples)
    elapsed = time.monotonic() - started
    answers = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    print(f"\nschemathesis as {identity}: {cases} cases in {elapsed:.0f} s ({answers}), {len(failures)} failing")
    assert not failures, "\n".join(f"{label}:\n  " + "\n  ".join(shown) for label, shown in failures.items())


def test_a_binding_id_past_the_id_columns_names_no_binding(stack):
    """Found by the run above: a binding id of 31 digits reached the database as a 500."""
    clerk = create_staff(_admin(stack), "clerk")
    lawyer = new_lawyer(_admin(stack))
    huge = "2367099491847963847341172064256"
    for action in ("decision", "revoke"):
        response = clerk.post(f"/api/v1/staff/bindings/{huge}/{action}", json={"decision": "approve"})
        assert_error(response, 404, "not_found")
    assert_error(clerk.post(f"/api/v1/staff/bindings/{2**31}/revoke", json={}), 404, "not_found")
    assert_error(lawyer.get(f"/api/v1/bindings/{huge}"), 404, "not_found")


def test_a_phone_with_a_control_character_is_a_wrong_login_and_counts_nothing(stack):
    """Found by the run above on PostgreSQL, which will not store a NUL: a login naming such a
    "phone" was a 500. It is a wrong login like any other, and locks no phone."""
    refusals = {"1380000\x000000": 401, "13800000000\r\n": 401, "138\u200b00000000": 401, "\ud800": 422}
    for phone, status in refusals.items():  # a lone surrogate is not text at all: 422, like a number
        for path in ("/api/v1/auth/login", "/api/v1/session"):
            response = requests.post(stack.base_url + path, json={"phone": phone, "password": "x" * 8}, timeout=30)
            assert_error(response, status, "invalid_credentials" if status == 401 else "validation_error")
    admin = _admin(stack)  # the bootstrap admin still signs in: nothing above touched its phone
    assert admin.get("/api/v1/me").status_code == 200


def test_a_link_token_this_gateway_never_makes_is_no_link(stack):
    """Found by the run above: a /r/ path with a CR in it went into the Location header of the
    sign-in redirect, a 500. Signed in or not, it is no link: 404."""
    party = new_party(stack.base_url)
    for token in ("1%0DCR%C2%82", "a%0D%0ASet-Cookie:%20x=1", "short", "x" * 200, "%00" * 20):
        for headers in (None, {"Authorization": f"Bearer {party.token}"}):
            response = requests.get(f"{stack.base_url}/r/{token}", headers=headers, allow_redirects=False, timeout=30)
            assert_error(response, 404, "not_found")
            assert "Location" not in response.headers
    well_formed = "A" * 43  # signed out, a well-formed token still only asks for the sign-in
    response = requests.get(f"{stack.base_url}/r/{well_formed}", allow_redirects=False, timeout=30)
    assert response.status_code == 303 and response.headers["Location"] == f"/web/login?next=/r/{well_formed}"


def test_a_material_id_with_a_control_character_names_no_material(stack):
    """Found by a deeper run (FUZZ_EXAMPLES=60) on PostgreSQL: 实名认证 naming a material id
    with a NUL in it was a 500. It names no material, answered like any unknown id."""
    party = Api(stack.base_url)
    party.register("party", verified=False)
    unknown = party.post("/api/v1/me/verification", json={"material_ids": ["0" * 36]})
    assert unknown.status_code == 404, unknown.text
    for material_id in ("a\x00b", "\x00" * 36, "3f2c0a0e\r\n", "材料"):
        response = party.post("/api/v1/me/verification", json={"material_ids": [material_id]})
        assert (response.status_code, response.json()) == (unknown.status_code, unknown.json())
