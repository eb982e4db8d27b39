"""Shows and presenters from a page's blocks: schedule rows, show cards, list items, paragraphs, presenter cards.

Blocks are read in one pass in document order. A block's title and host children are found by walking the
block against the page's own matches of their selectors (``Matches``): a ``css()`` call on a small node costs
more than a walk over it, and most pages have no host-classed element at all.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from totalaudio.services.enrich import people, schedule, shows

# Not [class*=event]: gig listings name artists, not presenters.
BLOCKS = ("tr, [class*=show], [class*=program], [class*=emission], [class*=sendung], [class*=schedule], "
          "[class*=episode], [class*=views-row], "
          "[class*=summary-item], [class*=now-playing], [class*=on-air], [id*=show], [id*=program], li, dt, p")
NOT_BLOCKS = frozenset({"html", "body", "main", "ul", "ol", "table", "tbody", "nav", "header", "footer"})
TITLE_CHILD = "h2, h3, h4, h5, strong, .title, [class*=title], [class*=name]"
HOST_CHILD = "[class*=host], [class*=dj], [class*=presenter]"
LIVE_BOX = re.compile(r"(?i)now-playing|on-air|onair")
LIVE_TITLE = ("[class*=show-title], [class*=show-name], [class*=program-title], [class*=program-name], "
              "[class*=programme-name], [class*=title], h4, h5")
PRESENTER_PAGE = re.compile(r"(?i)presenters?|\bdjs?\b|/djs|hosts|line-?up")
MAX_BLOCKS = 5000  # blocks read for shows and paragraphs: a page with more is no schedule (a hostile or huge page)


class Matches:
    """The page's elements matching a selector, found once per page; the first of them inside a block."""

    def __init__(self, tree) -> None:
        self.tree = tree
        self.ids: dict[str, set[int]] = {}

    def first(self, node, selector: str):
        """What ``node.css_first(selector)`` gives (the node itself or its first descendant that matches)."""
        ids = self.ids.get(selector)
        if ids is None:
            ids = self.ids[selector] = {n.mem_id for n in self.tree.css(selector)}
        if not ids:
            return None
        return next((n for n in node.traverse() if n.mem_id in ids), None)

    def text(self, node, selector: str) -> str | None:
        """The text of the first match inside a block, or None."""
        child = self.first(node, selector)
        return child.text(separator=" ").strip() if child is not None else None


def show_blocks(tree, facts) -> None:
    """Shows and hosts from the page's schedule tables, blocks, presenter cards and show or profile page."""
    found, handled = schedule.tables(tree, facts.url)
    facts.shows.extend(found)
    matches = Matches(tree)
    inside: set[int] = set()  # elements within blocks that gave a show: parts of it, not more shows
    for node in tree.css(BLOCKS)[:MAX_BLOCKS]:
        if node.tag in NOT_BLOCKS or node.tag == "tr" and node.mem_id in handled or node.mem_id in inside:
            continue
        text = _block_text(node)
        if len(text) > 300 or len(text) < 4 or not shows.maybe_show(low := text.lower()):
            continue
        if node.tag == "p" and not shows.when_hint(low):
            continue
        times = shows.time_count(text)
        if times > 1 and node.tag not in ("tr", "li", "p", "dt") and len(node.css("h2, h3, h4, h5")) > 1:
            continue  # a list of shows (its heading says "This week"): its cards are read one by one
        for block, block_text in _grid_cells(node, text) if node.tag == "tr" and times > 1 else [(node, text)]:
            show = _block_show(block, block_text, facts.url, matches)
            if show and (block.tag != "p" or (show.host and (show.day or show.time))):
                facts.shows.append(show)
                if block is not node or times <= 1:  # one show's block; a block of several keeps its rows
                    inside.update(_descendants(block))
    _people(tree, facts)


def _people(tree, facts) -> None:
    """Presenter cards, the page's own show, shows an index links to, host sections, role rows, profiles."""
    if PRESENTER_PAGE.search(f"{urlsplit(facts.url).path} {re.split(r' [|–—-] ', facts.title)[0]}"):
        facts.shows.extend(_presenter_cards(tree, facts.url))
    if own := people.show_page(tree, facts.url) or people.own_show_page(tree, facts.url):
        facts.shows.append(own)
    facts.shows.extend(people.index_shows(facts.links, facts.url))
    facts.hosts.extend(people.section_hosts(tree) + people.role_rows(tree) + people.profile_links(facts.links))
    if presenter := people.profile_page(tree, facts.url):
        facts.hosts.append(presenter)


def _block_text(node) -> str:
    """A block's text, cells apart; a definition with its answer; a now-playing box without its playlist."""
    text = node.text(separator="  ")
    if node.tag == "dt" and (answer := _next_element(node)) is not None and answer.tag == "dd":
        text = f"{text}  {answer.text(separator='  ')}"  # <dt>Monday 7pm</dt><dd>The Country Show with ...</dd>
    cls = node.attrs.get("class") or ""
    if ("play" in cls or "air" in cls) and LIVE_BOX.search(cls):  # songs are not shows
        text = "  ".join(c.text(separator="  ") for c in node.iter() if c.tag not in ("table", "ol", "ul"))
    return text


def _block_show(node, text: str, url: str, matches: Matches):
    """The show of one block (row, card, list item, paragraph), with a title and host from its children."""
    attrs = node.attrs
    cls, ident = attrs.get("class") or "", attrs.get("id") or ""
    live = LIVE_BOX.search(cls.strip())  # a now-playing box: its heading says "Now playing"
    title = None if node.tag in ("tr", "p") else matches.text(node, LIVE_TITLE if live else TITLE_CHILD)
    host = matches.text(node, HOST_CHILD)
    showish = shows.SHOWISH.search(f"{node.tag} {cls.strip()} {ident.strip()}")
    return shows.from_block(text, title, host, url, bool(showish))


def _grid_cells(row, text: str) -> list:
    """A layout row of show cards (Drupal's views grid): each cell is a block; otherwise the row is one."""
    cells = [c for c in row.traverse() if c.tag == "td" and any(d.tag in ("div", "p", "span") for d in c.traverse())]
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
        rest = shows.SPACES.sub(" ", card.text(separator="  ")).replace(heading.text().strip(), "", 1).strip()
        if len(rest) < 200 and shows.WHEN_HINT.search(rest) and not shows.STAFF_WORDS.search(rest):
            if show := shows.from_block(rest, None, name, url):
                found.append(show)
    return found
