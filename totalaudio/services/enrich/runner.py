"""Enrich many contacts: group them by website, crawl each site once, extract, summarise, hand back records.

One site's failure (dead, slow, huge, hostile) is that site's record's ``errors``; the run goes on. Records
are handed to ``on_record`` as each site finishes, so that an interrupted run keeps what was done.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit, urlunsplit

from totalaudio.clients.web import QUEUED, CrawlPolicy, Queued, WebClient
from totalaudio.errors import TapError
from totalaudio.services.enrich import confidence, intelligence
from totalaudio.services.enrich.crawl import Crawler, PageCache, SiteCrawl, timed_parse
from totalaudio.services.enrich.merge import merge
from totalaudio.services.enrich.record import EnrichmentData
from totalaudio.services.enrich.render import Renderer
from totalaudio.services.enrich.workers import ParsePool, default_workers
from totalaudio.services.enrich.website import domain_of


@dataclass(frozen=True)
class Target:
    """One thing to enrich: a contact (or none, for ``--url``) and the website to crawl."""

    website: str
    contact_id: str | None = None
    email: str | None = None
    station: str | None = None


@dataclass(frozen=True)
class EnrichOptions:
    """Per-run choices: page budget per site, how long a result stays fresh, AI summaries."""

    budget: int = 8
    fresh_seconds: float = 7 * 86400
    refresh: bool = False
    site_concurrency: int | None = None
    parse_workers: int | None = None  # None: one per CPU (2+ CPUs) for runs of MIN_SITES_FOR_POOL sites or more
    render: str = "auto"  # auto (JavaScript shells only), always, never


class History(Protocol):
    """Earlier results, so that a re-run skips sites enriched recently."""

    def fresh(self, website: str, max_age_seconds: float) -> dict[str, Any] | None:
        """The stored record of a site enriched within ``max_age_seconds``, or None."""


@dataclass
class Progress:
    """Counters for a progress display."""

    sites_total: int = 0
    sites_done: int = 0
    pages: int = 0
    errors: int = 0
    reused: int = 0
    elapsed: float = 0.0
    parse_seconds: list[float] = field(default_factory=list)


MIN_SITES_FOR_POOL = 50
GC_YOUNG_THRESHOLD = 20_000  # allocations between collections of young objects during a crawl (Python's default: 700)
MAX_PARSE_WORKERS = 4
WARM_PAGE = "<html><head><title>Warm FM</title></head><body><p>Mondays 8pm with Jo Bloggs</p></body></html>"
OnRecord = Callable[[Target, Any], None]
Writer = Callable[[str, str], str]


async def enrich_all(targets: list[Target], policy: CrawlPolicy, options: EnrichOptions, on_record: OnRecord, *,
                     cache: PageCache | None = None, history: History | None = None, writer: Writer | None = None,
                     progress: Progress | None = None, resolver=None) -> Progress:
    """Crawl every distinct website once and call ``on_record(target, record)`` for each target."""
    progress = progress or Progress()
    by_site: dict[str, list[Target]] = {}
    for target in targets:
        by_site.setdefault(target.website, []).append(target)
    progress.sites_total = len(by_site)
    # Sites in flight: enough that the per-host delay, not this gate, bounds each host (see the throughput bench).
    gate = asyncio.Semaphore(options.site_concurrency or policy.concurrency * 16)
    pool = _parse_pool(options.parse_workers, len(by_site))
    warming = asyncio.ensure_future(_warm_up(pool))
    try:
        async with WebClient(policy, resolver=resolver) as web:
            renderer = Renderer(web, options.render) if options.render != "never" else None
            crawler = Crawler(web, budget=options.budget, cache=cache, pool=pool, renderer=renderer)
            stop = asyncio.Event()
            jobs = [_stopping(stop, _site(crawler, site, group, policy, options, on_record, history, writer, progress,
                                          gate, stop)) for site, group in by_site.items()]
            try:
                await _until_stopped(jobs)
                await warming
            finally:
                warming.cancel()
                if renderer is not None:
                    await renderer.close()
    finally:
        if pool is not None:
            pool.close()
    return progress


async def _stopping(stop: asyncio.Event, job) -> None:
    """Run one site's job; its failure (a spending limit reached) stops the run."""
    try:
        await job
    except Exception:
        stop.set()
        raise


async def _until_stopped(jobs: list) -> None:
    """Wait for every site. After a failure no new site starts, and the sites under way finish (a summary already
    paid for is stored), before the run's connections close; then the first failure is raised."""
    results = await asyncio.gather(*jobs, return_exceptions=True)
    failure = next((r for r in results if isinstance(r, BaseException)), None)
    if failure is not None:
        raise failure


def _parse_pool(workers: int | None, sites: int):
    """Worker processes for parsing on multi-core machines and big runs; None: parse in the event loop."""
    import os

    cpus = os.cpu_count() or 1
    if workers is None:
        if cpus < 2 or sites < MIN_SITES_FOR_POOL:
            return None
        workers = default_workers(cpus, MAX_PARSE_WORKERS)
    return ParsePool(min(workers, MAX_PARSE_WORKERS), timed_parse) if workers >= 1 else None


