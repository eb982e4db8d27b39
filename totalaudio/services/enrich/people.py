"""Presenters and programmes beyond schedule rows: host sections, DJ lists in prose, role tables, show pages.

Each reader keeps to a context that names people as presenters (a "Hosts" or "Our DJs" heading, "the DJs are:",
a table row whose role is "Resident DJ", a show page's "Hosted by" or its lead sentence), so staff sections,
board lists and artists named in prose stay out.
"""

from __future__ import annotations

import re

from totalaudio.services.enrich import shows

HOST_SECTION = re.compile(r"(?i)\b(?:hosts?|presenters?|djs?|dj's|on[- ]air (?:team|talent)|voices|locutor(?:es|as)|"
                          r"presentador(?:es|as)|conductor(?:es|as)|animateur(?:s|rices)?|moderator(?:en|innen)|"
                          r"sprecher(?:innen)?|residents?)\b")
NOT_HOST_SECTION = re.compile(r"(?i)\b(?:staff|board|committee|team members|management|trustees|volunteers|"
                              r"directors?|officers|executive|sponsors?|partners|guests?|artists?|bands?)\b")
DJ_LIST = re.compile(r"(?i)\b(?:djs|dj's|presenters|hosts|residents|locutores|presentadores|animateurs)\b"
                     r"(?:\s+\w+){0,2}?\s+(?:are|include|includes|:)\s*:?\s*([^.;]{3,400})")
QUOTED = re.compile(r"\s*[\"“][^\"”]{1,30}[\"”]")
ROLE_HINT = re.compile(r"dj|host|present|locutor|animat")
ROLE_CELL = re.compile(r"(?i)^(?:(?:resident|guest|head|lead|specialist|mix|club|breakfast|drive(?:time)?)\s+)?"
                       r"(?:dj|djs|host|hosts|presenter|presenters|locutor|locutora|animateur|animatrice)$")
# "Ana Ruiz spins ...", "Tom "Tunes" Baker hosts ...": a show page's lead sentence names its host.
LEAD_PERSON = re.compile(r"^((?:DJ\s+)?[A-ZÀ-Þ][\w'’-]+(?:\s+[\"“][^\"”]{1,20}[\"”])?(?:\s+[A-ZÀ-Þ][\w'’-]+){1,3})\s+"
                         r"(?:[a-z]+s|is|was)\b")
ROLE_BEFORE = re.compile(rf"\b(?:[Hh]ost|[Pp]resenter|[Ll]ocutora?|[Aa]nimat(?:eur|rice))\s+{shows.NAME}")
HEADINGS = "h1, h2, h3, h4, h5, h6"
STAFF_ROLE = re.compile(rf"{shows.STAFF_WORDS.pattern}|(?i:\bhead of\b)")
NOT_SHOW_HEADING = re.compile(r"(?i)\b(?:schedule|line-?up|this week|today|tonight|guide|what'?s on|on air|"
                              r"programmes|programs|shows|listings?)\b")
MAX_SHOW_PAGE = 1500


def section_hosts(tree) -> list[str]:
    """Names in the sub-headings of a section headed "Hosts", "Our DJs", "Presenters" (not of a staff section)."""
    found, level = [], None
    for heading in tree.css(HEADINGS):
        rank, text = int(heading.tag[1]), heading.text(separator=" ").strip()
        if level is not None and rank <= level:
            level = None  # a heading as high as the section's own ends it
        if level is None:
            if HOST_SECTION.search(text) and not NOT_HOST_SECTION.search(text) and len(text) < 60:
                level = rank
            continue
        role = _after(heading)  # a card's role line ("Head of Music"), not a bio that mentions a job
        if (name := shows.person(text)) and not (len(role) < 60 and STAFF_ROLE.search(role)):
            found.append(name)
    return found


def _after(heading) -> str:
    """The text just after a heading (a card's role line: "Head of Music")."""
    sibling = heading.next
    while sibling is not None and sibling.tag in ("-text", "_comment") and not sibling.text().strip():
        sibling = sibling.next
    return sibling.text()[:200] if sibling is not None else ""


def listed_djs(text: str) -> list[str]:
    """Names in prose lists such as "Our resident DJs are: DJ Sol, DJ Lumen and DJ Kite"."""
    found = []
    if "DJ" not in text and "resident" not in text.lower() and "present" not in text and "host" not in text:
        return found
    for match in DJ_LIST.finditer(text):
        items = shows.LIST_SPLIT.split(QUOTED.sub("", match.group(1)))
        names = [shows.person(item) for item in items]
        if len(names) >= 2 and sum(1 for n in names if n) >= max(2, len(names) - 1):
            found.extend(n for n in names if n)
    return found


def role_rows(tree) -> list[str]:
    """People in table rows whose role cell says DJ, host or presenter ("Resident DJ | Jo Bloggs")."""
    found = []
    for row in tree.css("tr"):
        if not ROLE_HINT.search(row.text().lower()):  # cheap: most rows name no such role
            continue
        elements = [c for c in row.traverse() if c.tag in ("td", "th")]  # cheaper than row.css() on a small node
        cells = [" ".join(c.text(separator=" ").split()) for c in elements]
        if 2 <= len(cells) <= 5 and any(c.tag == "td" for c in elements) and any(ROLE_CELL.match(c) for c in cells):
            found.extend(n for c in cells if not ROLE_CELL.match(c) and (n := shows.person(c)) and shows.full_names(n))
    return found


