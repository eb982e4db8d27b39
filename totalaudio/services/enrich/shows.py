"""Shows and the people who present them: show name, day, time and host where the page says.

Hosts come only from show contexts (a schedule row, a show card, "hosted by", "X with Y"), so station managers
on a staff page, artists named in prose and template placeholders ("title", "host") are not taken for DJs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

DAY = re.compile(r"(?i)\b(mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\b\.?|\b(weekdays|weeknights|"
                 r"weekends|daily|every day|monday to friday|mon-fri)\b|"
                 r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|"
                 r"sábado|domingo|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lunedì|martedì|"
                 r"mercoledì|giovedì|venerdì|domenica)s?\b")
_CLOCK = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
TIME = re.compile(rf"(?i)\b((?:\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?\s*(?:-|–|to|until)\s*)?{_CLOCK}"
                  rf"(?:\s*(?:-|–|to|until)\s*(?:\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?|noon|midnight))?|"
                  r"\d{1,2}:\d{2}(?:\s*[-–]\s*\d{1,2}:\d{2})?|noon|midnight)(?!\w)")
# A capitalised word (accented capitals too: Ó Súilleabháin); a dot only inside it ("J.R.") or after an initial,
# so "hosted by Rab McIntyre. Port of Call" stops at the sentence's end.
_WORD = r"(?:[A-ZÀ-ÖØ-Þ]\.(?=\s)|[A-ZÀ-ÖØ-Þ](?:[\w'’\-]|\.(?=\w))*)"
NAME = rf"((?:(?:DJ|MC|Dr\.?)\s+)?{_WORD}(?:\s+(?:&|and|et|und|van|de|von|du)\s+{_WORD}|\s+{_WORD}){{0,3}})"
# Host cues in the languages station sites are often written in (presentado por, présenté par, moderiert von).
OTHER_CUES = (r"con|avec|mit|presentad[oa] por|conducid[oa] por|présentée? par|animée? par|moderiert von|"
              r"präsentiert von|presentat[oa] da|condott[oa] da|apresentad[oa] por|gepresenteerd door")
HOST_CUE = re.compile(rf"(?:\bhosted by|\bpresented by|\bwith|\bw/|\bHost(?:ed)?:|\bPresenter:|\bDJs?:|"
                      rf"\b(?:{OTHER_CUES}))\s+{NAME}")
# Words before "the X show" that make it an event one goes to: "at", "attend", "tickets for", "going to".
ATTENDED = re.compile(r"(?i)(?:\bat|\battend(?:ed|ing|s)?|\btickets?\s+(?:for|to)|\b(?:went|go|going|come|coming)\s+to)"
                      r"\s+$")
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
                            "Special", "Request", "FM", "AM", "Guest", "Love", "Everyone", "All", "Various",
                            "News", "Presenters", "Hosts", "DJs", "Commission", "Council", "Foundation",
                            "University", "College", "Department", "Association", "Society", "Records",
                            "Recordings", "Ltd", "Inc", "Festival", "Museum", "Committee", "Broadcasting",
                            "Regulations", "Centre", "Center", "Trust", "Network", "Orchestra", "Station",
                            "Team", "Crew", "Collective", "Sponsors", "Sponsor", "Partners", "Media",
                            # sponsors: "presented by Acme Motors" names a business, not a presenter
                            "Motors", "Group", "Bank", "Insurance", "Solicitors", "Estates", "Agents", "Homes",
                            "Cars", "Brewery", "Pharmacy", "Dental", "Services", "Limited", "Company", "Plc",
                            "LLC", "Holdings", "Supermarket", "Hotel", "Restaurant", "Bakery", "Accountants"})
CREDENTIALS = re.compile(r",?\s+(?:M\.?D|Ph\.?D|Jr|Sr|MBE|OBE|Esq)\.?$")
# "Noche de Cine (Spanish)", "Morning Mix (Bilingual)": a qualifier, not part of the show's name
TRAILING_QUALIFIER = re.compile(r"\s*\([^()]{1,24}\)?\s*$")


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


# Words a show's name keeps or loses between mentions: a leading article, "and" / "y" / "&" between words.
VARIANT_ARTICLES = frozenset({"the", "a", "an", "la", "el", "le", "les", "los", "las", "die", "der", "das"})
VARIANT_JOINERS = frozenset({"and", "y", "e", "et", "und", "n"})
NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def variant_key(name: str) -> str:
    """What the spellings of one show have in common: "The Urban Alternative" and "Urban Alternative", "Homo
    Frecuencia" and "HomoFrecuencia", "Nuestra Palabra y Canto" and "Nuestra Palabra Canto", "Rock & Roll" and
    "Rock and Roll" (case, accents, punctuation and spaces aside)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in NOT_ALNUM.split(plain) if w]
    if len(words) > 1 and words[0] in VARIANT_ARTICLES:
        words = words[1:]
    kept = [w for w in words if w not in VARIANT_JOINERS]
    return "".join(kept or words) or name.lower()