async def _warm_up(pool) -> None:
    """One-off start-up work (the public-suffix list, the parse workers' start and imports), done while the first
    requests wait on the network and on the polite delay instead of in their way."""
    from totalaudio.services.contacts.emaildomains import parts

    jobs = [asyncio.to_thread(parts, "www.example.org")]
    if pool is not None:
        jobs += [pool.run(WARM_PAGE, "http://warm.invalid/") for _ in range(pool.size)]
    await asyncio.gather(*jobs)


async def _site(crawler, website, group, policy, options, on_record, history, writer, progress, gate, stop) -> None:
    async with gate:
        if stop.is_set():
            return
        stored = None if options.refresh or history is None else history.fresh(website, options.fresh_seconds)
        if stored is not None:
            progress.reused += 1
            records = [_reuse(stored, t) for t in group]
        else:
            site = await crawl_with_deadline(crawler, website, policy.site_timeout)
            progress.pages += site.fetched
            progress.errors += len(site.errors)
            progress.parse_seconds.extend(site.parse_seconds)
            record = await _record(site, group[0], writer, options.budget)
            records = [replace(record, email=t.email) for t in group]
        progress.sites_done += 1
        for target, record in zip(group, records):
            on_record(target, record)


async def crawl_with_deadline(crawler: Crawler, website: str, seconds: float) -> SiteCrawl:
    """Crawl a site within its total time; what was fetched before the deadline is kept."""
    for start in _alternates(website):
        site = SiteCrawl(start)
        if not await _within(crawler.crawl(start, site), seconds):
            site.errors.append(f"{start}: site time limit of {seconds:g} s reached; kept {len(site.pages)} pages")
            site.stop_reason = f"site time limit reached ({seconds:g} s)"
        if site.pages or not _worth_retrying(site):
            return site
    return site


async def _within(crawl, seconds: float) -> bool:
    """Run a site's crawl for ``seconds`` of its own time: waits for the run's shared request slots (a busy run,
    a slow machine) do not count against the site. False when the time ran out (the crawl is cancelled)."""
    account = Queued()
    token = QUEUED.set(account)
    task = asyncio.ensure_future(crawl)  # the task and the ones it starts carry this account
    QUEUED.reset(token)
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        while not task.done():
            left = seconds + account.seconds - (loop.time() - started)
            if left <= 0:
                return False
            await asyncio.wait({task}, timeout=left)
        task.result()
        return True
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def _alternates(website: str) -> list[str]:
    """The website, then (for a bare domain taken from an email) its www. variant, then plain http."""
    parts = urlsplit(website)
    host = parts.hostname or ""
    out = [website]
    if parts.path in ("", "/") and not host.startswith("www.") and host.count(".") >= 1 and not host[0].isdigit():
        out.append(urlunsplit((parts.scheme, "www." + parts.netloc, "/", "", "")))
    if parts.scheme == "https":  # small stations still run plain-http sites
        out.append(urlunsplit(("http",) + tuple(parts[1:])))
    return out


def _worth_retrying(site: SiteCrawl) -> bool:
    return any("cannot resolve" in e or "cannot fetch" in e or "timed out" in e for e in site.errors)


async def _record(site: SiteCrawl, target: Target, writer: Writer | None, budget: int) -> EnrichmentData:
    pages = site.ordered()
    data, name = merge(pages)
    name = name or target.station
    score = confidence.score(data, name, len(site.pages), site.broken)
    errors = sorted(site.errors)  # arrival order varies from run to run
    summary = (intelligence.summary(name, data, score) if site.pages else
               f"{site.start} could not be read: {errors[0].split(': ', 1)[-1] if errors else 'no page'}")
    if writer is not None and site.pages:
        try:
            summary = await asyncio.to_thread(writer, intelligence.AI_SYSTEM, intelligence.ai_prompt(name, data))
        except TapError as exc:
            if getattr(exc, "operation", None) == "budget":
                raise  # a spending limit stops the run: this site is left for the next one, not stored without AI
            errors.append(f"AI summary failed, kept the deterministic one: {exc.message}")
    return EnrichmentData(email=target.email, domain=domain_of(site.start), station_name=name,
                          website_url=pages[0].url if pages else site.start, scraped_data=data,
                          confidence=score, errors=errors, contact_intelligence=summary, crawl=site.report(budget))


def _reuse(stored: dict[str, Any], target: Target) -> dict[str, Any]:
    return {**stored, "email": target.email}


def run(targets: list[Target], policy: CrawlPolicy, options: EnrichOptions, on_record: OnRecord,
        **kwargs: Any) -> Progress:
    """Synchronous entry point: run ``enrich_all`` in a fresh event loop."""
    started = time.monotonic()
    with _fewer_collections(), asyncio.Runner(loop_factory=_loop_factory()) as runner:
        progress = runner.run(enrich_all(targets, policy, options, on_record, **kwargs))
    progress.elapsed = time.monotonic() - started
    return progress


@contextmanager
def _fewer_collections():
    """The cycle collector, tuned for a crawl: what lives before it (modules, settings) is set aside for good, and
    young objects are examined every 20,000 allocations, not 700. A crawl allocates a few thousand objects a page
    (parse results, requests, tasks) that reference counting frees; with the defaults the collector ran ~500
    times in the throughput bench's run of 500 sites and took 15 % of the fetching process's CPU."""
    import gc

    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], GC_YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _loop_factory():
    """uvloop where it is installed (a dependency off Windows): its sockets and timers cost the crawl's main
    process less CPU than asyncio's own loop; else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
