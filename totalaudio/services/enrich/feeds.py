"""Shows, hosts and show genres in structured data: JSON-LD (Event, BroadcastEvent, RadioSeries, Episode),
JSON embedded in a page (``application/json`` scripts, Next.js data) and schedule feeds a page loads.

A JSON object is a show when it has a name-like key and a host-like or time-like key beside it; the keys are
matched by meaning (``dj``, ``host``, ``presenters``, ``start_time`` ...), not by one site's layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from totalaudio.services.enrich import genres as genre_vocab
from totalaudio.services.enrich import shows

NAME_KEYS = ("name", "title", "show", "show_name", "showname", "showName", "programme", "program", "programName")
HOST_KEYS = ("dj", "djs", "host", "hosts", "presenter", "presenters", "hosted_by", "hostedBy", "presented_by",
             "presentedBy", "locutor", "animateur", "moderator")
CAST_KEYS = ("performer", "performers", "actor", "actors")  # a broadcast's cast; a gig's performers are artists
TIME_KEYS = ("time", "start", "starts", "start_time", "startTime", "startDate", "start_date", "day", "days",
             "slot", "when", "schedule", "airtime", "airs", "begins")
GENRE_KEYS = ("tags", "genres", "genre", "styles", "keywords")
# Types that are programmes whatever their keys; any other typed object (an Event is usually a gig, a WebPage has
# an author) counts only with a presenter key.
SHOW_TYPES = ("BroadcastEvent", "RadioSeries", "RadioEpisode", "Episode", "PodcastSeries", "PodcastEpisode",
              "CreativeWorkSeries", "RadioSeason", "PublicationEvent")
SHOW_NAME_KEYS = ("show", "show_name", "showname", "showName", "programme", "program", "programName")
MAX_NODES = 5000


@dataclass
class FeedFacts:
    """Shows and the genres given per show (with the show's name, for where it was found)."""

    shows: list[shows.ShowInfo] = field(default_factory=list)
    genres: list[tuple[str, str]] = field(default_factory=list)  # (genre, show name)


def read(data, url: str, facts: FeedFacts | None = None) -> FeedFacts:
    """Every show-like object in a JSON document (depth-first, bounded)."""
    facts = facts or FeedFacts()
    stack, seen = [data], 0
    while stack and seen < MAX_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            _object(node, url, facts)
            stack.extend(reversed([v for v in node.values() if isinstance(v, (list, dict))]))
    return facts


def _object(node: dict, url: str, facts: FeedFacts) -> None:
    kinds = node.get("@type") if isinstance(node.get("@type"), list) else [node.get("@type")]
    programme = any(k in SHOW_TYPES for k in kinds)
    name = next((v for k in NAME_KEYS if isinstance(v := node.get(k), str) and v.strip()), None)
    host_value = next((node[k] for k in HOST_KEYS if node.get(k)), None)
    if programme and host_value is None:
        host_value = next((node[k] for k in CAST_KEYS if node.get(k)), None)
    when = next((node[k] for k in TIME_KEYS if isinstance(node.get(k), str) and node[k].strip()), None)
    showish = any(isinstance(node.get(k), str) for k in SHOW_NAME_KEYS) and when
    if not name or not (programme or host_value is not None or showish):
        return
    title = shows.show_title(name)
    if not title or len(title.split()) > 10:
        return
    hosts = [h for h in _names(host_value) if h]
    day = shows.DAY.search(when) if when else None
    clock = shows.TIME.search(when) if when else None
    facts.shows.append(shows.ShowInfo(title, day.group(0).strip() if day else None,
                                      clock.group(0).strip() if clock else None,
                                      " & ".join(hosts) if hosts else None, url))
    for key in GENRE_KEYS:
        for item in _strings(node.get(key)):
            facts.genres.extend((g, title) for g in genre_vocab.from_list_item(item))


def _names(value) -> list[str]:
    """Host names from a string, a list, or objects with a name ({"@type": "Person", "name": ...})."""
    if isinstance(value, str):
        return [host_name(value)]
    if isinstance(value, dict):
        return [host_name(value["name"])] if isinstance(value.get("name"), str) else []
    if isinstance(value, list):
        return [n for item in value[:10] for n in _names(item)]
    return []


def host_name(text: str) -> str | None:
    """A host as a feed gives it: trusted as a name (feeds write DJ names in lower case, "dj moth")."""
    name = shows.clean_name(text)
    if not name or len(name.split()) > 6 or shows.STAFF_WORDS.search(name):
        return None
    return name


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [v for v in value[:30] if isinstance(v, str)]
    return []
