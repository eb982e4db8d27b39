"""One page in, its facts out: text, links, emails, phones, profiles, forms, genres, shows, submission text.

Parsing uses selectolax (lexbor). Only visible text is read: scripts, styles, templates and comments are not,
and attribute values (placeholders) only where they mean something (href, src, data-cfemail, JSON-LD, meta).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from totalaudio.services.enrich import contacts, discover, feeds, forms, genres, people, shows, social, submission
from totalaudio.services.enrich.blocks import MAX_BLOCKS, PRESENTER_PAGE, show_blocks

# (words that must appear, pattern, label): a pattern only runs when one of its words is in the text.
FORMAT_PATTERNS = tuple((words, re.compile(pattern, re.I), label) for words, pattern, label in (
    (("community",), r"\bcommunity(?:[- ]based)? (?:radio|station|broadcaster)", "community"),
    (("college", "universit", "student", "campus"),
     r"\b(?:college|university|student|campus)(?:[- ]run)? (?:radio|station)|\bstudent[- ]run\b", "college/student"),
    (("bbc",), r"\bBBC (?:Radio|local)|\bBBC [A-Z][a-z]+ (?:Radio|FM)", "BBC local"),
    (("commercial", "hit music"), r"(?<!non-)(?<!non)\bcommercial (?:radio|station)|\bhit music station", "commercial"),
    (("non-commercial", "noncommercial"), r"\bnon-?commercial\b", "non-commercial"),
    (("internet", "online", "web radio", "streaming radio"),
     r"\b(?:internet|online|web)(?:[- ]only)? (?:radio|station)|\bweb radio\b|\bstreaming radio", "internet"),
    (("public radio", "npr"), r"\bpublic radio\b|\bNPR (?:member|station)", "public"),
    (("freeform", "free-form", "free form"), r"\bfree[- ]?form\b", "freeform"),
    (("album alternative", "aaa", "triple a"), r"\badult album alternative\b|\bAAA (?:format|station|radio)\b|"
     r"\btriple a\b", "AAA"),
    (("eclectic",), r"\beclectic\b", "eclectic"),
    (("pirate",), r"\bpirate (?:radio|station)|\bex-pirate\b", "pirate"),
    (("hot ac", "hot adult"), r"\bhot AC\b|\bhot adult contemporary\b", "hot AC"),
    (("adult contemporary", " ac "), r"(?<!hot )\badult contemporary\b|\b(?<!hot )AC (?:format|station)\b",
     "adult contemporary"),
    (("chr", "contemporary hit", "top 40"), r"\bCHR\b|\bcontemporary hit radio\b|\btop 40 (?:station|format|radio)",
     "CHR"),
    (("specialist",), r"\bspecialist (?:shows?|programm(?:es?|ing)|music|programs?)\b", "specialist"),
    (("news/talk", "talk radio"), r"\bnews/talk\b|\btalk radio\b", "talk"),
))
SOCIAL_HINT = re.compile(r"(?i)facebook|fb\.com|instagram|twitter|x\.com|tiktok|youtube|soundcloud|mixcloud|"
                         r"bandcamp|spotify|threads|bsky|linkedin|flickr|vimeo|linktr\.ee")
FORM_HINT = re.compile(r"(?i)form|airtable|tally|submithub|groover|labelradar|musosoup")
# The same for the lower-cased URL (shows.found): case-insensitive matching is several times slower (8x on a URL).
SOCIAL_HINT_LOW = re.compile(SOCIAL_HINT.pattern.replace("(?i)", "", 1))
FORM_HINT_LOW = re.compile(FORM_HINT.pattern.replace("(?i)", "", 1))
NAV_LINKS = "nav a[href], header a[href], footer a[href], [role=navigation] a[href], [class*=menu] a[href]"
GENRE_NODES = "[class*=genre], [id*=genre], [class*=tags], [rel=tag]"
GENRE_ONLY_NODES = "[class*=genre], [id*=genre]"
SHOW_PAGE = re.compile(r"(?i)show|program|schedule|episode|sendung|emission")
STRIP_TAGS = "script, style, noscript, template, svg, iframe, object"
MAX_TEXT = 200_000
KEEP_TEXT = 20_000


@dataclass
class PageFacts:
    """Everything one page says that enrichment uses."""

    url: str
    title: str = ""
    description: str = ""
    site_name: str | None = None
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    hidden: list[tuple[str, str]] = field(default_factory=list)  # links a script would follow: (url, text)
    nav: set[str] = field(default_factory=set)  # hrefs of links in the menu, header or footer (site structure)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    profiles: list[social.Profile] = field(default_factory=list)
    forms: list[forms.Form] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    genre_where: dict[str, str] = field(default_factory=dict)  # genre -> how this page gave it ("genre list")
    shows: list[shows.ShowInfo] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    submission: list[tuple[int, str]] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    order: int = 0  # when it was requested in its crawl: merging in this order keeps records deterministic
    cut: str | None = None  # why only the start of the page was read (a hostile shape), for the record's errors


def parse(html: str, url: str) -> PageFacts:
    """The facts of one HTML page fetched from ``url``."""
    from selectolax.lexbor import LexborHTMLParser

    facts = PageFacts(url)
    html, facts.cut = shallow(html)
    tree = LexborHTMLParser(html)
    _meta(tree, facts)
    _anchors(tree, facts)
    _forms(tree, facts)
    _genre_lists(tree, facts)
    _structured(tree, facts)
    for node in tree.css(STRIP_TAGS):
        node.decompose()
    show_blocks(tree, facts)
    body = tree.body
    facts.text = " ".join((body.text(separator=" ") if body else "").split())[:MAX_TEXT]
    _text_facts(tree, facts)
    facts.text = facts.text[:KEEP_TEXT]  # the rest was read; keep records (and worker replies) small
    return facts


# The HTML parser's time grows with the square of how deep block elements nest (16,000 nested <div>s: 0.4 s,
# 200,000 - 1 MB - : minutes), so a page is read only down to MAX_DEPTH. Counting needs a scan, done only on pages
# with more than SCAN_FROM tags: below that the parser's worst case stays under a second.
MAX_DEPTH = 2000
SCAN_FROM = 20_000
_TAGS = re.compile(r"<(?:script|style)\b.*?</(?:script|style)\s*>|<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>",
                   re.S | re.I)
# Void elements and those whose end tag may be left out (a page of 5,000 unclosed <p>s is flat, not deep).
_FLAT = frozenset("area base br col embed hr img input link meta source track wbr param keygen p li dt dd tr td th "
                  "option optgroup thead tbody tfoot colgroup caption rb rt rp html head body".split())


def shallow(html: str) -> tuple[str, str | None]:
    """The page, or its start up to where elements nest deeper than MAX_DEPTH, and why it was cut."""
    if html.count("<") < SCAN_FROM:
        return html, None
    depth = 0
    for match in _TAGS.finditer(html):
        closing, name, self_closing = match.groups()
        if name is None or name.lower() in _FLAT or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_DEPTH:
            return html[:match.start()], f"elements nested more than {MAX_DEPTH} deep: only the page's start was read"
    return html, None


def _attr(node, name: str) -> str:
    # node.attrs reads one attribute; node.attributes builds a dict of them all (twice the cost)
    return (node.attrs.get(name) or "").strip()


def _meta(tree, facts: PageFacts) -> None:
    title = tree.css_first("title")
    facts.title = " ".join(title.text().split()) if title else ""
    for node in tree.css("meta[content]"):
        key = (_attr(node, "name") or _attr(node, "property")).lower()
        if key in ("description", "og:description") and not facts.description:
            facts.description = re.sub(r"\s+", " ", _attr(node, "content"))[:5000]
        elif key == "" and _attr(node, "http-equiv").lower() == "refresh" and "url=" in _attr(node, "content").lower():
            target = _attr(node, "content").split("=", 1)[1].strip(" '\"")
            facts.frames.append(urljoin(facts.url, target))  # the content is elsewhere, as with a frame
        elif key == "og:site_name":
            facts.site_name = _attr(node, "content")[:120] or None


def _anchors(tree, facts: PageFacts) -> None:
    resolved: dict[str, str] = {}  # href -> absolute URL: menus repeat their links in the nav set below
    origin = "/".join(facts.url.split("/", 3)[:3])
    for node in tree.css("a[href], area[href]"):
        href = _attr(node, "href")
        scheme = href[:4].lower()  # cheap dispatch: most links are neither mailto: nor tel: nor Cloudflare's
        if scheme == "mail" and (email := contacts.email_from_href(href)):
            if not contacts.credit_before(node.prev.text() if node.prev is not None else ""):
                facts.emails.append(email)
        elif scheme == "tel:" and (phone := contacts.phone_from_href(href)):
            facts.phones.append(phone)
        elif "cdn-cgi" in href and (hexed := contacts.cf_hex_from_href(href)):
            if email := contacts.decode_cfemail(hexed):
                facts.emails.append(email)
        elif href and not href.startswith(("#", "javascript:", "data:", "mailto:", "tel:")):
            resolved[href] = url = _absolute(facts.url, href)
            if url.startswith(origin) or not (shows.found(SOCIAL_HINT, SOCIAL_HINT_LOW, url) and _credited(node)):
                _link(url, " ".join(node.text().split()), facts, origin)
    _hidden_links(tree, facts)
    facts.nav = {(resolved.get(href) or _absolute(facts.url, href)).split("#", 1)[0]
                 for node in tree.css(NAV_LINKS) if (href := _attr(node, "href")) is not None}
    for node in tree.css("[data-cfemail]"):
        if email := contacts.decode_cfemail(_attr(node, "data-cfemail")):
            facts.emails.append(email)
    for node in tree.css("iframe[src], embed[src], script[src*=form]"):  # Jotform's embed is a script tag
        src = urljoin(facts.url, _attr(node, "src"))
        if node.tag != "script":
            facts.frames.append(src)
        if form := forms.external_form(src, "embedded form", facts.url):
            facts.forms.append(form)


def _hidden_links(tree, facts: PageFacts) -> None:
    """Links a static crawler does not see as anchors: data-* routes, onclick handlers, link rels, scripts."""
    for node in tree.css("[data-href], [data-url], [data-link], div[url], li[url], span[url], [onclick]"):
        attrs = node.attrs
        href = attrs.get("data-href") or attrs.get("data-url") or attrs.get("data-link") or attrs.get("url")
        if (handler := attrs.get("onclick") or "") and "mailto:" in handler.lower():
            facts.emails.extend(contacts.emails_in_handler(handler))
        href = (href or "").strip() or discover.onclick_link(handler, facts.url)
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            facts.hidden.append((urljoin(facts.url, href), " ".join(node.text().split())[:120]))
    for node in tree.css("link[rel][href]"):
        rel = _attr(node, "rel").lower()
        if rel in ("home", "index", "contents", "author", "help", "contact", "next", "prev", "up"):
            facts.hidden.append((urljoin(facts.url, _attr(node, "href")), rel))
    scripts = [text for node in tree.css("script:not([src])") if (text := node.text()) and "/" in text]
    facts.hidden.extend((url, "") for url in discover.script_links(scripts, facts.url))


CREDIT_BLOCKS = frozenset({"p", "li", "dd", "td", "figcaption", "caption", "div", "footer", "section", "article",
                           "blockquote", "body"})


def _credited(node) -> bool:
    """A link that a credit line names ("Photo by @<a>jo</a>", "Poster design by @a and @b"): someone else's.
    Only the text just before the link in its own block is read (walking back through siblings, then up)."""
    parts: list[str] = []
    size, current = 0, node
    while current is not None and current.tag not in CREDIT_BLOCKS and size < contacts.CREDIT_WINDOW:
        sibling = current.prev
        while sibling is not None and size < contacts.CREDIT_WINDOW:
            text = sibling.text()
            parts.append(text)
            size += len(text)
            sibling = sibling.prev
        current = current.parent
    return bool(parts) and contacts.credit_before(" ".join(reversed(parts)))


def _absolute(base: str, href: str) -> str:
    """urljoin, with the two common cases (absolute, root-relative) done cheaply."""
    if href.startswith(("http://", "https://")):
        return href
    if href.startswith("/") and not href.startswith("//"):
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}{href}"
    return urljoin(base, href)


def _link(url: str, text: str, facts: PageFacts, origin: str) -> None:
    external = not (url.startswith(origin + "/") or url == origin)
    if external and shows.found(SOCIAL_HINT, SOCIAL_HINT_LOW, url) and (profile := social.profile_from_url(url)):
        facts.profiles.append(profile)
    elif (external and shows.found(FORM_HINT, FORM_HINT_LOW, url)
          and (form := forms.external_form(url, text, facts.url))):
        facts.forms.append(form)
    else:
        facts.links.append((url.split("#", 1)[0], text[:120]))


def _forms(tree, facts: PageFacts) -> None:
    for node in tree.css("form"):
        context = _heading_before(node)
        if form := forms.html_form(node, facts.url, f"{context} {facts.title}"):
            facts.forms.append(form)


def _heading_before(node) -> str:
    """Text of the nearest heading before a node (a few levels up), for context."""
    current = node
    for _ in range(4):
        sibling = current.prev
        while sibling is not None:
            if sibling.tag in ("h1", "h2", "h3", "h4", "legend", "label", "p"):
                return sibling.text()[:200]
            sibling = sibling.prev
        current = current.parent
        if current is None:
            break
    return ""


def _genre_lists(tree, facts: PageFacts) -> None:
    for select in tree.css("select"):
        ident = f"{_attr(select, 'name')} {_attr(select, 'id')} {_attr(select, 'class')}"
        if "genre" in ident.lower():
            for option in select.css("option"):
                add_genres(facts, genres.from_list_item(option.text()), "genre list")
    # Tag lists are a show's genres on a show or programme page; on a news post they are its topics.
    showish = PRESENTER_PAGE.search(facts.url) or SHOW_PAGE.search(urlsplit(facts.url).path)
    for node in tree.css(GENRE_NODES if showish else GENRE_ONLY_NODES):
        text = node.text(separator=",")
        if len(text) < 300:
            add_genres(facts, [g for item in text.split(",") for g in genres.from_list_item(item)], "genre tags")


def add_genres(facts: PageFacts, found: list[str], source: str) -> None:
    """Genres this page gives, each with the first way it was found."""
    facts.genres.extend(found)
    for genre in found:
        facts.genre_where.setdefault(genre, source)


def _structured(tree, facts: PageFacts) -> None:
    """JSON-LD and embedded JSON: the station's names, profiles, emails, phones; shows and their hosts."""
    for node in tree.css('script[type="application/ld+json"], script[type="application/json"]'):
        try:
            data = json.loads(node.text() or "null")
        except ValueError:
            continue
        add_feed(facts, feeds.read(data, facts.url))
        for item in _ld_items(data):
            kinds = item.get("@type") if isinstance(item.get("@type"), list) else [item.get("@type")]
            if any(k in ("RadioStation", "Organization", "LocalBusiness", "BroadcastService", "WebSite",
                         "NGO", "CollegeOrUniversity") for k in kinds) and isinstance(item.get("name"), str):
                facts.names.append(item["name"][:120])
            same = item.get("sameAs") or []
            for url in [same] if isinstance(same, str) else same:
                if isinstance(url, str) and (profile := social.profile_from_url(url)):
                    facts.profiles.append(profile)
            if isinstance(item.get("email"), str) and (email := contacts.clean_email(item["email"].replace("mailto:", ""))):
                facts.emails.append(email)
            if isinstance(item.get("telephone"), str):
                facts.phones.append(item["telephone"][:40])


