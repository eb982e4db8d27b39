"""email.typo: an address whose domain is one slip away from a real one it was meant to be (mail to it bounces).

Targets are popular providers and broadcasters and the base's own far more frequent domains. A slip in the
name part of the domain needs a longer name (short names such as call signs are often different real domains);
a slip in a two-level country suffix ('.cp.uk', '.co.ukk', '.con.au', a dropped dot) is a typo whatever the
name's length, because the suffix it leaves is no public suffix, or the name took a piece of the suffix.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.checks import Finding, Prepared, finding
from totalaudio.services.audit.stations import station_key
from totalaudio.services.audit.urls import url_host


def typo_index(counts: Counter) -> ed.TypoIndex:
    """The domains typos aim at: popular ones and those the base uses twice or more."""
    return ed.TypoIndex(ed.POPULAR_DOMAINS | {d for d, n in counts.items() if n >= 2})


def _public_suffix(tail: str) -> bool:
    return ed.parts(f"x.{tail}")[2] == tail


def suffix_slip(domain: str, target: str) -> str | None:
    """How ``domain`` is ``target`` with a slip in its public suffix, the name intact: 'dead' when what is left
    is no public suffix ('bbc.cp.uk', 'bbc.co.ukk') or the dot after the name was dropped ('bbcco.uk'),
    'real' when it is another public suffix ('uol.com.bt'); None when the slip is elsewhere."""
    _sub, label, suffix = ed.parts(target)
    if not label or not suffix or target != f"{label}.{suffix}":
        return None
    if domain.startswith(label + "."):
        return "real" if _public_suffix(domain[len(label) + 1:]) else "dead"
    return "dead" if "." in suffix and domain == f"{label}{suffix}" else None


def targets(domain: str, counts: Counter, index: ed.TypoIndex, share: int = 4) -> list[str]:
    """The real domains ``domain`` is probably a typo of (emaildomains.typo_targets, plus suffix slips: those need
    no long name, and one that leaves no public suffix only a target used more often than itself)."""
    found = ed.typo_targets(domain, counts, index, share)
    if found or ed.is_free(domain) or ed.is_disposable(domain) or domain in ed.POPULAR_DOMAINS:
        return found
    own = counts.get(domain, 1)
    out = []
    for target in sorted(index.near(domain)):
        kind = suffix_slip(domain, target)
        need = max(2, own + 1) if kind == "dead" else max(3, share * own)
        if kind and (target in ed.POPULAR_DOMAINS or counts.get(target, 0) >= need):
            out.append(target)
    return out



def typo_findings(prepared: list[Prepared], share: int = 4) -> Iterator[Finding]:
    """email.typo, an error rather than a warning: mail to a misspelt domain bounces, so ``--check`` in cron
    must catch a new one. Not for a domain some contact's website is on: that one is real."""
    counts = Counter(p.domain for p in prepared if p.valid)
    index = typo_index(counts)
    verdicts = {d: targets(d, counts, index, share) for d in counts}
    involved = {d for d, ts in verdicts.items() if ts} | {t for ts in verdicts.values() for t in ts}
    stations = Counter((station_key(p.contact.station), p.domain) for p in prepared
                       if p.valid and p.contact.station and p.domain in involved)
    sites = _site_domains(prepared, involved)
    for p in prepared:
        found = verdicts.get(p.domain) if p.valid else None
        if not found or ed.registrable(p.domain) in sites or _other_station(p, found, stations):
            continue
        if len(found) == 1:
            yield finding(p, "email.typo", "error", "email", f"{p.domain} looks like a typo of {found[0]}",
                          f"{p.local}@{found[0]}", fixable=True)
        else:
            yield finding(p, "email.typo", "error", "email",
                          f"{p.domain} looks like a typo of one of {', '.join(found)}")


def _site_domains(prepared: list[Prepared], involved: set[str]) -> set[str]:
    """Registrable domains of the base's websites among the suspects: a domain with a website is real."""
    suspects = {ed.registrable(d) for d in involved}
    hosts = (url_host(p.contact.website) for p in prepared if p.contact.website)
    return {reg for host in hosts if host and (reg := ed.registrable(host)) in suspects}


def _other_station(p: Prepared, found: list[str], stations: Counter) -> bool:
    """A rare domain one letter from a big one is another station (radio2.be beside radio1.be) when colleagues
    share the contact's station on its own domain and nobody at the big domain names that station."""
    if not p.contact.station or any(t in ed.POPULAR_DOMAINS for t in found):
        return False
    key = station_key(p.contact.station)
    return stations[(key, p.domain)] >= 2 and not any(stations[(key, t)] for t in found)
