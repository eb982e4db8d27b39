"""Rate limiter, retries with backoff and Retry-After, IntegrationError shape, lock."""

import threading

import pytest

from totalaudio import integrations
from totalaudio.clients._base import Caller, Failure, RateLimiter, parse_retry_after
from totalaudio.errors import IntegrationError, LockBusyError
from totalaudio.store.lock import WriteLock


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_never_exceeds_rate_in_any_second():
    clock = FakeClock()
    limiter = RateLimiter(5, 5, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(23):
        limiter.acquire()
        starts.append(clock.now)
        limiter.release()
    for i, t in enumerate(starts):
        assert sum(1 for u in starts[i:] if u - t < 1.0) <= 5
    assert starts[-1] >= 4.0  # 23 calls at 5/s need at least 4 s


def test_rate_limiter_pause_holds_callers_back():
    clock = FakeClock()
    limiter = RateLimiter(None, 2, clock=clock, sleep=clock.sleep)
    limiter.pause(30)
    limiter.acquire()
    assert clock.now == pytest.approx(30)


class Boom(Exception):
    def __init__(self, status, retry_after=None):
        self.status, self.retry_after = status, retry_after


def classify(exc):
    if isinstance(exc, Boom):
        return Failure(f"HTTP {exc.status}", status=exc.status, retryable=exc.status in (429, 500, 503),
                       retry_after=exc.retry_after, request_id="req_1")
    return None


def make_caller(name="mailchimp", attempts=4):
    clock = FakeClock()
    limiter = RateLimiter(None, 10, clock=clock, sleep=clock.sleep)
    caller = Caller(integrations.get(name), classify, max_attempts=attempts, sleep=clock.sleep, limiter=limiter)
    return caller, clock


def flaky(failures):
    calls = {"n": 0}

    def fn():
        calls["n"] += 1
        if failures:
            raise failures.pop(0)
        return "ok"
    return fn, calls


def test_retries_5xx_then_succeeds():
    caller, clock = make_caller()
    fn, calls = flaky([Boom(503), Boom(500)])
    assert caller.call("op", fn) == "ok" and calls["n"] == 3 and len(clock.sleeps) == 2


def test_retry_after_is_honoured():
    caller, clock = make_caller()
    fn, _ = flaky([Boom(503, retry_after=7.0)])
    caller.call("op", fn)
    assert clock.sleeps == [7.0]


def test_airtable_429_pauses_30_seconds_without_header():
    caller, clock = make_caller("airtable")
    fn, calls = flaky([Boom(429)])
    assert caller.call("list", fn) == "ok"
    assert clock.now == pytest.approx(30.0) and calls["n"] == 2


def test_non_retryable_fails_at_once_with_seed_shape():
    caller, _ = make_caller()
    fn, calls = flaky([Boom(400)])
    with pytest.raises(IntegrationError) as info:
        caller.call("batch_upsert", fn, payload={"x": 1})
    err = info.value
    assert calls["n"] == 1 and err.payload == {"x": 1}
    data = err.to_dict()
    assert {"service", "operation", "error", "retryable", "timestamp", "status", "requestId"} <= set(data)
    assert (data["service"], data["operation"], data["status"], data["retryable"]) == ("mailchimp", "batch_upsert",
                                                                                        400, False)


def test_gives_up_after_bounded_attempts():
    caller, _ = make_caller(attempts=3)
    fn, calls = flaky([Boom(500)] * 5)
    with pytest.raises(IntegrationError) as info:
        caller.call("op", fn)
    assert calls["n"] == 3 and info.value.retryable is True


def test_unknown_exceptions_are_bugs_not_integration_errors():
    caller, _ = make_caller()
    fn, _ = flaky([ZeroDivisionError()])
    with pytest.raises(ZeroDivisionError):
        caller.call("op", fn)


@pytest.mark.parametrize("value,expected", [("12", 12.0), ("0", 0.0), (None, None), ("soon", None)])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_lock_second_holder_gets_a_clear_error(tmp_path):
    path = tmp_path / "tap.lock"
    with WriteLock(path, "airtable sync"):
        with pytest.raises(LockBusyError) as info:
            WriteLock(path, "contacts import", timeout=0.3, poll=0.05).acquire()
    assert "airtable sync" in info.value.message and info.value.exit_code == 2


def test_lock_waits_for_release(tmp_path):
    path = tmp_path / "tap.lock"
    first = WriteLock(path, "one")
    first.acquire()
    timer = threading.Timer(0.2, first.release)
    timer.start()
    with WriteLock(path, "two", timeout=30, poll=0.05):  # released after 0.2 s; 30 s only bounds a broken lock
        pass
    timer.join()