def show_page(tree, url: str) -> shows.ShowInfo | None:
    """A show's own page: its heading, the day/time beneath it, and the host ("Hosted by", "con", a lead name)."""
    for heading in tree.css("h1, h2"):
        container = heading.parent
        if container is None or container.tag in ("body", "html", "header", "nav", "footer"):
            continue
        raw = container.text(separator="  ")
        if len(raw) > 2 * MAX_SHOW_PAGE and len(" ".join(raw[:2 * MAX_SHOW_PAGE].split())) > MAX_SHOW_PAGE:
            continue  # its start alone is too long: the whole is (cheap, where the page's wrapper holds the heading)
        text = " ".join(raw.split())
        title = " ".join(heading.text(separator=" ").split())
        rest = text[text.find(title) + len(title):].strip() if title in text else ""
        if len(text) > MAX_SHOW_PAGE or not rest or not _when_first(rest) or NOT_SHOW_HEADING.search(title):
            continue
        if shows.time_count(text) > 3:  # a list of shows, read by the schedule readers
            continue
        return _page_show(title, rest, url)
    return None


def _when_first(rest: str) -> bool:
    head = rest[:40]
    return bool(shows.DAY.match(head) or shows.TIME.match(head) or shows.DAY.search(head[:15]))


def _page_show(title: str, rest: str, url: str) -> shows.ShowInfo | None:
    own = shows.TITLE_HOST.search(title)
    host = shows.person(own.group(1)) if own else None
    name = shows.show_title(shows.TITLE_CUT.split(title)[0] if own else title)
    if not name or len(name.split()) > 8 or shows.found(shows.NOT_TITLE, shows.NOT_TITLE_LOW, name):
        return None
    day, when = shows.DAY.search(rest[:60]), shows.TIME.search(rest[:80])
    body = rest[(when or day).end():].strip(" .,:-–") if (when or day) else rest
    if host is None and (cue := shows._host_cue(body) or ROLE_BEFORE.search(body)):
        host = shows.person(cue.group(1))
    if host is None and (lead := LEAD_PERSON.match(body)) and not _same_words(lead.group(1), name):
        host = shows.person(lead.group(1))
    return shows.ShowInfo(name, day.group(0).strip() if day else None, when.group(0).strip() if when else None,
                          host, url)


def _same_words(a: str, b: str) -> bool:
    """"Night Moves explores ...": the lead words are the show's own name, not a person's."""
    return bool({w.lower() for w in a.split()} & {w.lower() for w in b.split()})


PEOPLE_DIR = r"(?:presenters?|djs?|hosts?|locutor(?:es|as)?|animateurs?|animatrices|moderator(?:en|innen)?|residents)"
SHOWS_DIR = r"(?:shows?|programmes?|programs?|programas?|emissions?|sendungen|sendung|trasmissioni|podcasts?)"
PROFILE_HINT = re.compile(r"/(?:presen|dj|host|locut|animat|moder|resid)", re.I)
PROFILE_HINT_LOW = re.compile(PROFILE_HINT.pattern)
PROFILE_PATH = re.compile(rf"(?i)/{PEOPLE_DIR}/[^/?#]+/?$")
SHOW_PATH = re.compile(rf"(?i)/{SHOWS_DIR}/[^/?#]+/?$")
INDEX_PATH = re.compile(rf"(?i)/{SHOWS_DIR}/?$")
READ_MORE = re.compile(r"(?i)^(?:read|see|learn|find out|view|more|listen|play|details|info)\b")


def profile_links(links: list[tuple[str, str]]) -> list[str]:
    """Presenters named by links to their profile pages (/presenters/sam-okoro/ "Sam Okoro")."""
    return [name for url, text in links
            if shows.found(PROFILE_HINT, PROFILE_HINT_LOW, url) and PROFILE_PATH.search(url)
            and (name := shows.person(text))]


def profile_page(tree, url: str) -> str | None:
    """A presenter's own page: its main heading is the presenter's name."""
    heading = tree.css_first("h1") if PROFILE_PATH.search(_path(url)) else None
    return shows.person(heading.text(separator=" ")) if heading is not None else None


def index_shows(links: list[tuple[str, str]], url: str) -> list[shows.ShowInfo]:
    """Shows named by a programmes index's links to its show pages (/shows/ -> /shows/saturday-soul/)."""
    here = _path(url)
    if not INDEX_PATH.search(here):
        return []
    base = here.rstrip("/") + "/"
    return [shows.ShowInfo(name, url=link) for link, text in links
            if _path(link).startswith(base) and SHOW_PATH.search(_path(link)) and not READ_MORE.match(text)
            and (name := shows.show_title(text)) and len(name.split()) <= 8]


def own_show_page(tree, url: str) -> shows.ShowInfo | None:
    """A show's page by its address (/shows/<name>/): the main heading, and the host the text names."""
    heading = tree.css_first("h1") if SHOW_PATH.search(_path(url)) else None
    if heading is None:
        return None
    title = shows.show_title(heading.text(separator=" "))
    if not title or len(title.split()) > 8 or NOT_SHOW_HEADING.search(title):
        return None
    main = heading.parent
    while main is not None and len(main.text()) < 200 and main.parent is not None:
        main = main.parent  # up to the block that holds the show's text
    text = " ".join(main.text(separator="  ").split())[:MAX_SHOW_PAGE] if main is not None else ""
    cue = shows._host_cue(text) or ROLE_BEFORE.search(text) or shows.HOSTED.search(text)
    day, when = shows.DAY.search(text), shows.TIME.search(text)
    return shows.ShowInfo(title, day.group(0).strip() if day else None, when.group(0).strip() if when else None,
                          shows.person(cue.group(1)) if cue else None, url)


def _path(url: str) -> str:
    rest = url.split("//", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
