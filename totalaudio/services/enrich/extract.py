"""One page in, its facts out: text, links, emails, phones, profiles, forms, genres, shows, submission text.

Parsing uses selectolax (lexbor). Only visible text is read: scripts, styles, templates and comments are not,
and attribute values (placeholders) only where they mean something (href, src, data-cfemail, JSON-LD, meta).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from totalaudio.services.enrich import (contacts, discover, feeds, forms, genres, people, schedule, shows, social,
                                       submission)

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
SPACES = re.compile(r"\s+")
SOCIAL_HINT = re.compile(r"(?i)facebook|fb\.com|instagram|twitter|x\.com|tiktok|youtube|soundcloud|mixcloud|"
                         r"bandcamp|spotify|threads|bsky|linkedin|flickr|vimeo|linktr\.ee")
FORM_HINT = re.compile(r"(?i)form|airtable|tally|submithub|groover|labelradar|musosoup")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
TITLE_CHILD = "h2, h3, h4, h5, strong, .title, [class*=title], [class*=name]"
HOST_CHILD = "[class*=host], [class*=dj], [class*=presenter]"
NAV_LINKS = "nav a[href], header a[href], footer a[href], [role=navigation] a[href], [class*=menu] a[href]"
LIVE_BOX = re.compile(r"(?i)now-playing|on-air|onair")
LIVE_TITLE = ("[class*=show-title], [class*=show-name], [class*=program-title], [class*=program-name], "
              "[class*=programme-name], [class*=title], h4, h5")
PRESENTER_PAGE = re.compile(r"(?i)presenters?|\bdjs?\b|/djs|hosts|line-?up")
GENRE_NODES = "[class*=genre], [id*=genre], [class*=tags], [rel=tag]"
GENRE_ONLY_NODES = "[class*=genre], [id*=genre]"
SHOW_PAGE = re.compile(r"(?i)show|program|schedule|episode|sendung|emission")
STRIP_TAGS = "script, style, noscript, template, svg, iframe, object"
MAX_TEXT = 200_000
MAX_BLOCKS = 5000  # blocks read for shows and paragraphs: a page with more is no schedule (a hostile or huge page)
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


def parse(html: str, url: str) -> PageFacts:
    """The facts of one HTML page fetched from ``url``."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    facts = PageFacts(url)
    _meta(tree, facts)
    _anchors(tree, facts)
    _forms(tree, facts)
    _genre_lists(tree, facts)
    _structured(tree, facts)
    for node in tree.css(STRIP_TAGS):
        node.decompose()
    _show_blocks(tree, facts)
    body = tree.body
    facts.text = " ".join((body.text(separator=" ") if body else "").split())[:MAX_TEXT]
    _text_facts(tree, facts)
    facts.text = facts.text[:KEEP_TEXT]  # the rest was read; keep records (and worker replies) small
    return facts


def _attr(node, name: str) -> str:
    return (node.attributes.get(name) or "").strip()


def _meta(tree, facts: PageFacts) -> None:
    title = tree.css_first("title")
    facts.title = re.sub(r"\s+", " ", title.text()).strip() if title else ""
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
            facts.emails.append(email)
        elif scheme == "tel:" and (phone := contacts.phone_from_href(href)):
            facts.phones.append(phone)
        elif "cdn-cgi" in href and (hexed := contacts.cf_hex_from_href(href)):
            if email := contacts.decode_cfemail(hexed):
                facts.emails.append(email)
        elif href and not href.startswith(("#", "javascript:", "data:", "mailto:", "tel:")):
            resolved[href] = url = _absolute(facts.url, href)
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
        attrs = node.attributes
        href = attrs.get("data-href") or attrs.get("data-url") or attrs.get("data-link") or attrs.get("url")
        href = (href or "").strip() or discover.onclick_link(attrs.get("onclick") or "", facts.url)
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            facts.hidden.append((urljoin(facts.url, href), SPACES.sub(" ", node.text()).strip()[:120]))
    for node in tree.css("link[rel][href]"):
        rel = _attr(node, "rel").lower()
        if rel in ("home", "index", "contents", "author", "help", "contact", "next", "prev", "up"):
            facts.hidden.append((urljoin(facts.url, _attr(node, "href")), rel))
    scripts = [text for node in tree.css("script:not([src])") if (text := node.text()) and "/" in text]
    facts.hidden.extend((url, "") for url in discover.script_links(scripts, facts.url))


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
    if external and SOCIAL_HINT.search(url) and (profile := social.profile_from_url(url)):
        facts.profiles.append(profile)
    elif external and FORM_HINT.search(url) and (form := forms.external_form(url, text, facts.url)):
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


