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
