"""What stands in front of every route: rate limits per source and client address under a ceiling per source, the
client address (from X-Forwarded-For only behind a trusted proxy), the access log (no secrets), bounded bodies."""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import time
from typing import Any, Callable, Iterable

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
    """Token buckets by key: ``rate`` requests a second on average, bursts of ``burst``; at most ``keep`` keys
    are remembered (full buckets are forgotten first, so a flood from many addresses cannot grow it unbounded)."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 keep: int = 10_000) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.clock = clock
        self.keep = keep
        self.state: dict[Any, tuple[float, float]] = {}

    def take(self, key: Any) -> float:
        """0 when the request may go on, else the seconds until it could (the event loop is the only caller)."""
        now = self.clock()
        tokens, last = self.state.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if key not in self.state and len(self.state) >= self.keep:
            self._forget(now)
        if tokens >= 1:
            self.state[key] = (tokens - 1, now)
            return 0.0
        self.state[key] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget(self, now: float) -> None:
        """Drop the buckets that have filled up again, then (still too many) the longest unused half."""
        full = self.burst / self.rate
        self.state = {k: v for k, v in self.state.items() if now - v[1] < full}
        if len(self.state) >= self.keep:
            newest = sorted(self.state.items(), key=lambda item: item[1][1])[len(self.state) // 2:]
            self.state = dict(newest)


class Limits:
    """A bucket per (source, client address) and, above them, one per source: many addresses together get no
    more than the source's ceiling."""

    def __init__(self, per_client: Buckets, per_source: Buckets) -> None:
        self.per_client = per_client
        self.per_source = per_source

    def take(self, source: str, client: str) -> tuple[float, str]:
        """(0, "") when the request may go on, else (seconds to wait, whose limit it met)."""
        wait = self.per_client.take((source, client))
        if wait:
            return wait, "this client"
        wait = self.per_source.take(source)
        return (wait, "this source") if wait else (0.0, "")


def networks(entries: Iterable[str] | None) -> tuple[Any, ...]:
    """Trusted proxy addresses or networks (default: loopback); ValueError names a bad entry."""
    out = []
    for entry in entries if entries is not None else ("127.0.0.0/8", "::1"):
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"[webhooks] trusted_proxies: {entry!r} is not an address or network") from None
    return tuple(out)


def _trusted(address: str, trusted: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(scope: dict[str, Any], behind_proxy: bool, trusted: tuple[Any, ...]) -> str:
    """Who sent the request: the connection's peer; behind a trusted proxy, the right-most X-Forwarded-For hop
    that is not itself a trusted proxy (hops further left can be written by anyone)."""
    peer = (scope.get("client") or ("-", 0))[0]
    if not behind_proxy or not _trusted(peer, trusted):
        return peer
    forwarded = b",".join(v for k, v in scope.get("headers") or () if k.lower() == b"x-forwarded-for")
    hops = [h.strip() for h in forwarded.decode("latin-1").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return _printable(hop[:64])
    return _printable(hops[0][:64]) if hops else peer


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() and c.isascii() else "?" for c in text)


class Guard:
    """ASGI middleware: 429 with Retry-After past a client's or a source's rate, and one access-log line per
    request (with the client address as the limits saw it)."""

    def __init__(self, app: Any, limits: Limits, behind_proxy: bool = False,
                 trusted: tuple[Any, ...] | None = None) -> None:
        self.app = app
        self.limits = limits
        self.behind_proxy = behind_proxy
        self.trusted = networks(None) if trusted is None else trusted

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]
        client = client_address(scope, self.behind_proxy, self.trusted)

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            wait, whose = self.limits.take(source_of(scope.get("path", "")), client)
            if wait:
                await _too_many(sending, wait, whose)
            else:
                await self.app(scope, receive, sending)
        finally:
            _log(client, scope, status[0], time.perf_counter() - started)


async def _too_many(send: Any, wait: float, whose: str) -> None:
    body = f'{{"error":"too many requests from {whose}; retry later"}}'.encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", str(math.ceil(wait)).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _log(client: str, scope: dict[str, Any], status: int, seconds: float) -> None:
    ACCESS.info('%s "%s %s" %s %.1fms', client, scope.get("method", "-"), shown_path(scope), status or "-",
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
