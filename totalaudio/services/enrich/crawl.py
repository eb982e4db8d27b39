"""Crawl one station site: the entry page, then the same-site pages that look most useful, within a page budget.

Best first: every link found goes into a frontier ranked by its score (anchor text and URL words, see
``discover``) less a penalty per level of depth; the best candidate is fetched next, a few at a time, and the links
of each page join the frontier as it arrives. The budget counts pages read; requests that fail (404, refused,
not HTML) draw on a separate, equal allowance so that dead links do not starve the pages that matter, while a
site never gets more than ``2 x budget`` requests. Links hidden in scripts and data attributes are candidates too;
a script route that 404s is tried once as the ``.php``/``.html`` file a client-side router would load. When
discovery leaves pages unspent, the sitemap (named by robots.txt, or /sitemap.xml) offers more candidates.
Pages are parsed as they arrive. A page cache with validators makes a re-run send conditional requests; a 304
reuses the cached HTML.
"""

from __future__ import annotations

import asyncio
import heapq
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from totalaudio.clients.web import ROBOTS_DENIED, XML_TYPES, Fetched, WebClient
from totalaudio.services.enrich import discover
from totalaudio.services.enrich.discover import link_score
from totalaudio.services.enrich.extract import PageFacts, parse

FRAME_SCORE = 8
ROOT_SCORE = 5
USEFUL = 6
DEPTH_PENALTY = 2
NAV_BONUS = 1
MIN_DEEP_SCORE = 3  # below the entry page, a link must look at least this useful
MAX_DEPTH = 3
SITEMAP_MIN_SCORE = 4
SITEMAP_REQUESTS = 3
SITEMAP_URLS = 5000  # read at most this many URLs of one sitemap
# Tried only when the entry page links to nothing useful (script-built menus): the commonest paths.
PROBES = ("/contact", "/about", "/submissions")
ROUTE_FILES = (".php", ".html")
DEAD = (404, 410)
# A programmes or presenters index is worth reading in full: its show and presenter pages raise the budget by
# their number, up to MAX_EXTRA_PAGES. A blog or news archive is not (its posts are no programmes).
INDEX_PAGE = re.compile(r"(?i)presenters?|\bdjs?\b|\bhosts?\b|\bshows?\b|schedule|programm|line.?up|\bbios?\b|"
                        r"\bguide\b|locutores|programa|émissions?|sendungen")
MIN_INDEX_LINKS = 5
MAX_EXTRA_PAGES = 48
INDEX_SCORE = USEFUL + 1
INDEX_FILES = frozenset({"index.html", "index.htm", "index.php", "index.shtml", "default.htm", "default.aspx"})
ROUTE_MISSES = 2  # a suffix that gave no page twice is not tried again on the site


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
    broken: int = 0  # failures other than dead links (404/410): timeouts, refusals, server errors
    parse_seconds: list[float] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    requested: int = 0
    base: str | None = None
    frontier: list = field(default_factory=list)  # heap of (-priority, seq, url, depth, source)
    queued: dict = field(default_factory=dict)  # canonical URL -> best priority queued
    offered: dict = field(default_factory=dict)  # (url, anchor text, in the menu) -> the least depth it came from
    route_file: str | None = None  # the suffix that turned a script route into a page here (".php")
    route_misses: dict = field(default_factory=dict)  # suffix -> route files that were not there
    extra: int = 0  # pages added to the budget for programme and presenter indexes
    rendered: int = 0  # pages read in headless Chromium
    stop_reason: str | None = None

    def report(self, budget: int) -> dict:
        """How much of the site was read and why the crawl stopped (for the record)."""
        return {"pagesRead": len(self.pages), "pagesRendered": self.rendered, "requests": self.fetched,
                "pageBudget": budget + self.extra,
                "indexPagesAdded": self.extra, "stopReason": self.stop_reason or "no more useful links"}

    def ordered(self) -> list[PageFacts]:
        """The pages in the order they were requested (entry page first), whatever order they arrived in."""
        return sorted(self.pages, key=lambda page: page.order)


