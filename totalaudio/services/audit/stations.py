"""station.inconsistent: one station spelled several ways, found by keys rather than by comparing all pairs.

A spelling has two keys: its core (band words, frequencies, 'the', '&'/'and' removed: 'Warm 98 FM' and
'Warm 98' -> 'warm') and its collapsed form (every letter and digit, spacing and punctuation gone:
'EasternFM3ECB' and 'Eastern FM 3ECB' -> 'easternfm3ecb'); spellings sharing either key are one cluster. A
cluster is split again where its spellings name different bands or frequencies ('Rádio MEC AM' and 'Rádio MEC
FM', 'Energy 98' and 'Energy 103' are two stations each) and where its contacts work on unrelated sites (one
name in two countries). A band or frequency splits a cluster only when most of its records state one: where
most name none ('Radio Relativa' three times), the odd 'Radio Relativa AM' and 'Radio Relativa FM' are slips of
it, not two stations. Where two spellings are used equally often, the one the station's own domain spells
('WFMT' at wfmt.com, not 'WFMT 104.5') is suggested.
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


def _link_keys(keys: dict[str, list[Prepared]], domains: dict[str, set[str]]) -> _Union:
    """Join keys where one ends another, both are used at one domain, and the words before it name the network:
    the domain's own name ('6 Music' and 'BBC 6Music' at bbc.co.uk) or an owner set off by a dash ('Klara' and
    'VRT - Klara'). Another word in front names another channel ('Off Radio Kraków' beside 'Radio Kraków' at
    radiokrakow.pl). A key that starts another is a sibling channel ('Rinse' and 'Rinse France', 'Klara' and
    'Klara Continuo'), not a spelling, so prefixes do not join."""
    union = _Union()
    pieces: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        union.find(key)
        for cut in range(STATION_LINK_MIN, len(key)):
            pieces[key[-cut:]].add(key)
    for key in keys:
        for longer in pieces.get(key, ()):
            shared = domains.get(key, set()) & domains.get(longer, set())
            head = longer[: -len(key)]
            if shared and (any(_network(head, d) for d in shared) or
                           any(_owner(p.contact.station) == head for p in keys[longer])):
                union.join(key, longer)
    return union


_OWNER = re.compile(r"^(.+?)\s+[-–—:|/]\s+\S")


def _owner(spelling: str) -> str | None:
    """The owner in front of a dash ('VRT - Klara' -> 'vrt'), or None."""
    match = _OWNER.match(spelling)
    return _alnum(match.group(1)) if match else None


def _network(head: str, domain: str) -> bool:
    """``head`` (the words a longer key has in front) is the name of the network at ``domain`` ('bbc' at
    bbc.co.uk)."""
    label = _alnum(ed.parts(domain)[1])
    return bool(label) and (head in label or label in head)


def _alnum(text: str) -> str:
    return "".join(_TOKENS.findall(_plain(text)))


def _sites(p: Prepared, mistyped: frozenset[str]) -> list[str]:
    """Where a contact works: its website's domain and its email domain (unless free, disposable or a typo of
    another domain: 'hotnmail.com' is nobody's workplace)."""
    out = []
    host = url_host(p.contact.website)
    if host and ed.parts(host)[2]:
        out.append(ed.registrable(host))
    if p.valid and not ed.is_free(p.domain) and not ed.is_disposable(p.domain) and p.contact.id not in mistyped:
        out.append(ed.registrable(p.domain))
    return out


def _by_site(members: list[Prepared], mistyped: frozenset[str]) -> list[list[Prepared]]:
    """Members apart where their sites are unrelated: a contact whose website and email domain differ links the
    two ('CineMix' at cinemix.us with a website elsewhere is still CineMix)."""
    union = _Union()
    sites = {id(p): _sites(p, mistyped) for p in members}
    for found in sites.values():
        for other in found[1:]:
            union.join(found[0], other)
    return _split(members, lambda p: union.find(sites[id(p)][0]) if sites[id(p)] else None)


def _split(members: list[Prepared], key_of, stated: bool = False) -> list[list[Prepared]]:
    """Members apart by ``key_of`` (a site, a band, a frequency); one without a key joins the group that uses its
    exact spelling, else the largest group. ``stated``: the key is something a name may leave unsaid (a band, a
    frequency); where most members leave it unsaid, those that say it are slips and nothing splits."""
    keyed: dict[str, list[Prepared]] = defaultdict(list)
    loose = []
    for p in members:
        key = key_of(p)
        (keyed[key] if key else loose).append(p)
    if len(keyed) <= 1 or (stated and 2 * len(loose) > len(members)):
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
    return _split(members, lambda p: union.find(min(frequencies(p.contact.station), default="")) or None, True)


def canonical_spelling(spellings: Counter, domains: Iterable[str] = ()) -> str:
    """The spelling to suggest: the most used, then the one its station's own domain spells ('WFMT' at
    wfmt.com, 'Nightshift Alternativ' at nightshift-alternativ.de), trimmed, mixed case, more words."""
    labels = {_alnum(ed.parts(d)[1]) for d in domains}

    def rank(s: str):
        return (spellings[s], _alnum(s) in labels, s == s.strip(), not (s.isupper() or s.islower()),
                len(s.split()), s)
    return max(spellings, key=rank)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _clusters(prepared: list[Prepared], mistyped: frozenset[str]) -> list[list[Prepared]]:
    """Contacts whose station spellings share a core or collapsed key (or a core key ends another's at a shared
    domain), then apart by band, frequency and site; only clusters with two spellings or more."""
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
    return [site for cluster in spelt for on_band in _split(cluster, lambda p: band(p.contact.station), True)
            for dial in _by_frequency(on_band) for site in _by_site(dial, mistyped)]


def station_findings(prepared: list[Prepared], mistyped: Iterable[str] = ()) -> Iterator[Finding]:
    """station.inconsistent: one station spelled several ways; the suggestion is the most used spelling.
    ``mistyped``: ids of contacts whose email domain is a typo (email.typo), no evidence of where they work."""
    mistyped = frozenset(mistyped)
    for members in _clusters(prepared, mistyped):
        spellings = Counter(p.contact.station for p in members)
        if len(spellings) < 2:
            continue
        best = canonical_spelling(spellings, {s for p in members for s in _sites(p, mistyped)})
        for p in members:
            spelt = p.contact.station
            if spelt != best:
                yield finding(p, "station.inconsistent", "warning", "station",
                              f"{short(spelt, 50)!r} is spelled {best!r} on {spellings[best]} other records",
                              best, fixable=_fold(spelt) == _fold(best))
