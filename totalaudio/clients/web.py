"""The polite asynchronous web client of the enrichment crawler.

One ``httpx.AsyncClient`` with keep-alive; a global cap on requests in flight and a per-host cap with a delay
between request starts; robots.txt (protego) cached per host; redirects followed by hand so that every hop is
checked; each host resolved and refused when private, loopback, link-local or multicast (unless allowed), and the
connection pinned to the checked address so that a second DNS answer cannot swap it. Per-page failures are data
(``Fetched.error``), not exceptions: one hostile site must not stop a run.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

from totalaudio import __version__
from totalaudio.clients.webbody import charset, decompress, drain

USER_AGENT = f"tap/{__version__} (totalaudio music-promotion contact research; polite crawler; +https://pypi.org/project/totalaudio/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("application/xml", "text/xml", "text/plain")  # sitemaps (some servers send text/plain)
ROBOTS_MAX_BYTES = 512 * 1024
MAX_CRAWL_DELAY = 10.0
ROBOTS_DENIED = "disallowed by robots.txt"
ORIGINS_PER_SLOT = 16  # origins whose connections are kept alive, per global slot
Resolver = Callable[[str, int], Awaitable[list[str]]]


class Queued:
    """Seconds a caller's requests waited for a global slot: the run's own congestion, not the site's slowness."""

    def __init__(self) -> None:
        self.seconds = 0.0


# Set by a caller (one site's crawl) around the tasks it starts; every request they make adds its wait to it.
QUEUED: contextvars.ContextVar[Queued | None] = contextvars.ContextVar("tap_web_queued", default=None)


@dataclass(frozen=True)
class CrawlPolicy:
    """Limits of one crawl; the defaults are the documented ones."""

    concurrency: int = 16
    per_host: int = 2
    delay: float = 0.5
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    site_timeout: float = 60.0
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False
    private_allowlist: tuple[str, ...] = ()  # "host:port" origins allowed to be private (a loopback demo server)
    respect_robots: bool = True
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Fetched:
    """What one GET gave: the final URL, the HTML text (None on failure or 304), validators, or an error."""

    url: str
    final_url: str
    status: int | None = None
    content_type: str | None = None
    text: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """A page whose text (or cached text, after a 304) may be used."""
        return self.error is None or self.text is not None