@lru_cache(maxsize=65536)  # a site's menu links come back on each of its pages
def canonical(url: str) -> str:
    """The URL without fragment, with a lower-case host and a path ('/' when empty), for de-duplication. A folder's
    index file is the folder (``/about/index.html`` is ``/about/``): sites link to both, and the page is one."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not parts.query and path.rsplit("/", 1)[-1].lower() in INDEX_FILES:
        path = path.rsplit("/", 1)[0] + "/"
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def site_key(host: str) -> str:
    """The registrable domain of a host (``www.x.org.au`` -> ``x.org.au``); IPs and unknown suffixes as they are."""
    from totalaudio.services.contacts.emaildomains import registrable

    return registrable(host.lower()) if any(c.isalpha() for c in host) else host


def same_site(url: str, start: str) -> bool:
    """Both URLs are http(s) on the same registrable domain and port."""
    if _on_origin(url, start):  # most links: no URL parsing, no public-suffix look-up
        return True
    a, b = urlsplit(url), urlsplit(start)
    if a.scheme not in ("http", "https") or not a.hostname or not b.hostname:
        return False
    return site_key(a.hostname) == site_key(b.hostname) and a.port == b.port


def _on_origin(url: str, start: str) -> bool:
    """The URL is on the start's own http(s) scheme://host:port."""
    origin = "/".join(start.split("/", 3)[:3])
    return (origin.startswith(("http://", "https://")) and len(origin) > 8 and url.startswith(origin)
            and url[len(origin):len(origin) + 1] in ("", "/", "?", "#"))


