"""The audit checks that look across contacts: exact duplicates, status conflicts, typo'd domains, station spellings.

Every one groups by a key (an address, a domain, a station key) in one pass: nothing compares all pairs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable, Iterator

from totalaudio.models import INACTIVE_STATUSES, Contact
from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.checks import Finding, Prepared, finding, short
from totalaudio.services.audit.urls import url_host

STATION_STOP = frozenset({"the", "radio", "fm", "mhz", "dab", "online", "station", "community"})
_TOKENS = re.compile(r"[^\W_]+")
_FREQUENCY = re.compile(r"\d+[.,]\d+|\b\d{2,3}(?:[.,]\d)?\s*(?:fm|mhz)\b")
STATION_LINK_MIN = 5
BAD_EVENTS = {"unsubscribe": "unsubscribed", "bounce_hard": "bounced", "abuse": "reported as abuse",
              "mailchimp:unsubscribed": "unsubscribed", "mailchimp:cleaned": "cleaned (bounced)"}
EVENT_STATUS = {"unsubscribe": "unsubscribed", "bounce_hard": "bounced", "abuse": "do-not-contact",
                "mailchimp:unsubscribed": "unsubscribed", "mailchimp:cleaned": "cleaned"}
BAD_WORDS = ("unsubscribed", "bounced", "do-not-contact", "do not contact", "cleaned", "opted out", "opted-out",
             "asked to be removed", "remove from list", "hard bounce")
_STATUS_KEY = re.compile(r"status|subscri|bounce|mailchimp|opt", re.I)
# 'bounced' flags a note only about mail ('emails bounced', 'bounced.', 'bounced twice'), not 'bounced ideas off'.
_NOTE_FLAG = re.compile(r"\b(unsubscribed|(?:e-?mails?|address|messages?|newsletters?)\s+(?:ha(?:s|ve)\s+)?"
                        r"bounced|bounced(?=\s*(?:$|[.,;:!)]|\s(?:e-?mails?|mail|back|again|twice|every|on|from)\b))|"
                        r"do.not.contact|opted.out|asked to be removed|remove from (?:the )?list|hard.bounced?)\b", re.I)
COMPLETENESS = ("first_name", "last_name", "station", "show", "contact_type", "region", "genres", "website",
                "notes", "tags", "phone", "last_email_date", "airtable_id")


def completeness(contact: Contact) -> int:
    """How many of a contact's descriptive fields are filled."""
    return sum(1 for name in COMPLETENESS if getattr(contact, name) not in (None, "", ()))


def pick_keeper(contacts: list[Contact]) -> Contact:
    """The record to keep among exact duplicates: the most complete, then the newest (ties broken by id)."""
    return max(contacts, key=lambda c: (completeness(c), c.updated_at or "", c.created_at or "", c.id))


def exact_groups(prepared: Iterable[Prepared]) -> list[list[Prepared]]:
    """Groups of two or more contacts sharing a normalised address."""
    groups: dict[str, list[Prepared]] = defaultdict(list)
    for p in prepared:
        if p.key:
            groups[p.key].append(p)
    return [g for g in groups.values() if len(g) > 1]


def duplicate_findings(groups: list[list[Prepared]]) -> Iterator[Finding]:
    """duplicate.exact on every record of a group but its keeper."""
    for group in groups:
        keeper = pick_keeper([p.contact for p in group])
        for p in group:
            if p.contact.id != keeper.id:
                yield finding(p, "duplicate.exact", "warning", "email",
                              f"same address as {keeper.id} ({len(group)} records)",
                              f"merge into {keeper.id}", fixable=True, related=(keeper.id,))


def active(contact: Contact) -> bool:
    """The contact would still be emailed (its status is not an inactive one)."""
    return (contact.status or "").lower() not in INACTIVE_STATUSES


def status_findings(groups: list[list[Prepared]], prepared: list[Prepared],
                    events: dict[str, str]) -> Iterator[Finding]:
    """status.conflict: inactive on a twin record, in the event log or in its own fields, yet active here."""
    for group in groups:
        inactive = [p for p in group if not active(p.contact)]
        for p in group:
            if inactive and active(p.contact):
                other = inactive[0].contact
                yield finding(p, "status.conflict", "error", "status",
                              f"{other.status} on {other.id} but {p.contact.status or 'no status'} here",
                              other.status, related=(other.id,))
    for p in prepared:
        if not active(p.contact):
            continue
        if p.key in events:
            kind = events[p.key]
            where = "Mailchimp" if kind.startswith("mailchimp") else "event log"
            yield finding(p, "status.conflict", "error", "status", f"{BAD_EVENTS.get(kind, kind)} ({where}) but "
                          f"{p.contact.status or 'no status'} here", EVENT_STATUS.get(kind))
        elif flag := _own_flag(p.contact):
            where, word = flag
            yield finding(p, "status.conflict", "warning", "status",
                          f"marked {word!r} in its {where} but {p.contact.status or 'no status'} here")


