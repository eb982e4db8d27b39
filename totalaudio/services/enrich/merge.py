"""A site's pages merged into one ``ScrapedData``: de-duplicated, ranked, with how-to-submit preferences."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from totalaudio.services.enrich import genres as genre_vocab
from totalaudio.services.enrich import shows as show_rules
from totalaudio.services.enrich import social
from totalaudio.services.enrich.extract import PageFacts
from totalaudio.services.enrich.record import ScrapedData

RAW_CONTENT_CAP = 5000
MAX_SHOWS = 200  # a programme index can list a hundred shows
MAX_PEOPLE = 150
GUIDELINES_CAP = 2000
# (words, pattern, label) on the lower-cased guidance: a pattern only runs when one of its words is in the text
# (a literal substring test is far cheaper than a scan with these patterns, most of which start with ``\b``).
PREFERENCES = tuple((words, re.compile(pattern), label) for words, pattern, label in (
    (("physical",), r"physical (?:copy|copies|submissions?)[^.]{0,80}prefer|prefer[^.;]{0,40}physical|"
     r"prioriti[sz]e physical|physical copy of your music is our preferred", "physical copies preferred"),
    (("post", "mail", "address", "send"),
     r"\b(?:cds?|vinyl|tapes?|cassettes?|lps?|eps?|7\")\b[^.]{0,120}\b(?:post|mail|address)|"
     r"\b(?:post|mail)\w*\b[^.]{0,80}\b(?:cds?|vinyl|records?|copy)|"
     r"\b(?:send|post|mail) (?:us )?(?:your )?(?:physical )?(?:cds?|vinyl|records|copies)\b[^.]{0,80}\bto\b",
     "physical releases by post"),
    (("attach",), r"no (?:mp3 |audio |file |email )?attachments|do not attach|don'?t attach|without attachments|"
     r"never attachments|(?:not|n'?t|never) (?:accept|open)(?: any)? (?:email )?attachments|"
     r"(?:files?|mp3s?|audio|wavs?) attached (?:will|are|get)\b[^.]{0,20}(?:ignored|deleted|unheard|binned)",
     "no attachments"),
    (("link", "wetransfer"), r"links? only|only (?:accept )?links|\b(?:streaming|download|preview|private|soundcloud|"
     r"bandcamp|dropbox|google drive|drive|wetransfer|disco|box)\b(?: or [\w ]{1,20}?)? links?\b|wetransfer",
     "links (streaming/download)"),
    (("dropbox",), r"no dropbox|not (?:currently )?offer any kind of dropbox|not accept dropbox", "no Dropbox"),
    (("mp3", "wav", "kbps"), r"(?<!no )\b(?:mp3s?|wavs?)\b(?!\s*attach)|\d{3} ?kbps",
     "audio files (MP3/WAV)"),  # not "no MP3 attachments"
    (("submithub", "groover", "musosoup", "labelradar", "amplify", "haulix", "fluence", "airplayradio", "mpe",
      "dmds", "promoly", "inflyte"),
     r"submithub|groover|musosoup|labelradar|amplify|haulix|fluence|airplayradio|play ?mpe|dmds|promoly|inflyte",
     "via a submission platform"),
    (("bio", "release", "one-sheet", "one sheet", "epk", "one page"),
     r"\bbio\b|press release|media release|one[- ]sheet|\bepk\b|one page", "include a bio / press release"),
    (("subject line",), r"subject line", "mark the subject line as asked"),
    (("att:", "specific", "directly to the host"),
     r"\batt:|specific (?:presenter|show|host)|target specific hosts|directly to the host", "can target a show/host"),
))
SUBMISSION_LOCALS = re.compile(r"^(?:music|submissions?|submit|demos?|promos?|new ?music|musicdirector|md|"
                               r"airplay|playlist|library|tracks)\b")


def merge(pages: list[PageFacts]) -> tuple[ScrapedData, str | None]:
    """ScrapedData from a site's pages (home page first) and the station name they give."""
    guidelines = _guidelines(pages)
    emails = _unique(e for p in pages for e in p.emails)
    forms = _unique_by(((f.url, f.kind), f) for p in pages for f in p.forms)
    shows = _shows(pages)
    genres = genre_vocab.ranked([g for p in pages for g in p.genres])
    data = ScrapedData(
        format=_format(pages),
        genres=genres,
        genre_evidence=_genre_evidence(genres, pages),
        submission_guidelines=guidelines,
        contact_preferences=_preferences(guidelines, emails, forms, pages),
        dj_names=_unique(person for host in [s.host for s in shows if s.host] + [h for p in pages for h in p.hosts]
                         for person in show_rules.split_people(host))[:MAX_PEOPLE],
        show_info=shows[:MAX_SHOWS],
        contact_forms=forms,
        social_media=_station_profiles(pages),
        additional_contacts=_contacts(pages),
        raw_content=_raw(pages),
    )
    return data, station_name(pages)


def _genre_evidence(genres: list[str], pages: list[PageFacts]) -> list[dict[str, str]]:
    """Where each genre was found: the first page that gave it and how (genre list, show tags, statement)."""
    out = []
    for genre in genres:
        page = next((p for p in pages if genre in p.genre_where), None)
        if page is not None:
            out.append({"genre": genre, "source": page.genre_where[genre], "page": page.url})
    return out


