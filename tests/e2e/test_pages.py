"""The front ends over HTTP: the shells and assets with their security headers, the
browser session (HttpOnly cookie, CSRF on unsafe methods, sign-out revoking the token)."""

from __future__ import annotations

import requests

from gateway.errors import SECURITY_HEADERS
from tests.support import Api, assert_error


def test_shells_assets_and_headers(stack):
    base = stack.base_url
    for path in ("/m/", "/m/applications/12", "/web/", "/web/login?next=/r/abc", "/staff/", "/staff/onsite"):
        response = requests.get(base + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].startswith("text/html")
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert "<script>" not in response.text and "style=" not in response.text  # CSP: no inline code
    assert requests.get(base + "/web/login", timeout=10).text.count('lang="zh-CN"') == 1
    bare = requests.get(base + "/m", allow_redirects=False, timeout=10)
    assert bare.status_code == 308 and bare.headers["Location"] == "/m/"

    weui = requests.get(base + "/static/weui/weui.min.css", timeout=10)
    assert weui.status_code == 200 and weui.headers["Content-Type"].startswith("text/css") and ".weui-btn" in weui.text
    script = requests.get(base + "/static/common.js", timeout=10)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    again = requests.get(base + "/static/common.js", headers={"If-None-Match": script.headers["ETag"]}, timeout=10)
    assert again.status_code == 304
    outside = ("/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/m/index.html", "/static/x.js")
    for path in outside:
        assert_error(requests.get(base + path, timeout=10), 404, "not_found")


def test_cookie_session_with_csrf(stack):
    client = Api(stack.base_url)
    data = client.register("party")  # also signs in with a bearer token, which the browser never sees
    browser = requests.Session()
    response = browser.post(
        stack.base_url + "/api/v1/session", json={"phone": data["phone"], "password": data["password"]}, timeout=10
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "token" not in body and body["user"]["role"] == "party"
    cookies = {c.split("=", 1)[0]: c for c in response.raw.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies["court_session"] and "SameSite=Lax" in cookies["court_session"]
    assert "Path=/" in cookies["court_session"] and "Max-Age=" in cookies["court_session"]
    assert "HttpOnly" not in cookies["court_csrf"]
    csrf = browser.cookies["court_csrf"]

    assert browser.get(stack.base_url + "/api/v1/me", timeout=10).status_code == 200
    # an unsafe method on the cookie alone is refused, and changes nothing
    assert_error(browser.delete(stack.base_url + "/api/v1/session", timeout=10), 403, "forbidden")
    wrong = browser.delete(stack.base_url + "/api/v1/session", headers={"X-CSRF-Token": "x" + csrf}, timeout=10)
    assert_error(wrong, 403, "forbidden")
    assert browser.get(stack.base_url + "/api/v1/me", timeout=10).status_code == 200

    token = browser.cookies["court_session"]
    out = browser.delete(stack.base_url + "/api/v1/session", headers={"X-CSRF-Token": csrf}, timeout=10)
    assert out.status_code == 204
    assert "court_session" not in browser.cookies and "court_csrf" not in browser.cookies
    # the token is revoked, not only forgotten by the browser
    revoked = requests.get(stack.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert_error(revoked, 401, "unauthenticated")

    login = stack.base_url + "/api/v1/session"
    bad = requests.post(login, json={"phone": data["phone"], "password": "nope"}, timeout=10)
    assert_error(bad, 401, "invalid_credentials")
    assert "Set-Cookie" not in bad.headers
    assert_error(
        requests.post(login, data="{", headers={"Content-Type": "application/json"}, timeout=10),
        400,
        "bad_request",
    )


def test_every_error_code_has_a_sentence_for_people():
    """The pages never show a raw code: every code the gateway maps, and every 422 code of
    the contract, has its sentence in the shared client."""
    import re
    from pathlib import Path

    from gateway.errors import STATUS_BY_CODE

    script = (Path(__file__).resolve().parents[2] / "gateway" / "static" / "common.js").read_text()
    table = script[
        script.index("export const ERROR_TEXT") : script.index("};", script.index("export const ERROR_TEXT"))
    ]
    known = set(re.findall(r"^\s+(\w+):", table, flags=re.M))
    contract_422 = {
        "validation_error", "invalid_phone", "weak_password", "invalid_id_number", "license_not_verified",
        "invalid_case_no", "invalid_kind", "invalid_date", "materials_missing", "idempotency_key_reused",
    }  # fmt: skip
    assert set(STATUS_BY_CODE) - known == set()
    assert contract_422 - known == set()
