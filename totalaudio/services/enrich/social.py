"""Social and music-platform profiles: recognised, normalised to one URL form, de-duplicated by platform+handle.

Share buttons, intents, single posts and embeds of someone else's content are not profiles and are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

RESERVED = {
    "facebook": {"sharer", "sharer.php", "share", "share.php", "dialog", "plugins", "tr", "login", "home.php",
                 "events", "watch", "photo.php", "photo", "story.php", "permalink.php", "hashtag", "help",
                 "policies", "privacy", "legal", "ads", "business", "pages", "profile.php", "groups", "l.php"},
    "instagram": {"p", "reel", "reels", "explore", "accounts", "stories", "tv", "about", "legal", "developer"},
    "twitter": {"intent", "share", "home", "search", "hashtag", "i", "login", "signup", "privacy", "tos",
                "settings", "explore", "notifications", "messages", "widgets", "widgets.js", "compose"},
    "tiktok": {"tag", "music", "discover", "embed", "legal", "about", "login"},
    "soundcloud": {"tracks", "discover", "search", "upload", "stream", "you", "charts", "pages", "player",
                   "terms-of-use", "signin"},
    "mixcloud": {"upload", "discover", "search", "categories", "widget", "live", "select", "about"},
    "threads": {"login", "search", "legal"},
    "youtube": {"watch", "embed", "results", "playlist", "shorts", "feed", "redirect", "t", "about", "iframe_api",
                "yt", "account", "premium", "live"},
    "linktree": {"s", "marketplace", "blog", "login", "register", "discover"},
    "linkedin": set(), "flickr": set(), "vimeo": {"channels", "groups", "ondemand", "video", "album"},
}
HANDLE = re.compile(r"^[A-Za-z0-9_.\-@]{1,100}$")


@dataclass(frozen=True)
class Profile:
    """One profile: platform, handle (as the site wrote it) and a canonical https URL."""

    platform: str
    handle: str
    url: str


def _host(netloc: str) -> str:
    host = netloc.lower().split("@")[-1].split(":")[0]
    for prefix in ("www.", "m.", "mobile.", "web.", "en-gb.", "en.", "business.", "open."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.split("/") if s]


def _first(platform: str, segs: list[str]) -> str | None:
    if not segs or segs[0].lower() in RESERVED.get(platform, set()):
        return None
    handle = segs[0].lstrip("@") if platform != "tiktok" else segs[0]
    return handle if HANDLE.match(handle) else None


def _facebook(segs, query):
    if segs[:1] == ["profile.php"] and "id=" in query:
        ident = re.search(r"id=(\d+)", query)
        return ("profile.php?id=" + ident.group(1)) if ident else None
    if segs[:1] == ["pages"] and len(segs) >= 2:
        return "/".join(segs[1:3])
    return _first("facebook", segs)


def _youtube(segs, query):
    if not segs:
        return None
    head = segs[0]
    if head.startswith("@"):
        return head
    if head in ("user", "c", "channel") and len(segs) >= 2:
        return f"{head}/{segs[1]}"
    return None if head in RESERVED["youtube"] else _first("youtube", segs)


def _tiktok(segs, query):
    return segs[0] if segs and segs[0].startswith("@") and len(segs[0]) > 1 else None


def _threads(segs, query):
    return segs[0] if segs and segs[0].startswith("@") else None


def _spotify(segs, query):
    # A playlist is content (often someone else's), not the station's profile; a user, artist or show is.
    if len(segs) >= 2 and segs[0] in ("user", "artist", "show"):
        return f"{segs[0]}/{segs[1]}"
    return None


def _bluesky(segs, query):
    return segs[1] if len(segs) >= 2 and segs[0] == "profile" else None


def _linkedin(segs, query):
    return f"{segs[0]}/{segs[1]}" if len(segs) >= 2 and segs[0] in ("company", "in", "school") else None


def _flickr(segs, query):
    return segs[1] if len(segs) >= 2 and segs[0] in ("photos", "people") else None


def _generic(platform):
    return lambda segs, query: _first(platform, segs)


PLATFORMS = {
    "facebook.com": ("facebook", _facebook, "https://www.facebook.com/{}"),
    "fb.com": ("facebook", _facebook, "https://www.facebook.com/{}"),
    "instagram.com": ("instagram", _generic("instagram"), "https://www.instagram.com/{}"),
    "twitter.com": ("twitter", _generic("twitter"), "https://x.com/{}"),
    "x.com": ("twitter", _generic("twitter"), "https://x.com/{}"),
    "tiktok.com": ("tiktok", _tiktok, "https://www.tiktok.com/{}"),
    "youtube.com": ("youtube", _youtube, "https://www.youtube.com/{}"),
    "soundcloud.com": ("soundcloud", _generic("soundcloud"), "https://soundcloud.com/{}"),
    "mixcloud.com": ("mixcloud", _generic("mixcloud"), "https://www.mixcloud.com/{}"),
    "spotify.com": ("spotify", _spotify, "https://open.spotify.com/{}"),
    "threads.net": ("threads", _threads, "https://www.threads.net/{}"),
    "threads.com": ("threads", _threads, "https://www.threads.net/{}"),
    "bsky.app": ("bluesky", _bluesky, "https://bsky.app/profile/{}"),
    "linkedin.com": ("linkedin", _linkedin, "https://www.linkedin.com/{}"),
    "flickr.com": ("flickr", _flickr, "https://www.flickr.com/photos/{}"),
    "vimeo.com": ("vimeo", _generic("vimeo"), "https://vimeo.com/{}"),
    "linktr.ee": ("linktree", _generic("linktree"), "https://linktr.ee/{}"),
}


def profile_from_url(url: str) -> Profile | None:
    """The profile a link points at, or None for anything that is not a profile on a known platform."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", ""):
        return None
    host = _host(parts.netloc)
    if host.endswith(".bandcamp.com") and host.count(".") == 2 and not host.startswith("daily."):
        name = host.split(".")[0]
        return Profile("bandcamp", name, f"https://{name}.bandcamp.com")
    if host == "youtu.be" or host.endswith(".youtube.com") and host != "youtube.com":
        return None
    entry = PLATFORMS.get(host)
    if entry is None:
        return None
    platform, handle_of, template = entry
    handle = handle_of(_segments(parts.path), parts.query)
    if not handle or (platform == "vimeo" and handle.isdigit()):
        return None
    return Profile(platform, handle, template.format(handle))


def dedupe(profiles) -> list[Profile]:
    """One profile per platform and case-insensitive handle, first seen kept."""
    seen: dict[tuple[str, str], Profile] = {}
    for profile in profiles:
        if profile is not None:
            seen.setdefault((profile.platform, profile.handle.lower().lstrip("@")), profile)
    return list(seen.values())