def add_feed(facts: PageFacts, found: feeds.FeedFacts) -> None:
    """Shows from structured data, their hosts as presenters, their genre tags as the station's programming."""
    facts.shows.extend(found.shows)
    for genre, show in found.genres:
        add_genres(facts, [genre], f"genre tags of the show {show}")


def _ld_items(data, depth: int = 0):
    if depth > 4:
        return
    if isinstance(data, list):
        for entry in data:
            yield from _ld_items(entry, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "publisher", "author", "brand", "parentOrganization"):
            if key in data:
                yield from _ld_items(data[key], depth + 1)


def _text_facts(tree, facts: PageFacts) -> None:
    # Each sentence once: boilerplate repeated down a page says nothing new and costs every pattern a pass.
    prose = " ".join(dict.fromkeys(submission.split_sentences(f"{facts.description} {facts.text}")))
    paragraphs = _paragraphs(tree)
    facts.emails.extend(contacts.emails_in_text(prose))
    facts.phones.extend(contacts.phones_in_text(prose))
    facts.hosts.extend(h for block in paragraphs for h in shows.hosts_in_text(block) + people.listed_djs(block))
    facts.shows.extend(shows.ShowInfo(name, url=facts.url) for name in shows.programs_in_text(prose))
    if not discover.LOW_VALUE.search(urlsplit(facts.url).path):  # not a news post's or an event's prose
        add_genres(facts, genres.from_prose(prose), "programming statement")
    head = f"{facts.title} {facts.description} {facts.text[:20000]}"
    low = head.lower()
    facts.formats.extend(label for words, pattern, label in FORMAT_PATTERNS
                         if any(map(low.__contains__, words)) and pattern.search(head))
    facts.submission.extend(submission.found(tree, facts, paragraphs))


def _paragraphs(tree) -> list[str]:
    texts = (n.text(separator=" ") for n in tree.css("p, li, dd, td, blockquote")[:MAX_BLOCKS])
    # Once each: repeated boilerplate (cards, footers) says nothing new and costs every pattern a pass.
    return list(dict.fromkeys(" ".join(t.split()) for t in texts if 30 < len(t) < 3000))
