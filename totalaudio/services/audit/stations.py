"""station.inconsistent: one station spelled several ways, found by keys rather than by comparing all pairs.

A spelling has two keys: its core (band words, frequencies, 'the', '&'/'and' removed: 'Warm 98 FM' and
'Warm 98' -> 'warm') and its collapsed form (every letter and digit, spacing and punctuation gone:
'EasternFM3ECB' and 'Eastern FM 3ECB' -> 'easternfm3ecb'); spellings sharing either key are one cluster. A
cluster is split again where its spellings name different bands or frequencies ('Rádio MEC AM' and 'Rádio MEC
FM', 'Energy 98' and 'Energy 103' are two stations each) and where its contacts work on unrelated sites (one
name in two countries).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable, Iterator

from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.checks import Finding, Prepared, finding, short
from totalaudio.services.audit.urls import url_host

# Words that say how a station broadcasts rather than which it is; '&', 'and' and "'n'" join words.
BAND_WORDS = frozenset({"fm", "am", "mhz", "khz", "mw", "dab", "hd", "webradio"})
STATION_STOP = BAND_WORDS | {"the", "radio", "online", "station", "community", "and", "n"}
_TOKENS = re.compile(r"[^\W_]+")
# A frequency: a number in the FM band (87-108 MHz, decimals optional) standing alone or with its band ('Warm 98',
# '96.5FM'), or an AM one with its band ('1053 AM'); not "90s" or "90's", 'Radio 1', 'Radio 24', 'Radio 538'.
_FM = r"(?:8[7-9]|9\d|10[0-8])(?:[.,]\d{1,2})?"
_FREQUENCY = re.compile(rf"(?<![\w.,]){_FM}(?:\s*(?:fm|mhz))?(?![\w.,'’])|(?<![\w.,]){_FM}\s*(?:fm|mhz)\b|"
                        r"\b\d{3,4}\s*(?:am|khz|mw)\b")
STATION_LINK_MIN = 5


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def station_key(name: str) -> str:
    """A station name reduced to what identifies it: 'Storm 106.2 FM', 'StormFM' and 'Storm 98' -> 'storm'.

    A name made only of generic words ('Radio 98.4', 'Rádio FM') keeps them, frequency included, band words not."""
    text = _plain(name)
    every = _TOKENS.findall(text)
    kept = [t for t in _TOKENS.findall(_FREQUENCY.sub(" ", text)) if t not in STATION_STOP]
    if not kept:
        return "".join(t for t in every if t not in BAND_WORDS) or "".join(every)
    key = "".join(kept)
    if len(unglued := key.replace("radio", "")) >= 2:  # 'KioskRadio', 'BBCRadio1': the word glued to others
        key = unglued
    for stop in ("radio", "fm"):
        if key.endswith(stop) and len(key) > len(stop) + 2:
            key = key[: -len(stop)]
    return key


@lru_cache(maxsize=200_000)
def collapsed_key(name: str) -> str:
    """Every letter and digit of a name but a band word at its end: spacing and punctuation do not tell stations
    apart ('EasternFM3ECB', 'Eastern FM 3ECB'; 'Coast96.5FM', 'Coast 96.5')."""
    text = "".join(_TOKENS.findall(_plain(name)))
    for word in ("fm", "am", "dab", "mhz", "radio"):
        if text.endswith(word) and len(text) >= len(word) + 3:
            return text[: -len(word)]
    return text


@lru_cache(maxsize=200_000)
def frequencies(name: str) -> frozenset[str]:
    """The frequencies a name states ('Rádio Clube 104.7 FM 690 AM' -> {'104.7', '690'})."""
    found = (re.match(r"\d+(?:[.,]\d+)?", m.group(0)) for m in _FREQUENCY.finditer(_plain(name)))
    return frozenset(m.group(0).replace(",", ".") for m in found if m)


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        """The representative of x's set."""
        while self.parent.setdefault(x, x) != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        """Merge the sets of a and b."""
        self.parent[self.find(a)] = self.find(b)


def _station_domains(prepared: list[Prepared]) -> dict[str, set[str]]:
    domains: dict[str, set[str]] = defaultdict(set)
    for p in prepared:
        if p.contact.station and p.valid and not ed.is_free(p.domain):
            domains[station_key(p.contact.station)].add(ed.registrable(p.domain))
    return domains