def _show_blocks(tree, facts: PageFacts) -> None:
    # Not [class*=event]: gig listings name artists, not presenters.
    selector = ("tr, [class*=show], [class*=program], [class*=emission], [class*=sendung], [class*=schedule], "
                "[class*=episode], [class*=views-row], "
                "[class*=summary-item], [class*=now-playing], [class*=on-air], [id*=show], [id*=program], li, dt, p")
    found, handled = schedule.tables(tree, facts.url)
    facts.shows.extend(found)
    inside: set[int] = set()  # elements within blocks that gave a show: parts of it, not more shows
    for node in tree.css(selector)[:MAX_BLOCKS]:
        if node.tag in ("html", "body", "main", "ul", "ol", "table", "tbody", "nav", "header", "footer"):
            continue
        if node.tag == "tr" and node.mem_id in handled or node.mem_id in inside:
            continue
        text = node.text(separator="  ")
        if node.tag == "dt" and (answer := _next_element(node)) is not None and answer.tag == "dd":
            text = f"{text}  {answer.text(separator='  ')}"  # <dt>Monday 7pm</dt><dd>The Country Show with ...</dd>
        cls = node.attributes.get("class") or ""
        if ("play" in cls or "air" in cls) and LIVE_BOX.search(cls):  # without its playlist: songs are not shows
            text = "  ".join(c.text(separator="  ") for c in node.iter() if c.tag not in ("table", "ol", "ul"))
        if len(text) > 300 or len(text) < 4 or not shows.MAYBE_SHOW_LOW.search(low := text.lower()):
            continue
        if node.tag == "p" and not shows.WHEN_HINT_LOW.search(low):
            continue
        times = len(shows.TIME.findall(text))
        if times > 1 and node.tag not in ("tr", "li", "p", "dt") and len(node.css("h2, h3, h4, h5")) > 1:
            continue  # a list of shows (its heading says "This week"): its cards are read one by one
        for block, block_text in _grid_cells(node, text) if node.tag == "tr" and times > 1 else [(node, text)]:
            show = _block_show(block, block_text, facts.url)
            if show and (block.tag != "p" or (show.host and (show.day or show.time))):
                facts.shows.append(show)
                if block is not node or times <= 1:  # one show's block; a block of several keeps its rows
                    inside.update(_descendants(block))
    if PRESENTER_PAGE.search(f"{urlsplit(facts.url).path} {re.split(r' [|–—-] ', facts.title)[0]}"):
        facts.shows.extend(_presenter_cards(tree, facts.url))
    if own := people.show_page(tree, facts.url) or people.own_show_page(tree, facts.url):
        facts.shows.append(own)
    facts.shows.extend(people.index_shows(facts.links, facts.url))
    facts.hosts.extend(people.section_hosts(tree) + people.role_rows(tree) + people.profile_links(facts.links))
    if presenter := people.profile_page(tree, facts.url):
        facts.hosts.append(presenter)


def _block_show(node, text: str, url: str):
    """The show of one block (row, card, list item, paragraph), with a title and host from its children."""
    live = LIVE_BOX.search(_attr(node, "class"))  # a now-playing box: its heading says "Now playing"
    title = None if node.tag in ("tr", "p") else _child_text(node, LIVE_TITLE if live else TITLE_CHILD)
    host = _child_text(node, HOST_CHILD)
    ident = f"{node.tag} {_attr(node, 'class')} {_attr(node, 'id')}"
    return shows.from_block(text, title, host, url, bool(shows.SHOWISH.search(ident)))


def _grid_cells(row, text: str) -> list:
    """A layout row of show cards (Drupal's views grid): each cell is a block; otherwise the row is one."""
    cells = [c for c in row.css("td") if c.css_first("div, p, span") is not None]
    if len(cells) < 2:
        return [(row, text)]
    return [(cell, cell.text(separator="  ")) for cell in cells]


def _next_element(node):
    sibling = node.next
    while sibling is not None and sibling.tag in ("-text", "_comment"):
        sibling = sibling.next
    return sibling


def _descendants(node, depth: int = 4) -> set[int]:
    """The elements up to ``depth`` levels inside a node (marked once, instead of walking up from every block)."""
    found: set[int] = set()
    level = [node]
    for _ in range(depth):
        level = [child for parent in level for child in parent.iter()]
        found.update(child.mem_id for child in level)
    return found


def _presenter_cards(tree, url: str) -> list:
    """On a presenters/DJs page, cards headed by a person's name with the show and its time beneath."""
    found = []
    for heading in tree.css("h2, h3, h4"):
        name, card = shows.person(heading.text()), heading.parent
        size = len(heading.text()) + 3
        while card is not None and card.tag in ("a", "span", "header", "div") and len(card.text()) <= size:
            card = card.parent  # the heading's own wrappers (Elementor nests them)
        if not name or card is None:
            continue
        rest = SPACES.sub(" ", card.text(separator="  ")).replace(heading.text().strip(), "", 1).strip()
        if len(rest) < 200 and shows.WHEN_HINT.search(rest) and not shows.STAFF_WORDS.search(rest):
            if show := shows.from_block(rest, None, name, url):
                found.append(show)
    return found


def _child_text(node, selector: str) -> str | None:
    child = node.css_first(selector)
    return child.text(separator=" ").strip() if child is not None else None


def _text_facts(tree, facts: PageFacts) -> None:
    # Each sentence once: boilerplate repeated down a page says nothing new and costs every pattern a pass.
    prose = " ".join(dict.fromkeys(SENTENCE.split(f"{facts.description} {facts.text}")))
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
                         if any(w in low for w in words) and pattern.search(head))
    facts.submission.extend(submission.found(tree, facts, paragraphs))


def _paragraphs(tree) -> list[str]:
    texts = (n.text(separator=" ") for n in tree.css("p, li, dd, td, blockquote")[:MAX_BLOCKS])
    # Once each: repeated boilerplate (cards, footers) says nothing new and costs every pattern a pass.
    return list(dict.fromkeys(" ".join(t.split()) for t in texts if 30 < len(t) < 3000))