# The name and cell readers are pure and see the same strings again and again (a schedule's day and time cells,
# a host on every row of their show, a site's sidebar on each page): cached, like link scores.
CACHED = 8192


@lru_cache(maxsize=CACHED)
def clean_name(text: str | None) -> str | None:
    """A show or host name, trimmed; None for placeholders and things that are not names."""
    if not text:
        return None
    name = " ".join(text.split()).strip(" -–—:|,.()[]\"'")
    low = name.lower()
    if not 2 <= len(name) <= 60 or low in PLACEHOLDERS or "lorem" in low or "@" in name:
        return None
    if not LETTER.search(name) or TIME.fullmatch(name) or DAY.fullmatch(name):
        return None
    return name


def show_title(text: str | None) -> str | None:
    """A show's name without a trailing qualifier such as "(Spanish)"; None when it is no name."""
    name = clean_name(text)
    if name and "(" in name:
        name = clean_name(TRAILING_QUALIFIER.sub("", name))
    return name


STAFF_WORDS_LOW = re.compile(STAFF_WORDS.pattern.replace("(?i)", "", 1))
LEADING_CUE = re.compile(r"(?i)^\s*(?:with|w/|hosted by|presented by|host(?:ed)?:|hosts?:|presenters?:|"
                         r"presented:|djs?:)\s+")


@lru_cache(maxsize=CACHED)
def person(text: str | None) -> str | None:
    """A presenter's name (1-4 words, capitalised, or DJ/MC names), or None."""
    name = clean_name(LEADING_CUE.sub("", text) if text and text.lstrip()[:1] in "wWhHpPdD" else text)
    if name and "." in name:
        name = CREDENTIALS.sub("", name)
    if not name or STAFF_WORDS_LOW.search(name.lower()) or len(name.split()) > 5:
        return None
    words = [w for w in WORDS_SPLIT.split(name) if w and w.lower() not in ("and", "dj", "mc")]
    if not words or any(w in NOT_NAME_WORDS or w.endswith(("'s", "’s")) for w in words):
        return None
    return name


# Characters that case-insensitive matching takes for a letter that lower() does not give (İ ı ſ K). In a text
# without them lower() keeps every character's place, and a lower-case pattern finds in the lower-cased text what the
# case-insensitive one finds in the text, at the same places: several times faster (DAY: 2 us instead of 6 on a cell).
CASE_ODD = "\u0130\u0131\u017f\u212a"


def plain_case(text: str) -> bool:
    """Whether a text has none of CASE_ODD (lower-case patterns may then run on its lower-cased form)."""
    return text.isascii() or not any(map(text.__contains__, CASE_ODD))


def _first_match(pattern: re.Pattern, text: str, low: re.Pattern | None = None) -> str | None:
    """The first match of ``pattern`` in a text, found with ``low`` (its lower-case form) where plain_case allows."""
    match = low.search(text.lower()) if low is not None and plain_case(text) else pattern.search(text)
    return text[match.start():match.end()].strip() if match else None


def time_count(text: str) -> int:
    """len(TIME.findall(text))."""
    return len(TIME_LOW.findall(text.lower()) if plain_case(text) else TIME.findall(text))


