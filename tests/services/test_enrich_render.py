"""JavaScript shells rendered in headless Chromium: the page's content and the schedule feed it loads are read,
and every request the page makes goes through the crawler's checks (robots.txt, private addresses)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sites import Site, send
from totalaudio.clients.browser import unavailable
from totalaudio.clients.web import CrawlPolicy
from totalaudio.models import to_json
from totalaudio.services.enrich.runner import EnrichOptions, Target, run

SHELL = Path(__file__).resolve().parents[1] / "fixtures" / "enrich_render"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def needs_chromium() -> None:
    reason = unavailable()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must have Chromium (.ci/run installs it): {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture
def sites():
    hits: list[str] = []
    other = Site(None, routes={"/": lambda h: (hits.append("other"), send(h, 200, b"<p>private</p>"))})
    script = (SHELL / "app.js").read_text().replace("http://127.0.0.1:9/", other.url)

    def logged(path: str, body: bytes, ctype: str):
        return lambda h: (hits.append(path), send(h, 200, body, ctype))

    routes = {"/": logged("/", (SHELL / "index.html").read_bytes(), "text/html"),
              "/assets/app.js": logged("/assets/app.js", script.encode(), "application/javascript"),
              "/api/schedule.json": logged("/api/schedule.json", (SHELL / "schedule.json").read_bytes(),
                                           "application/json"),
              "/private/feed.json": logged("/private/feed.json", b"{}", "application/json"),
              "/robots.txt": lambda h: send(h, 200, ROBOTS, "text/plain")}
    site = Site(None, routes=routes)
    yield site, hits
    site.stop()
    other.stop()


def enrich(site: Site, mode: str) -> dict:
    out = []
    policy = CrawlPolicy(private_allowlist=(f"127.0.0.1:{site.port}",), delay=0.0)
    run([Target(site.url)], policy, EnrichOptions(render=mode, budget=2), lambda _t, r: out.append(r))
    return to_json(out[0])


def test_a_shell_is_rendered_with_its_feed_and_every_request_is_checked(sites):
    needs_chromium()
    site, hits = sites
    record = enrich(site, "auto")
    data = record["scrapedData"]
    assert {"Marta Quinn", "Joss Whitaker"} <= set(data["djNames"])
    assert {"Low Tide", "Static Bloom"} <= {s["name"] for s in data["showInfo"]}
    assert "Techno" in data["genres"] and "studio@nightjar.example" in {c["value"] for c in data["additionalContacts"]}
    assert record["crawl"]["pagesRendered"] >= 1
    assert "/private/feed.json" not in hits  # robots.txt disallows it
    assert "other" not in hits  # a loopback origin that is not allowed: refused before any connection


def test_never_reads_only_the_static_html(sites):
    site, hits = sites
    record = enrich(site, "never")
    assert record["scrapedData"]["djNames"] == [] and record["crawl"]["pagesRendered"] == 0
    assert "/assets/app.js" not in hits


def test_without_chromium_the_record_says_what_to_install(sites, monkeypatch):
    monkeypatch.setenv("TAP_CHROMIUM", "/nonexistent/chromium")
    site, _hits = sites
    record = enrich(site, "auto")
    assert any("needs a browser" in e and "apt-get install chromium" in e for e in record["errors"])
    assert record["crawl"]["pagesRead"] >= 1
