"""What stands in front of every route: a rate limit per source, the access log (no secrets), bounded bodies."""

from __future__ import annotations

import logging
import math
import re
import time
from typing import Any, Callable

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

ACCESS = logging.getLogger("tap.webhooks.access")
SECRET_PATH = re.compile(r"^/mailchimp/[^/?]*")
SOURCES = ("stripe", "mailchimp", "make")


def source_of(path: str) -> str:
    """Which sender a path belongs to (the rate limit is kept per source)."""
    head = path.lstrip("/").split("/", 1)[0]
    return head if head in SOURCES else "other"


def shown_path(scope: dict[str, Any]) -> str:
    """The request path as the log may show it: the Mailchimp secret masked, no query, only printable text."""
    raw = scope.get("raw_path") or scope.get("path", "").encode()
    path = raw.decode("latin-1").split("?", 1)[0]
    path = SECRET_PATH.sub("/mailchimp/****", path)
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in path[:200])


class Buckets:
    """Token buckets, one per source: ``rate`` requests a second on average, bursts of ``burst``."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self.state: dict[str, tuple[float, float]] = {}

    def take(self, source: str) -> float:
        """0 when the request may go on, else the seconds until it could (the event loop is the only caller)."""
        now = self.clock()
        tokens, last = self.state.get(source, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.state[source] = (tokens - 1, now)
            return 0.0
        self.state[source] = (tokens, now)
        return (1 - tokens) / self.rate


class Guard:
    """ASGI middleware: 429 with Retry-After past a source's rate, and one access-log line per request."""

    def __init__(self, app: Any, buckets: Buckets) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            wait = self.buckets.take(source_of(scope.get("path", "")))
            if wait:
                await _too_many(sending, wait)
            else:
                await self.app(scope, receive, sending)
        finally:
            _log(scope, status[0], time.perf_counter() - started)


async def _too_many(send: Any, wait: float) -> None:
    body = b'{"error":"too many requests from this source; retry later"}'
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", str(math.ceil(wait)).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _log(scope: dict[str, Any], status: int, seconds: float) -> None:
    client = scope.get("client") or ("-", 0)
    ACCESS.info('%s "%s %s" %s %.1fms', client[0], scope.get("method", "-"), shown_path(scope), status or "-",
                seconds * 1000)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass ``limit`` (never read whole)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HTTPException(413, f"the body is over {limit} bytes")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"the body is over {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise HTTPException(400, "the client went away before the body ended") from None
    return b"".join(chunks)