def found(pattern: re.Pattern, low: re.Pattern, text: str) -> bool:
    """Whether ``pattern`` matches a text; with ``low`` (its lower-case form) on the lower-cased text where
    plain_case allows."""
    return (low.search(text.lower()) if plain_case(text) else pattern.search(text)) is not None


CELLS = re.compile(r"\s{2,}|\n")
SPACES = re.compile(r"\s+")
TITLE_CUT = re.compile(rf"\s+(?:with|w/|hosted by|presented by|{OTHER_CUES})\s+|,\s*|\s[-–—|:·•]\s")
HOSTED = re.compile(rf"(?:hosted by|presented by|Hosted by|Presented by|(?i:presentad[oa] por|conducid[oa] por|"
                    rf"présentée? par|animée? par|moderiert von|präsentiert von|presentat[oa] da|"
                    rf"apresentad[oa] por))\s+{NAME}")
# Cheap first look: a block can only be a show when it has a digit (a time), a day, or a host cue.
WHEN_HINT = re.compile(r"(?i)\d\s*(?:am|pm)\b|\d:\d\d|\b(?:mon|tue|wed|thu|fri|sat|sun)|weekday|weekend|daily|noon|midnight")
TITLE_HOST = re.compile(rf"\s(?:with|w/|hosted by|presented by|{OTHER_CUES})\s+{NAME.replace('s+', '[ ]+')}\s*$")
DAY_STARTS = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun", "wee", "dai", "eve", "noo", "mid"})
# A leading day counts only before a time or a separator: "Sun Ra Hour" keeps its "Sun".
LEAD_WHEN = re.compile(rf"\s*(?:(?:{DAY.pattern.replace('(?i)', '')})(?=\s*(?:\d|[-–—:,|&]|and\b|$))|"
                       rf"{TIME.pattern.replace('(?i)', '')}|(?:[-–—&,]|and)(?=\s))\s*[:,|.]?\s*", re.I)


WHEN_HINT_LOW = re.compile(WHEN_HINT.pattern.replace("(?i)", "", 1))
DAY_LOW = re.compile(DAY.pattern.replace("(?i)", "", 1))
TIME_LOW = re.compile(TIME.pattern.replace("(?i)", "", 1))
MAYBE_SHOW = re.compile(r"(?i)\d\s*(?:am|pm)\b|\d:\d\d|\b(?:mon|tue|wed|thu|fri|sat|sun)|week|daily|with|host|"
                        r"present|w/|\bdj\b|noon|midnight|con |avec |mit |por |par ")
MAYBE_SHOW_LOW = re.compile(MAYBE_SHOW.pattern.replace("(?i)", "", 1))
# The two _LOW hints answered by cheaper searches (the same yes/no; tests check it): their plain words by substring
# tests, the rest by patterns that start with a digit or a letter, which the engine skips to. The whole alternations
# start with \d or \b in some branches, so the engine tries every branch at every position of a block's text.
CLOCK_HINT = re.compile(r"\d(?:\s*(?:am|pm)\b|:\d\d)")  # \d\s*(?:am|pm)\b|\d:\d\d
DAY_HINT = re.compile(r"(?:mon|tue|wed|thu|fri|sat|sun)(?<!\w...)")  # \b(?:mon|tue|wed|thu|fri|sat|sun)
DJ_HINT = re.compile(r"dj\b(?<!\wdj)")  # \bdj\b
WHEN_WORDS = ("weekday", "weekend", "daily", "noon", "midnight")
MAYBE_SHOW_WORDS = ("week", "daily", "with", "host", "present", "w/", "noon", "midnight", "con ", "avec ", "mit ",
                    "por ", "par ")


def _clock_or_day(low: str) -> bool:
    return CLOCK_HINT.search(low) is not None or DAY_HINT.search(low) is not None


def when_hint(low: str) -> bool:
    """WHEN_HINT_LOW.search(low) is not None, for a lower-cased text."""
    return any(map(low.__contains__, WHEN_WORDS)) or _clock_or_day(low)


def maybe_show(low: str) -> bool:
    """MAYBE_SHOW_LOW.search(low) is not None, for a lower-cased text."""
    return any(map(low.__contains__, MAYBE_SHOW_WORDS)) or _clock_or_day(low) or DJ_HINT.search(low) is not None


