"""Shows and the people who present them: show name, day, time and host where the page says.

Hosts come only from show contexts (a schedule row, a show card, "hosted by", "X with Y"), so station managers
on a staff page, artists named in prose and template placeholders ("title", "host") are not taken for DJs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAY = re.compile(r"(?i)\b(mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\b\.?|\b(weekdays|weeknights|"
                 r"weekends|daily|every day|monday to friday|mon-fri)\b")
_CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
TIME = re.compile(rf"(?i)\b((?:\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?\s*(?:-|–|to|until)\s*)?{_CLOCK}"
                  rf"(?:\s*(?:-|–|to|until)\s*\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?)?|"
                  r"\d{1,2}:\d{2}(?:\s*[-–]\s*\d{1,2}:\d{2})?|noon|midnight)(?!\w)")
_WORD = r"[A-Z][\w'’.\-]*"
NAME = rf"((?:(?:DJ|MC|Dr\.?)\s+)?{_WORD}(?:\s+(?:&|and|van|de|von|du)\s+{_WORD}|\s+{_WORD}){{0,3}})"
HOST_CUE = re.compile(rf"(?:\bhosted by|\bpresented by|\bwith|\bw/|\bHost(?:ed)?:|\bPresenter:|\bDJs?:)\s+{NAME}")
PROGRAM_PHRASE = re.compile(rf"\b(?:the|our)\s+((?:{_WORD}\s+){{0,4}}{_WORD})\s+(?:program|programme|show)\b")
SHOWISH = re.compile(r"(?i)(?:^|[\s_-])(?:show|program|schedule|episode|timeslot|slot|line-?up|broadcast|tr\b)")
HOSTISH = re.compile(r"(?i)\b(host|dj|presenter|presented)")
PLACEHOLDERS = frozenset({"title", "host", "hosts", "dj", "djs", "name", "show", "shows", "tba", "tbc", "tbd",
                          "various", "guest", "guests", "presenter", "presenters", "lorem ipsum", "show title",
                          "show name", "dj name", "program", "programs", "programme", "on air", "live", "now",
                          "next", "today", "that time", "this time", "the show", "home", "more", "listen", "music",
                          "us", "you", "me", "them", "our", "we", "schedule", "a", "the", "radio"})
STAFF_WORDS = re.compile(r"(?i)\b(manager|director|coordinator|co-ordinator|chair|president|treasurer|secretary|"
                         r"board|officer|administrator|editor|committee|staff|ceo|founder|trustee)\b")
NOT_NAME_WORDS = frozenset({"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "The",
                            "Our", "Your", "This", "That", "Music", "Radio", "News", "Live", "Show", "Program",
                            "Submit", "Contact", "Listen", "Home", "About", "Us", "Me", "Friends", "Guests",
                            "Special", "Request", "FM", "AM", "Guest", "Love", "Everyone", "All"})


ALNUM = re.compile(r"[A-Za-z0-9]")
JOINERS = re.compile(r"(?i)\b(?:to|and|from|at|every|on)\b")
LETTER = re.compile(r"[A-Za-z]")
WORDS_SPLIT = re.compile(r"\s+|&")


@dataclass(frozen=True)
class ShowInfo:
    """A show with its day, time and host when the page gives them."""

    name: str
    day: str | None = None
    time: str | None = None
    host: str | None = None
    url: str | None = None


def clean_name(text: str | None) -> str | None:
    """A show or host name, trimmed; None for placeholders and things that are not names."""
    if not text:
        return None
    name = SPACES.sub(" ", text).strip(" -–—:|,.()[]\"'")
    if not 2 <= len(name) <= 60 or name.lower() in PLACEHOLDERS or "lorem" in name.lower():
        return None
    if TIME.fullmatch(name) or DAY.fullmatch(name) or not LETTER.search(name) or "@" in name:
        return None
    return name


def person(text: str | None) -> str | None:
    """A presenter's name (1-4 words, capitalised, or DJ/MC names), or None."""
    name = clean_name(text)
    if not name or STAFF_WORDS.search(name) or len(name.split()) > 5:
        return None
    words = [w for w in WORDS_SPLIT.split(name) if w and w.lower() not in ("and", "dj", "mc")]
    if not words or any(w in NOT_NAME_WORDS for w in words):
        return None
    return name


def _first_match(pattern: re.Pattern, text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0).strip() if match else None


