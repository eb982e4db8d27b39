"""``tap airtable domains``: who is behind each registrable email domain, and station proposals from it.

Per domain: the contacts, a class (free-mail, disposable, broadcaster, organisation), the stations seen on it,
whether the websites agree, the MX provider (with a DnsChecker), and flags. A contact without a station gets a
proposal from its domain: the station most used there, with confidence ``share * n / (n + 1)`` where ``n``
contacts on the domain name a station and ``share`` of them name that one; a broadcaster domain nobody names
gets a name read from the domain at confidence 0.4. ``apply_proposals`` writes those at or above a threshold.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from totalaudio.models import Contact
from totalaudio.services.contacts import emaildomains as ed
from totalaudio.services.audit.checks import HOSTING
from totalaudio.services.audit.stations import canonical_spelling, station_key
from totalaudio.services.audit.typos import targets as typo_targets, typo_index
from totalaudio.services.audit.urls import url_host

DEFAULT_MIN_CONFIDENCE = 0.7
LABEL_CONFIDENCE = 0.4
MANY_STATIONS = 3
_NAME_WORDS = ("radio", "fm", "sound", "wave", "beats", "online", "community", "music")


@dataclass(frozen=True)
class DomainContact:
    """A contact as listed under its domain."""

    id: str
    email: str
    name: str
    station: str | None


@dataclass(frozen=True)
class DomainInfo:
    """One registrable email domain of the base."""

    domain: str
    count: int
    domain_class: str
    contacts: tuple[DomainContact, ...]
    stations: dict[str, int]
    website_domains: tuple[str, ...]
    website_agrees: bool | None
    bounces: int
    flags: tuple[str, ...]
    mx_status: str | None = None
    mx_provider: str | None = None


@dataclass(frozen=True)
class StationProposal:
    """A station proposed for a contact that has none, from its email domain."""

    contact_id: str
    email: str
    domain: str
    station: str
    confidence: float
    reason: str


@dataclass(frozen=True)
class DomainsReport:
    """The result of ``tap airtable domains``."""

    contacts: int
    domains: tuple[DomainInfo, ...]
    by_class: dict[str, int]
    proposals: tuple[StationProposal, ...]
    min_confidence: float
    applied: int = 0
    dry_run: bool = False
    run_id: str | None = None


def _group(contacts: Iterable[Contact]) -> dict[str, list[Contact]]:
    groups: dict[str, list[Contact]] = defaultdict(list)
    for c in contacts:
        address = ed.clean_email(c.email)
        if ed.syntax_error(address) is None:
            groups[ed.registrable(ed.split_email(address)[1])].append(c)
    return groups


def _websites(members: list[Contact]) -> tuple[str, ...]:
    hosts = (url_host(c.website) for c in members if c.website)
    regs = {ed.registrable(h) for h in hosts if h and ed.parts(h)[2]}
    return tuple(sorted(r for r in regs if r not in HOSTING))


def _agrees(domain: str, websites: tuple[str, ...], klass: str) -> bool | None:
    if klass in ("free-mail", "disposable") or not websites:
        return None
    label = ed.parts(domain)[1]
    return all(w == domain or label in ed.parts(w)[1] or ed.parts(w)[1] in label for w in websites)


def _bounced(c: Contact, bounced: set[str]) -> bool:
    return (c.status or "").lower() in ("bounced", "cleaned") or ed.email_key(c.email) in bounced


def describe(domain: str, members: list[Contact], bounced: set[str], dns: Any = None,
             typo_of: str | None = None) -> DomainInfo:
    """The DomainInfo of one domain's contacts; a typo'd domain takes the class of the domain it misspells."""
    radio = sum(1 for c in members if (c.contact_type or "").lower() in ("radio", "tv"))
    typed = sum(1 for c in members if c.contact_type)
    klass = ed.domain_class(typo_of or domain, radio / typed if typed else None)
    stations = Counter(c.station.strip() for c in members if c.station and c.station.strip())
    websites = _websites(members)
    agrees = _agrees(domain, websites, klass)
    bounces = sum(1 for c in members if _bounced(c, bounced))
    keys = {station_key(s) for s in stations}
    flags = [f for f, on in (("bounces", bounces > 0), ("disposable", klass == "disposable"),
                             ("many-stations", len(keys) >= MANY_STATIONS and klass != "free-mail"),
                             ("website-disagrees", agrees is False)) if on]
    if typo_of:
        flags.append(f"typo-of:{typo_of}")
    verdict = dns.get(domain) if dns else None
    if verdict is not None and verdict.status == "invalid":
        flags.append("no-mail-server")
    contacts = tuple(DomainContact(c.id, c.email, c.name, c.station) for c in members)
    return DomainInfo(domain, len(members), klass, contacts, dict(stations.most_common()), websites, agrees,
                      bounces, tuple(flags), verdict.status if verdict else None,
                      verdict.provider if verdict else None)


def label_name(domain: str) -> str:
    """A station name read from a domain: 'corribradio.ie' -> 'Corrib Radio', 'wqbn.org' -> 'WQBN'."""
    label = ed.parts(domain)[1] or domain.split(".")[0]
    if re.fullmatch(r"[kwc][a-z]{2,3}", label):
        return label.upper()
    words = re.sub("(" + "|".join(_NAME_WORDS) + ")$", r" \1", label).replace("-", " ").split()
    return " ".join("FM" if w == "fm" else w.capitalize() for w in words)


def propose(info: DomainInfo, members: list[Contact]) -> list[StationProposal]:
    """Stations for the domain's contacts that have none."""
    if info.domain_class in ("free-mail", "disposable"):
        return []
    missing = [c for c in members if not (c.station and c.station.strip())]
    if not missing:
        return []
    by_key: dict[str, Counter] = defaultdict(Counter)
    for spelling, n in info.stations.items():
        by_key[station_key(spelling)][spelling] += n
    named = sum(info.stations.values())
    if named:
        key, spellings = max(by_key.items(), key=lambda kv: sum(kv[1].values()))
        share = sum(spellings.values()) / named
        station, confidence = canonical_spelling(spellings), share * named / (named + 1)
        reason = f"{sum(spellings.values())} of {named} named contacts at {info.domain} are at this station"
    elif info.domain_class == "broadcaster" and ed.looks_broadcaster(info.domain):
        station, confidence, reason = label_name(info.domain), LABEL_CONFIDENCE, "read from the domain name"
    else:
        return []
    return [StationProposal(c.id, c.email, info.domain, station, round(confidence, 2), reason) for c in missing]