def _own_flag(contact: Contact) -> tuple[str, str] | None:
    """(where, word) when the contact's own fields say it must not be emailed."""
    texts = [("reply status", contact.reply_status or "")] + [("tags", t) for t in contact.tags]
    texts += [(k, v) for k, v in contact.extra.items() if isinstance(v, str) and _STATUS_KEY.search(k)]
    if contact.notes and (m := _NOTE_FLAG.search(contact.notes)):
        return "notes", m.group(1).lower()
    for where, text in texts:
        low = text.lower()
        if word := next((w for w in BAD_WORDS if w in low), None):
            return where, word
    return None


def typo_findings(prepared: list[Prepared], share: int = 4) -> Iterator[Finding]:
    """email.typo: a domain one slip away from a popular one or from one the base uses far more often.

    An error, not a warning: mail to a misspelt domain bounces, so ``--check`` in cron must catch a new one."""
    counts = Counter(p.domain for p in prepared if p.valid)
    index = ed.TypoIndex(ed.POPULAR_DOMAINS | {d for d, n in counts.items() if n >= 3})
    verdicts = {d: ed.typo_targets(d, counts, index, share) for d in counts}
    involved = {d for d, targets in verdicts.items() if targets} | {t for ts in verdicts.values() for t in ts}
    stations = Counter((station_key(p.contact.station), p.domain) for p in prepared
                       if p.valid and p.contact.station and p.domain in involved)
    for p in prepared:
        targets = verdicts.get(p.domain) if p.valid else None
        if not targets or _own_site(p) or _other_station(p, targets, stations):
            continue
        if len(targets) == 1:
            yield finding(p, "email.typo", "error", "email", f"{p.domain} looks like a typo of {targets[0]}",
                          f"{p.local}@{targets[0]}", fixable=True)
        else:
            yield finding(p, "email.typo", "error", "email",
                          f"{p.domain} looks like a typo of one of {', '.join(targets)}")


def _other_station(p: Prepared, targets: list[str], stations: Counter) -> bool:
    """A rare domain one letter from a big one is another station (radio2.be beside radio1.be) when colleagues
    share the contact's station on its own domain and nobody at the big domain names that station."""
    if not p.contact.station or any(t in ed.POPULAR_DOMAINS for t in targets):
        return False
    key = station_key(p.contact.station)
    return stations[(key, p.domain)] >= 2 and not any(stations[(key, t)] for t in targets)


def _own_site(p: Prepared) -> bool:
    host = url_host(p.contact.website)
    return bool(host) and ed.registrable(host) == ed.registrable(p.domain)


@lru_cache(maxsize=200_000)
def station_key(name: str) -> str:
    """A station name reduced to what identifies it: 'Storm 106.2 FM' and 'StormFM' -> 'storm'.

    A name made only of generic words ('Radio 98.4', 'Rádio FM') keeps all of them, frequency included."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    every = _TOKENS.findall(text)
    tokens = _TOKENS.findall(_FREQUENCY.sub(" ", text))
    kept = [t for t in tokens if t not in STATION_STOP]
    if not kept:
        return "".join(every)
    key = "".join(kept)
    if len(unglued := key.replace("radio", "")) >= 2:  # 'KioskRadio', 'BBCRadio1': the word glued to others
        key = unglued
    for stop in ("radio", "fm"):
        if key.endswith(stop) and len(key) > len(stop) + 2:
            key = key[: -len(stop)]
    return key


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


def _by_site(members: list[Prepared]) -> list[list[Prepared]]:
    """One spelling key on two unrelated sites is two stations (Maximum FM in two countries); a contact
    without a site joins the group that uses its exact spelling, else the largest group."""
    sites: dict[str, list[Prepared]] = defaultdict(list)
    loose = []
    for p in members:
        site = _site(p)
        (sites[site] if site else loose).append(p)
    if len(sites) <= 1:
        return [members]
    groups = sorted(sites.values(), key=len, reverse=True)
    spelt = {p.contact.station: i for i in reversed(range(len(groups))) for p in groups[i]}
    for p in loose:
        groups[spelt.get(p.contact.station, 0)].append(p)
    return groups


def canonical_spelling(spellings: Counter) -> str:
    """The spelling to suggest: the most used, then trimmed, mixed case, more words."""
    def rank(s: str):
        return (spellings[s], s == s.strip(), not (s.isupper() or s.islower()), len(s.split()), s)
    return max(spellings, key=rank)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def station_findings(prepared: list[Prepared]) -> Iterator[Finding]:
    """station.inconsistent: one station spelled several ways; the suggestion is the most used spelling."""
    by_key: dict[str, list[Prepared]] = defaultdict(list)
    for p in prepared:
        if p.contact.station and p.contact.station.strip():
            by_key[station_key(p.contact.station)].append(p)
    union = _link_keys((k for k in by_key if len(k) >= 2), _station_domains(prepared))
    clusters: dict[str, list[Prepared]] = defaultdict(list)
    for key, members in by_key.items():
        clusters[union.find(key) if len(key) >= 2 else key].extend(members)
    for members in (group for cluster in clusters.values() for group in _by_site(cluster)):
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
