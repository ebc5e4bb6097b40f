from gateway.http import AddressLimiter


def test_requests_beyond_the_limit_in_a_minute_are_refused_per_address():
    now = [120.0]
    limiter = AddressLimiter(3, now=lambda: now[0])
    assert [limiter.allow("127.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("127.0.0.2")  # another address has its own count
    now[0] = 180.0  # the next minute starts afresh
    assert limiter.allow("127.0.0.1")


def test_zero_turns_the_limit_off():
    limiter = AddressLimiter(0)
    assert all(limiter.allow("127.0.0.1") for _ in range(10_000))


def test_session_cookies_are_secure_when_the_browser_sees_https(monkeypatch):
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from gateway.http import cookies_secure

    def request(url: str) -> Request:
        return Request(EnvironBuilder(base_url=url).get_environ())

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert cookies_secure(request("https://court.example"))
    assert not cookies_secure(request("http://court.example"))
    # TLS ends at a proxy in front: the public address says https, whatever Host the proxy
    # sends (a default proxy_pass http://127.0.0.1:8000 sends a loopback one)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://yuejuan.court.example")
    assert cookies_secure(request("http://court.example"))
    assert cookies_secure(request("http://127.0.0.1:8000"))
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://yuejuan.court.example")
    assert not cookies_secure(request("https://court.example"))


def test_the_client_address_is_believed_only_through_trusted_proxies(monkeypatch):
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from gateway.http import client_address

    def request(forwarded: str | None) -> Request:
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return Request(EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.9"}).get_environ())

    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    assert client_address(request("203.0.113.7")) == "10.0.0.9"  # no proxy trusted: the header is the client's word
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    assert client_address(request("203.0.113.7")) == "203.0.113.7"
    assert client_address(request("1.1.1.1, 203.0.113.7")) == "203.0.113.7"  # the left entry was forged
    assert client_address(request(None)) == "10.0.0.9"
    assert client_address(request("not an address")) == "10.0.0.9"
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "2")
    assert client_address(request("1.1.1.1, 198.51.100.2, 10.0.0.5")) == "198.51.100.2"
    assert client_address(request("198.51.100.2")) == "10.0.0.9"  # fewer entries than proxies: not believed