GIG_LOW = re.compile(r"\btickets?\b|\bsupport(?:ed)? (?:from|by)\b|\bdoors\b|\bsold out\b|\bsupport:|\bon sale\b")
GIG_WORDS = ("ticket", "support", "doors", "sold out", "on sale")  # one is in any text GIG_LOW matches: cheap first
VENUE = re.compile(r"\bat the (?:[A-Z][\w'’]+ )*(?:Academy|Arena|Hall|Club|Theatre|Theater|Ballroom|Forum)\b")
GUEST_BEFORE = re.compile(r"(?i)\b(?:interview|interviews|conversation|chat|chats|session|sessions|talks?|speaks?|"
                          r"catch up|catches up|in concert|performance|guest|guests|featuring|feat\.?|q&a|accordance|compliance|"
                          r"partnership|association|collaboration|conjunction|together|along|agreement|touch|"
                          r"work(?:ing|s)?|connect|comply|complies|deal|deals|cope|help)\s+$")
# Prose cut where a title was expected: "Tune in Thursdays at", "Join us on", "Posted by".
NOT_TITLE = re.compile(r"(?i)^(?:tune in|listen (?:to|again|live|now|back)|join (?:us|in)|catch (?:up|us|the)|"
                       r"don'?t miss|check out|posted|published|updated)\b|"
                       r"\b(?:at|on|from|every|to|in|the|with|and|by|of)$")
NOT_TITLE_LOW = re.compile(NOT_TITLE.pattern.replace("(?i)", "", 1))
CUE_HINT = re.compile(r"with|w/|by |Host|Presenter|DJ|con |avec |mit |por |par |da |von |door ")  # cheap: HOST_CUE can only match where one of these is


def from_block(raw: str, title: str | None, host: str | None, url: str, showish: bool = False) -> ShowInfo | None:
    """A show from one schedule row or show card (cells separated by 2+ spaces): title, day, time, host."""
    parts = [" ".join(p.split()) for p in CELLS.split(raw) if p.strip()]
    text = " ".join(parts)
    if len(text) > 240:
        return None
    day, when = _first_match(DAY, text, DAY_LOW), _first_match(TIME, text, TIME_LOW)
    # A cue per cell: a name does not run on into the next cell ("with Jo Kerrigan  News, travel ...").
    if (any(map((low := text.lower()).__contains__, GIG_WORDS)) and GIG_LOW.search(low)
            or " at the " in text and VENUE.search(text)):
        return None  # a gig listing: "Idles with Sprints at the Academy", "support from ..."
    host = person(host)
    if host is None and CUE_HINT.search(text):
        cue = next((m for p in parts if (m := _host_cue(p))), None) or _host_cue(text)
        host = person(cue.group(1)) if cue else None
    if title is None:
        title = next((w for p in parts if (w := _strip_when(p)) and not _only_when(w) and p != host
                      and not HOST_CUE.match(w) and not LEADING_CUE.match(w)), None)
    if title and host is None and (own := TITLE_HOST.search(title)):  # "Breakfast with Jo Kerrigan": show, host
        host = person(own.group(1))
    title = _strip_trailing_time(TITLE_CUT.split(title)[0]) if title else None
    name = show_title(title)
    if (not name or len(name.split()) > 8 or not (when or host or (day and showish))
            or found(NOT_TITLE, NOT_TITLE_LOW, name)):
        return None
    day = _first_match(DAY, text.replace(name, " ", 1), DAY_LOW) or day  # "Sunday Brunch Jazz, Sundays 10am"
    return ShowInfo(name, day, when, host, url)


def _host_cue(text: str):
    """The first host cue that is not a guest's ("interview with Wet Leg", "in conversation with ...")."""
    for match in HOST_CUE.finditer(text):
        if not GUEST_BEFORE.search(text, max(0, match.start() - 24), match.start()):
            return match
    return None