class Refused(Exception):
    """A page the crawler will not fetch or read (address, scheme, robots, type, size, redirects)."""


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def is_public(address: str) -> bool:
    """False for private, shared (CGNAT), loopback, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


@dataclass
class _Host:
    """Per-host politeness: a slot semaphore, the earliest next start, robots rules."""

    slots: asyncio.Semaphore
    next_start: float = 0.0
    robots: object = None
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    crawl_delay: float = 0.0


class WebClient:
    """Fetches HTML pages politely and safely; use as ``async with WebClient(policy) as web``."""

    def __init__(self, policy: CrawlPolicy | None = None, *, resolver: Resolver | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or CrawlPolicy()
        self.resolver = resolver or system_resolver
        self.clock = clock
        self.hosts: dict[str, _Host] = {}
        self.slots = asyncio.Semaphore(self.policy.concurrency)
        self.http = None
        self.transport = None
        self._ssl = None
        self.requests = 0

    async def __aenter__(self) -> "WebClient":
        import httpx

        from totalaudio.clients.hostpool import PerOriginTransport

        p = self.policy
        timeout = httpx.Timeout(connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout,
                                pool=p.site_timeout)
        # Keep-alive per origin: a pool per host (see hostpool); a site's pages reuse its connections.
        limits = httpx.Limits(max_connections=p.per_host + 1, max_keepalive_connections=p.per_host + 1)
        self.transport = PerOriginTransport(lambda scheme: self._transport(limits, scheme),
                                            p.concurrency * ORIGINS_PER_SLOT)
        self.http = httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False,
                                      headers={"User-Agent": p.user_agent}, transport=self.transport)
        return self

    def _transport(self, limits, scheme: str = "https"):
        """httpx's transport over a connection pool whose every new connection goes through ``_address``."""
        import httpcore
        import httpx

        if self._ssl is None and scheme == "https":
            import ssl

            import certifi
            # Once, and only when an https origin comes: loading the CAs is slow, and plain-http runs never need it.
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        transport = httpx.AsyncHTTPTransport(limits=limits, verify=self._ssl if scheme == "https" else False)
        # httpx exposes no network-backend hook; its pool is replaced by an identical one that checks addresses.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._ssl if scheme == "https" else None, max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            http1=True, http2=False, network_backend=_CheckedBackend(self))
        return transport

    async def release(self, url: str) -> None:
        """Close the kept-alive connections of the URL's origin (its site is done)."""
        parts = urlsplit(url)
        if self.transport is not None and parts.hostname:
            await self.transport.release(parts.scheme, parts.hostname, parts.port)

    async def __aexit__(self, *exc) -> None:
        await self.http.aclose()

    def _host(self, origin: str) -> _Host:
        if origin not in self.hosts:
            self.hosts[origin] = _Host(asyncio.Semaphore(self.policy.per_host))
        return self.hosts[origin]

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    types: tuple[str, ...] = HTML_TYPES) -> Fetched:
        """GET an HTML page (or another of ``types``), following and checking up to ``max_redirects`` hops."""
        import httpx

        started = self.clock()
        try:
            return await self._follow(url, etag, last_modified, started, types)
        except Refused as exc:
            return Fetched(url, url, error=str(exc), elapsed=self.clock() - started)
        except httpx.TimeoutException as exc:
            return Fetched(url, url, error=f"timed out ({exc.__class__.__name__})", elapsed=self.clock() - started)
        except (httpx.HTTPError, httpx.InvalidURL, OSError, UnicodeError, ValueError) as exc:
            return Fetched(url, url, error=f"cannot fetch: {_describe(exc)}", elapsed=self.clock() - started)

    async def _follow(self, url: str, etag: str | None, last_modified: str | None, started: float,
                      types: tuple[str, ...] = HTML_TYPES) -> Fetched:
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            await self._check_robots(current)
            status, headers, body, location = await self._get(current, etag, last_modified, types)
            if location is None:
                return self._result(url, current, status, headers, body, started)
            current = location
            etag = last_modified = None
        raise Refused(f"more than {self.policy.max_redirects} redirects")

    def _result(self, url: str, final: str, status: int, headers, body, started: float) -> Fetched:
        elapsed = self.clock() - started
        ctype = (headers.get("content-type") or "").split(";")[0].strip().lower() or None
        common = dict(status=status, content_type=ctype, etag=headers.get("etag"),
                      last_modified=headers.get("last-modified"), elapsed=elapsed)
        if status == 304:
            return Fetched(url, final, not_modified=True, **common)
        if status >= 300:
            return Fetched(url, final, error=f"HTTP {status}", **common)
        text, truncated = body if body is not None else (None, False)
        error = f"page larger than {self.policy.max_bytes // 1048576 or 1} MB: only the start was read" if truncated else None
        return Fetched(url, final, text=text, error=error, **common)

    async def _address(self, host: str, port: int) -> str:
        """The address to connect to: resolved, and refused when not public (unless allowed)."""
        try:
            addresses = await self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise Refused(f"cannot resolve {host}: {_describe(exc)}") from None
        if not addresses:
            raise Refused(f"cannot resolve {host}")
        if not (self.policy.allow_private or f"{host}:{port}" in self.policy.private_allowlist):
            blocked = [a for a in addresses if not is_public(a)]
            if blocked:
                raise Refused(f"refused: {host} resolves to a non-public address ({blocked[0]}); "
                              "set TAP_ENRICH_ALLOW_PRIVATE=1 only for local testing")
        return addresses[0]

    async def _get(self, url: str, etag: str | None, last_modified: str | None, types: tuple[str, ...] = HTML_TYPES):
        """One request under the host and global limits: (status, headers, body or None, redirect or None)."""
        headers = _request_headers(url)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
        async with _PoliteSlot(self, _origin(url)):
            self.requests += 1
            async with self.http.stream("GET", url, headers=headers) as resp:
                if resp.status_code >= 300:
                    await drain(resp)
                if resp.status_code in (301, 302, 303, 307, 308):
                    return resp.status_code, resp.headers, None, self._location(url, resp)
                if resp.status_code >= 300:
                    return resp.status_code, resp.headers, None, None
                _check_type(resp.headers.get("content-type"), types)
                return resp.status_code, resp.headers, await self._read(resp, self.policy.max_bytes), None

    def _location(self, url: str, resp) -> str:
        location = resp.headers.get("location")
        if not location:
            raise Refused(f"HTTP {resp.status_code} redirect without a Location")
        return urljoin(url, location.strip())

    async def _read(self, resp, cap: int) -> tuple[str, bool]:
        """The body up to ``cap`` bytes, decoded; reading stops at the cap (the rest is never downloaded)."""
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap * 4:
            raise Refused(f"page too large ({int(declared) // 1024} KB declared; limit {cap // 1024} KB)")
        chunks, size = [], 0
        async for chunk in resp.aiter_raw():
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                break
        raw = decompress(b"".join(chunks), resp.headers.get("content-encoding"))
        return raw[:cap].decode(charset(resp, raw), errors="replace"), len(raw) > cap

    def sitemaps(self, url: str) -> list[str]:
        """The sitemaps robots.txt names for the URL's host (once robots.txt was read; empty otherwise)."""
        host = self.hosts.get(_origin(url))
        robots = host.robots if host is not None else None
        return list(robots.sitemaps)[:5] if robots else []

    async def _check_robots(self, url: str) -> None:
        if not self.policy.respect_robots:
            return
        host = self._host(_origin(url))
        async with host.robots_lock:
            if host.robots is None:
                host.robots = await self._load_robots(url)
                delay = host.robots.crawl_delay(self.policy.user_agent) if host.robots is not False else None
                host.crawl_delay = min(float(delay or 0.0), MAX_CRAWL_DELAY)
        if host.robots is not False and not host.robots.can_fetch(url, self.policy.user_agent):
            raise Refused(ROBOTS_DENIED)

    async def _load_robots(self, url: str):
        """Protego rules for the URL's host; False means "allow everything" (absent or unreadable robots.txt)."""
        import httpx
        from protego import Protego

        robots_url = _origin(url) + "/robots.txt"
        try:
            headers = _request_headers(robots_url)
            async with _PoliteSlot(self, _origin(robots_url)):
                self.requests += 1
                async with self.http.stream("GET", robots_url, headers=headers) as resp:
                    if resp.status_code != 200:
                        await drain(resp)
                    if resp.status_code >= 500:
                        return Protego.parse("User-agent: *\nDisallow: /")  # RFC 9309: unreachable = disallow
                    if resp.status_code != 200:
                        return False
                    text, _cut = await self._read(resp, ROBOTS_MAX_BYTES)
        except (httpx.HTTPError, OSError, UnicodeError, ValueError):
            return False
        except Refused:
            return False
        return Protego.parse(text)


