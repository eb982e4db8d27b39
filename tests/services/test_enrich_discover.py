"""Link discovery of the crawler: best pages first, dead links on their own allowance, hidden links, sitemaps."""

from __future__ import annotations

import asyncio

import pytest

from tests.sites import Site, send
from totalaudio.clients.web import CrawlPolicy, WebClient
from totalaudio.services.enrich.crawl import Crawler

OK = "<html><head><title>{t}</title></head><body><p>{t} page. Write to {t}@radio.org</p></body></html>"


def page(title: str) -> callable:
    return lambda h: send(h, 200, OK.format(t=title).encode())


def html(body: str) -> callable:
    return lambda h: send(h, 200, f"<html><head><title>Home</title></head><body>{body}</body></html>".encode())


def crawl(routes: dict, entry: str = "/", **kw) -> tuple[list[str], object]:
    site = Site(None, routes=routes)
    try:
        async def go():
            policy = CrawlPolicy(private_allowlist=(f"127.0.0.1:{site.port}",), delay=0.0)
            async with WebClient(policy) as web:
                return await Crawler(web, **kw).crawl(site.url.rstrip("/") + entry)

        result = asyncio.run(go())
        return [p.url.split(str(site.port), 1)[1] for p in result.ordered()], result
    finally:
        site.stop()


def test_the_budget_goes_to_the_most_useful_pages_first():
    links = "".join(f'<a href="/programs/comps/{i}/">Win tickets {i}</a>' for i in range(6))
    links += '<a href="/about/staff/">Our staff</a><a href="/contact/">Contact us</a><a href="/blog/">Blog</a>'
    routes = {"/": html(links), "/about/staff/": page("staff"), "/contact/": page("contact"),
              "/blog/": page("blog"), **{f"/programs/comps/{i}/": page(f"comp{i}") for i in range(6)}}
    fetched, _site = crawl(routes, budget=3)
    assert fetched == ["/", "/contact/", "/about/staff/"]


def test_dead_links_draw_on_their_own_allowance_not_the_page_budget():
    links = "".join(f'<a href="/contact-{i}/">Contact {i}</a>' for i in range(4)) + '<a href="/about/">About</a>'
    fetched, site = crawl({"/": html(links), "/about/": page("about")}, budget=2, failures=5)
    assert fetched == ["/", "/about/"] and site.failed == 4


def test_the_failure_allowance_caps_requests_to_a_broken_site():
    links = "".join(f'<a href="/contact-{i}/">Contact {i}</a>' for i in range(20))
    fetched, site = crawl({"/": html(links)}, budget=8, failures=3)
    assert fetched == ["/"] and site.failed == 3 and site.fetched == 4


def test_a_folder_and_its_index_file_are_one_page():
    links = ('<a href="/">Home</a><a href="/contact/">Contact</a><a href="/about/index.html">About</a>'
             '<a href="/about/">About us</a>')
    routes = {"/index.html": html(links), "/": html(links), "/contact/": page("contact"),
              "/about/": page("about"), "/about/index.html": page("about")}
    fetched, _site = crawl(routes, entry="/index.html", budget=3)
    assert fetched[:2] == ["/index.html", "/contact/"] and len(fetched) == 3
    assert fetched[2] in ("/about/", "/about/index.html")  # the budget's last page is not the entry page again


def test_a_script_built_menu_is_followed_and_its_routes_tried_as_files():
    menu = '<div class="menu"><div class="item" url="/contact">CONTACT</div></div><div id="ajax"></div>'
    routes = {"/": html(menu), "/contact.php": page("contact")}
    fetched, _site = crawl(routes, budget=4)
    assert "/contact.php" in fetched


def test_links_in_inline_scripts_and_onclick_handlers_are_candidates():
    body = ('<button onclick="location.href=\'/team/\'">Team</button>'
            '<script>var routes = {"submit": "/music-submissions/", "logo": "/img/logo.png"};</script>')
    routes = {"/": html(body), "/team/": page("team"), "/music-submissions/": page("submit")}
    fetched, _site = crawl(routes, budget=4)
    assert set(fetched) >= {"/", "/team/", "/music-submissions/"}


