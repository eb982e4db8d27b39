"""Plumbing every client shares: pacing, concurrency caps, retries with backoff, and IntegrationError."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from totalaudio.errors import ConfigError, IntegrationError, TapError
from totalaudio.integrations import Integration

T = TypeVar("T")
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0


@dataclass(frozen=True)
class Failure:
    """What a client's ``classify`` made of an SDK exception."""

    message: str
    status: int | None = None
    retryable: bool = False
    retry_after: float | None = None
    request_id: str | None = None


class _Classified(Exception):
    """Carries a classified failure (retryable or not) through tenacity to ``Caller.call``."""

    def __init__(self, failure: Failure, cause: BaseException) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.cause = cause


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or garbled."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def _sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at call time, so a test can stand a fake clock in for time


def _monotonic() -> float:
    return time.monotonic()


def status_is_retryable(status: int | None) -> bool:
    """429, 408, 425 and 5xx are worth another try; other 4xx are not."""
    return status is not None and (status in RETRYABLE_STATUSES or 500 <= status < 600)


class RateLimiter:
    """At most ``rate`` call starts in any sliding window of ``period`` seconds (default one), and at most
    ``concurrency`` at once."""

    def __init__(self, rate: float | None, concurrency: int, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None, period: float = 1.0) -> None:
        self.rate = rate
        self.period = period
        self.clock = clock or _monotonic
        self.sleep = sleep or _sleep
        self.starts: deque[float] = deque()
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(max(1, concurrency))
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every caller back for a while (a service asked for it after a 429)."""
        with self.lock:
            self.paused_until = max(self.paused_until, self.clock() + seconds)

    def _wait_time(self) -> float:
        now = self.clock()
        wait = max(0.0, self.paused_until - now)
        if self.rate:
            while self.starts and now - self.starts[0] >= self.period:
                self.starts.popleft()
            if len(self.starts) >= (int(self.rate) or 1):
                # plus a microsecond: a sleep too short to move the clock would spin
                wait = max(wait, self.period - (now - self.starts[0]) + 1e-6)
        return wait

    def acquire(self) -> None:
        """Block until a call may start, then count it."""
        self.slots.acquire()
        while True:
            with self.lock:
                wait = self._wait_time()
                if wait <= 0:
                    self.starts.append(self.clock())
                    return
            self.sleep(wait)

    def release(self) -> None:
        """A call has finished."""
        self.slots.release()


_LIMITERS: dict[tuple[str, str], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def limiter_for(integration: Integration, scope: str = "") -> RateLimiter:
    """The process-wide limiter of a service (per scope: Airtable limits per base)."""
    key = (integration.name, scope)
    with _LIMITERS_LOCK:
        if key not in _LIMITERS:
            _LIMITERS[key] = RateLimiter(integration.requests_per_second, integration.max_concurrency,
                                         period=integration.rate_period)
        return _LIMITERS[key]


class Caller:
    """Runs SDK calls for one service: paced, capped, retried, and failures turned into IntegrationError."""

    def __init__(self, integration: Integration, classify: Callable[[BaseException], Failure | None], *,
                 scope: str = "", max_attempts: int | None = None, max_wait: float = 20.0,
                 sleep: Callable[[float], None] | None = None, limiter: RateLimiter | None = None) -> None:
        self.integration = integration
        self.classify = classify
        self.max_attempts = max_attempts or integration.max_attempts
        self.max_wait = max_wait
        self.sleep = sleep or _sleep
        self.limiter = limiter or limiter_for(integration, scope)
        self.calls = 0

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        failure = exc.failure if isinstance(exc, _Classified) else None
        if failure and failure.status == 429:
            cooldown = failure.retry_after or self.integration.cooldown_after_429
            if cooldown:
                self.limiter.pause(min(cooldown, MAX_RETRY_AFTER))
                return 0.0
        if failure and failure.retry_after is not None:
            return min(failure.retry_after, MAX_RETRY_AFTER)
        return wait_random_exponential(multiplier=0.5, max=self.max_wait)(state)

    def _attempt(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        self.limiter.acquire()
        self.calls += 1
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - classified below; unknown exceptions re-raise as bugs
            failure = self.classify(exc)
            if failure is None:
                raise
            raise _Classified(failure, exc) from exc
        finally:
            self.limiter.release()

    def _error(self, failure: Failure, operation: str, payload: dict | None) -> TapError:
        integ = self.integration
        if failure.status in (401, 403):  # refused or under-scoped credentials: configuration (exit 3), not an outage
            return ConfigError(f"{integ.title} refused the credentials ({failure.message})",
                               hint=f"check {', '.join(integ.secrets or integ.required)}: {integ.docs}",
                               service=integ.name, operation=operation, status=failure.status)
        return IntegrationError(self.integration.name, operation, failure.message, retryable=failure.retryable,
                                status=failure.status, request_id=failure.request_id, payload=payload)

    def call(self, operation: str, fn: Callable[..., T], *args: Any, payload: dict | None = None,
             **kwargs: Any) -> T:
        """Call ``fn(*args, **kwargs)``; after the last failed attempt raise IntegrationError for ``operation``."""
        retrying = Retrying(stop=stop_after_attempt(self.max_attempts), wait=self._wait, sleep=self.sleep,
                            retry=retry_if_exception(_is_retryable), reraise=True)
        try:
            return retrying(self._attempt, fn, args, kwargs)
        except _Classified as exc:
            raise self._error(exc.failure, operation, payload) from exc.cause


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Classified) and exc.failure.retryable
