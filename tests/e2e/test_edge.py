"""The edge against hostile input: odd requests get a clean 4xx, other sites cannot make
a reader's browser read (and log) the dossier, the client address is believed only
through trusted proxies, and PUBLIC_BASE_URL decides links, Secure cookies and HSTS
whatever Host the proxy in front sends."""

from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.test_applications import apply, import_case
from tests.e2e.test_dossier import ingest
from tests.e2e.test_reading_rights import approve_online
from tests.support import Api, assert_error, create_staff, make_pdf, new_party

COURT = "广东省广州市中级人民法院"


def test_odd_requests_get_a_clean_refusal(stack, api):
    reader = new_party(stack.base_url, "奇怪请求")
    for path in ("/api/v1/messages", "/api/v1/applications", "/api/v1/my/cases"):
        for cursor in ("²", "１２", "a b", "x" * 300):
            assert_error(reader.get(path, params={"cursor": cursor}), 400, "bad_request")
    deep = "[" * 50_000 + "]" * 50_000
    response = api.post("/api/v1/auth/login", data=deep, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")
    # a session cookie with a CSRF header that is not ASCII
    browser = Api(stack.base_url)
    signed_in = browser.post("/api/v1/session", json={"phone": reader.phone, "password": "Reader-2024"})
    assert signed_in.status_code == 200, signed_in.text
    odd = browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "令牌".encode()})  # raw UTF-8 bytes
    assert_error(odd, 403, "forbidden")


@pytest.fixture(scope="module")
def reading(stack):
    admin = Api(stack.base_url)
    admin.login(stack.env["BOOTSTRAP_ADMIN_PHONE"], stack.env["BOOTSTRAP_ADMIN_PASSWORD"])
    reader = new_party(stack.base_url, "跨站读者")
    case_no = import_case(admin, parties=(reader,))
    doc = ingest(admin, case_no, make_pdf(1), "正卷", "起诉状").json()["id"]
    clerk = create_staff(admin, "clerk", COURT)
    app_id = apply(reader, case_no).json()["id"]
    approve_online(clerk, reader, app_id)
    return reader, app_id, doc


def test_another_site_cannot_make_a_reader_read_the_dossier(stack, reading):
    reader, app_id, doc = reading
    paths = (
        f"/api/v1/applications/{app_id}/dossier/documents/{doc}/pages/1",
        f"/api/v1/applications/{app_id}/dossier/documents/{doc}/pdf",
    )
    log = f"/api/v1/applications/{app_id}/access-log"
    before = len(reader.get(log, params={"limit": 100}).json()["items"])
    for path in paths:
        assert_error(reader.get(path, headers={"Sec-Fetch-Site": "cross-site"}), 403, "forbidden")
    assert len(reader.get(log, params={"limit": 100}).json()["items"]) == before  # and nothing logged
    for site in ("same-origin", "none"):  # the site's own pages, a link typed or opened from a bookmark
        assert reader.get(paths[0], headers={"Sec-Fetch-Site": site}).status_code == 200
    assert len(reader.get(log, params={"limit": 100}).json()["items"]) == before + 2


def test_forwarded_addresses_count_only_through_trusted_hops(stack):
    with stack.running_with(gateway={"TRUSTED_PROXY_HOPS": "1", "RATE_LIMIT_PER_ADDRESS": "5"}):
        client = Api(stack.base_url)

        def ask(forwarded: str) -> int:
            return client.get("/api/v1/openapi.json", headers={"X-Forwarded-For": forwarded}).status_code

        for attempt in range(2):  # the limit counts per clock minute: redo a run that straddled one
            minute = int(time.time() // 60)
            client_a, client_b = f"203.0.113.{10 + attempt}", f"198.51.100.{10 + attempt}"
            seen = [ask(client_a) for _ in range(6)]
            other = ask(client_b)  # another client behind the same proxy has its own count
            forged = ask(f"1.2.3.4, {client_a}")  # a forged entry to the left changes nothing
            if int(time.time() // 60) == minute:
                break
        assert seen == [200] * 5 + [429]
        assert other == 200
        assert forged == 429


def test_public_base_url_decides_links_cookies_and_hsts(stack, reading):
    reader, app_id, _ = reading
    with stack.running_with(gateway={"PUBLIC_BASE_URL": "https://yuejuan.court.example"}):
        # what a default proxy_pass http://127.0.0.1:8000 sends: a loopback Host
        link = reader.post(f"/api/v1/applications/{app_id}/dossier/links")
        assert link.status_code == 201, link.text
        assert link.json()["url"].startswith("https://yuejuan.court.example/r/")
        assert link.headers["Strict-Transport-Security"].startswith("max-age=")
        browser = Api(stack.base_url)
        signed_in = browser.post("/api/v1/session", json={"phone": reader.phone, "password": "Reader-2024"})
        cookies = signed_in.headers.get("Set-Cookie", "")
        assert "__Host-court_session=" in cookies and "Secure" in cookies and "Domain" not in cookies
    plain = reader.post(f"/api/v1/applications/{app_id}/dossier/links")
    assert plain.json()["url"].startswith(stack.base_url + "/r/")
    assert "Strict-Transport-Security" not in plain.headers


def test_operations_endpoints_need_the_ops_token_when_one_is_set(stack):
    with stack.running_with(gateway={"OPS_TOKEN": "ops-" + "x" * 20}):
        public = requests.get(stack.base_url + "/healthz", timeout=30)
        assert public.json()["status"] in ("ok", "degraded") and "services" not in public.json()
        assert_error(requests.get(stack.base_url + "/metrics", timeout=10), 404, "not_found")
        wrong = {"Authorization": "Bearer ops-wrong"}
        assert_error(requests.get(stack.base_url + "/metrics", headers=wrong, timeout=10), 404, "not_found")
        operator = {"Authorization": "Bearer ops-" + "x" * 20}
        assert (
            "gateway_http_requests_total"
            in requests.get(stack.base_url + "/metrics", headers=operator, timeout=10).text
        )
        detailed = requests.get(stack.base_url + "/healthz", headers=operator, timeout=30).json()
        assert set(detailed["services"]) == {"identity", "case_binding", "applications", "review", "dossier"}
    assert "services" in requests.get(stack.base_url + "/healthz", timeout=30).json()  # no token set: as before
