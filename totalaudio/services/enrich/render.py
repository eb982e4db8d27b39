"""When to render a page in headless Chromium (``--render auto|always|never``) and what the rendering adds.

``auto`` renders only pages that look like JavaScript shells: scripts and next to no visible text, an empty
application root (``<div id="app"></div>``), a "please enable JavaScript" notice, or template placeholders left
unfilled (``{{ show.title }}``). The browser starts on the first page that needs it; without Chromium the
site's record says that it needs one and what to install.
"""

from __future__ import annotations

import re

from totalaudio.services.enrich import feeds
from totalaudio.services.enrich.extract import PageFacts, add_feed, parse

MODES = ("auto", "always", "never")
SHELL_ROOT = re.compile(r"""<div[^>]+id=["'](?:app|root|__next|__nuxt|svelte|application|main-app)["'][^>]*>\s*</div>""",
                        re.I)
NEEDS_JS = re.compile(r"(?i)<noscript[^>]*>[^<]{0,300}(?:enable|requires?|needs?|turn on)[^<]{0,40}javascript")
PLACEHOLDER = re.compile(r"\{\{[^}]{1,80}\}\}|\$\{[^}]{1,80}\}")
# A script that runs (not JSON-LD or other data): <script src=...>, or a plain/module script with code.
EXECUTABLE = re.compile(r"""(?i)<script(?![^>]*type=["']?application/(?:ld\+)?json)[^>]*>""")
FEW_WORDS = 25
SOME_WORDS = 250


def looks_like_shell(html: str, facts: PageFacts) -> bool:
    """A page whose content is made by its scripts, so that the static HTML says next to nothing."""
    words = len(facts.text.split())
    if words >= SOME_WORDS:
        return False
    if SHELL_ROOT.search(html) or NEEDS_JS.search(html) or PLACEHOLDER.search(facts.text):
        return True
    return words < FEW_WORDS and EXECUTABLE.search(html[:500_000]) is not None


class Renderer:
    """Renders pages for a crawl in the chosen mode; one browser for the run, started when first needed."""

    def __init__(self, web, mode: str = "auto", *, executable: str | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"render mode must be one of {', '.join(MODES)}")
        self.web, self.mode, self.executable = web, mode, executable
        self.browser = None
        self.missing: str | None = None
        self.rendered = 0

    def wanted(self, html: str, facts: PageFacts) -> bool:
        """Whether this page should be rendered in this mode."""
        return self.mode == "always" or self.mode == "auto" and looks_like_shell(html, facts)

    async def render(self, url: str, errors: list[str]) -> PageFacts | None:
        """The facts of the rendered page (with the JSON feeds it loaded), or None (the reason goes to errors)."""
        if not await self._start():
            errors.append(f"{url}: the page is built by JavaScript and needs a browser to read: {self.missing}")
            return None
        rendered = await self.browser.render(url)
        self.rendered += 1
        if rendered.html is None:
            errors.append(f"{url}: {rendered.error or 'rendering gave no page'}")
            return None
        facts = parse(rendered.html, url)
        for source, data in rendered.data:
            add_feed(facts, feeds.read(data, source))
        return facts

    async def _start(self) -> bool:
        if self.browser is not None:
            return True
        if self.missing is None:
            from totalaudio.clients.browser import launch

            self.browser, self.missing = await launch(self.web, self.executable)
        return self.browser is not None

    async def close(self) -> None:
        """Stop the browser if it was started."""
        if self.browser is not None:
            await self.browser.__aexit__(None, None, None)
            self.browser = None
