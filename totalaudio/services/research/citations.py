"""Sources a reader can click: only the URLs the API returned (``search_results``, ``citations``) are kept; a URL
the model wrote that the API did not return is removed from the text and listed in ``droppedUrls``."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`]+", re.I)
REF = re.compile(r"\[(\d{1,3})\]")
REMOVED = "[unverified link removed]"


def key(url: str) -> str:
    """A URL compared loosely: scheme and host case, a trailing slash and a fragment do not matter."""
    url = url.strip().rstrip(".,;:!?")
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}{'?' + parts.query if parts.query else ''}"


def returned(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The citations the API returned, in its order: search results (url, title, date) then bare citation URLs."""
    out: dict[str, dict[str, Any]] = {}
    for r in answer.get("searchResults", []):
        url = r.get("url")
        if isinstance(url, str) and URL.fullmatch(url.strip()):
            out.setdefault(key(url), {"url": url.strip(), "title": _str(r.get("title")), "date": _str(r.get("date"))})
    for url in answer.get("citations", []):
        if URL.fullmatch(url.strip()):
            out.setdefault(key(url), {"url": url.strip(), "title": None, "date": None})
    return list(out.values())


def _str(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) and value.strip() else None


def parse_json(text: str) -> dict[str, Any]:
    """The answer as an object: JSON (fenced or not), else the text as the summary."""
    stripped = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text or "")
    try:
        data = json.loads(stripped)
    except ValueError:
        return {"summary": text or "", "claims": []}
    return data if isinstance(data, dict) else {"summary": text or "", "claims": []}


class Sources:
    """Checks URLs against what the API returned, collecting the ones it drops."""

    def __init__(self, citations: list[dict[str, Any]]) -> None:
        self.citations = citations
        self.by_key = {key(c["url"]): c for c in citations}
        self.dropped: list[str] = []

    def clean_text(self, value: Any) -> str:
        """Text with every URL the API did not return removed (and noted)."""
        text = value if isinstance(value, str) else ""
        def swap(m: re.Match[str]) -> str:
            if key(m.group(0)) in self.by_key:
                return m.group(0)
            self.dropped.append(m.group(0))
            return REMOVED
        return URL.sub(swap, text)[:5000]

    def sources(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        """The returned citations an item names (by URL or by [n] in its text); others are dropped."""
        found: dict[str, dict[str, Any]] = {}
        raw = item.get("sources")
        for url in raw if isinstance(raw, list) else []:
            if isinstance(url, str) and key(url) in self.by_key:
                found.setdefault(key(url), self.by_key[key(url)])
            elif isinstance(url, str):
                self.dropped.append(url[:500])
            elif isinstance(url, int) and not isinstance(url, bool) and 1 <= url <= len(self.citations):
                found.setdefault(key(self.citations[url - 1]["url"]), self.citations[url - 1])
        for n in REF.findall(item.get("text") if isinstance(item.get("text"), str) else ""):
            if 1 <= int(n) <= len(self.citations):
                found.setdefault(key(self.citations[int(n) - 1]["url"]), self.citations[int(n) - 1])
        return list(found.values())
