"""One page in, its facts out: text, links, emails, phones, profiles, forms, genres, shows, submission text.

Parsing uses selectolax (lexbor). Only visible text is read: scripts, styles, templates and comments are not,
and attribute values (placeholders) only where they mean something (href, src, data-cfemail, JSON-LD, meta).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from totalaudio.services.enrich import contacts, discover, forms, genres, schedule, shows, social
from totalaudio.services.enrich.discover import link_score  # noqa: F401  (re-exported: the crawler's scorer)

SUBMIT_WORDS = re.compile(r"(?i)submi(?:t|ssion|tting)|send (?:us )?(?:your )?music|demos?\b|airplay|get played|"
                          r"music (?:policy|guidelines)|for artists|artists? and labels|promos?\b|new music")
SUBMIT_PARAGRAPH = re.compile(
    r"(?i)submit(?:ting)? (?:your |new |a )?(?:music|tracks?|songs?|demos?|releases?|records?|albums?|cds?)|"
    r"music submissions?|(?:digital|physical|mail) submissions|send (?:us )?(?:your |a copy of your )?"
    r"(?:music|tracks|songs|demos|cds?|records|promos|releases)|(?:artists?|bands?|labels?|promoters?)\b[^.]{0,80}"
    r"(?:airplay|on the radio|(?:get|have) (?:your |their )?(?:songs|music|tracks) (?:on|played|heard))|for airplay|"
    r"(?:demos?|promos?|submissions?) (?:should|can|may|must) be (?:sent|emailed|posted)|"
    r"accept(?:s|ing)? (?:new )?(?:music|submissions|demos)|hearing your music|consider(?:ed)? for airplay")
SUBMIT_HINT = re.compile(r"(?i)submi|send|airplay|demo|promo|accept|hearing your|consider|on the radio")
# The same on lower-cased text, where only a yes/no is needed: case-insensitive matching is several times slower.
SUBMIT_PARAGRAPH_LOW = re.compile(SUBMIT_PARAGRAPH.pattern.replace("(?i)", "", 1))
SUBMIT_HINT_LOW = re.compile(SUBMIT_HINT.pattern.replace("(?i)", "", 1))
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
    (("news/talk", "talk radio"), r"\bnews/talk\b|\btalk radio\b", "talk"),
))
SPACES = re.compile(r"\s+")
SOCIAL_HINT = re.compile(r"(?i)facebook|fb\.com|instagram|twitter|x\.com|tiktok|youtube|soundcloud|mixcloud|"
                         r"bandcamp|spotify|threads|bsky|linkedin|flickr|vimeo")
FORM_HINT = re.compile(r"(?i)form|airtable|tally|submithub|groover|labelradar|musosoup")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
TITLE_CHILD = "h2, h3, h4, h5, strong, .title, [class*=title], [class*=name]"
HOST_CHILD = "[class*=host], [class*=dj], [class*=presenter]"
NAV_LINKS = "nav a[href], header a[href], footer a[href], [role=navigation] a[href], [class*=menu] a[href]"
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
    facts.text = SPACES.sub(" ", body.text(separator=" ") if body else "").strip()[:MAX_TEXT]
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
    for node in tree.css("a[href], area[href]"):
        href = _attr(node, "href")
        text = SPACES.sub(" ", node.text()).strip()
        if email := contacts.email_from_href(href):
            facts.emails.append(email)
        elif phone := contacts.phone_from_href(href):
            facts.phones.append(phone)
        elif (hexed := contacts.cf_hex_from_href(href)) and (email := contacts.decode_cfemail(hexed)):
            facts.emails.append(email)
        elif href and not href.startswith(("#", "javascript:", "data:")):
            _link(_absolute(facts.url, href), text, facts)
    _hidden_links(tree, facts)
    facts.nav = {_absolute(facts.url, _attr(node, "href")).split("#", 1)[0] for node in tree.css(NAV_LINKS)}
    for node in tree.css("[data-cfemail]"):
        if email := contacts.decode_cfemail(_attr(node, "data-cfemail")):
            facts.emails.append(email)
    for node in tree.css("iframe[src], embed[src]"):
        src = urljoin(facts.url, _attr(node, "src"))
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


def _link(url: str, text: str, facts: PageFacts) -> None:
    origin = "/".join(facts.url.split("/", 3)[:3])
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
                facts.genres.extend(genres.from_list_item(option.text()))
    for node in tree.css("[class*=genre], [id*=genre], [class*=tags], [rel=tag]"):
        text = node.text(separator=",")
        if len(text) < 300:
            facts.genres.extend(g for item in text.split(",") for g in genres.from_list_item(item))


def _structured(tree, facts: PageFacts) -> None:
    """JSON-LD: names, sameAs profiles, emails and phones of the station's organisation."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text() or "null")
        except ValueError:
            continue
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
    selector = ("tr, [class*=show], [class*=program], [class*=schedule], [class*=episode], "
                "[id*=show], [id*=program], li, dt, p")
    found, handled = schedule.tables(tree, facts.url)
    facts.shows.extend(found)
    for node in tree.css(selector):
        if node.tag in ("html", "body", "main", "ul", "ol", "table", "tbody", "nav", "header", "footer"):
            continue
        if node.tag == "tr" and node.mem_id in handled:
            continue
        text = node.text(separator="  ")
        if len(text) > 300 or len(text) < 4 or not shows.maybe_show(text):
            continue
        if node.tag == "p" and not shows.WHEN_HINT.search(text):
            continue
        title = None if node.tag in ("tr", "p") else _child_text(node, TITLE_CHILD)
        host = _child_text(node, HOST_CHILD)
        ident = f"{node.tag} {_attr(node, 'class')} {_attr(node, 'id')}"
        show = shows.from_block(text, title, host, facts.url, bool(shows.SHOWISH.search(ident)))
        if show and (node.tag != "p" or (show.host and (show.day or show.time))):
            facts.shows.append(show)


