"""Crawl one station site: the entry page, then the same-site pages that look useful, within a page budget.

Pages are parsed as they arrive (links are needed to go on). A page cache with validators makes a re-run send
conditional requests; a 304 reuses the cached HTML.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from totalaudio.clients.web import Fetched, WebClient
from totalaudio.services.enrich.extract import PageFacts, link_score, parse

FRAME_SCORE = 8
LEVEL_TWO_MIN = 9
USEFUL = 6
# Tried only when the entry page links to nothing useful (script-built menus): the commonest paths.
PROBES = ("/contact", "/about", "/submissions")


class PageCache(Protocol):
    """Where fetched pages are kept with their validators."""

    def get(self, url: str) -> tuple[str | None, str | None, str] | None:
        """(etag, last_modified, html) of a cached page, or None."""

    def put(self, url: str, fetched: Fetched, html: str) -> None:
        """Keep a fetched page (only worth it when it has validators)."""


@dataclass
class SiteCrawl:
    """What a crawl of one site produced so far (kept when the site's time runs out)."""

    start: str
    pages: list[PageFacts] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fetched: int = 0
    failed: int = 0
    parse_seconds: list[float] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    requested: int = 0
    base: str | None = None

    def ordered(self) -> list[PageFacts]:
        """The pages in the order they were requested (entry page first), whatever order they arrived in."""
        return sorted(self.pages, key=lambda page: page.order)


def canonical(url: str) -> str:
    """The URL without fragment, with a lower-case host and a path ('/' when empty), for de-duplication."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def site_key(host: str) -> str:
    """The registrable domain of a host (``www.x.org.au`` -> ``x.org.au``); IPs and unknown suffixes as they are."""
    from totalaudio.services.emaildomains import registrable

    return registrable(host.lower()) if any(c.isalpha() for c in host) else host


def same_site(url: str, start: str) -> bool:
    """Both URLs are http(s) on the same registrable domain and port."""
    a, b = urlsplit(url), urlsplit(start)
    if a.scheme not in ("http", "https") or not a.hostname or not b.hostname:
        return False
    return site_key(a.hostname) == site_key(b.hostname) and a.port == b.port


class Crawler:
    """Crawls sites with one shared WebClient."""

    def __init__(self, web: WebClient, *, budget: int = 8, cache: PageCache | None = None, pool=None) -> None:
        self.web = web
        self.budget = max(1, budget)
        self.cache = cache
        self.pool = pool  # a process pool for parsing, so that the event loop keeps fetching

    async def crawl(self, start: str, site: SiteCrawl | None = None) -> SiteCrawl:
        """Fetch and parse the entry page and up to ``budget - 1`` useful same-site pages."""
        site = site or SiteCrawl(start)
        home = await self._page(start, site)
        if home is None:
            return site
        site.base = home.url
        first = self._pick(site, [home], min_score=1, extra_root=True)
        level_one = await self._pages(first, site)
        second = self._pick(site, level_one, min_score=LEVEL_TWO_MIN)
        await self._pages(second, site)
        return site

    def _pick(self, site: SiteCrawl, pages: list[PageFacts], *, min_score: int, extra_root: bool = False) -> list[str]:
        room = self.budget - site.fetched
        scored: dict[str, tuple[int, str]] = {}
        candidates = [(url, link_score(url, text)) for page in pages for url, text in page.links]
        candidates += [(url, FRAME_SCORE) for page in pages for url in page.frames]
        if extra_root:
            origin = urlsplit(site.base or site.start)[:2]
            candidates.append((urlunsplit(origin + ("/", "", "")), 5))
            if sum(1 for _u, score in candidates if score >= USEFUL) < 2:
                candidates += [(urlunsplit(origin + (path, "", "")), 1) for path in PROBES]
        base = site.base or site.start  # where the entry page really is, after redirects
        for url, score in candidates:
            if score < min_score or not same_site(url, base):
                continue
            key = canonical(url)
            if key not in site.seen and score > scored.get(key, (0, ""))[0]:
                scored[key] = (score, url)
        ranked = sorted(scored.values(), key=lambda item: (-item[0], len(item[1])))
        return [url for _score, url in ranked[:max(0, room)]]

    async def _pages(self, urls: list[str], site: SiteCrawl) -> list[PageFacts]:
        import asyncio

        results = await asyncio.gather(*(self._page(u, site) for u in urls))
        return [r for r in results if r is not None]

    async def _page(self, url: str, site: SiteCrawl) -> PageFacts | None:
        site.seen.add(canonical(url))
        order = site.requested
        site.requested += 1
        cached = self.cache.get(url) if self.cache else None
        fetched = await self.web.fetch(url, etag=cached[0] if cached else None,
                                       last_modified=cached[1] if cached else None)
        site.fetched += 1
        html = cached[2] if cached and fetched.not_modified else fetched.text
        if fetched.error:
            site.errors.append(f"{url}: {fetched.error}")
        if html is None:
            site.failed += 1
            return None
        site.seen.add(canonical(fetched.final_url))
        if self.cache and not fetched.not_modified and (fetched.etag or fetched.last_modified):
            self.cache.put(url, fetched, html)
        facts = await self._parse(html, fetched.final_url, site)
        facts.order = order
        return facts

    async def _parse(self, html: str, url: str, site: SiteCrawl) -> PageFacts:
        if self.pool is None:
            facts, seconds = timed_parse(html, url)
        else:
            import asyncio

            facts, seconds = await asyncio.get_running_loop().run_in_executor(self.pool, timed_parse, html, url)
        site.parse_seconds.append(seconds)
        site.pages.append(facts)
        return facts


def timed_parse(html: str, url: str) -> tuple[PageFacts, float]:
    """parse() and the seconds it took (module level: it runs in worker processes too)."""
    started = time.perf_counter()
    facts = parse(html, url)
    return facts, time.perf_counter() - started