class _CheckedBackend:
    """httpcore network backend: resolves with the client's resolver, checks, then connects to that address."""

    def __init__(self, client: WebClient) -> None:
        import httpcore

        self.client = client
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout=None, local_address=None, socket_options=None):
        """Connect to the checked address of ``host``; TLS still verifies ``host`` (httpcore passes it as SNI)."""
        address = await self.client._address(host, port)
        return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        """Unix sockets are never used by the crawler."""
        raise Refused("unix sockets are not crawled")

    async def sleep(self, seconds: float) -> None:
        """Delegate to anyio."""
        await self.inner.sleep(seconds)


class _PoliteSlot:
    """Holds a per-host slot (with the delay between starts) and then a global slot."""

    def __init__(self, client: WebClient, origin: str) -> None:
        self.client = client
        self.host = client._host(origin)

    async def __aenter__(self) -> None:
        await self.host.slots.acquire()
        delay = max(self.client.policy.delay, self.host.crawl_delay)
        wait = self.host.next_start - self.client.clock()
        self.host.next_start = max(self.host.next_start, self.client.clock()) + delay
        if wait > 0:
            await asyncio.sleep(wait)
        queued = self.client.clock()
        await self.client.slots.acquire()
        if (account := QUEUED.get()) is not None:
            account.seconds += self.client.clock() - queued

    async def __aexit__(self, *exc) -> None:
        self.client.slots.release()
        self.host.slots.release()


def _request_headers(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) URL: {url[:200]}")
    # Only what decompress undoes: the size cap applies to the bytes received.
    return {"Accept-Encoding": "gzip, deflate"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _check_type(content_type: str | None, types: tuple[str, ...] = HTML_TYPES) -> None:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind and kind not in types:
        raise Refused(f"not an HTML page ({kind})" if types == HTML_TYPES else f"unexpected content type ({kind})")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{exc.__class__.__name__}: {text[:200]}" if text else exc.__class__.__name__
