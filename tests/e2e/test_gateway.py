"""The gateway's edge behaviour: errors in the contract's shape, health, metrics, OpenAPI."""

from __future__ import annotations

import requests

from tests.support import Api, assert_error

LEAKS = ("Traceback", "Error:", "sqlalchemy", "psycopg2", "/work/", "site-packages", "nameko")


def test_unknown_routes_and_methods_answer_in_shape(api: Api):
    assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(api.get("/api/v2/me"), 404, "not_found")
    assert_error(api.request("DELETE", "/api/v1/me"), 405, "method_not_allowed")
    assert_error(api.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}), 401, "unauthenticated")
    assert_error(api.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthenticated")


def test_a_browser_tab_on_an_api_address_gets_the_refusal_as_a_page(api: Api):
    """打印 opens the PDF in a tab of its own and a material opens from its link: when the
    answer is a refusal, the tab shows a sentence; a program asking the same gets JSON."""
    api.register()
    path = "/api/v1/applications/12345678901/dossier/documents/1/pdf"
    tab = api.get(path, headers={"Sec-Fetch-Mode": "navigate", "Accept": "text/html,*/*;q=0.8"})
    assert tab.status_code == 404 and tab.headers["Content-Type"].startswith("text/html")
    assert 'data-code="not_found"' in tab.text and "<script" not in tab.text
    assert (
        tab.headers["Cache-Control"] == "no-store"
        and "frame-ancestors 'none'" in tab.headers["Content-Security-Policy"]
    )
    old_browser = api.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert old_browser.headers["Content-Type"].startswith("text/html")
    assert_error(api.get(path, headers={"Sec-Fetch-Mode": "cors", "Accept": "text/html"}), 404, "not_found")
    assert_error(api.get(path), 404, "not_found")
    expired_sign_in = Api(api.base_url).get("/api/v1/me", headers={"Sec-Fetch-Mode": "navigate"})
    assert expired_sign_in.status_code == 401 and "<h1>无法打开</h1>" in expired_sign_in.text


def test_no_error_body_leaks_internals(api: Api):
    responses = [
        api.post("/api/v1/auth/login", data="{", headers={"Content-Type": "application/json"}),
        api.post("/api/v1/auth/login", json={"phone": {"$gt": ""}, "password": ["x"]}),
        api.post("/api/v1/auth/register", json={"phone": "1" * 10_000}),
        api.get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 5000}),
        api.get("/%00"),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["error"]["code"]
        for leak in LEAKS:
            assert leak not in response.text


def test_security_headers_and_no_store(api: Api):
    response = api.get("/api/v1/me")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_health_names_all_five_services(stack):
    body = requests.get(stack.base_url + "/healthz", timeout=10).json()
    assert body == {
        "status": "ok",
        "services": {name: "ok" for name in ("identity", "case_binding", "applications", "review", "dossier")},
    }


def test_metrics_count_requests_and_rpc_calls(api: Api, stack):
    api.post("/api/v1/auth/login", json={"phone": "13811112222", "password": "Whatever-1"})
    text = requests.get(stack.base_url + "/metrics", timeout=10).text
    assert 'gateway_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"}' in text
    assert 'gateway_rpc_calls_total{method="login",outcome="domain_error",service="identity"}' in text
    assert "gateway_http_request_duration_seconds_bucket" in text
    assert "gateway_rpc_duration_seconds_bucket" in text


def test_openapi_describes_every_route(stack):
    doc = requests.get(stack.base_url + "/api/v1/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.")
    for path, method in [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/admin/staff", "post"),
        ("/api/v1/admin/lawyers", "post"),
        ("/healthz", "get"),
        ("/metrics", "get"),
    ]:
        assert method in doc["paths"][path], path
    import gateway.service  # noqa: F401  (declaring the routes fills ROUTES)
    from gateway.http import ROUTES

    declared = {(spec.path, spec.method) for spec in ROUTES}
    assert len(declared) == sum(len(ops) for ops in doc["paths"].values())