def _strip_trailing_time(title: str) -> str:
    """"To The Moon 9pm" -> "To The Moon" (the last time in it, when nothing follows it)."""
    last = None
    for last in TIME_LOW.finditer(title.lower()) if plain_case(title) else TIME.finditer(title):
        pass  # the lower-cased title's places are the title's (see CASE_ODD)
    if last is not None and not title[last.end():].strip(" )") and last.start() > 0:
        return title[:last.start()].rstrip(" ,(–—-")
    return title


@lru_cache(maxsize=CACHED)
def _strip_when(part: str) -> str:
    """A cell without its leading day and time ("Monday 8pm - 10pm: Rollers Only" -> "Rollers Only")."""
    rest = part
    if not (part[:1].isdigit() or part[:3].lower() in DAY_STARTS):  # cheap: most cells start with neither
        return part
    while (lead := LEAD_WHEN.match(rest)) and lead.end() > 0:
        rest = rest[lead.end():]
    return rest.strip()


@lru_cache(maxsize=CACHED)
def _only_when(part: str) -> bool:
    """A cell that holds only a day and/or a time."""
    rest = TIME.sub("", DAY.sub("", part))
    return not ALNUM.search(JOINERS.sub("", rest))


# Every cue of HOSTED lower-cased: a text without any of them is rejected without a scan (HOSTED is slow).
HOSTED_WORDS = ("hosted by", "presented by", "presentad", "conducid", "présenté", "animé", "moderiert von",
                "präsentiert von", "presentat", "apresentad")


def hosts_in_text(text: str) -> list[str]:
    """Names after "hosted by" / "presented by" in running text."""
    found = []
    low = text.lower()
    if not any(map(low.__contains__, HOSTED_WORDS)):
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
# Where PROGRAM_PHRASE's and PROGRAM_LIST's matches start (they start with \b: the engine tries every position).
PHRASE_START = re.compile(r"the|our")
LIST_START = re.compile(r"program|shows")


def finditer_at(pattern: re.Pattern, starts: re.Pattern, text: str):
    """pattern.finditer(text), tried only where ``starts`` matches: every match of ``pattern`` starts with one of
    ``starts`` (a pattern the engine skips to), and none is empty."""
    pos = 0
    while (start := starts.search(text, pos)) is not None:
        if (match := pattern.match(text, start.start())) is not None:
            yield match
            pos = match.end()
        else:
            pos = start.start() + 1


def programs_in_text(text: str) -> list[str]:
    """Show names in phrases such as "host the New Releases program" or "programs including X and Y"."""
    names = []
    for match in finditer_at(PROGRAM_PHRASE, PHRASE_START, text) if "program" in text or "show" in text else ():
        if ATTENDED.search(text, max(0, match.start() - 30), match.start()):
            continue  # "be at the Wilco show": a concert someone goes to, not a programme
        name = clean_name(match.group(1))
        if name and not any(w in ("Program", "Show", "Radio") for w in name.split()[:1]):
            names.append(name)
    if "includ" in text or "such as" in text or " like " in text:
        for match in finditer_at(PROGRAM_LIST, LIST_START, text):
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


PEOPLE_SPLIT = re.compile(r"\s*(?:,|/|\s(?:and|&|y|et|und)\s)\s*", re.I)
PREFIXES = ("dj", "mc", "dr", "dr.")


def split_people(name: str) -> list[str]:
    """Each person of a combined host: "Andy and Kerry Brittain" -> Andy Brittain, Kerry Brittain."""
    parts = [p for p in PEOPLE_SPLIT.split(f" {name} ".replace("&", " & ")) if p and p.strip()]
    parts = [" ".join(p.split()) for p in parts]
    if len(parts) < 2:
        return [" ".join(name.split())]
    last = parts[-1].split()
    if len(last) >= 2 and all(len(p.split()) == 1 and p.lower() not in PREFIXES for p in parts[:-1]):
        return [f"{p} {last[-1]}" for p in parts[:-1]] + [parts[-1]]  # the first names share the surname
    return parts


def full_names(name: str) -> bool:
    """Some person in it has a full name or a DJ/MC name (not first names only, as in "Kit and Lou")."""
    return any(len(p.split()) >= 2 or p.split()[0].lower() in PREFIXES for p in split_people(name) if p.split())