def _typos(counts: dict[str, int]) -> dict[str, str]:
    """Domains that are an unambiguous slip of a popular one or of one the base uses far more often."""
    index = typo_index(Counter(counts))
    out = {}
    for domain in counts:
        targets = typo_targets(domain, Counter(counts), index)
        if len(targets) == 1:
            out[domain] = targets[0]
    return out


def analyse(contacts: list[Contact], *, events: dict[str, str] | None = None, dns: Any = None,
            min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> DomainsReport:
    """Group the contacts by registrable email domain, describe each, and propose missing stations."""
    bounced = {email for email, kind in (events or {}).items() if kind in ("bounce_hard", "mailchimp:cleaned")}
    groups = _group(contacts)
    verdicts = dns.check(groups.keys()) if dns is not None else None
    typos = _typos({d: len(m) for d, m in groups.items()})
    infos, proposals = [], []
    for domain, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        info = describe(domain, members, bounced, verdicts, typos.get(domain))
        infos.append(info)
        proposals += propose(info, members)
    by_class = Counter(i.domain_class for i in infos)
    return DomainsReport(len(contacts), tuple(infos), dict(sorted(by_class.items())), tuple(proposals),
                         min_confidence)


def apply_proposals(db: Any, report: DomainsReport, *, run_id: str | None, dry_run: bool) -> DomainsReport:
    """Write the proposals at or above the threshold to contacts that still have no station, journaled."""
    from dataclasses import replace

    from totalaudio.store.contacts import ContactStore
    from totalaudio.store.runs import Journal

    chosen = [p for p in report.proposals if p.confidence >= report.min_confidence]
    if not dry_run:
        store, journal = ContactStore(db), Journal(db)
        with db.conn:
            for p in chosen:
                journal.record(run_id, "contact", p.contact_id, "update", {"station": None}, {"station": p.station})
                store.update(p.contact_id, {"station": p.station})
    return replace(report, applied=len(chosen), dry_run=dry_run, run_id=None if dry_run else run_id)