def test_the_sitemap_named_by_robots_offers_pages_when_links_run_out():
    xml = (b'<?xml version="1.0"?><urlset><url><loc>{o}/station-team/</loc></url>'
           b'<url><loc>{o}/2024/01/news/</loc></url></urlset>')
    routes = {"/": html("<p>Welcome</p>"), "/station-team/": page("team"), "/robots.txt": None, "/map.xml": None}
    site = Site(None, routes=routes)
    origin = site.url.rstrip("/")
    routes["/robots.txt"] = lambda h: send(h, 200, f"User-agent: *\nSitemap: {origin}/map.xml\n".encode(), "text/plain")
    routes["/map.xml"] = lambda h: send(h, 200, xml.replace(b"{o}", origin.encode()), "application/xml")
    site.server.RequestHandlerClass.routes = routes
    try:
        async def go():
            policy = CrawlPolicy(private_allowlist=(f"127.0.0.1:{site.port}",), delay=0.0)
            async with WebClient(policy) as web:
                return await Crawler(web, budget=4).crawl(site.url)

        result = asyncio.run(go())
    finally:
        site.stop()
    urls = [p.url for p in result.ordered()]
    assert origin + "/station-team/" in urls and not any("news" in u for u in urls)


@pytest.mark.parametrize("body", ['<meta http-equiv="refresh" content="0; url=/home.html">'])
def test_a_meta_refresh_is_followed(body):
    routes = {"/": lambda h: send(h, 200, f"<html><head>{body}</head><body></body></html>".encode()),
              "/home.html": page("home")}
    fetched, _site = crawl(routes, budget=3)
    assert "/home.html" in fetched


def test_dead_links_do_not_count_as_broken_pages():
    links = "".join(f'<a href="/contact-{i}/">Contact {i}</a>' for i in range(3))
    routes = {"/": html(links), "/contact-0/": lambda h: send(h, 500, b"oops")}
    _fetched, site = crawl(routes, budget=4)
    assert site.failed == 4 and site.broken == 1  # three dead links, a missing sitemap, one server error


def test_links_robots_txt_forbids_cost_no_allowance():
    links = "".join(f'<a href="/private/contact-{i}/">Contact {i}</a>' for i in range(4)) + '<a href="/about/">About</a>'
    routes = {"/": html(links), "/about/": page("about"),
              "/robots.txt": lambda h: send(h, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")}
    fetched, site = crawl(routes, budget=3, failures=1)
    assert "/about/" in fetched and site.failed <= 1
    assert sum("robots" in e for e in site.errors) == 4


def test_a_page_the_parser_cannot_read_costs_that_page_only(monkeypatch):
    from totalaudio.services.enrich import crawl as crawl_module

    real = crawl_module.parse

    def parse(html_text, url):
        if "/boom/" in url:
            raise RecursionError("maximum recursion depth exceeded")
        return real(html_text, url)

    monkeypatch.setattr(crawl_module, "parse", parse)
    pages, result = crawl({"/": html('<a href="/boom/">Contact</a><a href="/about/">About</a>'),
                           "/boom/": page("boom"), "/about/": page("about")}, budget=3)
    assert pages == ["/", "/about/"]
    assert any("/boom/: could not read the page (RecursionError)" in e for e in result.errors)


def parse_or_die(html: str, url: str):
    """The parser, except that a page saying DIE kills its worker as a crash in the parser would."""
    import os

    from totalaudio.services.enrich.crawl import timed_parse

    if "DIE" in html:
        os._exit(1)
    return timed_parse(html, url)


def test_a_dead_parse_worker_is_replaced_and_the_crawl_goes_on():
    from totalaudio.services.enrich.workers import ParsePool

    pool = ParsePool(1, parse_or_die)
    routes = {"/": html('<a href="/about/">About</a><a href="/boom/">Contact</a>'),
              "/about/": page("about"), "/boom/": page("DIE")}
    site = Site(None, routes=routes)
    try:
        async def go():
            policy = CrawlPolicy(private_allowlist=(f"127.0.0.1:{site.port}",), delay=0.0)
            async with WebClient(policy) as web:
                crawler = Crawler(web, budget=3, pool=pool)
                first_pids = pool.pids()
                first = await crawler.crawl(site.url)
                routes["/boom/"] = page("boom")
                second = await crawler.crawl(site.url)  # after the replacement, pages are parsed again
                return first_pids, first, second

        first_pids, first, second = asyncio.run(go())
    finally:
        site.stop()
        pool.close()
    assert pool.pids() != first_pids
    assert any("/boom/: could not read the page (WorkerLost)" in e for e in first.errors)
    assert sorted(p.url.rsplit(str(site.port), 1)[1] for p in first.pages) == ["/", "/about/"]
    assert len(second.pages) == 3 and not second.errors