class Crawler:
    """Crawls sites with one shared WebClient."""

    def __init__(self, web: WebClient, *, budget: int = 8, cache: PageCache | None = None, pool=None,
                 failures: int | None = None, renderer=None) -> None:
        self.web = web
        self.renderer = renderer  # render.Renderer: JavaScript shells read in headless Chromium
        self.budget = max(1, budget)
        self.failures = max(1, self.budget if failures is None else failures)
        self.cache = cache
        self.pool = pool  # workers.ParsePool of timed_parse: parsing off the event loop, so that it keeps fetching
        self.parallel = max(1, getattr(web.policy, "per_host", 2))

    async def crawl(self, start: str, site: SiteCrawl | None = None) -> SiteCrawl:
        """Fetch and parse the entry page and up to ``budget - 1`` of the most useful same-site pages."""
        site = site or SiteCrawl(start)
        try:
            home = await self._page(start, site)
            if home is None:
                return site
            site.base = home.url
            self._offer_page(site, home, 0)
            self._offer_root(site)
            await self._drain(site)
            if len(site.pages) < self.budget + site.extra and self._can_fail(site):
                await self._sitemaps(site)
                await self._drain(site)
            site.stop_reason = site.stop_reason or self._stopped(site)
            return site
        finally:
            for url in {start, site.base or start}:
                await self.web.release(url)  # the site is done: its kept-alive connections are not needed

    def _room(self, site: SiteCrawl, in_flight: int) -> bool:
        # In-flight requests may all fail: counting them keeps the allowance a hard cap.
        return len(site.pages) + in_flight < self.budget + site.extra and site.failed + in_flight < self.failures

    def _stopped(self, site: SiteCrawl) -> str:
        if not site.pages:
            return "the entry page could not be read"
        if len(site.pages) >= self.budget + site.extra:
            return f"page budget reached ({self.budget + site.extra} pages)"
        if not self._can_fail(site):
            return f"failure allowance reached ({site.failed} failed requests)"
        return "no more useful links"

    def _can_fail(self, site: SiteCrawl) -> bool:
        return site.failed < self.failures

    async def _drain(self, site: SiteCrawl) -> None:
        """Fetch the best candidates, ``parallel`` at a time, until the budget or the candidates run out."""
        running: set[asyncio.Task] = set()
        try:
            while True:
                while len(running) < self.parallel and self._room(site, len(running)) and site.frontier:
                    neg, _len, url, depth, source = heapq.heappop(site.frontier)
                    if canonical(url) not in site.seen:
                        # seen from the moment it is scheduled: a URL queued twice (a better offer came later)
                        # may be popped again before this task starts, and must not be fetched twice
                        site.seen.add(canonical(url))
                        running.add(asyncio.ensure_future(self._visit(site, url, -neg, depth, source)))
                if not running:
                    return
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
        finally:
            for task in running:
                task.cancel()

    async def _visit(self, site: SiteCrawl, url: str, priority: int, depth: int, source: str) -> None:
        failed = site.failed
        facts = await self._page(url, site)
        if source == "route":
            suffix = "." + url.rsplit(".", 1)[-1]
            if facts is not None:
                site.route_file = suffix
            else:
                site.route_misses[suffix] = site.route_misses.get(suffix, 0) + 1
        if facts is not None:
            self._offer_page(site, facts, depth)
        elif source == "script" and site.failed > failed and discover.extensionless(url):
            self._offer_route_files(site, url, priority, depth)

    def _offer_route_files(self, site: SiteCrawl, url: str, priority: int, depth: int) -> None:
        """A client-side router loads its routes from files: /contact may be contact.php on the server."""
        path = urlsplit(url).path.rstrip("/")
        suffixes = [site.route_file] if site.route_file else [
            s for s in ROUTE_FILES if site.route_misses.get(s, 0) < ROUTE_MISSES]
        for n, suffix in enumerate(suffixes):
            self._offer(site, urlunsplit(urlsplit(url)[:2] + (path + suffix, "", "")), priority - n, depth, "route")

    def _offer_page(self, site: SiteCrawl, page: PageFacts, depth: int) -> None:
        """Add a page's links, frames and hidden links to the frontier."""
        child = depth + 1
        if child > MAX_DEPTH:
            return
        minimum = 1 if depth == 0 else MIN_DEEP_SCORE
        penalty = DEPTH_PENALTY * depth
        for url, text in page.links:
            nav = url in page.nav
            if (nearest := site.offered.get((url, text, nav))) is not None and nearest <= depth:
                continue  # the same link came from a page as near the entry (menus repeat): it offers nothing new
            site.offered[(url, text, nav)] = depth
            if (score := link_score(url, text)) >= minimum:
                # The site's own menu and footer name its key pages: a tie goes to them.
                self._offer(site, url, score - penalty + NAV_BONUS * nav, child, "link")
        for url, text in page.hidden:
            if (score := link_score(url, text)) >= minimum:
                self._offer(site, url, score - penalty, child, "script")
        for url in page.frames:
            self._offer(site, url, FRAME_SCORE - penalty, child, "frame")
        if depth <= 1 and (index := self._index_links(site, page)):
            site.extra = min(MAX_EXTRA_PAGES, site.extra + len(index))
            for url in index:
                self._offer(site, url, INDEX_SCORE - penalty, child, "index")

    def _index_links(self, site: SiteCrawl, page: PageFacts) -> list[str]:
        """A programmes or presenters index's own links (not its menu), when it has enough to be one."""
        head = f"{urlsplit(page.url).path} {page.title}"
        if not INDEX_PAGE.search(head) or discover.LOW_VALUE.search(head):
            return []
        here = canonical(page.url)
        links = {canonical(url): url for url, text in page.links
                 if url not in page.nav and not discover.SKIP.search(url) and not discover.LOW_VALUE.search(url)
                 and same_site(url, site.base or site.start)}
        links.pop(here, None)
        for key in site.seen:
            links.pop(key, None)
        return list(links.values()) if len(links) >= MIN_INDEX_LINKS else []

    def _offer_root(self, site: SiteCrawl) -> None:
        """The site's root page, and the commonest paths when the entry page points to nothing useful."""
        origin = urlsplit(site.base or site.start)[:2]
        self._offer(site, urlunsplit(origin + ("/", "", "")), ROOT_SCORE, 1, "link")
        if sum(1 for neg, *_rest in site.frontier if -neg >= USEFUL) < 2:
            for path in PROBES:
                self._offer(site, urlunsplit(origin + (path, "", "")), 1, 1, "probe")

    def _offer(self, site: SiteCrawl, url: str, priority: int, depth: int, source: str) -> None:
        if not same_site(url, site.base or site.start):
            return
        key = canonical(url)
        if key in site.seen or site.queued.get(key, -99) >= priority:
            return
        site.queued[key] = priority
        heapq.heappush(site.frontier, (-priority, len(url), url, depth, source))

    async def _sitemaps(self, site: SiteCrawl) -> None:
        """Candidates from the sitemap(s) robots.txt names, or /sitemap.xml: URL words only, best first."""
        base = site.base or site.start
        queue = self.web.sitemaps(base) or [urlunsplit(urlsplit(base)[:2] + ("/sitemap.xml", "", ""))]
        for _request in range(SITEMAP_REQUESTS):
            if not queue or not self._can_fail(site):
                return
            fetched = await self.web.fetch(queue.pop(0), types=XML_TYPES + ("text/html",))
            site.fetched += 1
            if fetched.text is None:
                site.failed += 1
                continue
            pages, children = discover.sitemap_urls(fetched.text)
            pages = pages[:SITEMAP_URLS]
            queue = sorted(children, key=discover.child_sitemap_rank)[:SITEMAP_REQUESTS] + queue
            for url in pages:
                if (score := link_score(url, "")) >= SITEMAP_MIN_SCORE:
                    self._offer(site, url, score - DEPTH_PENALTY, 1, "sitemap")

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
            if fetched.error != ROBOTS_DENIED:  # no request was made: nothing to hold against the site or us
                site.failed += 1
                site.broken += fetched.status not in DEAD
            return None
        site.seen.add(canonical(fetched.final_url))
        if self.cache and not fetched.not_modified and (fetched.etag or fetched.last_modified):
            self.cache.put(url, fetched, html)
        facts = await self._parse(html, fetched.final_url, site)
        if facts is None:
            return None
        if facts.cut:
            site.errors.append(f"{url}: {facts.cut}")
        if self.renderer is not None and self.renderer.wanted(html, facts):
            facts = await self._rendered(fetched.final_url, site, facts)
        facts.order = order
        return facts

    async def _rendered(self, url: str, site: SiteCrawl, static: PageFacts) -> PageFacts:
        """The page as a browser shows it, in place of its static shell (which stays when rendering fails)."""
        started = time.perf_counter()
        facts = await self.renderer.render(url, site.errors)
        if facts is None:
            return static
        site.rendered += 1
        site.parse_seconds.append(time.perf_counter() - started)
        site.pages[site.pages.index(static)] = facts
        return facts

    async def _parse(self, html: str, url: str, site: SiteCrawl) -> PageFacts | None:
        """The page's facts; a page the parser cannot read costs that page (noted in the errors), never the run."""
        try:
            # in a worker process, a site's entry page ahead of other pages (see ``workers``)
            facts, seconds = (timed_parse(html, url) if self.pool is None
                              else await self.pool.run(html, url, first=not site.pages))
        except Exception as exc:  # noqa: BLE001 - any failure of a parser on a hostile page
            site.errors.append(f"{url}: could not read the page ({exc.__class__.__name__})")
            return None
        site.parse_seconds.append(seconds)
        site.pages.append(facts)
        return facts

def timed_parse(html: str, url: str) -> tuple[PageFacts, float]:
    """parse() and the seconds it took (module level: it runs in worker processes too)."""
    started = time.perf_counter()
    facts = parse(html, url)
    return facts, time.perf_counter() - started