CELLS = re.compile(r"\s{2,}|\n")
SPACES = re.compile(r"\s+")
TITLE_CUT = re.compile(r"\s+(?:with|w/|hosted by|presented by)\s+|,\s*|\s[-–—|:]\s")
HOSTED = re.compile(rf"(?:hosted by|presented by|Hosted by|Presented by)\s+{NAME}")
# Cheap first look: a block can only be a show when it has a digit (a time), a day, or a host cue.
WHEN_HINT = re.compile(r"(?i)\d\s*(?:am|pm)\b|\d:\d\d|\b(?:mon|tue|wed|thu|fri|sat|sun)|weekday|weekend|daily|noon|midnight")
def maybe_show(text: str) -> bool:
    """MAYBE_SHOW on the lower-cased text (case-insensitive regexes are several times slower)."""
    return MAYBE_SHOW_LOW.search(text.lower()) is not None


MAYBE_SHOW = re.compile(r"(?i)\d\s*(?:am|pm)\b|\d:\d\d|\b(?:mon|tue|wed|thu|fri|sat|sun)|week|daily|with|host|"
                        r"present|w/|\bdj\b|noon|midnight")
MAYBE_SHOW_LOW = re.compile(MAYBE_SHOW.pattern.replace("(?i)", "", 1))


def from_block(raw: str, title: str | None, host: str | None, url: str, showish: bool = False) -> ShowInfo | None:
    """A show from one schedule row or show card (cells separated by 2+ spaces): title, day, time, host."""
    parts = [SPACES.sub(" ", p).strip() for p in CELLS.split(raw) if p.strip()]
    text = " ".join(parts)
    if len(text) > 240:
        return None
    day, when = _first_match(DAY, text), _first_match(TIME, text)
    cue = HOST_CUE.search(text)
    host = person(host) or (person(cue.group(1)) if cue else None)
    if title is None:
        rest = [p for p in parts if not _only_when(p) and p != host and not HOST_CUE.match(p)]
        title = TITLE_CUT.split(rest[0])[0] if rest else None
    name = clean_name(title)
    if not name or len(name.split()) > 8 or not (when or host or (day and showish)):
        return None
    day = _first_match(DAY, text.replace(name, " ", 1)) or day  # "Sunday Brunch Jazz, Sundays 10am"
    return ShowInfo(name, day, when, host, url)


def _only_when(part: str) -> bool:
    """A cell that holds only a day and/or a time."""
    rest = TIME.sub("", DAY.sub("", part))
    return not ALNUM.search(JOINERS.sub("", rest))


def hosts_in_text(text: str) -> list[str]:
    """Names after "hosted by" / "presented by" in running text."""
    found = []
    if "by" not in text:
        return []
    for match in HOSTED.finditer(text):
        name = person(match.group(1))
        if name:
            found.append(name)
    return found


_ITEM = r"[A-Z][\w'’-]*(?:[ \t\xa0]+(?:[A-Z0-9][\w'’-]*|of|the|on|in|&)){0,4}"
# "current affairs programs ... including News 101 and Arts Report", "shows such as X, Y and Z"
PROGRAM_LIST = re.compile(rf"\b(?:programs|programmes|shows)\b[^.;:]{{0,80}}?\b(?:including|such as|like)\s+"
                          rf"({_ITEM}(?:\s*,\s*{_ITEM}){{0,8}}(?:,?\s+(?:and|&)\s+{_ITEM})?)")
LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")


def programs_in_text(text: str) -> list[str]:
    """Show names in phrases such as "host the New Releases program" or "programs including X and Y"."""
    names = []
    for match in PROGRAM_PHRASE.finditer(text):
        name = clean_name(match.group(1))
        if name and not any(w in ("Program", "Show", "Radio") for w in name.split()[:1]):
            names.append(name)
    if "includ" in text or "such as" in text or " like " in text:
        for match in PROGRAM_LIST.finditer(text):
            names.extend(n for item in LIST_SPLIT.split(match.group(1)) if (n := _listed_show(item)))
    return names


def _listed_show(item: str) -> str | None:
    """One name of a listed show; not a day, a genre word alone or a placeholder."""
    name = clean_name(item)
    words = name.split() if name else []
    if not words or len(words) > 5 or (len(words) == 1 and words[0] in NOT_NAME_WORDS) or DAY.match(name):
        return None
    from totalaudio.services.enrich.genres import from_list_item

    # "shows like punk and drum & bass" lists genres, not shows
    if name.lower() in {g.lower() for g in from_list_item(name)}:
        return None
    return name
