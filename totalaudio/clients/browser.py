"""Headless Chromium (through Playwright) for pages that are empty shells filled by JavaScript.

Every request the page makes is routed through the crawler's own ``WebClient``: the same robots.txt rules,
per-host delay, address checks (private addresses refused unless allowed), redirect checks, size and time caps as a
plain fetch. Chromium itself resolves no host (``--host-resolver-rules`` maps every name to nothing), so a request
that escapes routing (a WebSocket, a prefetch) cannot reach the network. Only GETs of documents, scripts and data
are served; images, media, fonts and styles are refused unread. Playwright is imported lazily: ``tap --help``
never loads it. Playwright's own browser download cannot work offline: Debian's ``chromium`` package is used.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from dataclasses import dataclass, field

from totalaudio.clients.web import HTML_TYPES, WebClient

CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND")
SERVED = ("document", "script", "xhr", "fetch")
SCRIPT_TYPES = HTML_TYPES + ("application/javascript", "text/javascript", "application/x-javascript",
                             "application/ecmascript", "text/ecmascript", "module")
DATA_TYPES = ("application/json", "text/json", "application/ld+json", "text/plain", "application/xml", "text/xml")
MAX_REQUESTS = 40  # sub-requests of one rendered page
RENDER_SECONDS = 20.0
SETTLE_MS = 1500  # after the load event, time for the page's own fetches to land
INSTALL_HINT = "apt-get install chromium (Debian/Ubuntu) and pip install playwright"


async def launch(web: WebClient, executable: str | None = None) -> tuple["Browser | None", str | None]:
    """A started browser, or None and why there is none (not installed, or Chromium would not start)."""
    reason = unavailable(executable)
    if reason is not None:
        return None, reason
    from playwright.async_api import Error as PlaywrightError

    browser = Browser(web, executable=executable)
    try:
        return await browser.__aenter__(), None
    except (PlaywrightError, OSError) as exc:
        await browser.__aexit__(None, None, None)
        return None, f"Chromium did not start ({str(exc).splitlines()[0][:160]}; {INSTALL_HINT})"


def unavailable(executable: str | None = None) -> str | None:
    """Why pages cannot be rendered here (no Playwright, no Chromium), or None when they can."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return f"Playwright is not installed ({INSTALL_HINT})"
    path = executable or os.environ.get("TAP_CHROMIUM") or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
        return f"no Chromium at {path} ({INSTALL_HINT})"
    return None


@dataclass
class Rendered:
    """A rendered page: its HTML after scripts ran, the JSON documents it loaded, and what went wrong."""

    url: str
    html: str | None = None
    data: list[tuple[str, object]] = field(default_factory=list)  # (url, parsed JSON) the page fetched
    requests: int = 0
    error: str | None = None


class Browser:
    """One headless Chromium for a run; ``async with Browser(web) as b: await b.render(url)``."""

    def __init__(self, web: WebClient, *, executable: str | None = None, parallel: int = 2) -> None:
        self.web = web
        self.executable = executable or os.environ.get("TAP_CHROMIUM") or CHROMIUM
        self.gate = asyncio.Semaphore(parallel)
        self._pw = None
        self._browser = None

    async def __aenter__(self) -> "Browser":
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(executable_path=self.executable, args=list(FLAGS),
                                                       headless=True, timeout=RENDER_SECONDS * 1000)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._pw is not None:
            await self._pw.stop()

    async def render(self, url: str) -> Rendered:
        """The page at ``url`` after its scripts ran (within RENDER_SECONDS), every request checked."""
        from playwright.async_api import Error as PlaywrightError

        result = Rendered(url)
        async with self.gate:
            context = await self._browser.new_context(user_agent=self.web.policy.user_agent,
                                                      service_workers="block", accept_downloads=False)
            try:
                await context.route("**/*", lambda route: self._serve(route, result))
                page = await context.new_page()
                await asyncio.wait_for(self._load(page, url), timeout=RENDER_SECONDS)
                result.html = (await page.content())[: self.web.policy.max_bytes]
            except asyncio.TimeoutError:
                result.error = f"rendering took longer than {RENDER_SECONDS:g} s"
            except PlaywrightError as exc:
                result.error = f"rendering failed: {str(exc).splitlines()[0][:200]}"
            finally:
                await context.close()
        return result

    async def _load(self, page, url: str) -> None:
        await page.goto(url, wait_until="load", timeout=RENDER_SECONDS * 1000)
        await page.wait_for_timeout(SETTLE_MS)

    async def _serve(self, route, result: Rendered) -> None:
        """Answer one request of the page through the polite, checked WebClient (or refuse it)."""
        request = route.request
        if (request.method != "GET" or request.resource_type not in SERVED
                or not request.url.startswith(("http://", "https://")) or result.requests >= MAX_REQUESTS):
            await route.abort("blockedbyclient")
            return
        result.requests += 1
        kind = request.resource_type
        types = HTML_TYPES if kind == "document" else SCRIPT_TYPES if kind == "script" else DATA_TYPES
        fetched = await self.web.fetch(request.url, types=types)
        if fetched.text is None and fetched.status and fetched.status >= 400:
            await route.fulfill(status=fetched.status, body="")  # the page's script sees the 404 it would see
            return
        if fetched.text is None:
            await route.abort("blockedbyclient")  # refused: robots, address, type, size, redirects
            return
        if kind in ("xhr", "fetch"):
            _keep_json(result, fetched.final_url, fetched.text)
        await route.fulfill(status=fetched.status or 200, body=fetched.text,
                            content_type=fetched.content_type or "text/html")


def _keep_json(result: Rendered, url: str, text: str) -> None:
    try:
        result.data.append((url, json.loads(text)))
    except ValueError:
        pass
