"""The crawler's web client against hostile pages served on loopback: every failure is the page's error."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from tests.sites import Site, held, send
from totalaudio.clients.web import CrawlPolicy, WebClient, is_public

PAGE = b"<html><head><title>Station</title></head><body><a href='/contact'>Contact</a></body></html>"


def redirect(to: str):
    return lambda h: send(h, 302, headers={"Location": to})


@pytest.fixture
def seen():
    """Requests the routes saw: (path, headers)."""
    return []


@pytest.fixture
def site(seen):
    release = threading.Event()
    active = {"now": 0, "max": 0}
    lock = threading.Lock()

    def counted(h):
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        time.sleep(0.05)
        with lock:
            active["now"] -= 1
        send(h, 200, PAGE)

    def conditional(h):
        seen.append((h.path, dict(h.headers)))
        if h.headers.get("If-None-Match") == '"v1"':
            send(h, 304, headers={"ETag": '"v1"'})
        else:
            send(h, 200, PAGE, headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})

    routes = {
        "/robots.txt": lambda h: send(h, 200, b"User-agent: *\nDisallow: /private\n", "text/plain"),
        "/ok": lambda h: (seen.append((h.path, dict(h.headers))), send(h, 200, PAGE)),
        "/huge": lambda h: send(h, 200, b"<html><body>" + b"a" * (3 * 1024 * 1024) + b"</body></html>"),
        "/slow": held(release, PAGE),
        "/pdf": lambda h: send(h, 200, b"%PDF-1.4", "application/pdf"),
        "/malformed": lambda h: send(h, 200, b"<html><body><div><p>unclosed <b>tags <a href='/x'>x</table>"),
        "/private/page": lambda h: send(h, 200, PAGE),
        "/to-loopback": redirect("http://127.0.0.1:9/"),
        "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-localhost": redirect("http://localhost:9/"),
        "/to-file": redirect("file:///etc/passwd"),
        "/loop": redirect("/loop"),
        "/hop1": redirect("/hop2"), "/hop2": redirect("/ok"),
        "/counted": counted, "/etag": conditional,
        "/big-header": lambda h: send(h, 200, PAGE, headers={"Content-Security-Policy": "x" * 12_000}),
    }
    server = Site(None, routes=routes)
    server.active = active
    yield server
    release.set()
    server.stop()


def policy(site: Site, **kw) -> CrawlPolicy:
    """Timeouts a loaded machine never reaches on loopback; the test of a slow page sets its own short one."""
    base = dict(private_allowlist=(f"127.0.0.1:{site.port}",), delay=0.0, read_timeout=10.0, connect_timeout=10.0)
    return CrawlPolicy(**{**base, **kw})


def fetch_all(pol: CrawlPolicy, urls: list[str], **kw):
    async def go():
        async with WebClient(pol) as web:
            return await asyncio.gather(*(web.fetch(u, **kw) for u in urls))

    return asyncio.run(go())


def test_an_ordinary_page_is_fetched_with_a_user_agent_naming_tap(site, seen):
    (page,) = fetch_all(policy(site), [site.url + "ok"])
    assert page.error is None and page.status == 200 and "Station" in page.text
    assert page.content_type == "text/html"
    assert seen[0][1]["User-Agent"].startswith("tap/")


@pytest.mark.parametrize("path, message", [
    ("huge", "larger than 2 MB"), ("slow", "timed out"), ("pdf", "not an HTML page"),
    ("to-loopback", "non-public address"), ("to-metadata", "non-public address"),
    ("to-localhost", "non-public address"), ("to-file", "not an http(s) URL"), ("loop", "more than 5 redirects"),
    ("private/page", "disallowed by robots.txt"), ("missing", "HTTP 404"),
])
def test_hostile_pages_give_an_error_and_never_raise(site, path, message):
    quick = {"read_timeout": 0.5} if path == "slow" else {}  # /slow answers only after the test: it times out
    (page,) = fetch_all(policy(site, **quick), [site.url + path])
    assert message in page.error


def test_a_huge_page_keeps_only_its_first_two_megabytes(site):
    (page,) = fetch_all(policy(site), [site.url + "huge"])
    assert page.text is not None and len(page.text) <= 2 * 1024 * 1024


def test_a_page_with_a_twelve_kilobyte_header_is_read(site):
    (page,) = fetch_all(policy(site), [site.url + "big-header"])
    assert page.error is None and "Station" in page.text


def test_malformed_html_is_read(site):
    (page,) = fetch_all(policy(site), [site.url + "malformed"])
    assert page.error is None and "unclosed" in page.text


def test_redirects_are_followed_and_the_final_url_kept(site):
    (page,) = fetch_all(policy(site), [site.url + "hop1"])
    assert page.error is None and page.final_url.endswith("/ok")


def test_loopback_is_refused_unless_allowed(site):
    (refused,) = fetch_all(CrawlPolicy(delay=0.0), [site.url + "ok"])
    assert "non-public address" in refused.error
    (allowed,) = fetch_all(CrawlPolicy(delay=0.0, allow_private=True), [site.url + "ok"])
    assert allowed.error is None


def test_a_resolver_answer_is_checked_before_connecting(site):
    async def rebinding(host, port):
        return ["10.0.0.7"]

    async def go():
        async with WebClient(CrawlPolicy(delay=0.0), resolver=rebinding) as web:
            return await web.fetch("http://station.test/")

    assert "non-public address (10.0.0.7)" in asyncio.run(go()).error


def test_the_connection_goes_to_the_address_the_checked_resolver_gave(site):
    """station.test resolves nowhere on this machine: the page comes only if aiohttp connected to our answer."""
    asked = []

    async def to_site(host, port):
        asked.append((host, port))
        return ["127.0.0.1"]

    async def go():
        pol = CrawlPolicy(delay=0.0, private_allowlist=(f"station.test:{site.port}",))
        async with WebClient(pol, resolver=to_site) as web:
            return await web.fetch(f"http://station.test:{site.port}/ok")

    page = asyncio.run(go())
    assert page.error is None and "Station" in page.text and asked[0] == ("station.test", site.port)


def test_per_host_concurrency_is_respected(site):
    fetch_all(policy(site, per_host=2, concurrency=16), [site.url + f"counted?{i}" for i in range(8)])
    assert site.active["max"] <= 2


def test_conditional_requests_send_validators_and_accept_304(site, seen):
    (first,) = fetch_all(policy(site), [site.url + "etag"])
    assert first.etag == '"v1"' and first.last_modified
    (again,) = fetch_all(policy(site), [site.url + "etag"], etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.text is None and again.error is None
    assert seen[-1][1]["If-None-Match"] == '"v1"'


def test_public_address_classification():
    assert is_public("93.184.216.34") and is_public("2606:4700::1111")
    for address in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fe80::1", "224.0.0.1",
                    "0.0.0.0", "::ffff:127.0.0.1", "100.64.0.1"):
        assert not is_public(address), address
