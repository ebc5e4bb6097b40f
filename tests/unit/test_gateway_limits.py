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
    # TLS ends at a proxy in front: the public address says https
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://yuejuan.court.example")
    assert cookies_secure(request("http://court.example"))
    assert not cookies_secure(request("http://127.0.0.1:8000"))  # an operator on the machine
