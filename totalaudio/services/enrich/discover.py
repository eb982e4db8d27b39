"""Which same-site pages are worth a request: link scores, links hidden from a static crawler, sitemaps.

Scores come from the anchor text and the URL path words: submission and contact pages first, then staff and
people pages (their emails), shows and presenters, about. Deep paths, pagination and pages that never hold contact
intelligence (news posts, competitions, playlists, shops) lose points, so that a small page budget is spent on the
pages that matter. Script-built menus hide links in inline scripts, ``onclick`` handlers and ``data-*``
attributes; those are found here too (they only ever get a URL score: there is no anchor text to trust).
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urljoin, urlsplit

CATEGORIES = (
    (re.compile(r"(?i)submi|demo|send.?(?:us.?)?(?:your.?)?music|music.?submi|airplay|for.?artists|"
                r"artists?.?(?:and|&).?labels"), 10),
    (re.compile(r"(?i)contact|get.?in.?touch|reach.?us|enquir|inquir"), 9),
    (re.compile(r"(?i)\b(?:staff|team|people|crew|management|committee|board|who.?we.?are|our.?people|"
                r"volunteers?)\b"), 7),
    (re.compile(r"(?i)presenters?|\bdjs?\b|\bhosts?\b|\bshows?\b|schedule|programm?e?s?\b|programming|line.?up|"
                r"on.?air|\bguide\b"), 6),
    (re.compile(r"(?i)\babout\b|about.?us"), 5),
    (re.compile(r"(?i)\bmusic\b|\blisten\b|\bjoin\b|get.?involved"), 3),
)
# Pages that rarely say anything a plugger needs, whatever useful word they also carry.
LOW_VALUE = re.compile(r"(?i)\b(?:apply|application|comps?|competitions?|win|giveaway|playlists?|archives?|podcasts?|"
                       r"episodes?|news|blog|posts?|events?|gigs?|tickets?|donat\w*|sponsors?|supporters?|"
                       r"shop|store|merch|search|login|signup|subscribe|newsletter|recommended)\b")
SKIP = re.compile(r"(?i)\.(?:jpe?g|png|gif|svg|webp|pdf|mp3|m4a|ogg|m3u8?|pls|zip|docx?|xlsx?|css|js|json|ico|xml|"
                  r"rss|woff2?|ttf|txt|mp4|mov)(?:$|\?)|/wp-(?:admin|login|json|content|includes)|/feed/?$|/cart|"
                  r"/login|/account|/privacy|/terms|/cookie|/tag/|/category/|/author/|/\d{4}/\d{2}/|replytocom|/shop|"
                  r"/cdn-cgi/")
WORDS = re.compile(r"[\W_]+")
# Same-site paths and URLs in inline scripts: quoted, starting with "/" or http(s), no spaces.
SCRIPT_URL = re.compile(r"""["'](https?://[^"'\s<>]{3,200}|/[A-Za-z0-9_][A-Za-z0-9_./~%-]{1,150})["']""")
ONCLICK_URL = re.compile(r"""(?:location(?:\.href)?|window\.open|href)\s*(?:=|\()\s*["']([^"']{1,200})["']""")
LOC = re.compile(r"<loc>\s*([^<\s]{1,500})\s*</loc>", re.I)
MAX_SCRIPT_URLS = 60


def link_score(url: str, text: str) -> int:
    """How much a same-site link looks worth fetching for enrichment (0: not at all)."""
    rest = url.split("/", 3)
    return _path_score("/" + rest[3] if len(rest) > 3 else "/", text)


@functools.lru_cache(maxsize=16384)
def _path_score(target: str, text: str) -> int:
    """The score of a path (with its query) and anchor text: menus repeat on every page of every site, so cached."""
    if SKIP.search(target):
        return 0
    path, _q, query = target.partition("?")
    words = WORDS.sub(" ", f"{path.split('#', 1)[0]} {text}")
    score = next((points for pattern, points in CATEGORIES if pattern.search(words)), 0)
    if not score:
        return 0
    depth = len([s for s in path.split("/") if s])
    penalty = max(0, depth - 2) + (3 if LOW_VALUE.search(words) else 0) + (2 if query else 0)
    return max(1, score - penalty)


def script_links(scripts: list[str], base: str) -> list[str]:
    """Same-origin page URLs named in inline script text (client-side routers, menus built in JavaScript)."""
    origin = "/".join(base.split("/", 3)[:3])
    found: dict[str, None] = {}
    for text in scripts:
        for match in SCRIPT_URL.finditer(text):
            value = match.group(1).replace("\\/", "/")
            url = value if value.startswith("http") else origin + value
            if (url.startswith(origin + "/") or url == origin) and not value.startswith("//") and not SKIP.search(url):
                found[url] = None
            if len(found) >= MAX_SCRIPT_URLS:
                return list(found)
    return list(found)


def onclick_link(handler: str, base: str) -> str | None:
    """The URL an ``onclick`` handler navigates to (``location.href='/contact'``), or None."""
    match = ONCLICK_URL.search(handler)
    if not match or match.group(1).startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    return urljoin(base, match.group(1))


def sitemap_urls(xml: str) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index."""
    locs = [loc.replace("&amp;", "&") for loc in LOC.findall(xml[:2_000_000])]
    if "<sitemapindex" in xml[:2000].lower():
        return [], locs
    return locs, []


def child_sitemap_rank(url: str) -> int:
    """Which child sitemaps of an index to read first: pages before posts, products and the rest."""
    low = url.lower()
    return 0 if "page" in low else 2 if re.search(r"post|product|event|episode|tag|categor|author", low) else 1


def extensionless(url: str) -> bool:
    """A path whose last segment has no file extension (``/contact``, ``/about/``)."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return bool(last) and "." not in last