def _child_text(node, selector: str) -> str | None:
    child = node.css_first(selector)
    return child.text(separator=" ").strip() if child is not None else None


def _text_facts(tree, facts: PageFacts) -> None:
    # Each sentence once: boilerplate repeated down a page says nothing new and costs every pattern a pass.
    prose = " ".join(dict.fromkeys(SENTENCE.split(f"{facts.description} {facts.text}")))
    paragraphs = _paragraphs(tree)
    facts.emails.extend(contacts.emails_in_text(prose))
    facts.phones.extend(contacts.phones_in_text(prose))
    facts.hosts.extend(h for block in paragraphs for h in shows.hosts_in_text(block))
    facts.shows.extend(shows.ShowInfo(name, url=facts.url) for name in shows.programs_in_text(prose))
    facts.genres.extend(genres.from_prose(prose))
    head = f"{facts.title} {facts.description} {facts.text[:20000]}"
    low = head.lower()
    facts.formats.extend(label for words, pattern, label in FORMAT_PATTERNS
                         if any(w in low for w in words) and pattern.search(head))
    facts.submission.extend(_submission(tree, facts, paragraphs))


def _submission(tree, facts: PageFacts, paragraphs: list[str]) -> list[tuple[int, str]]:
    """(score, text) of submission guidance: a headed section, a page about submitting, paragraphs, meta text."""
    found = []
    path = urlsplit(facts.url).path
    for heading in tree.css("h1, h2, h3, h4"):
        if SUBMIT_WORDS.search(heading.text()):
            section = _section_text(heading)
            if len(section) > 60 and SUBMIT_PARAGRAPH_LOW.search(f"{section} {heading.text()} {path}".lower()):
                found.append((3 if len(section) >= 200 else 2, section))
    paragraphs = [p for p in paragraphs
                  if SUBMIT_HINT_LOW.search(low := p.lower()) and SUBMIT_PARAGRAPH_LOW.search(low)]
    if paragraphs:
        found.append((2 + bool(SUBMIT_WORDS.search(path + facts.title)), " ".join(paragraphs)))
    elif SUBMIT_HINT_LOW.search(facts.text.lower()) and (sentences := _submission_sentences(facts.text)):
        found.append((2, sentences))  # text not in paragraphs (<br>-separated, big table cells)
    if SUBMIT_PARAGRAPH.search(facts.description):
        found.append((1, facts.description))
    return found


def _submission_sentences(text: str) -> str:
    """The sentences that speak of submitting music, each with the two that follow (where to send it)."""
    sentences = SENTENCE.split(text)
    keep: dict[int, None] = {}
    for i, sentence in enumerate(sentences):
        if len(sentence) < 600 and SUBMIT_PARAGRAPH_LOW.search(sentence.lower()):
            keep.update(dict.fromkeys(range(i, min(i + 3, len(sentences)))))
    return " ".join(sentences[i] for i in keep)[:2000]


def _section_text(heading) -> str:
    level = int(heading.tag[1])
    parts, node = [], heading.next
    while node is not None and sum(map(len, parts)) < 3000:
        if node.tag in ("h1", "h2", "h3", "h4")[:level]:
            break
        if node.tag != "-text" or node.text().strip():
            parts.append(node.text(separator=" "))
        node = node.next
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _paragraphs(tree) -> list[str]:
    texts = (n.text(separator=" ") for n in tree.css("p, li, dd, td, blockquote"))
    # Once each: repeated boilerplate (cards, footers) says nothing new and costs every pattern a pass.
    return list(dict.fromkeys(SPACES.sub(" ", t).strip() for t in texts if 30 < len(t) < 3000))