STATION_PAGE = re.compile(r"(?i)contact|about|connect|follow|social|find-us|get-in-touch|impressum|kontakt")


def _station_profiles(pages: list[PageFacts]) -> list:
    """The station's own profiles: on its entry or contact/about page, or on more than one page (site-wide);
    a profile only one other page names (an event's artists, a launch's partners) is someone else's."""
    key = lambda p: (p.platform, p.handle.lower().lstrip("@"))  # noqa: E731
    counts: dict[tuple, int] = {}
    for page in pages:
        for k in {key(p) for p in page.profiles}:
            counts[k] = counts.get(k, 0) + 1
    own = [p for i, page in enumerate(pages) for p in page.profiles
           if i == 0 or counts[key(p)] > 1 or STATION_PAGE.search(urlsplit(page.url).path)]
    return social.dedupe(own)


def _unique(items) -> list:
    return list(dict.fromkeys(i for i in items if i))


def _unique_by(pairs) -> list:
    seen: dict = {}
    for key, value in pairs:
        seen.setdefault(key, value)
    return list(seen.values())


def _guidelines(pages: list[PageFacts]) -> dict | None:
    found = [(score, -i, text, p.url) for i, p in enumerate(pages) for score, text in p.submission]
    if not found:
        return None
    score, _, text, url = max(found, key=lambda f: (f[0], min(len(f[2]), 1500), f[1]))
    where = _unique(p.url for p in pages for s, _t in p.submission if s >= 2) or [url]
    return {"text": text[:GUIDELINES_CAP], "url": url, "pages": where}


def _preferences(guidelines: dict | None, emails: list[str], forms: list, pages: list[PageFacts] = ()) -> list[str]:
    # Every strong piece of submission guidance counts, not only the one shown (an FAQ answers one thing an item).
    text = " ".join(_unique([guidelines["text"] if guidelines else ""]
                            + [t for p in pages for score, t in p.submission if score >= 2]))
    low = text.lower()
    found = [label for words, pattern, label in PREFERENCES if any(w in low for w in words) and pattern.search(low)]
    submit_emails = [e for e in emails if e in low or SUBMISSION_LOCALS.match(e.split("@")[0])]
    found[:0] = [f"email {e}" for e in submit_emails[:3]]
    for form in forms:
        if form.kind == "submission":
            found.append(f"submission form ({form.provider or 'on site'}): {form.url}")
    if not any(f.kind == "submission" for f in forms) and any(f.kind == "contact" for f in forms):
        found.append("contact form on site")
    return _unique(found)


def _shows(pages: list[PageFacts]) -> list[show_rules.ShowInfo]:
    """One entry per show: spellings of one show on different pages ("Homo Frecuencia" in the schedule,
    "HomoFrecuencia" on its page; "The Urban Alternative" and "Urban Alternative") are one, with the day, time and
    host of the most detailed mention and the fullest spelling (the one that kept its articles, joiners and
    spaces), in mixed case when there is one."""
    best: dict[str, show_rules.ShowInfo] = {}
    names: dict[str, str] = {}
    for page in pages:
        for show in page.shows:
            key = show_rules.variant_key(show.name)
            current = best.get(key)
            if current is None or _detail(show) > _detail(current):
                best[key] = show
            if key not in names or _fullness(show.name) > _fullness(names[key]):
                names[key] = show.name
    return [show if show.name == names[key] else replace(show, name=names[key]) for key, show in best.items()]


def _fullness(name: str) -> tuple[int, bool]:
    return len(name.split()), not name.isupper()


def _detail(show) -> int:
    return sum(1 for v in (show.day, show.time, show.host) if v)


def _contacts(pages: list[PageFacts]) -> list[dict]:
    out, seen = [], set()
    for page in pages:
        for kind, values in (("email", page.emails), ("phone", page.phones)):
            for value in values:
                key = (kind, value if kind == "email" else re.sub(r"\D", "", value)[-9:])
                if key not in seen:
                    seen.add(key)
                    out.append({"type": kind, "value": value, "page": page.url})
    return out


def _format(pages: list[PageFacts]) -> str | None:
    labels = _unique(f for p in pages for f in p.formats)
    return "; ".join(labels) if labels else None


def _raw(pages: list[PageFacts]) -> str:
    parts, size = [], 0
    for page in pages:
        if size >= RAW_CONTENT_CAP:
            break
        chunk = f"[{urlsplit(page.url).path or '/'}] {page.text}"
        parts.append(chunk[:RAW_CONTENT_CAP - size])
        size += len(parts[-1])
    return "\n".join(parts)


def station_name(pages: list[PageFacts]) -> str | None:
    """og:site_name, JSON-LD name, or the station-looking part of the home page's title."""
    for page in pages[:1] + pages[1:]:
        if page.site_name:
            return page.site_name
        if page.names:
            return page.names[0]
    for page in pages:
        parts = [p.strip() for p in re.split(r"\s+[|\-–—:·»]\s+", page.title) if p.strip()]
        radioish = [p for p in parts if re.search(r"(?i)radio|\bfm\b|\d{2,3}(?:\.\d)?\s*fm|station", p)]
        if radioish:
            return radioish[0][:120]
    home = [p for p in pages if urlsplit(p.url).path in ("", "/", "/index.html", "/index.php") and p.title]
    return re.split(r"\s+[|\-–—:·»]\s+", home[0].title)[0].strip()[:120] if home else None
