"""The polite asynchronous web client of the enrichment crawler.

aiohttp, with one keep-alive session per origin (see hostpool); a global cap on requests in flight and a per-host
cap with a delay between request starts; robots.txt (protego) cached per host; redirects followed by hand so that
every hop is checked; each host resolved and refused when private, loopback, link-local or multicast (unless
allowed), and the connection made only to the checked addresses (the connector's resolver is ``_CheckedResolver``,
so no second DNS answer can swap them; a literal IP address is checked before the request). Bodies are read raw
(``auto_decompress=False``) so that the size cap holds on the bytes received. Per-page failures are data
(``Fetched.error``), not exceptions: one hostile site must not stop a run.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
import time
from contextlib import asynccontextmanager
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
HEADER_LINE_BYTES = 16 * 1024
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
        self.sessions = None
        self._ssl = None
        self._timeout = None
        self.requests = 0

    async def __aenter__(self) -> "WebClient":
        import aiohttp

        from totalaudio.clients.hostpool import OriginSessions

        p = self.policy
        # connect: waiting for one of the origin's connections and making it; sock_connect: TCP and TLS.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=p.site_timeout, sock_connect=p.connect_timeout,
                                              sock_read=p.read_timeout)
        self.sessions = OriginSessions(self._session, p.concurrency * ORIGINS_PER_SLOT)
        return self

    def _session(self, scheme: str = "https"):
        """A session for one origin, whose connector reaches only the addresses ``_CheckedResolver`` allows."""
        import aiohttp

        if self._ssl is None and scheme == "https":
            import ssl

            import certifi
            # Once, and only when an https origin comes: loading the CAs is slow, and plain-http runs never need it.
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        connector = aiohttp.TCPConnector(resolver=_CheckedResolver(self), use_dns_cache=False, limit=0,
                                         limit_per_host=self.policy.per_host + 1,
                                         ssl=self._ssl if scheme == "https" else True)
        # Header lines up to 16 KB (aiohttp's default is 8 KB; h11, the previous client, took 16 KB of headers).
        return aiohttp.ClientSession(connector=connector, timeout=self._timeout, auto_decompress=False,
                                     trust_env=False, headers={"User-Agent": self.policy.user_agent},
                                     max_line_size=HEADER_LINE_BYTES, max_field_size=HEADER_LINE_BYTES)

    async def release(self, url: str) -> None:
        """Close the kept-alive connections of the URL's origin (its site is done)."""
        parts = urlsplit(url)
        if self.sessions is not None and parts.hostname:
            await self.sessions.release(parts.scheme, parts.hostname, parts.port)

    async def __aexit__(self, *exc) -> None:
        await self.sessions.aclose()

    def _host(self, origin: str) -> _Host:
        if origin not in self.hosts:
            self.hosts[origin] = _Host(asyncio.Semaphore(self.policy.per_host))
        return self.hosts[origin]

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    types: tuple[str, ...] = HTML_TYPES) -> Fetched:
        """GET an HTML page (or another of ``types``), following and checking up to ``max_redirects`` hops."""
        import aiohttp

        started = self.clock()
        try:
            return await self._follow(url, etag, last_modified, started, types)
        except Refused as exc:
            return Fetched(url, url, error=str(exc), elapsed=self.clock() - started)
        except TimeoutError as exc:  # aiohttp's connect and read timeouts are TimeoutErrors too
            return Fetched(url, url, error=f"timed out ({exc.__class__.__name__})", elapsed=self.clock() - started)
        except (aiohttp.ClientError, OSError, UnicodeError, ValueError) as exc:
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

    async def _addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to: resolved, and all refused when one is not public (unless allowed)."""
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
        return list(dict.fromkeys(addresses))

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
            async with self._request(url, headers) as resp:
                if resp.status >= 300:
                    await drain(resp.content.iter_any())
                if resp.status in (301, 302, 303, 307, 308):
                    return resp.status, resp.headers, None, self._location(url, resp)
                if resp.status >= 300:
                    return resp.status, resp.headers, None, None
                _check_type(resp.headers.get("content-type"), types)
                return resp.status, resp.headers, await self._read(resp, self.policy.max_bytes), None

    @asynccontextmanager
    async def _request(self, url: str, headers: dict):
        """An open response to ``GET url`` (redirects not followed), once the URL's address passed the check."""
        parts = urlsplit(url)
        if _literal_address(parts.hostname or ""):
            # aiohttp connects to a literal address without asking the resolver: check it here.
            await self._addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        async with self.sessions.get(url, headers=headers) as resp:
            yield resp

    def _location(self, url: str, resp) -> str:
        location = resp.headers.get("location")
        if not location:
            raise Refused(f"HTTP {resp.status} redirect without a Location")
        return urljoin(url, location.strip())

    async def _read(self, resp, cap: int) -> tuple[str, bool]:
        """The body up to ``cap`` bytes, decoded; reading stops at the cap (the rest is never downloaded)."""
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap * 4:
            raise Refused(f"page too large ({int(declared) // 1024} KB declared; limit {cap // 1024} KB)")
        chunks, size = [], 0
        async for chunk in resp.content.iter_any():
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                break
        raw = decompress(b"".join(chunks), resp.headers.get("content-encoding"))
        return raw[:cap].decode(charset(resp.charset, raw), errors="replace"), len(raw) > cap

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
        import aiohttp
        from protego import Protego

        robots_url = _origin(url) + "/robots.txt"
        try:
            headers = _request_headers(robots_url)
            async with _PoliteSlot(self, _origin(robots_url)):
                self.requests += 1
                async with self._request(robots_url, headers) as resp:
                    if resp.status != 200:
                        await drain(resp.content.iter_any())
                    if resp.status >= 500:
                        return Protego.parse("User-agent: *\nDisallow: /")  # RFC 9309: unreachable = disallow
                    if resp.status != 200:
                        return False
                    text, _cut = await self._read(resp, ROBOTS_MAX_BYTES)
        except (aiohttp.ClientError, OSError, UnicodeError, ValueError):
            return False
        except Refused:
            return False
        return Protego.parse(text)


class _CheckedResolver:
    """aiohttp resolver: the client's resolver, checked; the connector connects to these addresses and no other."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[dict]:
        """The checked addresses of ``host`` (all of them public, or the origin allowed); TLS still verifies
        ``host`` (aiohttp passes it as SNI and checks the certificate against it)."""
        addresses = await self.client._addresses(host, port)
        return [{"hostname": host, "host": address, "port": port, "proto": 0, "flags": socket.AI_NUMERICHOST,
                 "family": socket.AF_INET6 if ":" in address else socket.AF_INET} for address in addresses]

    async def close(self) -> None:
        """Nothing to release: the client's resolver is shared by every origin."""


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


def _literal_address(host: str) -> bool:
    """``host`` is an IP address written out (which no resolver is asked about), not a name."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


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