def _link_keys(keys: Iterable[str], domains: dict[str, set[str]]) -> _Union:
    """Join keys where one ends another ('6music' in 'bbc6music': a network name dropped) and both are used at
    one domain. A key that starts another is a sibling channel ('Rinse' and 'Rinse France', 'Klara' and 'Klara
    Continuo'), not a spelling, so prefixes do not join."""
    union = _Union()
    pieces: dict[str, set[str]] = defaultdict(set)
    keys = list(keys)
    for key in keys:
        union.find(key)
        for cut in range(STATION_LINK_MIN, len(key)):
            pieces[key[-cut:]].add(key)
    for key in keys:
        for longer in pieces.get(key, ()):
            if domains.get(key, set()) & domains.get(longer, set()):
                union.join(key, longer)
    return union


def _site(p: Prepared) -> str | None:
    """Where a contact works: its website's domain, else its non-free email domain."""
    host = url_host(p.contact.website)
    if host and ed.parts(host)[2]:
        return ed.registrable(host)
    usable = p.valid and not ed.is_free(p.domain) and not ed.is_disposable(p.domain)
    return ed.registrable(p.domain) if usable else None


def _split(members: list[Prepared], key_of) -> list[list[Prepared]]:
    """Members apart by ``key_of`` (a site, a frequency); one without a key joins the group that uses its exact
    spelling, else the largest group."""
    keyed: dict[str, list[Prepared]] = defaultdict(list)
    loose = []
    for p in members:
        key = key_of(p)
        (keyed[key] if key else loose).append(p)
    if len(keyed) <= 1:
        return [members]
    groups = sorted(keyed.values(), key=len, reverse=True)
    spelt = {p.contact.station: i for i in reversed(range(len(groups))) for p in groups[i]}
    for p in loose:
        groups[spelt.get(p.contact.station, 0)].append(p)
    return groups


@lru_cache(maxsize=200_000)
def band(name: str) -> str | None:
    """'am' or 'fm' when a name states one band ('Rádio MEC AM' and 'Rádio MEC FM' are two stations)."""
    tokens = set(_TOKENS.findall(_plain(name)))
    am, fm = bool(tokens & {"am", "khz", "mw"}), bool(tokens & {"fm", "mhz"})
    return "am" if am and not fm else "fm" if fm and not am else None


def _by_frequency(members: list[Prepared]) -> list[list[Prepared]]:
    """'Energy 98' and 'Energy 103' are two stations; 'Warm' and 'Warm 98 FM' one (a name without a frequency
    goes with the others); names stating a frequency in common stay together."""
    union = _Union()
    for p in members:
        found = sorted(frequencies(p.contact.station))
        for f in found[1:]:
            union.join(found[0], f)
    return _split(members, lambda p: union.find(min(frequencies(p.contact.station), default="")) or None)


def canonical_spelling(spellings: Counter) -> str:
    """The spelling to suggest: the most used, then trimmed, mixed case, more words."""
    def rank(s: str):
        return (spellings[s], s == s.strip(), not (s.isupper() or s.islower()), len(s.split()), s)
    return max(spellings, key=rank)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _clusters(prepared: list[Prepared]) -> list[list[Prepared]]:
    """Contacts whose station spellings share a core or collapsed key (or a core key ends another's at a shared
    domain), then apart by frequency and by site; only clusters with two spellings or more."""
    by_key: dict[str, list[Prepared]] = defaultdict(list)
    for p in prepared:
        if p.contact.station and p.contact.station.strip():
            by_key[station_key(p.contact.station)].append(p)
    union = _link_keys(by_key, _station_domains(prepared))
    for key, members in by_key.items():
        for spelling in {p.contact.station for p in members}:
            union.join(key, "\0" + collapsed_key(spelling))
    clusters: dict[str, list[Prepared]] = defaultdict(list)
    for key, members in by_key.items():
        clusters[union.find(key)].extend(members)
    spelt = [c for c in clusters.values() if len({p.contact.station for p in c}) > 1]  # one spelling: nothing to say
    return [site for cluster in spelt for on_band in _split(cluster, lambda p: band(p.contact.station))
            for dial in _by_frequency(on_band) for site in _split(dial, _site)]


def station_findings(prepared: list[Prepared]) -> Iterator[Finding]:
    """station.inconsistent: one station spelled several ways; the suggestion is the most used spelling."""
    for members in _clusters(prepared):
        spellings = Counter(p.contact.station for p in members)
        if len(spellings) < 2:
            continue
        best = canonical_spelling(spellings)
        for p in members:
            spelt = p.contact.station
            if spelt != best:
                yield finding(p, "station.inconsistent", "warning", "station",
                              f"{short(spelt, 50)!r} is spelled {best!r} on {spellings[best]} other records",
                              best, fixable=_fold(spelt) == _fold(best))
