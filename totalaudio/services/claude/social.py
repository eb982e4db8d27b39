"""Social posts for a release, each within its network's limit, counted the way that network counts.

X: 280 weighted characters (twitter-text: a URL counts 23, an emoji 2, characters outside the Latin, general
punctuation and similar ranges 2); Bluesky: 300 graphemes; Instagram 2,200, Threads 500, Facebook 63,206 and
LinkedIn 3,000 characters as their composers count them (UTF-16 code units). A post over its limit is asked for
again once; one still over is cut at a word boundary with an ellipsis and marked ``trimmed``."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from totalaudio.services.claude.prompts import DATA_NOTE, data_block, system_blocks
from totalaudio.services.claude.structured import InvalidAnswer, ask, content_only, tool
from totalaudio.services.research.citations import URL, key

PURPOSE = "claude.social"
LIMITS = {"x": 280, "bluesky": 300, "instagram": 2200, "threads": 500, "facebook": 63206, "linkedin": 3000}
X_URL_LENGTH = 23
X_SINGLE = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
POSTS_TOOL = tool("write_posts", "One post per network asked for.", {
    "type": "object", "required": ["posts"],
    "properties": {"posts": {"type": "array", "minItems": 1, "maxItems": 6, "items": {
        "type": "object", "required": ["network", "text"],
        "properties": {"network": {"type": "string", "enum": list(LIMITS)}, "text": {"type": "string",
                                                                                     "maxLength": 70000}}}}}})


def graphemes(text: str) -> list[str]:
    """User-perceived characters: combining marks, variation selectors, skin tones and ZWJ sequences join the
    character before; a pair of regional indicators is one flag."""
    clusters: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        code = ord(ch)
        joins = (unicodedata.combining(ch) or 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or code == 0x200D
                 or (clusters and clusters[-1].endswith("\u200d")))
        flag = 0x1F1E6 <= code <= 0x1F1FF and clusters and len(clusters[-1]) == 1 and 0x1F1E6 <= ord(clusters[-1]) <= 0x1F1FF
        if clusters and (joins or flag):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _x_weight(cluster: str) -> int:
    code = ord(cluster[0])
    if len(cluster) > 1 or unicodedata.category(cluster[0]) == "So":
        return 2  # an emoji (sequence) counts 2
    return 1 if any(lo <= code <= hi for lo, hi in X_SINGLE) else 2


def length(network: str, text: str) -> int:
    """The length of a post as that network counts it."""
    if network == "x":
        without = URL.sub("", text)
        return len(URL.findall(text)) * X_URL_LENGTH + sum(_x_weight(c) for c in graphemes(without))
    if network == "bluesky":
        return len(graphemes(text))
    return len(text.encode("utf-16-le")) // 2


def trim(network: str, text: str) -> str:
    """The post cut at a word boundary with an ellipsis so that it fits."""
    limit = LIMITS[network]
    words = text.split(" ")
    while words and length(network, " ".join(words) + "…") > limit:
        words.pop()
    return (" ".join(words) + "…") if words else text[: max(1, limit // 2)]


def problems(value: dict[str, Any], networks: list[str], allowed: set[str]) -> list[str]:
    """Missing networks, posts over their limit, and links that are not the release's own."""
    posts = {p["network"]: p["text"] for p in value["posts"]}
    out = [f"no post for {n}" for n in networks if n not in posts]
    out += [f"the {n} post is {length(n, t)} long; the limit is {LIMITS[n]}" for n, t in posts.items()
            if n in LIMITS and length(n, t) > LIMITS[n]]
    out += [f"the link {u} is not the release's own: leave it out" for t in posts.values() for u in URL.findall(t)
            if key(u) not in allowed]
    return out


def template(release: str, networks: list[str]) -> dict[str, str]:
    """Posts from the release's first lines (no model)."""
    lines = [ln.strip() for ln in release.strip().splitlines() if ln.strip()]
    text = " ".join(lines[:2]) if lines else "New music out now."
    return {n: text if length(n, text) <= LIMITS[n] else trim(n, text) for n in networks}


def posts(session: Any, release: str, networks: list[str]) -> dict[str, Any]:
    """One post per network: Claude's (checked, asked again once) or the template's, each within its limit."""
    allowed = {key(u) for u in URL.findall(release)}
    if session is None:
        texts, source = template(release, networks), "template"
    else:
        task = (f"Write one social post for each of these networks: {', '.join(networks)}, each within its limit "
                f"({', '.join(f'{n} {LIMITS[n]}' for n in networks)}). " + DATA_NOTE)
        try:
            value, _n = ask(session, PURPOSE, system=system_blocks(task), max_tokens=2000,
                            prompt=data_block("release", release), spec=POSTS_TOOL,
                            check=lambda v: problems(v, networks, allowed))
            texts, source = {p["network"]: p["text"] for p in value["posts"] if p["network"] in networks}, "claude"
        except InvalidAnswer as exc:
            content_only(exc)
            texts, source = template(release, networks), "template"
    return {"source": source, "posts": [_post(n, texts.get(n, "")) for n in networks]}


def _post(network: str, text: str) -> dict[str, Any]:
    text = strip_controls(text)
    fits = length(network, text) <= LIMITS[network]
    final = text if fits else trim(network, text)
    return {"network": network, "text": final, "length": length(network, final), "limit": LIMITS[network],
            "trimmed": not fits}


def networks_from(raw: str | None) -> list[str]:
    """The networks asked for (comma-separated), all of them by default; ValueError names an unknown one."""
    if not raw:
        return list(LIMITS)
    chosen = [n.strip().lower() for n in raw.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in LIMITS]
    if unknown:
        raise ValueError(f"unknown network(s) {', '.join(unknown)}; use {', '.join(LIMITS)}")
    return chosen


def strip_controls(text: str) -> str:
    """A post without control characters (other than newlines)."""
    return re.sub(r"[\x00-\x09\x0b-\x1f\x7f]", "", text)
